//! From the persistence layer's types to the records [`crate::Compliance`] answers with.
//!
//! Must not: write. It reads the immutable evidence a record needs (the KYC check's entity,
//! the screening's watchlist version, each reason's regulation, the case's number).

use super::records::{
    AuditRecord, CaseRecord, HighRiskRecord, QueueItem, ReasonRecord, ReviewDueRecord, RuleRecord,
    SummaryRecord,
};
use crate::Result;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::audit_logs::AuditEntry;
use compliance_persistence::repo::compliance_checks::StoredComplianceCheck;
use compliance_persistence::repo::compliance_rules::{self, RuleRow};
use compliance_persistence::repo::reports::{HighRiskEntity, PendingApproval, SummaryLine};
use compliance_persistence::repo::reviews_due::ReviewDue;
use compliance_persistence::repo::{aml_checks, case_submissions, kyc_checks};

/// The record of a stored case; `sequence` when the caller knows it already.
pub(super) fn case_record(
    conn: &mut PgConnection,
    case: StoredComplianceCheck,
    sequence: Option<i32>,
) -> Result<CaseRecord> {
    let kyc = kyc_checks::find(conn, case.kyc_check_id)?;
    let aml = aml_checks::find(conn, case.aml_check_id)?;
    let sequence = match sequence {
        Some(sequence) => sequence,
        None => case_submissions::of_case(conn, case.id)?.sequence,
    };
    let mut reasons = Vec::with_capacity(case.decision.reasons().len());
    for reason in case.decision.reasons() {
        let rule = compliance_rules::find_version(conn, case.jurisdiction, &reason.rule)?;
        reasons.push(ReasonRecord {
            rule: reason.rule.code.clone(),
            version: reason.rule.version,
            regulation: rule.regulation,
            stage: reason.stage,
            outcome: reason.outcome,
            explanation: reason.explanation.clone(),
        });
    }
    Ok(CaseRecord {
        id: case.id,
        entity_id: kyc.check.entity_id,
        entity_type: kyc.check.entity_type,
        jurisdiction: case.jurisdiction,
        sequence,
        status: case.status,
        engine_status: case.decision.status(),
        engine_stricter: case.engine_stricter(),
        risk_score: case.risk_score,
        risk_level: case.decision.risk_level(),
        reasons,
        unweighed_signals: case.decision.unweighed(),
        watchlist_version: aml.screening.watchlist_version,
        rule_versions: case.rule_versions,
        decided_by: case.decided_by,
        decided_at: case.decided_at,
        approval_proposed_by: case.approval.map(|a| a.by),
        revision: case.revision,
        created_at: case.created_at,
        updated_at: case.updated_at,
    })
}

impl From<PendingApproval> for QueueItem {
    fn from(p: PendingApproval) -> Self {
        Self {
            case_id: p.compliance_check_id,
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
        }
    }
}

impl From<HighRiskEntity> for HighRiskRecord {
    fn from(h: HighRiskEntity) -> Self {
        Self {
            case_id: h.compliance_check_id,
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
            case_id: r.compliance_check_id,
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
            position: e.id,
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
pub(super) fn rule_record(row: RuleRow) -> Result<RuleRecord> {
    let rule = row.rule_ref()?;
    Ok(RuleRecord {
        code: rule.code,
        version: rule.version,
        parameters: row.parameters,
        effective_from: row.effective_from,
        effective_to: row.effective_to,
        regulation: row.regulation,
        description: row.description,
    })
}
