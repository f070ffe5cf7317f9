-- Undoes up.sql exactly. The audit CHECKs go back to the ten actions and six subject kinds: a
-- database holding entries of the new ones cannot go down (the ADD CONSTRAINT fails and names
-- the constraint) rather than lose them.
DROP TRIGGER trg_users_audit ON users;
DROP FUNCTION users_audit_change();

CREATE OR REPLACE FUNCTION blockchain_transactions_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.compliance_status <> 'PENDING' OR NEW.revision <> 1 THEN
            RAISE EXCEPTION 'a transaction is recorded PENDING at revision 1, then decided'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_transactions_new';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'blockchain transaction % cannot be deleted', OLD.id
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'blockchain_transactions_kept';
    END IF;
    IF (NEW.id, NEW.monitoring_id, NEW.tx_hash, NEW.direction, NEW.amount, NEW.asset, NEW.counterparty, NEW.observed_at,
        NEW.risk_score, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.monitoring_id, OLD.tx_hash, OLD.direction, OLD.amount, OLD.asset, OLD.counterparty, OLD.observed_at,
        OLD.risk_score, OLD.created_at) THEN
        RAISE EXCEPTION 'blockchain transaction %: what was observed never changes', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_transactions_observed';
    END IF;
    IF NEW.revision <> OLD.revision + 1 THEN
        RAISE EXCEPTION 'blockchain transaction %: revision must go from % to %, got %', OLD.id, OLD.revision, OLD.revision + 1, NEW.revision
            USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_transactions_revision';
    END IF;
    IF NEW.compliance_status IS DISTINCT FROM OLD.compliance_status
       AND NOT status_transition_allowed(OLD.compliance_status, NEW.compliance_status, TRUE) THEN
        RAISE EXCEPTION 'blockchain transaction %: % -> % is not an allowed status change', OLD.id, OLD.compliance_status, NEW.compliance_status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_transactions_status_transition';
    END IF;
    RETURN NEW;
END
$$;

DROP INDEX idx_blockchain_transactions_decided_by;
ALTER TABLE blockchain_transactions DROP COLUMN decided_by;

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_subject_kind;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_subject_kind CHECK (subject_kind IN ('user', 'compliance_rule', 'kyc_check', 'aml_check',
    'compliance_check', 'blockchain_transaction'));
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened'));
