-- The audit log covers every write that matters.
--
-- 1. Three new actions (wallet_watched, wallet_updated, transaction_recorded) and a new subject
--    kind (blockchain_monitoring): repo::blockchain audits watching a wallet, turning its
--    monitoring off or on, and recording a transaction, as it already audited a transaction's
--    status change (status_changed, subject blockchain_transaction).
-- 2. blockchain_transactions.decided_by: who made the last status change. NULL on rows recorded
--    before this migration and on every PENDING row; the guard requires it on every status
--    change, from an active user whose role may decide the status left (the domain's
--    TransactionDecision, Role::may_review), and keeps it unchanged otherwise.
-- 3. A role or activation change of a user is audited by the database itself (an AFTER UPDATE
--    trigger on users), so that raw SQL cannot change who may decide without a trace. The
--    actor is the session setting compliance.actor (a user id) when set, which the repository
--    sets; without it, the user changed, marked unattributed. See docs/data-model.md.

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded'));
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_subject_kind;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_subject_kind CHECK (subject_kind IN ('user', 'compliance_rule', 'kyc_check', 'aml_check',
    'compliance_check', 'blockchain_transaction', 'blockchain_monitoring'));

ALTER TABLE blockchain_transactions ADD COLUMN decided_by UUID REFERENCES users (id);
CREATE INDEX idx_blockchain_transactions_decided_by ON blockchain_transactions (decided_by)
    WHERE decided_by IS NOT NULL;

-- blockchain_transactions_guard() as the second migration wrote it, plus the decider. CREATE OR
-- REPLACE resets a function's settings, so the search_path of the third migration is repeated.
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

-- Appends a user_updated audit entry for a change of role or activation (the trigger's WHEN
-- clause), in the changing transaction, through the chain trigger like any other entry.
--
-- The actor: the session setting compliance.actor, when set (set_config('compliance.actor',
-- '<user id>', true), as repo::users::set_active does), which must name a user who is active or
-- is the user changed (deactivating oneself); anything else refuses the change. Without it (raw
-- SQL that did not say who it is), the user changed, with "attribution": "unattributed". The
-- setting is a claim, not a login: details also record the database role that made the change
-- (session_user).
CREATE FUNCTION users_audit_change() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    claimed TEXT := nullif(btrim(current_setting('compliance.actor', true)), '');
    valid BOOLEAN;
    actor UUID := NEW.id;
    attribution TEXT := 'unattributed';
BEGIN
    IF claimed IS NOT NULL THEN
        -- Two steps: SQL does not promise to evaluate OR's left side first, and the cast fails
        -- on a malformed value.
        valid := claimed ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
        IF valid THEN
            valid := EXISTS (SELECT 1 FROM users u WHERE u.id = claimed::uuid AND (u.active OR u.id = NEW.id));
        END IF;
        IF NOT valid THEN
            RAISE EXCEPTION 'user %: compliance.actor is %, which is not the id of an active user; set it to the acting user''s id, or reset it', NEW.id, left(claimed, 40)
                USING ERRCODE = 'check_violation', CONSTRAINT = 'users_audit_actor';
        END IF;
        actor := claimed::uuid;
        attribution := 'compliance.actor';
    END IF;
    INSERT INTO audit_logs (actor_id, action, subject_kind, subject_id, details)
    VALUES (actor, 'user_updated', 'user', NEW.id, jsonb_build_object(
        'role', NEW.role, 'active', NEW.active,
        'previous_role', OLD.role, 'previous_active', OLD.active,
        'attribution', attribution, 'database_user', session_user::text));
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_users_audit AFTER UPDATE ON users
    FOR EACH ROW WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.active IS DISTINCT FROM NEW.active)
    EXECUTE FUNCTION users_audit_change();
