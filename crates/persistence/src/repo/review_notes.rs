//! `review_notes`: a reviewer's words, kept out of the hash chain. The chain records a note's id
//! and its commitment (SHA-256 over a random salt and the text, both drawn and computed by the
//! database); erasing a note removes the text and the salt and leaves every chained hash intact.
//!
//! Must not: write a note's text anywhere else (audit details, logs, errors). Callers write the
//! note in the transaction of the decision it explains.

use crate::repo::audit_chain::hex;
use crate::repo::audit_logs;
use crate::schema::review_notes;
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{AuditAction, AuditEvent, EntityId, ReviewReason, SubjectKind, UserId};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use uuid::Uuid;

/// A row of `review_notes`, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = review_notes, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct ReviewNoteRow {
    pub id: Uuid,
    pub entity_id: String,
    pub author_id: Uuid,
    pub body: Option<String>,
    pub salt: Option<Vec<u8>>,
    pub commitment: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub erased_at: Option<DateTime<Utc>>,
    pub erased_by: Option<Uuid>,
    pub compliance_check_id: Option<Uuid>,
}

/// A note as the chain refers to it: its id and commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteRef {
    /// The note's id.
    pub id: Uuid,
    /// SHA-256 over the salt and the text, hex.
    pub commitment: String,
}

impl NoteRef {
    /// The two fields an audit entry records for a note, under `name` and `name_commitment`.
    pub fn details(&self, name: &str) -> serde_json::Map<String, serde_json::Value> {
        let mut map = serde_json::Map::new();
        map.insert(name.to_owned(), self.id.to_string().into());
        map.insert(format!("{name}_commitment"), self.commitment.clone().into());
        map
    }
}

/// A stored note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNote {
    /// The id and commitment.
    pub note: NoteRef,
    /// Who wrote it.
    pub author: UserId,
    /// The text; `None` once erased.
    pub text: Option<ReviewReason>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When it was erased.
    pub erased_at: Option<DateTime<Utc>>,
    /// The case it was written on without a decision (`None`: a decision's or a request's
    /// note, which the case or request names).
    pub case: Option<Uuid>,
}

const TABLE: &str = "review_notes";

impl TryFrom<ReviewNoteRow> for StoredNote {
    type Error = PersistenceError;
    fn try_from(row: ReviewNoteRow) -> Result<Self> {
        let text = row
            .body
            .as_deref()
            .map(|t| {
                ReviewReason::parse(t).map_err(|e| PersistenceError::invalid(TABLE, row.id, e))
            })
            .transpose()?;
        Ok(Self {
            note: NoteRef {
                id: row.id,
                commitment: hex(&row.commitment),
            },
            author: UserId::from_uuid(row.author_id),
            text,
            created_at: row.created_at,
            erased_at: row.erased_at,
            case: row.compliance_check_id,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = review_notes)]
struct NewNoteRow<'a> {
    entity_id: &'a str,
    author_id: Uuid,
    // No salt or commitment: the guard draws the one and computes the other.
    body: &'a str,
    compliance_check_id: Option<Uuid>,
}

/// Writes a note by `author` about `entity_id`; the database draws its salt and commitment.
pub fn insert(
    conn: &mut PgConnection,
    entity_id: &EntityId,
    author: UserId,
    text: &ReviewReason,
) -> Result<NoteRef> {
    let row: ReviewNoteRow = diesel::insert_into(review_notes::table)
        .values(&NewNoteRow {
            entity_id: entity_id.as_str(),
            author_id: author.as_uuid(),
            body: text.as_str(),
            compliance_check_id: None,
        })
        .returning(ReviewNoteRow::as_returning())
        .get_result(conn)?;
    Ok(NoteRef {
        id: row.id,
        commitment: hex(&row.commitment),
    })
}

/// Writes a note by `author` on case `case_id` of `entity_id` without deciding it, with its
/// `case_noted` audit entry (the note's id and commitment; the database requires it at commit),
/// in one transaction.
pub fn note_case(
    conn: &mut PgConnection,
    entity_id: &EntityId,
    case_id: Uuid,
    author: UserId,
    text: &ReviewReason,
) -> Result<StoredNote> {
    crate::convert::atomic(conn, |conn| {
        let row: ReviewNoteRow = diesel::insert_into(review_notes::table)
            .values(&NewNoteRow {
                entity_id: entity_id.as_str(),
                author_id: author.as_uuid(),
                body: text.as_str(),
                compliance_check_id: Some(case_id),
            })
            .returning(ReviewNoteRow::as_returning())
            .get_result(conn)?;
        let stored = StoredNote::try_from(row)?;
        let mut details = stored.note.details("note");
        details.insert("compliance_check_id".into(), case_id.to_string().into());
        let event = AuditEvent::new(
            author,
            AuditAction::CaseNoted,
            SubjectKind::ReviewNote,
            stored.note.id,
        )
        .map(|e| e.with_entity(entity_id.clone()))
        .and_then(|e| e.with_details(details.into()))
        .map_err(|e| PersistenceError::invalid(TABLE, stored.note.id, e))?;
        audit_logs::append(conn, &event)?;
        Ok(stored)
    })
}

/// The note with this id.
pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<StoredNote> {
    let row = review_notes::table
        .find(id)
        .select(ReviewNoteRow::as_select())
        .first(conn)
        .optional()?;
    crate::error::found(row, "review note", id)?.try_into()
}

/// Every note about an entity, oldest first (erased ones without their text).
pub fn for_entity(conn: &mut PgConnection, entity_id: &EntityId) -> Result<Vec<StoredNote>> {
    review_notes::table
        .filter(review_notes::entity_id.eq(entity_id.as_str()))
        .order((review_notes::created_at.asc(), review_notes::id.asc()))
        .select(ReviewNoteRow::as_select())
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Erases the text of every note about `entity_id` not yet erased, by `by` (an active admin or
/// compliance officer: the database checks), with a `note_erased` audit entry per note, in one
/// transaction. Returns the erased notes' ids.
pub fn erase_for_entity(
    conn: &mut PgConnection,
    entity_id: &EntityId,
    by: UserId,
) -> Result<Vec<Uuid>> {
    crate::convert::atomic(conn, |conn| {
        let erased: Vec<(Uuid, Vec<u8>)> = diesel::update(
            review_notes::table
                .filter(review_notes::entity_id.eq(entity_id.as_str()))
                .filter(review_notes::body.is_not_null()),
        )
        .set((
            review_notes::body.eq(None::<String>),
            review_notes::salt.eq(None::<Vec<u8>>),
            review_notes::erased_by.eq(by.as_uuid()),
        ))
        .returning((review_notes::id, review_notes::commitment))
        .get_results(conn)?;
        for (id, commitment) in &erased {
            let event = AuditEvent::new(by, AuditAction::NoteErased, SubjectKind::ReviewNote, *id)
                .map(|e| e.with_entity(entity_id.clone()))
                .and_then(|e| e.with_details(serde_json::json!({ "commitment": hex(commitment) })))
                .map_err(|e| PersistenceError::invalid(TABLE, id, e))?;
            audit_logs::append(conn, &event)?;
        }
        Ok(erased.into_iter().map(|(id, _)| id).collect())
    })
}
