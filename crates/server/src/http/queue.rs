//! The reports: the review queue (filters and a keyset cursor), the high-risk list, the
//! summary, the backlog's dashboard, the periodic reviews due.
//!
//! Must not: write, or page by offset (a page resumes from the previous page's cursor).

use super::bodies::{Dashboard, HighRiskRecord, QueuePage, ReviewDueRecord, SummaryRecord};
use super::schemas as S;
use super::{AppState, Params, Problem, call, limit, param};
use axum::Json;
use axum::extract::State;
use compliance_app::{AssigneeQuery, Caller, QueueCursor, QueueQuery};
use compliance_domain::{CheckStatus, Jurisdiction, RiskLevel};
use serde::Deserialize;

/// Query of the queue route.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueParams {
    jurisdiction: Option<String>,
    status: Option<String>,
    risk_level: Option<String>,
    assignee: Option<String>,
    overdue: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

/// A page of the review queue: riskiest (flagged first), then oldest. Pass `next` back as
/// `cursor` for the following page. Each case shows who works it, since when it has had its
/// status and when that wait reaches its service level; `assignee` and `overdue` narrow the
/// page.
#[utoipa::path(get, path = "/api/v1/queue", tag = "reports",
    params(("jurisdiction" = Option<S::Jurisdiction>, Query, description = "AE, IN or US"),
        ("status" = Option<S::CheckStatus>, Query, description = "PENDING, ESCALATED, ..."),
        ("risk_level" = Option<S::RiskLevel>, Query, description = "LOW, MEDIUM, HIGH or CRITICAL"),
        ("assignee" = Option<S::Assignee>, Query,
            description = "`mine`, `unassigned`, or a user's id: only the cases they work"),
        ("overdue" = Option<bool>, Query, description = "`true`: only the cases past their service level"),
        ("cursor" = Option<S::QueueCursor>, Query, description = "The previous page's `next`"),
        ("limit" = Option<u16>, Query, minimum = 1, maximum = 1000,
            description = "Cases per page: 1 to 1000, default 50")),
    responses((status = 200, body = QueuePage), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    Params(p): Params<QueueParams>,
) -> Result<Json<QueuePage>, Problem> {
    let after = match p.cursor.as_deref() {
        None => None,
        Some(text) => Some(
            text.parse::<QueueCursor>()
                .map_err(|e| Problem::bad_request(e.to_string()))?,
        ),
    };
    let query = QueueQuery {
        jurisdiction: param::<Jurisdiction>("jurisdiction", p.jurisdiction.as_deref())?,
        status: param::<CheckStatus>("status", p.status.as_deref())?,
        risk_level: param::<RiskLevel>("risk_level", p.risk_level.as_deref())?,
        assignee: param::<AssigneeQuery>("assignee", p.assignee.as_deref())?,
        overdue: param::<bool>("overdue", p.overdue.as_deref())?.unwrap_or(false),
        after,
        limit: limit(p.limit.as_deref())?,
    };
    let page = call(&state.compliance, move |c| c.queue(&caller, &query)).await?;
    Ok(Json(page.into()))
}

/// Query of the lists by jurisdiction.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    jurisdiction: Option<String>,
    limit: Option<String>,
}

/// The high-risk entities (current cases HIGH or CRITICAL, or matched a list), riskiest first.
#[utoipa::path(get, path = "/api/v1/high-risk", tag = "reports",
    params(("jurisdiction" = Option<S::Jurisdiction>, Query, description = "AE, IN or US (all when absent)"),
        ("limit" = Option<u16>, Query, minimum = 1, maximum = 10000,
            description = "Rows: 1 to 10000, default 100")),
    responses((status = 200, body = Vec<HighRiskRecord>), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn high_risk(
    State(state): State<AppState>,
    caller: Caller,
    Params(p): Params<ListParams>,
) -> Result<Json<Vec<HighRiskRecord>>, Problem> {
    let jurisdiction = param::<Jurisdiction>("jurisdiction", p.jurisdiction.as_deref())?;
    let limit = limit(p.limit.as_deref())?;
    let rows = call(&state.compliance, move |c| {
        c.high_risk(&caller, jurisdiction, limit)
    })
    .await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// The case counts by jurisdiction, status and risk level.
#[utoipa::path(get, path = "/api/v1/summary", tag = "reports",
    responses((status = 200, body = Vec<SummaryRecord>), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<SummaryRecord>>, Problem> {
    let rows = call(&state.compliance, move |c| c.summary(&caller)).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// The backlog at a glance: open cases by jurisdiction, status and risk level; each queue's
/// longest wait and its cases past the service level in force; today's decisions by outcome
/// and decider. Read from the counts the database keeps with every write (never a scan of the
/// cases), as of one snapshot.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "reports",
    responses((status = 200, body = Dashboard), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Dashboard>, Problem> {
    let record = call(&state.compliance, move |c| c.dashboard(&caller)).await?;
    Ok(Json(record.into()))
}

/// The approved current cases whose periodic review is due, longest overdue first.
#[utoipa::path(get, path = "/api/v1/reviews-due", tag = "reports",
    params(("jurisdiction" = Option<S::Jurisdiction>, Query, description = "AE, IN or US (all when absent)"),
        ("limit" = Option<u16>, Query, minimum = 1, maximum = 10000,
            description = "Rows: 1 to 10000, default 100")),
    responses((status = 200, body = Vec<ReviewDueRecord>), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn reviews_due(
    State(state): State<AppState>,
    caller: Caller,
    Params(p): Params<ListParams>,
) -> Result<Json<Vec<ReviewDueRecord>>, Problem> {
    let jurisdiction = param::<Jurisdiction>("jurisdiction", p.jurisdiction.as_deref())?;
    let limit = limit(p.limit.as_deref())?;
    let rows = call(&state.compliance, move |c| {
        c.reviews_due(&caller, jurisdiction, limit)
    })
    .await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}
