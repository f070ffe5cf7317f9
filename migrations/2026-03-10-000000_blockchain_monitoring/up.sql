-- Blockchain monitoring: the wallets watched per onboarded entity, and the transactions seen on
-- them with their compliance status. A later migration than the initial schema, as the seed
-- material planned it (its "002_blockchain_monitoring").

CREATE TABLE blockchain_monitoring (
    id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    kyc_check_id  UUID NOT NULL REFERENCES kyc_checks (id),
    chain         VARCHAR(32) NOT NULL,
    address       VARCHAR(128) NOT NULL,
    -- What is watched on this wallet.
    watch         TEXT[] NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_by    UUID NOT NULL REFERENCES users (id),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_blockchain_monitoring_wallet UNIQUE (chain, address),
    CONSTRAINT ck_blockchain_monitoring_chain CHECK (chain ~ '^[a-z][a-z0-9-]{1,31}$'),
    CONSTRAINT ck_blockchain_monitoring_address CHECK (address ~ '^[A-Za-z0-9:._-]{8,128}$'),
    CONSTRAINT ck_blockchain_monitoring_watch CHECK (
        cardinality(watch) > 0
        AND watch <@ ARRAY['incoming', 'outgoing', 'sanctioned_counterparty', 'mixer_exposure', 'large_transfer']::TEXT[]),
    CONSTRAINT ck_blockchain_monitoring_timestamps CHECK (created_at <= updated_at)
);

-- A watch belongs to one wallet of one entity for good: only `watch` and `active` change.
CREATE FUNCTION blockchain_monitoring_guard() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'monitored wallet % cannot be deleted: set active to false', OLD.id
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'blockchain_monitoring_kept';
    END IF;
    IF (NEW.id, NEW.kyc_check_id, NEW.chain, NEW.address, NEW.created_by)
       IS DISTINCT FROM (OLD.id, OLD.kyc_check_id, OLD.chain, OLD.address, OLD.created_by) THEN
        RAISE EXCEPTION 'monitored wallet %: its entity, chain and address never change; watch a new wallet instead', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_monitoring_wallet';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_blockchain_monitoring_guard BEFORE UPDATE OR DELETE ON blockchain_monitoring
    FOR EACH ROW EXECUTE FUNCTION blockchain_monitoring_guard();
CREATE TRIGGER trg_blockchain_monitoring_updated_at BEFORE UPDATE ON blockchain_monitoring
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER trg_blockchain_monitoring_no_truncate BEFORE TRUNCATE ON blockchain_monitoring
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE TABLE blockchain_transactions (
    id                 UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    monitoring_id      UUID NOT NULL REFERENCES blockchain_monitoring (id),
    tx_hash            VARCHAR(128) NOT NULL,
    direction          TEXT NOT NULL,
    -- Below 10^10 with up to 18 fractional digits: wei-precise, and within rust_decimal's range.
    amount             NUMERIC NOT NULL,
    asset              VARCHAR(16) NOT NULL,
    counterparty       VARCHAR(128),
    observed_at        TIMESTAMPTZ NOT NULL,
    risk_score         SMALLINT,
    compliance_status  TEXT NOT NULL DEFAULT 'PENDING',
    revision           INTEGER NOT NULL DEFAULT 1,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_blockchain_transactions_seen UNIQUE (monitoring_id, tx_hash, direction),
    CONSTRAINT ck_blockchain_transactions_tx_hash CHECK (tx_hash ~ '^[A-Za-z0-9:._-]{8,128}$'),
    CONSTRAINT ck_blockchain_transactions_direction CHECK (direction IN ('incoming', 'outgoing')),
    CONSTRAINT ck_blockchain_transactions_amount CHECK (amount >= 0 AND amount < 1e10 AND scale(trim_scale(amount)) <= 18),
    CONSTRAINT ck_blockchain_transactions_asset CHECK (asset ~ '^[A-Z0-9.]{2,16}$'),
    CONSTRAINT ck_blockchain_transactions_counterparty CHECK (counterparty ~ '^[A-Za-z0-9:._-]{8,128}$'),
    CONSTRAINT ck_blockchain_transactions_risk_score CHECK (risk_score BETWEEN 0 AND 100),
    CONSTRAINT ck_blockchain_transactions_status CHECK (compliance_status IN ('APPROVED', 'PENDING', 'ESCALATED', 'REJECTED')),
    CONSTRAINT ck_blockchain_transactions_revision CHECK (revision >= 1),
    CONSTRAINT ck_blockchain_transactions_timestamps CHECK (created_at <= updated_at)
);

-- A transaction's status moves along the same status table as a case's (by a reviewer's
-- authority: transaction monitoring has no engine yet), with revision + 1; what was seen never
-- changes.
CREATE FUNCTION blockchain_transactions_guard() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
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

CREATE TRIGGER trg_blockchain_transactions_guard BEFORE INSERT OR UPDATE OR DELETE ON blockchain_transactions
    FOR EACH ROW EXECUTE FUNCTION blockchain_transactions_guard();
CREATE TRIGGER trg_blockchain_transactions_no_truncate BEFORE TRUNCATE ON blockchain_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER trg_blockchain_transactions_updated_at BEFORE UPDATE ON blockchain_transactions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE INDEX idx_blockchain_monitoring_kyc_check_id ON blockchain_monitoring (kyc_check_id);
CREATE INDEX idx_blockchain_monitoring_created_by ON blockchain_monitoring (created_by);
CREATE INDEX idx_blockchain_transactions_observed ON blockchain_transactions (monitoring_id, observed_at DESC);
CREATE INDEX idx_blockchain_transactions_open ON blockchain_transactions (observed_at)
    WHERE compliance_status IN ('PENDING', 'ESCALATED');
