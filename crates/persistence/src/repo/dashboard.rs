//! The backlog dashboard: what `case_dashboard()` (migration 2026-12-10-160000_case_counts)
//! answers in one statement, from the counts the case tables' triggers keep in `case_counts`
//! and two bounded index reads (the oldest case per queue, the cutoff hour of each service
//! level), never a scan of the case tables.
//!
//! Must not: write. The counts are the triggers' alone (`case_counts_guard()`).

use crate::convert::text;
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{CheckStatus, Jurisdiction, RiskLevel};
use diesel::QueryableByName;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

const SOURCE: &str = "case_dashboard";

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    section: String,
    #[diesel(sql_type = Text)]
    jurisdiction: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Text)]
    detail: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    cases: Option<i64>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    since: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    case_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Int4>)]
    target_hours: Option<i32>,
    #[diesel(sql_type = Timestamptz)]
    as_of: DateTime<Utc>,
}

/// Open cases of one jurisdiction, status and risk level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCount {
    /// The jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// PENDING or ESCALATED.
    pub status: CheckStatus,
    /// The risk level.
    pub risk_level: RiskLevel,
    /// How many current cases.
    pub cases: i64,
}

/// One queue (a jurisdiction and an open status): how many wait, the longest wait, and how
/// many are past the service level in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueWait {
    /// The jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// PENDING or ESCALATED.
    pub status: CheckStatus,
    /// How many current cases wait in it.
    pub cases: i64,
    /// The case that has waited longest, and since when it has had its status.
    pub oldest: Option<(Uuid, DateTime<Utc>)>,
    /// The service level in force, in hours (`None`: none, and nothing is overdue).
    pub target_hours: Option<i32>,
    /// How many have waited longer than it.
    pub overdue: i64,
}

/// Decisions of today (UTC) that still stand, by jurisdiction, outcome and who decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecidedCount {
    /// The jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// APPROVED or REJECTED.
    pub status: CheckStatus,
    /// True for a reviewer's decision, false for the engine's.
    pub by_reviewer: bool,
    /// How many cases.
    pub cases: i64,
}

/// The dashboard, as of one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    /// The database's clock when it was read.
    pub as_of: DateTime<Utc>,
    /// Open cases by jurisdiction, status and risk level (buckets with none are absent).
    pub open: Vec<OpenCount>,
    /// Every queue, in jurisdiction then status order, empty ones included.
    pub queues: Vec<QueueWait>,
    /// Today's decisions.
    pub decided_today: Vec<DecidedCount>,
}

/// The dashboard's read: `case_dashboard()`, one statement.
pub const DASHBOARD_SQL: &str = "SELECT d.section, d.jurisdiction, d.status, d.detail, d.cases, d.since, d.case_id, \
     d.target_hours, now() AS as_of FROM case_dashboard() d";

/// Reads the dashboard.
pub fn read(conn: &mut PgConnection) -> Result<Dashboard> {
    let rows: Vec<Row> = diesel::sql_query(DASHBOARD_SQL).load(conn)?;
    let as_of = rows.first().map_or_else(Utc::now, |r| r.as_of);
    let mut queues = Vec::new();
    for jurisdiction in [Jurisdiction::Ae, Jurisdiction::In, Jurisdiction::Us] {
        for status in [CheckStatus::Pending, CheckStatus::Escalated] {
            queues.push(QueueWait {
                jurisdiction,
                status,
                cases: 0,
                oldest: None,
                target_hours: None,
                overdue: 0,
            });
        }
    }
    let mut dashboard = Dashboard {
        as_of,
        open: Vec::new(),
        queues,
        decided_today: Vec::new(),
    };
    for row in rows {
        let key = format!(
            "{}/{}/{}/{}",
            row.section, row.jurisdiction, row.status, row.detail
        );
        let jurisdiction: Jurisdiction = text(SOURCE, &key, &row.jurisdiction)?;
        let status: CheckStatus = text(SOURCE, &key, &row.status)?;
        let cases = row.cases.unwrap_or(0);
        let queue = dashboard
            .queues
            .iter_mut()
            .find(|q| q.jurisdiction == jurisdiction && q.status == status);
        match (row.section.as_str(), queue) {
            ("open", Some(queue)) => {
                queue.cases += cases;
                dashboard.open.push(OpenCount {
                    jurisdiction,
                    status,
                    risk_level: text(SOURCE, &key, &row.detail)?,
                    cases,
                });
            }
            ("overdue", Some(queue)) => {
                queue.target_hours = row.target_hours;
                queue.overdue = cases;
            }
            ("oldest", Some(queue)) => {
                queue.oldest = row.case_id.zip(row.since);
            }
            ("decided", _) => dashboard.decided_today.push(DecidedCount {
                jurisdiction,
                status,
                by_reviewer: row.detail == "reviewer",
                cases,
            }),
            _ => return Err(PersistenceError::invalid(SOURCE, key, "unexpected row")),
        }
    }
    dashboard
        .open
        .sort_by_key(|o| (o.jurisdiction, o.status, o.risk_level));
    dashboard
        .decided_today
        .sort_by_key(|d| (d.jurisdiction, d.status, !d.by_reviewer));
    Ok(dashboard)
}
