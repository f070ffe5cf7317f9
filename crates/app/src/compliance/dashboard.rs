//! The backlog dashboard: open cases by jurisdiction, status and risk level, each queue's
//! longest wait and its cases past their service level, and today's decisions, read in one
//! statement from the counts the database's triggers keep (`repo::dashboard`).
//!
//! Must not: write, or show a name or an amount: case ids, codes and counts only.

use super::{Caller, Compliance};
use crate::Result;
use chrono::{DateTime, NaiveDate, Utc};
use compliance_domain::{CaseId, CheckStatus, Jurisdiction, Permission, RiskLevel};
use compliance_persistence::repo::dashboard;
use serde::Serialize;

/// The backlog as of one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DashboardRecord {
    /// The database's clock when it was read.
    pub as_of: DateTime<Utc>,
    /// The day (UTC) whose decisions `decided_today` counts.
    pub day: NaiveDate,
    /// Open (PENDING or ESCALATED) current cases by jurisdiction, status and risk level;
    /// buckets with none are absent.
    pub open: Vec<OpenCountRecord>,
    /// Each of the six queues (jurisdiction and open status), empty ones included.
    pub queues: Vec<QueueWaitRecord>,
    /// Today's decisions that still stand, by jurisdiction, outcome and who decided.
    pub decided_today: Vec<DecidedCountRecord>,
}

/// Open cases of one jurisdiction, status and risk level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenCountRecord {
    /// The jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// PENDING or ESCALATED.
    pub status: CheckStatus,
    /// The risk level.
    pub risk_level: RiskLevel,
    /// How many cases.
    pub cases: i64,
}

/// One queue: how many wait, who has waited longest, how many are past the service level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueWaitRecord {
    /// The jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// PENDING or ESCALATED.
    pub status: CheckStatus,
    /// How many cases wait.
    pub cases: i64,
    /// The case that has waited longest.
    pub oldest_case_id: Option<CaseId>,
    /// Since when it has had its status.
    pub oldest_since: Option<DateTime<Utc>>,
    /// How long it has waited, in whole seconds, as of `as_of`.
    pub oldest_waited_seconds: Option<i64>,
    /// The service level in force, in hours (none: nothing is overdue).
    pub target_hours: Option<i32>,
    /// How many cases have waited longer than it.
    pub overdue: i64,
}

/// Who made a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decider {
    /// A reviewer, with a note.
    Reviewer,
    /// The rules engine (at submission or a re-screening).
    Engine,
}

/// Decisions of today of one jurisdiction, outcome and decider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecidedCountRecord {
    /// The jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// APPROVED or REJECTED.
    pub status: CheckStatus,
    /// Who decided.
    pub by: Decider,
    /// How many cases.
    pub cases: i64,
}

impl Compliance {
    /// The backlog dashboard: every reviewer role may read it.
    pub fn dashboard(&self, caller: &Caller) -> Result<DashboardRecord> {
        caller.require(Permission::ReadReports, "read the dashboard")?;
        let d = self
            .service
            .read_replica(caller.user(), |conn| Ok(dashboard::read(conn)?))?;
        Ok(DashboardRecord::from(d))
    }
}

impl From<dashboard::Dashboard> for DashboardRecord {
    fn from(d: dashboard::Dashboard) -> Self {
        let as_of = d.as_of;
        Self {
            as_of,
            day: as_of.date_naive(),
            open: d
                .open
                .into_iter()
                .map(|o| OpenCountRecord {
                    jurisdiction: o.jurisdiction,
                    status: o.status,
                    risk_level: o.risk_level,
                    cases: o.cases,
                })
                .collect(),
            queues: d
                .queues
                .into_iter()
                .map(|q| QueueWaitRecord {
                    jurisdiction: q.jurisdiction,
                    status: q.status,
                    cases: q.cases,
                    oldest_case_id: q.oldest.map(|(id, _)| CaseId::from_uuid(id)),
                    oldest_since: q.oldest.map(|(_, since)| since),
                    oldest_waited_seconds: q
                        .oldest
                        .map(|(_, since)| (as_of - since).num_seconds().max(0)),
                    target_hours: q.target_hours,
                    overdue: q.overdue,
                })
                .collect(),
            decided_today: d
                .decided_today
                .into_iter()
                .map(|c| DecidedCountRecord {
                    jurisdiction: c.jurisdiction,
                    status: c.status,
                    by: if c.by_reviewer {
                        Decider::Reviewer
                    } else {
                        Decider::Engine
                    },
                    cases: c.cases,
                })
                .collect(),
        }
    }
}
