//! `/api/v1/entities/{entity_id}/...`: an entity's current case, its history, its audit
//! entries, and a re-screening.
//!
//! Must not: decide anything itself (see [`compliance_app::Compliance`]).

use super::bodies::{AuditRecord, CaseRecord, RescreenOutcome};
use super::{AppState, Body, Params, Problem, Segment, call, entity_id, limit, read};
use axum::Json;
use axum::extract::State;
use compliance_app::Caller;
use compliance_domain::input::AmlInput;
use serde::Deserialize;

/// The entity's current case (its latest).
#[utoipa::path(get, path = "/api/v1/entities/{entity_id}/case", tag = "entities",
    params(("entity_id" = String, Path, description = "e.g. ae-ind-clean-001")),
    responses((status = 200, body = CaseRecord), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn current_case(
    State(state): State<AppState>,
    _caller: Caller,
    Segment(entity): Segment,
) -> Result<Json<CaseRecord>, Problem> {
    let entity = entity_id(&entity)?;
    Ok(Json(
        read(&state, move |c| c.current_case(&entity)).await?.into(),
    ))
}

/// Every case of the entity, first to current (empty when it has none).
#[utoipa::path(get, path = "/api/v1/entities/{entity_id}/history", tag = "entities",
    params(("entity_id" = String, Path)),
    responses((status = 200, body = Vec<CaseRecord>), (status = 400, body = Problem),
        (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn history(
    State(state): State<AppState>,
    _caller: Caller,
    Segment(entity): Segment,
) -> Result<Json<Vec<CaseRecord>>, Problem> {
    let entity = entity_id(&entity)?;
    let cases = read(&state, move |c| c.history(&entity)).await?;
    Ok(Json(cases.into_iter().map(Into::into).collect()))
}

/// Query of the audit route.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    limit: Option<String>,
}

/// The entity's audit entries, oldest first, each with its chain position and hash.
#[utoipa::path(get, path = "/api/v1/entities/{entity_id}/audit", tag = "entities",
    params(("entity_id" = String, Path), ("limit" = Option<u16>, Query, description = "1 to 10000, default 100")),
    responses((status = 200, body = Vec<AuditRecord>), (status = 400, body = Problem),
        (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn audit(
    State(state): State<AppState>,
    _caller: Caller,
    Segment(entity): Segment,
    Params(params): Params<AuditParams>,
) -> Result<Json<Vec<AuditRecord>>, Problem> {
    let entity = entity_id(&entity)?;
    let limit = limit(params.limit.as_deref(), 100, 10_000)?;
    let entries = read(&state, move |c| c.audit(&entity, limit)).await?;
    Ok(Json(entries.into_iter().map(Into::into).collect()))
}

/// Re-screen the entity's current case with a new screening result (the system agent).
#[utoipa::path(post, path = "/api/v1/entities/{entity_id}/screenings", tag = "entities",
    request_body = super::schemas::AmlInput,
    params(("entity_id" = String, Path)),
    responses((status = 200, body = RescreenOutcome), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn rescreen(
    State(state): State<AppState>,
    caller: Caller,
    Segment(entity): Segment,
    Body(input): Body<AmlInput>,
) -> Result<Json<RescreenOutcome>, Problem> {
    let entity = entity_id(&entity)?;
    let screening = input
        .parse()
        .map_err(|e| Problem::from(compliance_app::AppError::Input(e)))?;
    Ok(Json(
        call(&state, move |c| c.rescreen(&caller, &entity, &screening))
            .await?
            .into(),
    ))
}
