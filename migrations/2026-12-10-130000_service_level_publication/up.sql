-- Service levels published by people (issue 23): a compliance officer or an admin publishes a
-- new target for a jurisdiction and status, in force from now or later, closing the one it
-- replaces at that instant (as a rule version is published); each publication is audited
-- (`service_level_published`). The defaults stay as the migration that added them published
-- them (no publisher).

ALTER TABLE service_levels ADD COLUMN published_by UUID REFERENCES users (id);
CREATE INDEX idx_service_levels_published_by ON service_levels (published_by) WHERE published_by IS NOT NULL;

-- A new target is published by an active admin or compliance officer, in force from the
-- database's now or later (never in the past: the cases of the meantime were judged by the
-- target then in force); the database dates it.
CREATE FUNCTION service_levels_publish_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    NEW.created_at := now();
    IF NEW.published_by IS NULL
       OR NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.published_by AND active
                                            AND role IN ('admin', 'compliance_officer'))
       OR NEW.effective_from < now() THEN
        RAISE EXCEPTION 'a service level is published by an active admin or compliance officer, in force from now or later'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'service_levels_published';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER trg_service_levels_publish BEFORE INSERT ON service_levels
    FOR EACH ROW EXECUTE FUNCTION service_levels_publish_guard();

-- Each publication has its audit entry by its publisher (checked at commit).
CREATE FUNCTION service_levels_audited() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM audit_logs a
                    WHERE a.action = 'service_level_published' AND a.subject_kind = 'service_level'
                      AND a.subject_id = NEW.id AND a.actor_id = NEW.published_by
                      AND (a.details ->> 'target_hours')::INTEGER = NEW.target_hours) THEN
        RAISE EXCEPTION 'service level % has no audit entry', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'service_levels_audited';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER trg_service_levels_audited AFTER INSERT ON service_levels
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION service_levels_audited();

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
    'service_level_published'));
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_subject_kind;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_subject_kind CHECK (subject_kind IN ('user', 'compliance_rule', 'kyc_check', 'aml_check',
    'compliance_check', 'blockchain_transaction', 'blockchain_monitoring', 'false_positive', 'review_note',
    'api_token', 'watchlist_version', 'screening_subject', 'event_endpoint', 'screening_job',
    'information_request', 'service_level'));
