-- Decision integrity (issue 9): an entity's cases over its life, the engine's verdict that no
-- reviewer can silently overrule, false-positive overrides under four eyes, and free text kept
-- out of the hash chain so that it stays erasable.
--
-- Additive: no existing row is rewritten or removed. Existing cases become each entity's first
-- (and current) case in case_submissions; their free-text reasons stay where they were written
-- (docs/data-model.md, "Known gaps", says what that means for erasure).

-- ---------------------------------------------------------------------------------------------
-- 1. Shared functions
-- ---------------------------------------------------------------------------------------------

-- The order of strictness of the statuses (domain: CheckStatus's Ord).
CREATE FUNCTION status_rank(status TEXT) RETURNS SMALLINT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE status WHEN 'APPROVED' THEN 0 WHEN 'PENDING' THEN 1 WHEN 'ESCALATED' THEN 2 WHEN 'REJECTED' THEN 3 END::SMALLINT
$$;

-- The status table gains one change, by the engine only: an approved case whose re-evaluation
-- finds something missing (a new rule asks for a document) goes back to PENDING, into the queue.
CREATE OR REPLACE FUNCTION status_transition_allowed(from_status TEXT, to_status TEXT, by_reviewer BOOLEAN)
RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT (from_status, to_status) IN (
               ('PENDING', 'APPROVED'), ('PENDING', 'ESCALATED'), ('PENDING', 'REJECTED'),
               ('APPROVED', 'ESCALATED'), ('APPROVED', 'REJECTED'))
        OR (by_reviewer AND (from_status, to_status) IN (
               ('ESCALATED', 'APPROVED'), ('ESCALATED', 'REJECTED')))
        OR (NOT by_reviewer AND (from_status, to_status) = ('APPROVED', 'PENDING'))
$$;

-- ---------------------------------------------------------------------------------------------
-- 2. Free text outside the chain: review_notes
-- ---------------------------------------------------------------------------------------------

-- A reviewer's words. The audit chain holds only the note's id and its commitment
-- (SHA-256 over a random salt and the text), so erasing the text (and the salt) later leaves
-- every chained hash as it was.
CREATE TABLE review_notes (
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_id   VARCHAR(64) NOT NULL,
    author_id   UUID NOT NULL REFERENCES users (id),
    body        TEXT,
    salt        BYTEA,
    commitment  BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    erased_at   TIMESTAMPTZ,
    erased_by   UUID REFERENCES users (id),
    CONSTRAINT ck_review_notes_entity_id CHECK (length(entity_id) >= 3 AND entity_id ~ '^[a-z][a-z0-9]*(-[a-z0-9]+)*$'),
    -- The domain's ReviewReason: trimmed, 1 to 2000 characters, no control character but line
    -- breaks and tabs.
    CONSTRAINT ck_review_notes_body CHECK (
        body = btrim(body, E' \t\n\r') AND char_length(body) BETWEEN 1 AND 2000
        AND body !~ '[\x01-\x08\x0b-\x1f\x7f-\x9f]'),
    CONSTRAINT ck_review_notes_erasure CHECK (
        (body IS NULL) = (erased_at IS NOT NULL) AND (body IS NULL) = (salt IS NULL)
        AND (erased_at IS NULL) = (erased_by IS NULL)),
    CONSTRAINT ck_review_notes_commitment CHECK (octet_length(commitment) = 32 AND (salt IS NULL OR octet_length(salt) = 16))
);

-- The commitment the chain keeps for a note: SHA-256 over the salt and the text's UTF-8 bytes.
CREATE FUNCTION review_note_commitment(salt BYTEA, body TEXT) RETURNS BYTEA
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT sha256(salt || convert_to(body, 'UTF8'))
$$;

-- The database draws the salt and computes the commitment (whatever the writer sent); a note is
-- written once and then only erased: body and salt set to NULL, with who and when.
CREATE FUNCTION review_notes_guard() RETURNS TRIGGER
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

CREATE TRIGGER trg_review_notes_guard BEFORE INSERT OR UPDATE OR DELETE ON review_notes
    FOR EACH ROW EXECUTE FUNCTION review_notes_guard();
CREATE TRIGGER trg_review_notes_no_truncate BEFORE TRUNCATE ON review_notes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE INDEX idx_review_notes_entity_id ON review_notes (entity_id);
CREATE INDEX idx_review_notes_author_id ON review_notes (author_id);
CREATE INDEX idx_review_notes_erased_by ON review_notes (erased_by) WHERE erased_by IS NOT NULL;

-- Cases point at their notes instead of holding the text (the old text columns stay for rows
-- written before this migration; new writes leave them NULL).
ALTER TABLE compliance_checks
    ADD COLUMN review_note_id UUID REFERENCES review_notes (id),
    ADD COLUMN approval_note_id UUID REFERENCES review_notes (id),
    -- When the engine's verdict last changed (NULL: not since the case was opened). A verdict
    -- newer than the status that is stricter than it is one no reviewer has seen yet.
    ADD COLUMN engine_decided_at TIMESTAMPTZ;
CREATE INDEX idx_compliance_checks_review_note_id ON compliance_checks (review_note_id) WHERE review_note_id IS NOT NULL;
CREATE INDEX idx_compliance_checks_approval_note_id ON compliance_checks (approval_note_id) WHERE approval_note_id IS NOT NULL;

ALTER TABLE compliance_checks DROP CONSTRAINT ck_compliance_checks_proposal;
ALTER TABLE compliance_checks ADD CONSTRAINT ck_compliance_checks_proposal CHECK (
    (approval_proposed_by IS NULL) = (approval_proposed_at IS NULL)
    AND (approval_proposed_by IS NULL) = (approval_proposal_reason IS NULL AND approval_note_id IS NULL)
    AND (approval_proposal_reason IS NULL OR approval_note_id IS NULL)
    AND (approval_proposed_by IS NULL OR status IN ('ESCALATED', 'APPROVED')));
ALTER TABLE compliance_checks ADD CONSTRAINT ck_compliance_checks_review_note CHECK (review_reason IS NULL OR review_note_id IS NULL);

-- ---------------------------------------------------------------------------------------------
-- 3. An entity's cases over its life: case_submissions
-- ---------------------------------------------------------------------------------------------

-- One KYC check per entity is no longer the rule: a new application after a rejection, or a
-- periodic review, opens a new KYC check and a new case.
ALTER TABLE kyc_checks DROP CONSTRAINT uq_kyc_checks_entity_id;
CREATE INDEX idx_kyc_checks_entity_id ON kyc_checks (entity_id);
-- Targets of case_submissions' composite keys.
ALTER TABLE kyc_checks ADD CONSTRAINT uq_kyc_checks_id_entity_id UNIQUE (id, entity_id);
ALTER TABLE compliance_checks ADD CONSTRAINT uq_compliance_checks_id_kyc_check_id UNIQUE (id, kyc_check_id);

-- The months until a periodic review of an approved case, by the periodic_review rule in force
-- now in its jurisdiction (NULL when none is). The rules crate's RuleSet::next_review is the
-- other copy; a test compares the two.
CREATE FUNCTION review_due_at(jurisdiction TEXT, risk_level TEXT, approved_at TIMESTAMPTZ) RETURNS TIMESTAMPTZ
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, public, pg_temp AS $$
    -- Months are added in UTC, as the rules crate does, whatever the session's TimeZone.
    SELECT ((approved_at AT TIME ZONE 'UTC') + make_interval(months => (r.parameters -> 'months' ->> risk_level)::NUMERIC::INTEGER)) AT TIME ZONE 'UTC'
      FROM compliance_rules r
     WHERE r.jurisdiction = review_due_at.jurisdiction
       AND r.parameters ->> 'kind' = 'periodic_review'
       AND r.effective_from <= now() AND (r.effective_to IS NULL OR r.effective_to > now())
     ORDER BY r.effective_from DESC
     LIMIT 1
$$;

-- One review policy in force per jurisdiction at any instant (the rules crate refuses two as
-- RuleSetError::TwoReviewPolicies), and its months well formed: every risk level, 1 to 120
-- months, never longer for more risk.
ALTER TABLE compliance_rules ADD CONSTRAINT ex_compliance_rules_one_review_policy EXCLUDE USING gist (
    jurisdiction WITH =, tstzrange(effective_from, effective_to, '[)') WITH &&)
    WHERE (parameters ->> 'kind' = 'periodic_review');
ALTER TABLE compliance_rules ADD CONSTRAINT ck_compliance_rules_review_policy CHECK (
    parameters ->> 'kind' IS DISTINCT FROM 'periodic_review'
    OR jsonb_typeof(parameters -> 'months') = 'object'
       AND parameters -> 'months' ?& ARRAY['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']
       AND (parameters -> 'months') - 'LOW' - 'MEDIUM' - 'HIGH' - 'CRITICAL' = '{}'::JSONB
       AND NOT parameters -> 'months' @? '$.* ? (!(@.type() == "number" && @ >= 1 && @ <= 120 && @ == @.floor()))'
       AND (parameters -> 'months' ->> 'LOW')::NUMERIC >= (parameters -> 'months' ->> 'MEDIUM')::NUMERIC
       AND (parameters -> 'months' ->> 'MEDIUM')::NUMERIC >= (parameters -> 'months' ->> 'HIGH')::NUMERIC
       AND (parameters -> 'months' ->> 'HIGH')::NUMERIC >= (parameters -> 'months' ->> 'CRITICAL')::NUMERIC);

-- Every case, numbered per entity: 1 for the first application, 2 for the next, and so on. The
-- entity's current case is its highest number. Append-only; the key on (entity_id, sequence)
-- is what makes two concurrent submissions for one entity a conflict rather than two open cases.
CREATE TABLE case_submissions (
    compliance_check_id  UUID PRIMARY KEY,
    kyc_check_id         UUID NOT NULL,
    entity_id            VARCHAR(64) NOT NULL,
    sequence             INTEGER NOT NULL,
    -- The caller's Idempotency-Key, when it sent one: the same key always names the same case.
    idempotency_key      VARCHAR(128),
    submitted_by         UUID NOT NULL REFERENCES users (id),
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_case_submissions_entity_sequence UNIQUE (entity_id, sequence),
    CONSTRAINT uq_case_submissions_kyc_check_id UNIQUE (kyc_check_id),
    CONSTRAINT uq_case_submissions_idempotency_key UNIQUE (idempotency_key),
    CONSTRAINT fk_case_submissions_kyc_check FOREIGN KEY (kyc_check_id, entity_id)
        REFERENCES kyc_checks (id, entity_id),
    CONSTRAINT fk_case_submissions_case FOREIGN KEY (compliance_check_id, kyc_check_id)
        REFERENCES compliance_checks (id, kyc_check_id),
    CONSTRAINT ck_case_submissions_sequence CHECK (sequence >= 1),
    CONSTRAINT ck_case_submissions_idempotency_key CHECK (idempotency_key ~ '^[!-~]{1,128}$')
);

-- A new case follows the entity's latest without a gap, and only once that one is closed: it was
-- rejected (a new application), or it is approved and its periodic review has fallen due.
CREATE FUNCTION case_submissions_insert_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    previous RECORD;
BEGIN
    IF EXISTS (SELECT 1 FROM case_submissions s WHERE s.entity_id = NEW.entity_id AND s.sequence >= NEW.sequence) THEN
        RAISE EXCEPTION 'entity % already has a case numbered % or later', NEW.entity_id, NEW.sequence
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'uq_case_submissions_entity_sequence';
    END IF;
    IF NEW.sequence > 1 THEN
        SELECT cc.id, cc.status, cc.jurisdiction, cc.risk_level, cc.decided_at INTO previous
          FROM case_submissions s JOIN compliance_checks cc ON cc.id = s.compliance_check_id
         WHERE s.entity_id = NEW.entity_id AND s.sequence = NEW.sequence - 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'entity %: case % follows case %, which does not exist', NEW.entity_id, NEW.sequence, NEW.sequence - 1
                USING ERRCODE = 'check_violation', CONSTRAINT = 'case_submissions_sequence';
        END IF;
        IF NOT (previous.status = 'REJECTED'
                OR previous.status = 'APPROVED'
                   AND review_due_at(previous.jurisdiction, previous.risk_level, previous.decided_at) <= now()) THEN
            RAISE EXCEPTION 'entity % has an open case %: a new case opens only after a rejection or when the periodic review is due', NEW.entity_id, previous.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'case_submissions_open_case';
        END IF;
    END IF;
    NEW.created_at := now();
    RETURN NEW;
END
$$;

-- Every case that exists becomes its entity's first (one KYC check per entity held until now),
-- with its own creation time: before the guard exists, which would stamp the migration's.
INSERT INTO case_submissions (compliance_check_id, kyc_check_id, entity_id, sequence, submitted_by, created_at)
SELECT cc.id, cc.kyc_check_id, k.entity_id, 1, k.submitted_by, cc.created_at
  FROM compliance_checks cc JOIN kyc_checks k ON k.id = cc.kyc_check_id;

CREATE TRIGGER trg_case_submissions_insert_guard BEFORE INSERT ON case_submissions
    FOR EACH ROW EXECUTE FUNCTION case_submissions_insert_guard();
CREATE TRIGGER trg_case_submissions_append_only BEFORE UPDATE OR DELETE ON case_submissions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER trg_case_submissions_no_truncate BEFORE TRUNCATE ON case_submissions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE INDEX idx_case_submissions_submitted_by ON case_submissions (submitted_by);

-- ---------------------------------------------------------------------------------------------
-- 4. False positives: the override of an engine rejection, under four eyes
-- ---------------------------------------------------------------------------------------------

-- A matched list entry that a reviewer dispositions as a false positive for a case (with a
-- reason), and a second, different reviewer confirms. Kept for the case: a later screening
-- that matches the same entry again is already cleared.
CREATE TABLE false_positives (
    id                    UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    compliance_check_id   UUID NOT NULL REFERENCES compliance_checks (id),
    aml_check_id          UUID NOT NULL REFERENCES aml_checks (id),
    list                  VARCHAR(64) NOT NULL,
    entry                 VARCHAR(64) NOT NULL,
    proposed_by           UUID NOT NULL REFERENCES users (id),
    proposed_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    proposal_note_id      UUID NOT NULL REFERENCES review_notes (id),
    confirmed_by          UUID REFERENCES users (id),
    confirmed_at          TIMESTAMPTZ,
    confirmation_note_id  UUID REFERENCES review_notes (id),
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_false_positives_case_entry UNIQUE (compliance_check_id, list, entry),
    CONSTRAINT ck_false_positives_list CHECK (list ~ '^[!-~]{1,64}$'),
    CONSTRAINT ck_false_positives_entry CHECK (entry ~ '^[!-~]{1,64}$'),
    CONSTRAINT ck_false_positives_confirmation CHECK (
        (confirmed_by IS NULL) = (confirmed_at IS NULL) AND (confirmed_by IS NULL) = (confirmation_note_id IS NULL)),
    -- Four eyes: whoever proposed is not whoever confirmed.
    CONSTRAINT ck_false_positives_four_eyes CHECK (confirmed_by IS DISTINCT FROM proposed_by)
);

-- A note fits a step when its author takes the step and it is about the case's entity (and its
-- text is still there).
CREATE FUNCTION review_note_fits(note_id UUID, author UUID, case_id UUID) RETURNS BOOLEAN
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM review_notes n
                     JOIN compliance_checks cc ON cc.id = case_id
                     JOIN kyc_checks k ON k.id = cc.kyc_check_id
                    WHERE n.id = note_id AND n.author_id = author AND n.entity_id = k.entity_id
                      AND n.body IS NOT NULL)
$$;

-- Proposed once, on an entry the case's screening matched, by an active admin or compliance
-- officer; then only confirmed, once, by another. Never deleted.
CREATE FUNCTION false_positives_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'false positive % cannot be deleted: dispositions are kept', OLD.id
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'false_positives_kept';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.confirmed_by IS NOT NULL THEN
            RAISE EXCEPTION 'a false positive is proposed by one reviewer and confirmed later by another'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'false_positives_four_eyes';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM compliance_checks cc JOIN aml_checks a ON a.kyc_check_id = cc.kyc_check_id
                        WHERE cc.id = NEW.compliance_check_id AND a.id = NEW.aml_check_id
                          AND a.matched_entries @> jsonb_build_array(jsonb_build_object('list', NEW.list, 'entry', NEW.entry))) THEN
            RAISE EXCEPTION 'compliance check %: screening % matched no entry % on list %', NEW.compliance_check_id, NEW.aml_check_id, NEW.entry, NEW.list
                USING ERRCODE = 'check_violation', CONSTRAINT = 'false_positives_matched_entry';
        END IF;
        IF EXISTS (SELECT 1 FROM compliance_checks WHERE id = NEW.compliance_check_id AND status = 'REJECTED') THEN
            RAISE EXCEPTION 'compliance check % is REJECTED: a closed case''s matches are not dispositioned', NEW.compliance_check_id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'false_positives_case_closed';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.proposed_by AND active AND role IN ('admin', 'compliance_officer')) THEN
            RAISE EXCEPTION 'compliance check %: only an active admin or compliance officer dispositions a list match', NEW.compliance_check_id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'false_positives_reviewer_role';
        END IF;
        IF NOT review_note_fits(NEW.proposal_note_id, NEW.proposed_by, NEW.compliance_check_id) THEN
            RAISE EXCEPTION 'compliance check %: a false positive is proposed with a note by its proposer about the case''s entity', NEW.compliance_check_id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'false_positives_note';
        END IF;
        NEW.proposed_at := now();
        NEW.created_at := now();
        RETURN NEW;
    END IF;
    IF (NEW.id, NEW.compliance_check_id, NEW.aml_check_id, NEW.list, NEW.entry, NEW.proposed_by, NEW.proposed_at, NEW.proposal_note_id, NEW.created_at)
       IS DISTINCT FROM (OLD.id, OLD.compliance_check_id, OLD.aml_check_id, OLD.list, OLD.entry, OLD.proposed_by, OLD.proposed_at, OLD.proposal_note_id, OLD.created_at)
       OR OLD.confirmed_by IS NOT NULL OR NEW.confirmed_by IS NULL THEN
        RAISE EXCEPTION 'false positive %: the only change is its confirmation, once', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'false_positives_four_eyes';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.confirmed_by AND active AND role IN ('admin', 'compliance_officer')) THEN
        RAISE EXCEPTION 'false positive %: only an active admin or compliance officer confirms a disposition', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'false_positives_reviewer_role';
    END IF;
    -- The first pair of eyes still counts only while its owner may still decide.
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = OLD.proposed_by AND active AND role IN ('admin', 'compliance_officer')) THEN
        RAISE EXCEPTION 'false positive %: its proposer is no longer an active admin or compliance officer; propose it again', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'false_positives_four_eyes';
    END IF;
    IF NOT review_note_fits(NEW.confirmation_note_id, NEW.confirmed_by, NEW.compliance_check_id) THEN
        RAISE EXCEPTION 'false positive %: a confirmation comes with a note by its author about the case''s entity', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'false_positives_note';
    END IF;
    NEW.confirmed_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_false_positives_guard BEFORE INSERT OR UPDATE OR DELETE ON false_positives
    FOR EACH ROW EXECUTE FUNCTION false_positives_guard();
CREATE TRIGGER trg_false_positives_no_truncate BEFORE TRUNCATE ON false_positives
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE INDEX idx_false_positives_aml_check_id ON false_positives (aml_check_id);
CREATE INDEX idx_false_positives_proposed_by ON false_positives (proposed_by);
CREATE INDEX idx_false_positives_confirmed_by ON false_positives (confirmed_by) WHERE confirmed_by IS NOT NULL;
CREATE INDEX idx_false_positives_proposal_note_id ON false_positives (proposal_note_id);
CREATE INDEX idx_false_positives_confirmation_note_id ON false_positives (confirmation_note_id) WHERE confirmation_note_id IS NOT NULL;

-- True when an engine rejection of this case on this screening is overridden: every reason
-- that rejects comes from a sanctions_match rule, and every sanctions entry the screening
-- matched is a confirmed false positive of the case. (Domain: the service re-evaluates the case
-- without the confirmed false positives; a test compares the two.)
CREATE FUNCTION rejection_overridden(case_id UUID, aml_check_id UUID, jurisdiction TEXT, reasons JSONB) RETURNS BOOLEAN
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT NOT EXISTS (
               SELECT 1 FROM jsonb_array_elements(reasons) r
                WHERE r ->> 'outcome' = 'REJECTED'
                  AND NOT EXISTS (SELECT 1 FROM compliance_rules cr
                                   WHERE cr.jurisdiction = rejection_overridden.jurisdiction
                                     AND cr.code = r -> 'rule' ->> 'code'
                                     AND cr.version = (r -> 'rule' ->> 'version')::INTEGER
                                     AND cr.parameters ->> 'kind' = 'sanctions_match'))
       AND NOT EXISTS (
               SELECT 1 FROM aml_checks a, jsonb_array_elements(a.matched_entries) m
                WHERE a.id = rejection_overridden.aml_check_id AND m ->> 'kind' = 'sanctions'
                  AND NOT EXISTS (SELECT 1 FROM false_positives f
                                   WHERE f.compliance_check_id = case_id AND f.list = m ->> 'list'
                                     AND f.entry = m ->> 'entry' AND f.confirmed_by IS NOT NULL))
$$;

-- True when a screening matched a sanctions list, the decision evaluated a sanctions_match rule
-- (one of `rule_versions`), and no reason rejects by that rule: a verdict rewritten by hand.
CREATE FUNCTION sanctions_reason_missing(aml_check_id UUID, jurisdiction TEXT, rule_versions JSONB, reasons JSONB) RETURNS BOOLEAN
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM aml_checks a WHERE a.id = sanctions_reason_missing.aml_check_id AND a.sanctions_match)
       AND EXISTS (
           SELECT 1 FROM jsonb_array_elements(rule_versions) v
             JOIN compliance_rules cr ON cr.jurisdiction = sanctions_reason_missing.jurisdiction
                                     AND cr.code = v ->> 'code' AND cr.version = (v ->> 'version')::INTEGER
            WHERE cr.parameters ->> 'kind' = 'sanctions_match'
              AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(reasons) r
                               WHERE r -> 'rule' ->> 'code' = cr.code AND r ->> 'outcome' = 'REJECTED'))
$$;

-- ---------------------------------------------------------------------------------------------
-- 5. The update guard of compliance_checks, with the engine's verdict and the notes
-- ---------------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION compliance_checks_update_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    decider_role TEXT;
    proposer_role TEXT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'compliance check % cannot be deleted: decisions are kept', OLD.id
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'compliance_checks_kept';
    END IF;
    IF (NEW.id, NEW.kyc_check_id, NEW.jurisdiction, NEW.created_at) IS DISTINCT FROM (OLD.id, OLD.kyc_check_id, OLD.jurisdiction, OLD.created_at) THEN
        RAISE EXCEPTION 'compliance check %: id, KYC check, jurisdiction and creation time never change', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_identity';
    END IF;
    IF NEW.revision <> OLD.revision + 1 THEN
        RAISE EXCEPTION 'compliance check %: revision must go from % to %, got %', OLD.id, OLD.revision, OLD.revision + 1, NEW.revision
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_revision';
    END IF;
    -- A case that is no longer its entity's latest is history: nothing about it changes.
    IF EXISTS (SELECT 1 FROM case_submissions s JOIN case_submissions n ON n.entity_id = s.entity_id AND n.sequence > s.sequence
                WHERE s.compliance_check_id = OLD.id) THEN
        RAISE EXCEPTION 'compliance check %: its entity has a newer case; this one is history and does not change', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_not_current';
    END IF;
    -- The engine's verdict changes only with a re-screening: a screening of the same KYC check
    -- recorded in this very transaction (never an older one pointed at again), and, when that screening matched a sanctions list and the
    -- decision evaluated a sanctions_match rule, with that rule's rejection among its reasons. A
    -- reviewer's decision leaves the verdict as it was.
    IF (NEW.engine_status, NEW.reasons, NEW.rule_versions, NEW.aml_check_id, NEW.risk_score, NEW.risk_level)
       IS DISTINCT FROM (OLD.engine_status, OLD.reasons, OLD.rule_versions, OLD.aml_check_id, OLD.risk_score, OLD.risk_level) THEN
        IF NEW.status IS DISTINCT FROM OLD.status
           AND EXISTS (SELECT 1 FROM users WHERE id = NEW.decided_by AND role <> 'system') THEN
            RAISE EXCEPTION 'compliance check %: a reviewer decides the status; the engine''s verdict stays as the engine recorded it', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_engine_verdict';
        END IF;
        IF NEW.aml_check_id = OLD.aml_check_id
           OR NOT EXISTS (SELECT 1 FROM aml_checks n WHERE n.id = NEW.aml_check_id AND n.created_at = now()) THEN
            RAISE EXCEPTION 'compliance check %: the engine''s verdict changes only with a new screening of the case, recorded in the same transaction', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_engine_verdict';
        END IF;
    END IF;
    IF sanctions_reason_missing(NEW.aml_check_id, NEW.jurisdiction, NEW.rule_versions, NEW.reasons) THEN
        RAISE EXCEPTION 'compliance check %: its screening matched a sanctions list, and the sanctions rule''s rejection is missing from its reasons', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_engine_verdict';
    END IF;
    -- The engine's verdict is dated by the database: when it changes (a re-screening that comes
    -- to the same verdict leaves the date, so that what reviewers decided over stays decided).
    IF NEW.engine_status IS DISTINCT FROM OLD.engine_status THEN
        NEW.engine_decided_at := clock_timestamp();
    ELSE
        NEW.engine_decided_at := OLD.engine_decided_at;
    END IF;
    -- Free text is written to review_notes from now on; the old columns only keep what they held.
    IF NEW.review_reason IS NOT NULL AND NEW.review_reason IS DISTINCT FROM OLD.review_reason
       OR NEW.approval_proposal_reason IS NOT NULL AND NEW.approval_proposal_reason IS DISTINCT FROM OLD.approval_proposal_reason THEN
        RAISE EXCEPTION 'compliance check %: reasons are written as review notes (review_note_id, approval_note_id), not as text', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_review_reason';
    END IF;
    -- The engine's verdict is never silently overruled: a case the engine rejects is approved
    -- only once every sanctions match is a confirmed false positive (and nothing else rejects).
    IF NEW.status = 'APPROVED' AND NEW.engine_status = 'REJECTED'
       AND NOT rejection_overridden(NEW.id, NEW.aml_check_id, NEW.jurisdiction, NEW.reasons) THEN
        RAISE EXCEPTION 'compliance check %: the engine rejects it; it is approved only after every sanctions match is confirmed a false positive by two reviewers', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_engine_rejected';
    END IF;

    IF NEW.status IS DISTINCT FROM OLD.status THEN
        SELECT role INTO decider_role FROM users WHERE id = NEW.decided_by AND active;
        IF decider_role IS NULL THEN
            RAISE EXCEPTION 'compliance check %: user % is unknown or inactive and decides nothing', OLD.id, NEW.decided_by
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_decider';
        END IF;
        IF NOT status_transition_allowed(OLD.status, NEW.status, decider_role <> 'system') THEN
            RAISE EXCEPTION 'compliance check %: % -> % is not allowed for a % user', OLD.id, OLD.status, NEW.status, decider_role
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_status_transition';
        END IF;
        IF decider_role <> 'system' AND NOT (
               decider_role IN ('admin', 'compliance_officer') AND OLD.status IN ('PENDING', 'ESCALATED', 'APPROVED')
            OR decider_role = 'analyst' AND OLD.status = 'PENDING') THEN
            RAISE EXCEPTION 'compliance check %: a % may not decide a % case', OLD.id, decider_role, OLD.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_reviewer_role';
        END IF;
        IF decider_role <> 'system' AND (NEW.review_note_id IS NOT DISTINCT FROM OLD.review_note_id
                                         OR NOT review_note_fits(NEW.review_note_id, NEW.decided_by, NEW.id)) THEN
            RAISE EXCEPTION 'compliance check %: a reviewer''s decision needs a reason: a new review note by the reviewer', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_review_reason';
        END IF;
        IF decider_role = 'system' AND (NEW.review_note_id IS NOT NULL OR NEW.review_reason IS NOT NULL) THEN
            RAISE EXCEPTION 'compliance check %: the engine decides without a reviewer''s reason', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_review_reason';
        END IF;
        -- The decision's time is the database's, read under the case row's lock: a writer
        -- whose transaction began before the one it waited for still decides after it.
        NEW.decided_at := greatest(clock_timestamp(), OLD.decided_at);
        IF NEW.decided_at < OLD.decided_at THEN
            RAISE EXCEPTION 'compliance check %: decided_at cannot move back in time', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_decided_at';
        END IF;
        IF OLD.status = 'ESCALATED' AND NEW.status = 'APPROVED'
           AND (OLD.approval_proposed_by IS NULL OR NEW.approval_proposed_by IS DISTINCT FROM OLD.approval_proposed_by) THEN
            RAISE EXCEPTION 'compliance check %: approving an escalated case confirms an earlier proposal by a different reviewer', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_four_eyes';
        END IF;
        IF OLD.status = 'ESCALATED' AND NEW.status = 'APPROVED'
           AND NOT EXISTS (SELECT 1 FROM users WHERE id = OLD.approval_proposed_by AND active AND role IN ('admin', 'compliance_officer')) THEN
            RAISE EXCEPTION 'compliance check %: the approval''s proposer is no longer an active admin or compliance officer; propose it again', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_four_eyes';
        END IF;
        IF NEW.status = 'ESCALATED' AND NEW.approval_proposed_by IS NOT NULL THEN
            RAISE EXCEPTION 'compliance check %: a new escalation starts without an approval proposal', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_four_eyes';
        END IF;
    ELSE
        IF (NEW.decided_by, NEW.decided_at, NEW.review_reason, NEW.review_note_id) IS DISTINCT FROM (OLD.decided_by, OLD.decided_at, OLD.review_reason, OLD.review_note_id) THEN
            RAISE EXCEPTION 'compliance check %: the decider changes only with the status', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_decider';
        END IF;
        IF NEW.approval_proposed_by IS NOT NULL AND NEW.approval_proposed_by IS DISTINCT FROM OLD.approval_proposed_by THEN
            IF OLD.status <> 'ESCALATED' OR OLD.approval_proposed_by IS NOT NULL THEN
                RAISE EXCEPTION 'compliance check %: an approval is proposed once, on an escalated case', OLD.id
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_four_eyes';
            END IF;
            IF NOT review_note_fits(NEW.approval_note_id, NEW.approval_proposed_by, NEW.id) THEN
                RAISE EXCEPTION 'compliance check %: a proposal to approve needs a reason: a review note by the proposer', OLD.id
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_four_eyes';
            END IF;
            SELECT role INTO proposer_role FROM users WHERE id = NEW.approval_proposed_by AND active;
            IF proposer_role IS NULL OR proposer_role NOT IN ('admin', 'compliance_officer') THEN
                RAISE EXCEPTION 'compliance check %: only an active admin or compliance officer may propose approving an escalation', OLD.id
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_four_eyes';
            END IF;
        END IF;
    END IF;
    RETURN NEW;
END
$$;

-- New cases carry no reviewer's words and no engine date of their own (the case's creation is
-- the engine's first verdict).
CREATE OR REPLACE FUNCTION compliance_checks_insert_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NEW.status <> NEW.engine_status OR NEW.revision <> 1 OR NEW.approval_proposed_by IS NOT NULL
       OR NEW.review_reason IS NOT NULL OR NEW.review_note_id IS NOT NULL OR NEW.approval_note_id IS NOT NULL THEN
        RAISE EXCEPTION 'a new compliance check starts with the engine''s status (%), revision 1 and no review', NEW.engine_status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_new_case';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.decided_by AND role = 'system' AND active) THEN
        RAISE EXCEPTION 'a new compliance check is decided by the active system agent, not user %', NEW.decided_by
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_new_case';
    END IF;
    IF sanctions_reason_missing(NEW.aml_check_id, NEW.jurisdiction, NEW.rule_versions, NEW.reasons) THEN
        RAISE EXCEPTION 'a new compliance check whose screening matched a sanctions list carries the sanctions rule''s rejection'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_new_case';
    END IF;
    NEW.engine_decided_at := NULL;
    RETURN NEW;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- 6. Audit vocabulary
-- ---------------------------------------------------------------------------------------------

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded',
    'false_positive_proposed', 'false_positive_confirmed', 'override_confirmed', 'note_erased'));
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_subject_kind;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_subject_kind CHECK (subject_kind IN ('user', 'compliance_rule', 'kyc_check', 'aml_check',
    'compliance_check', 'blockchain_transaction', 'blockchain_monitoring', 'false_positive', 'review_note'));

-- ---------------------------------------------------------------------------------------------
-- 7. Views: the entity's current case; the queue with the engine's unseen verdicts; reviews due
-- ---------------------------------------------------------------------------------------------

-- Each entity's latest case.
CREATE VIEW current_cases AS
SELECT s.entity_id, s.sequence, s.compliance_check_id
FROM case_submissions s
WHERE NOT EXISTS (SELECT 1 FROM case_submissions n WHERE n.entity_id = s.entity_id AND n.sequence > s.sequence);

-- The review queue: PENDING and ESCALATED cases, and any case whose engine verdict is stricter
-- than its status and newer than the status (no reviewer has seen it), unless an override
-- clears it. Riskiest first, flagged cases before others of the same score, then oldest.
DROP VIEW pending_approvals;
CREATE VIEW pending_approvals AS
SELECT cc.id AS compliance_check_id,
       k.entity_id,
       k.entity_type,
       cc.jurisdiction,
       cc.status,
       cc.risk_score,
       cc.risk_level,
       a.sanctions_match,
       a.pep_match,
       cc.approval_proposed_by,
       cc.revision,
       cc.created_at,
       cc.updated_at,
       cc.engine_status,
       f.engine_stricter
FROM compliance_checks cc
JOIN kyc_checks k ON k.id = cc.kyc_check_id
JOIN aml_checks a ON a.id = cc.aml_check_id
CROSS JOIN LATERAL (
    SELECT status_rank(cc.engine_status) > status_rank(cc.status)
           AND coalesce(cc.engine_decided_at, cc.created_at) > cc.decided_at
           AND NOT (cc.engine_status = 'REJECTED' AND cc.status = 'APPROVED')
        -- An approval over an engine rejection without its override (written before the guard
        -- refused it): always flagged.
        OR cc.engine_status = 'REJECTED' AND cc.status = 'APPROVED'
           AND NOT rejection_overridden(cc.id, cc.aml_check_id, cc.jurisdiction, cc.reasons) AS engine_stricter
) f
WHERE (cc.status IN ('PENDING', 'ESCALATED') OR f.engine_stricter)
  AND NOT EXISTS (SELECT 1 FROM case_submissions s JOIN case_submissions n ON n.entity_id = s.entity_id AND n.sequence > s.sequence
                   WHERE s.compliance_check_id = cc.id)
ORDER BY cc.risk_score DESC, f.engine_stricter DESC, cc.created_at ASC, cc.id;

-- Current approved cases whose periodic review (by the periodic_review rule in force now) is due.
CREATE VIEW reviews_due AS
WITH policy AS (
    SELECT DISTINCT ON (r.jurisdiction) r.jurisdiction, r.code, r.version, r.parameters -> 'months' AS months
      FROM compliance_rules r
     WHERE r.parameters ->> 'kind' = 'periodic_review'
       AND r.effective_from <= now() AND (r.effective_to IS NULL OR r.effective_to > now())
     ORDER BY r.jurisdiction, r.effective_from DESC
)
SELECT cc.id AS compliance_check_id,
       s.entity_id,
       cc.jurisdiction,
       cc.risk_level,
       cc.decided_at AS approved_at,
       d.due_at AS review_due_at,
       p.code AS rule_code,
       p.version AS rule_version,
       cc.revision
FROM case_submissions s
JOIN compliance_checks cc ON cc.id = s.compliance_check_id
JOIN policy p ON p.jurisdiction = cc.jurisdiction
CROSS JOIN LATERAL (
    SELECT ((cc.decided_at AT TIME ZONE 'UTC') + make_interval(months => (p.months ->> cc.risk_level)::NUMERIC::INTEGER)) AT TIME ZONE 'UTC' AS due_at
) d
WHERE cc.status = 'APPROVED'
  AND d.due_at <= now()
  AND NOT EXISTS (SELECT 1 FROM case_submissions n WHERE n.entity_id = s.entity_id AND n.sequence > s.sequence);

-- The high-risk list covers each entity's current case only.
DROP VIEW high_risk_entities;
CREATE VIEW high_risk_entities AS
SELECT cc.id AS compliance_check_id,
       k.entity_id,
       k.entity_type,
       cc.jurisdiction,
       cc.status,
       a.risk_score,
       a.risk_level,
       a.sanctions_match,
       a.pep_match,
       a.matched_entries,
       a.screened_at
FROM current_cases c
JOIN compliance_checks cc ON cc.id = c.compliance_check_id
JOIN kyc_checks k ON k.id = cc.kyc_check_id
JOIN aml_checks a ON a.id = cc.aml_check_id
WHERE a.risk_level IN ('HIGH', 'CRITICAL') OR a.sanctions_match OR a.pep_match;
