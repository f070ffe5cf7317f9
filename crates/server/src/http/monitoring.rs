//! Ongoing monitoring over HTTP (issue 19): `GET /api/v1/screening-jobs` (each list version's
//! job with its numbers, newest first), `GET /api/v1/screening-jobs/{id}` (one, by its id or its
//! version's), `GET /api/v1/screening-jobs/{id}/flags` (the entities it flagged for review).
//!
//! Must not: decide anything itself (see [`compliance_app::Compliance`]).

use super::bodies::{ScreeningFlag, ScreeningJob};
use super::schemas as S;
use super::{AppState, Body, Params, Problem, Segment, call, limit};
use axum::Json;
use axum::extract::State;
use compliance_app::{Caller, PageSize};
use serde::Deserialize;
use uuid::Uuid;

/// A page of jobs: 1 to 200, 50 by default.
pub type JobPageSize = PageSize<200, 50>;

/// `GET /api/v1/screening-jobs`'s query.
#[derive(Debug, Deserialize)]
pub struct JobsParams {
    limit: Option<String>,
}

fn job_id(segment: &str) -> Result<Uuid, Problem> {
    segment
        .parse()
        .map_err(|_| Problem::bad_request("a screening job (or list version) id is a UUID"))
}

/// Each list version's screening job, newest first: how many entities were screened, matched,
/// re-screened into an escalation or a rejection, flagged, and how long it took (the roles
/// that read watchlists).
#[utoipa::path(get, path = "/api/v1/screening-jobs", tag = "screening",
    params(("limit" = Option<u16>, Query, minimum = 1, maximum = 200,
        description = "Jobs per answer: 1 to 200, default 50")),
    responses((status = 200, body = Vec<ScreeningJob>), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn jobs(
    State(state): State<AppState>,
    caller: Caller,
    Params(params): Params<JobsParams>,
) -> Result<Json<Vec<ScreeningJob>>, Problem> {
    let size: JobPageSize = limit(params.limit.as_deref())?;
    let jobs = call(&state.compliance, move |c| {
        c.screening_jobs(&caller, size.get())
    })
    .await?;
    Ok(Json(jobs.into_iter().map(Into::into).collect()))
}

/// One screening job, by its id or by its list version's id.
#[utoipa::path(get, path = "/api/v1/screening-jobs/{id}", tag = "screening",
    params(("id" = Uuid, Path, description = "The job, or its list version")),
    responses((status = 200, body = ScreeningJob), (status = 403, body = Problem),
        (status = 404, description = "No such job or list version", body = Problem)),
    security(("bearer" = [])))]
pub async fn job(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
) -> Result<Json<ScreeningJob>, Problem> {
    let id = job_id(&id)?;
    let job = call(&state.compliance, move |c| c.screening_job(&caller, id)).await?;
    Ok(Json(job.into()))
}

/// The entities a job flagged for review: an entry their case's screening matched left the
/// list (their cases keep their status; a removal never relaxes a case by itself).
#[utoipa::path(get, path = "/api/v1/screening-jobs/{id}/flags", tag = "screening",
    params(("id" = Uuid, Path, description = "The job")),
    responses((status = 200, body = Vec<ScreeningFlag>), (status = 403, body = Problem),
        (status = 404, description = "No such job", body = Problem)),
    security(("bearer" = [])))]
pub async fn flags(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
) -> Result<Json<Vec<ScreeningFlag>>, Problem> {
    let id = job_id(&id)?;
    let flags = call(&state.compliance, move |c| c.screening_flags(&caller, id)).await?;
    Ok(Json(flags.into_iter().map(Into::into).collect()))
}

/// Which flag a review is of, and what the reviewer concluded.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagReviewInput {
    /// The flagged entity.
    #[schema(value_type = S::EntityId)]
    pub entity_id: String,
    /// The entry that left its list, as the flag names it.
    pub entry: String,
    /// What the reviewer concluded (the case stands, or what they will do): a review note.
    #[schema(value_type = S::ReviewReason)]
    pub conclusion: String,
}

/// Review a delisting flag (compliance officers and admins): say what you concluded. The case
/// keeps its status (deciding it again is a review of the case); the flag shows as reviewed, and
/// the audit trail records it (`delisting_reviewed`). A flag is reviewed once (409 after).
#[utoipa::path(post, path = "/api/v1/screening-jobs/{id}/flags/reviews", tag = "screening",
    request_body = FlagReviewInput,
    params(("id" = Uuid, Path, description = "The job that raised the flag")),
    responses((status = 204, description = "Reviewed"),
        (status = 403, description = "Compliance officers and admins only", body = Problem),
        (status = 404, description = "No such job or flag", body = Problem),
        (status = 409, description = "Reviewed already", body = Problem),
        (status = 422, description = "A field is invalid (each is listed in `errors`)", body = Problem)),
    security(("bearer" = [])))]
pub async fn review_flag(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
    Body(input): Body<FlagReviewInput>,
) -> Result<axum::http::StatusCode, Problem> {
    use compliance_app::AppError;
    use compliance_domain::input::InputError;
    let id = job_id(&id)?;
    let entity = compliance_domain::EntityId::parse(&input.entity_id)
        .map_err(|e| AppError::Input(InputError::field("entity_id", e)))?;
    let conclusion = compliance_domain::ReviewReason::parse(&input.conclusion)
        .map_err(|e| AppError::Input(InputError::field("conclusion", e)))?;
    let entry = input.entry;
    call(&state.compliance, move |c| {
        c.review_flag(&caller, id, &entity, &entry, &conclusion)
    })
    .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
