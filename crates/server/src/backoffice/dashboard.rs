//! `GET /office/dashboard`: the backlog at a glance, for every signed-in reviewer role. Open
//! cases by jurisdiction, status and risk level; for each queue (jurisdiction and status) how
//! many wait, the longest wait (linked to its case) and how many are past the service level in
//! force, linked to the queue's overdue filter; today's decisions by outcome and decider. Read
//! from the counts the database keeps (`Compliance::dashboard`).
//!
//! Must not: show a name or an amount (counts, codes and case ids only), or change anything.

use super::pages::{app_error_page, render};
use super::session::{Officer, encode};
use super::views::{Chrome, waited, when};
use super::{Office, PREFIX};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use compliance_app::{DashboardRecord, Decider};
use compliance_domain::{CheckStatus, Jurisdiction, RiskLevel, TextForm};
use strum::VariantArray;

/// One row of the open-cases table: a jurisdiction and status, a count per risk level.
pub(super) struct OpenRow {
    pub jurisdiction: String,
    pub status: String,
    pub by_level: Vec<i64>,
    pub total: i64,
    pub href: String,
}

/// One queue: its wait and its service level.
pub(super) struct QueueView {
    pub jurisdiction: String,
    pub status: String,
    pub cases: i64,
    pub oldest_href: Option<String>,
    pub oldest_waited: String,
    pub oldest_since: String,
    pub target: String,
    pub overdue: i64,
    pub overdue_href: String,
}

/// Today's decisions of one jurisdiction.
pub(super) struct DecidedRow {
    pub jurisdiction: String,
    /// Approved and rejected by reviewers, then by the engine.
    pub counts: [i64; 4],
}

#[derive(Template)]
#[template(path = "office/dashboard.html")]
pub(super) struct DashboardPage {
    pub chrome: Chrome,
    pub as_of: String,
    pub day: String,
    pub levels: Vec<String>,
    pub open: Vec<OpenRow>,
    pub open_total: i64,
    pub queues: Vec<QueueView>,
    pub overdue_total: i64,
    pub decided: Vec<DecidedRow>,
    pub decided_total: i64,
}

fn queue_href(jurisdiction: Jurisdiction, status: CheckStatus, overdue: bool) -> String {
    format!(
        "{PREFIX}/queue?jurisdiction={}&status={}{}",
        encode(jurisdiction.as_str()),
        encode(status.as_str()),
        if overdue { "&overdue=true" } else { "" }
    )
}

fn view(d: &DashboardRecord) -> DashboardPage {
    let open = d
        .queues
        .iter()
        .map(|q| {
            let by_level: Vec<i64> = RiskLevel::VARIANTS
                .iter()
                .map(|level| {
                    d.open
                        .iter()
                        .filter(|o| {
                            o.jurisdiction == q.jurisdiction
                                && o.status == q.status
                                && o.risk_level == *level
                        })
                        .map(|o| o.cases)
                        .sum()
                })
                .collect();
            OpenRow {
                jurisdiction: q.jurisdiction.to_string(),
                status: q.status.to_string(),
                total: by_level.iter().sum(),
                by_level,
                href: queue_href(q.jurisdiction, q.status, false),
            }
        })
        .collect::<Vec<_>>();
    let queues = d
        .queues
        .iter()
        .map(|q| QueueView {
            jurisdiction: q.jurisdiction.to_string(),
            status: q.status.to_string(),
            cases: q.cases,
            oldest_href: q.oldest_case_id.map(|id| format!("{PREFIX}/cases/{id}")),
            oldest_waited: q
                .oldest_since
                .map_or_else(|| "-".to_owned(), |since| waited(since, d.as_of)),
            oldest_since: q.oldest_since.map(when).unwrap_or_default(),
            target: q
                .target_hours
                .map_or_else(|| "none".to_owned(), |h| format!("{h} h")),
            overdue: q.overdue,
            overdue_href: queue_href(q.jurisdiction, q.status, true),
        })
        .collect();
    let decided = Jurisdiction::VARIANTS
        .iter()
        .map(|j| {
            let count = |status: CheckStatus, by: Decider| {
                d.decided_today
                    .iter()
                    .filter(|c| c.jurisdiction == *j && c.status == status && c.by == by)
                    .map(|c| c.cases)
                    .sum()
            };
            DecidedRow {
                jurisdiction: j.to_string(),
                counts: [
                    count(CheckStatus::Approved, Decider::Reviewer),
                    count(CheckStatus::Rejected, Decider::Reviewer),
                    count(CheckStatus::Approved, Decider::Engine),
                    count(CheckStatus::Rejected, Decider::Engine),
                ],
            }
        })
        .collect::<Vec<_>>();
    DashboardPage {
        chrome: Chrome::new("Dashboard", None),
        as_of: when(d.as_of),
        day: d.day.to_string(),
        levels: RiskLevel::VARIANTS
            .iter()
            .map(ToString::to_string)
            .collect(),
        open_total: open.iter().map(|o| o.total).sum(),
        open,
        overdue_total: d.queues.iter().map(|q| q.overdue).sum(),
        queues,
        decided_total: decided.iter().flat_map(|r| r.counts).sum(),
        decided,
    }
}

/// `GET /office/dashboard`.
pub(super) async fn page(State(office): State<Office>, officer: Officer) -> Response {
    let session = &officer.session;
    let caller = session.caller;
    match office.compliance.call(move |c| c.dashboard(&caller)).await {
        Ok(d) => {
            let mut page = view(&d);
            page.chrome = Chrome::new("Dashboard", Some(session));
            render(StatusCode::OK, &page)
        }
        Err(e) => app_error_page(Some(session), &e),
    }
}
