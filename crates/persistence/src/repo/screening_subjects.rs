//! `screening_subjects`: what screening needs about an entity, one row per revision, kept out
//! of the hash chain (the chain records each revision's id and its commitment: SHA-256 over a
//! salt and the subject, both drawn and computed by the database). Erasing a revision removes the
//! subject and its salt, once the record-keeping period has lapsed (`subject_retained_until()`),
//! with the explanations of the screenings that used it.
//!
//! Must not: write a subject's content anywhere else (audit details, logs, errors).

use crate::repo::audit_chain::hex;
use crate::repo::audit_logs;
use crate::schema::{screening_explanations, screening_subjects};
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::input::SubjectInput;
use compliance_domain::{AuditAction, AuditEvent, EntityId, Subject, SubjectKind, UserId};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use uuid::Uuid;

const TABLE: &str = "screening_subjects";

/// A row of `screening_subjects`, as stored.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = screening_subjects, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct SubjectRow {
    pub id: Uuid,
    pub entity_id: String,
    pub revision: i32,
    pub subject: Option<serde_json::Value>,
    pub salt: Option<Vec<u8>>,
    pub commitment: Vec<u8>,
    pub recorded_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub erased_at: Option<DateTime<Utc>>,
    pub erased_by: Option<Uuid>,
}

/// A stored subject revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSubject {
    /// Its id.
    pub id: Uuid,
    /// The entity.
    pub entity_id: EntityId,
    /// Its revision, from 1.
    pub revision: i32,
    /// The subject; `None` once erased.
    pub subject: Option<Subject>,
    /// SHA-256 over the salt and the subject, hex (what the chain records).
    pub commitment: String,
    /// Who recorded it.
    pub recorded_by: UserId,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it was erased.
    pub erased_at: Option<DateTime<Utc>>,
}

impl TryFrom<SubjectRow> for StoredSubject {
    type Error = PersistenceError;
    fn try_from(row: SubjectRow) -> Result<Self> {
        let invalid = |e: &dyn std::fmt::Display| PersistenceError::invalid(TABLE, row.id, e);
        let subject = match row.subject {
            None => None,
            Some(json) => {
                let input: SubjectInput = serde_json::from_value(json).map_err(|e| invalid(&e))?;
                Some(input.parse().map_err(|e| invalid(&e))?)
            }
        };
        Ok(Self {
            entity_id: EntityId::parse(&row.entity_id).map_err(|e| invalid(&e))?,
            subject,
            commitment: hex(&row.commitment),
            recorded_by: UserId::from_uuid(row.recorded_by),
            id: row.id,
            revision: row.revision,
            created_at: row.created_at,
            erased_at: row.erased_at,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = screening_subjects)]
struct NewSubjectRow<'a> {
    entity_id: &'a str,
    revision: i32,
    // No salt or commitment: the guard draws the one and computes the other.
    subject: serde_json::Value,
    recorded_by: Uuid,
}

/// The entity's latest revision, erased or not.
pub fn current(conn: &mut PgConnection, entity: &EntityId) -> Result<Option<StoredSubject>> {
    screening_subjects::table
        .filter(screening_subjects::entity_id.eq(entity.as_str()))
        .order(screening_subjects::revision.desc())
        .select(SubjectRow::as_select())
        .first(conn)
        .optional()?
        .map(TryInto::try_into)
        .transpose()
}

/// The revision with this id.
pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<StoredSubject> {
    let row = screening_subjects::table
        .find(id)
        .select(SubjectRow::as_select())
        .first(conn)
        .optional()?;
    crate::error::found(row, "screening subject", id)?.try_into()
}

/// The entity's current subject when it is `subject`, or a new revision of it (audited, with
/// its commitment): a subject submitted again unchanged is not a new revision.
pub fn record(
    conn: &mut PgConnection,
    entity: &EntityId,
    subject: &Subject,
    by: UserId,
) -> Result<StoredSubject> {
    let current = current(conn, entity)?;
    if let Some(current) = &current
        && current.subject.as_ref() == Some(subject)
    {
        return Ok(current.clone());
    }
    let json = serde_json::to_value(subject)
        .map_err(|e| PersistenceError::invalid(TABLE, entity.as_str(), e))?;
    let row: SubjectRow = diesel::insert_into(screening_subjects::table)
        .values(&NewSubjectRow {
            entity_id: entity.as_str(),
            revision: current.map_or(1, |c| c.revision + 1),
            subject: json,
            recorded_by: by.as_uuid(),
        })
        .returning(SubjectRow::as_returning())
        .get_result(conn)?;
    let stored: StoredSubject = row.try_into()?;
    audit(conn, by, AuditAction::SubjectRecorded, &stored)?;
    Ok(stored)
}

/// Erases every revision of the entity's subject, and the explanations of the screenings that
/// used them, by `by` (an admin or compliance officer); the database refuses it while the
/// records must be kept. Returns the revisions erased.
pub fn erase(conn: &mut PgConnection, entity: &EntityId, by: UserId) -> Result<Vec<StoredSubject>> {
    let rows: Vec<SubjectRow> = diesel::update(
        screening_subjects::table
            .filter(screening_subjects::entity_id.eq(entity.as_str()))
            .filter(screening_subjects::subject.is_not_null()),
    )
    .set((
        screening_subjects::subject.eq(None::<serde_json::Value>),
        screening_subjects::salt.eq(None::<Vec<u8>>),
        screening_subjects::erased_by.eq(Some(by.as_uuid())),
    ))
    .returning(SubjectRow::as_returning())
    .get_results(conn)?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    diesel::update(
        screening_explanations::table
            .filter(screening_explanations::subject_id.eq_any(&ids))
            .filter(screening_explanations::explanation.is_not_null()),
    )
    .set(screening_explanations::explanation.eq(None::<serde_json::Value>))
    .execute(conn)?;
    let erased: Vec<StoredSubject> = rows
        .into_iter()
        .map(TryInto::try_into)
        .collect::<Result<_>>()?;
    for revision in &erased {
        audit(conn, by, AuditAction::SubjectErased, revision)?;
    }
    Ok(erased)
}

/// When the entity's records may be erased, and under which jurisdiction's rule.
pub fn retained_until(conn: &mut PgConnection, entity: &EntityId) -> Result<Retention> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
        until: Option<DateTime<Utc>>,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        jurisdiction: Option<String>,
    }
    let row: Row = diesel::sql_query(
        "SELECT subject_retained_until($1) AS until,
                (SELECT cc.jurisdiction FROM case_submissions s
                   JOIN compliance_checks cc ON cc.id = s.compliance_check_id
                  WHERE s.entity_id = $1 ORDER BY s.sequence DESC LIMIT 1) AS jurisdiction",
    )
    .bind::<diesel::sql_types::Text, _>(entity.as_str())
    .get_result(conn)?;
    let jurisdiction = row
        .jurisdiction
        .map(|j| {
            j.parse()
                .map_err(|e| PersistenceError::invalid("compliance_checks", entity.as_str(), e))
        })
        .transpose()?;
    Ok(Retention {
        until: row.until,
        jurisdiction,
    })
}

/// How long an entity's records are kept, as the database computes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// `Some(instant)` five years after a rejection (the distant past for an entity without a
    /// case); `None` while a relationship is open or approved.
    pub until: Option<DateTime<Utc>>,
    /// The jurisdiction of the entity's current case, if it has one.
    pub jurisdiction: Option<compliance_domain::Jurisdiction>,
}

fn audit(
    conn: &mut PgConnection,
    actor: UserId,
    action: AuditAction,
    subject: &StoredSubject,
) -> Result<()> {
    let details = serde_json::json!({
        "subject_id": subject.id, "revision": subject.revision,
        "subject_commitment": subject.commitment,
    });
    let event = AuditEvent::new(actor, action, SubjectKind::ScreeningSubject, subject.id)
        .map(|e| e.with_entity(subject.entity_id.clone()))
        .and_then(|e| e.with_details(details))
        .map_err(|e| PersistenceError::invalid(TABLE, subject.id, e))?;
    audit_logs::append(conn, &event)?;
    Ok(())
}
