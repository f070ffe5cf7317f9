-- Ongoing monitoring (issue 19): every imported list version starts one screening job that
-- screens the whole base against what the version added or changed, batch by batch under a
-- committed cursor, and ends with a Merkle root over the entities it screened, written into the
-- audit chain (so a checkpoint signs it). Entities that matched an entry the version removed are
-- flagged for review; nothing is relaxed by a removal.

-- ---------------------------------------------------------------------------------------------
-- 1. Jobs: one per list version, created by the import itself
-- ---------------------------------------------------------------------------------------------

CREATE TABLE screening_jobs (
    id                   UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    version_id           UUID NOT NULL,
    list_name            VARCHAR(64) NOT NULL,
    -- The version the delta is taken against (NULL for a list's first version: all of it is new).
    previous_version_id  UUID,
    state                TEXT NOT NULL DEFAULT 'queued',
    -- Entries the version added or changed, and removed, against the previous one (set at start).
    added                INTEGER NOT NULL DEFAULT 0,
    removed              INTEGER NOT NULL DEFAULT 0,
    -- The last entity screened: the next batch starts after it.
    cursor_entity        VARCHAR(64),
    batches              INTEGER NOT NULL DEFAULT 0,
    screened             BIGINT NOT NULL DEFAULT 0,
    -- Entities with a new or stronger match; of them, cases re-screened, and of those, cases
    -- now escalated (or flagged stricter) and rejected.
    matched              BIGINT NOT NULL DEFAULT 0,
    rescreened           BIGINT NOT NULL DEFAULT 0,
    escalated            BIGINT NOT NULL DEFAULT 0,
    rejected             BIGINT NOT NULL DEFAULT 0,
    -- Entities flagged for review because an entry their screening matched left the list.
    delisted             BIGINT NOT NULL DEFAULT 0,
    -- The watched wallets' known counterparties screened against the version's added or
    -- changed wallet addresses when the base is done, those listed, and the transactions
    -- flagged for them.
    counterparties       BIGINT NOT NULL DEFAULT 0,
    counterparty_hits    BIGINT NOT NULL DEFAULT 0,
    transactions_flagged BIGINT NOT NULL DEFAULT 0,
    -- Milliseconds spent screening and writing (the throttle's pauses left out).
    busy_ms              BIGINT NOT NULL DEFAULT 0,
    -- The system agent the job acts as (set when it starts), and the lease of the worker running
    -- it: a worker writes a batch only while its token is the job's.
    agent_id             UUID REFERENCES users (id),
    lease_token          UUID,
    lease_until          TIMESTAMPTZ,
    -- RFC 9162 Merkle tree hash over the batches' leaves, in entity order (set when done).
    root                 BYTEA,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at           TIMESTAMPTZ,
    finished_at          TIMESTAMPTZ,
    -- At most one job per list version.
    CONSTRAINT uq_screening_jobs_version UNIQUE (version_id),
    CONSTRAINT fk_screening_jobs_version FOREIGN KEY (version_id, list_name)
        REFERENCES watchlist_versions (id, list_name),
    CONSTRAINT fk_screening_jobs_previous FOREIGN KEY (previous_version_id, list_name)
        REFERENCES watchlist_versions (id, list_name),
    CONSTRAINT ck_screening_jobs_state CHECK (state IN ('queued', 'running', 'done')),
    CONSTRAINT ck_screening_jobs_started CHECK (
        (state = 'queued') = (started_at IS NULL) AND (started_at IS NULL) = (agent_id IS NULL)),
    CONSTRAINT ck_screening_jobs_finished CHECK (
        (state = 'done') = (finished_at IS NOT NULL) AND (state = 'done') = (root IS NOT NULL)
        AND (root IS NULL OR octet_length(root) = 32)),
    CONSTRAINT ck_screening_jobs_counts CHECK (
        added >= 0 AND removed >= 0 AND batches >= 0 AND busy_ms >= 0
        AND screened >= 0 AND matched BETWEEN 0 AND screened AND rescreened BETWEEN 0 AND matched
        AND escalated + rejected <= rescreened AND escalated >= 0 AND rejected >= 0
        AND delisted BETWEEN 0 AND screened
        AND counterparty_hits BETWEEN 0 AND counterparties AND transactions_flagged >= 0),
    CONSTRAINT ck_screening_jobs_times CHECK (
        created_at <= started_at AND started_at <= finished_at)
);
CREATE INDEX idx_screening_jobs_open ON screening_jobs (created_at) WHERE state <> 'done';
CREATE INDEX idx_screening_jobs_previous_version_id ON screening_jobs (previous_version_id, list_name)
    WHERE previous_version_id IS NOT NULL;
CREATE INDEX idx_screening_jobs_agent_id ON screening_jobs (agent_id) WHERE agent_id IS NOT NULL;

-- Every new list version gets its job, in the import's own transaction: no import can leave
-- the base unscreened against it.
CREATE FUNCTION watchlist_versions_job() RETURNS TRIGGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    INSERT INTO screening_jobs (version_id, list_name, previous_version_id)
    VALUES (NEW.id, NEW.list_name, NEW.previous_version_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER trg_watchlist_versions_job AFTER INSERT ON watchlist_versions
    FOR EACH ROW EXECUTE FUNCTION watchlist_versions_job();

-- A job is created only by its version's import; its identity never changes; it moves
-- queued -> running -> done; its counts and cursor only move forward, one batch at a time;
-- it is run by an active system agent; once done, nothing changes. Never deleted.
CREATE FUNCTION screening_jobs_guard() RETURNS TRIGGER
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
CREATE TRIGGER trg_screening_jobs_guard BEFORE INSERT OR UPDATE OR DELETE ON screening_jobs
    FOR EACH ROW EXECUTE FUNCTION screening_jobs_guard();
CREATE TRIGGER trg_screening_jobs_no_truncate BEFORE TRUNCATE ON screening_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- ---------------------------------------------------------------------------------------------
-- 2. Batches: the entities a job screened, in order, with their leaves
-- ---------------------------------------------------------------------------------------------

-- One leaf of a job's Merkle tree: SHA-256 over the fields joined by the unit separator 0x1f,
-- the time as the audit log writes it (UTC, microseconds: screening_leaf_time()).
-- compliance-audit's `screening::leaf_hash` computes the same, offline.
CREATE FUNCTION screening_leaf_time(at TIMESTAMPTZ) RETURNS TEXT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;
CREATE FUNCTION screening_leaf(job UUID, version UUID, entity TEXT, commitment TEXT, outcome TEXT, stamp TEXT)
RETURNS BYTEA
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT sha256(convert_to(concat_ws(chr(31), 'compliance-db screening leaf v1', job::text, version::text, entity,
                                       commitment, outcome, stamp), 'UTF8'))
$$;

CREATE TABLE screening_job_batches (
    job_id        UUID NOT NULL REFERENCES screening_jobs (id),
    batch         INTEGER NOT NULL,
    first_entity  VARCHAR(64) NOT NULL,
    last_entity   VARCHAR(64) NOT NULL,
    screened_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- [[entity, subject commitment (hex), outcome], ...] in entity order. Ids and codes only: a
    -- commitment reveals nothing of the subject.
    members       JSONB NOT NULL,
    -- Each member's leaf (screening_leaf), 32 bytes each, in order: written by the guard.
    leaves        BYTEA NOT NULL,
    PRIMARY KEY (job_id, batch),
    CONSTRAINT ck_screening_job_batches_batch CHECK (batch >= 1),
    CONSTRAINT ck_screening_job_batches_range CHECK (first_entity <= last_entity),
    CONSTRAINT ck_screening_job_batches_members CHECK (
        jsonb_typeof(members) = 'array' AND jsonb_array_length(members) BETWEEN 1 AND 10000),
    CONSTRAINT ck_screening_job_batches_leaves CHECK (octet_length(leaves) = 32 * jsonb_array_length(members))
);
CREATE INDEX idx_screening_job_batches_entity ON screening_job_batches (job_id, last_entity);

-- A batch is the job's next one, of a running job, after its cursor; its members are in strict
-- entity order, each a current subject with the commitment given and one of the outcomes; the
-- leaves are computed here, not taken from the writer. Never changed.
CREATE FUNCTION screening_job_batches_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    job screening_jobs%ROWTYPE;
    bad BIGINT;
    stamp TEXT;
BEGIN
    SELECT * INTO job FROM screening_jobs WHERE id = NEW.job_id FOR UPDATE;
    IF NOT FOUND OR job.state <> 'running' OR NEW.batch <> job.batches + 1
       OR (job.cursor_entity IS NOT NULL AND NEW.first_entity <= job.cursor_entity) THEN
        RAISE EXCEPTION 'a batch of screening job % is its running job''s next, after its cursor', NEW.job_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'screening_job_batches_next';
    END IF;
    SELECT count(*) INTO bad
      FROM (SELECT m, ord, lag(m ->> 0) OVER (ORDER BY ord) AS before, count(*) OVER () AS n
              FROM jsonb_array_elements(NEW.members) WITH ORDINALITY AS t(m, ord)) e
     WHERE jsonb_typeof(e.m) <> 'array' OR jsonb_array_length(e.m) <> 3
        OR e.m ->> 2 NOT IN ('clear', 'known', 'match', 'delisted')
        OR (e.before IS NOT NULL AND e.m ->> 0 <= e.before)
        OR (e.ord = 1 AND e.m ->> 0 <> NEW.first_entity)
        OR (e.ord = e.n AND e.m ->> 0 <> NEW.last_entity)
        OR NOT EXISTS (SELECT 1 FROM screening_subjects s
                        WHERE s.entity_id = e.m ->> 0 AND s.subject IS NOT NULL
                          AND s.commitment = decode(e.m ->> 1, 'hex'));
    IF bad > 0 THEN
        RAISE EXCEPTION 'batch % of screening job %: % members are out of order, not a recorded subject, or of an unknown outcome',
            NEW.batch, NEW.job_id, bad
            USING ERRCODE = 'check_violation', CONSTRAINT = 'screening_job_batches_members_valid';
    END IF;
    NEW.screened_at := now();
    stamp := screening_leaf_time(NEW.screened_at);
    SELECT string_agg(screening_leaf(job.id, job.version_id, m ->> 0, m ->> 1, m ->> 2, stamp), ''::BYTEA ORDER BY ord)
      INTO NEW.leaves
      FROM jsonb_array_elements(NEW.members) WITH ORDINALITY AS t(m, ord);
    RETURN NEW;
END
$$;
CREATE TRIGGER trg_screening_job_batches_guard BEFORE INSERT ON screening_job_batches
    FOR EACH ROW EXECUTE FUNCTION screening_job_batches_guard();
CREATE TRIGGER trg_screening_job_batches_append_only BEFORE UPDATE OR DELETE ON screening_job_batches
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER trg_screening_job_batches_no_truncate BEFORE TRUNCATE ON screening_job_batches
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- ---------------------------------------------------------------------------------------------
-- 3. Flags: an entity whose screening matched an entry a new version removed
-- ---------------------------------------------------------------------------------------------

CREATE TABLE screening_flags (
    job_id               UUID NOT NULL REFERENCES screening_jobs (id),
    entity_id            VARCHAR(64) NOT NULL,
    compliance_check_id  UUID NOT NULL REFERENCES compliance_checks (id),
    list_name            VARCHAR(64) NOT NULL,
    entry_ref            VARCHAR(64) NOT NULL,
    flagged_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, entity_id, entry_ref),
    CONSTRAINT ck_screening_flags_entry_ref CHECK (entry_ref ~ '^[!-~]{1,64}$')
);
CREATE INDEX idx_screening_flags_case ON screening_flags (compliance_check_id);
CREATE INDEX idx_screening_flags_entity ON screening_flags (entity_id, flagged_at DESC);

-- A flag names an entry the job's previous version held and its version does not, on the
-- entity's case, while its job runs. Never changed.
CREATE FUNCTION screening_flags_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    job screening_jobs%ROWTYPE;
BEGIN
    SELECT * INTO job FROM screening_jobs WHERE id = NEW.job_id;
    IF job.state IS DISTINCT FROM 'running' OR job.list_name <> NEW.list_name
       OR NOT EXISTS (SELECT 1 FROM watchlist_entries WHERE version_id = job.previous_version_id AND entry_ref = NEW.entry_ref)
       OR EXISTS (SELECT 1 FROM watchlist_entries WHERE version_id = job.version_id AND entry_ref = NEW.entry_ref)
       OR NOT EXISTS (SELECT 1 FROM case_submissions WHERE compliance_check_id = NEW.compliance_check_id
                                                       AND entity_id = NEW.entity_id) THEN
        RAISE EXCEPTION 'a screening flag names an entry its running job''s version removed, on the entity''s case'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'screening_flags_removed_entry';
    END IF;
    NEW.flagged_at := now();
    RETURN NEW;
END
$$;
CREATE TRIGGER trg_screening_flags_guard BEFORE INSERT ON screening_flags
    FOR EACH ROW EXECUTE FUNCTION screening_flags_guard();
CREATE TRIGGER trg_screening_flags_append_only BEFORE UPDATE OR DELETE ON screening_flags
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER trg_screening_flags_no_truncate BEFORE TRUNCATE ON screening_flags
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- ---------------------------------------------------------------------------------------------
-- 4. The audit vocabulary and the events of monitoring
-- ---------------------------------------------------------------------------------------------

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded',
    'false_positive_proposed', 'false_positive_confirmed', 'override_confirmed', 'note_erased',
    'api_token_created', 'api_token_revoked', 'password_set',
    'watchlist_imported', 'subject_recorded', 'subject_erased',
    'endpoint_created', 'endpoint_updated', 'events_replayed',
    'screening_job_completed', 'delisting_flagged'));
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_subject_kind;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_subject_kind CHECK (subject_kind IN ('user', 'compliance_rule', 'kyc_check', 'aml_check',
    'compliance_check', 'blockchain_transaction', 'blockchain_monitoring', 'false_positive', 'review_note',
    'api_token', 'watchlist_version', 'screening_subject', 'event_endpoint', 'screening_job'));

-- A job's completion is recorded once, by its agent, with the root and size of its tree (what a
-- checkpoint then signs); the job must be done with that root.
CREATE FUNCTION audit_logs_screening_job_check() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM screening_jobs j
                    WHERE j.id = NEW.subject_id::UUID AND j.state = 'done' AND j.agent_id::text = NEW.actor_id::text
                      AND encode(j.root, 'hex') = NEW.details ->> 'root'
                      AND j.screened = (NEW.details ->> 'size')::BIGINT
                      AND j.version_id::text = NEW.details ->> 'version_id') THEN
        RAISE EXCEPTION 'the completion of screening job % is recorded by its agent, with its root and size, once it is done', NEW.subject_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'audit_logs_screening_job_done';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER trg_audit_logs_screening_job AFTER INSERT ON audit_logs
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.action = 'screening_job_completed')
    EXECUTE FUNCTION audit_logs_screening_job_check();
CREATE UNIQUE INDEX uq_audit_logs_screening_job_completed ON audit_logs (subject_id)
    WHERE action = 'screening_job_completed';

CREATE OR REPLACE FUNCTION event_types() RETURNS TEXT[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['case.decided', 'case.status_changed', 'case.approval_proposed', 'case.rescreened',
                 'case.verdict_flagged', 'case.override_confirmed', 'match.clearance_proposed',
                 'match.cleared', 'transaction.recorded', 'transaction.status_changed',
                 'case.delisting_flagged']
$$;

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
        WHEN action = 'delisting_flagged' THEN 'case.delisting_flagged'
    END
$$;

DROP TRIGGER trg_audit_logs_event ON audit_logs;
CREATE TRIGGER trg_audit_logs_event AFTER INSERT ON audit_logs
    FOR EACH ROW
    WHEN (NEW.entity_id IS NOT NULL AND NEW.action IN ('decision_recorded', 'status_changed', 'approval_proposed',
          'rescreened', 'override_confirmed', 'false_positive_proposed', 'false_positive_confirmed',
          'transaction_recorded', 'delisting_flagged'))
    EXECUTE FUNCTION audit_logs_event();
