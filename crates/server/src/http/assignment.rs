//! `/api/v1/cases/{id}/claim` and `/api/v1/cases/{id}/assignment`: who works a case. A
//! reviewer claims a case of the queue or releases their own; an admin or compliance officer
//! assigns one to a reviewer, reassigns or releases it. Each names the revision read, as
//! `If-Match`, like a review.
//!
//! Must not: decide who may do what: each handler parses, calls one method of
//! [`compliance_app::Compliance`] as the authenticated caller, and maps the answer.

use super::bodies::Assignment;
use super::cases::{if_match, with_etag};
use super::schemas as S;
use super::{AppState, Body, Problem, Segment, call, case_id};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use compliance_app::records::AssignmentRecord;
use compliance_app::{AppError, Caller, Compliance};
use compliance_domain::input::InputError;
use compliance_domain::{CaseId, UserId};
use serde::Deserialize;

/// Whom to give a case to.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    /// The reviewer's user id: an active analyst (PENDING cases only), compliance officer or
    /// admin.
    #[schema(value_type = uuid::Uuid)]
    pub assignee: String,
}

/// What every route here does: the case id and `If-Match` read, `work` run as the caller at
/// that revision, the answer with the case's new `ETag`.
async fn change(
    state: &AppState,
    caller: Caller,
    segment: &str,
    headers: &HeaderMap,
    work: impl FnOnce(&Compliance, &Caller, CaseId, i32) -> compliance_app::Result<AssignmentRecord>
    + Send
    + 'static,
) -> Result<Response, Problem> {
    let id = case_id(segment)?;
    let revision = if_match(headers)?;
    let body: Assignment = call(&state.compliance, move |c| work(c, &caller, id, revision))
        .await?
        .into();
    Ok(with_etag(StatusCode::OK, body.revision, &body))
}

/// Claim a case: you work it from now on.
///
/// An analyst claims an unassigned PENDING case; a compliance officer or admin any case of the
/// queue, taking it over from its assignee. `If-Match` is required (428 without it); a case
/// that changed since it was read, someone else's claim included, is 412. Claiming your own
/// case again changes nothing (`action` is `null`).
#[utoipa::path(post, path = "/api/v1/cases/{id}/claim", tag = "cases",
    params(("id" = S::CaseId, Path, description = "The case's id"),
        ("If-Match" = S::IfMatch, Header, description = "The case's ETag as read")),
    responses((status = 200, body = Assignment, headers(
            ("ETag" = String, description = "The case's new revision, quoted"))),
        (status = 403, description = "This role may not claim cases", body = Problem),
        (status = 404, description = "No such case", body = Problem),
        (status = 409, description = "Assigned to someone else, not in the queue, or history", body = Problem),
        (status = 412, description = "The case changed since it was read", body = Problem),
        (status = 422, description = "Your role may not decide a case of this status", body = Problem),
        (status = 428, description = "No If-Match", body = Problem)),
    security(("bearer" = [])))]
pub async fn claim(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    change(&state, caller, &id, &headers, |c, caller, id, revision| {
        c.claim(caller, id, revision)
    })
    .await
}

/// Assign a case to a reviewer (compliance officers and admins), or reassign it.
///
/// The assignee is an active person whose role may decide the case's status (an analyst a
/// PENDING case only): anyone else is 422. `If-Match` is required, as for a claim.
#[utoipa::path(put, path = "/api/v1/cases/{id}/assignment", tag = "cases",
    request_body = AssignInput,
    params(("id" = S::CaseId, Path, description = "The case's id"),
        ("If-Match" = S::IfMatch, Header, description = "The case's ETag as read")),
    responses((status = 200, body = Assignment, headers(
            ("ETag" = String, description = "The case's new revision, quoted"))),
        (status = 403, description = "Compliance officers and admins only", body = Problem),
        (status = 404, description = "No such case", body = Problem),
        (status = 409, description = "Not in the queue, or history", body = Problem),
        (status = 412, description = "The case changed since it was read", body = Problem),
        (status = 422, description = "The assignee is not a user id, unknown, inactive, the \
            system agent, or may not decide a case of this status", body = Problem),
        (status = 428, description = "No If-Match", body = Problem)),
    security(("bearer" = [])))]
pub async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
    headers: HeaderMap,
    Body(input): Body<AssignInput>,
) -> Result<Response, Problem> {
    let assignee = input
        .assignee
        .trim()
        .parse::<uuid::Uuid>()
        .map(UserId::from_uuid)
        .map_err(|_| {
            AppError::Input(InputError::field("assignee", "expected a user id (a UUID)"))
        })?;
    change(
        &state,
        caller,
        &id,
        &headers,
        move |c, caller, id, revision| c.assign(caller, id, assignee, revision),
    )
    .await
}

/// Release a case: nobody works it. An analyst releases their own case; a compliance officer or
/// admin anyone's. Releasing an unassigned case changes nothing (`action` is `null`).
#[utoipa::path(delete, path = "/api/v1/cases/{id}/assignment", tag = "cases",
    params(("id" = S::CaseId, Path, description = "The case's id"),
        ("If-Match" = S::IfMatch, Header, description = "The case's ETag as read")),
    responses((status = 200, body = Assignment, headers(
            ("ETag" = String, description = "The case's new revision, quoted"))),
        (status = 403, description = "This role may not release cases", body = Problem),
        (status = 404, description = "No such case", body = Problem),
        (status = 409, description = "Assigned to someone else, not in the queue, or history", body = Problem),
        (status = 412, description = "The case changed since it was read", body = Problem),
        (status = 428, description = "No If-Match", body = Problem)),
    security(("bearer" = [])))]
pub async fn release(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    change(&state, caller, &id, &headers, |c, caller, id, revision| {
        c.release(caller, id, revision)
    })
    .await
}
