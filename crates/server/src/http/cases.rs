//! `/api/v1/cases`: submit a case, read one, review it, clear a list match as a false
//! positive.
//!
//! Must not: decide anything itself: each handler parses, calls one method of
//! [`compliance_app::Compliance`] as the authenticated caller, and maps the answer.

use super::bodies::{CaseRecord, ClearedMatch, ReviewOutcome, Submission};
use super::{AppState, Body, Problem, Segment, call, case_id, read};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use compliance_app::Caller;
use compliance_domain::input::{CaseInput, InputError, ReviewInput};
use compliance_domain::{IdempotencyKey, ListEntryRef, ListName, ReviewReason};
use serde::Deserialize;

/// The case's ETag: its revision, quoted.
fn etag(case: &CaseRecord) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{}\"", case.revision))
        .unwrap_or(HeaderValue::from_static("\"0\""))
}

fn with_etag<T: serde::Serialize>(status: StatusCode, case: &CaseRecord, body: &T) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(header::ETAG, etag(case));
    response
}

/// Submit a case (a KYC result and its first screening) as the system agent.
///
/// The engine decides it with the rules in force; the answer carries the status, the risk
/// level, each reason with its rule code, version and regulation, and the watchlist version.
/// With an `Idempotency-Key`, a retry answers 200 with the first case (`replayed`).
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases",
    request_body = super::schemas::CaseInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 128 characters; a retry with the same key gets the first answer")),
    responses(
        (status = 201, description = "A new case, decided", body = Submission),
        (status = 200, description = "A retry: the stored case", body = Submission),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem),
    ),
    security(("bearer" = [])))]
pub async fn submit_case(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Body(input): Body<CaseInput>,
) -> Result<Response, Problem> {
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(value) => {
            let text = value
                .to_str()
                .map_err(|_| Problem::bad_request("Idempotency-Key must be printable ASCII"))?;
            Some(IdempotencyKey::parse(text).map_err(|e| {
                Problem::from(compliance_app::AppError::Input(InputError::field(
                    "Idempotency-Key",
                    e,
                )))
            })?)
        }
    };
    let case = input
        .parse()
        .map_err(|e| Problem::from(compliance_app::AppError::Input(e)))?;
    let submission: Submission = call(&state, move |c| c.submit(&caller, &case, key.as_ref()))
        .await?
        .into();
    let status = if submission.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut response = with_etag(status, &submission.case, &submission);
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/cases/{}", submission.case.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// Read a case. Its `ETag` is its revision: send it as `If-Match` when reviewing.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "The case's id (a UUID)")),
    responses((status = 200, body = CaseRecord), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn get_case(
    State(state): State<AppState>,
    _caller: Caller,
    Segment(id): Segment,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    let case: CaseRecord = read(&state, move |c| c.case(id)).await?.into();
    Ok(with_etag(StatusCode::OK, &case, &case))
}

/// The revision an `If-Match` header names: missing is 428, malformed 400.
fn if_match(headers: &HeaderMap) -> Result<i32, Problem> {
    let value = headers
        .get(header::IF_MATCH)
        .ok_or_else(Problem::precondition_required)?;
    let text = value.to_str().unwrap_or_default().trim();
    let text = text.strip_prefix("W/").unwrap_or(text);
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .and_then(|t| t.parse::<i32>().ok())
        .filter(|r| *r >= 1)
        .ok_or_else(|| {
            Problem::bad_request(
                "If-Match must be the case's ETag, a quoted revision such as \"3\"",
            )
        })
}

/// Review a case: approve or reject it, with a reason, at the revision you read.
///
/// `If-Match` is required (428 without it); a case that moved on since is 412. Four eyes: the
/// reviewer who proposed approving an escalation cannot confirm it (409); a role that may not
/// decide the case is 403.
#[utoipa::path(post, path = "/api/v1/cases/{id}/review", tag = "cases",
    request_body = super::schemas::ReviewInput,
    params(("id" = String, Path, description = "The case's id"),
        ("If-Match" = String, Header, description = "The case's ETag, e.g. \"1\"")),
    responses((status = 200, body = ReviewOutcome), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem),
        (status = 428, body = Problem)),
    security(("bearer" = [])))]
pub async fn review_case(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
    headers: HeaderMap,
    Body(input): Body<ReviewInput>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    let revision = if_match(&headers)?;
    let (verdict, reason) = input
        .parse()
        .map_err(|e| Problem::from(compliance_app::AppError::Input(e)))?;
    let outcome: ReviewOutcome = call(&state, move |c| {
        c.review(&caller, id, verdict, &reason, revision)
    })
    .await?
    .into();
    Ok(with_etag(StatusCode::OK, &outcome.case, &outcome))
}

/// A list match to clear as a false positive.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FalsePositiveInput {
    /// The list, e.g. `OFAC-SDN`.
    pub list: String,
    /// The entry on it, e.g. `SDN-36512`.
    pub entry: String,
    /// Why it is not this entity.
    pub reason: String,
}

impl FalsePositiveInput {
    fn parse(&self) -> Result<(ListName, ListEntryRef, ReviewReason), InputError> {
        let mut errors = Vec::new();
        let list =
            ListName::parse(&self.list).map_err(|e| errors.push(InputError::field("list", e)));
        let entry = ListEntryRef::parse(&self.entry)
            .map_err(|e| errors.push(InputError::field("entry", e)));
        let reason = ReviewReason::parse(&self.reason)
            .map_err(|e| errors.push(InputError::field("reason", e)));
        match (list, entry, reason) {
            (Ok(l), Ok(e), Ok(r)) => Ok((l, e, r)),
            _ => Err(InputError {
                fields: errors.into_iter().flat_map(|e| e.fields).collect(),
            }),
        }
    }
}

/// Propose, or (a second reviewer) confirm, a matched list entry of the case's current
/// screening as a false positive. Admins and compliance officers only.
#[utoipa::path(post, path = "/api/v1/cases/{id}/false-positives", tag = "cases",
    request_body = FalsePositiveInput,
    params(("id" = String, Path, description = "The case's id")),
    responses((status = 200, body = ClearedMatch), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn clear_match(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
    Body(input): Body<FalsePositiveInput>,
) -> Result<Json<ClearedMatch>, Problem> {
    let id = case_id(&id)?;
    let (list, entry, reason) = input
        .parse()
        .map_err(|e| Problem::from(compliance_app::AppError::Input(e)))?;
    Ok(Json(
        call(&state, move |c| {
            c.clear_match(&caller, id, &list, &entry, &reason)
        })
        .await?
        .into(),
    ))
}
