-- The rules cache's fingerprint, and no rule version closed in the past.
--
-- 1. compliance_rules_state: one row per jurisdiction whose `changes` rises by one with every
--    statement that inserts or updates that jurisdiction's compliance_rules rows (statement
--    triggers with transition tables). The cache compares it, and nothing else: the old
--    fingerprint (row count plus max(updated_at)) missed a change whose updated_at, the
--    transaction's start time, was not later than the latest one already seen, e.g. a
--    transaction that began before another one's change and committed after it.
-- 2. compliance_rules_guard(): effective_to may be set or brought forward only to a time
--    >= now(). A version closed in the past would rewrite which rules decided the cases of the
--    meantime; the engine recorded the versions it used, and they stay true.

CREATE TABLE compliance_rules_state (
    jurisdiction  TEXT PRIMARY KEY,
    changes       BIGINT NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT ck_compliance_rules_state_jurisdiction CHECK (jurisdiction IN ('AE', 'IN', 'US')),
    CONSTRAINT ck_compliance_rules_state_changes CHECK (changes >= 0),
    CONSTRAINT ck_compliance_rules_state_timestamps CHECK (created_at <= updated_at)
);

INSERT INTO compliance_rules_state (jurisdiction) VALUES ('AE'), ('IN'), ('US');

-- The counter only rises and its rows stay: a counter that went back, or a row deleted and
-- inserted again at 0, could repeat a value a cache holds and hide a change from it.
CREATE FUNCTION compliance_rules_state_guard() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the change counter of % cannot be deleted', OLD.jurisdiction
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'compliance_rules_state_counter';
    END IF;
    IF NEW.jurisdiction IS DISTINCT FROM OLD.jurisdiction OR NEW.changes <= OLD.changes THEN
        RAISE EXCEPTION 'the change counter of % only rises (from %, got %)', OLD.jurisdiction, OLD.changes, NEW.changes
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_rules_state_counter';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_compliance_rules_state_guard BEFORE UPDATE OR DELETE ON compliance_rules_state
    FOR EACH ROW EXECUTE FUNCTION compliance_rules_state_guard();
CREATE TRIGGER trg_compliance_rules_state_updated_at BEFORE UPDATE ON compliance_rules_state
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER trg_compliance_rules_state_no_truncate BEFORE TRUNCATE ON compliance_rules_state
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Raises the counter of every jurisdiction the statement's rows belong to (once per statement;
-- a statement that changed no row raises nothing). SECURITY DEFINER: whoever may write
-- compliance_rules moves the counter without holding any privilege on it; its search_path is
-- pinned, as a definer function's must be.
CREATE FUNCTION compliance_rules_count_change() RETURNS TRIGGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    INSERT INTO compliance_rules_state AS s (jurisdiction, changes)
    SELECT DISTINCT jurisdiction, 1 FROM changed_rules
    ON CONFLICT (jurisdiction) DO UPDATE SET changes = s.changes + 1;
    RETURN NULL;
END
$$;

-- A trigger with transition tables serves one event, hence two.
CREATE TRIGGER trg_compliance_rules_count_insert AFTER INSERT ON compliance_rules
    REFERENCING NEW TABLE AS changed_rules
    FOR EACH STATEMENT EXECUTE FUNCTION compliance_rules_count_change();
CREATE TRIGGER trg_compliance_rules_count_update AFTER UPDATE ON compliance_rules
    REFERENCING NEW TABLE AS changed_rules
    FOR EACH STATEMENT EXECUTE FUNCTION compliance_rules_count_change();

-- compliance_rules_guard() as the first migration wrote it, plus the rule on the end date.
CREATE OR REPLACE FUNCTION compliance_rules_guard() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'compliance rule % v% is published and cannot be deleted; close it by setting effective_to',
            OLD.code, OLD.version
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'compliance_rules_immutable';
    END IF;
    IF (NEW.id, NEW.jurisdiction, NEW.code, NEW.version, NEW.parameters, NEW.effective_from,
        NEW.regulation, NEW.description, NEW.published_by)
       IS DISTINCT FROM
       (OLD.id, OLD.jurisdiction, OLD.code, OLD.version, OLD.parameters, OLD.effective_from,
        OLD.regulation, OLD.description, OLD.published_by) THEN
        RAISE EXCEPTION 'compliance rule % v% is published and cannot be edited; publish version % instead',
            OLD.code, OLD.version, OLD.version + 1
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'compliance_rules_immutable';
    END IF;
    IF NEW.effective_to IS NULL AND OLD.effective_to IS NOT NULL
       OR NEW.effective_to > OLD.effective_to THEN
        RAISE EXCEPTION 'compliance rule % v% can only be closed earlier, never reopened or extended',
            OLD.code, OLD.version
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'compliance_rules_immutable';
    END IF;
    IF NEW.effective_to IS DISTINCT FROM OLD.effective_to AND NEW.effective_to < now() THEN
        RAISE EXCEPTION 'compliance rule % v% cannot be closed at %, which is in the past: close it at or after now (%)',
            OLD.code, OLD.version, NEW.effective_to, now()
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_rules_closed_in_past';
    END IF;
    RETURN NEW;
END
$$;
