-- Ongoing monitoring removed; the audit vocabulary and the events as migration
-- 2026-12-07-200000 left them. While the chain holds entries with the monitoring actions, the
-- older checks fail and the down migration stops: it never drops evidence.

DROP TRIGGER trg_audit_logs_event ON audit_logs;
CREATE TRIGGER trg_audit_logs_event AFTER INSERT ON audit_logs
    FOR EACH ROW
    WHEN (NEW.entity_id IS NOT NULL AND NEW.action IN ('decision_recorded', 'status_changed', 'approval_proposed',
          'rescreened', 'override_confirmed', 'false_positive_proposed', 'false_positive_confirmed',
          'transaction_recorded'))
    EXECUTE FUNCTION audit_logs_event();

CREATE OR REPLACE FUNCTION event_type_for(action TEXT, subject_kind TEXT, details JSONB) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN action = 'decision_recorded' THEN 'case.decided'
        WHEN action = 'status_changed' AND subject_kind = 'compliance_check' THEN 'case.status_changed'
        WHEN action = 'approval_proposed' THEN 'case.approval_proposed'
        WHEN action = 'rescreened' AND status_rank(details ->> 'engine_status') > status_rank(details ->> 'status')
            THEN 'case.verdict_flagged'
        WHEN action = 'rescreened' THEN 'case.rescreened'
        WHEN action = 'override_confirmed' THEN 'case.override_confirmed'
        WHEN action = 'false_positive_proposed' THEN 'match.clearance_proposed'
        WHEN action = 'false_positive_confirmed' THEN 'match.cleared'
        WHEN action = 'transaction_recorded' THEN 'transaction.recorded'
        WHEN action = 'status_changed' AND subject_kind = 'blockchain_transaction' THEN 'transaction.status_changed'
    END
$$;

CREATE OR REPLACE FUNCTION event_types() RETURNS TEXT[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['case.decided', 'case.status_changed', 'case.approval_proposed', 'case.rescreened',
                 'case.verdict_flagged', 'case.override_confirmed', 'match.clearance_proposed',
                 'match.cleared', 'transaction.recorded', 'transaction.status_changed']
$$;

DROP INDEX uq_audit_logs_screening_job_completed;
DROP TRIGGER trg_audit_logs_screening_job ON audit_logs;
DROP FUNCTION audit_logs_screening_job_check();

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded',
    'false_positive_proposed', 'false_positive_confirmed', 'override_confirmed', 'note_erased',
    'api_token_created', 'api_token_revoked', 'password_set',
    'watchlist_imported', 'subject_recorded', 'subject_erased',
    'endpoint_created', 'endpoint_updated', 'events_replayed'));
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_subject_kind;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_subject_kind CHECK (subject_kind IN ('user', 'compliance_rule', 'kyc_check', 'aml_check',
    'compliance_check', 'blockchain_transaction', 'blockchain_monitoring', 'false_positive', 'review_note',
    'api_token', 'watchlist_version', 'screening_subject', 'event_endpoint'));

DROP TABLE screening_flags;
DROP FUNCTION screening_flags_guard();
DROP TABLE screening_job_batches;
DROP FUNCTION screening_job_batches_guard();
DROP FUNCTION screening_leaf(UUID, UUID, TEXT, TEXT, TEXT, TEXT);
DROP FUNCTION screening_leaf_time(TIMESTAMPTZ);
DROP TRIGGER trg_watchlist_versions_job ON watchlist_versions;
DROP FUNCTION watchlist_versions_job();
DROP TABLE screening_jobs;
DROP FUNCTION screening_jobs_guard();
