//! The override of an engine rejection: reviewers clear a case's matched list entries as false
//! positives, each proposed by one and confirmed by a second, different one.
//!
//! Must not: let one person clear a match, clear an entry the case's screening did not match,
//! or act on a case its reviewer did not see: each step names the revision the reviewer read
//! and raises it, so that a page read before a proposal cannot confirm it unseen. Once every
//! sanctions entry is confirmed and nothing else rejects the case, an `override_confirmed` audit
//! entry records it; approving the case is still a review of its own.

use super::review::stale;
use super::{ComplianceService, case_verdict};
use crate::records::{ClearedMatch, DispositionState};
use crate::{AppError, Result};
use compliance_domain::{
    AuditAction, AuditEvent, CaseId, CheckStatus, DispositionError, DispositionStep, ListEntryRef,
    ListName, ReviewReason, Reviewer, SubjectKind, UserId, act_on_assigned, plan_false_positive,
};
use compliance_persistence::PersistenceError;
use compliance_persistence::repo::false_positives::{self, Proposal};
use compliance_persistence::repo::{aml_checks, audit_logs, compliance_checks, kyc_checks};
use compliance_persistence::repo::{review_notes, users};
use uuid::Uuid;

/// One list entry of a case to clear, as the reviewer saw the case.
pub(crate) struct Clearing<'a> {
    /// The case.
    pub case: CaseId,
    /// The list.
    pub list: &'a ListName,
    /// The entry on it.
    pub entry: &'a ListEntryRef,
    /// The case's revision the reviewer read.
    pub expected_revision: i32,
}

impl ComplianceService {
    /// A reviewer dispositions one matched entry of a case's current screening as a false
    /// positive, with a reason: the first call proposes it, a second reviewer's call confirms
    /// it. One transaction, which raises the case's revision.
    pub(crate) fn clear_match(
        &self,
        clearing: &Clearing<'_>,
        reviewer: UserId,
        reason: &ReviewReason,
    ) -> Result<ClearedMatch> {
        let Clearing { list, entry, .. } = *clearing;
        self.run(reviewer, |conn| {
            let case = compliance_checks::lock(conn, clearing.case.as_uuid())?;
            if case.revision != clearing.expected_revision {
                return Err(stale(&case, clearing.expected_revision).into());
            }
            let reviewer = Reviewer::try_from(&users::find(conn, reviewer)?)?;
            let kyc = kyc_checks::find(conn, case.kyc_check_id)?;
            super::review::require_current(conn, &case, &kyc.check.entity_id)?;
            let aml = aml_checks::find(conn, case.aml_check_id)?;
            if !aml.screening.matched(list, entry) {
                return Err(DispositionError::NotMatched.into());
            }
            let existing = false_positives::for_case(conn, case.id)?
                .into_iter()
                .find(|f| f.list == *list && f.entry == *entry);
            let step = plan_false_positive(
                case.status,
                existing.as_ref().map(|f| &f.disposition),
                &reviewer,
            )?;
            // An officer or admin is never blocked by someone else's assignment; the step's
            // audit entry names it.
            let over_assignment = act_on_assigned(&reviewer, case.assigned_to)?;
            let before = case_verdict(conn, &self.rules, &case, &kyc.check, &aml.screening)?;
            let entity = &kyc.check.entity_id;
            let note = review_notes::insert(conn, entity, reviewer.id(), reason)?;
            let raised = compliance_checks::raise_revision(conn, case.id, case.revision)?;
            let stored = match (step, existing) {
                (DispositionStep::Propose, _) => false_positives::propose(
                    conn,
                    &Proposal {
                        case_id: case.id,
                        aml_check_id: aml.id,
                        entity_id: entity,
                        list,
                        entry,
                        by: reviewer.id(),
                        note: &note,
                        case_revision: raised.revision,
                        over_assignment,
                    },
                )?,
                (DispositionStep::Confirm, Some(existing)) => false_positives::confirm(
                    conn,
                    existing.id,
                    entity,
                    reviewer.id(),
                    &note,
                    raised.revision,
                    over_assignment,
                )?,
                (DispositionStep::Confirm, None) => {
                    return Err(AppError::StaleRevision {
                        what: "false positive",
                        key: format!("{list}/{entry}"),
                        reason: "has nothing to confirm: reload the case".into(),
                    });
                }
            };
            let verdict = case_verdict(conn, &self.rules, &case, &kyc.check, &aml.screening)?;
            let override_confirmed =
                before == CheckStatus::Rejected && verdict != CheckStatus::Rejected;
            if override_confirmed {
                let cleared: Vec<Uuid> = false_positives::for_case(conn, case.id)?
                    .into_iter()
                    .filter(|f| f.disposition.is_confirmed())
                    .map(|f| f.id)
                    .collect();
                let details = serde_json::json!({
                    "engine_status": case.decision.status(),
                    "verdict": verdict,
                    "aml_check_id": aml.id,
                    "false_positives": cleared,
                });
                let event = AuditEvent::new(
                    reviewer.id(),
                    AuditAction::OverrideConfirmed,
                    SubjectKind::ComplianceCheck,
                    case.id,
                )
                .map(|e| e.with_entity(entity.clone()))
                .and_then(|e| e.with_details(details))
                .map_err(|e| PersistenceError::InvalidData {
                    table: "compliance_checks",
                    id: case.id.to_string(),
                    reason: e.to_string(),
                })?;
                audit_logs::append(conn, &event)?;
            }
            tracing::info!(case = %case.id, reviewer = %reviewer.id(), confirmed = stored.disposition.is_confirmed(), override_confirmed, "list match dispositioned");
            Ok(ClearedMatch {
                id: stored.id,
                disposition: if stored.disposition.is_confirmed() {
                    DispositionState::Confirmed
                } else {
                    DispositionState::Proposed
                },
                verdict,
                override_confirmed,
                revision: raised.revision,
            })
        })
    }
}
