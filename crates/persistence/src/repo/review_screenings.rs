//! `review_screenings`: ongoing monitoring's periodic reviews. A case whose periodic review has
//! fallen due (the `reviews_due` view) is screened once per due date: its entity's current
//! subject against every list's current version, the case re-screened when that changes it.
//! Each such screening is one row here with its `review_screened` audit entry (the database
//! refuses the row without the entry, at commit).
//!
//! Must not: write a subject's content (a row names the subject revision, never its names).

use crate::repo::audit_logs;
use crate::repo::screening_jobs::Member;
use crate::schema::review_screenings;
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{AuditAction, AuditEvent, EntityId, SubjectKind, UserId};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamptz};
use uuid::Uuid;

const TABLE: &str = "review_screenings";

/// A case whose periodic review has fallen due and whose entity's current subject has not been
/// screened for it yet.
#[derive(Debug, Clone, QueryableByName)]
pub struct DueReview {
    /// The entity and its current subject revision.
    #[diesel(embed)]
    pub member: Member,
    /// The case.
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub case_id: Uuid,
    /// When its review fell due.
    #[diesel(sql_type = Timestamptz)]
    pub review_due_at: DateTime<Utc>,
    /// Its jurisdiction (whose bands judge the screening).
    #[diesel(sql_type = Text)]
    pub jurisdiction: String,
}

/// The next `limit` due reviews not screened yet, the longest due first: the approved current
/// cases of the `reviews_due` view whose entity has a current, non-erased subject and no
/// review screening for that due date.
pub fn due(conn: &mut PgConnection, limit: i64) -> Result<Vec<DueReview>> {
    Ok(diesel::sql_query(
        "SELECT s.entity_id, s.id AS subject_id, s.subject, encode(s.commitment, 'hex') AS commitment,
                d.compliance_check_id AS case_id, d.review_due_at, d.jurisdiction
           FROM reviews_due d
           JOIN screening_subjects s ON s.entity_id = d.entity_id AND s.subject IS NOT NULL
          WHERE NOT EXISTS (SELECT 1 FROM screening_subjects n
                             WHERE n.entity_id = s.entity_id AND n.revision > s.revision)
            AND NOT EXISTS (SELECT 1 FROM review_screenings r
                             WHERE r.compliance_check_id = d.compliance_check_id
                               AND r.review_due_at = d.review_due_at)
          ORDER BY d.review_due_at, d.compliance_check_id
          LIMIT $1",
    )
    .bind::<BigInt, _>(limit)
    .load(conn)?)
}

/// Whether `case`'s review that fell due at `due_at` is still due and not screened (read again
/// once the case is locked: another monitor may have screened it, or the case moved on).
pub fn still_due(conn: &mut PgConnection, case: Uuid, due_at: DateTime<Utc>) -> Result<bool> {
    #[derive(QueryableByName)]
    struct Due {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        due: bool,
    }
    let row: Due = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM reviews_due d
                         WHERE d.compliance_check_id = $1 AND d.review_due_at = $2)
            AND NOT EXISTS (SELECT 1 FROM review_screenings r
                             WHERE r.compliance_check_id = $1 AND r.review_due_at = $2) AS due",
    )
    .bind::<diesel::sql_types::Uuid, _>(case)
    .bind::<Timestamptz, _>(due_at)
    .get_result(conn)?;
    Ok(row.due)
}

/// What a review screening did to its case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewOutcome {
    /// The screening left the case as it was: nothing but this record was written.
    Unchanged,
    /// The case was re-screened (its own audit entry and event say how).
    Rescreened,
}

impl ReviewOutcome {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unchanged => "unchanged",
            Self::Rescreened => "rescreened",
        }
    }
}

/// Records that `due`'s subject was screened against `versions` for its review, with
/// `outcome`, by `agent` (the system agent), with its `review_screened` audit entry, in the
/// caller's transaction. A second screening of the same case and due date is a conflict.
pub fn record(
    conn: &mut PgConnection,
    due: &DueReview,
    entity: &EntityId,
    versions: &[Uuid],
    outcome: ReviewOutcome,
    agent: UserId,
) -> Result<()> {
    diesel::insert_into(review_screenings::table)
        .values((
            review_screenings::compliance_check_id.eq(due.case_id),
            review_screenings::review_due_at.eq(due.review_due_at),
            review_screenings::entity_id.eq(entity.as_str()),
            review_screenings::subject_id.eq(due.member.subject_id),
            review_screenings::version_ids.eq(versions),
            review_screenings::outcome.eq(outcome.as_str()),
            review_screenings::agent_id.eq(agent.as_uuid()),
        ))
        .execute(conn)?;
    let event = AuditEvent::new(
        agent,
        AuditAction::ReviewScreened,
        SubjectKind::ComplianceCheck,
        due.case_id,
    )
    .map_err(|e| PersistenceError::invalid(TABLE, due.case_id, e))?
    .with_entity(entity.clone())
    .with_details(serde_json::json!({
        "review_due_at": due.review_due_at,
        "subject_id": due.member.subject_id,
        "version_ids": versions,
        "outcome": outcome.as_str(),
    }))
    .map_err(|e| PersistenceError::invalid(TABLE, due.case_id, e))?;
    audit_logs::append(conn, &event)?;
    Ok(())
}

/// A review screening, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = review_screenings, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct ReviewScreeningRow {
    pub compliance_check_id: Uuid,
    pub review_due_at: DateTime<Utc>,
    pub entity_id: String,
    pub subject_id: Uuid,
    pub version_ids: Vec<Option<Uuid>>,
    pub outcome: String,
    pub agent_id: Uuid,
    pub screened_at: DateTime<Utc>,
}

/// An entity's review screenings, the latest first.
pub fn for_entity(conn: &mut PgConnection, entity: &EntityId) -> Result<Vec<ReviewScreeningRow>> {
    Ok(review_screenings::table
        .filter(review_screenings::entity_id.eq(entity.as_str()))
        .order(review_screenings::screened_at.desc())
        .select(ReviewScreeningRow::as_select())
        .load(conn)?)
}
