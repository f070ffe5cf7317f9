//! `/api/v1/rules/{jurisdiction}`: the rule versions in force at an instant.
//!
//! Must not: write.

use super::bodies::RuleRecord;
use super::{AppState, Params, Problem, Segment, call, param};
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use compliance_app::Caller;
use compliance_domain::Jurisdiction;
use serde::Deserialize;

/// Query of the rules route.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesParams {
    at: Option<String>,
}

/// The rule versions in force in a jurisdiction at `at` (RFC 3339; default now), by code.
#[utoipa::path(get, path = "/api/v1/rules/{jurisdiction}", tag = "rules",
    params(("jurisdiction" = super::schemas::Jurisdiction, Path, description = "AE, IN or US"),
        ("at" = Option<String>, Query, format = DateTime,
            description = "An RFC 3339 instant, e.g. 2026-06-01T00:00:00Z (default now)")),
    responses((status = 200, body = Vec<RuleRecord>), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn in_force(
    State(state): State<AppState>,
    caller: Caller,
    Segment(jurisdiction): Segment,
    Params(p): Params<RulesParams>,
) -> Result<Json<Vec<RuleRecord>>, Problem> {
    let jurisdiction = param::<Jurisdiction>("jurisdiction", Some(&jurisdiction))?
        .ok_or_else(|| Problem::bad_request("a jurisdiction is required"))?;
    let at = match p.at.as_deref() {
        None => Utc::now(),
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map(|at| at.with_timezone(&Utc))
            .map_err(|e| Problem::bad_request(format!("query parameter at: {e}")))?,
    };
    let rules = call(&state.compliance, move |c| {
        c.rules_in_force(&caller, jurisdiction, at)
    })
    .await?;
    Ok(Json(rules.into_iter().map(Into::into).collect()))
}
