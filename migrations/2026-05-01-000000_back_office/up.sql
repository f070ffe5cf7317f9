-- The back office: people sign in with a password (an Argon2id PHC string, never the
-- password) and work in a browser session. Only the SHA-256 of a session's random secret is
-- stored. Sessions are ended, never deleted: the table is the record of who was signed in when.

CREATE TABLE user_passwords (
    user_id          UUID PRIMARY KEY REFERENCES users (id),
    password_hash    TEXT NOT NULL,
    set_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    set_by           UUID NOT NULL REFERENCES users (id),
    -- Failed sign-ins since the last success; at five the account locks for a while.
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    locked_until     TIMESTAMPTZ,
    -- When the person first got a password (set_at moves with every new one).
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Argon2id, version 19, at least OWASP's floor (19 MiB, two passes).
    CONSTRAINT ck_user_passwords_argon2id CHECK (
        password_hash ~ '^\$argon2id\$v=19\$m=[0-9]{1,8},t=[0-9]{1,3},p=[0-9]{1,3}\$[A-Za-z0-9+/]{16,}\$[A-Za-z0-9+/]{32,}$'
        AND substring(password_hash FROM 'm=([0-9]+)')::integer >= 19456
        AND substring(password_hash FROM 't=([0-9]+)')::integer >= 2),
    CONSTRAINT ck_user_passwords_failed_attempts CHECK (failed_attempts >= 0)
);

CREATE INDEX idx_user_passwords_set_by ON user_passwords (set_by);

-- A person signs in; a system agent authenticates with an API token only. Setting a password
-- records when; a raw UPDATE cannot move set_at.
CREATE FUNCTION user_passwords_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'a password is replaced, not deleted (user %)', OLD.user_id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'user_passwords_not_deleted';
    END IF;
    IF (SELECT role FROM users WHERE id = NEW.user_id) = 'system' THEN
        RAISE EXCEPTION 'user % is a system agent: it authenticates with an API token, not a password', NEW.user_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'user_passwords_people_only';
    END IF;
    IF TG_OP = 'INSERT' OR NEW.password_hash <> OLD.password_hash OR NEW.set_by <> OLD.set_by THEN
        NEW.set_at := now();
    ELSIF NEW.set_at <> OLD.set_at THEN
        RAISE EXCEPTION 'a password''s set_at changes only with the password (user %)', OLD.user_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'user_passwords_set_at';
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.created_at := NEW.set_at;
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.user_id <> OLD.user_id OR NEW.created_at <> OLD.created_at) THEN
        RAISE EXCEPTION 'a password belongs to one user' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'user_passwords_immutable';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_user_passwords_guard BEFORE INSERT OR UPDATE OR DELETE ON user_passwords
    FOR EACH ROW EXECUTE FUNCTION user_passwords_guard();

CREATE TABLE web_sessions (
    id             UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        UUID NOT NULL REFERENCES users (id),
    token_hash     BYTEA NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at     TIMESTAMPTZ NOT NULL,
    ended_at       TIMESTAMPTZ,
    CONSTRAINT uq_web_sessions_token_hash UNIQUE (token_hash),
    CONSTRAINT ck_web_sessions_token_hash CHECK (octet_length(token_hash) = 32),
    -- A session lives at most twelve hours, whatever the server is configured with.
    CONSTRAINT ck_web_sessions_expiry CHECK (
        expires_at > created_at AND expires_at <= created_at + interval '12 hours'),
    CONSTRAINT ck_web_sessions_seen CHECK (last_seen_at >= created_at),
    CONSTRAINT ck_web_sessions_ended CHECK (ended_at IS NULL OR ended_at >= created_at)
);

CREATE INDEX idx_web_sessions_user_id ON web_sessions (user_id);

-- Created now and open; afterwards only seen and ended (once). Never deleted.
CREATE FUNCTION web_sessions_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'sessions are ended, not deleted (session %)', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'web_sessions_not_deleted';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.ended_at IS NOT NULL THEN
            RAISE EXCEPTION 'a session is created open' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'web_sessions_created_open';
        END IF;
        IF (SELECT role FROM users WHERE id = NEW.user_id) = 'system'
           OR NOT (SELECT active FROM users WHERE id = NEW.user_id) THEN
            RAISE EXCEPTION 'user % cannot sign in: only an active person can', NEW.user_id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'web_sessions_active_people_only';
        END IF;
        NEW.created_at := now();
        NEW.last_seen_at := NEW.created_at;
        RETURN NEW;
    END IF;
    IF NEW.id <> OLD.id OR NEW.user_id <> OLD.user_id OR NEW.token_hash <> OLD.token_hash
       OR NEW.created_at <> OLD.created_at OR NEW.expires_at <> OLD.expires_at THEN
        RAISE EXCEPTION 'session % changes only by use or sign-out', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'web_sessions_immutable';
    END IF;
    IF OLD.ended_at IS NOT NULL AND NEW.ended_at IS DISTINCT FROM OLD.ended_at THEN
        RAISE EXCEPTION 'session % has already ended', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'web_sessions_ended_once';
    END IF;
    IF NEW.last_seen_at < OLD.last_seen_at THEN
        NEW.last_seen_at := OLD.last_seen_at;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_web_sessions_guard BEFORE INSERT OR UPDATE OR DELETE ON web_sessions
    FOR EACH ROW EXECUTE FUNCTION web_sessions_guard();

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded',
    'false_positive_proposed', 'false_positive_confirmed', 'override_confirmed', 'note_erased',
    'api_token_created', 'api_token_revoked', 'password_set'));
