//! The report views: the review queue, the high-risk entities, the summary counts (the
//! periodic reviews due are in `reviews_due.rs`).
//!
//! Must not: write. Views are reports; every change goes through the tables' repositories.

use super::literal_limit::paged;
use super::queue_order::{AfterInQueue, QueueOrder};
use crate::convert::{domain, json, text, text_opt};
use crate::views::{compliance_summary, high_risk_entities, pending_approvals};
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{
    CheckStatus, EntityId, EntityType, Jurisdiction, RiskLevel, RiskScore, UserId, WatchlistMatch,
};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use uuid::Uuid;

#[derive(Queryable, Selectable)]
#[diesel(table_name = pending_approvals, check_for_backend(Pg))]
struct PendingRow {
    compliance_check_id: Uuid,
    entity_id: String,
    entity_type: String,
    jurisdiction: String,
    status: String,
    risk_score: i16,
    risk_level: String,
    sanctions_match: bool,
    pep_match: bool,
    approval_proposed_by: Option<Uuid>,
    revision: i32,
    created_at: DateTime<Utc>,
    engine_status: String,
    engine_stricter: bool,
    assigned_to: Option<Uuid>,
    status_since: DateTime<Utc>,
    due_at: Option<DateTime<Utc>>,
    overdue: bool,
}

/// A case in the review queue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PendingApproval {
    /// The case.
    pub compliance_check_id: Uuid,
    /// The entity.
    pub entity_id: EntityId,
    /// Its type.
    pub entity_type: EntityType,
    /// Its jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// PENDING or ESCALATED, or any status when [`PendingApproval::engine_stricter`].
    pub status: CheckStatus,
    /// The engine's latest verdict.
    pub engine_status: CheckStatus,
    /// True when that verdict is stricter than the status and no reviewer has decided since it
    /// was reached (a re-screening's sanctions match on an escalated case, say).
    pub engine_stricter: bool,
    /// The current screening's risk score.
    pub risk_score: RiskScore,
    /// Its level.
    pub risk_level: RiskLevel,
    /// A sanctions match.
    pub sanctions_match: bool,
    /// A PEP match.
    pub pep_match: bool,
    /// Who proposed approving it, if anyone (four eyes: someone else confirms).
    pub approval_proposed_by: Option<UserId>,
    /// The revision to quote when deciding it.
    pub revision: i32,
    /// When the case was opened.
    pub created_at: DateTime<Utc>,
    /// Who works it, if anyone.
    pub assigned_to: Option<UserId>,
    /// Since when it has had its status (its wait is counted from here).
    pub status_since: DateTime<Utc>,
    /// When its wait reaches the service level in force for its jurisdiction and status
    /// (`service_levels`); `None` when none applies.
    pub due_at: Option<DateTime<Utc>>,
    /// True when that moment has passed (by the database's clock, as of the read).
    pub overdue: bool,
}

const QUEUE: &str = "pending_approvals";

impl TryFrom<PendingRow> for PendingApproval {
    type Error = PersistenceError;
    fn try_from(row: PendingRow) -> Result<Self> {
        let id = row.compliance_check_id;
        Ok(Self {
            compliance_check_id: id,
            entity_id: domain(QUEUE, id, EntityId::parse(&row.entity_id))?,
            entity_type: text(QUEUE, id, &row.entity_type)?,
            jurisdiction: text(QUEUE, id, &row.jurisdiction)?,
            status: text(QUEUE, id, &row.status)?,
            engine_status: text(QUEUE, id, &row.engine_status)?,
            engine_stricter: row.engine_stricter,
            risk_score: domain(QUEUE, id, RiskScore::new(row.risk_score))?,
            risk_level: text(QUEUE, id, &row.risk_level)?,
            sanctions_match: row.sanctions_match,
            pep_match: row.pep_match,
            approval_proposed_by: row.approval_proposed_by.map(UserId::from_uuid),
            revision: row.revision,
            created_at: row.created_at,
            assigned_to: row.assigned_to.map(UserId::from_uuid),
            status_since: row.status_since,
            due_at: row.due_at,
            overdue: row.overdue,
        })
    }
}

/// The review queue, riskiest first (flagged cases before others of the same score), then
/// oldest, optionally of one jurisdiction and status.
pub fn pending_approvals(
    conn: &mut PgConnection,
    jurisdiction: Option<Jurisdiction>,
    status: Option<CheckStatus>,
    limit: i64,
) -> Result<Vec<PendingApproval>> {
    let filter = QueueFilter {
        jurisdiction,
        status,
        ..QueueFilter::default()
    };
    pending_approvals_page(conn, &filter, None, limit)
}

/// Narrows a page of the review queue; every field set narrows it further.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueFilter {
    /// Only this jurisdiction.
    pub jurisdiction: Option<Jurisdiction>,
    /// Only this status.
    pub status: Option<CheckStatus>,
    /// Only this risk level.
    pub risk_level: Option<RiskLevel>,
    /// Only the cases of this assignee, or only the unassigned ones.
    pub assignee: Option<AssigneeFilter>,
    /// Only the cases past their service level.
    pub overdue: bool,
}

/// Whose cases a page of the queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// The cases nobody works.
    Unassigned,
    /// The cases this user works.
    User(UserId),
}

/// Where a page of the queue resumes: the sort key of the last case of the previous page, in
/// the queue's order (risk score descending, flagged first, oldest first, then id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueCursor {
    /// The last case's risk score.
    pub risk_score: RiskScore,
    /// Whether it was flagged (`engine_stricter`).
    pub engine_stricter: bool,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// Its id.
    pub id: Uuid,
}

impl From<&PendingApproval> for QueueCursor {
    fn from(item: &PendingApproval) -> Self {
        Self {
            risk_score: item.risk_score,
            engine_stricter: item.engine_stricter,
            created_at: item.created_at,
            id: item.compliance_check_id,
        }
    }
}

/// Keeps the statements of the current transaction on generic plans (`SET LOCAL
/// plan_cache_mode = force_generic_plan`), for a page of the queue read in a snapshot. The
/// queue's view joins five tables and a service-level table under partial indexes: planning it
/// cost 1 to 10 ms where running it cost 0.2 to 0.6 ms (4,434 cases), and the plan cache kept
/// planning a filtered page again on every run, its custom plans looking cheaper than the
/// generic one, which is the same plan on the same index. The overdue page too: its first
/// step (`overdue_page`) is written for a generic plan.
/// Must run inside a transaction (a `SET LOCAL` outside one changes nothing); the setting ends
/// with it.
pub fn plan_generically(conn: &mut PgConnection) -> Result<()> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute("SET LOCAL plan_cache_mode = force_generic_plan")?;
    Ok(())
}

/// One page of the review queue (keyset pagination): at most `limit` cases (1 to 10,000) after
/// `after`, in the queue's order, narrowed by `filter`. A page that resumes from a cursor never
/// repeats or skips a case that stayed in the queue, however many cases arrive meanwhile.
pub fn pending_approvals_page(
    conn: &mut PgConnection,
    filter: &QueueFilter,
    after: Option<&QueueCursor>,
    limit: i64,
) -> Result<Vec<PendingApproval>> {
    use pending_approvals::dsl as v;
    let mut query = pending_approvals::table
        .select(PendingRow::as_select())
        .into_boxed();
    // Where the page resumes, as the queue's sort key (every part ascending).
    let resume = after.map(|c| AfterInQueue {
        negated_score: -i16::from(c.risk_score.value()),
        unflagged: !c.engine_stricter,
        created_at: c.created_at,
        id: c.id,
    });
    // A jurisdiction, a status, or both are equalities on the first column(s) of
    // idx_compliance_checks_queue_jurisdiction, _status or _jurisdiction_status (migrations
    // 2026-05-12-000000_queue_filter_indexes, 2026-12-10-170000_queue_by_status), whose rest is
    // the queue's order.
    if let Some(jurisdiction) = filter.jurisdiction {
        query = query.filter(v::jurisdiction.eq(<&str>::from(jurisdiction)));
    }
    if let Some(status) = filter.status {
        query = query.filter(v::status.eq(<&str>::from(status)));
    }
    if let Some(level) = filter.risk_level {
        query = query.filter(v::risk_level.eq(<&str>::from(level)));
    }
    // Either is an equality on the first column of idx_compliance_checks_queue_assignee
    // (migration 2026-12-09-100000_case_assignment), whose rest is the queue's order.
    match filter.assignee {
        Some(AssigneeFilter::Unassigned) => query = query.filter(v::assigned_to.is_null()),
        Some(AssigneeFilter::User(user)) => {
            query = query.filter(v::assigned_to.eq(user.as_uuid()));
        }
        None => {}
    }
    if filter.overdue {
        // The page's cases are found first, by their ids (`overdue_page`: one index range per
        // service level in force, on a plan kept for the connection); the view then gives their
        // rows, and has the last word on which are in the queue and overdue.
        let ids = super::overdue_page::page_ids(
            conn,
            super::overdue_page::OverdueIds {
                jurisdiction: filter.jurisdiction.map(<&'static str>::from),
                status: filter.status.map(<&'static str>::from),
                risk_level: filter.risk_level.map(<&'static str>::from),
                unassigned: filter.assignee == Some(AssigneeFilter::Unassigned),
                assignee: match filter.assignee {
                    Some(AssigneeFilter::User(user)) => Some(user.as_uuid()),
                    _ => None,
                },
                after_score: resume.map(|k| k.negated_score),
                after_unflagged: resume.map(|k| k.unflagged),
                after_created_at: resume.map(|k| k.created_at),
                after_id: resume.map(|k| k.id),
                limit,
            },
        )?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        query = query
            .filter(v::overdue)
            .filter(v::compliance_check_id.eq_any(ids));
    }
    if let Some(resume) = resume {
        // The queue's order as one ascending row, so that a page resumes with one row
        // comparison the index `idx_compliance_checks_queue` answers (migration
        // 2026-05-05-000000_review_queue_index).
        query = query.filter(resume);
    }
    paged(query.order(QueueOrder), limit)
        .load_page::<PendingRow>(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = high_risk_entities, check_for_backend(Pg))]
struct HighRiskRow {
    compliance_check_id: Uuid,
    entity_id: String,
    entity_type: String,
    jurisdiction: String,
    status: String,
    risk_score: i16,
    risk_level: String,
    sanctions_match: bool,
    pep_match: bool,
    matched_entries: serde_json::Value,
    screened_at: DateTime<Utc>,
}

/// An entity whose current screening is HIGH or CRITICAL, or matched a sanctions or PEP list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HighRiskEntity {
    /// The case.
    pub compliance_check_id: Uuid,
    /// The entity.
    pub entity_id: EntityId,
    /// Its type.
    pub entity_type: EntityType,
    /// Its jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The case's status.
    pub status: CheckStatus,
    /// The risk score.
    pub risk_score: RiskScore,
    /// Its level.
    pub risk_level: RiskLevel,
    /// A sanctions match.
    pub sanctions_match: bool,
    /// A PEP match.
    pub pep_match: bool,
    /// The entries matched.
    pub matches: Vec<WatchlistMatch>,
    /// When screened.
    pub screened_at: DateTime<Utc>,
}

const HIGH_RISK: &str = "high_risk_entities";

impl TryFrom<HighRiskRow> for HighRiskEntity {
    type Error = PersistenceError;
    fn try_from(row: HighRiskRow) -> Result<Self> {
        let id = row.compliance_check_id;
        Ok(Self {
            compliance_check_id: id,
            entity_id: domain(HIGH_RISK, id, EntityId::parse(&row.entity_id))?,
            entity_type: text(HIGH_RISK, id, &row.entity_type)?,
            jurisdiction: text(HIGH_RISK, id, &row.jurisdiction)?,
            status: text(HIGH_RISK, id, &row.status)?,
            risk_score: domain(HIGH_RISK, id, RiskScore::new(row.risk_score))?,
            risk_level: text(HIGH_RISK, id, &row.risk_level)?,
            sanctions_match: row.sanctions_match,
            pep_match: row.pep_match,
            matches: json(HIGH_RISK, id, "matched_entries", &row.matched_entries)?,
            screened_at: row.screened_at,
        })
    }
}

/// High-risk entities, riskiest first, optionally of one jurisdiction.
pub fn high_risk_entities(
    conn: &mut PgConnection,
    jurisdiction: Option<Jurisdiction>,
    limit: i64,
) -> Result<Vec<HighRiskEntity>> {
    let mut query = high_risk_entities::table
        .select(HighRiskRow::as_select())
        .into_boxed();
    if let Some(jurisdiction) = jurisdiction {
        query = query.filter(high_risk_entities::jurisdiction.eq(<&str>::from(jurisdiction)));
    }
    let query = query.order((
        high_risk_entities::risk_score.desc(),
        high_risk_entities::entity_id.asc(),
    ));
    paged(query, limit)
        .load_page::<HighRiskRow>(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = compliance_summary, check_for_backend(Pg))]
struct SummaryRow {
    jurisdiction: String,
    status: String,
    risk_level: String,
    checks: i64,
    last_updated_at: Option<DateTime<Utc>>,
}

/// How many cases have a jurisdiction, status and risk level.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SummaryLine {
    /// The jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The status.
    pub status: CheckStatus,
    /// The risk level.
    pub risk_level: RiskLevel,
    /// The number of cases.
    pub checks: i64,
    /// The latest change among them.
    pub last_updated_at: Option<DateTime<Utc>>,
}

/// The summary, by jurisdiction, status and risk level.
pub fn compliance_summary(conn: &mut PgConnection) -> Result<Vec<SummaryLine>> {
    let rows: Vec<SummaryRow> = compliance_summary::table
        .select(SummaryRow::as_select())
        .load(conn)?;
    let mut lines = rows
        .into_iter()
        .map(|row| {
            let key = format!("{}/{}/{}", row.jurisdiction, row.status, row.risk_level);
            Ok(SummaryLine {
                jurisdiction: text("compliance_summary", &key, &row.jurisdiction)?,
                status: text("compliance_summary", &key, &row.status)?,
                risk_level: text_opt("compliance_summary", &key, Some(&row.risk_level))?
                    .ok_or_else(|| {
                        PersistenceError::invalid("compliance_summary", &key, "no risk level")
                    })?,
                checks: row.checks,
                last_updated_at: row.last_updated_at,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    lines.sort_by_key(|l| (l.jurisdiction, l.status, l.risk_level));
    Ok(lines)
}
