-- Ongoing monitoring (issue 19): a periodic review falling due starts the same screening as a
-- changed subject. The monitor screens the entity's current subject against every list's
-- current version and re-screens its case through the engine (a case that the screening leaves
-- as it was is not written); each such screening is one row here, once per case and due date,
-- with its audit entry `review_screened`.

CREATE TABLE review_screenings (
    compliance_check_id  UUID NOT NULL REFERENCES compliance_checks (id),
    -- When the case's periodic review fell due (the `reviews_due` view's `review_due_at`).
    review_due_at        TIMESTAMPTZ NOT NULL,
    entity_id            VARCHAR(64) NOT NULL,
    -- The subject revision screened (its content may be erased later; the id stays).
    subject_id           UUID NOT NULL REFERENCES screening_subjects (id),
    -- The list versions it was screened against.
    version_ids          UUID[] NOT NULL,
    -- `unchanged`: the screening left the case as it was; `rescreened`: the case was re-screened
    -- (its `rescreened` audit entry and event say how).
    outcome              TEXT NOT NULL,
    agent_id             UUID NOT NULL REFERENCES users (id),
    screened_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (compliance_check_id, review_due_at),
    CONSTRAINT ck_review_screenings_outcome CHECK (outcome IN ('unchanged', 'rescreened')),
    CONSTRAINT ck_review_screenings_versions CHECK (cardinality(version_ids) >= 1),
    CONSTRAINT ck_review_screenings_due CHECK (review_due_at <= screened_at)
);
CREATE INDEX idx_review_screenings_entity ON review_screenings (entity_id, screened_at DESC);
CREATE INDEX idx_review_screenings_subject ON review_screenings (subject_id);
CREATE INDEX idx_review_screenings_agent ON review_screenings (agent_id);

-- A review screening is the system agent's, on the entity's case with the entity's subject,
-- once its review has fallen due; its time is the database's. Never changed.
CREATE FUNCTION review_screenings_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    NEW.screened_at := now();
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.agent_id AND active AND role = 'system')
       OR NOT EXISTS (SELECT 1 FROM case_submissions WHERE compliance_check_id = NEW.compliance_check_id
                                                       AND entity_id = NEW.entity_id)
       OR NOT EXISTS (SELECT 1 FROM screening_subjects WHERE id = NEW.subject_id AND entity_id = NEW.entity_id
                                                         AND subject IS NOT NULL)
       OR NEW.review_due_at > NEW.screened_at THEN
        RAISE EXCEPTION 'a review screening is the system agent''s, on the entity''s case with its subject, once the review is due'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'review_screenings_due_review';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER trg_review_screenings_guard BEFORE INSERT ON review_screenings
    FOR EACH ROW EXECUTE FUNCTION review_screenings_guard();
CREATE TRIGGER trg_review_screenings_append_only BEFORE UPDATE OR DELETE ON review_screenings
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER trg_review_screenings_no_truncate BEFORE TRUNCATE ON review_screenings
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Each review screening has its audit entry, by its agent, naming its case, due date and
-- outcome (checked at commit: the row and the entry are written in one transaction).
CREATE FUNCTION review_screenings_audited() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM audit_logs a
                    WHERE a.action = 'review_screened' AND a.subject_id = NEW.compliance_check_id
                      AND a.actor_id = NEW.agent_id AND a.entity_id = NEW.entity_id
                      AND (a.details ->> 'review_due_at')::TIMESTAMPTZ = NEW.review_due_at
                      AND a.details ->> 'outcome' = NEW.outcome
                      AND a.details ->> 'subject_id' = NEW.subject_id::TEXT) THEN
        RAISE EXCEPTION 'the review screening of case % has no audit entry', NEW.compliance_check_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'review_screenings_audited';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER trg_review_screenings_audited AFTER INSERT ON review_screenings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION review_screenings_audited();

-- How the commit check above finds a review screening's audit entry.
CREATE INDEX idx_audit_logs_review_screened ON audit_logs (subject_id)
    WHERE action = 'review_screened';

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded',
    'false_positive_proposed', 'false_positive_confirmed', 'override_confirmed', 'note_erased',
    'api_token_created', 'api_token_revoked', 'password_set',
    'watchlist_imported', 'subject_recorded', 'subject_erased',
    'endpoint_created', 'endpoint_updated', 'events_replayed',
    'screening_job_completed', 'delisting_flagged',
    'case_claimed', 'case_assigned', 'case_released', 'review_screened'));

-- A job's end is when its last transaction finished its work, not when that transaction began
-- (`now()`): the transaction that finishes a job also screens the known counterparties, which
-- `finished_at - started_at` must count.
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
        NEW.finished_at := clock_timestamp();
        NEW.lease_until := NULL;
        NEW.lease_token := NULL;
    END IF;
    RETURN NEW;
END
$$;
