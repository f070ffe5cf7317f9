//! The override of an engine rejection: reviewers clear a case's matched list entries as false
//! positives, each proposed by one and confirmed by a second, different one.
//!
//! Must not: let one person clear a match, or clear an entry the case's screening did not match.
//! Once every sanctions entry is confirmed and nothing else rejects the case, an
//! `override_confirmed` audit entry records it; approving the case is still a review of its own.

use super::{ComplianceService, case_verdict};
use crate::{AppError, Result};
use compliance_domain::{
    AuditAction, AuditEvent, CheckStatus, DispositionError, DispositionStep, ListEntryRef,
    ListName, ReviewReason, Reviewer, SubjectKind, UserId, plan_false_positive,
};
use compliance_persistence::PersistenceError;
use compliance_persistence::repo::false_positives::{self, FalsePositive, Proposal};
use compliance_persistence::repo::{aml_checks, audit_logs, compliance_checks, kyc_checks};
use compliance_persistence::repo::{review_notes, users};
use uuid::Uuid;

/// What clearing a match did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleared {
    /// The disposition, as stored after this step.
    pub false_positive: FalsePositive,
    /// The engine's verdict on the case once its confirmed false positives are taken out.
    pub verdict: CheckStatus,
    /// True when this step completed the override: the case was rejected by the engine and no
    /// longer is.
    pub override_confirmed: bool,
}

impl ComplianceService {
    /// A reviewer dispositions one matched entry of a case's current screening as a false
    /// positive, with a reason: the first call proposes it, a second reviewer's call confirms
    /// it. One transaction.
    pub fn clear_match(
        &self,
        case_id: Uuid,
        list: &ListName,
        entry: &ListEntryRef,
        reviewer: UserId,
        reason: &ReviewReason,
    ) -> Result<Cleared> {
        self.run(|conn| {
            let case = compliance_checks::lock(conn, case_id)?;
            let reviewer = Reviewer::try_from(&users::find(conn, reviewer)?)?;
            let kyc = kyc_checks::find(conn, case.kyc_check_id)?;
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
            let before = case_verdict(conn, &self.rules, &case, &kyc.check, &aml.screening)?;
            let entity = &kyc.check.entity_id;
            let note = review_notes::insert(conn, entity, reviewer.id(), reason)?;
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
                    },
                )?,
                (DispositionStep::Confirm, Some(existing)) => {
                    false_positives::confirm(conn, existing.id, entity, reviewer.id(), &note)?
                }
                (DispositionStep::Confirm, None) => {
                    return Err(AppError::Persistence(PersistenceError::Conflict {
                        what: "false positive",
                        key: format!("{list}/{entry}"),
                        reason: "nothing to confirm: reload the case".into(),
                    }));
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
            Ok(Cleared {
                false_positive: stored,
                verdict,
                override_confirmed,
            })
        })
    }
}
