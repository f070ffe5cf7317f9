//! `false_positives`: matched list entries that reviewers clear for a case, proposed by one and
//! confirmed by another; each step with its audit entry (the reasons are review notes).
//!
//! Must not: confirm a disposition twice or let its proposer confirm it (the database refuses
//! both; a lost race is [`PersistenceError::Stale`]).

use crate::repo::audit_logs;
use crate::repo::review_notes::NoteRef;
use crate::schema::false_positives;
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{
    AuditAction, AuditEvent, Disposition, EntityId, ListEntryRef, ListName, SubjectKind, UserId,
};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use uuid::Uuid;

/// A row of `false_positives`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = false_positives, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct FalsePositiveRow {
    pub id: Uuid,
    pub compliance_check_id: Uuid,
    pub aml_check_id: Uuid,
    pub list: String,
    pub entry: String,
    pub proposed_by: Uuid,
    pub proposed_at: DateTime<Utc>,
    pub proposal_note_id: Uuid,
    pub confirmed_by: Option<Uuid>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub confirmation_note_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A stored disposition of one list entry of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FalsePositive {
    /// Its id.
    pub id: Uuid,
    /// The case.
    pub case_id: Uuid,
    /// The screening it was first seen on.
    pub aml_check_id: Uuid,
    /// The list.
    pub list: ListName,
    /// The entry on that list.
    pub entry: ListEntryRef,
    /// Who proposed and who confirmed.
    pub disposition: Disposition,
    /// When it was proposed.
    pub proposed_at: DateTime<Utc>,
    /// The proposer's note.
    pub proposal_note: Uuid,
    /// When it was confirmed.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The confirmer's note.
    pub confirmation_note: Option<Uuid>,
}

const TABLE: &str = "false_positives";

impl TryFrom<FalsePositiveRow> for FalsePositive {
    type Error = PersistenceError;
    fn try_from(row: FalsePositiveRow) -> Result<Self> {
        let invalid =
            |e: compliance_domain::TokenError| PersistenceError::invalid(TABLE, row.id, e);
        Ok(Self {
            id: row.id,
            case_id: row.compliance_check_id,
            aml_check_id: row.aml_check_id,
            list: ListName::parse(&row.list).map_err(invalid)?,
            entry: ListEntryRef::parse(&row.entry).map_err(invalid)?,
            disposition: Disposition {
                proposed_by: UserId::from_uuid(row.proposed_by),
                confirmed_by: row.confirmed_by.map(UserId::from_uuid),
            },
            proposed_at: row.proposed_at,
            proposal_note: row.proposal_note_id,
            confirmed_at: row.confirmed_at,
            confirmation_note: row.confirmation_note_id,
        })
    }
}

/// Every disposition of a case, in the order proposed.
pub fn for_case(conn: &mut PgConnection, case_id: Uuid) -> Result<Vec<FalsePositive>> {
    false_positives::table
        .filter(false_positives::compliance_check_id.eq(case_id))
        .order((
            false_positives::proposed_at.asc(),
            false_positives::id.asc(),
        ))
        .select(FalsePositiveRow::as_select())
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// A proposal to clear one entry of a case's screening.
#[derive(Debug, Clone, Copy)]
pub struct Proposal<'a> {
    /// The case.
    pub case_id: Uuid,
    /// The screening that matched the entry.
    pub aml_check_id: Uuid,
    /// The entity (for the audit entry).
    pub entity_id: &'a EntityId,
    /// The list.
    pub list: &'a ListName,
    /// The entry.
    pub entry: &'a ListEntryRef,
    /// The proposer.
    pub by: UserId,
    /// Their note.
    pub note: &'a NoteRef,
    /// The assignee of the case whose assignment the proposer (an officer or admin) acts
    /// over, if it is someone else's (recorded in the audit entry as `over_assignment`).
    pub over_assignment: Option<UserId>,
    /// The case's revision this step raised it to (recorded in the audit entry).
    pub case_revision: i32,
}

#[derive(Insertable)]
#[diesel(table_name = false_positives)]
struct NewRow<'a> {
    compliance_check_id: Uuid,
    aml_check_id: Uuid,
    list: &'a str,
    entry: &'a str,
    proposed_by: Uuid,
    proposal_note_id: Uuid,
}

/// A step on a disposition as its audit entry records it.
struct Step<'a> {
    action: AuditAction,
    by: UserId,
    note: &'a NoteRef,
    case_revision: i32,
    over_assignment: Option<UserId>,
}

fn audit(
    conn: &mut PgConnection,
    stored: &FalsePositive,
    entity_id: &EntityId,
    step: &Step<'_>,
) -> Result<()> {
    let Step {
        action,
        by,
        note,
        case_revision,
        over_assignment,
    } = *step;
    let mut details = note.details("note");
    details.insert("revision".into(), case_revision.into());
    if let Some(assignee) = over_assignment {
        details.insert("over_assignment".into(), assignee.to_string().into());
    }
    details.insert(
        "compliance_check_id".into(),
        stored.case_id.to_string().into(),
    );
    details.insert(
        "aml_check_id".into(),
        stored.aml_check_id.to_string().into(),
    );
    details.insert("list".into(), stored.list.as_str().into());
    details.insert("entry".into(), stored.entry.as_str().into());
    let event = AuditEvent::new(by, action, SubjectKind::FalsePositive, stored.id)
        .map(|e| e.with_entity(entity_id.clone()))
        .and_then(|e| e.with_details(serde_json::Value::Object(details)))
        .map_err(|e| PersistenceError::invalid(TABLE, stored.id, e))?;
    audit_logs::append(conn, &event)?;
    Ok(())
}

/// Records a proposal, with a `false_positive_proposed` audit entry, in one transaction. A
/// second proposal for the same entry of the case is [`PersistenceError::Stale`].
pub fn propose(conn: &mut PgConnection, proposal: &Proposal<'_>) -> Result<FalsePositive> {
    crate::convert::atomic(conn, |conn| {
        let stored: FalsePositive = diesel::insert_into(false_positives::table)
            .values(&NewRow {
                compliance_check_id: proposal.case_id,
                aml_check_id: proposal.aml_check_id,
                list: proposal.list.as_str(),
                entry: proposal.entry.as_str(),
                proposed_by: proposal.by.as_uuid(),
                proposal_note_id: proposal.note.id,
            })
            .returning(FalsePositiveRow::as_returning())
            .get_result(conn)
            .map_err(|e| match PersistenceError::from(e) {
                PersistenceError::Conflict { key, .. } if key == "uq_false_positives_case_entry" => {
                    PersistenceError::Stale {
                        what: "false positive",
                        key: format!("{}/{}", proposal.list, proposal.entry),
                        reason: "was proposed by someone else meanwhile: reload the case, then confirm it or not".into(),
                    }
                }
                other => other,
            })?
            .try_into()?;
        audit(
            conn,
            &stored,
            proposal.entity_id,
            &Step {
                action: AuditAction::FalsePositiveProposed,
                by: proposal.by,
                note: proposal.note,
                case_revision: proposal.case_revision,
                over_assignment: proposal.over_assignment,
            },
        )?;
        Ok(stored)
    })
}

/// Confirms a proposed disposition (still unconfirmed), with a `false_positive_confirmed` audit
/// entry, in one transaction. Already confirmed (a lost race) is a conflict. `over_assignment`
/// as in [`Proposal`].
pub fn confirm(
    conn: &mut PgConnection,
    id: Uuid,
    entity_id: &EntityId,
    by: UserId,
    note: &NoteRef,
    case_revision: i32,
    over_assignment: Option<UserId>,
) -> Result<FalsePositive> {
    crate::convert::atomic(conn, |conn| {
        let row = diesel::update(
            false_positives::table
                .filter(false_positives::id.eq(id))
                .filter(false_positives::confirmed_by.is_null()),
        )
        .set((
            false_positives::confirmed_by.eq(by.as_uuid()),
            false_positives::confirmed_at.eq(diesel::dsl::now),
            false_positives::confirmation_note_id.eq(note.id),
        ))
        .returning(FalsePositiveRow::as_returning())
        .get_result(conn)
        .optional()?;
        let Some(row) = row else {
            return Err(PersistenceError::Stale {
                what: "false positive",
                key: id.to_string(),
                reason: "is already confirmed, or gone: reload the case".into(),
            });
        };
        let stored: FalsePositive = row.try_into()?;
        audit(
            conn,
            &stored,
            entity_id,
            &Step {
                action: AuditAction::FalsePositiveConfirmed,
                by,
                note,
                case_revision,
                over_assignment,
            },
        )?;
        Ok(stored)
    })
}
