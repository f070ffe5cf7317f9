-- Back to 2026-12-09-210000: no notes on cases, no requests for information.
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
                       ELSE '{}'::JSONB END
          FROM typed t
          JOIN compliance_checks c
            ON c.id = CASE WHEN t.subject_kind = 'false_positive'
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

CREATE OR REPLACE FUNCTION event_types() RETURNS TEXT[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['case.decided', 'case.status_changed', 'case.approval_proposed', 'case.rescreened',
                 'case.verdict_flagged', 'case.override_confirmed', 'match.clearance_proposed',
                 'match.cleared', 'transaction.recorded', 'transaction.status_changed',
                 'case.delisting_flagged']
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
    END
$$;

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded',
    'false_positive_proposed', 'false_positive_confirmed', 'override_confirmed', 'note_erased',
    'api_token_created', 'api_token_revoked', 'password_set',
    'watchlist_imported', 'subject_recorded', 'subject_erased',
    'endpoint_created', 'endpoint_updated', 'events_replayed',
    'screening_job_completed', 'delisting_flagged',
    'case_claimed', 'case_assigned', 'case_released', 'review_screened'));
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_subject_kind;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_subject_kind CHECK (subject_kind IN ('user', 'compliance_rule', 'kyc_check', 'aml_check',
    'compliance_check', 'blockchain_transaction', 'blockchain_monitoring', 'false_positive', 'review_note',
    'api_token', 'watchlist_version', 'screening_subject', 'event_endpoint', 'screening_job'));
DROP INDEX idx_audit_logs_notes_and_requests;
DROP TABLE information_requests;
DROP FUNCTION information_requests_audited();
DROP FUNCTION information_requests_guard();
DROP TRIGGER trg_review_notes_case_audited ON review_notes;
DROP FUNCTION review_notes_case_audited();
CREATE OR REPLACE FUNCTION review_notes_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.body IS NULL OR NEW.erased_at IS NOT NULL OR NEW.erased_by IS NOT NULL THEN
            RAISE EXCEPTION 'a review note is written with its text and erased later'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'review_notes_written_once';
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
    IF (NEW.id, NEW.entity_id, NEW.author_id, NEW.commitment, NEW.created_at)
       IS DISTINCT FROM (OLD.id, OLD.entity_id, OLD.author_id, OLD.commitment, OLD.created_at)
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

DROP INDEX idx_review_notes_case;
ALTER TABLE review_notes DROP COLUMN compliance_check_id;
