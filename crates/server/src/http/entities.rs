//! `/api/v1/entities/{entity_id}/...`: an entity's current case, its history, its audit
//! entries (newest first, by cursor), and a re-screening.
//!
//! Must not: decide anything itself (see [`compliance_app::Compliance`]).

use super::bodies::{AuditPage, CaseRecord, RescreenOutcome};
use super::schemas as S;
use super::{AppState, Body, Params, Problem, Segment, call, entity_id, limit, param};
use crate::metrics::Metrics;
use axum::extract::State;
use axum::{Extension, Json};
use compliance_app::{AppError, AuditQuery, Caller};
use compliance_domain::input::AmlInput;
use serde::Deserialize;

/// The entity's current case (its latest).
#[utoipa::path(get, path = "/api/v1/entities/{entity_id}/case", tag = "entities",
    params(("entity_id" = S::EntityId, Path, description = "The entity")),
    responses((status = 200, body = CaseRecord), (status = 403, body = Problem),
        (status = 404, description = "The entity has no case", body = Problem)),
    security(("bearer" = [])))]
pub async fn current_case(
    State(state): State<AppState>,
    caller: Caller,
    Segment(entity): Segment,
) -> Result<Json<CaseRecord>, Problem> {
    let entity = entity_id(&entity)?;
    let case = call(&state.compliance, move |c| c.current_case(&caller, &entity)).await?;
    Ok(Json(case.into()))
}

/// Every case of the entity, first to current (empty when it has none).
#[utoipa::path(get, path = "/api/v1/entities/{entity_id}/history", tag = "entities",
    params(("entity_id" = S::EntityId, Path, description = "The entity")),
    responses((status = 200, body = Vec<CaseRecord>), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Segment(entity): Segment,
) -> Result<Json<Vec<CaseRecord>>, Problem> {
    let entity = entity_id(&entity)?;
    let cases = call(&state.compliance, move |c| c.history(&caller, &entity)).await?;
    Ok(Json(cases.into_iter().map(Into::into).collect()))
}

/// Query of the audit route.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    limit: Option<String>,
    cursor: Option<String>,
    order: Option<String>,
}

/// The entity's audit entries, newest first (or `order=oldest`), each with its chain, its
/// position in that chain and its hash. Pass a page's `next` back as `cursor` for the next one.
#[utoipa::path(get, path = "/api/v1/entities/{entity_id}/audit", tag = "entities",
    params(("entity_id" = S::EntityId, Path, description = "The entity"),
        ("limit" = Option<u16>, Query, minimum = 1, maximum = 10000,
            description = "Entries per page: 1 to 10000, default 100"),
        ("cursor" = Option<i64>, Query, minimum = 1, maximum = 9223372036854775807_i64,
            description = "The previous page's `next` (an entry id)"),
        ("order" = Option<S::AuditOrder>, Query, description = "`newest` (the default) or `oldest` first")),
    responses((status = 200, body = AuditPage), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    Segment(entity): Segment,
    Params(params): Params<AuditParams>,
) -> Result<Json<AuditPage>, Problem> {
    let entity = entity_id(&entity)?;
    let oldest_first = match params.order.as_deref() {
        None | Some("newest") => false,
        Some("oldest") => true,
        Some(_) => {
            return Err(Problem::bad_request(
                "query parameter order: expected newest or oldest",
            ));
        }
    };
    let cursor = param::<i64>("cursor", params.cursor.as_deref())?;
    if cursor.is_some_and(|c| c < 1) {
        return Err(Problem::bad_request(
            "query parameter cursor: expected the previous page's next",
        ));
    }
    let query = AuditQuery {
        limit: limit(params.limit.as_deref())?,
        cursor,
        oldest_first,
    };
    let page = call(&state.compliance, move |c| {
        c.audit(&caller, &entity, &query)
    })
    .await?;
    Ok(Json(page.into()))
}

/// Re-screen the entity's current case with a new screening result (the system agent). The
/// same screening again, under the same rules, is a retry: nothing new is written
/// (`replayed`).
#[utoipa::path(post, path = "/api/v1/entities/{entity_id}/screenings", tag = "entities",
    request_body = super::schemas::AmlInput,
    params(("entity_id" = S::EntityId, Path, description = "The entity")),
    responses((status = 200, body = RescreenOutcome),
        (status = 403, description = "Only the system agent re-screens", body = Problem),
        (status = 404, description = "The entity has no case", body = Problem),
        (status = 409, description = "The entity's current case is closed to re-screening", body = Problem)),
    security(("bearer" = [])))]
pub async fn rescreen(
    State(state): State<AppState>,
    Extension(metrics): Extension<Metrics>,
    caller: Caller,
    Segment(entity): Segment,
    Body(input): Body<AmlInput>,
) -> Result<Json<RescreenOutcome>, Problem> {
    let entity = entity_id(&entity)?;
    let screening = input
        .parse()
        .map_err(|e| Problem::from(AppError::Input(e)))?;
    let outcome = call(&state.compliance, move |c| {
        c.rescreen(&caller, &entity, &screening)
    })
    .await?;
    metrics.rescreened(&outcome);
    Ok(Json(outcome.into()))
}
