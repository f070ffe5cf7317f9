-- Undoes 2026-05-01-000000_back_office. Refuses to run once a password_set audit entry exists
-- (the narrower CHECK cannot come back over it).

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded',
    'false_positive_proposed', 'false_positive_confirmed', 'override_confirmed', 'note_erased',
    'api_token_created', 'api_token_revoked'));

DROP TRIGGER trg_web_sessions_guard ON web_sessions;
DROP FUNCTION web_sessions_guard();
DROP TABLE web_sessions;
DROP TRIGGER trg_user_passwords_guard ON user_passwords;
DROP FUNCTION user_passwords_guard();
DROP TABLE user_passwords;
