-- The screening jobs' guard as 2026-12-08-100000_ongoing_monitoring wrote it.
CREATE OR REPLACE FUNCTION screening_jobs_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'screening job % is evidence of monitoring: it is never deleted', OLD.id
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'screening_jobs_kept';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.state <> 'queued' OR NEW.batches <> 0 OR NEW.screened <> 0 OR NEW.cursor_entity IS NOT NULL
           OR NOT EXISTS (SELECT 1 FROM watchlist_versions v WHERE v.id = NEW.version_id AND v.imported_at = now()
                          AND v.previous_version_id IS NOT DISTINCT FROM NEW.previous_version_id) THEN
            RAISE EXCEPTION 'a screening job is created queued, by its version''s import'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'screening_jobs_by_import';
        END IF;
        NEW.created_at := now();
        RETURN NEW;
    END IF;
    IF OLD.state = 'done' THEN
        RAISE EXCEPTION 'screening job % is done: it is never changed', OLD.id
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'screening_jobs_kept';
    END IF;
    IF (NEW.id, NEW.version_id, NEW.list_name, NEW.previous_version_id, NEW.created_at)
       IS DISTINCT FROM (OLD.id, OLD.version_id, OLD.list_name, OLD.previous_version_id, OLD.created_at)
       OR (OLD.state = 'running' AND NEW.state = 'queued')
       OR (OLD.started_at IS NOT NULL AND NEW.started_at IS DISTINCT FROM OLD.started_at)
       OR (OLD.started_at IS NOT NULL AND (NEW.added, NEW.removed) IS DISTINCT FROM (OLD.added, OLD.removed))
       OR NEW.batches NOT IN (OLD.batches, OLD.batches + 1)
       OR NEW.screened < OLD.screened OR NEW.matched < OLD.matched OR NEW.rescreened < OLD.rescreened
       OR NEW.escalated < OLD.escalated OR NEW.rejected < OLD.rejected OR NEW.delisted < OLD.delisted
       OR NEW.busy_ms < OLD.busy_ms
       OR ((NEW.counterparties, NEW.counterparty_hits, NEW.transactions_flagged)
           IS DISTINCT FROM (OLD.counterparties, OLD.counterparty_hits, OLD.transactions_flagged)
           AND NEW.state <> 'done')
       OR (NEW.cursor_entity IS DISTINCT FROM OLD.cursor_entity
           AND (NEW.batches <> OLD.batches + 1 OR NEW.cursor_entity <= OLD.cursor_entity)) THEN
        RAISE EXCEPTION 'screening job %: its identity is fixed, it only moves forward, one batch at a time', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'screening_jobs_forward';
    END IF;
    IF NEW.batches = OLD.batches + 1 AND NOT EXISTS (
           SELECT 1 FROM screening_job_batches b
            WHERE b.job_id = NEW.id AND b.batch = NEW.batches AND b.last_entity = NEW.cursor_entity
              AND NEW.screened = OLD.screened + jsonb_array_length(b.members)) THEN
        RAISE EXCEPTION 'screening job %: a batch moves the cursor to its last entity and counts its members', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'screening_jobs_batch_recorded';
    END IF;
    IF NEW.agent_id IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM users WHERE id = NEW.agent_id AND active AND role = 'system') THEN
        RAISE EXCEPTION 'screening job %: it is run by an active system agent', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'screening_jobs_agent';
    END IF;
    IF OLD.agent_id IS NOT NULL AND NEW.agent_id IS DISTINCT FROM OLD.agent_id THEN
        RAISE EXCEPTION 'screening job %: it is run by the agent that started it', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'screening_jobs_agent';
    END IF;
    IF OLD.state = 'queued' AND NEW.state = 'running' THEN
        NEW.started_at := now();
    END IF;
    IF NEW.state = 'done' THEN
        NEW.finished_at := now();
        NEW.lease_until := NULL;
        NEW.lease_token := NULL;
    END IF;
    RETURN NEW;
END
$$;

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded',
    'false_positive_proposed', 'false_positive_confirmed', 'override_confirmed', 'note_erased',
    'api_token_created', 'api_token_revoked', 'password_set',
    'watchlist_imported', 'subject_recorded', 'subject_erased',
    'endpoint_created', 'endpoint_updated', 'events_replayed',
    'screening_job_completed', 'delisting_flagged',
    'case_claimed', 'case_assigned', 'case_released'));
DROP INDEX idx_audit_logs_review_screened;
DROP TABLE review_screenings;
DROP FUNCTION review_screenings_audited();
DROP FUNCTION review_screenings_guard();
