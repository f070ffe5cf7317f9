//! From the persistence layer's types to the records [`crate::Compliance`] answers with.
//!
//! Must not: write, or be called after the write's transaction ended: a record is built on the
//! connection of the transaction that wrote the case, so that an answer is never read back
//! after COMMIT (where a failure would tell the client that a committed write failed). It
//! reads the immutable evidence a record needs when the caller has not (the KYC check's
//! entity, the screening's watchlist version, the case's number).

use crate::records::{
    AuditRecord, CaseRecord, HighRiskRecord, QueueItem, ReasonRecord, ReviewDueRecord, RuleRecord,
    SummaryRecord,
};
use crate::rules_cache::RulesCache;
use crate::{AppError, Result};
use compliance_domain::{CaseId, KycCheck, WatchlistVersion};
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::audit_logs::AuditEntry;
use compliance_persistence::repo::compliance_checks::StoredComplianceCheck;
use compliance_persistence::repo::compliance_rules::RuleRow;
use compliance_persistence::repo::reports::{HighRiskEntity, PendingApproval, SummaryLine};
use compliance_persistence::repo::reviews_due::ReviewDue;
use compliance_persistence::repo::{aml_checks, case_submissions, kyc_checks};

/// What a case record shows of the evidence it rests on, when the caller has read it already
/// in its transaction: the KYC check's entity, and the current screening's watchlist version.
pub(crate) struct Evidence<'a> {
    /// The case's KYC check.
    pub kyc: &'a KycCheck,
    /// The watchlist version of the screening the decision rests on.
    pub watchlist_version: &'a WatchlistVersion,
}

/// Where a record finds each reason's regulation: the rule set that just decided the case, or
/// the rules cache (a published version never changes).
#[derive(Clone, Copy)]
pub(crate) enum Regulations<'a> {
    /// The rule set the engine just evaluated.
    Decided(&'a compliance_rules::RuleSet),
    /// The jurisdiction's versions, from the cache.
    Cached(&'a RulesCache),
}

/// The record of a stored case, built on `conn` (inside the caller's transaction, so that the
/// answer is what was committed): `evidence` and `sequence` when the caller read them already,
/// each reason's regulation from the rules cache (a published version never changes).
pub(crate) fn case_record(
    conn: &mut PgConnection,
    rules: Regulations<'_>,
    case: StoredComplianceCheck,
    evidence: Option<Evidence<'_>>,
    sequence: Option<i32>,
) -> Result<CaseRecord> {
    let (entity_id, entity_type, watchlist_version) = match evidence {
        Some(e) => (
            e.kyc.entity_id.clone(),
            e.kyc.entity_type,
            e.watchlist_version.clone(),
        ),
        None => {
            let kyc = kyc_checks::find(conn, case.kyc_check_id)?.check;
            let aml = aml_checks::find(conn, case.aml_check_id)?.screening;
            (kyc.entity_id, kyc.entity_type, aml.watchlist_version)
        }
    };
    let sequence = match sequence {
        Some(sequence) => sequence,
        None => case_submissions::of_case(conn, case.id)?.sequence,
    };
    let cached;
    let versions: &[compliance_rules::Rule] = match rules {
        Regulations::Decided(set) => set.rules(),
        Regulations::Cached(cache) => {
            cached = cache.all(conn, case.jurisdiction)?;
            &cached
        }
    };
    let mut reasons = Vec::with_capacity(case.decision.reasons().len());
    for reason in case.decision.reasons() {
        let regulation = versions
            .iter()
            .find(|r| r.rule_ref() == &reason.rule)
            .map(|r| r.regulation().to_owned())
            .ok_or_else(|| {
                AppError::Internal(format!(
                    "case {} names rule {} version {}, which is not stored in {}",
                    case.id, reason.rule.code, reason.rule.version, case.jurisdiction
                ))
            })?;
        reasons.push(ReasonRecord {
            rule: reason.rule.code.clone(),
            version: reason.rule.version,
            regulation,
            stage: reason.stage,
            outcome: reason.outcome,
            explanation: reason.explanation.clone(),
        });
    }
    Ok(CaseRecord {
        id: CaseId::from_uuid(case.id),
        entity_id,
        entity_type,
        jurisdiction: case.jurisdiction,
        sequence,
        status: case.status,
        engine_status: case.decision.status(),
        engine_stricter: case.engine_stricter(),
        risk_score: case.risk_score,
        risk_level: case.decision.risk_level(),
        reasons,
        unweighed_signals: case.decision.unweighed(),
        watchlist_version,
        rule_versions: case.rule_versions,
        decided_by: case.decided_by,
        decided_at: case.decided_at,
        approval_proposed_by: case.approval.map(|a| a.by),
        assigned_to: case.assigned_to,
        revision: case.revision,
        created_at: case.created_at,
        updated_at: case.updated_at,
    })
}

impl From<PendingApproval> for QueueItem {
    fn from(p: PendingApproval) -> Self {
        Self {
            case_id: CaseId::from_uuid(p.compliance_check_id),
            entity_id: p.entity_id,
            jurisdiction: p.jurisdiction,
            status: p.status,
            engine_status: p.engine_status,
            engine_stricter: p.engine_stricter,
            risk_score: p.risk_score,
            risk_level: p.risk_level,
            sanctions_match: p.sanctions_match,
            pep_match: p.pep_match,
            approval_proposed_by: p.approval_proposed_by,
            revision: p.revision,
            created_at: p.created_at,
            assigned_to: p.assigned_to,
            status_since: p.status_since,
            due_at: p.due_at,
            overdue: p.overdue,
            awaiting_information: None,
        }
    }
}

impl From<HighRiskEntity> for HighRiskRecord {
    fn from(h: HighRiskEntity) -> Self {
        Self {
            case_id: CaseId::from_uuid(h.compliance_check_id),
            entity_id: h.entity_id,
            jurisdiction: h.jurisdiction,
            status: h.status,
            risk_score: h.risk_score,
            risk_level: h.risk_level,
            matches: h.matches,
            screened_at: h.screened_at,
        }
    }
}

impl From<SummaryLine> for SummaryRecord {
    fn from(s: SummaryLine) -> Self {
        Self {
            jurisdiction: s.jurisdiction,
            status: s.status,
            risk_level: s.risk_level,
            cases: s.checks,
            last_updated_at: s.last_updated_at,
        }
    }
}

impl From<ReviewDue> for ReviewDueRecord {
    fn from(r: ReviewDue) -> Self {
        Self {
            case_id: CaseId::from_uuid(r.compliance_check_id),
            entity_id: r.entity_id,
            jurisdiction: r.jurisdiction,
            risk_level: r.risk_level,
            approved_at: r.approved_at,
            review_due_at: r.review_due_at,
            rule: r.rule,
            revision: r.revision,
        }
    }
}

impl From<AuditEntry> for AuditRecord {
    fn from(e: AuditEntry) -> Self {
        Self {
            id: e.id,
            chain: e.chain,
            position: e.position,
            actor: e.actor,
            action: e.action,
            subject_kind: e.subject_kind,
            subject_id: e.subject_id,
            old_status: e.old_status,
            new_status: e.new_status,
            details: e.details,
            created_at: e.created_at,
            hash: e.hash,
        }
    }
}

/// A rule row as a record; a malformed row is `InvalidData` naming it.
pub(crate) fn rule_record(row: RuleRow) -> Result<RuleRecord> {
    let rule = row.rule_ref()?;
    let in_words = crate::rule_rows::rule_from_row(&row)?.kind().in_words();
    Ok(RuleRecord {
        in_words,
        code: rule.code,
        version: rule.version,
        parameters: row.parameters,
        effective_from: row.effective_from,
        effective_to: row.effective_to,
        regulation: row.regulation,
        description: row.description,
    })
}
