-- Undoes 2026-12-09-100000_case_assignment: the queue view as 2026-05-05-000000_review_queue_index
-- left it, the audit vocabulary before it, service_levels, the assignment's guard, indexes and
-- columns.
DROP VIEW pending_approvals;
CREATE VIEW pending_approvals AS
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
       queue_flag(cc.engine_status, cc.status, cc.engine_decided_at, cc.created_at, cc.decided_at) AS engine_stricter
FROM compliance_checks cc
JOIN kyc_checks k ON k.id = cc.kyc_check_id
JOIN aml_checks a ON a.id = cc.aml_check_id
WHERE (cc.status IN ('PENDING', 'ESCALATED')
       OR queue_flag(cc.engine_status, cc.status, cc.engine_decided_at, cc.created_at, cc.decided_at))
  -- An approval over an engine rejection, written before the guard refused it, leaves the
  -- queue once an override clears it.
  AND NOT (cc.engine_status = 'REJECTED' AND cc.status = 'APPROVED'
           AND rejection_overridden(cc.id, cc.aml_check_id, cc.jurisdiction, cc.reasons))
  AND NOT EXISTS (SELECT 1 FROM case_submissions s JOIN case_submissions n ON n.entity_id = s.entity_id AND n.sequence > s.sequence
                   WHERE s.compliance_check_id = cc.id);

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded',
    'false_positive_proposed', 'false_positive_confirmed', 'override_confirmed', 'note_erased',
    'api_token_created', 'api_token_revoked', 'password_set',
    'watchlist_imported', 'subject_recorded', 'subject_erased',
    'endpoint_created', 'endpoint_updated', 'events_replayed',
    'screening_job_completed', 'delisting_flagged'));

DROP TABLE service_levels;
DROP FUNCTION service_levels_guard();

DROP INDEX idx_compliance_checks_assigned_by;
DROP INDEX idx_compliance_checks_queue_waiting;
DROP INDEX idx_compliance_checks_queue_assignee;
DROP TRIGGER trg_compliance_checks_assignment ON compliance_checks;
DROP FUNCTION compliance_checks_assignment_guard();
ALTER TABLE compliance_checks
    DROP CONSTRAINT ck_compliance_checks_assignment,
    DROP CONSTRAINT fk_compliance_checks_assigned_by,
    DROP CONSTRAINT fk_compliance_checks_assigned_to,
    DROP COLUMN assigned_at,
    DROP COLUMN assigned_by,
    DROP COLUMN assigned_to;
