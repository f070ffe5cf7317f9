//! `screening_flag_reviews`: a compliance officer's or admin's review of a delisting flag (an
//! entry the case's screening matched left its list), with their conclusion as a review note and
//! a `delisting_reviewed` audit entry on the case, in one transaction. A flag is reviewed once.
//!
//! Must not: change the case. A review says the flag was looked at; deciding the case again is
//! a review of the case, through its own steps.

use crate::repo::audit_logs;
use crate::repo::review_notes;
use crate::schema::screening_flag_reviews;
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{AuditAction, AuditEvent, EntityId, ReviewReason, SubjectKind, UserId};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use uuid::Uuid;

/// A review of a flag, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = screening_flag_reviews, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct FlagReviewRow {
    pub job_id: Uuid,
    pub entity_id: String,
    pub entry_ref: String,
    pub compliance_check_id: Uuid,
    pub reviewed_by: Uuid,
    pub reviewed_at: DateTime<Utc>,
    pub note_id: Uuid,
}

/// Which flag: its job, entity and entry.
#[derive(Debug, Clone, Copy)]
pub struct FlagKey<'a> {
    /// The monitoring job that raised it.
    pub job: Uuid,
    /// The entity.
    pub entity: &'a EntityId,
    /// The entry that left the list.
    pub entry: &'a str,
}

/// Records `reviewer`'s review of the flag `key` on case `case` with `conclusion`, audited, in
/// one transaction. A flag reviewed already is a conflict on `screening_flag_reviews_pkey`.
pub fn review(
    conn: &mut PgConnection,
    key: FlagKey<'_>,
    case: Uuid,
    reviewer: UserId,
    conclusion: &ReviewReason,
) -> Result<FlagReviewRow> {
    crate::convert::atomic(conn, |conn| {
        let note = review_notes::insert(conn, key.entity, reviewer, conclusion)?;
        let row: FlagReviewRow = diesel::insert_into(screening_flag_reviews::table)
            .values((
                screening_flag_reviews::job_id.eq(key.job),
                screening_flag_reviews::entity_id.eq(key.entity.as_str()),
                screening_flag_reviews::entry_ref.eq(key.entry),
                screening_flag_reviews::compliance_check_id.eq(case),
                screening_flag_reviews::reviewed_by.eq(reviewer.as_uuid()),
                screening_flag_reviews::note_id.eq(note.id),
            ))
            .returning(FlagReviewRow::as_returning())
            .get_result(conn)?;
        let mut details = note.details("note");
        details.insert("job_id".into(), key.job.to_string().into());
        details.insert("entry".into(), key.entry.into());
        let event = AuditEvent::new(
            reviewer,
            AuditAction::DelistingReviewed,
            SubjectKind::ComplianceCheck,
            case,
        )
        .map(|e| e.with_entity(key.entity.clone()))
        .and_then(|e| e.with_details(details.into()))
        .map_err(|e| PersistenceError::invalid("screening_flag_reviews", case, e))?;
        audit_logs::append(conn, &event)?;
        Ok(row)
    })
}

/// The reviews of a job's flags.
pub fn for_job(conn: &mut PgConnection, job: Uuid) -> Result<Vec<FlagReviewRow>> {
    Ok(screening_flag_reviews::table
        .filter(screening_flag_reviews::job_id.eq(job))
        .select(FlagReviewRow::as_select())
        .load(conn)?)
}

/// The review of one flag, if it was reviewed.
pub fn find(conn: &mut PgConnection, key: FlagKey<'_>) -> Result<Option<FlagReviewRow>> {
    Ok(screening_flag_reviews::table
        .find((key.job, key.entity.as_str(), key.entry))
        .select(FlagReviewRow::as_select())
        .first(conn)
        .optional()?)
}
