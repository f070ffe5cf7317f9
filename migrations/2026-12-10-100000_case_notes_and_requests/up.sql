-- Notes and requests for information (issue 23 part 5): a reviewer writes a note on a case
-- without deciding it, and asks the customer (or whoever acts for them) for documents or facts.
-- Neither moves the case: a note is a review note (outside the chain, erasable, its commitment
-- chained by its `case_noted` entry); a request records what was asked of whom and until when,
-- and shows the case as waiting on the customer, with its own clock, until it is answered or
-- withdrawn. The outbox carries each request, answer and withdrawal to the onboarding service.

-- 1. A note on a case: a review note that names its case.
ALTER TABLE review_notes ADD COLUMN compliance_check_id UUID REFERENCES compliance_checks (id);
CREATE INDEX idx_review_notes_case ON review_notes (compliance_check_id, created_at)
    WHERE compliance_check_id IS NOT NULL;

-- As 2026-04-10's guard, and: a note that names a case is about that case's entity and written
-- by an active person who reviews; which case a note names never changes.
CREATE OR REPLACE FUNCTION review_notes_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.body IS NULL OR NEW.erased_at IS NOT NULL OR NEW.erased_by IS NOT NULL THEN
            RAISE EXCEPTION 'a review note is written with its text and erased later'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'review_notes_written_once';
        END IF;
        IF NEW.compliance_check_id IS NOT NULL AND (
               NOT EXISTS (SELECT 1 FROM case_submissions WHERE compliance_check_id = NEW.compliance_check_id
                                                            AND entity_id = NEW.entity_id)
               OR NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.author_id AND active
                                                    AND role IN ('admin', 'compliance_officer', 'analyst'))) THEN
            RAISE EXCEPTION 'a note on a case is about its entity, by an active person who reviews'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'review_notes_case_note';
        END IF;
        NEW.salt := uuid_send(gen_random_uuid());
        NEW.commitment := review_note_commitment(NEW.salt, NEW.body);
        NEW.created_at := now();
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'review note % cannot be deleted: erase its text instead', OLD.id
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'review_notes_written_once';
    END IF;
    IF (NEW.id, NEW.entity_id, NEW.author_id, NEW.commitment, NEW.created_at, NEW.compliance_check_id)
       IS DISTINCT FROM (OLD.id, OLD.entity_id, OLD.author_id, OLD.commitment, OLD.created_at, OLD.compliance_check_id)
       OR OLD.body IS NULL OR NEW.body IS NOT NULL OR NEW.salt IS NOT NULL THEN
        RAISE EXCEPTION 'review note %: a note is never edited; the only change is erasing its text', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'review_notes_written_once';
    END IF;
    NEW.erased_at := now();
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.erased_by AND active AND role IN ('admin', 'compliance_officer')) THEN
        RAISE EXCEPTION 'review note %: only an active admin or compliance officer erases notes', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'review_notes_eraser';
    END IF;
    RETURN NEW;
END
$$;

-- Each note on a case has its `case_noted` entry, by its author, naming its case and its
-- commitment (checked at commit: the note and the entry are written in one transaction).
CREATE FUNCTION review_notes_case_audited() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM audit_logs a
                    WHERE a.action = 'case_noted' AND a.subject_kind = 'review_note' AND a.subject_id = NEW.id
                      AND a.actor_id = NEW.author_id AND a.entity_id = NEW.entity_id
                      AND a.details ->> 'compliance_check_id' = NEW.compliance_check_id::TEXT
                      AND a.details ->> 'note_commitment' = encode(NEW.commitment, 'hex')) THEN
        RAISE EXCEPTION 'the note % on case % has no audit entry', NEW.id, NEW.compliance_check_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'review_notes_case_audited';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER trg_review_notes_case_audited AFTER INSERT ON review_notes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.compliance_check_id IS NOT NULL)
    EXECUTE FUNCTION review_notes_case_audited();

-- 2. Requests for information.
CREATE TABLE information_requests (
    id                   UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    compliance_check_id  UUID NOT NULL REFERENCES compliance_checks (id),
    entity_id            VARCHAR(64) NOT NULL,
    -- Of whom: the investor, their authorised representative, or the introducer who brought
    -- them.
    addressee            TEXT NOT NULL,
    -- What: the kinds of document or fact asked for (the domain's `RequestedItem`).
    items                TEXT[] NOT NULL,
    -- The words sent with it, if any: a review note (erasable; never in an event).
    note_id              UUID REFERENCES review_notes (id),
    requested_by         UUID NOT NULL REFERENCES users (id),
    requested_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    respond_within_days  SMALLINT NOT NULL,
    -- requested_at plus respond_within_days, set by the database.
    respond_by           TIMESTAMPTZ NOT NULL,
    -- How it ended: `answered` (the customer answered; a reviewer or the onboarding service
    -- says so) or `withdrawn` (a reviewer no longer needs it).
    outcome              TEXT,
    closed_by            UUID REFERENCES users (id),
    closed_at            TIMESTAMPTZ,
    closing_note_id      UUID REFERENCES review_notes (id),
    CONSTRAINT ck_information_requests_addressee CHECK (addressee IN ('investor', 'representative', 'introducer')),
    CONSTRAINT ck_information_requests_items CHECK (
        cardinality(items) BETWEEN 1 AND 8 AND array_position(items, NULL) IS NULL
        AND items <@ ARRAY['identity_document', 'proof_of_address', 'source_of_funds', 'source_of_wealth',
                           'accreditation_evidence', 'beneficial_ownership', 'tax_residency', 'other']),
    CONSTRAINT ck_information_requests_days CHECK (respond_within_days BETWEEN 1 AND 90),
    CONSTRAINT ck_information_requests_closure CHECK (
        (outcome IS NULL) = (closed_at IS NULL) AND (outcome IS NULL) = (closed_by IS NULL)
        AND (outcome IS NOT NULL OR closing_note_id IS NULL)
        AND (outcome IS NULL OR outcome IN ('answered', 'withdrawn'))
        AND (closed_at IS NULL OR closed_at >= requested_at))
);
-- One open request per case: a second ask while one waits is a conflict (add to it by
-- withdrawing and asking again).
CREATE UNIQUE INDEX uq_information_requests_open ON information_requests (compliance_check_id)
    WHERE outcome IS NULL;
CREATE INDEX idx_information_requests_case ON information_requests (compliance_check_id, requested_at);
CREATE INDEX idx_information_requests_entity ON information_requests (entity_id, requested_at);
CREATE INDEX idx_information_requests_requested_by ON information_requests (requested_by);
CREATE INDEX idx_information_requests_closed_by ON information_requests (closed_by) WHERE closed_by IS NOT NULL;
CREATE INDEX idx_information_requests_note ON information_requests (note_id) WHERE note_id IS NOT NULL;
CREATE INDEX idx_information_requests_closing_note ON information_requests (closing_note_id) WHERE closing_note_id IS NOT NULL;

-- A request is asked by an active person who reviews, on the entity's current case while it
-- waits for a review (PENDING or ESCALATED), dated by the database; it is then only closed,
-- once: answered (by a person who reviews or the system agent, which relays the onboarding
-- service) or withdrawn (by a person who reviews). Its notes are the entity's.
CREATE FUNCTION information_requests_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'information request % is evidence of what was asked: it is never deleted', OLD.id
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'information_requests_kept';
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.requested_at := now();
        NEW.respond_by := NEW.requested_at + make_interval(days => NEW.respond_within_days);
        IF NEW.outcome IS NOT NULL OR NEW.closed_at IS NOT NULL OR NEW.closed_by IS NOT NULL
           OR NEW.closing_note_id IS NOT NULL
           OR NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.requested_by AND active
                                                AND role IN ('admin', 'compliance_officer', 'analyst'))
           OR NOT EXISTS (SELECT 1 FROM current_cases cur JOIN compliance_checks c ON c.id = cur.compliance_check_id
                           WHERE cur.entity_id = NEW.entity_id AND cur.compliance_check_id = NEW.compliance_check_id
                             AND c.status IN ('PENDING', 'ESCALATED'))
           OR (NEW.note_id IS NOT NULL AND NOT EXISTS (
                   SELECT 1 FROM review_notes n WHERE n.id = NEW.note_id AND n.entity_id = NEW.entity_id
                                                  AND n.author_id = NEW.requested_by AND n.body IS NOT NULL)) THEN
            RAISE EXCEPTION 'a request for information is asked open, by an active person who reviews, on the entity''s current case while it waits for a review'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'information_requests_asked';
        END IF;
        RETURN NEW;
    END IF;
    IF (NEW.id, NEW.compliance_check_id, NEW.entity_id, NEW.addressee, NEW.items, NEW.note_id, NEW.requested_by,
        NEW.requested_at, NEW.respond_within_days, NEW.respond_by)
       IS DISTINCT FROM (OLD.id, OLD.compliance_check_id, OLD.entity_id, OLD.addressee, OLD.items, OLD.note_id,
        OLD.requested_by, OLD.requested_at, OLD.respond_within_days, OLD.respond_by)
       OR OLD.outcome IS NOT NULL OR NEW.outcome IS NULL THEN
        RAISE EXCEPTION 'information request %: what was asked is fixed; it is closed once', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'information_requests_closed_once';
    END IF;
    NEW.closed_at := now();
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.closed_by AND active
                      AND (role IN ('admin', 'compliance_officer', 'analyst')
                           OR (role = 'system' AND NEW.outcome = 'answered')))
       OR (NEW.closing_note_id IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM review_notes n WHERE n.id = NEW.closing_note_id AND n.entity_id = NEW.entity_id
                                              AND n.author_id = NEW.closed_by AND n.body IS NOT NULL)) THEN
        RAISE EXCEPTION 'information request %: answered by a person who reviews or the system agent, withdrawn by a person who reviews', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'information_requests_closer';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER trg_information_requests_guard BEFORE INSERT OR UPDATE OR DELETE ON information_requests
    FOR EACH ROW EXECUTE FUNCTION information_requests_guard();
CREATE TRIGGER trg_information_requests_no_truncate BEFORE TRUNCATE ON information_requests
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Each request, and each closing, has its audit entry by whoever acted (checked at commit).
CREATE FUNCTION information_requests_audited() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    wanted TEXT := CASE WHEN TG_OP = 'INSERT' THEN 'information_requested' ELSE 'information_' || NEW.outcome END;
    actor UUID := CASE WHEN TG_OP = 'INSERT' THEN NEW.requested_by ELSE NEW.closed_by END;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM audit_logs a
                    WHERE a.action = wanted AND a.subject_kind = 'information_request' AND a.subject_id = NEW.id
                      AND a.actor_id = actor AND a.entity_id = NEW.entity_id
                      AND a.details ->> 'compliance_check_id' = NEW.compliance_check_id::TEXT) THEN
        RAISE EXCEPTION 'information request % has no % audit entry', NEW.id, wanted
            USING ERRCODE = 'check_violation', CONSTRAINT = 'information_requests_audited';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER trg_information_requests_audited AFTER INSERT OR UPDATE ON information_requests
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION information_requests_audited();

-- How the commit checks above find their entries.
CREATE INDEX idx_audit_logs_notes_and_requests ON audit_logs (subject_id)
    WHERE action IN ('case_noted', 'information_requested', 'information_answered', 'information_withdrawn');

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded',
    'false_positive_proposed', 'false_positive_confirmed', 'override_confirmed', 'note_erased',
    'api_token_created', 'api_token_revoked', 'password_set',
    'watchlist_imported', 'subject_recorded', 'subject_erased',
    'endpoint_created', 'endpoint_updated', 'events_replayed',
    'screening_job_completed', 'delisting_flagged',
    'case_claimed', 'case_assigned', 'case_released', 'review_screened',
    'case_noted', 'information_requested', 'information_answered', 'information_withdrawn'));
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_subject_kind;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_subject_kind CHECK (subject_kind IN ('user', 'compliance_rule', 'kyc_check', 'aml_check',
    'compliance_check', 'blockchain_transaction', 'blockchain_monitoring', 'false_positive', 'review_note',
    'api_token', 'watchlist_version', 'screening_subject', 'event_endpoint', 'screening_job',
    'information_request'));

-- 3. Events: a request, its answer and its withdrawal reach the onboarding service.
CREATE OR REPLACE FUNCTION event_types() RETURNS TEXT[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['case.decided', 'case.status_changed', 'case.approval_proposed', 'case.rescreened',
                 'case.verdict_flagged', 'case.override_confirmed', 'match.clearance_proposed',
                 'match.cleared', 'transaction.recorded', 'transaction.status_changed',
                 'case.delisting_flagged', 'case.information_requested', 'case.information_answered',
                 'case.information_withdrawn']
$$;

CREATE OR REPLACE FUNCTION event_type_for(action TEXT, subject_kind TEXT, details JSONB) RETURNS TEXT
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
        WHEN action = 'delisting_flagged' THEN 'case.delisting_flagged'
        WHEN action = 'information_requested' THEN 'case.information_requested'
        WHEN action = 'information_answered' THEN 'case.information_answered'
        WHEN action = 'information_withdrawn' THEN 'case.information_withdrawn'
    END
$$;

-- The outbox's trigger function as 2026-12-09-210000_set_based_events wrote it, and: a request's
-- events name its case from the entry's details (as a false positive's do) and carry what was
-- asked of whom and until when.
CREATE OR REPLACE FUNCTION audit_logs_events() RETURNS TRIGGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    announcing BIGINT;
    written BIGINT;
BEGIN
    WITH typed AS (
        SELECT * FROM (
            SELECT a.id, a.entity_id, a.action, a.subject_kind, a.subject_id, a.old_status, a.details,
                   a.created_at, event_type_for(a.action, a.subject_kind, a.details) AS kind
              FROM new_entries a
             WHERE a.entity_id IS NOT NULL) e
         WHERE kind IS NOT NULL
    ), described AS (
        SELECT t.id, t.entity_id, t.kind, t.created_at, NULL::UUID AS case_id, x.jurisdiction,
               jsonb_build_object('entity_id', t.entity_id, 'transaction_id', x.transaction_id,
                                  'wallet_id', x.wallet_id, 'status', x.status, 'previous_status', t.old_status,
                                  'revision', x.revision, 'jurisdiction', x.jurisdiction) AS data
          FROM typed t
          JOIN transaction_event_facts((SELECT array_agg(subject_id) FROM typed WHERE kind LIKE 'transaction.%')) x
            ON x.transaction_id = t.subject_id
         WHERE t.kind LIKE 'transaction.%'
        UNION ALL
        SELECT t.id, t.entity_id, t.kind, t.created_at, c.id, c.jurisdiction,
               jsonb_build_object('entity_id', t.entity_id, 'case_id', c.id, 'jurisdiction', c.jurisdiction,
                                  'revision', c.revision, 'status', c.status, 'engine_status', c.engine_status,
                                  'risk_level', c.risk_level)
               -- A reviewer's change names its trigger; the engine's (a re-screening) carries the
               -- rule versions it decided with.
               || CASE WHEN t.action = 'status_changed' THEN
                           jsonb_build_object('previous_status', t.old_status, 'by',
                               coalesce(t.details ->> 'by', CASE WHEN t.details ? 'rule_versions' THEN 'engine' END))
                       WHEN t.kind LIKE 'match.%' THEN
                           jsonb_build_object('list', t.details ->> 'list', 'entry', t.details ->> 'entry')
                       -- What was asked of whom and until when (never the words sent with it).
                       WHEN t.kind LIKE 'case.information_%' THEN
                           jsonb_build_object('request_id', t.subject_id, 'addressee', t.details -> 'addressee',
                                              'items', t.details -> 'items', 'respond_by', t.details -> 'respond_by')
                       ELSE '{}'::JSONB END
          FROM typed t
          JOIN compliance_checks c
            ON c.id = CASE WHEN t.subject_kind IN ('false_positive', 'information_request')
                           THEN (t.details ->> 'compliance_check_id')::UUID ELSE t.subject_id END
         WHERE t.kind NOT LIKE 'transaction.%'
    ), counted AS (
        SELECT entity_id, count(*) AS n FROM described GROUP BY entity_id
    ), numbered AS (
        INSERT INTO event_streams AS s (entity_id, last_sequence)
        SELECT entity_id, n FROM counted ORDER BY entity_id
            ON CONFLICT (entity_id) DO UPDATE SET last_sequence = s.last_sequence + EXCLUDED.last_sequence
        RETURNING s.entity_id, s.last_sequence
    ), inserted AS (
        INSERT INTO events (event_type, entity_id, entity_sequence, jurisdiction, case_id, audit_log_id, data, created_at)
        SELECT d.kind, d.entity_id,
               s.last_sequence - c.n + row_number() OVER (PARTITION BY d.entity_id ORDER BY d.id),
               d.jurisdiction, d.case_id, d.id, jsonb_strip_nulls(d.data), d.created_at
          FROM described d
          JOIN counted c ON c.entity_id = d.entity_id
          JOIN numbered s ON s.entity_id = d.entity_id
         ORDER BY d.id
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM typed), (SELECT count(*) FROM inserted) INTO announcing, written;
    -- Every announcing entry has its event: one whose case or transaction is not found is refused.
    IF written <> announcing THEN
        RAISE EXCEPTION '% of % audit entries announcing an event have no case or transaction', announcing - written, announcing
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'events_subject';
    END IF;
    RETURN NULL;
END
$$;
