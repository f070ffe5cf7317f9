-- Undoes up.sql exactly: the guard as 2026-04-01-000000_audit_coverage left it, then the
-- indexes and functions.
CREATE OR REPLACE FUNCTION blockchain_transactions_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    decider_role TEXT;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.compliance_status <> 'PENDING' OR NEW.revision <> 1 OR NEW.decided_by IS NOT NULL THEN
            RAISE EXCEPTION 'a transaction is recorded PENDING at revision 1, undecided, then decided'
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
    IF NEW.compliance_status IS DISTINCT FROM OLD.compliance_status THEN
        IF NOT status_transition_allowed(OLD.compliance_status, NEW.compliance_status, TRUE) THEN
            RAISE EXCEPTION 'blockchain transaction %: % -> % is not an allowed status change', OLD.id, OLD.compliance_status, NEW.compliance_status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_transactions_status_transition';
        END IF;
        -- Who may decide what (domain: TransactionDecision, Role::may_review): analysts PENDING
        -- transactions; admins and compliance officers also ESCALATED and APPROVED ones; the
        -- system agent none (transaction monitoring has no engine).
        SELECT role INTO decider_role FROM users WHERE id = NEW.decided_by AND active;
        IF decider_role IS NULL THEN
            RAISE EXCEPTION 'blockchain transaction %: a status change names its decider, an active user (got %)', OLD.id, coalesce(NEW.decided_by::text, 'none')
                USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_transactions_decider';
        END IF;
        IF NOT (decider_role IN ('admin', 'compliance_officer') AND OLD.compliance_status IN ('PENDING', 'ESCALATED', 'APPROVED')
                OR decider_role = 'analyst' AND OLD.compliance_status = 'PENDING') THEN
            RAISE EXCEPTION 'blockchain transaction %: a % may not decide a % transaction', OLD.id, decider_role, OLD.compliance_status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_transactions_decider';
        END IF;
    ELSIF NEW.decided_by IS DISTINCT FROM OLD.decided_by THEN
        RAISE EXCEPTION 'blockchain transaction %: the decider changes only with the status', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_transactions_decider';
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER trg_blockchain_transactions_listed ON blockchain_transactions;
DROP FUNCTION blockchain_transactions_listed_check();
DROP INDEX idx_blockchain_transactions_counterparty;
DROP FUNCTION wallet_listed(TEXT);
DROP FUNCTION listed_wallets();
DROP INDEX idx_watchlist_entries_wallets;
DROP FUNCTION watchlist_entry_wallets(JSONB);
DROP FUNCTION normal_wallet(TEXT);
