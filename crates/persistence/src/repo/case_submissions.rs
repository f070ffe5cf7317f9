//! `case_submissions`: every case of an entity, numbered 1, 2, ... over its life, with the
//! caller's idempotency key. The entity's current case is its highest number.
//!
//! Must not: update or delete (the table is append-only). Two submissions racing for the same
//! entity collide on `(entity_id, sequence)`: the loser gets [`PersistenceError::Transient`] and
//! nothing of it is written; retried, it sees the winner.

use crate::schema::case_submissions;
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{EntityId, UserId};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use uuid::Uuid;

/// A row of `case_submissions`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_submissions, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct CaseSubmission {
    pub compliance_check_id: Uuid,
    pub kyc_check_id: Uuid,
    pub entity_id: String,
    pub sequence: i32,
    pub idempotency_key: Option<String>,
    pub submitted_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A new submission.
#[derive(Debug, Clone, Copy)]
pub struct NewSubmission<'a> {
    /// The new case.
    pub compliance_check_id: Uuid,
    /// Its KYC check.
    pub kyc_check_id: Uuid,
    /// The entity.
    pub entity_id: &'a EntityId,
    /// Its number among the entity's cases (the current one's plus one, or 1).
    pub sequence: i32,
    /// The caller's idempotency key, if any.
    pub idempotency_key: Option<&'a str>,
    /// Who submitted it.
    pub submitted_by: UserId,
}

#[derive(Insertable)]
#[diesel(table_name = case_submissions)]
struct NewRow<'a> {
    compliance_check_id: Uuid,
    kyc_check_id: Uuid,
    entity_id: &'a str,
    sequence: i32,
    idempotency_key: Option<&'a str>,
    submitted_by: Uuid,
}

/// Records a new case of an entity. A number already taken (a concurrent submission for the
/// same entity) or a key already used is [`PersistenceError::Transient`]: retrying the whole
/// submission reads what the other one stored. A new case while the current one is open is
/// refused by the database (`case_submissions_open_case`).
pub fn insert(conn: &mut PgConnection, new: &NewSubmission<'_>) -> Result<CaseSubmission> {
    diesel::insert_into(case_submissions::table)
        .values(&NewRow {
            compliance_check_id: new.compliance_check_id,
            kyc_check_id: new.kyc_check_id,
            entity_id: new.entity_id.as_str(),
            sequence: new.sequence,
            idempotency_key: new.idempotency_key,
            submitted_by: new.submitted_by.as_uuid(),
        })
        .returning(CaseSubmission::as_returning())
        .get_result(conn)
        .map_err(|e| match PersistenceError::from(e) {
            PersistenceError::Conflict { key, .. } if key.starts_with("uq_case_submissions") => {
                race(&key, new.entity_id, new.sequence)
            }
            other => other,
        })
}

/// The error of a submission that collided on `key` (a unique key of this table) with another:
/// the other committed first, and the retry reads it and answers with it, or with the open case
/// it opened.
pub(crate) fn race(key: &str, entity_id: &EntityId, sequence: i32) -> PersistenceError {
    PersistenceError::Transient {
        reason: if key == "uq_case_submissions_idempotency_key" {
            "a concurrent submission used the same idempotency key".into()
        } else {
            format!("a concurrent submission for entity {entity_id} took case number {sequence}")
        },
    }
}

/// The entity's current case (its latest), if it has any.
pub fn current(conn: &mut PgConnection, entity_id: &EntityId) -> Result<Option<CaseSubmission>> {
    Ok(case_submissions::table
        .filter(case_submissions::entity_id.eq(entity_id.as_str()))
        .order(case_submissions::sequence.desc())
        .select(CaseSubmission::as_select())
        .first(conn)
        .optional()?)
}

/// Every case of the entity, first to current.
pub fn history(conn: &mut PgConnection, entity_id: &EntityId) -> Result<Vec<CaseSubmission>> {
    Ok(case_submissions::table
        .filter(case_submissions::entity_id.eq(entity_id.as_str()))
        .order(case_submissions::sequence.asc())
        .select(CaseSubmission::as_select())
        .load(conn)?)
}

/// The submission made with this idempotency key.
pub fn by_idempotency_key(conn: &mut PgConnection, key: &str) -> Result<Option<CaseSubmission>> {
    Ok(case_submissions::table
        .filter(case_submissions::idempotency_key.eq(key))
        .select(CaseSubmission::as_select())
        .first(conn)
        .optional()?)
}

/// The submission of a case.
pub fn of_case(conn: &mut PgConnection, compliance_check_id: Uuid) -> Result<CaseSubmission> {
    let row = case_submissions::table
        .find(compliance_check_id)
        .select(CaseSubmission::as_select())
        .first(conn)
        .optional()?;
    crate::error::found(row, "case submission", compliance_check_id)
}
