//! `compliance_checks`: the case, the decision linking a KYC check and its current screening,
//! and every change to it: a reviewer's decision, the four-eyes proposal, a re-evaluation.
//!
//! Must not: overwrite a change it did not see. Every update names the revision it read; if the
//! row moved on, nothing is written and the caller gets [`PersistenceError::Stale`]. Every
//! change writes its audit entry in the same transaction.

use crate::convert::{domain, json, text, to_json};
use crate::error::found;
use crate::repo::aml_checks::{AmlCheckRow, StoredAmlCheck};
use crate::repo::audit_logs;
use crate::repo::kyc_checks::{KycCheckRow, StoredKycCheck};
use crate::repo::review_notes::NoteRef;
use crate::schema::{aml_checks, case_submissions, compliance_checks, kyc_checks};
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{
    AuditAction, AuditEvent, CheckStatus, Decision, EntityId, Jurisdiction, Reason, ReviewReason,
    RiskLevel, RiskScore, RuleRef, Signals, SubjectKind, Transition, Trigger, UserId,
};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Timestamptz};
use uuid::Uuid;

/// A row of `compliance_checks`, as stored.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = compliance_checks, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct ComplianceCheckRow {
    pub id: Uuid,
    pub kyc_check_id: Uuid,
    pub aml_check_id: Uuid,
    pub jurisdiction: String,
    pub status: String,
    pub engine_status: String,
    pub risk_score: i16,
    pub risk_level: String,
    pub rule_versions: serde_json::Value,
    pub reasons: serde_json::Value,
    pub decided_by: Uuid,
    pub decided_at: DateTime<Utc>,
    pub review_reason: Option<String>,
    pub approval_proposed_by: Option<Uuid>,
    pub approval_proposed_at: Option<DateTime<Utc>>,
    pub approval_proposal_reason: Option<String>,
    pub revision: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub review_note_id: Option<Uuid>,
    pub approval_note_id: Option<Uuid>,
    pub engine_decided_at: Option<DateTime<Utc>>,
    pub unweighed_signals: Option<serde_json::Value>,
    pub assigned_to: Option<Uuid>,
    pub assigned_by: Option<Uuid>,
    pub assigned_at: Option<DateTime<Utc>>,
}

/// A reviewer's reason for a step: a review note (erasable, outside the hash chain), or, for
/// steps recorded before notes existed, the text stored with the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseNote {
    /// A row of `review_notes`.
    Note(Uuid),
    /// Text stored in the case itself (written before review notes existed).
    Text(ReviewReason),
}

/// The first half of four eyes: who proposed approving an escalated case, when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalProposal {
    /// The proposer.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
    /// Why.
    pub reason: CaseNote,
}

/// A stored case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredComplianceCheck {
    /// The case's id.
    pub id: Uuid,
    /// Its KYC check.
    pub kyc_check_id: Uuid,
    /// The screening its decision rests on (the latest).
    pub aml_check_id: Uuid,
    /// Its jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The current status: the engine's, or a reviewer's.
    pub status: CheckStatus,
    /// What the engine decided (status, risk level, reasons) from the recorded inputs.
    pub decision: Decision,
    /// The screening's risk score.
    pub risk_score: RiskScore,
    /// Every rule version the engine evaluated.
    pub rule_versions: Vec<RuleRef>,
    /// Who set the current status.
    pub decided_by: UserId,
    /// When.
    pub decided_at: DateTime<Utc>,
    /// Why, when a reviewer set it.
    pub review_reason: Option<CaseNote>,
    /// A pending (or, once approved, the confirmed) four-eyes proposal.
    pub approval: Option<ApprovalProposal>,
    /// The revision, raised by one at every change.
    pub revision: i32,
    /// When the case was opened.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When the engine's verdict last changed since the case was opened (a re-screening).
    pub engine_decided_at: Option<DateTime<Utc>>,
    /// Who works the case (see `case_assignment`).
    pub assigned_to: Option<UserId>,
    /// When its assignment last changed (a claim, an assignment, a release).
    pub assigned_at: Option<DateTime<Utc>>,
}

impl StoredComplianceCheck {
    /// True when the engine's latest verdict is stricter than the status and came after the
    /// status was set, so that no reviewer has decided on it yet (an approval over a rejection
    /// aside, which the guard allows only under an override): such a case is in the review
    /// queue, flagged. The view `pending_approvals` also flags an approval over a rejection that
    /// no override clears (written before the guard existed), which needs the database to tell.
    pub fn engine_stricter(&self) -> bool {
        let engine = self.decision.status();
        engine > self.status
            && self.engine_decided_at.unwrap_or(self.created_at) > self.decided_at
            && !(engine == CheckStatus::Rejected && self.status == CheckStatus::Approved)
    }
}

const TABLE: &str = "compliance_checks";

impl TryFrom<ComplianceCheckRow> for StoredComplianceCheck {
    type Error = PersistenceError;
    fn try_from(row: ComplianceCheckRow) -> Result<Self> {
        let id = row.id;
        let risk_score = domain(TABLE, id, RiskScore::new(row.risk_score))?;
        let risk_level: RiskLevel = text(TABLE, id, &row.risk_level)?;
        if risk_level != risk_score.level() {
            return Err(PersistenceError::invalid(
                TABLE,
                id,
                "risk level disagrees with the risk score",
            ));
        }
        let reasons: Vec<Reason> = json(TABLE, id, "reasons", &row.reasons)?;
        let mut decision = Decision::new(risk_level, reasons);
        // NULL: a decision recorded before the engine listed the signals it left unweighed.
        if let Some(value) = &row.unweighed_signals {
            let signals: Signals = json(TABLE, id, "unweighed_signals", value)?;
            decision = decision.with_unweighed(signals);
        }
        let engine_status: CheckStatus = text(TABLE, id, &row.engine_status)?;
        if engine_status != decision.status() {
            return Err(PersistenceError::invalid(
                TABLE,
                id,
                format!(
                    "engine status {engine_status} disagrees with its reasons ({})",
                    decision.status()
                ),
            ));
        }
        let note = |note: Option<Uuid>, text: Option<&str>| -> Result<Option<CaseNote>> {
            match (note, text) {
                (Some(note), None) => Ok(Some(CaseNote::Note(note))),
                (None, Some(text)) => Ok(Some(CaseNote::Text(domain(
                    TABLE,
                    id,
                    ReviewReason::parse(text),
                )?))),
                (None, None) => Ok(None),
                (Some(_), Some(_)) => Err(PersistenceError::invalid(
                    TABLE,
                    id,
                    "a reason both as a note and as text",
                )),
            }
        };
        let approval = match (
            row.approval_proposed_by,
            row.approval_proposed_at,
            note(
                row.approval_note_id,
                row.approval_proposal_reason.as_deref(),
            )?,
        ) {
            (None, None, None) => None,
            (Some(by), Some(at), Some(reason)) => Some(ApprovalProposal {
                by: UserId::from_uuid(by),
                at,
                reason,
            }),
            _ => {
                return Err(PersistenceError::invalid(
                    TABLE,
                    id,
                    "an incomplete approval proposal",
                ));
            }
        };
        Ok(Self {
            id,
            kyc_check_id: row.kyc_check_id,
            aml_check_id: row.aml_check_id,
            jurisdiction: text(TABLE, id, &row.jurisdiction)?,
            status: text(TABLE, id, &row.status)?,
            decision,
            risk_score,
            rule_versions: json(TABLE, id, "rule_versions", &row.rule_versions)?,
            decided_by: UserId::from_uuid(row.decided_by),
            decided_at: row.decided_at,
            review_reason: note(row.review_note_id, row.review_reason.as_deref())?,
            approval,
            revision: row.revision,
            created_at: row.created_at,
            updated_at: row.updated_at,
            engine_decided_at: row.engine_decided_at,
            assigned_to: row.assigned_to.map(UserId::from_uuid),
            assigned_at: row.assigned_at,
        })
    }
}

/// A new case: the engine's decision on a KYC check and its first screening.
#[derive(Debug, Clone, Copy)]
pub struct NewCase<'a> {
    /// The KYC check.
    pub kyc_check_id: Uuid,
    /// Its screening.
    pub aml_check_id: Uuid,
    /// The entity (for the audit entry).
    pub entity_id: &'a EntityId,
    /// Its jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The screening's risk score.
    pub risk_score: RiskScore,
    /// The engine's decision.
    pub decision: &'a Decision,
    /// Every rule version evaluated.
    pub rule_versions: &'a [RuleRef],
    /// The system agent that recorded it.
    pub decided_by: UserId,
}

/// A new row of `compliance_checks`: the engine's status is the case's.
#[derive(Insertable)]
#[diesel(table_name = compliance_checks)]
pub(crate) struct NewCaseRow {
    pub(crate) kyc_check_id: Uuid,
    pub(crate) aml_check_id: Uuid,
    pub(crate) jurisdiction: &'static str,
    pub(crate) status: &'static str,
    pub(crate) engine_status: &'static str,
    pub(crate) risk_score: i16,
    pub(crate) risk_level: &'static str,
    pub(crate) rule_versions: serde_json::Value,
    pub(crate) reasons: serde_json::Value,
    pub(crate) decided_by: Uuid,
    pub(crate) unweighed_signals: Option<serde_json::Value>,
}

impl NewCaseRow {
    /// The row of a new case.
    pub(crate) fn new(case: &NewCase<'_>) -> Self {
        Self {
            kyc_check_id: case.kyc_check_id,
            aml_check_id: case.aml_check_id,
            jurisdiction: case.jurisdiction.into(),
            status: case.decision.status().into(),
            engine_status: case.decision.status().into(),
            risk_score: case.risk_score.into(),
            risk_level: case.decision.risk_level().into(),
            rule_versions: to_json(&case.rule_versions),
            reasons: to_json(&case.decision.reasons()),
            decided_by: case.decided_by.as_uuid(),
            unweighed_signals: unweighed_json(case.decision),
        }
    }
}

/// The decision's unweighed signals as the column holds them (NULL when it lists none at all,
/// which only a decision not made by the engine does).
fn unweighed_json(decision: &Decision) -> Option<serde_json::Value> {
    decision.unweighed().map(|signals| to_json(&signals))
}

fn decision_details(
    decision: &Decision,
    risk_score: RiskScore,
    rule_versions: &[RuleRef],
) -> serde_json::Value {
    let mut details = serde_json::json!({
        "engine_status": decision.status(),
        "risk_score": risk_score.value(),
        "risk_level": decision.risk_level(),
        "rule_versions": rule_versions,
        "reasons": decision.reasons(),
    });
    if let Some(signals) = decision.unweighed() {
        details["unweighed_signals"] = to_json(&signals);
    }
    details
}

pub(crate) fn event(
    actor: UserId,
    action: AuditAction,
    case: &StoredComplianceCheck,
    entity_id: &EntityId,
    transition: Option<Transition>,
    details: serde_json::Value,
) -> Result<AuditEvent> {
    let event = match transition {
        Some(t) => Ok(AuditEvent::status_change(
            actor,
            SubjectKind::ComplianceCheck,
            case.id,
            t,
        )),
        None => AuditEvent::new(actor, action, SubjectKind::ComplianceCheck, case.id),
    };
    event
        .map(|e| e.with_entity(entity_id.clone()))
        .and_then(|e| e.with_details(details))
        .map_err(|e| PersistenceError::invalid(TABLE, case.id, e))
}

/// Records in a reviewer's step (its audit details) that the case was assigned to someone
/// else, whose assignment the reviewer, an officer or admin, acted over (`over_assignment`, the
/// assignee's id). A decision never changes the assignment, so the row after it still names it.
fn over_assignment(
    details: &mut serde_json::Map<String, serde_json::Value>,
    case: &StoredComplianceCheck,
    actor: UserId,
) {
    if let Some(assignee) = case.assigned_to.filter(|&a| a != actor) {
        details.insert("over_assignment".into(), serde_json::json!(assignee));
    }
}

/// Opens a case with the engine's decision, and a `decision_recorded` audit entry, in one
/// transaction. A second case for the same KYC check is a [`PersistenceError::Conflict`].
pub fn insert(conn: &mut PgConnection, case: &NewCase<'_>) -> Result<StoredComplianceCheck> {
    crate::convert::atomic(conn, |conn| {
        let row = NewCaseRow::new(case);
        let stored: StoredComplianceCheck = diesel::insert_into(compliance_checks::table)
            .values(&row)
            .returning(ComplianceCheckRow::as_returning())
            .get_result(conn)
            .map_err(|e| match PersistenceError::from(e) {
                PersistenceError::Conflict { key, .. }
                    if key == "uq_compliance_checks_kyc_check_id" =>
                {
                    PersistenceError::Conflict {
                        what: "compliance check",
                        key: case.entity_id.to_string(),
                        reason: "this KYC check already has a case".into(),
                    }
                }
                other => other,
            })?
            .try_into()?;
        let audit = recorded_event(stored.id, case, stored.status)?;
        audit_logs::append(conn, &audit)?;
        Ok(stored)
    })
}

/// The `decision_recorded` audit entry of the new case `id`, opened with `status`.
pub(crate) fn recorded_event(
    id: Uuid,
    case: &NewCase<'_>,
    status: CheckStatus,
) -> Result<AuditEvent> {
    let mut details = decision_details(case.decision, case.risk_score, case.rule_versions);
    details["status"] = serde_json::json!(status);
    details["aml_check_id"] = serde_json::json!(case.aml_check_id);
    AuditEvent::new(
        case.decided_by,
        AuditAction::DecisionRecorded,
        SubjectKind::ComplianceCheck,
        id,
    )
    .map(|e| e.with_entity(case.entity_id.clone()))
    .and_then(|e| e.with_details(details))
    .map_err(|e| PersistenceError::invalid(TABLE, id, e))
}

/// The case with this id.
pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<StoredComplianceCheck> {
    let row = compliance_checks::table
        .find(id)
        .select(ComplianceCheckRow::as_select())
        .first(conn)
        .optional()?;
    found(row, "compliance check", id)?.try_into()
}

/// The case of a KYC check.
pub fn find_by_kyc_check(
    conn: &mut PgConnection,
    kyc_check_id: Uuid,
) -> Result<StoredComplianceCheck> {
    let row = compliance_checks::table
        .filter(compliance_checks::kyc_check_id.eq(kyc_check_id))
        .select(ComplianceCheckRow::as_select())
        .first(conn)
        .optional()?;
    found(row, "compliance check for kyc check", kyc_check_id)?.try_into()
}

/// The entity's current case (its latest; see `case_submissions`).
pub fn find_by_entity_id(
    conn: &mut PgConnection,
    entity_id: &EntityId,
) -> Result<StoredComplianceCheck> {
    let row = compliance_checks::table
        .inner_join(
            case_submissions::table
                .on(case_submissions::compliance_check_id.eq(compliance_checks::id)),
        )
        .filter(case_submissions::entity_id.eq(entity_id.as_str()))
        .order(case_submissions::sequence.desc())
        .select(ComplianceCheckRow::as_select())
        .first(conn)
        .optional()?;
    found(row, "compliance check for entity", entity_id)?.try_into()
}

/// The case with this id, locked for this transaction (`FOR UPDATE`). Every operation that
/// changes a case takes this lock before it writes anything else, so that all of them take
/// their locks in one order: the case row, then the audit chain.
pub fn lock(conn: &mut PgConnection, id: Uuid) -> Result<StoredComplianceCheck> {
    let row = compliance_checks::table
        .find(id)
        .select(ComplianceCheckRow::as_select())
        .for_update()
        .first(conn)
        .optional()?;
    found(row, "compliance check", id)?.try_into()
}

/// Which cases to list; every field narrows the list.
#[derive(Debug, Clone, Copy, Default)]
pub struct CaseFilter {
    /// Only this status.
    pub status: Option<CheckStatus>,
    /// Only this jurisdiction.
    pub jurisdiction: Option<Jurisdiction>,
    /// Only this risk level.
    pub risk_level: Option<RiskLevel>,
    /// At most this many (default 100, at most 10,000).
    pub limit: Option<i64>,
}

/// Cases matching the filter, oldest first.
pub fn list(conn: &mut PgConnection, filter: CaseFilter) -> Result<Vec<StoredComplianceCheck>> {
    let mut query = compliance_checks::table
        .select(ComplianceCheckRow::as_select())
        .into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(compliance_checks::status.eq(<&str>::from(status)));
    }
    if let Some(jurisdiction) = filter.jurisdiction {
        query = query.filter(compliance_checks::jurisdiction.eq(<&str>::from(jurisdiction)));
    }
    if let Some(level) = filter.risk_level {
        query = query.filter(compliance_checks::risk_level.eq(<&str>::from(level)));
    }
    query
        .order((
            compliance_checks::created_at.asc(),
            compliance_checks::id.asc(),
        ))
        .limit(filter.limit.unwrap_or(100).clamp(1, 10_000))
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// The `limit` most recently decided cases with the KYC check and the screening each decision
/// rests on (its inputs), newest first: what a replay needs, in one query.
pub fn recent_with_inputs(
    conn: &mut PgConnection,
    limit: i64,
) -> Result<Vec<(StoredComplianceCheck, StoredKycCheck, StoredAmlCheck)>> {
    let rows: Vec<(ComplianceCheckRow, KycCheckRow, AmlCheckRow)> = compliance_checks::table
        .inner_join(kyc_checks::table.on(kyc_checks::id.eq(compliance_checks::kyc_check_id)))
        .inner_join(aml_checks::table.on(aml_checks::id.eq(compliance_checks::aml_check_id)))
        .select((
            ComplianceCheckRow::as_select(),
            KycCheckRow::as_select(),
            AmlCheckRow::as_select(),
        ))
        .order((
            compliance_checks::decided_at.desc(),
            compliance_checks::id.desc(),
        ))
        .limit(limit.max(0))
        .load(conn)?;
    rows.into_iter()
        .map(|(case, kyc, aml)| Ok((case.try_into()?, kyc.try_into()?, aml.try_into()?)))
        .collect()
}

/// Explains why an update matched no row: the case is gone, or it changed since `expected`.
pub(crate) fn lost_update(conn: &mut PgConnection, id: Uuid, expected: i32) -> PersistenceError {
    let current = compliance_checks::table
        .find(id)
        .select((compliance_checks::revision, compliance_checks::status))
        .first::<(i32, String)>(conn)
        .optional();
    match current {
        Ok(Some((revision, status))) => PersistenceError::Stale {
            what: "compliance check",
            key: id.to_string(),
            reason: format!(
                "changed since it was read (revision {expected}); it is now at revision {revision}, status {status}: reload it and decide again"
            ),
        },
        Ok(None) => PersistenceError::not_found("compliance check", id),
        Err(e) => e.into(),
    }
}

/// A status change by a reviewer or the engine.
#[derive(Debug, Clone)]
pub struct StatusChange {
    /// The change (checked against the domain's table by whoever built it).
    pub transition: Transition,
    /// Who makes it.
    pub decided_by: UserId,
    /// Why, when a reviewer makes it (the database requires one then): a review note written
    /// in the same transaction.
    pub review_note: Option<NoteRef>,
    /// The confirmed false positives an approval over an engine rejection rests on (recorded in
    /// the audit entry); empty otherwise.
    pub overrides: Vec<Uuid>,
    /// True when the change approves the case over the engine's PENDING, confirming a waiver of
    /// the missing evidence (recorded in the audit entry; the database requires the proposal
    /// of another reviewer).
    pub waiver: bool,
}

/// Changes a case's status if it is still at `expected_revision`, with a `status_changed` audit
/// entry, in one transaction. A proposal to approve is kept only when the change approves the
/// case (it is the first pair of eyes); any other change withdraws it.
pub fn change_status(
    conn: &mut PgConnection,
    id: Uuid,
    expected_revision: i32,
    entity_id: &EntityId,
    change: &StatusChange,
) -> Result<StoredComplianceCheck> {
    crate::convert::atomic(conn, |conn| {
        let t = change.transition;
        let keep_proposal = t.to == CheckStatus::Approved;
        let target = compliance_checks::table
            .filter(compliance_checks::id.eq(id))
            .filter(compliance_checks::revision.eq(expected_revision))
            .filter(compliance_checks::status.eq(<&str>::from(t.from)));
        let updated = if keep_proposal {
            diesel::update(target)
                .set((
                    compliance_checks::status.eq(<&str>::from(t.to)),
                    compliance_checks::decided_by.eq(change.decided_by.as_uuid()),
                    compliance_checks::decided_at.eq(diesel::dsl::now),
                    compliance_checks::review_reason.eq(None::<String>),
                    compliance_checks::review_note_id.eq(change.review_note.as_ref().map(|n| n.id)),
                    compliance_checks::revision.eq(compliance_checks::revision + 1),
                ))
                .returning(ComplianceCheckRow::as_returning())
                .get_result(conn)
                .optional()?
        } else {
            diesel::update(target)
                .set((
                    compliance_checks::status.eq(<&str>::from(t.to)),
                    compliance_checks::decided_by.eq(change.decided_by.as_uuid()),
                    compliance_checks::decided_at.eq(diesel::dsl::now),
                    compliance_checks::review_reason.eq(None::<String>),
                    compliance_checks::review_note_id.eq(change.review_note.as_ref().map(|n| n.id)),
                    withdraw_proposal(),
                    compliance_checks::revision.eq(compliance_checks::revision + 1),
                ))
                .returning(ComplianceCheckRow::as_returning())
                .get_result(conn)
                .optional()?
        };
        let Some(row) = updated else {
            return Err(lost_update(conn, id, expected_revision));
        };
        let stored: StoredComplianceCheck = row.try_into()?;
        let mut details = serde_json::json!({
            "revision": stored.revision,
            "by": t.by,
            "approval_proposed_by": stored.approval.as_ref().map(|a| a.by),
        });
        if let Some(map) = details.as_object_mut() {
            if let Some(note) = &change.review_note {
                map.extend(note.details("review_note"));
            }
            if change.waiver {
                map.insert("waiver".into(), true.into());
            }
            if t.by == Trigger::Reviewer {
                over_assignment(map, &stored, change.decided_by);
            }
            if !change.overrides.is_empty() {
                map.insert("over_engine_rejection".into(), true.into());
                map.insert(
                    "false_positives".into(),
                    serde_json::json!(change.overrides),
                );
            }
        }
        let audit = event(
            change.decided_by,
            AuditAction::StatusChanged,
            &stored,
            entity_id,
            Some(t),
            details,
        )?;
        audit_logs::append(conn, &audit)?;
        Ok(stored)
    })
}

/// Records the first reviewer's proposal to approve an escalated case, or (`waiver`) to waive
/// the evidence the engine holds a PENDING case for (still at `expected_revision`), with an
/// `approval_proposed` audit entry, in one transaction.
pub fn propose_approval(
    conn: &mut PgConnection,
    id: Uuid,
    expected_revision: i32,
    entity_id: &EntityId,
    proposer: UserId,
    note: &NoteRef,
    waiver: bool,
) -> Result<StoredComplianceCheck> {
    crate::convert::atomic(conn, |conn| {
        let row = diesel::update(
            compliance_checks::table
                .filter(compliance_checks::id.eq(id))
                .filter(compliance_checks::revision.eq(expected_revision)),
        )
        .set((
            compliance_checks::approval_proposed_by.eq(proposer.as_uuid()),
            compliance_checks::approval_proposed_at.eq(diesel::dsl::now),
            compliance_checks::approval_note_id.eq(note.id),
            compliance_checks::revision.eq(compliance_checks::revision + 1),
        ))
        .returning(ComplianceCheckRow::as_returning())
        .get_result(conn)
        .optional()?;
        let Some(row) = row else {
            return Err(lost_update(conn, id, expected_revision));
        };
        let stored: StoredComplianceCheck = row.try_into()?;
        let mut details = note.details("note");
        details.insert("revision".into(), stored.revision.into());
        if waiver {
            details.insert("waiver".into(), true.into());
        }
        over_assignment(&mut details, &stored, proposer);
        let details = serde_json::Value::Object(details);
        let audit = event(
            proposer,
            AuditAction::ApprovalProposed,
            &stored,
            entity_id,
            None,
            details,
        )?;
        audit_logs::append(conn, &audit)?;
        Ok(stored)
    })
}

/// Raises the case's revision by one, changing nothing else (still at `expected_revision`, else
/// [`PersistenceError::Stale`]): what a step that changes the case's standing without its
/// status does (a list match proposed or confirmed as a false positive), so that a reviewer
/// who read the case before it decides on nothing they did not see. The step's own audit
/// entry, written by the caller in the same transaction, names the revision it raised.
pub fn raise_revision(
    conn: &mut PgConnection,
    id: Uuid,
    expected_revision: i32,
) -> Result<StoredComplianceCheck> {
    let row = diesel::update(
        compliance_checks::table
            .filter(compliance_checks::id.eq(id))
            .filter(compliance_checks::revision.eq(expected_revision)),
    )
    .set(compliance_checks::revision.eq(compliance_checks::revision + 1))
    .returning(ComplianceCheckRow::as_returning())
    .get_result(conn)
    .optional()?;
    match row {
        Some(row) => row.try_into(),
        None => Err(lost_update(conn, id, expected_revision)),
    }
}

/// A re-evaluation of a case on a new screening (or new rules), by the engine.
#[derive(Debug, Clone, Copy)]
pub struct Reevaluation<'a> {
    /// The new screening.
    pub aml_check_id: Uuid,
    /// Its risk score.
    pub risk_score: RiskScore,
    /// The engine's new decision.
    pub decision: &'a Decision,
    /// Every rule version evaluated.
    pub rule_versions: &'a [RuleRef],
    /// The status change it makes, if the domain's table allows one (`None` keeps the status).
    pub transition: Option<Transition>,
    /// The system agent.
    pub decided_by: UserId,
}

/// The assignments that withdraw an approval proposal.
type WithdrawProposal = (
    diesel::dsl::Eq<compliance_checks::approval_proposed_by, Option<Uuid>>,
    diesel::dsl::Eq<compliance_checks::approval_proposed_at, Option<DateTime<Utc>>>,
    diesel::dsl::Eq<compliance_checks::approval_proposal_reason, Option<String>>,
    diesel::dsl::Eq<compliance_checks::approval_note_id, Option<Uuid>>,
);

fn withdraw_proposal() -> WithdrawProposal {
    (
        compliance_checks::approval_proposed_by.eq(None),
        compliance_checks::approval_proposed_at.eq(None),
        compliance_checks::approval_proposal_reason.eq(None),
        compliance_checks::approval_note_id.eq(None),
    )
}

/// `column` as it is while the case is APPROVED, NULL otherwise (evaluated on the row before
/// the update).
fn keep_if_approved<T: diesel::sql_types::SingleValue>(
    column: &'static str,
) -> diesel::expression::SqlLiteral<T> {
    diesel::dsl::sql::<T>(&format!("CASE WHEN status = 'APPROVED' THEN {column} END"))
}

/// Records a re-evaluation if the case is still at `expected_revision`: the new screening and
/// decision, and the status change if any, with a `status_changed` or `rescreened` audit entry,
/// in one transaction.
pub fn record_reevaluation(
    conn: &mut PgConnection,
    id: Uuid,
    expected_revision: i32,
    entity_id: &EntityId,
    update: &Reevaluation<'_>,
) -> Result<StoredComplianceCheck> {
    crate::convert::atomic(conn, |conn| {
        if update.transition.is_some_and(|t| t.by != Trigger::Engine) {
            return Err(PersistenceError::invalid(
                TABLE,
                id,
                "a re-evaluation is made by the engine",
            ));
        }
        let base = compliance_checks::table
            .filter(compliance_checks::id.eq(id))
            .filter(compliance_checks::revision.eq(expected_revision));
        let evaluation = (
            compliance_checks::aml_check_id.eq(update.aml_check_id),
            compliance_checks::engine_status.eq(<&str>::from(update.decision.status())),
            compliance_checks::risk_score.eq(i16::from(update.risk_score)),
            compliance_checks::risk_level.eq(<&str>::from(update.decision.risk_level())),
            compliance_checks::rule_versions.eq(to_json(&update.rule_versions)),
            compliance_checks::reasons.eq(to_json(&update.decision.reasons())),
            compliance_checks::unweighed_signals.eq(unweighed_json(update.decision)),
            compliance_checks::revision.eq(compliance_checks::revision + 1),
        );
        let row = match update.transition {
            Some(t) => {
                diesel::update(base.filter(compliance_checks::status.eq(<&str>::from(t.from))))
                    .set((
                        evaluation,
                        (
                            compliance_checks::status.eq(<&str>::from(t.to)),
                            compliance_checks::decided_by.eq(update.decided_by.as_uuid()),
                            compliance_checks::decided_at.eq(diesel::dsl::now),
                            compliance_checks::review_reason.eq(None::<String>),
                            compliance_checks::review_note_id.eq(None::<Uuid>),
                        ),
                        withdraw_proposal(),
                    ))
                    .returning(ComplianceCheckRow::as_returning())
                    .get_result(conn)
                    .optional()?
            }
            // The status stays. A confirmed approval keeps the record of its first pair of
            // eyes; a proposal still waiting (on an escalation, or a waiver on the engine's
            // PENDING) was made on other facts and is withdrawn.
            None => diesel::update(base)
                .set((
                    evaluation,
                    compliance_checks::approval_proposed_by.eq(keep_if_approved::<
                        Nullable<diesel::sql_types::Uuid>,
                    >(
                        "approval_proposed_by"
                    )),
                    compliance_checks::approval_proposed_at.eq(keep_if_approved::<
                        Nullable<Timestamptz>,
                    >(
                        "approval_proposed_at"
                    )),
                    compliance_checks::approval_proposal_reason.eq(keep_if_approved::<
                        Nullable<Text>,
                    >(
                        "approval_proposal_reason"
                    )),
                    compliance_checks::approval_note_id.eq(keep_if_approved::<
                        Nullable<diesel::sql_types::Uuid>,
                    >(
                        "approval_note_id"
                    )),
                ))
                .returning(ComplianceCheckRow::as_returning())
                .get_result(conn)
                .optional()?,
        };
        let Some(row) = row else {
            return Err(lost_update(conn, id, expected_revision));
        };
        let stored: StoredComplianceCheck = row.try_into()?;
        let mut details =
            decision_details(update.decision, update.risk_score, update.rule_versions);
        details["revision"] = serde_json::json!(stored.revision);
        details["aml_check_id"] = serde_json::json!(update.aml_check_id);
        details["status"] = serde_json::json!(stored.status);
        let audit = event(
            update.decided_by,
            AuditAction::Rescreened,
            &stored,
            entity_id,
            update.transition,
            details,
        )?;
        audit_logs::append(conn, &audit)?;
        Ok(stored)
    })
}
