//! `GET /office/queue`: the review queue, filtered by jurisdiction, status, risk level,
//! assignee (mine, unassigned, a user's id) and service level, riskiest and oldest first, a
//! page at a time (keyset: `after` is the previous page's cursor). Cases whose engine decision
//! is stricter than their status are marked, as are cases past their service level.
//!
//! Must not: write, or page by offset.

use super::pages::{Asked, app_error_page, error_page, render};
use super::session::{Officer, encode};
use super::views::{Choice, Chrome, QueuePage, QueueRow, waited, when};
use super::{Office, PREFIX};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use compliance_app::{AssigneeQuery, QueueCursor, QueueQuery};
use compliance_domain::{CheckStatus, Jurisdiction, RiskLevel};
use serde::Deserialize;
use strum::VariantNames;

/// Cases per page.
fn page_size() -> compliance_app::QueueSize {
    compliance_app::QueueSize::new(25).unwrap_or_default()
}

/// The queue's filters, as the form sends them (an empty value is "any").
#[derive(Debug, Default, Deserialize)]
pub(super) struct QueueParams {
    #[serde(default)]
    jurisdiction: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    risk_level: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    after: String,
}

/// An optional filter: empty is none, anything else must parse.
fn filter<T: std::str::FromStr>(name: &str, value: &str) -> Result<Option<T>, String>
where
    T::Err: std::fmt::Display,
{
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse()
        .map(Some)
        .map_err(|e| format!("The {name} filter is not understood: {e}."))
}

/// `GET /office/queue`.
pub(super) async fn page(
    State(office): State<Office>,
    officer: Officer,
    Asked(p): Asked<QueueParams>,
) -> Response {
    let session = &officer.session;
    let parsed = (|| {
        Ok::<_, String>(QueueQuery {
            jurisdiction: filter::<Jurisdiction>("jurisdiction", &p.jurisdiction)?,
            status: filter::<CheckStatus>("status", &p.status)?,
            risk_level: filter::<RiskLevel>("risk level", &p.risk_level)?,
            assignee: filter::<AssigneeQuery>("assignee", &p.assignee)?,
            overdue: filter::<bool>("overdue", &p.overdue)?.unwrap_or(false),
            after: filter::<QueueCursor>("page", &p.after)?,
            limit: page_size(),
        })
    })();
    let query = match parsed {
        Ok(query) => query,
        Err(message) => {
            return error_page(
                Some(session),
                StatusCode::BAD_REQUEST,
                "Filter not understood",
                &message,
            );
        }
    };
    let caller = session.caller;
    let loaded = office
        .compliance
        .call(move |c| {
            let page = c.queue(&caller, &query)?;
            // Only the users the page names, not the whole users table.
            let named: Vec<_> = page
                .items
                .iter()
                .flat_map(|i| [i.approval_proposed_by, i.assigned_to])
                .flatten()
                .collect();
            let names = c.usernames(&caller, &named)?;
            Ok((page, names))
        })
        .await;
    let (page, names) = match loaded {
        Ok(found) => found,
        Err(e) => return app_error_page(Some(session), &e),
    };
    let filters = format!(
        "jurisdiction={}&status={}&risk_level={}&assignee={}&overdue={}",
        encode(&p.jurisdiction),
        encode(&p.status),
        encode(&p.risk_level),
        encode(&p.assignee),
        encode(&p.overdue)
    );
    let now = chrono::Utc::now();
    let name = |u: compliance_domain::UserId| {
        names
            .get(&u)
            .map_or_else(|| u.to_string(), |n| n.as_str().to_owned())
    };
    let rows = page
        .items
        .iter()
        .map(|item| QueueRow {
            href: format!("{PREFIX}/cases/{}", item.case_id),
            entity_id: item.entity_id.to_string(),
            jurisdiction: item.jurisdiction.to_string(),
            status: item.status.to_string(),
            engine_status: item.engine_status.to_string(),
            engine_stricter: item.engine_stricter,
            risk_level: item.risk_level.to_string(),
            risk_score: item.risk_score.value(),
            matches: match (item.sanctions_match, item.pep_match) {
                (true, true) => "sanctions, PEP",
                (true, false) => "sanctions",
                (false, true) => "PEP",
                (false, false) => "none",
            }
            .to_owned(),
            proposed_by: item.approval_proposed_by.map(name),
            opened: when(item.created_at),
            assignee: item.assigned_to.map(name),
            waited: waited(item.status_since, now),
            due: item.due_at.map(when),
            overdue: item.overdue,
            on_customer: item.awaiting_information.map(|a| {
                let late = if a.respond_by <= now {
                    ", past its answer-by date"
                } else {
                    ""
                };
                format!("on the customer for {}{late}", waited(a.since, now))
            }),
        })
        .collect();
    let view = QueuePage {
        chrome: Chrome::new("Review queue", Some(session)),
        jurisdictions: Choice::list(Jurisdiction::VARIANTS, Some(&p.jurisdiction)),
        statuses: Choice::list(&["PENDING", "ESCALATED", "APPROVED"], Some(&p.status)),
        risk_levels: Choice::list(RiskLevel::VARIANTS, Some(&p.risk_level)),
        assignees: Choice::list(&["mine", "unassigned"], Some(&p.assignee)),
        overdue_only: query.overdue,
        rows,
        next_href: page
            .next
            .map(|c| format!("{PREFIX}/queue?{filters}&after={}", encode(&c.to_string()))),
        first_href: (!p.after.is_empty()).then(|| format!("{PREFIX}/queue?{filters}")),
    };
    render(StatusCode::OK, &view)
}
