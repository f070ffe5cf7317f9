//! The decision API over HTTP (feature `api`): JSON under `/api/v1`, each handler thin over
//! [`compliance_app::Compliance`]; authentication by bearer token ([`auth`]); errors as problem
//! documents ([`problem`]); the OpenAPI document generated from the handlers ([`openapi`]).
//!
//! Must not: hold a business rule or SQL (the service decides), block the async runtime (Diesel
//! runs on the blocking pool), log a body or a token, or answer 500 to client input.

pub mod auth;
pub mod bodies;
mod cases;
pub mod client_address;
mod entities;
pub mod openapi;
pub mod problem;
mod queue;
mod rules;
pub mod schemas;

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
/// refuse unknown fields) or a wrong type is 422 naming it, all as problem documents.
///
/// A number written with a fraction or an exponent whose value is a whole number (`66.0`,
/// `6.6e1`) is read as that integer, as JSON Schema reads it (the document's `integer` admits
/// it): JSON does not tell `66.0` from `66`, and a client's serializer may write either.
/// `66.5` stays a wrong type.
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
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
        let bytes = match integral_numbers(&bytes) {
            Some(rewritten) => axum::body::Bytes::from(rewritten),
            None => bytes,
        };
        let mut req = Request::new(axum::body::Body::from(bytes));
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
                    StatusCode::UNPROCESSABLE_ENTITY => {
                        Problem::new(status, "invalid-body", "invalid body", detail)
                    }
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => Problem::new(
                        status,
                        "unsupported-media-type",
                        "JSON expected",
                        "send Content-Type: application/json",
                    ),
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

/// `json` with every number token that has a fraction or an exponent but a whole value that
/// fits an `i64` written as that integer (`66.0` and `6.6e1` become `66`), or `None` when there
/// is none. Strings are left alone, and so is anything that is not a JSON number token, so
/// malformed JSON stays malformed; the value of no number changes.
fn integral_numbers(json: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut i = 0;
    let mut in_string = false;
    while i < json.len() {
        let byte = json[i];
        if in_string {
            match byte {
                b'\\' => i += 2,
                b'"' => {
                    in_string = false;
                    i += 1;
                }
                _ => i += 1,
            }
            continue;
        }
        match byte {
            b'"' => {
                in_string = true;
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < json.len()
                    && matches!(json[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                {
                    i += 1;
                }
                if let Some(whole) = whole_number(&json[start..i]) {
                    let out = out.get_or_insert_with(|| Vec::with_capacity(json.len()));
                    out.extend_from_slice(&json[copied..start]);
                    out.extend_from_slice(whole.to_string().as_bytes());
                    copied = i;
                }
            }
            _ => i += 1,
        }
    }
    out.map(|mut out| {
        out.extend_from_slice(&json[copied..]);
        out
    })
}

/// The integer a JSON number token with a fraction or an exponent stands for, when it is a
/// whole number within `i64`: exact, on the token's digits (no float, no rounding).
fn whole_number(token: &[u8]) -> Option<i64> {
    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, with a fraction or an exponent.
    let (negative, rest) = match token.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, token),
    };
    let int_len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let (int, rest) = rest.split_at(int_len);
    if int.is_empty() || (int.len() > 1 && int[0] == b'0') {
        return None;
    }
    let (frac, rest) = match rest.split_first() {
        Some((b'.', rest)) => {
            let len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            if len == 0 {
                return None;
            }
            rest.split_at(len)
        }
        _ => (&[][..], rest),
    };
    let exponent: i64 = match rest.split_first() {
        None => 0,
        Some((b'e' | b'E', digits)) => {
            let (sign, digits) = match digits.split_first()? {
                (b'-', d) => (-1, d),
                (b'+', d) => (1, d),
                _ => (1, digits),
            };
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            // Past 1000 either way, no whole number but zero fits an i64.
            let magnitude = std::str::from_utf8(digits)
                .ok()?
                .parse::<i64>()
                .unwrap_or(i64::MAX);
            sign * magnitude.min(1_000)
        }
        Some(_) => return None,
    };
    if frac.is_empty() && rest.is_empty() {
        return None; // Already an integer.
    }
    let digits: Vec<u8> = int.iter().chain(frac).copied().collect();
    // The decimal point sits after `point` digits.
    let point = i64::try_from(int.len()).ok()? + exponent;
    if digits.iter().all(|d| *d == b'0') {
        return Some(0);
    }
    if point <= 0 {
        return None;
    }
    let point = usize::try_from(point).ok()?;
    if point < digits.len() && digits[point..].iter().any(|d| *d != b'0') {
        return None;
    }
    if point > 20 {
        return None;
    }
    let mut text = String::with_capacity(point + 1);
    if negative {
        text.push('-');
    }
    for position in 0..point {
        text.push(char::from(*digits.get(position).unwrap_or(&b'0')));
    }
    text.parse().ok()
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

#[cfg(test)]
mod tests {
    use super::{integral_numbers, whole_number};

    #[test]
    fn whole_numbers_with_a_fraction_or_an_exponent_are_integers() {
        for (token, whole) in [
            ("66.0", Some(66)),
            ("6.6e1", Some(66)),
            ("6.6E+1", Some(66)),
            ("660e-1", Some(66)),
            ("-3.000", Some(-3)),
            ("0.0", Some(0)),
            ("-0.0e5", Some(0)),
            ("1e2", Some(100)),
            ("9223372036854775807.0", Some(i64::MAX)),
            ("-9223372036854775808.0", Some(i64::MIN)),
            ("9223372036854775808.0", None),
            ("66", None),
            ("66.5", None),
            ("6.65e1", None),
            ("66.00000000000000000000000000001", None),
            ("1e400", None),
            ("1e-400", None),
            ("01.0", None),
            ("1.", None),
            (".5", None),
            ("1.0e", None),
            ("-", None),
            ("1-2", None),
        ] {
            assert_eq!(whole_number(token.as_bytes()), whole, "{token}");
        }
    }

    #[test]
    fn only_number_tokens_are_rewritten() {
        let json = br#"{"a": 66.0, "b": "66.0", "c\"d": [1e2, -7.50, 3], "e": "\\", "f": 2.0}"#;
        let rewritten = String::from_utf8(integral_numbers(json).unwrap()).unwrap();
        assert_eq!(
            rewritten,
            r#"{"a": 66, "b": "66.0", "c\"d": [100, -7.50, 3], "e": "\\", "f": 2}"#
        );
        assert_eq!(integral_numbers(br#"{"a": 66, "b": "1.0"}"#), None);
    }
}
