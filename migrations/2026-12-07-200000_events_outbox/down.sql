-- Events out removed; the audit vocabulary as migration 2026-12-07-100000 left it. While the
-- chain holds entries with the endpoint actions, the older checks fail and the down migration
-- stops: it never drops evidence.

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded',
    'false_positive_proposed', 'false_positive_confirmed', 'override_confirmed', 'note_erased',
    'api_token_created', 'api_token_revoked', 'password_set',
    'watchlist_imported', 'subject_recorded', 'subject_erased'));
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_subject_kind;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_subject_kind CHECK (subject_kind IN ('user', 'compliance_rule', 'kyc_check', 'aml_check',
    'compliance_check', 'blockchain_transaction', 'blockchain_monitoring', 'false_positive', 'review_note',
    'api_token', 'watchlist_version', 'screening_subject'));

DROP TABLE delivery_attempts;
DROP TABLE event_deliveries;
DROP FUNCTION event_deliveries_guard();
DROP TABLE event_fanout;
DROP TABLE event_endpoints;
DROP FUNCTION event_endpoints_guard();
DROP FUNCTION endpoint_host_refused(TEXT, BOOLEAN);
DROP TRIGGER trg_audit_logs_event ON audit_logs;
DROP FUNCTION audit_logs_event();
DROP TABLE events;
DROP TABLE event_streams;
DROP FUNCTION event_type_for(TEXT, TEXT, JSONB);
DROP FUNCTION event_types();
