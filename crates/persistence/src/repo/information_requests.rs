//! `information_requests`: what a reviewer asked of whom for a case, until when, and how it
//! ended, each step with its audit entry (`information_requested`, `information_answered`,
//! `information_withdrawn`), which the outbox announces to the onboarding service. The words
//! sent with a request or its closing are review notes ([`super::review_notes`]), outside the
//! chain and every event.
//!
//! Must not: decide who may ask or close (the domain's `plan_request` and `plan_closing`, and
//! `information_requests_guard()` again), or touch the case: a request moves nothing.

use crate::repo::audit_logs;
use crate::repo::review_notes::{self, NoteRef};
use crate::schema::information_requests;
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{
    Addressee, AuditAction, AuditEvent, EntityId, InformationAsk, RequestOutcome, RequestedItem,
    ReviewReason, SubjectKind, TextForm, UserId,
};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use uuid::Uuid;

const TABLE: &str = "information_requests";

/// A row of `information_requests`, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = information_requests, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct InformationRequestRow {
    pub id: Uuid,
    pub compliance_check_id: Uuid,
    pub entity_id: String,
    pub addressee: String,
    pub items: Vec<Option<String>>,
    pub note_id: Option<Uuid>,
    pub requested_by: Uuid,
    pub requested_at: DateTime<Utc>,
    pub respond_within_days: i16,
    pub respond_by: DateTime<Utc>,
    pub outcome: Option<String>,
    pub closed_by: Option<Uuid>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closing_note_id: Option<Uuid>,
}

/// A request as the domain sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRequest {
    /// Its id.
    pub id: Uuid,
    /// The case it is for.
    pub case_id: Uuid,
    /// The case's entity.
    pub entity_id: EntityId,
    /// Of whom.
    pub addressee: Addressee,
    /// What, once each.
    pub items: Vec<RequestedItem>,
    /// The words sent with it (a review note), if any.
    pub note_id: Option<Uuid>,
    /// Who asked.
    pub requested_by: UserId,
    /// When (the database's clock).
    pub requested_at: DateTime<Utc>,
    /// Within how many days.
    pub respond_within_days: i16,
    /// Until when.
    pub respond_by: DateTime<Utc>,
    /// How it ended, by whom and when; `None` while it waits.
    pub closed: Option<Closing>,
}

/// How a request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closing {
    /// Answered or withdrawn.
    pub outcome: RequestOutcome,
    /// Who said so.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
    /// Their words (a review note), if any.
    pub note_id: Option<Uuid>,
}

impl TryFrom<InformationRequestRow> for StoredRequest {
    type Error = PersistenceError;
    fn try_from(row: InformationRequestRow) -> Result<Self> {
        let id = row.id;
        let bad = |e: &dyn std::fmt::Display| PersistenceError::invalid(TABLE, id, e.to_string());
        let items = row
            .items
            .iter()
            .map(|i| i.as_deref().unwrap_or_default().parse::<RequestedItem>())
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| bad(&e))?;
        let closed = match (row.outcome, row.closed_by, row.closed_at) {
            (Some(outcome), Some(by), Some(at)) => Some(Closing {
                outcome: outcome.parse().map_err(|e| bad(&e))?,
                by: UserId::from_uuid(by),
                at,
                note_id: row.closing_note_id,
            }),
            (None, None, None) => None,
            _ => return Err(bad(&"a closing without its outcome, closer or time")),
        };
        Ok(Self {
            id,
            case_id: row.compliance_check_id,
            entity_id: EntityId::parse(&row.entity_id).map_err(|e| bad(&e))?,
            addressee: row.addressee.parse().map_err(|e| bad(&e))?,
            items,
            note_id: row.note_id,
            requested_by: UserId::from_uuid(row.requested_by),
            requested_at: row.requested_at,
            respond_within_days: row.respond_within_days,
            respond_by: row.respond_by,
            closed,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = information_requests)]
struct NewRequestRow<'a> {
    compliance_check_id: Uuid,
    entity_id: &'a str,
    addressee: &'a str,
    items: Vec<&'a str>,
    note_id: Option<Uuid>,
    requested_by: Uuid,
    respond_within_days: i16,
    // The guard sets it from the database's clock; the column has no default.
    respond_by: DateTime<Utc>,
}

/// The audit entry of a step on `request` by `actor`.
fn audit(
    conn: &mut PgConnection,
    actor: UserId,
    action: AuditAction,
    request: &StoredRequest,
    mut details: serde_json::Map<String, serde_json::Value>,
) -> Result<()> {
    details.insert(
        "compliance_check_id".into(),
        request.case_id.to_string().into(),
    );
    let event = AuditEvent::new(actor, action, SubjectKind::InformationRequest, request.id)
        .map(|e| e.with_entity(request.entity_id.clone()))
        .and_then(|e| e.with_details(details.into()))
        .map_err(|e| PersistenceError::invalid(TABLE, request.id, e))?;
    audit_logs::append(conn, &event).map(drop)
}

/// Records `ask` by `actor` on case `case_id` of `entity_id` (its message as a review note),
/// with its `information_requested` audit entry, in one transaction. A case with an open
/// request already is a [`PersistenceError::Conflict`] on `uq_information_requests_open`.
pub fn ask(
    conn: &mut PgConnection,
    entity_id: &EntityId,
    case_id: Uuid,
    actor: UserId,
    ask: &InformationAsk,
) -> Result<StoredRequest> {
    crate::convert::atomic(conn, |conn| {
        let note = ask
            .message()
            .map(|text| review_notes::insert(conn, entity_id, actor, text))
            .transpose()?;
        let row: InformationRequestRow = diesel::insert_into(information_requests::table)
            .values(&NewRequestRow {
                compliance_check_id: case_id,
                entity_id: entity_id.as_str(),
                addressee: ask.addressee().as_str(),
                items: ask.items().iter().map(|i| i.as_str()).collect(),
                note_id: note.as_ref().map(|n| n.id),
                requested_by: actor.as_uuid(),
                respond_within_days: i16::from(ask.respond_within_days()),
                respond_by: Utc::now(),
            })
            .returning(InformationRequestRow::as_returning())
            .get_result(conn)?;
        let stored = StoredRequest::try_from(row)?;
        let mut details = note_details(note.as_ref());
        details.insert("addressee".into(), stored.addressee.as_str().into());
        details.insert(
            "items".into(),
            stored.items.iter().map(|i| i.as_str()).collect(),
        );
        details.insert(
            "respond_within_days".into(),
            stored.respond_within_days.into(),
        );
        details.insert(
            "respond_by".into(),
            stored
                .respond_by
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                .into(),
        );
        audit(
            conn,
            actor,
            AuditAction::InformationRequested,
            &stored,
            details,
        )?;
        Ok(stored)
    })
}

fn note_details(note: Option<&NoteRef>) -> serde_json::Map<String, serde_json::Value> {
    note.map(|n| n.details("note")).unwrap_or_default()
}

/// Closes request `id` as `outcome` by `actor` (with their words as a review note), with its
/// audit entry, in one transaction; a request closed already is refused by the guard.
pub fn close(
    conn: &mut PgConnection,
    request: &StoredRequest,
    actor: UserId,
    outcome: RequestOutcome,
    words: Option<&ReviewReason>,
) -> Result<StoredRequest> {
    crate::convert::atomic(conn, |conn| {
        let note = words
            .map(|text| review_notes::insert(conn, &request.entity_id, actor, text))
            .transpose()?;
        let row: InformationRequestRow = diesel::update(
            information_requests::table
                .filter(information_requests::id.eq(request.id))
                .filter(information_requests::outcome.is_null()),
        )
        .set((
            information_requests::outcome.eq(Some(outcome.as_str())),
            information_requests::closed_by.eq(Some(actor.as_uuid())),
            // The guard sets the database's time; this only says the column changes.
            information_requests::closed_at.eq(Some(Utc::now())),
            information_requests::closing_note_id.eq(note.as_ref().map(|n| n.id)),
        ))
        .returning(InformationRequestRow::as_returning())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| PersistenceError::Conflict {
            what: "information request",
            key: request.id.to_string(),
            reason: "it was closed meanwhile".into(),
        })?;
        let stored = StoredRequest::try_from(row)?;
        audit(
            conn,
            actor,
            outcome.into(),
            &stored,
            note_details(note.as_ref()),
        )?;
        Ok(stored)
    })
}

/// The request with this id, locked for its closing.
pub fn lock(conn: &mut PgConnection, id: Uuid) -> Result<StoredRequest> {
    let row = information_requests::table
        .find(id)
        .select(InformationRequestRow::as_select())
        .for_update()
        .first(conn)
        .optional()?;
    crate::error::found(row, "information request", id)?.try_into()
}

/// Every request for case `case_id`, oldest first.
pub fn for_case(conn: &mut PgConnection, case_id: Uuid) -> Result<Vec<StoredRequest>> {
    information_requests::table
        .filter(information_requests::compliance_check_id.eq(case_id))
        .order((
            information_requests::requested_at.asc(),
            information_requests::id.asc(),
        ))
        .select(InformationRequestRow::as_select())
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// The open requests of these cases (a queue page's), one per case at most.
pub fn open_for_cases(conn: &mut PgConnection, cases: &[Uuid]) -> Result<Vec<StoredRequest>> {
    information_requests::table
        .filter(information_requests::compliance_check_id.eq_any(cases))
        .filter(information_requests::outcome.is_null())
        .select(InformationRequestRow::as_select())
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}
