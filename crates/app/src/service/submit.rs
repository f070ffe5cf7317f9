//! Submitting a case: the KYC result and its first screening, decided by the rules in force.
//!
//! Must not: open a second case for an entity whose current case is open, or answer a retried
//! submission with a new case. A repeat (same idempotency key, or the same inputs as the
//! entity's current case) gets the stored decision back; a different submission while the
//! current case is open is [`AppError::OpenCase`], unless the engine holds that case PENDING
//! and the submission brings a new KYC result (the evidence it lacked): that opens the next
//! case. The answer is built inside the transaction that wrote it.

use super::ComplianceService;
use crate::convert::{Evidence, Regulations, case_record};
use crate::records::Submission;
use crate::watchlists;
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{
    AmlScreening, Case, CaseId, CheckStatus, IdempotencyKey, Jurisdiction, KycCheck, Stage,
    Subject, UserId,
};
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::case_submissions::CaseSubmission;
use compliance_persistence::repo::compliance_checks::{self, StoredComplianceCheck};
use compliance_persistence::repo::compliance_rules::RulesFingerprint;
use compliance_persistence::repo::submission::{self, NewRecord};
use compliance_persistence::repo::{aml_checks, kyc_checks};
use compliance_persistence::repo::{screening_subjects, screenings};
use std::borrow::Cow;

/// What a submission brings: the KYC result and an outside provider's screening, or a subject
/// for this project to screen (or both: the provider's screening stands, the subject is kept
/// for later screenings).
#[derive(Clone, Copy)]
pub(crate) enum Submitted<'a> {
    /// A case with a provider's screening, and the subject to keep if one came.
    Case(&'a Case, Option<&'a Subject>),
    /// A KYC result and the subject this service screens.
    ScreenHere(&'a KycCheck, &'a Subject),
}

impl<'a> From<&'a Case> for Submitted<'a> {
    fn from(case: &'a Case) -> Self {
        Self::Case(case, None)
    }
}

impl<'a> Submitted<'a> {
    fn kyc(self) -> &'a KycCheck {
        match self {
            Self::Case(case, _) => &case.kyc,
            Self::ScreenHere(kyc, _) => kyc,
        }
    }
    fn aml(self) -> Option<&'a AmlScreening> {
        match self {
            Self::Case(case, _) => Some(&case.aml),
            Self::ScreenHere(..) => None,
        }
    }
    fn subject(self) -> Option<&'a Subject> {
        match self {
            Self::Case(_, subject) => subject,
            Self::ScreenHere(_, subject) => Some(subject),
        }
    }
}

impl ComplianceService {
    /// Submits a case (a KYC result and its first screening) by `submitted_by` (the system
    /// agent), with the rules in force at `at` (and screened at `at`): decides it, and writes
    /// the KYC check, the screening, the decision and their audit entries in one transaction.
    /// With `key`, the same key always gets the same case back; the same key with other inputs
    /// is [`AppError::IdempotencyKeyReused`].
    pub(crate) fn submit_at(
        &self,
        submitted: Submitted<'_>,
        submitted_by: UserId,
        key: Option<&IdempotencyKey>,
        at: DateTime<Utc>,
    ) -> Result<Submission> {
        let kyc = submitted.kyc();
        let subject = submitted.subject();
        self.run_idempotent(submitted_by, |conn| {
            let entity = &kyc.entity_id;
            let jurisdiction = kyc.jurisdiction;
            // One round trip for every read before the engine: the submitter, the rules'
            // fingerprint, the entity's current case and the submission made with the key.
            let context = submission::context(
                conn,
                submitted_by,
                jurisdiction,
                entity,
                key.map(IdempotencyKey::as_str),
            )?;
            if !context.agent {
                return Err(AppError::NotTheAgent { user: submitted_by });
            }
            if let Some(earlier) = context.by_key {
                return match self.stored_if_same(conn, &earlier, kyc, submitted.aml())? {
                    Some(stored) => Ok(stored),
                    None => Err(AppError::IdempotencyKeyReused {
                        case: CaseId::from_uuid(earlier.compliance_check_id),
                    }),
                };
            }
            let fingerprint = (jurisdiction, context.rules);
            let sequence = match context.current {
                None => 1,
                Some(current) => {
                    // Locked before anything is written (the case row, then the audit chain):
                    // a review of the current case cannot move it under this submission.
                    let open = compliance_checks::lock(conn, current.compliance_check_id)?;
                    let closed = self.closed(conn, &open, fingerprint)?
                        || self.new_evidence(conn, &open, kyc)?;
                    // The same inputs again are a retry, unless the periodic review is due: then
                    // they are the review, and open the next case.
                    let due = closed && open.status == CheckStatus::Approved;
                    if !due
                        && let Some(stored) =
                            self.stored_if_same(conn, &current, kyc, submitted.aml())?
                    {
                        return Ok(stored);
                    }
                    if !closed {
                        return Err(AppError::OpenCase {
                            entity: entity.clone(),
                            case: CaseId::from_uuid(open.id),
                            status: open.status,
                        });
                    }
                    current.sequence + 1
                }
            };
            let rule_set = self
                .rules
                .in_force_at(conn, jurisdiction, context.rules, at)?;
            // The subject is kept (a new revision only when it changed); with no provider's
            // screening, this service screens it against the lists' current versions, judged
            // by the bands of the rules that decide the case.
            let subject = subject
                .map(|s| screening_subjects::record(conn, entity, s, submitted_by))
                .transpose()?;
            let (case, screened_here) = match (submitted, &subject) {
                (Submitted::Case(case, _), _) => (Cow::Borrowed(case), None),
                (Submitted::ScreenHere(..), Some(stored)) => {
                    let loaded = self.screeners.current(conn)?;
                    let bands = super::screening::bands(&rule_set);
                    let Some(subject) = stored.subject.as_ref() else {
                        return Err(AppError::Internal("a subject just recorded is erased".into()));
                    };
                    let screened = watchlists::screen(&loaded, subject, &bands);
                    let aml = watchlists::screening(&screened)?;
                    let versions: Vec<_> = loaded.versions.iter().map(|v| v.id).collect();
                    let case = Case {
                        kyc: kyc.clone(),
                        aml,
                    };
                    (Cow::Owned(case), Some((versions, stored.id, screened)))
                }
                (Submitted::ScreenHere(..), None) => {
                    return Err(AppError::Internal("a subject to screen was not recorded".into()));
                }
            };
            let case: &Case = &case;
            let decision = rule_set.evaluate(case)?;
            // One round trip for every write: the KYC check, the screening, the decision, the
            // submission number and their audit entries.
            let recorded = submission::record(
                conn,
                &NewRecord {
                    kyc: &case.kyc,
                    kyc_status: decision.stage_status(Stage::Kyc),
                    screening: &case.aml,
                    screened_at: at,
                    decision: &decision,
                    rule_versions: &rule_set.refs(),
                    sequence,
                    idempotency_key: key.map(IdempotencyKey::as_str),
                    submitted_by,
                },
            )?;
            if let Some((versions, subject_id, screened)) = &screened_here {
                let explanation = serde_json::to_value(&screened.matches)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                screenings::record(conn, recorded.aml_check_id, versions, *subject_id, &explanation)?;
            }
            let stored = recorded.case;
            tracing::info!(case = %stored.id, entity = %entity, sequence, status = %stored.status, "case decided");
            let evidence = Evidence {
                kyc: &case.kyc,
                watchlist_version: &case.aml.watchlist_version,
            };
            Ok(Submission {
                case: case_record(
                    conn,
                    Regulations::Decided(&rule_set),
                    stored,
                    Some(evidence),
                    Some(sequence),
                )?,
                replayed: false,
            })
        })
    }

    /// True when the entity may open a new case after `current`: it was rejected (a new
    /// application), or it is approved and its periodic review is due. The database's
    /// `case_submissions_open_case` guard decides the same from the same rules.
    /// `read` is a jurisdiction's rules fingerprint read earlier in the transaction, used when
    /// it is the case's.
    fn closed(
        &self,
        conn: &mut PgConnection,
        current: &StoredComplianceCheck,
        read: (Jurisdiction, RulesFingerprint),
    ) -> Result<bool> {
        use compliance_domain::CheckStatus::{Approved, Rejected};
        Ok(match current.status {
            Rejected => true,
            Approved => {
                let rules = if read.0 == current.jurisdiction {
                    self.rules
                        .in_force_at(conn, current.jurisdiction, read.1, Utc::now())?
                } else {
                    self.rules
                        .in_force(conn, current.jurisdiction, Utc::now())?
                };
                rules
                    .next_review(current.decision.risk_level(), current.decided_at)
                    .is_some_and(|due| due <= Utc::now())
            }
            _ => false,
        })
    }

    /// True when `case` brings evidence `current` lacks: the engine holds `current` PENDING (a
    /// document, a score, a fact it needs is missing), and `case` carries another KYC result.
    /// The engine decides that result as the entity's next case; the database's
    /// `case_submissions_open_case` guard allows the same, on the same condition.
    fn new_evidence(
        &self,
        conn: &mut PgConnection,
        current: &StoredComplianceCheck,
        kyc: &KycCheck,
    ) -> Result<bool> {
        if current.status != CheckStatus::Pending
            || current.decision.status() != CheckStatus::Pending
        {
            return Ok(false);
        }
        Ok(kyc_checks::find(conn, current.kyc_check_id)?.check != *kyc)
    }

    /// The stored answer to `submission` if it was submitted with this KYC check and first
    /// screening (with no screening: screened by this service), `None` if they differ.
    fn stored_if_same(
        &self,
        conn: &mut PgConnection,
        submission: &CaseSubmission,
        kyc: &KycCheck,
        aml: Option<&AmlScreening>,
    ) -> Result<Option<Submission>> {
        let stored_kyc = kyc_checks::find(conn, submission.kyc_check_id)?;
        let Some(first) = aml_checks::first_for_kyc(conn, submission.kyc_check_id)? else {
            return Ok(None);
        };
        let same_screening = match aml {
            Some(aml) => first.screening == *aml,
            None => first.screening.provider.as_str() == watchlists::PROVIDER,
        };
        if stored_kyc.check != *kyc || !same_screening {
            return Ok(None);
        }
        let stored = compliance_checks::find(conn, submission.compliance_check_id)?;
        // Answered from rows this transaction did not write: given only once they are on the
        // synchronous standby (a restarted old primary may hold a commit it never received).
        compliance_persistence::commit_waits_for_standby(conn)?;
        tracing::info!(case = %stored.id, sequence = submission.sequence, "repeated submission answered with its stored case");
        // The case may have been re-screened since: the record shows the screening it rests on
        // now, as any read of it does.
        Ok(Some(Submission {
            case: case_record(
                conn,
                Regulations::Cached(&self.rules),
                stored,
                None,
                Some(submission.sequence),
            )?,
            replayed: true,
        }))
    }
}
