-- Beneficial owners recorded as entities of their own (issue 23, item 3): a corporate's or a
-- fund's owners, each an entity id (with a case of its own, or none yet), with the share of
-- ownership declared, who recorded it and when. Before this, the schema held only whether the
-- current KYC check verified an ownership declaration (the `beneficial_ownership` document).
--
-- The rules, which `compliance_domain::ownership` states and the service checks in its
-- transaction, repeated here for any path:
-- * an entity never owns itself (`ck_beneficial_owners_not_itself`); one row per pair
--   (`uq_beneficial_owners_pair`);
-- * the owned entity's current case is a corporate's or a fund's
--   (`beneficial_owners_owned_kind`); the owner's current case, if it has one, an individual's
--   (`beneficial_owners_owner_kind`). A beneficial owner is a natural person (FATF's
--   definition, as the three jurisdictions' rules take it): layered ownership through holding
--   companies is recorded as the natural person's effective share of the entity, not as a
--   chain of companies, so no cycle of ownership can be recorded either;
-- * a share is more than 0 and at most 100 percent, in hundredths (`ck_beneficial_owners_share`:
--   a value of more decimals is refused, not rounded), and an entity's recorded shares add up
--   to at most 100 (`beneficial_owners_total`, under a lock per owned entity, so that two
--   concurrent records cannot both pass);
-- * recorded by the active system agent (the onboarding service that collected the
--   declaration), an admin or a compliance officer (`beneficial_owners_recorder`), at the
--   database's time;
-- * evidence: never updated, deleted or truncated; each row has its `owner_recorded` audit
--   entry by its recorder, in its transaction (`beneficial_owners_audited`, at commit).
--
-- The types are checked against the current cases when the owner is recorded: a later case of
-- the other type does not remove the record (the entity page shows each owner's current case).

CREATE TABLE beneficial_owners (
    id           UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_id    VARCHAR(64) NOT NULL,
    owner_id     VARCHAR(64) NOT NULL,
    share        NUMERIC NOT NULL,
    recorded_by  UUID NOT NULL REFERENCES users (id),
    recorded_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_beneficial_owners_pair UNIQUE (entity_id, owner_id),
    CONSTRAINT ck_beneficial_owners_entity_id CHECK (length(entity_id) >= 3 AND entity_id ~ '^[a-z][a-z0-9]*(-[a-z0-9]+)*$'),
    CONSTRAINT ck_beneficial_owners_owner_id CHECK (length(owner_id) >= 3 AND owner_id ~ '^[a-z][a-z0-9]*(-[a-z0-9]+)*$'),
    CONSTRAINT ck_beneficial_owners_not_itself CHECK (owner_id <> entity_id),
    CONSTRAINT ck_beneficial_owners_share CHECK (share > 0 AND share <= 100 AND share = round(share, 2))
);
-- The entities an owner owns (the pair's unique index serves an entity's owners).
CREATE INDEX idx_beneficial_owners_owner ON beneficial_owners (owner_id);
CREATE INDEX idx_beneficial_owners_recorded_by ON beneficial_owners (recorded_by);

-- The lock that serialises the records of one owned entity's owners (a transaction-level
-- advisory lock in the two-key space, apart from the audit chains' single-key locks): the
-- service takes it before it reads the recorded shares, the guard again (re-entrant) for any
-- other path.
CREATE FUNCTION lock_beneficial_owners(entity TEXT) RETURNS VOID
LANGUAGE sql SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT pg_advisory_xact_lock(20261210, hashtext(entity))
$$;

-- The type of an entity's current case (its latest submission's KYC check), or NULL without one.
CREATE FUNCTION current_entity_type(entity TEXT) RETURNS TEXT
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT k.entity_type FROM case_submissions s JOIN kyc_checks k ON k.id = s.kyc_check_id
     WHERE s.entity_id = entity ORDER BY s.sequence DESC LIMIT 1
$$;

CREATE FUNCTION beneficial_owners_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    owned_type TEXT;
    owner_type TEXT;
    recorded NUMERIC;
BEGIN
    NEW.recorded_at := now();
    -- A row the table's CHECKs refuse (itself as owner, a share out of range) goes on to them,
    -- which run after this trigger: the refusal then names the rule broken.
    IF NEW.owner_id = NEW.entity_id OR NOT (NEW.share > 0 AND NEW.share <= 100) THEN
        RETURN NEW;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.recorded_by AND active
                                         AND role IN ('system', 'admin', 'compliance_officer')) THEN
        RAISE EXCEPTION 'a beneficial owner is recorded by the active system agent, an admin or a compliance officer'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'beneficial_owners_recorder';
    END IF;
    PERFORM lock_beneficial_owners(NEW.entity_id);
    owned_type := current_entity_type(NEW.entity_id);
    IF owned_type IS DISTINCT FROM 'corporate' AND owned_type IS DISTINCT FROM 'fund' THEN
        RAISE EXCEPTION 'entity % has no current case of a corporate or a fund: only those have beneficial owners', NEW.entity_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'beneficial_owners_owned_kind';
    END IF;
    owner_type := current_entity_type(NEW.owner_id);
    IF owner_type IS NOT NULL AND owner_type <> 'individual' THEN
        RAISE EXCEPTION 'entity % is a %: a beneficial owner is a natural person', NEW.owner_id, owner_type
            USING ERRCODE = 'check_violation', CONSTRAINT = 'beneficial_owners_owner_kind';
    END IF;
    SELECT coalesce(sum(share), 0) INTO recorded FROM beneficial_owners WHERE entity_id = NEW.entity_id;
    IF recorded + NEW.share > 100 THEN
        RAISE EXCEPTION 'entity % has % percent recorded: % more would exceed 100', NEW.entity_id, recorded, NEW.share
            USING ERRCODE = 'check_violation', CONSTRAINT = 'beneficial_owners_total';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER trg_beneficial_owners_guard BEFORE INSERT ON beneficial_owners
    FOR EACH ROW EXECUTE FUNCTION beneficial_owners_guard();
CREATE TRIGGER trg_beneficial_owners_append_only BEFORE UPDATE OR DELETE ON beneficial_owners
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER trg_beneficial_owners_no_truncate BEFORE TRUNCATE ON beneficial_owners
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Each row has its audit entry by its recorder, on the row, naming the owned entity, the owner
-- and the share (checked at commit).
CREATE FUNCTION beneficial_owners_audited() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM audit_logs a
                    WHERE a.action = 'owner_recorded' AND a.subject_kind = 'beneficial_owner'
                      AND a.subject_id = NEW.id AND a.actor_id = NEW.recorded_by
                      AND a.entity_id = NEW.entity_id AND a.details ->> 'owner' = NEW.owner_id
                      AND CASE WHEN a.details ->> 'share' ~ '^[0-9]{1,3}(\.[0-9]{1,28})?$'
                               THEN (a.details ->> 'share')::NUMERIC = NEW.share ELSE false END) THEN
        RAISE EXCEPTION 'beneficial owner % has no audit entry', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'beneficial_owners_audited';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER trg_beneficial_owners_audited AFTER INSERT ON beneficial_owners
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION beneficial_owners_audited();

-- How the commit check finds a row's entry.
CREATE INDEX idx_audit_logs_owner_recorded ON audit_logs (subject_id)
    WHERE action = 'owner_recorded';

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
    'service_level_published', 'delisting_reviewed', 'owner_recorded'));
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_subject_kind;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_subject_kind CHECK (subject_kind IN ('user', 'compliance_rule', 'kyc_check', 'aml_check',
    'compliance_check', 'blockchain_transaction', 'blockchain_monitoring', 'false_positive', 'review_note',
    'api_token', 'watchlist_version', 'screening_subject', 'event_endpoint', 'screening_job',
    'information_request', 'service_level', 'beneficial_owner'));
