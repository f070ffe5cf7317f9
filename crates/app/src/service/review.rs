//! A reviewer's decision on a case: the status table, roles, four eyes, and the engine's
//! verdict, which no reviewer overrules without a confirmed override.
//!
//! Must not: decide on a case the reviewer did not see, or on one that is history. The revision
//! the reviewer saw is required; if the case moved on since, nothing is written and the answer is
//! a conflict.

use super::{ComplianceService, case_verdict};
use crate::convert::{Evidence, Regulations, case_record};
use crate::records::{ReviewOutcome, ReviewStepTaken};
use crate::{AppError, Result};
use compliance_domain::{
    CaseId, CheckStatus, ReviewReason, ReviewStep, Reviewer, UserId, Verdict, act_on_assigned,
    plan_review,
};
use compliance_persistence::PersistenceError;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::compliance_checks::{self, StatusChange, StoredComplianceCheck};
use compliance_persistence::repo::{
    aml_checks, case_submissions, false_positives, kyc_checks, review_notes, users,
};

/// What a stale page gets: the case is no longer at the revision its reviewer saw.
pub(super) fn stale(case: &StoredComplianceCheck, seen: i32) -> PersistenceError {
    PersistenceError::Stale {
        what: "case",
        key: case.id.to_string(),
        reason: format!(
            "changed since it was read (revision {seen}); it is now at revision {}, status {}: reload it and decide again",
            case.revision, case.status
        ),
    }
}

/// Refuses a write on a case that is no longer its entity's latest (history: the database's
/// `compliance_checks_not_current` says so again). Gives the case's number among the entity's.
pub(super) fn require_current(
    conn: &mut PgConnection,
    case: &StoredComplianceCheck,
    entity: &compliance_domain::EntityId,
) -> Result<i32> {
    let current = case_submissions::current(conn, entity)?
        .ok_or_else(|| AppError::Internal(format!("case {} has no submission", case.id)))?;
    if current.compliance_check_id != case.id {
        return Err(AppError::Superseded {
            case: CaseId::from_uuid(case.id),
            entity: entity.clone(),
            current: CaseId::from_uuid(current.compliance_check_id),
        });
    }
    Ok(current.sequence)
}

impl ComplianceService {
    /// The engine's verdict a review of the case is held to now: its decision re-run without
    /// the confirmed false positives (what [`ComplianceService::review`] checks an approval
    /// against; the back office offers approval only when it is not REJECTED).
    /// The caller has read the case and its KYC check already (on `conn`).
    pub(crate) fn review_verdict(
        &self,
        conn: &mut PgConnection,
        case: &StoredComplianceCheck,
        kyc: &compliance_domain::KycCheck,
    ) -> Result<CheckStatus> {
        let aml = aml_checks::find(conn, case.aml_check_id)?;
        case_verdict(conn, &self.rules, case, kyc, &aml.screening)
    }

    /// A reviewer decides a case in the review queue (or revokes an approval), following the
    /// domain's status table, the four-eyes rule and the engine's latest verdict (after any
    /// confirmed false positives: see [`ComplianceService::clear_match`]). `expected_revision` is
    /// the revision the reviewer saw; if the case moved on since, nothing is written and the
    /// answer is a conflict. The reason is written as a review note, outside the audit chain.
    pub(crate) fn review(
        &self,
        case_id: CaseId,
        reviewer: UserId,
        verdict: Verdict,
        reason: &ReviewReason,
        expected_revision: i32,
    ) -> Result<ReviewOutcome> {
        self.run(reviewer, |conn| {
            let case = compliance_checks::lock(conn, case_id.as_uuid())?;
            if case.revision != expected_revision {
                return Err(stale(&case, expected_revision).into());
            }
            let reviewer = Reviewer::try_from(&users::find(conn, reviewer)?)?;
            let kyc = kyc_checks::find(conn, case.kyc_check_id)?;
            let sequence = require_current(conn, &case, &kyc.check.entity_id)?;
            let aml = aml_checks::find(conn, case.aml_check_id)?;
            let engine = case_verdict(conn, &self.rules, &case, &kyc.check, &aml.screening)?;
            // An assignment never blocks an officer or admin (their step records whose
            // assignment they acted over); an analyst leaves someone else's case to them.
            act_on_assigned(&reviewer, case.assigned_to)?;
            let step = plan_review(
                case.status,
                case.approval.as_ref().map(|a| a.by),
                &reviewer,
                verdict,
                engine,
            )?;
            let entity = &kyc.check.entity_id;
            let note = review_notes::insert(conn, entity, reviewer.id(), reason)?;
            let propose = |conn: &mut PgConnection, waiver: bool| {
                compliance_checks::propose_approval(
                    conn,
                    case.id,
                    case.revision,
                    entity,
                    reviewer.id(),
                    &note,
                    waiver,
                )
            };
            let (outcome, after) = match step {
                ReviewStep::ProposeApproval => {
                    (ReviewStepTaken::ApprovalProposed, propose(conn, false)?)
                }
                ReviewStep::ProposeWaiver => (ReviewStepTaken::WaiverProposed, propose(conn, true)?),
                ReviewStep::Decide(transition) | ReviewStep::ConfirmWaiver(transition) => {
                    let overrides = if transition.to == CheckStatus::Approved
                        && case.decision.status() == CheckStatus::Rejected
                    {
                        false_positives::for_case(conn, case.id)?
                            .into_iter()
                            .filter(|f| f.disposition.is_confirmed())
                            .map(|f| f.id)
                            .collect()
                    } else {
                        Vec::new()
                    };
                    (
                        ReviewStepTaken::Decided,
                        compliance_checks::change_status(
                            conn,
                            case.id,
                            case.revision,
                            entity,
                            &StatusChange {
                                transition,
                                decided_by: reviewer.id(),
                                review_note: Some(note.clone()),
                                overrides,
                                waiver: matches!(step, ReviewStep::ConfirmWaiver(_)),
                            },
                        )?,
                    )
                }
            };
            tracing::info!(case = %case.id, reviewer = %reviewer.id(), status = %after.status, "case reviewed");
            let evidence = Evidence {
                kyc: &kyc.check,
                watchlist_version: &aml.screening.watchlist_version,
            };
            Ok(ReviewOutcome {
                outcome,
                case: case_record(
                    conn,
                    Regulations::Cached(&self.rules),
                    after,
                    Some(evidence),
                    Some(sequence),
                )?,
            })
        })
    }
}
