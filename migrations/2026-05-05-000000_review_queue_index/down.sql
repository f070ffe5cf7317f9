-- Restores the view of 2026-04-10-000000_case_lifecycle_overrides_and_notes and its index.
CREATE OR REPLACE VIEW pending_approvals AS
SELECT cc.id AS compliance_check_id,
       k.entity_id,
       k.entity_type,
       cc.jurisdiction,
       cc.status,
       cc.risk_score,
       cc.risk_level,
       a.sanctions_match,
       a.pep_match,
       cc.approval_proposed_by,
       cc.revision,
       cc.created_at,
       cc.updated_at,
       cc.engine_status,
       f.engine_stricter
FROM compliance_checks cc
JOIN kyc_checks k ON k.id = cc.kyc_check_id
JOIN aml_checks a ON a.id = cc.aml_check_id
CROSS JOIN LATERAL (
    SELECT status_rank(cc.engine_status) > status_rank(cc.status)
           AND coalesce(cc.engine_decided_at, cc.created_at) > cc.decided_at
           AND NOT (cc.engine_status = 'REJECTED' AND cc.status = 'APPROVED')
        -- An approval over an engine rejection without its override (written before the guard
        -- refused it): always flagged.
        OR cc.engine_status = 'REJECTED' AND cc.status = 'APPROVED'
           AND NOT rejection_overridden(cc.id, cc.aml_check_id, cc.jurisdiction, cc.reasons) AS engine_stricter
) f
WHERE (cc.status IN ('PENDING', 'ESCALATED') OR f.engine_stricter)
  AND NOT EXISTS (SELECT 1 FROM case_submissions s JOIN case_submissions n ON n.entity_id = s.entity_id AND n.sequence > s.sequence
                   WHERE s.compliance_check_id = cc.id)
ORDER BY cc.risk_score DESC, f.engine_stricter DESC, cc.created_at ASC, cc.id;

CREATE INDEX idx_compliance_checks_review_queue ON compliance_checks (risk_score DESC, created_at)
    WHERE status IN ('PENDING', 'ESCALATED');
DROP INDEX idx_compliance_checks_queue;
DROP FUNCTION queue_flag(TEXT, TEXT, TIMESTAMPTZ, TIMESTAMPTZ, TIMESTAMPTZ);
