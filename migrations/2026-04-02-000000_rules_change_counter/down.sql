-- Undoes up.sql exactly: compliance_rules_guard() as the first migration wrote it, then the
-- counter's triggers, function and table.
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
    RETURN NEW;
END
$$;

DROP TRIGGER trg_compliance_rules_count_update ON compliance_rules;
DROP TRIGGER trg_compliance_rules_count_insert ON compliance_rules;
DROP FUNCTION compliance_rules_count_change();
DROP TABLE compliance_rules_state;
DROP FUNCTION compliance_rules_state_guard();
