-- Events out (issue 20): the transactional outbox, the endpoints events go to (webhooks and a
-- NATS JetStream broker), and each delivery with its attempts.
--
-- An event is written by the database itself, in the transaction of the audit entry it
-- announces (trg_audit_logs_event): every write that is audited is announced, by any path, and
-- nothing is announced that did not commit. The dispatcher copies committed events into one
-- delivery per endpoint (the fan-out, behind a cursor that only passes transactions that have
-- ended), then claims deliveries with FOR UPDATE SKIP LOCKED.

-- ---------------------------------------------------------------------------------------------
-- 1. The vocabulary
-- ---------------------------------------------------------------------------------------------

-- Every event type, in the order docs/events.md lists them.
CREATE FUNCTION event_types() RETURNS TEXT[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['case.decided', 'case.status_changed', 'case.approval_proposed', 'case.rescreened',
                 'case.verdict_flagged', 'case.override_confirmed', 'match.clearance_proposed',
                 'match.cleared', 'transaction.recorded', 'transaction.status_changed']
$$;

-- The event an audit entry announces, or NULL when it announces none. A re-screening that
-- leaves a case's status but finds the engine stricter than it is flagged for review.
CREATE FUNCTION event_type_for(action TEXT, subject_kind TEXT, details JSONB) RETURNS TEXT
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
    END
$$;

-- ---------------------------------------------------------------------------------------------
-- 2. The outbox: one event per announcing audit entry, numbered per entity
-- ---------------------------------------------------------------------------------------------

-- The last sequence number given to an entity's events (its row lock orders them).
CREATE TABLE event_streams (
    entity_id      VARCHAR(64) PRIMARY KEY,
    last_sequence  BIGINT NOT NULL,
    CONSTRAINT ck_event_streams_last_sequence CHECK (last_sequence >= 1)
);

CREATE TABLE events (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    position         BIGINT GENERATED ALWAYS AS IDENTITY,
    -- The writing transaction: the fan-out passes only transactions that have ended.
    txid             XID8 NOT NULL DEFAULT pg_current_xact_id(),
    event_type       TEXT NOT NULL,
    entity_id        VARCHAR(64) NOT NULL,
    entity_sequence  BIGINT NOT NULL,
    jurisdiction     TEXT NOT NULL,
    case_id          UUID,
    -- The audit entry it announces (written by its trigger; audit entries are never removed,
    -- so no foreign key, which would also stand in front of the log's own TRUNCATE guard).
    audit_log_id     BIGINT NOT NULL,
    data             JSONB NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    CONSTRAINT uq_events_position UNIQUE (position),
    CONSTRAINT uq_events_audit_log_id UNIQUE (audit_log_id),
    CONSTRAINT uq_events_entity_sequence UNIQUE (entity_id, entity_sequence),
    -- The target of a delivery's reference to its event with the event's entity and sequence.
    CONSTRAINT uq_events_delivery_link UNIQUE (id, entity_id, entity_sequence),
    CONSTRAINT ck_events_event_type CHECK (event_type = ANY (event_types())),
    CONSTRAINT ck_events_jurisdiction CHECK (jurisdiction IN ('AE', 'IN', 'US')),
    CONSTRAINT ck_events_entity_sequence CHECK (entity_sequence >= 1),
    CONSTRAINT ck_events_data CHECK (jsonb_typeof(data) = 'object' AND data ->> 'entity_id' = entity_id)
);

CREATE INDEX idx_events_txid ON events (txid, position);
CREATE INDEX idx_events_created_at ON events USING brin (created_at);

CREATE TRIGGER trg_events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER trg_events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Writes the event an audit entry announces, in its transaction: ids, codes and statuses read
-- from the entry and from the case or transaction as the transaction left it, never a name,
-- an amount or a document number. SECURITY DEFINER: no login role writes events itself.
CREATE FUNCTION audit_logs_event() RETURNS TRIGGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    kind TEXT := event_type_for(NEW.action, NEW.subject_kind, NEW.details);
    the_case UUID;
    c compliance_checks%ROWTYPE;
    jurisdiction TEXT;
    data JSONB;
    sequence BIGINT;
BEGIN
    IF kind IS NULL THEN
        RETURN NULL;
    END IF;
    IF kind LIKE 'transaction.%' THEN
        SELECT jsonb_build_object('entity_id', NEW.entity_id, 'transaction_id', t.id, 'wallet_id', t.monitoring_id,
                                  'status', t.compliance_status, 'previous_status', NEW.old_status,
                                  'revision', t.revision, 'jurisdiction', k.jurisdiction),
               k.jurisdiction
          INTO data, jurisdiction
          FROM blockchain_transactions t
          JOIN blockchain_monitoring m ON m.id = t.monitoring_id
          JOIN kyc_checks k ON k.id = m.kyc_check_id
         WHERE t.id = NEW.subject_id;
    ELSE
        the_case := CASE WHEN NEW.subject_kind = 'false_positive'
                         THEN (NEW.details ->> 'compliance_check_id')::UUID ELSE NEW.subject_id END;
        SELECT * INTO c FROM compliance_checks WHERE id = the_case;
        jurisdiction := c.jurisdiction;
        data := jsonb_build_object('entity_id', NEW.entity_id, 'case_id', c.id, 'jurisdiction', c.jurisdiction,
                                   'revision', c.revision, 'status', c.status, 'engine_status', c.engine_status,
                                   'risk_level', c.risk_level);
        IF NEW.action = 'status_changed' THEN
            -- A reviewer's change names its trigger; the engine's (a re-screening) carries the
            -- rule versions it decided with.
            data := data || jsonb_build_object('previous_status', NEW.old_status, 'by',
                coalesce(NEW.details ->> 'by', CASE WHEN NEW.details ? 'rule_versions' THEN 'engine' END));
        ELSIF kind LIKE 'match.%' THEN
            data := data || jsonb_build_object('list', NEW.details ->> 'list', 'entry', NEW.details ->> 'entry');
        END IF;
    END IF;
    IF jurisdiction IS NULL THEN
        RAISE EXCEPTION 'audit entry % announces % but its case or transaction is not found', NEW.id, kind
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'events_subject';
    END IF;
    INSERT INTO event_streams AS s (entity_id, last_sequence) VALUES (NEW.entity_id, 1)
        ON CONFLICT (entity_id) DO UPDATE SET last_sequence = s.last_sequence + 1
        RETURNING s.last_sequence INTO sequence;
    INSERT INTO events (event_type, entity_id, entity_sequence, jurisdiction, case_id, audit_log_id, data, created_at)
    VALUES (kind, NEW.entity_id, sequence, jurisdiction, the_case, NEW.id, jsonb_strip_nulls(data), NEW.created_at);
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_audit_logs_event AFTER INSERT ON audit_logs
    FOR EACH ROW
    WHEN (NEW.entity_id IS NOT NULL AND NEW.action IN ('decision_recorded', 'status_changed', 'approval_proposed',
          'rescreened', 'override_confirmed', 'false_positive_proposed', 'false_positive_confirmed',
          'transaction_recorded'))
    EXECUTE FUNCTION audit_logs_event();

-- ---------------------------------------------------------------------------------------------
-- 3. Endpoints: where events go, managed by admins
-- ---------------------------------------------------------------------------------------------

-- Whether a URL's host is an address literal an endpoint may not reach: never link-local
-- (169.254.169.254 serves clouds' credentials), unspecified, multicast, broadcast, reserved or
-- documentation addresses; a private network or carrier-grade NAT only when an admin allowed
-- it. The domain's `AddressClass` is the full table; a name is resolved, and checked again, by
-- the dispatcher when it connects.
CREATE FUNCTION endpoint_host_refused(url TEXT, allow_private BOOLEAN) RETURNS BOOLEAN
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    host TEXT := substring(url FROM '^[a-z]+://(?:[^@/]*@)?(\[[0-9A-Fa-f:.]+\]|[^:/?#]+)');
    address INET;
BEGIN
    BEGIN
        address := btrim(host, '[]')::INET;
    EXCEPTION WHEN invalid_text_representation THEN
        RETURN FALSE;
    END;
    IF family(address) = 6 AND address << '::ffff:0.0.0.0/96'::INET THEN
        address := '0.0.0.0'::INET + (address - '::ffff:0.0.0.0'::INET);
    END IF;
    RETURN address <<= ANY (ARRAY['0.0.0.0/8', '169.254.0.0/16', '224.0.0.0/3', '192.0.2.0/24', '198.51.100.0/24',
                                  '203.0.113.0/24', '::/128', 'fe80::/10', 'ff00::/8', '2001:db8::/32']::INET[])
        OR (NOT allow_private
            AND address <<= ANY (ARRAY['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10',
                                       'fc00::/7', 'fec0::/10']::INET[]));
END
$$;

CREATE TABLE event_endpoints (
    id                     UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    kind                   TEXT NOT NULL,
    -- https:// (http:// on loopback) for a webhook, nats:// for a broker; no credentials in it.
    url                    TEXT NOT NULL,
    -- A broker's subjects: `<prefix>.<event type>.<jurisdiction>`.
    subject_prefix         TEXT,
    -- The types delivered; empty for all.
    event_types            TEXT[] NOT NULL DEFAULT '{}',
    description            TEXT NOT NULL,
    -- The signing secret (`whsec_` and base64), shown once; the one before a rotation still
    -- signs beside it until `previous_secret_until`.
    secret                 TEXT,
    previous_secret        TEXT,
    previous_secret_until  TIMESTAMPTZ,
    allow_private          BOOLEAN NOT NULL DEFAULT FALSE,
    active                 BOOLEAN NOT NULL DEFAULT TRUE,
    -- The circuit: failed attempts in a row, and the pause they opened.
    consecutive_failures   INTEGER NOT NULL DEFAULT 0,
    paused_until           TIMESTAMPTZ,
    created_by             UUID NOT NULL REFERENCES users (id),
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by             UUID NOT NULL REFERENCES users (id),
    updated_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    revision               INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT ck_event_endpoints_kind CHECK (kind IN ('webhook', 'nats')),
    CONSTRAINT ck_event_endpoints_url CHECK (
        char_length(url) <= 2000 AND url !~ '[[:space:]]' AND url !~ '^[a-z]+://[^/?#]*@'
        AND CASE kind
            WHEN 'webhook' THEN url ~ '^https://[^/?#]+' OR url ~ '^http://(localhost|127(\.[0-9]{1,3}){3}|\[::1\])(:[0-9]{1,5})?([/?#]|$)'
            ELSE url ~ '^nats://[^/?#]+(:[0-9]{1,5})?/?$'
        END),
    CONSTRAINT ck_event_endpoints_private CHECK (NOT endpoint_host_refused(url, allow_private)),
    CONSTRAINT ck_event_endpoints_subject_prefix CHECK (
        (kind = 'nats') = (subject_prefix IS NOT NULL)
        AND (subject_prefix IS NULL OR subject_prefix ~ '^[A-Za-z0-9_-]{1,32}(\.[A-Za-z0-9_-]{1,32}){0,3}$')),
    CONSTRAINT ck_event_endpoints_event_types CHECK (event_types <@ event_types() AND array_position(event_types, NULL) IS NULL),
    CONSTRAINT ck_event_endpoints_description CHECK (description = btrim(description) AND char_length(description) <= 200),
    CONSTRAINT ck_event_endpoints_secret CHECK (
        (kind = 'webhook') = (secret IS NOT NULL)
        AND (secret IS NULL OR secret ~ '^whsec_[A-Za-z0-9+/]{32,88}={0,2}$')
        AND (previous_secret IS NULL OR previous_secret ~ '^whsec_[A-Za-z0-9+/]{32,88}={0,2}$')
        AND (previous_secret IS NULL) = (previous_secret_until IS NULL)
        AND (previous_secret IS NULL OR previous_secret <> secret)),
    CONSTRAINT ck_event_endpoints_circuit CHECK (consecutive_failures >= 0),
    CONSTRAINT ck_event_endpoints_revision CHECK (revision >= 1)
);

CREATE INDEX idx_event_endpoints_created_by ON event_endpoints (created_by);
CREATE INDEX idx_event_endpoints_updated_by ON event_endpoints (updated_by);

-- An endpoint is created and changed by an active admin, its identity (kind, URL, subject
-- prefix, creator) never changes, a change of what it receives or how it signs raises its
-- revision by one, and it is deactivated, never deleted (its deliveries are evidence of what
-- was sent). The dispatcher's circuit columns change without a revision.
CREATE FUNCTION event_endpoints_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'event endpoint % is deactivated, never deleted', OLD.id
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'event_endpoints_append_only';
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.kind, NEW.url, NEW.subject_prefix, NEW.created_by, NEW.created_at)
                            IS DISTINCT FROM (OLD.kind, OLD.url, OLD.subject_prefix, OLD.created_by, OLD.created_at) THEN
        RAISE EXCEPTION 'event endpoint %: its kind, address and creator never change; create another endpoint', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'event_endpoints_identity';
    END IF;
    IF TG_OP = 'INSERT' OR (NEW.event_types, NEW.description, NEW.secret, NEW.previous_secret, NEW.allow_private, NEW.active)
                           IS DISTINCT FROM (OLD.event_types, OLD.description, OLD.secret, OLD.previous_secret, OLD.allow_private, OLD.active) THEN
        IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.updated_by AND active AND role = 'admin') THEN
            RAISE EXCEPTION 'an event endpoint is created and changed by an active admin'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'event_endpoints_admin';
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.revision <> OLD.revision + 1 THEN
            RAISE EXCEPTION 'event endpoint %: a change names the revision it read (%), raised by one', OLD.id, OLD.revision
                USING ERRCODE = 'check_violation', CONSTRAINT = 'event_endpoints_revision';
        END IF;
        NEW.updated_at := now();
    ELSIF NEW.revision <> OLD.revision OR NEW.updated_by <> OLD.updated_by THEN
        RAISE EXCEPTION 'event endpoint %: the circuit changes no revision', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'event_endpoints_revision';
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.created_by := NEW.updated_by;
        NEW.revision := 1;
        NEW.created_at := now();
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_event_endpoints_guard BEFORE INSERT OR UPDATE OR DELETE ON event_endpoints
    FOR EACH ROW EXECUTE FUNCTION event_endpoints_guard();
CREATE TRIGGER trg_event_endpoints_no_truncate BEFORE TRUNCATE ON event_endpoints
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- ---------------------------------------------------------------------------------------------
-- 4. Deliveries: one per endpoint and event, and every attempt
-- ---------------------------------------------------------------------------------------------

-- How far the fan-out has copied events into deliveries: (transaction, position), in that
-- order; one row.
CREATE TABLE event_fanout (
    singleton  BOOLEAN PRIMARY KEY DEFAULT TRUE,
    txid       XID8 NOT NULL DEFAULT '0',
    position   BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT ck_event_fanout_singleton CHECK (singleton)
);
INSERT INTO event_fanout DEFAULT VALUES;

CREATE TRIGGER trg_event_fanout_append_only BEFORE INSERT OR DELETE ON event_fanout
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER trg_event_fanout_no_truncate BEFORE TRUNCATE ON event_fanout
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE TABLE event_deliveries (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id      UUID NOT NULL REFERENCES event_endpoints (id),
    event_id         UUID NOT NULL,
    -- The event's entity and sequence, so that an entity's events go out in order.
    entity_id        VARCHAR(64) NOT NULL,
    entity_sequence  BIGINT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending',
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- While `sending`: when another dispatcher may take it over (its sender died).
    lease_until      TIMESTAMPTZ,
    delivered_at     TIMESTAMPTZ,
    -- The last replay asked for, and by whom.
    replayed_by      UUID REFERENCES users (id),
    replayed_at      TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_event_deliveries_endpoint_event UNIQUE (endpoint_id, event_id),
    -- The event, with its entity and sequence as they are: the order the claim keeps.
    CONSTRAINT fk_event_deliveries_event FOREIGN KEY (event_id, entity_id, entity_sequence)
        REFERENCES events (id, entity_id, entity_sequence),
    CONSTRAINT ck_event_deliveries_state CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
    CONSTRAINT ck_event_deliveries_attempts CHECK (attempts >= 0),
    CONSTRAINT ck_event_deliveries_lease CHECK ((state = 'sending') = (lease_until IS NOT NULL)),
    CONSTRAINT ck_event_deliveries_delivered CHECK ((state = 'delivered') = (delivered_at IS NOT NULL)),
    CONSTRAINT ck_event_deliveries_replay CHECK ((replayed_by IS NULL) = (replayed_at IS NULL))
);

-- A queue: rows change state within seconds of their insert, so its statistics and dead
-- tuples are kept fresh sooner than the server's defaults would (the claim's plan walks
-- `idx_event_deliveries_open` in order only while the planner knows how many rows are open).
ALTER TABLE event_deliveries SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);

-- What is still to send, in order, and an entity's earlier deliveries still on their way.
CREATE INDEX idx_event_deliveries_open ON event_deliveries (id) WHERE state IN ('pending', 'sending');
CREATE INDEX idx_event_deliveries_entity_order ON event_deliveries (endpoint_id, entity_id, entity_sequence)
    WHERE state IN ('pending', 'sending');
CREATE INDEX idx_event_deliveries_event ON event_deliveries (event_id);
CREATE INDEX idx_event_deliveries_failed ON event_deliveries (endpoint_id, id) WHERE state = 'failed';
CREATE INDEX idx_event_deliveries_replayed_by ON event_deliveries (replayed_by) WHERE replayed_by IS NOT NULL;

-- A delivery is never deleted (a record of what was sent) and never moves to another event or
-- endpoint.
CREATE FUNCTION event_deliveries_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'event delivery % is a record of what was sent: it is never deleted', OLD.id
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'event_deliveries_append_only';
    END IF;
    IF (NEW.endpoint_id, NEW.event_id, NEW.entity_id, NEW.entity_sequence, NEW.created_at)
       IS DISTINCT FROM (OLD.endpoint_id, OLD.event_id, OLD.entity_id, OLD.entity_sequence, OLD.created_at) THEN
        RAISE EXCEPTION 'event delivery % keeps its endpoint and event', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'event_deliveries_identity';
    END IF;
    IF NEW.replayed_by IS DISTINCT FROM OLD.replayed_by OR NEW.replayed_at IS DISTINCT FROM OLD.replayed_at THEN
        IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.replayed_by AND active AND role = 'admin') THEN
            RAISE EXCEPTION 'an event is replayed by an active admin'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'event_deliveries_replay';
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_event_deliveries_guard BEFORE UPDATE OR DELETE ON event_deliveries
    FOR EACH ROW EXECUTE FUNCTION event_deliveries_guard();
CREATE TRIGGER trg_event_deliveries_no_truncate BEFORE TRUNCATE ON event_deliveries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Every attempt: when, the answer's status, how long it took, and a short reason for a
-- failure (never a body, a secret or a URL's query).
CREATE TABLE delivery_attempts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id   BIGINT NOT NULL REFERENCES event_deliveries (id),
    attempt       INTEGER NOT NULL,
    attempted_at  TIMESTAMPTZ NOT NULL,
    delivered     BOOLEAN NOT NULL,
    status_code   SMALLINT,
    latency_ms    INTEGER NOT NULL,
    error         TEXT,
    CONSTRAINT uq_delivery_attempts_attempt UNIQUE (delivery_id, attempt),
    CONSTRAINT ck_delivery_attempts_attempt CHECK (attempt >= 1),
    CONSTRAINT ck_delivery_attempts_status_code CHECK (status_code BETWEEN 100 AND 599),
    CONSTRAINT ck_delivery_attempts_latency CHECK (latency_ms >= 0),
    CONSTRAINT ck_delivery_attempts_error CHECK (delivered = (error IS NULL) AND char_length(error) <= 200)
);

CREATE INDEX idx_delivery_attempts_attempted_at ON delivery_attempts USING brin (attempted_at);

CREATE TRIGGER trg_delivery_attempts_append_only BEFORE UPDATE OR DELETE ON delivery_attempts
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER trg_delivery_attempts_no_truncate BEFORE TRUNCATE ON delivery_attempts
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- ---------------------------------------------------------------------------------------------
-- 5. The audit vocabulary: endpoints created and changed, events replayed
-- ---------------------------------------------------------------------------------------------

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded',
    'false_positive_proposed', 'false_positive_confirmed', 'override_confirmed', 'note_erased',
    'api_token_created', 'api_token_revoked', 'password_set',
    'watchlist_imported', 'subject_recorded', 'subject_erased',
    'endpoint_created', 'endpoint_updated', 'events_replayed'));
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_subject_kind;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_subject_kind CHECK (subject_kind IN ('user', 'compliance_rule', 'kyc_check', 'aml_check',
    'compliance_check', 'blockchain_transaction', 'blockchain_monitoring', 'false_positive', 'review_note',
    'api_token', 'watchlist_version', 'screening_subject', 'event_endpoint'));
