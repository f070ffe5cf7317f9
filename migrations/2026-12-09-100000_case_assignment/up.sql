-- Issue 23, parts 1 and 2: who works which case, and how long it has waited.
--
-- Assignment lives on the case row (assigned_to, assigned_by, assigned_at), so that a claim is
-- an update that names the revision it read (two reviewers claiming at once: the second is a
-- lost race, never an overwrite) and the queue filters by assignee through an index in its own
-- order. Who may claim, assign and release, and that an analyst never decides a case assigned
-- to someone else, the guard below says again; an officer or admin may, and the service
-- records it in the decision's audit entry. Service levels are policy rows with effective
-- periods, as rule versions are. Expand only: nullable columns, a new table, a wider check.

ALTER TABLE compliance_checks
    ADD COLUMN assigned_to UUID,
    ADD COLUMN assigned_by UUID,
    ADD COLUMN assigned_at TIMESTAMPTZ,
    ADD CONSTRAINT fk_compliance_checks_assigned_to FOREIGN KEY (assigned_to) REFERENCES users (id),
    ADD CONSTRAINT fk_compliance_checks_assigned_by FOREIGN KEY (assigned_by) REFERENCES users (id),
    -- assigned_by and assigned_at: who last changed the assignment (claim, assignment or
    -- release) and when; an assignee always has them.
    ADD CONSTRAINT ck_compliance_checks_assignment CHECK (
        (assigned_by IS NULL) = (assigned_at IS NULL)
        AND (assigned_to IS NULL OR assigned_by IS NOT NULL));

-- An assignment is changed by an active reviewer, only on a case in the review queue, to a
-- reviewer whose role may decide the case's status; an analyst claims an unassigned case (or
-- releases their own), never assigns someone else. A reviewer's step on a case assigned to
-- someone else (a decision, a proposal) is an officer's or an admin's, never an analyst's.
CREATE FUNCTION compliance_checks_assignment_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    actor_role TEXT;
    assignee_role TEXT;
    actor UUID;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.assigned_to IS NOT NULL OR NEW.assigned_by IS NOT NULL OR NEW.assigned_at IS NOT NULL THEN
            RAISE EXCEPTION 'a new case starts unassigned'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_assignment';
        END IF;
        RETURN NEW;
    END IF;
    IF (NEW.assigned_to, NEW.assigned_by, NEW.assigned_at) IS DISTINCT FROM (OLD.assigned_to, OLD.assigned_by, OLD.assigned_at) THEN
        IF NEW.status IS DISTINCT FROM OLD.status OR NEW.approval_proposed_by IS DISTINCT FROM OLD.approval_proposed_by THEN
            RAISE EXCEPTION 'compliance check %: an assignment changes on its own, not with a decision', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_assignment';
        END IF;
        SELECT role INTO actor_role FROM users WHERE id = NEW.assigned_by AND active;
        IF actor_role IS NULL OR actor_role = 'system' THEN
            RAISE EXCEPTION 'compliance check %: user % is not an active reviewer and assigns nothing', OLD.id, NEW.assigned_by
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_assignment_actor';
        END IF;
        IF NOT (NEW.status IN ('PENDING', 'ESCALATED')
                OR queue_flag(NEW.engine_status, NEW.status, NEW.engine_decided_at, NEW.created_at, NEW.decided_at)) THEN
            RAISE EXCEPTION 'compliance check %: only a case in the review queue is assigned (this one is %)', OLD.id, NEW.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_assignment_queue';
        END IF;
        IF actor_role = 'analyst'
           AND (NEW.assigned_to IS NOT NULL AND NEW.assigned_to <> NEW.assigned_by
                OR OLD.assigned_to IS NOT NULL AND OLD.assigned_to <> NEW.assigned_by) THEN
            RAISE EXCEPTION 'compliance check %: an analyst claims an unassigned case or releases their own; assigning is an officer''s or an admin''s', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_assignment_actor';
        END IF;
        IF NEW.assigned_to IS NOT NULL THEN
            SELECT role INTO assignee_role FROM users WHERE id = NEW.assigned_to AND active;
            IF assignee_role IS NULL
               OR NOT (assignee_role IN ('admin', 'compliance_officer') AND NEW.status IN ('PENDING', 'ESCALATED', 'APPROVED')
                       OR assignee_role = 'analyst' AND NEW.status = 'PENDING') THEN
                RAISE EXCEPTION 'compliance check %: user % is not an active reviewer who may decide a % case', OLD.id, NEW.assigned_to, NEW.status
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_assignee';
            END IF;
        END IF;
        -- The assignment's time is the database's.
        NEW.assigned_at := clock_timestamp();
    ELSIF OLD.assigned_to IS NOT NULL THEN
        actor := CASE
            WHEN NEW.status IS DISTINCT FROM OLD.status THEN NEW.decided_by
            WHEN NEW.approval_proposed_by IS DISTINCT FROM OLD.approval_proposed_by THEN NEW.approval_proposed_by
        END;
        IF actor IS NOT NULL AND actor <> OLD.assigned_to
           AND EXISTS (SELECT 1 FROM users WHERE id = actor AND role = 'analyst') THEN
            RAISE EXCEPTION 'compliance check %: it is assigned to user %; an analyst does not decide a case assigned to someone else', OLD.id, OLD.assigned_to
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_assigned_elsewhere';
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_compliance_checks_assignment BEFORE INSERT OR UPDATE ON compliance_checks
    FOR EACH ROW EXECUTE FUNCTION compliance_checks_assignment_guard();

-- The queue filtered by assignee ("mine", someone's) or unassigned (assigned_to IS NULL, which
-- a btree answers as an equality), in the queue's order: leads with the filtered column, then
-- holds the queue's key, partial like idx_compliance_checks_queue. It is also the index of
-- fk_compliance_checks_assigned_to.
CREATE INDEX idx_compliance_checks_queue_assignee ON compliance_checks (
    assigned_to,
    (-risk_score),
    (NOT queue_flag(engine_status, status, engine_decided_at, created_at, decided_at)),
    created_at,
    id
) WHERE status IN ('PENDING', 'ESCALATED')
     OR queue_flag(engine_status, status, engine_decided_at, created_at, decided_at);

-- The queue's overdue cases: a case is past its service level when it entered its status
-- (decided_at) before now minus its jurisdiction's target for that status, so the overdue
-- cases are, per jurisdiction and status, a range of decided_at; the page's filter names the
-- six ranges (repo::reports), which this index answers as a bitmap of index ranges, however
-- few of the queue's cases are overdue.
CREATE INDEX idx_compliance_checks_queue_waiting ON compliance_checks (jurisdiction, status, decided_at)
    WHERE status IN ('PENDING', 'ESCALATED');

-- fk_compliance_checks_assigned_by's index; only changed cases hold a value.
CREATE INDEX idx_compliance_checks_assigned_by ON compliance_checks (assigned_by)
    WHERE assigned_by IS NOT NULL;

-- ---------------------------------------------------------------------------------------------
-- service_levels: how long a case may wait in a status, per jurisdiction, with effective periods
-- ---------------------------------------------------------------------------------------------

CREATE TABLE service_levels (
    id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    jurisdiction    TEXT NOT NULL,
    status          TEXT NOT NULL,
    target_hours    INTEGER NOT NULL,
    effective_from  TIMESTAMPTZ NOT NULL,
    effective_to    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT ck_service_levels_jurisdiction CHECK (jurisdiction IN ('AE', 'IN', 'US')),
    CONSTRAINT ck_service_levels_status CHECK (status IN ('PENDING', 'ESCALATED')),
    -- An hour to a year.
    CONSTRAINT ck_service_levels_target CHECK (target_hours BETWEEN 1 AND 8760),
    CONSTRAINT ck_service_levels_period CHECK (effective_to IS NULL OR effective_to > effective_from),
    -- For one jurisdiction and status, no two targets are in force at the same moment.
    CONSTRAINT ex_service_levels_one_in_force EXCLUDE USING gist (
        jurisdiction WITH =, status WITH =, tstzrange(effective_from, effective_to, '[)') WITH &&)
);

-- A target is never edited or deleted: it is closed (effective_to set or brought forward, never
-- into the past) when the next one takes over, as a rule version is.
CREATE FUNCTION service_levels_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'service level % is kept; close it by setting effective_to', OLD.id
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'service_levels_immutable';
    END IF;
    IF (NEW.id, NEW.jurisdiction, NEW.status, NEW.target_hours, NEW.effective_from, NEW.created_at)
       IS DISTINCT FROM (OLD.id, OLD.jurisdiction, OLD.status, OLD.target_hours, OLD.effective_from, OLD.created_at)
       OR NEW.effective_to IS NULL AND OLD.effective_to IS NOT NULL
       OR NEW.effective_to > OLD.effective_to
       OR NEW.effective_to IS DISTINCT FROM OLD.effective_to AND NEW.effective_to < now() THEN
        RAISE EXCEPTION 'service level % is only closed, from now on; publish a new target instead', OLD.id
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'service_levels_immutable';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_service_levels_guard BEFORE UPDATE OR DELETE ON service_levels
    FOR EACH ROW EXECUTE FUNCTION service_levels_guard();
CREATE TRIGGER trg_service_levels_no_truncate BEFORE TRUNCATE ON service_levels
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- The defaults, in every jurisdiction: an escalation is decided within 48 hours, a PENDING
-- case (evidence asked for, or a reviewer's first look) within seven days.
INSERT INTO service_levels (jurisdiction, status, target_hours, effective_from)
SELECT j, s, h, '2026-01-01T00:00:00Z'
  FROM unnest(ARRAY['AE', 'IN', 'US']) j
 CROSS JOIN (VALUES ('ESCALATED', 48), ('PENDING', 168)) t(s, h);

-- ---------------------------------------------------------------------------------------------
-- The audit vocabulary, and the queue with the assignee and the clock
-- ---------------------------------------------------------------------------------------------

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

-- The queue's new columns come last (CREATE OR REPLACE VIEW only appends). status_since is
-- when the case entered its status (decided_at: set by the guard at every status change);
-- due_at adds the jurisdiction's target for that status in force now (the exclusion
-- constraint leaves at most one), and overdue says it has passed. The join reads one row of a
-- small table per case of the page, through the constraint's index.
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
       queue_flag(cc.engine_status, cc.status, cc.engine_decided_at, cc.created_at, cc.decided_at) AS engine_stricter,
       cc.assigned_to,
       cc.decided_at AS status_since,
       cc.decided_at + make_interval(hours => sl.target_hours) AS due_at,
       coalesce(cc.decided_at + make_interval(hours => sl.target_hours) <= now(), false) AS overdue
FROM compliance_checks cc
JOIN kyc_checks k ON k.id = cc.kyc_check_id
JOIN aml_checks a ON a.id = cc.aml_check_id
LEFT JOIN service_levels sl ON sl.jurisdiction = cc.jurisdiction AND sl.status = cc.status
     AND sl.effective_from <= now() AND (sl.effective_to IS NULL OR sl.effective_to > now())
WHERE (cc.status IN ('PENDING', 'ESCALATED')
       OR queue_flag(cc.engine_status, cc.status, cc.engine_decided_at, cc.created_at, cc.decided_at))
  -- An approval over an engine rejection, written before the guard refused it, leaves the
  -- queue once an override clears it.
  AND NOT (cc.engine_status = 'REJECTED' AND cc.status = 'APPROVED'
           AND rejection_overridden(cc.id, cc.aml_check_id, cc.jurisdiction, cc.reasons))
  AND NOT EXISTS (SELECT 1 FROM case_submissions s JOIN case_submissions n ON n.entity_id = s.entity_id AND n.sequence > s.sequence
                   WHERE s.compliance_check_id = cc.id);
