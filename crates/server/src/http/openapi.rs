//! The OpenAPI 3.1 document, generated from the handlers: every route is registered through
//! `utoipa-axum`'s `OpenApiRouter`, so that a route cannot exist undocumented; the bearer
//! security scheme is added by a modifier, and the statuses every route can answer whatever
//! its handler ([`common_statuses`]: authentication, the database, malformed input) are added
//! to each operation in one place, so that a new route cannot forget them. The `webhooks`
//! section (OpenAPI 3.1) describes what a webhook endpoint receives: one entry per event type,
//! with the Standard Webhooks headers and the envelope, `data` in its type's shape
//! ([`webhooks`]).
//!
//! Must not: describe a route by hand that the router does not serve (the health check and
//! this document are the two documented here, and a test checks both ways).

use super::schemas as S;
use super::{
    AppState, Problem, assignment, cases, entities, events, monitoring, owners, queue, requests,
    rules, screening, wallets,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Where the document is served.
pub const PATH: &str = "/api/v1/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(title = "compliance-db decision API", description = "Submit, read, review and re-screen KYC/AML cases; manage where their events go. See docs/api.md."),
    paths(health, document),
    // The schemas only parameters name (utoipa-axum collects those of bodies and answers), and
    // those only the webhooks name.
    components(schemas(Problem, S::CaseId, S::EntityId, S::IdempotencyKey, S::IfMatch,
        S::QueueCursor, S::Assignee, S::AuditOrder, S::Jurisdiction, S::CheckStatus, S::RiskLevel,
        S::DeliveryState, S::EventType, S::CaseEventData, S::CaseStatusChangedData,
        S::MatchEventData, S::InformationEventData, S::TransactionEventData, S::Trigger)),
    modifiers(&Bearer),
    tags((name = "cases"), (name = "entities"), (name = "reports"), (name = "rules"), (name = "screening"),
        (name = "events", description = "Where events go (webhooks, a NATS JetStream broker), what was delivered, and an entity's events; the `webhooks` section describes what a webhook receives"),
        (name = "wallets", description = "Wallets watched per entity and the transactions seen on them, each counterparty screened against the lists' wallet addresses"),
        (name = "meta")),
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
        .routes(routes!(assignment::claim))
        .routes(routes!(assignment::assign, assignment::release))
        .routes(routes!(requests::note_case))
        .routes(routes!(
            requests::request_information,
            requests::information_requests
        ))
        .routes(routes!(requests::answer))
        .routes(routes!(requests::withdraw))
        .routes(routes!(entities::current_case))
        .routes(routes!(entities::history))
        .routes(routes!(entities::audit))
        .routes(routes!(entities::rescreen))
        .routes(routes!(owners::record_owner, owners::ownership))
        .routes(routes!(queue::queue))
        .routes(routes!(queue::high_risk))
        .routes(routes!(queue::summary))
        .routes(routes!(queue::dashboard))
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
        .routes(routes!(monitoring::jobs))
        .routes(routes!(monitoring::job))
        .routes(routes!(monitoring::flags))
        .routes(routes!(monitoring::review_flag))
        .routes(routes!(events::create_endpoint, events::list_endpoints))
        .routes(routes!(events::get_endpoint, events::update_endpoint))
        .routes(routes!(events::rotate_secret))
        .routes(routes!(events::replay))
        .routes(routes!(events::deliveries))
        .routes(routes!(events::attempts))
        .routes(routes!(events::entity_events))
        .routes(routes!(wallets::watch_wallet, wallets::wallets))
        // A thousand transactions are larger than any other body but an import.
        .merge(
            OpenApiRouter::new()
                .routes(routes!(wallets::record_transactions))
                .layer(axum::extract::DefaultBodyLimit::max(
                    wallets::TRANSACTIONS_BODY_LIMIT,
                )),
        )
}

/// The Standard Webhooks headers every delivery carries, as the webhooks' parameters.
fn webhook_headers() -> Vec<utoipa::openapi::path::Parameter> {
    use utoipa::openapi::Required;
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    let header = |name: &str, schema: ObjectBuilder, description: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(Required::True)
            .schema(Some(schema.schema_type(Type::String)))
            .description(Some(description))
            .build()
    };
    vec![
        header(
            "webhook-id",
            ObjectBuilder::new().format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
            "The event's id, the same on every attempt and replay: deduplicate by it.",
        ),
        header(
            "webhook-timestamp",
            ObjectBuilder::new().pattern(Some("^[0-9]{1,19}$")),
            "When this attempt was sent, in seconds since 1970 (UTC): refuse one too far from \
             your clock (Standard Webhooks suggests five minutes), against replays.",
        ),
        header(
            "webhook-signature",
            ObjectBuilder::new().pattern(Some(S::SIGNATURE_PATTERN)),
            "`v1,` and the base64 of HMAC-SHA256, keyed with the base64-decoded secret after \
             `whsec_`, over `{webhook-id}.{webhook-timestamp}.{body}`; space-separated, one per \
             secret in force (two after a rotation, until the previous one expires). Accept the \
             delivery when one matches, compared in constant time.",
        ),
    ]
}

/// The `webhooks` section: one entry per event type, named by the type, as a `POST` of the
/// envelope (`Event`, its `type` that one and its `data` in that type's shape) with the
/// Standard Webhooks headers. Any 2xx acknowledges; anything else is a failed attempt.
pub fn webhooks() -> utoipa::openapi::Paths {
    use compliance_domain::EventType;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder};
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, Type};
    use utoipa::openapi::{ContentBuilder, PathItem, PathsBuilder, Ref, Required, ResponseBuilder};
    let mut paths = PathsBuilder::new();
    for &event_type in <EventType as strum::VariantArray>::VARIANTS {
        let name = event_type.to_string();
        let shape = ObjectBuilder::new()
            .property(
                "type",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([name.as_str()])),
            )
            .property("data", Ref::from_schema_name(S::data_schema_of(event_type)));
        let body = AllOfBuilder::new()
            .item(Ref::from_schema_name("Event"))
            .item(shape);
        let operation = OperationBuilder::new()
            .tag("events")
            .operation_id(Some(format!("webhook_{}", name.replace('.', "_"))))
            .summary(Some(name.clone()))
            .description(Some(S::announces(event_type)))
            .parameters(Some(webhook_headers()))
            .request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(body)).build(),
                    )
                    .build(),
            ))
            .response(
                "2XX",
                ResponseBuilder::new().description(
                    "Received: any 2xx acknowledges the event, and it is not sent again \
                     unless an admin replays it",
                ),
            )
            .response(
                "default",
                ResponseBuilder::new().description(
                    "Any other answer, or none within the timeout, is a failed attempt: retried \
                     with exponential backoff and jitter; enough failures in a row pause the \
                     endpoint (its circuit) and, in the end, the delivery fails until replayed",
                ),
            );
        paths = paths.path(name, PathItem::new(HttpMethod::Post, operation));
    }
    paths.build()
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
    require_aml_or_subject(doc);
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

/// A submission carries a provider's screening (`aml`), a `subject` for this service to screen,
/// or both: the rule across fields that the derive cannot write, as `anyOf` two `required`s.
fn require_aml_or_subject(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, Schema};
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let Some(case) = components.schemas.remove("CaseInput") else {
        return;
    };
    let needs = |field: &str| ObjectBuilder::new().required(field);
    let either = AnyOfBuilder::new()
        .item(needs("aml"))
        .item(needs("subject"));
    let combined = AllOfBuilder::new().item(case).item(either);
    components.schemas.insert(
        "CaseInput".to_owned(),
        RefOr::T(Schema::AllOf(combined.build())),
    );
}
