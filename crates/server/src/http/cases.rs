//! `/api/v1/cases`: submit a case, read one, review it, clear a list match as a false
//! positive. A case's `ETag` is its revision; reviewing and clearing a match require it as
//! `If-Match`.
//!
//! Must not: decide anything itself: each handler parses, calls one method of
//! [`compliance_app::Compliance`] as the authenticated caller, and maps the answer.

use super::bodies::{CaseRecord, ClearedMatch, ReviewOutcome, Submission};
use super::schemas as S;
use super::{AppState, Body, Problem, Segment, call, case_id};
use crate::metrics::Metrics;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use compliance_app::{AppError, Caller};
use compliance_domain::input::{CaseInput, InputError, ReviewInput};
use compliance_domain::{IdempotencyKey, ListEntryRef, ListName, ReviewReason};
use serde::Deserialize;

/// A revision as an `ETag`, quoted.
fn etag(revision: i32) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{revision}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

pub(super) fn with_etag<T: serde::Serialize>(
    status: StatusCode,
    revision: i32,
    body: &T,
) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(header::ETAG, etag(revision));
    response
}

/// Submit a case (a KYC result and its first screening) as the system agent.
///
/// The engine decides it with the rules in force; the answer carries the status, the risk
/// level, each reason with its rule code, version and regulation, and the watchlist version.
/// With an `Idempotency-Key`, a retry answers 200 with the first case (`replayed`).
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases",
    request_body = super::schemas::CaseInput,
    params(("Idempotency-Key" = Option<S::IdempotencyKey>, Header, nullable = false,
        description = "A retry with the same key and the same case gets the first answer (200); \
            the same key with another case is 422")),
    responses(
        (status = 201, description = "A new case, decided", body = Submission, headers(
            ("ETag" = String, description = "The case's revision, quoted: send it as If-Match"),
            ("Location" = String, description = "The case: /api/v1/cases/{id}"))),
        (status = 200, description = "A retry: the stored case", body = Submission, headers(
            ("ETag" = String, description = "The case's revision, quoted: send it as If-Match"),
            ("Location" = String, description = "The case: /api/v1/cases/{id}"))),
        (status = 403, description = "Only the system agent submits", body = Problem),
        (status = 409, description = "The entity has an open case", body = Problem),
        (status = 422, description = "A field is invalid (each is listed in `errors`), or the \
            Idempotency-Key was used before for another case", body = Problem),
    ),
    security(("bearer" = [])))]
pub async fn submit_case(
    State(state): State<AppState>,
    Extension(metrics): Extension<Metrics>,
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
                Problem::from(AppError::Input(InputError::field("Idempotency-Key", e)))
            })?)
        }
    };
    let request = input
        .parse_request()
        .map_err(|e| Problem::from(AppError::Input(e)))?;
    let submitted = call(&state.compliance, move |c| {
        c.submit_request(&caller, &request, key.as_ref())
    })
    .await?;
    metrics.submitted(&submitted);
    let submission: Submission = submitted.into();
    let status = if submission.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut response = with_etag(status, submission.case.revision, &submission);
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/cases/{}", submission.case.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// Read a case. Its `ETag` is its revision: send it as `If-Match` when reviewing it or clearing
/// one of its list matches.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = S::CaseId, Path, description = "The case's id")),
    responses((status = 200, body = CaseRecord, headers(
            ("ETag" = String, description = "The case's revision, quoted: send it as If-Match"))),
        (status = 403, body = Problem), (status = 404, description = "No such case", body = Problem)),
    security(("bearer" = [])))]
pub async fn get_case(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    let case: CaseRecord = call(&state.compliance, move |c| c.case(&caller, id))
        .await?
        .into();
    Ok(with_etag(StatusCode::OK, case.revision, &case))
}

/// The revision an `If-Match` header names: missing is 428, malformed 400.
pub(super) fn if_match(headers: &HeaderMap) -> Result<i32, Problem> {
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

/// Review a case: approve, waive or reject it, with a reason, at the revision you read.
///
/// `If-Match` is required (428 without it); a case that moved on since is 412. Four eyes: the
/// reviewer who proposed approving an escalation, or a waiver, cannot confirm it (409); a role
/// that may not decide the case is 403. A case the engine holds PENDING for missing evidence is
/// not approved (409 `evidence-required`): it is waived under four eyes, or the new KYC result
/// is submitted. A case that is no longer the entity's latest is 409 `superseded`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/review", tag = "cases",
    request_body = super::schemas::ReviewInput,
    params(("id" = S::CaseId, Path, description = "The case's id"),
        ("If-Match" = S::IfMatch, Header, description = "The case's ETag as read")),
    responses((status = 200, body = ReviewOutcome, headers(
            ("ETag" = String, description = "The case's new revision, quoted"))),
        (status = 403, description = "This role may not decide this case", body = Problem),
        (status = 404, description = "No such case", body = Problem),
        (status = 409, description = "Not awaiting review, the engine rejects it or holds it for \
            missing evidence, four eyes, or the case is history", body = Problem),
        (status = 412, description = "The case changed since it was read", body = Problem),
        (status = 428, description = "No If-Match", body = Problem)),
    security(("bearer" = [])))]
pub async fn review_case(
    State(state): State<AppState>,
    Extension(metrics): Extension<Metrics>,
    caller: Caller,
    Segment(id): Segment,
    headers: HeaderMap,
    Body(input): Body<ReviewInput>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    let revision = if_match(&headers)?;
    let (verdict, reason) = input
        .parse()
        .map_err(|e| Problem::from(AppError::Input(e)))?;
    let reviewed = call(&state.compliance, move |c| {
        c.review(&caller, id, verdict, &reason, revision)
    })
    .await?;
    metrics.reviewed(&reviewed);
    let outcome: ReviewOutcome = reviewed.into();
    Ok(with_etag(StatusCode::OK, outcome.case.revision, &outcome))
}

/// A list match to clear as a false positive.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FalsePositiveInput {
    /// The list, e.g. `OFAC-SDN`.
    #[schema(value_type = S::ListName)]
    pub list: String,
    /// The entry on it, e.g. `SDN-36512`.
    #[schema(value_type = S::ListEntryRef)]
    pub entry: String,
    /// Why it is not this entity.
    #[schema(value_type = S::ReviewReason)]
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
/// screening as a false positive, at the revision you read. Admins and compliance officers only.
///
/// `If-Match` is required (428 without it), as for a review: each step raises the case's
/// revision, so a page read before someone else's proposal cannot confirm it unseen (412). The
/// answer's `ETag` is the new revision.
#[utoipa::path(post, path = "/api/v1/cases/{id}/false-positives", tag = "cases",
    request_body = FalsePositiveInput,
    params(("id" = S::CaseId, Path, description = "The case's id"),
        ("If-Match" = S::IfMatch, Header, description = "The case's ETag as read")),
    responses((status = 200, body = ClearedMatch, headers(
            ("ETag" = String, description = "The case's new revision, quoted"))),
        (status = 403, description = "Admins and compliance officers only", body = Problem),
        (status = 404, description = "No such case", body = Problem),
        (status = 409, description = "The case is closed, or four eyes", body = Problem),
        (status = 422, description = "A field is invalid (each is listed in `errors`), or the \
            entry is not a match of the case's current screening", body = Problem),
        (status = 412, description = "The case changed since it was read", body = Problem),
        (status = 428, description = "No If-Match", body = Problem)),
    security(("bearer" = [])))]
pub async fn clear_match(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
    headers: HeaderMap,
    Body(input): Body<FalsePositiveInput>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    let revision = if_match(&headers)?;
    let (list, entry, reason) = input
        .parse()
        .map_err(|e| Problem::from(AppError::Input(e)))?;
    let cleared: ClearedMatch = call(&state.compliance, move |c| {
        c.clear_match(&caller, id, &list, &entry, &reason, revision)
    })
    .await?
    .into();
    Ok(with_etag(StatusCode::OK, cleared.revision, &cleared))
}
