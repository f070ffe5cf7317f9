//! The decision API over HTTP (feature `api`): JSON under `/api/v1`, each handler thin over
//! [`compliance_app::Compliance`]; authentication by bearer token ([`auth`]); errors as problem
//! documents ([`problem`]); the OpenAPI document generated from the handlers ([`openapi`]).
//!
//! Must not: hold a business rule or SQL (the service decides), block the async runtime (Diesel
//! runs on the blocking pool), log a body or a token, or answer 500 to client input.

mod assignment;
pub mod auth;
pub mod bodies;
mod body_errors;
mod cases;
pub mod client_address;
mod entities;
mod events;
mod json_numbers;
mod monitoring;
pub mod openapi;
mod owners;
pub mod problem;
mod queue;
mod requests;
mod rules;
pub mod schemas;
mod screening;
mod wallets;

pub use events::EventPageSize;
pub use monitoring::JobPageSize;
pub use problem::Problem;

use axum::extract::{FromRequest, MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::{Json, Router};
use compliance_app::{AsyncCompliance, Compliance};
use compliance_domain::UserId;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// The largest request body accepted, in bytes (a case is well under 4 KiB).
pub const BODY_LIMIT: usize = 64 * 1024;

/// What every handler shares: the entry point and the failed-authentication limiter.
#[derive(Clone)]
pub struct AppState {
    /// The decision layer.
    pub compliance: AsyncCompliance,
    /// Failed authentications per address.
    pub limiter: Arc<auth::FailureLimiter>,
}

/// The authenticated user of a request, filled in by the [`compliance_app::Caller`] extractor for the
/// request log line.
#[derive(Clone, Default)]
pub(crate) struct RequestUser(pub(crate) Arc<OnceLock<UserId>>);

/// Runs a [`Compliance`] call on the blocking pool (its reads retry a dead connection once
/// themselves), its error as a problem.
pub(crate) async fn call<T: Send + 'static>(
    compliance: &AsyncCompliance,
    work: impl FnOnce(&Compliance) -> compliance_app::Result<T> + Send + 'static,
) -> Result<T, Problem> {
    compliance.call(work).await.map_err(Problem::from)
}

/// A JSON request body: too large is 413, not JSON is 400, a missing or unknown field (bodies
/// refuse unknown fields) or a wrong type is 422 with the field in `errors[{path, message}]`,
/// as an invalid value's 422 lists it (plain words, never the value sent), all as problem
/// documents.
///
/// A number written with a fraction or an exponent whose value is a whole number (`66.0`,
/// `6.6e1`) is read as that integer, as JSON Schema reads it (the document's `integer` admits
/// it): JSON does not tell `66.0` from `66`, and a client's serializer may write either.
/// `66.5` stays a wrong type.
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
    T: serde::de::DeserializeOwned,
    Json<T>: FromRequest<S, Rejection = axum::extract::rejection::JsonRejection>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        use axum::http::{StatusCode, header};
        let too_large = || {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                "request body too large",
                format!("the body is larger than {BODY_LIMIT} bytes"),
            )
        };
        let content_type = req.headers().get(header::CONTENT_TYPE).cloned();
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => too_large(),
                _ => Problem::new(
                    StatusCode::BAD_REQUEST,
                    "malformed-body",
                    "unreadable body",
                    rejection.body_text(),
                ),
            })?;
        let bytes = match json_numbers::integral_numbers(&bytes) {
            Some(rewritten) => axum::body::Bytes::from(rewritten),
            None => bytes,
        };
        let mut req = Request::new(axum::body::Body::from(bytes.clone()));
        if let Some(content_type) = content_type {
            req.headers_mut().insert(header::CONTENT_TYPE, content_type);
        }
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => {
                let status = rejection.status();
                let detail = rejection.body_text();
                Err(match status {
                    StatusCode::PAYLOAD_TOO_LARGE => too_large(),
                    StatusCode::UNPROCESSABLE_ENTITY => invalid_body::<T>(&bytes),
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => Problem::new(
                        status,
                        "unsupported-media-type",
                        "JSON expected",
                        "send Content-Type: application/json",
                    ),
                    // serde_json reports a number where an enum's string belongs as a syntax
                    // error; well-formed JSON is a 422 all the same.
                    _ if serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok() => {
                        invalid_body::<T>(&bytes)
                    }
                    _ => Problem::new(
                        StatusCode::BAD_REQUEST,
                        "malformed-body",
                        "malformed JSON",
                        detail,
                    ),
                })
            }
        }
    }
}

/// The 422 of a body that is JSON but does not fit `T`: serde's error read again, with the
/// path of the field it is about, as `errors[{path, message}]` in plain words.
fn invalid_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Problem {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    let field = match serde_path_to_error::deserialize::<_, T>(deserializer) {
        Err(error) => body_errors::field_error(&error),
        // Not reached (the same bytes failed just before), but never a 500 for it.
        Ok(_) => compliance_domain::input::FieldError {
            path: String::new(),
            message: "does not fit the request's schema".to_owned(),
        },
    };
    let detail = if field.path.is_empty() {
        format!("the body {}", field.message)
    } else {
        format!("{}: {}", field.path, field.message)
    };
    let mut problem = Problem::new(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-body",
        "invalid body",
        detail,
    );
    problem.errors = Some(Box::new([field]));
    problem
}

/// Logs one line per request: method, matched route, status, latency and user id; never a
/// body, a query string or a header.
async fn log_request(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "<unmatched>".to_owned(), |p| p.as_str().to_owned());
    let user = RequestUser::default();
    request.extensions_mut().insert(user.clone());
    let response = next.run(request).await;
    let latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let user = user.0.get().map(ToString::to_string).unwrap_or_default();
    tracing::info!(
        target: "compliance_api::request",
        %method, route, status = response.status().as_u16(), latency_us, user,
        "request"
    );
    response
}

/// The decision API's routes (everything under `/api/v1` but the health check), with their
/// OpenAPI document.
pub fn routes(compliance: AsyncCompliance) -> (Router, utoipa::openapi::OpenApi) {
    let state = AppState {
        compliance,
        limiter: Arc::new(auth::FailureLimiter::default()),
    };
    let (router, mut doc) = openapi::router().split_for_parts();
    openapi::complete_responses(&mut doc);
    doc.webhooks = Some(openapi::webhooks());
    let served = doc.clone();
    let router = router
        .route(
            openapi::PATH,
            axum::routing::get(move || {
                let doc = served.clone();
                async move { Json(doc) }
            }),
        )
        .fallback(|| async { Problem::no_route() })
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state);
    (router, doc)
}

/// Wraps a router with the request log line (outermost, so that it sees every status).
pub fn with_request_log(router: Router) -> Router {
    router.layer(axum::middleware::from_fn(log_request))
}

/// A path segment as text; a segment that is not UTF-8 once decoded is a 400 problem.
pub struct Segment(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Segment {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Problem> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|p| Segment(p.0))
            .map_err(|e| Problem::bad_request(e.body_text()))
    }
}

/// Query parameters; an unknown or malformed one is a 400 problem.
pub struct Params<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S>
    for Params<T>
{
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Problem> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Params(q.0))
            .map_err(|e| Problem::bad_request(e.body_text()))
    }
}

/// Parses an optional query parameter `name`; a malformed one is a 400 naming it.
fn param<T>(name: &str, value: Option<&str>) -> Result<Option<T>, Problem>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    value
        .map(|v| {
            v.parse::<T>()
                .map_err(|e| Problem::bad_request(format!("query parameter {name}: {e}")))
        })
        .transpose()
}

/// The `limit` parameter as a page size: out of range is a 400 naming it, the list's default
/// when absent.
fn limit<const MAX: u16, const DEFAULT: u16>(
    value: Option<&str>,
) -> Result<compliance_app::PageSize<MAX, DEFAULT>, Problem> {
    match param::<u16>("limit", value)? {
        None => Ok(Default::default()),
        Some(n) => compliance_app::PageSize::new(n).map_err(|e| {
            let why = e
                .fields
                .first()
                .map_or("is out of range", |f| f.message.as_str());
            Problem::bad_request(format!("query parameter limit: {why}"))
        }),
    }
}

/// A case id from the path: a malformed one is a 400 (it cannot name a case); what was sent is
/// not repeated.
fn case_id(segment: &str) -> Result<compliance_domain::CaseId, Problem> {
    segment
        .parse()
        .map_err(|e: compliance_domain::CaseIdError| Problem::bad_request(e.to_string()))
}

/// An entity id from the path.
fn entity_id(segment: &str) -> Result<compliance_domain::EntityId, Problem> {
    compliance_domain::EntityId::parse(segment).map_err(|e| Problem::bad_request(e.to_string()))
}
