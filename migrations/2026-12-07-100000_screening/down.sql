-- Screening's tables, functions and audit vocabulary removed; the checks as migration
-- 2026-05-01-000000 (audit) and the initial schema (matched entries) left them. While the chain
-- holds entries with the screening actions, or screenings hold scored matches, the older checks
-- fail and the down migration stops: it never drops evidence.

DROP TABLE screening_explanations;
DROP FUNCTION screening_explanations_guard();
DROP TABLE aml_check_watchlist_versions;
DROP TABLE screening_subjects;
DROP FUNCTION screening_subjects_guard();
DROP FUNCTION subject_retained_until(VARCHAR);
DROP FUNCTION screening_subject_commitment(BYTEA, JSONB);
DROP TABLE watchlist_entries;
DROP FUNCTION watchlist_entries_guard();
DROP TABLE watchlist_versions;
DROP FUNCTION watchlist_versions_count_check();
DROP FUNCTION watchlist_versions_guard();
DROP FUNCTION watchlist_max_drop_percent();

ALTER TABLE aml_checks DROP CONSTRAINT ck_aml_checks_matched_entries;
ALTER TABLE aml_checks ADD CONSTRAINT ck_aml_checks_matched_entries CHECK (
    jsonb_typeof(matched_entries) = 'array'
    AND NOT matched_entries @? '$[*] ? (!(@.kind == "sanctions" || @.kind == "pep" || @.kind == "adverse_media")
                                        || !(@.list.type() == "string") || !(@.entry.type() == "string"))');

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded',
    'false_positive_proposed', 'false_positive_confirmed', 'override_confirmed', 'note_erased',
    'api_token_created', 'api_token_revoked', 'password_set'));
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_subject_kind;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_subject_kind CHECK (subject_kind IN ('user', 'compliance_rule', 'kyc_check', 'aml_check',
    'compliance_check', 'blockchain_transaction', 'blockchain_monitoring', 'false_positive', 'review_note',
    'api_token'));
