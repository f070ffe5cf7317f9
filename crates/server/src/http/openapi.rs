//! The OpenAPI 3.1 document, generated from the handlers: every route is registered through
//! `utoipa-axum`'s `OpenApiRouter`, so that a route cannot exist undocumented; the bearer
//! security scheme is added by a modifier.
//!
//! Must not: describe a route by hand that the router does not serve (the health check and
//! this document are the two documented here, and a test checks both ways).

use super::{AppState, Problem, cases, entities, queue, rules};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Where the document is served.
pub const PATH: &str = "/api/v1/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(title = "compliance-db decision API", description = "Submit, read, review and re-screen KYC/AML cases. See docs/api.md."),
    paths(health, document),
    components(schemas(Problem)),
    modifiers(&Bearer),
    tags((name = "cases"), (name = "entities"), (name = "reports"), (name = "rules"), (name = "meta")),
)]
struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("cdb_<64 hex digits> (cargo xtask token create)")
                    .build(),
            ),
        );
    }
}

/// The health check (served by `crate::api`, unauthenticated): 200 when the database answers,
/// 503 with the failure's category when not.
#[utoipa::path(get, path = "/api/v1/health", tag = "meta",
    responses((status = 200, description = "healthy", body = super::bodies::Health),
        (status = 503, description = "unhealthy: what failed, as a category", body = super::bodies::Health)))]
#[allow(dead_code)] // Documentation only: the route is crate::api's.
fn health() {}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
#[allow(dead_code)] // Documentation only: the route is served from the generated document.
fn document() {}

/// Every documented route of the decision API, with its handler.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(cases::submit_case))
        .routes(routes!(cases::get_case))
        .routes(routes!(cases::review_case))
        .routes(routes!(cases::clear_match))
        .routes(routes!(entities::current_case))
        .routes(routes!(entities::history))
        .routes(routes!(entities::audit))
        .routes(routes!(entities::rescreen))
        .routes(routes!(queue::queue))
        .routes(routes!(queue::high_risk))
        .routes(routes!(queue::summary))
        .routes(routes!(queue::reviews_due))
        .routes(routes!(rules::in_force))
}

/// Gives every response without a description its status's reason phrase: OpenAPI requires a
/// description on each (openapi-spec-validator refuses the document otherwise), and the
/// handlers' `responses(...)` name only the status and the body of their errors. A problem
/// body is served as `application/problem+json`, and so it is documented.
pub(super) fn describe_responses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            for (status, response) in operation.responses.responses.iter_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                if response.description.is_empty() {
                    response.description = status
                        .parse::<u16>()
                        .ok()
                        .and_then(|code| axum::http::StatusCode::from_u16(code).ok())
                        .and_then(|code| code.canonical_reason())
                        .unwrap_or("response")
                        .to_owned();
                }
                // A problem body is served as application/problem+json.
                let is_problem = response.content.get("application/json").is_some_and(|c| {
                    matches!(c, RefOr::T(c) if matches!(&c.schema,
                        Some(RefOr::Ref(r)) if r.ref_location == "#/components/schemas/Problem"))
                });
                if is_problem && let Some(body) = response.content.shift_remove("application/json")
                {
                    response
                        .content
                        .insert(super::problem::MEDIA_TYPE.to_owned(), body);
                }
            }
        }
    }
}
