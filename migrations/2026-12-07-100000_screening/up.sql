-- Screening (issue 18): watchlist versions as immutable evidence, the subjects screened (personal
-- data, outside the hash chain, erasable within the law), the list versions each of this
-- project's screenings used, and the explanation of its matches.

-- ---------------------------------------------------------------------------------------------
-- 1. Watchlist versions and their entries: imported once, never changed, only superseded
-- ---------------------------------------------------------------------------------------------

CREATE TABLE watchlist_versions (
    id                   UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    list_name            VARCHAR(64) NOT NULL,
    list_kind            TEXT NOT NULL,
    format               TEXT NOT NULL,
    -- What was read: the format, the files' names, the list's own publication date if it has one.
    source               TEXT NOT NULL,
    -- SHA-256 over the files (name, length, bytes, in name order).
    content_hash         BYTEA NOT NULL,
    -- How a screening names this version: `LIST@` and the hash's first twelve hex digits.
    label                VARCHAR(80) NOT NULL,
    entry_count          INTEGER NOT NULL,
    -- The version this one supersedes (NULL for a list's first version).
    previous_version_id  UUID,
    -- Set only when an admin forced an import whose entry count fell by more than the guard's
    -- share (watchlist_max_drop_percent()).
    forced_reason        TEXT,
    imported_by          UUID NOT NULL REFERENCES users (id),
    imported_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_watchlist_versions_list_link UNIQUE (id, list_name),
    CONSTRAINT uq_watchlist_versions_content UNIQUE (list_name, content_hash),
    -- One successor per version: two imports racing on the same list cannot both supersede it.
    CONSTRAINT uq_watchlist_versions_previous UNIQUE (previous_version_id),
    CONSTRAINT fk_watchlist_versions_previous FOREIGN KEY (previous_version_id, list_name)
        REFERENCES watchlist_versions (id, list_name),
    CONSTRAINT ck_watchlist_versions_list_name CHECK (list_name ~ '^[!-~]{1,64}$'),
    CONSTRAINT ck_watchlist_versions_list_kind CHECK (list_kind IN ('sanctions', 'pep', 'adverse_media')),
    CONSTRAINT ck_watchlist_versions_format CHECK (format IN ('ofac-sdn-csv', 'un-xml', 'ftm-jsonl')),
    CONSTRAINT ck_watchlist_versions_source CHECK (char_length(source) BETWEEN 1 AND 1000),
    CONSTRAINT ck_watchlist_versions_content_hash CHECK (octet_length(content_hash) = 32),
    CONSTRAINT ck_watchlist_versions_label CHECK (label = list_name || '@' || left(encode(content_hash, 'hex'), 12)),
    CONSTRAINT ck_watchlist_versions_entry_count CHECK (entry_count > 0),
    CONSTRAINT ck_watchlist_versions_forced_reason CHECK (
        forced_reason IS NULL OR (forced_reason = btrim(forced_reason) AND char_length(forced_reason) BETWEEN 1 AND 2000))
);

-- A list's first version is the only one without a predecessor.
CREATE UNIQUE INDEX uq_watchlist_versions_first ON watchlist_versions (list_name) WHERE previous_version_id IS NULL;
CREATE INDEX idx_watchlist_versions_imported_by ON watchlist_versions (imported_by);
CREATE INDEX idx_watchlist_versions_list ON watchlist_versions (list_name, imported_at DESC, id);

-- The share of entries a new version may lose against the one it supersedes without an admin's
-- forced reason: a truncated feed must not delist thousands.
CREATE FUNCTION watchlist_max_drop_percent() RETURNS INTEGER
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 20 $$;

-- On insert: the version supersedes its list's latest version (no fork, no gap), its importer is
-- an active admin or the system agent, and an entry count that fell by more than the share is
-- refused without a forced reason. The row is never updated or deleted.
CREATE FUNCTION watchlist_versions_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    latest watchlist_versions%ROWTYPE;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'watchlist version % is evidence: it is never changed, only superseded', OLD.id
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'watchlist_versions_immutable';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.imported_by AND active AND role IN ('admin', 'system')) THEN
        RAISE EXCEPTION 'a watchlist version is imported by an active admin'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'watchlist_versions_importer';
    END IF;
    SELECT * INTO latest FROM watchlist_versions v
     WHERE v.list_name = NEW.list_name
       AND NOT EXISTS (SELECT 1 FROM watchlist_versions n WHERE n.previous_version_id = v.id);
    IF FOUND AND NEW.previous_version_id IS DISTINCT FROM latest.id THEN
        RAISE EXCEPTION 'a new version of % supersedes its latest version', NEW.list_name
            USING ERRCODE = 'check_violation', CONSTRAINT = 'watchlist_versions_supersede_latest';
    END IF;
    IF FOUND AND NEW.forced_reason IS NULL
       AND NEW.entry_count::bigint * 100 < latest.entry_count::bigint * (100 - watchlist_max_drop_percent()) THEN
        RAISE EXCEPTION 'the new version of % has % entries against % before: more than % percent fewer needs an admin''s forced reason',
            NEW.list_name, NEW.entry_count, latest.entry_count, watchlist_max_drop_percent()
            USING ERRCODE = 'check_violation', CONSTRAINT = 'watchlist_versions_entry_drop';
    END IF;
    NEW.imported_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_watchlist_versions_guard BEFORE INSERT OR UPDATE OR DELETE ON watchlist_versions
    FOR EACH ROW EXECUTE FUNCTION watchlist_versions_guard();
CREATE TRIGGER trg_watchlist_versions_no_truncate BEFORE TRUNCATE ON watchlist_versions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE TABLE watchlist_entries (
    version_id  UUID NOT NULL REFERENCES watchlist_versions (id),
    entry_ref   VARCHAR(64) NOT NULL,
    -- The entry as the importer read it (names, dates, countries, identifiers, wallets,
    -- programmes): public list data.
    entry       JSONB NOT NULL,
    PRIMARY KEY (version_id, entry_ref),
    CONSTRAINT ck_watchlist_entries_entry_ref CHECK (entry_ref ~ '^[!-~]{1,64}$'),
    CONSTRAINT ck_watchlist_entries_entry CHECK (
        jsonb_typeof(entry) = 'object' AND entry->>'id' = entry_ref
        AND jsonb_typeof(entry->'names') = 'array' AND jsonb_array_length(entry->'names') >= 1)
);

CREATE TRIGGER trg_watchlist_entries_append_only BEFORE UPDATE OR DELETE ON watchlist_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER trg_watchlist_entries_no_truncate BEFORE TRUNCATE ON watchlist_entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Entries are written only in their version's transaction, and at commit the version holds
-- exactly the entries its count says.
CREATE FUNCTION watchlist_entries_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    -- imported_at is the importing transaction's now(): no other transaction has the same.
    IF NOT EXISTS (SELECT 1 FROM watchlist_versions WHERE id = NEW.version_id AND imported_at = now()) THEN
        RAISE EXCEPTION 'watchlist version % is complete: entries are written in its own import', NEW.version_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'watchlist_entries_in_import';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER trg_watchlist_entries_guard BEFORE INSERT ON watchlist_entries
    FOR EACH ROW EXECUTE FUNCTION watchlist_entries_guard();

CREATE FUNCTION watchlist_versions_count_check() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    actual BIGINT;
BEGIN
    SELECT count(*) INTO actual FROM watchlist_entries WHERE version_id = NEW.id;
    IF actual <> NEW.entry_count THEN
        RAISE EXCEPTION 'watchlist version % says % entries and holds %', NEW.id, NEW.entry_count, actual
            USING ERRCODE = 'check_violation', CONSTRAINT = 'watchlist_versions_entry_count_matches';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER trg_watchlist_versions_count AFTER INSERT ON watchlist_versions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION watchlist_versions_count_check();

-- ---------------------------------------------------------------------------------------------
-- 2. Screening subjects: personal data, outside the chain, erasable within the law
-- ---------------------------------------------------------------------------------------------

-- What screening needs about an entity (names, birth, countries, identifiers, wallets), one row
-- per revision. The chain keeps each revision's commitment (SHA-256 over a random salt and the
-- subject's canonical JSON); erasing removes the subject and the salt.
CREATE TABLE screening_subjects (
    id           UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_id    VARCHAR(64) NOT NULL,
    revision     INTEGER NOT NULL,
    subject      JSONB,
    salt         BYTEA,
    commitment   BYTEA NOT NULL,
    recorded_by  UUID NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    erased_at    TIMESTAMPTZ,
    erased_by    UUID REFERENCES users (id),
    CONSTRAINT uq_screening_subjects_revision UNIQUE (entity_id, revision),
    CONSTRAINT ck_screening_subjects_entity_id CHECK (length(entity_id) >= 3 AND entity_id ~ '^[a-z][a-z0-9]*(-[a-z0-9]+)*$'),
    CONSTRAINT ck_screening_subjects_revision CHECK (revision >= 1),
    CONSTRAINT ck_screening_subjects_subject CHECK (
        subject IS NULL OR (jsonb_typeof(subject) = 'object' AND jsonb_typeof(subject->'names') = 'array'
                            AND jsonb_array_length(subject->'names') BETWEEN 1 AND 20)),
    CONSTRAINT ck_screening_subjects_erasure CHECK (
        (subject IS NULL) = (erased_at IS NOT NULL) AND (subject IS NULL) = (salt IS NULL)
        AND (erased_at IS NULL) = (erased_by IS NULL)),
    CONSTRAINT ck_screening_subjects_commitment CHECK (octet_length(commitment) = 32 AND (salt IS NULL OR octet_length(salt) = 16))
);
CREATE INDEX idx_screening_subjects_recorded_by ON screening_subjects (recorded_by);
CREATE INDEX idx_screening_subjects_erased_by ON screening_subjects (erased_by) WHERE erased_by IS NOT NULL;

-- The commitment the chain keeps for a subject revision.
CREATE FUNCTION screening_subject_commitment(salt BYTEA, subject JSONB) RETURNS BYTEA
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT sha256(salt || convert_to(subject::text, 'UTF8'))
$$;

-- When the entity's records may be erased: five years after the relationship ends (PMLA s.12,
-- UAE Federal Decree-Law No. 20 of 2018 Art. 16, 31 CFR 1010.430). A relationship ends with a
-- rejection (the application refused); an entity whose current case is open or approved is in a
-- relationship that has not ended (NULL: not erasable); an entity without a case has none
-- (the epoch: erasable now).
CREATE FUNCTION subject_retained_until(entity VARCHAR) RETURNS TIMESTAMPTZ
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT CASE
        WHEN c.id IS NULL THEN '1970-01-01 00:00:00+00'::timestamptz
        WHEN c.status = 'REJECTED' THEN c.decided_at + interval '5 years'
        ELSE NULL
    END
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (
        SELECT cc.id, cc.status, cc.decided_at
          FROM case_submissions s JOIN compliance_checks cc ON cc.id = s.compliance_check_id
         WHERE s.entity_id = entity
         ORDER BY s.sequence DESC LIMIT 1) c ON true
$$;

CREATE FUNCTION screening_subjects_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    until TIMESTAMPTZ;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.subject IS NULL OR NEW.erased_at IS NOT NULL OR NEW.erased_by IS NOT NULL THEN
            RAISE EXCEPTION 'a screening subject is written whole and erased later'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'screening_subjects_written_once';
        END IF;
        NEW.salt := uuid_send(gen_random_uuid());
        NEW.commitment := screening_subject_commitment(NEW.salt, NEW.subject);
        NEW.created_at := now();
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'screening subject % cannot be deleted: erase it instead', OLD.id
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'screening_subjects_written_once';
    END IF;
    IF (NEW.id, NEW.entity_id, NEW.revision, NEW.recorded_by, NEW.commitment, NEW.created_at)
       IS DISTINCT FROM (OLD.id, OLD.entity_id, OLD.revision, OLD.recorded_by, OLD.commitment, OLD.created_at)
       OR OLD.subject IS NULL OR NEW.subject IS NOT NULL OR NEW.salt IS NOT NULL THEN
        RAISE EXCEPTION 'screening subject %: a subject is never edited; the only change is erasing it', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'screening_subjects_written_once';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.erased_by AND active AND role IN ('admin', 'compliance_officer')) THEN
        RAISE EXCEPTION 'screening subject %: only an active admin or compliance officer erases subjects', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'screening_subjects_eraser';
    END IF;
    until := subject_retained_until(OLD.entity_id);
    IF until IS NULL OR until > now() THEN
        RAISE EXCEPTION 'screening subject %: the records of % are kept until five years after the relationship ends', OLD.id, OLD.entity_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'screening_subjects_retention';
    END IF;
    NEW.erased_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_screening_subjects_guard BEFORE INSERT OR UPDATE OR DELETE ON screening_subjects
    FOR EACH ROW EXECUTE FUNCTION screening_subjects_guard();
CREATE TRIGGER trg_screening_subjects_no_truncate BEFORE TRUNCATE ON screening_subjects
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- ---------------------------------------------------------------------------------------------
-- 3. This project's screenings: the list versions used, and the matches explained
-- ---------------------------------------------------------------------------------------------

-- Exactly the list versions one of this project's screenings ran against (its
-- watchlist_version text names them by label; these rows are the foreign keys).
CREATE TABLE aml_check_watchlist_versions (
    aml_check_id  UUID NOT NULL REFERENCES aml_checks (id),
    version_id    UUID NOT NULL REFERENCES watchlist_versions (id),
    PRIMARY KEY (aml_check_id, version_id)
);
CREATE INDEX idx_aml_check_watchlist_versions_version_id ON aml_check_watchlist_versions (version_id);
CREATE TRIGGER trg_aml_check_watchlist_versions_append_only BEFORE UPDATE OR DELETE ON aml_check_watchlist_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER trg_aml_check_watchlist_versions_no_truncate BEFORE TRUNCATE ON aml_check_watchlist_versions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Each match of one of this project's screenings, explained: which subject name met which list
-- name, and each feature's contribution. The subject's names are personal data: the row points
-- at the subject revision screened, and its explanation is erased with that subject.
CREATE TABLE screening_explanations (
    aml_check_id  UUID PRIMARY KEY REFERENCES aml_checks (id),
    subject_id    UUID NOT NULL REFERENCES screening_subjects (id),
    explanation   JSONB,
    CONSTRAINT ck_screening_explanations_explanation CHECK (explanation IS NULL OR jsonb_typeof(explanation) = 'array')
);
CREATE INDEX idx_screening_explanations_subject_id ON screening_explanations (subject_id);

-- Written once; the only change is erasing the explanation, and only once its subject is erased
-- (the subject's guard has checked the eraser and the retention period).
CREATE FUNCTION screening_explanations_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.explanation IS NOT NULL
       OR (NEW.aml_check_id, NEW.subject_id) IS DISTINCT FROM (OLD.aml_check_id, OLD.subject_id)
       OR NOT EXISTS (SELECT 1 FROM screening_subjects WHERE id = OLD.subject_id AND subject IS NULL) THEN
        RAISE EXCEPTION 'the explanation of screening % is kept until its subject is erased', OLD.aml_check_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'screening_explanations_erased_with_subject';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER trg_screening_explanations_guard BEFORE UPDATE OR DELETE ON screening_explanations
    FOR EACH ROW EXECUTE FUNCTION screening_explanations_guard();
CREATE TRIGGER trg_screening_explanations_no_truncate BEFORE TRUNCATE ON screening_explanations
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- ---------------------------------------------------------------------------------------------
-- 4. Scored matches, and the audit vocabulary of screening
-- ---------------------------------------------------------------------------------------------

ALTER TABLE aml_checks DROP CONSTRAINT ck_aml_checks_matched_entries;
ALTER TABLE aml_checks ADD CONSTRAINT ck_aml_checks_matched_entries CHECK (
    jsonb_typeof(matched_entries) = 'array'
    AND NOT matched_entries @? '$[*] ? (!(@.kind == "sanctions" || @.kind == "pep" || @.kind == "adverse_media")
                                        || !(@.list.type() == "string") || !(@.entry.type() == "string"))'
    AND NOT matched_entries @? '$[*] ? (exists(@.score) && !(@.score.type() == "number" && @.score >= 0 && @.score <= 1))');

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded',
    'false_positive_proposed', 'false_positive_confirmed', 'override_confirmed', 'note_erased',
    'api_token_created', 'api_token_revoked', 'password_set',
    'watchlist_imported', 'subject_recorded', 'subject_erased'));
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_subject_kind;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_subject_kind CHECK (subject_kind IN ('user', 'compliance_rule', 'kyc_check', 'aml_check',
    'compliance_check', 'blockchain_transaction', 'blockchain_monitoring', 'false_positive', 'review_note',
    'api_token', 'watchlist_version', 'screening_subject'));

-- ---------------------------------------------------------------------------------------------
-- 5. The guards that read rule kinds learn `screening_match` (the rules' bands)
-- ---------------------------------------------------------------------------------------------

-- A sanctions match at or above a REJECTED `screening_match` rule's band needs that rule's
-- rejection among the reasons, as a `sanctions_match` rule's does.
CREATE OR REPLACE FUNCTION sanctions_reason_missing(aml_check_id UUID, jurisdiction TEXT, rule_versions JSONB, reasons JSONB) RETURNS BOOLEAN
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM aml_checks a WHERE a.id = sanctions_reason_missing.aml_check_id AND a.sanctions_match)
       AND EXISTS (
           SELECT 1 FROM jsonb_array_elements(sanctions_reason_missing.rule_versions) v
             JOIN compliance_rules cr ON cr.jurisdiction = sanctions_reason_missing.jurisdiction
                                     AND cr.code = v ->> 'code' AND cr.version = (v ->> 'version')::INTEGER
            WHERE (cr.parameters ->> 'kind' = 'sanctions_match'
                   OR (cr.parameters ->> 'kind' = 'screening_match' AND cr.parameters ->> 'list_kind' = 'sanctions'
                       AND cr.parameters ->> 'outcome' = 'REJECTED'
                       AND EXISTS (SELECT 1 FROM aml_checks a, jsonb_array_elements(a.matched_entries) m
                                    WHERE a.id = sanctions_reason_missing.aml_check_id AND m ->> 'kind' = 'sanctions'
                                      AND coalesce((m ->> 'score')::NUMERIC, 1) >= (cr.parameters ->> 'min_score')::NUMERIC)))
              AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(sanctions_reason_missing.reasons) r
                               WHERE r -> 'rule' ->> 'code' = cr.code AND r ->> 'outcome' = 'REJECTED'));
END
$$;

-- A rejection by a sanctions `screening_match` rule is one the false-positive override can lift.
CREATE OR REPLACE FUNCTION rejection_overridden(case_id UUID, aml_check_id UUID, jurisdiction TEXT, reasons JSONB) RETURNS BOOLEAN
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    RETURN NOT EXISTS (
               SELECT 1 FROM jsonb_array_elements(rejection_overridden.reasons) r
                WHERE r ->> 'outcome' = 'REJECTED'
                  AND NOT EXISTS (SELECT 1 FROM compliance_rules cr
                                   WHERE cr.jurisdiction = rejection_overridden.jurisdiction
                                     AND cr.code = r -> 'rule' ->> 'code'
                                     AND cr.version = (r -> 'rule' ->> 'version')::INTEGER
                                     AND (cr.parameters ->> 'kind' = 'sanctions_match'
                                          OR (cr.parameters ->> 'kind' = 'screening_match'
                                              AND cr.parameters ->> 'list_kind' = 'sanctions'))))
       AND NOT EXISTS (
               SELECT 1 FROM aml_checks a, jsonb_array_elements(a.matched_entries) m
                WHERE a.id = rejection_overridden.aml_check_id AND m ->> 'kind' = 'sanctions'
                  AND NOT EXISTS (SELECT 1 FROM false_positives f
                                   WHERE f.compliance_check_id = rejection_overridden.case_id
                                     AND f.list = m ->> 'list' AND f.entry = m ->> 'entry'
                                     AND f.confirmed_by IS NOT NULL));
END
$$;

-- A `screening_match` rule weighs the matches of its list kind.
CREATE OR REPLACE FUNCTION unweighed_signals_for(jurisdiction TEXT, rule_versions JSONB, kyc_check_id UUID, aml_check_id UUID) RETURNS JSONB
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    kinds JSONB;
    flags TEXT[];
    matches TEXT[];
BEGIN
    SELECT coalesce(jsonb_agg(cr.parameters), '[]') INTO kinds
      FROM jsonb_array_elements(unweighed_signals_for.rule_versions) v
      JOIN compliance_rules cr ON cr.jurisdiction = unweighed_signals_for.jurisdiction
                              AND cr.code = v ->> 'code' AND cr.version = (v ->> 'version')::INTEGER;
    SELECT coalesce(array_agg(f), '{}') INTO flags
      FROM kyc_checks k, jsonb_array_elements_text(k.red_flags) f
     WHERE k.id = unweighed_signals_for.kyc_check_id
       AND NOT kinds @> '[{"kind": "red_flags"}]'
       AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(kinds) p
                        WHERE p ->> 'kind' = 'risk_signals' AND p -> 'red_flags' ? f);
    SELECT coalesce(array_agg(DISTINCT m ->> 'kind'), '{}') INTO matches
      FROM aml_checks a, jsonb_array_elements(a.matched_entries) m
     WHERE a.id = unweighed_signals_for.aml_check_id
       AND NOT (m ->> 'kind' = 'sanctions' AND kinds @> '[{"kind": "sanctions_match"}]')
       AND NOT (m ->> 'kind' = 'pep' AND kinds @> '[{"kind": "pep_match"}]')
       AND NOT kinds @> jsonb_build_array(jsonb_build_object('kind', 'screening_match', 'list_kind', m ->> 'kind'))
       AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(kinds) p
                        WHERE p ->> 'kind' = 'risk_signals' AND p -> 'matches' ? (m ->> 'kind'));
    RETURN jsonb_build_object(
        'red_flags', coalesce((SELECT jsonb_agg(k ORDER BY o)
                                 FROM unnest('{adverse_media,high_risk_country,unverified_source_of_funds,document_inconsistency,opaque_ownership,unusual_activity,identity_mismatch}'::TEXT[])
                                      WITH ORDINALITY AS d(k, o)
                                WHERE k = ANY (flags)), '[]'),
        'matches', coalesce((SELECT jsonb_agg(k ORDER BY o)
                               FROM unnest('{sanctions,pep,adverse_media}'::TEXT[]) WITH ORDINALITY AS d(k, o)
                              WHERE k = ANY (matches)), '[]'));
END
$$;
