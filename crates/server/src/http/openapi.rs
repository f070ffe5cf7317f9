//! The OpenAPI 3.1 document, generated from the handlers: every route is registered through
//! `utoipa-axum`'s `OpenApiRouter`, so that a route cannot exist undocumented; the bearer
//! security scheme is added by a modifier, and the statuses every route can answer whatever
//! its handler ([`common_statuses`]: authentication, the database, malformed input) are added
//! to each operation in one place, so that a new route cannot forget them.
//!
//! Must not: describe a route by hand that the router does not serve (the health check and
//! this document are the two documented here, and a test checks both ways).

use super::schemas as S;
use super::{AppState, Problem, cases, entities, queue, rules, screening};
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
    // The schemas only parameters name (utoipa-axum collects those of bodies and answers).
    components(schemas(Problem, S::CaseId, S::EntityId, S::IdempotencyKey, S::IfMatch,
        S::QueueCursor, S::AuditOrder, S::Jurisdiction, S::CheckStatus, S::RiskLevel)),
    modifiers(&Bearer),
    tags((name = "cases"), (name = "entities"), (name = "reports"), (name = "rules"), (name = "screening"), (name = "meta")),
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
        .routes(routes!(screening::screen))
        // A list's files are far larger than any other body: the import route's own limit.
        .merge(
            OpenApiRouter::new()
                .routes(routes!(screening::versions, screening::import))
                .layer(axum::extract::DefaultBodyLimit::max(
                    screening::IMPORT_BODY_LIMIT,
                )),
        )
        .routes(routes!(
            screening::subject,
            screening::record_subject,
            screening::erase_subject
        ))
}

/// The statuses an operation can answer whatever its handler, by what it has: a bearer-secured
/// route authenticates (401), counts failed authentications per address (429) and reads the
/// database, for the token if for nothing else (503); a route with parameters or a body can be
/// sent a malformed one (400); a route with a body can be sent one too large (413), of another
/// media type (415), or with an invalid field (422).
pub fn common_statuses(secured: bool, parameters: bool, body: bool) -> Vec<u16> {
    let mut statuses = Vec::new();
    if parameters || body {
        statuses.push(400);
    }
    if secured {
        statuses.extend([401, 429, 503]);
    }
    if body {
        statuses.extend([413, 415, 422]);
    }
    statuses.sort_unstable();
    statuses
}

/// What a common status means, when the handler does not say it in its own words.
fn common_description(status: u16) -> &'static str {
    match status {
        400 => {
            "A malformed path segment, query parameter, header or JSON body (`detail` says which)"
        }
        401 => "No valid bearer token (unknown, expired, revoked and inactive all look alike)",
        429 => {
            "Too many failed authentications from this address: retry after `Retry-After` seconds"
        }
        503 => {
            "The database is busy or cannot be reached, or too much is asked at once: nothing was \
                written; retry after `Retry-After` seconds"
        }
        413 => "The body is larger than 64 KiB",
        415 => "The body is not sent as `Content-Type: application/json`",
        422 => "A field is missing, unknown or invalid: `errors` lists each, with its path",
        _ => "",
    }
}

/// A problem answer of `status`, with the headers the server always sends with it.
fn common_response(status: u16) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, HeaderBuilder, Ref, ResponseBuilder, schema};
    let seconds = || {
        HeaderBuilder::new()
            .schema(Some(
                schema::ObjectBuilder::new()
                    .schema_type(schema::Type::Integer)
                    .minimum(Some(1)),
            ))
            .description(Some("Seconds to wait before retrying"))
            .build()
    };
    let mut response = ResponseBuilder::new()
        .description(common_description(status))
        .content(
            super::problem::MEDIA_TYPE,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        );
    match status {
        401 => {
            response = response.header(
                "WWW-Authenticate",
                HeaderBuilder::new()
                    .schema(Some(
                        schema::ObjectBuilder::new().schema_type(schema::Type::String),
                    ))
                    .description(Some("`Bearer realm=\"compliance-api\"`"))
                    .build(),
            );
        }
        429 | 503 => response = response.header("Retry-After", seconds()),
        _ => {}
    }
    response.build()
}

/// Completes every operation's responses: adds the statuses of [`common_statuses`] it does not
/// name itself (so that a new route cannot forget them: its handler's `responses(...)` name only
/// what is its own), gives every response without a description its status's reason phrase
/// (OpenAPI requires one; openapi-spec-validator refuses the document otherwise), and serves
/// every problem body as `application/problem+json`, as the server does.
pub(super) fn complete_responses(doc: &mut utoipa::openapi::OpenApi) {
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
            let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            let parameters = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let body = operation.request_body.is_some();
            for status in common_statuses(secured, parameters, body) {
                operation
                    .responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| RefOr::T(common_response(status)));
            }
            for (status, response) in operation.responses.responses.iter_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                if response.description.is_empty() {
                    let code = status.parse::<u16>().unwrap_or_default();
                    response.description = match common_description(code) {
                        "" => axum::http::StatusCode::from_u16(code)
                            .ok()
                            .and_then(|code| code.canonical_reason())
                            .unwrap_or("response"),
                        described => described,
                    }
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
