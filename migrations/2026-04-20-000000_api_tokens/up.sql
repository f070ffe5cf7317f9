-- API tokens: each belongs to a user and carries that user's role. Only the SHA-256 of the
-- secret is stored (a random 256-bit secret needs no slow hash); the secret is shown once, at
-- creation. A token is revoked, never deleted or changed otherwise; using it records when.

CREATE TABLE api_tokens (
    id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       UUID NOT NULL REFERENCES users (id),
    name          VARCHAR(64) NOT NULL,
    token_hash    BYTEA NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at    TIMESTAMPTZ NOT NULL,
    revoked_at    TIMESTAMPTZ,
    revoked_by    UUID REFERENCES users (id),
    last_used_at  TIMESTAMPTZ,
    CONSTRAINT uq_api_tokens_token_hash UNIQUE (token_hash),
    CONSTRAINT ck_api_tokens_token_hash CHECK (octet_length(token_hash) = 32),
    -- The domain's TokenName: trimmed, 1 to 64 printable characters.
    CONSTRAINT ck_api_tokens_name CHECK (
        name = btrim(name) AND char_length(name) BETWEEN 1 AND 64 AND name !~ '[\x01-\x1f\x7f-\x9f]'),
    CONSTRAINT ck_api_tokens_expiry CHECK (expires_at > created_at),
    CONSTRAINT ck_api_tokens_revocation CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);

CREATE INDEX idx_api_tokens_user_id ON api_tokens (user_id);
CREATE INDEX idx_api_tokens_revoked_by ON api_tokens (revoked_by);

-- Written once; afterwards only revoked (once) and marked used. Never deleted.
CREATE FUNCTION api_tokens_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.revoked_at IS NOT NULL OR NEW.last_used_at IS NOT NULL THEN
            RAISE EXCEPTION 'an API token is created unused and unrevoked'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'api_tokens_created_fresh';
        END IF;
        NEW.created_at := now();
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'API tokens are revoked, not deleted (token %)', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'api_tokens_not_deleted';
    END IF;
    IF NEW.id <> OLD.id OR NEW.user_id <> OLD.user_id OR NEW.name <> OLD.name
       OR NEW.token_hash <> OLD.token_hash OR NEW.created_at <> OLD.created_at
       OR NEW.expires_at <> OLD.expires_at THEN
        RAISE EXCEPTION 'API token % changes only by revocation or use', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'api_tokens_immutable';
    END IF;
    IF OLD.revoked_at IS NOT NULL AND (NEW.revoked_at IS DISTINCT FROM OLD.revoked_at
       OR NEW.revoked_by IS DISTINCT FROM OLD.revoked_by) THEN
        RAISE EXCEPTION 'API token % is already revoked', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'api_tokens_revoked_once';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_api_tokens_guard BEFORE INSERT OR UPDATE OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION api_tokens_guard();

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded',
    'false_positive_proposed', 'false_positive_confirmed', 'override_confirmed', 'note_erased',
    'api_token_created', 'api_token_revoked'));
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_subject_kind;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_subject_kind CHECK (subject_kind IN ('user', 'compliance_rule', 'kyc_check', 'aml_check',
    'compliance_check', 'blockchain_transaction', 'blockchain_monitoring', 'false_positive', 'review_note',
    'api_token'));
