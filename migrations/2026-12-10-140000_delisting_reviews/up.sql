-- A delisting flag reviewed (issue 23, after issue 19's monitoring): when an entry a case's
-- screening matched leaves its list, monitoring flags the case and leaves its status as it was;
-- a compliance officer or admin then reviews the flag, says in a note what they concluded (the
-- case stands, or they act on it through the usual steps), and the flag stops asking for
-- attention. Each review is audited (`delisting_reviewed`); a flag is reviewed once.

CREATE TABLE screening_flag_reviews (
    job_id               UUID NOT NULL,
    entity_id            VARCHAR(64) NOT NULL,
    entry_ref            VARCHAR(64) NOT NULL,
    compliance_check_id  UUID NOT NULL REFERENCES compliance_checks (id),
    reviewed_by          UUID NOT NULL REFERENCES users (id),
    reviewed_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- What the reviewer concluded: a review note (erasable).
    note_id              UUID NOT NULL REFERENCES review_notes (id),
    PRIMARY KEY (job_id, entity_id, entry_ref),
    CONSTRAINT fk_screening_flag_reviews_flag FOREIGN KEY (job_id, entity_id, entry_ref)
        REFERENCES screening_flags (job_id, entity_id, entry_ref)
);
CREATE INDEX idx_screening_flag_reviews_case ON screening_flag_reviews (compliance_check_id);
CREATE INDEX idx_screening_flag_reviews_reviewed_by ON screening_flag_reviews (reviewed_by);
CREATE INDEX idx_screening_flag_reviews_note ON screening_flag_reviews (note_id);

-- A review is an active admin's or compliance officer's, of the flag's own case, its note theirs
-- about the entity; the database dates it. Never changed.
CREATE FUNCTION screening_flag_reviews_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    NEW.reviewed_at := now();
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.reviewed_by AND active
                                         AND role IN ('admin', 'compliance_officer'))
       OR NOT EXISTS (SELECT 1 FROM screening_flags f
                       WHERE (f.job_id, f.entity_id, f.entry_ref) = (NEW.job_id, NEW.entity_id, NEW.entry_ref)
                         AND f.compliance_check_id = NEW.compliance_check_id)
       OR NOT EXISTS (SELECT 1 FROM review_notes n WHERE n.id = NEW.note_id AND n.entity_id = NEW.entity_id
                                                     AND n.author_id = NEW.reviewed_by AND n.body IS NOT NULL) THEN
        RAISE EXCEPTION 'a delisting flag is reviewed by an active admin or compliance officer, on its case, with their own note'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'screening_flag_reviews_reviewer';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER trg_screening_flag_reviews_guard BEFORE INSERT ON screening_flag_reviews
    FOR EACH ROW EXECUTE FUNCTION screening_flag_reviews_guard();
CREATE TRIGGER trg_screening_flag_reviews_append_only BEFORE UPDATE OR DELETE ON screening_flag_reviews
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER trg_screening_flag_reviews_no_truncate BEFORE TRUNCATE ON screening_flag_reviews
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Each review has its audit entry by its reviewer, naming the flag and the note (checked at
-- commit).
CREATE FUNCTION screening_flag_reviews_audited() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM audit_logs a
                    WHERE a.action = 'delisting_reviewed' AND a.subject_kind = 'compliance_check'
                      AND a.subject_id = NEW.compliance_check_id AND a.actor_id = NEW.reviewed_by
                      AND a.details ->> 'job_id' = NEW.job_id::TEXT AND a.details ->> 'entry' = NEW.entry_ref
                      AND a.details ->> 'note' = NEW.note_id::TEXT) THEN
        RAISE EXCEPTION 'the review of the flag on case % has no audit entry', NEW.compliance_check_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'screening_flag_reviews_audited';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER trg_screening_flag_reviews_audited AFTER INSERT ON screening_flag_reviews
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION screening_flag_reviews_audited();

-- How the commit check finds a review's entry.
CREATE INDEX idx_audit_logs_delisting_reviewed ON audit_logs (subject_id)
    WHERE action = 'delisting_reviewed';

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
    'case_noted', 'information_requested', 'information_answered', 'information_withdrawn',
    'service_level_published', 'delisting_reviewed'));
