//! The body of the backlog dashboard (`GET /api/v1/dashboard`): counts, codes and case ids.
//!
//! Must not: carry a name or an amount, or be built from anything but the library's record.

use crate::http::schemas as S;
use chrono::{DateTime, NaiveDate, Utc};
use compliance_app as A;
use compliance_domain::{CaseId, CheckStatus, Jurisdiction, RiskLevel};
use serde::Serialize;

/// The backlog as of one instant, from the counts the database keeps with every write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    /// The database's clock when it was read.
    pub as_of: DateTime<Utc>,
    /// The day (UTC) whose decisions `decided_today` counts.
    pub day: NaiveDate,
    /// Open (PENDING or ESCALATED) current cases by jurisdiction, status and risk level;
    /// buckets with none are absent.
    pub open: Vec<OpenCount>,
    /// The six queues (jurisdiction and open status), empty ones included.
    pub queues: Vec<QueueWait>,
    /// Today's decisions that still stand, by jurisdiction, outcome and who decided.
    pub decided_today: Vec<DecidedCount>,
}

/// Open cases of one jurisdiction, status and risk level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OpenCount {
    /// The jurisdiction.
    #[schema(value_type = S::Jurisdiction)]
    pub jurisdiction: Jurisdiction,
    /// PENDING or ESCALATED.
    #[schema(value_type = S::CheckStatus)]
    pub status: CheckStatus,
    /// The risk level.
    #[schema(value_type = S::RiskLevel)]
    pub risk_level: RiskLevel,
    /// How many cases.
    pub cases: i64,
}

/// One queue: how many wait, the longest wait, how many are past the service level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct QueueWait {
    /// The jurisdiction.
    #[schema(value_type = S::Jurisdiction)]
    pub jurisdiction: Jurisdiction,
    /// PENDING or ESCALATED.
    #[schema(value_type = S::CheckStatus)]
    pub status: CheckStatus,
    /// How many cases wait.
    pub cases: i64,
    /// The case that has waited longest.
    #[schema(value_type = Option<uuid::Uuid>)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Decider {
    /// A reviewer, with a note.
    Reviewer,
    /// The rules engine (at submission or a re-screening).
    Engine,
}

/// Today's decisions of one jurisdiction, outcome and decider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DecidedCount {
    /// The jurisdiction.
    #[schema(value_type = S::Jurisdiction)]
    pub jurisdiction: Jurisdiction,
    /// APPROVED or REJECTED.
    #[schema(value_type = S::CheckStatus)]
    pub status: CheckStatus,
    /// Who decided.
    pub by: Decider,
    /// How many cases.
    pub cases: i64,
}

impl From<A::DashboardRecord> for Dashboard {
    fn from(record: A::DashboardRecord) -> Self {
        let A::DashboardRecord {
            as_of,
            day,
            open,
            queues,
            decided_today,
        } = record;
        Self {
            as_of,
            day,
            open: open.into_iter().map(Into::into).collect(),
            queues: queues.into_iter().map(Into::into).collect(),
            decided_today: decided_today.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<A::OpenCountRecord> for OpenCount {
    fn from(record: A::OpenCountRecord) -> Self {
        let A::OpenCountRecord {
            jurisdiction,
            status,
            risk_level,
            cases,
        } = record;
        Self {
            jurisdiction,
            status,
            risk_level,
            cases,
        }
    }
}

impl From<A::QueueWaitRecord> for QueueWait {
    fn from(record: A::QueueWaitRecord) -> Self {
        let A::QueueWaitRecord {
            jurisdiction,
            status,
            cases,
            oldest_case_id,
            oldest_since,
            oldest_waited_seconds,
            target_hours,
            overdue,
        } = record;
        Self {
            jurisdiction,
            status,
            cases,
            oldest_case_id,
            oldest_since,
            oldest_waited_seconds,
            target_hours,
            overdue,
        }
    }
}

impl From<A::DecidedCountRecord> for DecidedCount {
    fn from(record: A::DecidedCountRecord) -> Self {
        let A::DecidedCountRecord {
            jurisdiction,
            status,
            by,
            cases,
        } = record;
        Self {
            jurisdiction,
            status,
            by: match by {
                A::Decider::Reviewer => Decider::Reviewer,
                A::Decider::Engine => Decider::Engine,
            },
            cases,
        }
    }
}
