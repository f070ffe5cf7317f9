-- Undoes 2026-12-10-180000_beneficial_owners.
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_subject_kind;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_subject_kind CHECK (subject_kind IN ('user', 'compliance_rule', 'kyc_check', 'aml_check',
    'compliance_check', 'blockchain_transaction', 'blockchain_monitoring', 'false_positive', 'review_note',
    'api_token', 'watchlist_version', 'screening_subject', 'event_endpoint', 'screening_job',
    'information_request', 'service_level'));
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded',
    'false_positive_proposed', 'false_positive_confirmed', 'override_confirmed', 'note_erased',
    'api_token_created', 'api_token_revoked', 'password_set',
    'watchlist_imported', 'subject_recorded', 'subject_erased',
    'endpoint_created', 'endpoint_updated', 'events_replayed',
    'screening_job_completed', 'delisting_flagged',
    'case_claimed', 'case_assigned', 'case_released', 'review_screened',
    'case_noted', 'information_requested', 'information_answered', 'information_withdrawn',
    'service_level_published', 'delisting_reviewed'));
DROP INDEX idx_audit_logs_owner_recorded;
DROP TABLE beneficial_owners;
DROP FUNCTION beneficial_owners_audited();
DROP FUNCTION beneficial_owners_guard();
DROP FUNCTION current_entity_type(TEXT);
DROP FUNCTION lock_beneficial_owners(TEXT);
