-- The compliance schema: seven tables, their constraints, triggers, indexes and three views.
--
-- Every rule the domain crate enforces is repeated here (allowed values, score bounds, risk
-- bands, the status table, four eyes), so that a write that skips the service is refused too.
-- Works on PostgreSQL 15 and 16. btree_gist is a trusted contrib extension (PostgreSQL 13+):
-- the database owner may create it; it powers the "one version in force" exclusion constraint.

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- ---------------------------------------------------------------------------------------------
-- Shared functions
-- ---------------------------------------------------------------------------------------------

-- The risk bands, written once for the database (the domain's RiskLevel::from_score is the
-- other copy; a test compares the two for every score 0..=100).
CREATE FUNCTION risk_level_for(score SMALLINT) RETURNS TEXT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE
        WHEN score <= 30 THEN 'LOW'
        WHEN score <= 60 THEN 'MEDIUM'
        WHEN score <= 84 THEN 'HIGH'
        ELSE 'CRITICAL'
    END
$$;

-- The status table (domain: crates/domain/src/status.rs, TRANSITIONS). by_reviewer is true when
-- a person makes the change, false when the rules engine does.
CREATE FUNCTION status_transition_allowed(from_status TEXT, to_status TEXT, by_reviewer BOOLEAN)
RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT (from_status, to_status) IN (
               ('PENDING', 'APPROVED'), ('PENDING', 'ESCALATED'), ('PENDING', 'REJECTED'),
               ('APPROVED', 'ESCALATED'), ('APPROVED', 'REJECTED'))
        OR (by_reviewer AND (from_status, to_status) IN (
               ('ESCALATED', 'APPROVED'), ('ESCALATED', 'REJECTED')))
$$;

-- The strictest outcome among a decision's reasons (APPROVED when none fired): the domain's
-- Decision::new, so that a stored status cannot disagree with its stored reasons.
CREATE FUNCTION strictest_outcome(reasons JSONB) RETURNS TEXT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE
        WHEN reasons @? '$[*] ? (@.outcome == "REJECTED")' THEN 'REJECTED'
        WHEN reasons @? '$[*] ? (@.outcome == "ESCALATED")' THEN 'ESCALATED'
        WHEN reasons @? '$[*] ? (@.outcome == "PENDING")' THEN 'PENDING'
        ELSE 'APPROVED'
    END
$$;

-- ISO 4217 codes in circulation, as the domain's Currency accepts them (crates/domain/src/money.rs;
-- a test compares the two lists).
CREATE FUNCTION is_iso_4217(code TEXT) RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT code = ANY ('{AED,AFN,ALL,AMD,AOA,ARS,AUD,AWG,AZN,BAM,BBD,BDT,BGN,BHD,BIF,BMD,BND,BOB,BRL,BSD,BTN,BWP,BYN,BZD,CAD,CDF,CHF,CLP,CNY,COP,CRC,CUP,CVE,CZK,DJF,DKK,DOP,DZD,EGP,ERN,ETB,EUR,FJD,FKP,GBP,GEL,GHS,GIP,GMD,GNF,GTQ,GYD,HKD,HNL,HTG,HUF,IDR,ILS,INR,IQD,IRR,ISK,JMD,JOD,JPY,KES,KGS,KHR,KMF,KPW,KRW,KWD,KYD,KZT,LAK,LBP,LKR,LRD,LSL,LYD,MAD,MDL,MGA,MKD,MMK,MNT,MOP,MRU,MUR,MVR,MWK,MXN,MYR,MZN,NAD,NGN,NIO,NOK,NPR,NZD,OMR,PAB,PEN,PGK,PHP,PKR,PLN,PYG,QAR,RON,RSD,RUB,RWF,SAR,SBD,SCR,SDG,SEK,SGD,SHP,SLE,SOS,SRD,SSP,STN,SVC,SYP,SZL,THB,TJS,TMT,TND,TOP,TRY,TTD,TWD,TZS,UAH,UGX,USD,UYU,UZS,VED,VES,VND,VUV,WST,XAF,XCD,XCG,XOF,XPF,YER,ZAR,ZMW,ZWG}'::TEXT[])
$$;

-- Keeps updated_at current on every UPDATE and created_at as it was inserted.
CREATE FUNCTION set_updated_at() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    NEW.created_at := OLD.created_at;
    NEW.updated_at := GREATEST(now(), OLD.created_at);
    RETURN NEW;
END
$$;

-- Refuses any UPDATE (and, where attached, DELETE or TRUNCATE) on a table whose rows are
-- evidence: KYC checks and AML screenings are recorded once; a new result is a new row.
CREATE FUNCTION refuse_change() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % is not allowed: its rows are never changed or removed; record a new row instead',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = TG_TABLE_NAME || '_append_only';
END
$$;

-- ---------------------------------------------------------------------------------------------
-- users: the people and systems that submit and review
-- ---------------------------------------------------------------------------------------------

CREATE TABLE users (
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    username    VARCHAR(32) NOT NULL,
    email       VARCHAR(254) NOT NULL,
    role        TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_users_username UNIQUE (username),
    CONSTRAINT uq_users_email UNIQUE (email),
    CONSTRAINT ck_users_username CHECK (username ~ '^[a-z][a-z0-9._-]{2,31}$'),
    -- The HTML5 rule the domain's Email applies (ASCII addresses, no IP literals).
    CONSTRAINT ck_users_email CHECK (
        length(email) <= 254
        AND email ~ '^[a-zA-Z0-9.!#$%&''*+/=?^_`{|}~-]{1,64}@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$'),
    CONSTRAINT ck_users_role CHECK (role IN ('admin', 'compliance_officer', 'analyst', 'system')),
    CONSTRAINT ck_users_timestamps CHECK (created_at <= updated_at)
);

CREATE TRIGGER trg_users_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- compliance_rules: jurisdiction rules as data, one row per published version
-- ---------------------------------------------------------------------------------------------

CREATE TABLE compliance_rules (
    id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    jurisdiction    TEXT NOT NULL,
    code            VARCHAR(64) NOT NULL,
    version         INTEGER NOT NULL,
    parameters      JSONB NOT NULL,
    effective_from  TIMESTAMPTZ NOT NULL,
    effective_to    TIMESTAMPTZ,
    regulation      TEXT NOT NULL,
    description     TEXT NOT NULL,
    published_by    UUID NOT NULL REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_compliance_rules_version UNIQUE (jurisdiction, code, version),
    CONSTRAINT ck_compliance_rules_jurisdiction CHECK (jurisdiction IN ('AE', 'IN', 'US')),
    CONSTRAINT ck_compliance_rules_code CHECK (length(code) >= 3 AND code ~ '^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$'),
    CONSTRAINT ck_compliance_rules_version CHECK (version >= 1),
    CONSTRAINT ck_compliance_rules_parameters CHECK (jsonb_typeof(parameters) = 'object' AND coalesce(jsonb_typeof(parameters -> 'kind'), '') = 'string'),
    CONSTRAINT ck_compliance_rules_period CHECK (effective_to IS NULL OR effective_to > effective_from),
    CONSTRAINT ck_compliance_rules_regulation CHECK (btrim(regulation) <> ''),
    CONSTRAINT ck_compliance_rules_timestamps CHECK (created_at <= updated_at),
    -- For one jurisdiction and code, no two versions are in force at the same moment.
    CONSTRAINT ex_compliance_rules_one_version_in_force EXCLUDE USING gist (
        jurisdiction WITH =, code WITH =, tstzrange(effective_from, effective_to, '[)') WITH &&)
);

-- A published version is never edited: the only change allowed is to close it (set or bring
-- forward effective_to) when the next version takes over. It is never deleted.
CREATE FUNCTION compliance_rules_guard() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'compliance rule % v% is published and cannot be deleted; close it by setting effective_to',
            OLD.code, OLD.version
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'compliance_rules_immutable';
    END IF;
    IF (NEW.id, NEW.jurisdiction, NEW.code, NEW.version, NEW.parameters, NEW.effective_from,
        NEW.regulation, NEW.description, NEW.published_by)
       IS DISTINCT FROM
       (OLD.id, OLD.jurisdiction, OLD.code, OLD.version, OLD.parameters, OLD.effective_from,
        OLD.regulation, OLD.description, OLD.published_by) THEN
        RAISE EXCEPTION 'compliance rule % v% is published and cannot be edited; publish version % instead',
            OLD.code, OLD.version, OLD.version + 1
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'compliance_rules_immutable';
    END IF;
    IF NEW.effective_to IS NULL AND OLD.effective_to IS NOT NULL
       OR NEW.effective_to > OLD.effective_to THEN
        RAISE EXCEPTION 'compliance rule % v% can only be closed earlier, never reopened or extended',
            OLD.code, OLD.version
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'compliance_rules_immutable';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_compliance_rules_guard BEFORE UPDATE OR DELETE ON compliance_rules
    FOR EACH ROW EXECUTE FUNCTION compliance_rules_guard();
CREATE TRIGGER trg_compliance_rules_updated_at BEFORE UPDATE ON compliance_rules
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- kyc_checks: one KYC result per entity; evidence, never changed
-- ---------------------------------------------------------------------------------------------

CREATE TABLE kyc_checks (
    id                      UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_id               VARCHAR(64) NOT NULL,
    entity_type             TEXT NOT NULL,
    jurisdiction            TEXT NOT NULL,
    -- The KYC stage's own outcome (documents, red flags, accreditation), as the engine found it.
    status                  TEXT NOT NULL,
    verification_score      SMALLINT NOT NULL,
    documents               JSONB NOT NULL DEFAULT '[]',
    red_flags               JSONB NOT NULL DEFAULT '[]',
    net_worth               NUMERIC,
    net_worth_currency      CHAR(3),
    annual_income           NUMERIC,
    annual_income_currency  CHAR(3),
    total_assets            NUMERIC,
    total_assets_currency   CHAR(3),
    accreditation_verified  BOOLEAN NOT NULL DEFAULT FALSE,
    submitted_by            UUID NOT NULL REFERENCES users (id),
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_kyc_checks_entity_id UNIQUE (entity_id),
    -- Target of compliance_checks' composite key, which keeps its jurisdiction equal to this one.
    CONSTRAINT uq_kyc_checks_id_jurisdiction UNIQUE (id, jurisdiction),
    CONSTRAINT ck_kyc_checks_entity_id CHECK (length(entity_id) >= 3 AND entity_id ~ '^[a-z][a-z0-9]*(-[a-z0-9]+)*$'),
    CONSTRAINT ck_kyc_checks_entity_type CHECK (entity_type IN ('individual', 'corporate', 'fund')),
    CONSTRAINT ck_kyc_checks_jurisdiction CHECK (jurisdiction IN ('AE', 'IN', 'US')),
    CONSTRAINT ck_kyc_checks_status CHECK (status IN ('APPROVED', 'PENDING', 'ESCALATED', 'REJECTED')),
    CONSTRAINT ck_kyc_checks_verification_score CHECK (verification_score BETWEEN 0 AND 100),
    CONSTRAINT ck_kyc_checks_documents CHECK (
        jsonb_typeof(documents) = 'array'
        AND documents <@ '["passport", "national_id", "proof_of_address", "tax_id", "liveness_check",
                           "source_of_funds", "certificate_of_incorporation", "articles_of_association",
                           "register_of_directors", "beneficial_ownership", "fund_constitution",
                           "financial_statements", "accreditation_letter"]'),
    CONSTRAINT ck_kyc_checks_red_flags CHECK (
        jsonb_typeof(red_flags) = 'array'
        AND red_flags <@ '["adverse_media", "high_risk_country", "unverified_source_of_funds",
                           "document_inconsistency", "opaque_ownership", "unusual_activity",
                           "identity_mismatch"]'),
    CONSTRAINT ck_kyc_checks_net_worth CHECK ((net_worth IS NULL) = (net_worth_currency IS NULL) AND net_worth >= 0 AND net_worth < 1e15
        AND scale(trim_scale(net_worth)) <= 4 AND is_iso_4217(net_worth_currency)),
    CONSTRAINT ck_kyc_checks_annual_income CHECK ((annual_income IS NULL) = (annual_income_currency IS NULL) AND annual_income >= 0 AND annual_income < 1e15
        AND scale(trim_scale(annual_income)) <= 4 AND is_iso_4217(annual_income_currency)),
    CONSTRAINT ck_kyc_checks_total_assets CHECK ((total_assets IS NULL) = (total_assets_currency IS NULL) AND total_assets >= 0 AND total_assets < 1e15
        AND scale(trim_scale(total_assets)) <= 4 AND is_iso_4217(total_assets_currency)),
    CONSTRAINT ck_kyc_checks_timestamps CHECK (created_at <= updated_at)
);

CREATE TRIGGER trg_kyc_checks_append_only BEFORE UPDATE OR DELETE ON kyc_checks
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- ---------------------------------------------------------------------------------------------
-- aml_checks: AML screenings of a KYC check (the first, then re-screenings); evidence
-- ---------------------------------------------------------------------------------------------

CREATE TABLE aml_checks (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    kyc_check_id        UUID NOT NULL REFERENCES kyc_checks (id),
    risk_score          SMALLINT NOT NULL,
    risk_level          TEXT NOT NULL,
    sanctions_match     BOOLEAN NOT NULL,
    pep_match           BOOLEAN NOT NULL,
    matched_entries     JSONB NOT NULL DEFAULT '[]',
    screening_provider  VARCHAR(64) NOT NULL,
    watchlist_version   VARCHAR(128) NOT NULL,
    screened_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    submitted_by        UUID NOT NULL REFERENCES users (id),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Target of compliance_checks' composite key: a decision's screening belongs to its KYC
    -- check, and its copy of the score and level cannot drift from the screening's.
    CONSTRAINT uq_aml_checks_decision_link UNIQUE (id, kyc_check_id, risk_score, risk_level),
    CONSTRAINT ck_aml_checks_risk_score CHECK (risk_score BETWEEN 0 AND 100),
    CONSTRAINT ck_aml_checks_risk_level CHECK (risk_level = risk_level_for(risk_score)),
    CONSTRAINT ck_aml_checks_matched_entries CHECK (
        jsonb_typeof(matched_entries) = 'array'
        AND NOT matched_entries @? '$[*] ? (!(@.kind == "sanctions" || @.kind == "pep" || @.kind == "adverse_media")
                                            || !(@.list.type() == "string") || !(@.entry.type() == "string"))'),
    -- A match flag is never set apart from the list entry that justifies it.
    CONSTRAINT ck_aml_checks_sanctions_match CHECK (sanctions_match = (matched_entries @? '$[*] ? (@.kind == "sanctions")')),
    CONSTRAINT ck_aml_checks_pep_match CHECK (pep_match = (matched_entries @? '$[*] ? (@.kind == "pep")')),
    CONSTRAINT ck_aml_checks_provider CHECK (screening_provider ~ '^[!-~]+$'),
    CONSTRAINT ck_aml_checks_watchlist_version CHECK (watchlist_version ~ '^[!-~]+$'),
    CONSTRAINT ck_aml_checks_timestamps CHECK (created_at <= updated_at)
);

CREATE TRIGGER trg_aml_checks_append_only BEFORE UPDATE OR DELETE ON aml_checks
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- ---------------------------------------------------------------------------------------------
-- compliance_checks: the case: the decision linking a KYC check and its current screening
-- ---------------------------------------------------------------------------------------------

CREATE TABLE compliance_checks (
    id                        UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    kyc_check_id              UUID NOT NULL REFERENCES kyc_checks (id),
    aml_check_id              UUID NOT NULL REFERENCES aml_checks (id),
    jurisdiction              TEXT NOT NULL,
    -- The current status: the engine's, or a reviewer's once one decided.
    status                    TEXT NOT NULL,
    -- What the engine decided from the recorded inputs and rule versions (replayable).
    engine_status             TEXT NOT NULL,
    risk_score                SMALLINT NOT NULL,
    risk_level                TEXT NOT NULL,
    rule_versions             JSONB NOT NULL,
    reasons                   JSONB NOT NULL DEFAULT '[]',
    decided_by                UUID NOT NULL REFERENCES users (id),
    decided_at                TIMESTAMPTZ NOT NULL DEFAULT now(),
    review_reason             TEXT,
    -- Four eyes: the first reviewer's proposal to approve an escalated case.
    approval_proposed_by      UUID REFERENCES users (id),
    approval_proposed_at      TIMESTAMPTZ,
    approval_proposal_reason  TEXT,
    -- Optimistic concurrency: every update must raise it by exactly one.
    revision                  INTEGER NOT NULL DEFAULT 1,
    created_at                TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at                TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_compliance_checks_kyc_check_id UNIQUE (kyc_check_id),
    CONSTRAINT fk_compliance_checks_kyc_jurisdiction FOREIGN KEY (kyc_check_id, jurisdiction)
        REFERENCES kyc_checks (id, jurisdiction),
    CONSTRAINT fk_compliance_checks_aml_link FOREIGN KEY (aml_check_id, kyc_check_id, risk_score, risk_level)
        REFERENCES aml_checks (id, kyc_check_id, risk_score, risk_level),
    CONSTRAINT ck_compliance_checks_jurisdiction CHECK (jurisdiction IN ('AE', 'IN', 'US')),
    CONSTRAINT ck_compliance_checks_status CHECK (status IN ('APPROVED', 'PENDING', 'ESCALATED', 'REJECTED')),
    CONSTRAINT ck_compliance_checks_engine_status CHECK (engine_status = strictest_outcome(reasons)),
    CONSTRAINT ck_compliance_checks_risk_score CHECK (risk_score BETWEEN 0 AND 100),
    CONSTRAINT ck_compliance_checks_risk_level CHECK (risk_level = risk_level_for(risk_score)),
    CONSTRAINT ck_compliance_checks_rule_versions CHECK (
        jsonb_typeof(rule_versions) = 'array'
        AND NOT rule_versions @? '$[*] ? (!(@.code.type() == "string") || !(@.version.type() == "number") || @.version < 1)'),
    CONSTRAINT ck_compliance_checks_reasons CHECK (
        jsonb_typeof(reasons) = 'array'
        AND NOT reasons @? '$[*] ? (!(@.outcome == "APPROVED" || @.outcome == "PENDING" || @.outcome == "ESCALATED" || @.outcome == "REJECTED")
                                    || !(@.stage == "KYC" || @.stage == "AML") || !(@.explanation.type() == "string"))'),
    CONSTRAINT ck_compliance_checks_review_reason CHECK (review_reason IS NULL OR btrim(review_reason) <> ''),
    CONSTRAINT ck_compliance_checks_proposal CHECK (
        (approval_proposed_by IS NULL) = (approval_proposed_at IS NULL)
        AND (approval_proposed_by IS NULL) = (approval_proposal_reason IS NULL)
        AND (approval_proposed_by IS NULL OR status IN ('ESCALATED', 'APPROVED'))),
    -- Four eyes: whoever proposed an approval is not whoever confirmed it.
    CONSTRAINT ck_compliance_checks_four_eyes CHECK (approval_proposed_by IS DISTINCT FROM decided_by),
    CONSTRAINT ck_compliance_checks_revision CHECK (revision >= 1),
    CONSTRAINT ck_compliance_checks_timestamps CHECK (created_at <= updated_at)
);

-- A new case starts where the engine put it: status = engine_status, first revision, no proposal,
-- decided by the system agent.
CREATE FUNCTION compliance_checks_insert_guard() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> NEW.engine_status OR NEW.revision <> 1 OR NEW.approval_proposed_by IS NOT NULL
       OR NEW.review_reason IS NOT NULL THEN
        RAISE EXCEPTION 'a new compliance check starts with the engine''s status (%), revision 1 and no review', NEW.engine_status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_new_case';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.decided_by AND role = 'system' AND active) THEN
        RAISE EXCEPTION 'a new compliance check is decided by the active system agent, not user %', NEW.decided_by
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_new_case';
    END IF;
    RETURN NEW;
END
$$;

-- Every later change: revision + 1; the status only along the status table, by someone allowed
-- to make it, with a reason when a person makes it; four eyes for clearing an escalation; the
-- case's identity never changes.
CREATE FUNCTION compliance_checks_update_guard() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
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
        -- Who may decide what (domain: Role::may_review): analysts the PENDING queue; admins and
        -- compliance officers also escalations and the revocation of an approval.
        IF decider_role <> 'system' AND NOT (
               decider_role IN ('admin', 'compliance_officer') AND OLD.status IN ('PENDING', 'ESCALATED', 'APPROVED')
            OR decider_role = 'analyst' AND OLD.status = 'PENDING') THEN
            RAISE EXCEPTION 'compliance check %: a % may not decide a % case', OLD.id, decider_role, OLD.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_reviewer_role';
        END IF;
        IF decider_role <> 'system' AND NEW.review_reason IS NULL THEN
            RAISE EXCEPTION 'compliance check %: a reviewer''s decision needs a reason', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_review_reason';
        END IF;
        IF NEW.decided_at < OLD.decided_at THEN
            RAISE EXCEPTION 'compliance check %: decided_at cannot move back in time', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_decided_at';
        END IF;
        -- Four eyes: clearing an escalation confirms a proposal made by someone else (the
        -- CHECK ck_compliance_checks_four_eyes refuses the proposer as the confirmer).
        IF OLD.status = 'ESCALATED' AND NEW.status = 'APPROVED'
           AND (OLD.approval_proposed_by IS NULL OR NEW.approval_proposed_by IS DISTINCT FROM OLD.approval_proposed_by) THEN
            RAISE EXCEPTION 'compliance check %: approving an escalated case confirms an earlier proposal by a different reviewer', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_four_eyes';
        END IF;
        -- A new escalation starts without a proposal.
        IF NEW.status = 'ESCALATED' AND NEW.approval_proposed_by IS NOT NULL THEN
            RAISE EXCEPTION 'compliance check %: a new escalation starts without an approval proposal', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_four_eyes';
        END IF;
    ELSE
        -- The status stays: so does whoever set it.
        IF (NEW.decided_by, NEW.decided_at, NEW.review_reason) IS DISTINCT FROM (OLD.decided_by, OLD.decided_at, OLD.review_reason) THEN
            RAISE EXCEPTION 'compliance check %: the decider changes only with the status', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_decider';
        END IF;
        IF NEW.approval_proposed_by IS NOT NULL AND NEW.approval_proposed_by IS DISTINCT FROM OLD.approval_proposed_by THEN
            -- Proposing an approval: an active admin or compliance officer, on an escalated case
            -- without a proposal. (Withdrawing one, on re-screening, sets it back to NULL.)
            IF OLD.status <> 'ESCALATED' OR OLD.approval_proposed_by IS NOT NULL THEN
                RAISE EXCEPTION 'compliance check %: an approval is proposed once, on an escalated case', OLD.id
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

CREATE TRIGGER trg_compliance_checks_insert_guard BEFORE INSERT ON compliance_checks
    FOR EACH ROW EXECUTE FUNCTION compliance_checks_insert_guard();
CREATE TRIGGER trg_compliance_checks_update_guard BEFORE UPDATE OR DELETE ON compliance_checks
    FOR EACH ROW EXECUTE FUNCTION compliance_checks_update_guard();
CREATE TRIGGER trg_compliance_checks_updated_at BEFORE UPDATE ON compliance_checks
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- decision_vectors: an embedding per decision (and model) for similarity search
-- ---------------------------------------------------------------------------------------------

-- BYTEA here (pgvector is not installed on every server): `dimension` little-endian float4
-- values. docs/operations.md describes the switch to pgvector's vector(n) in production.
CREATE TABLE decision_vectors (
    id                   UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    compliance_check_id  UUID NOT NULL REFERENCES compliance_checks (id),
    model                VARCHAR(128) NOT NULL,
    dimension            INTEGER NOT NULL,
    embedding            BYTEA NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_decision_vectors_check_model UNIQUE (compliance_check_id, model),
    CONSTRAINT ck_decision_vectors_model CHECK (model ~ '^[!-~]+$'),
    CONSTRAINT ck_decision_vectors_dimension CHECK (dimension BETWEEN 1 AND 4096),
    CONSTRAINT ck_decision_vectors_embedding CHECK (octet_length(embedding) = dimension * 4),
    CONSTRAINT ck_decision_vectors_timestamps CHECK (created_at <= updated_at)
);

CREATE TRIGGER trg_decision_vectors_updated_at BEFORE UPDATE ON decision_vectors
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- audit_logs: append-only, hash-chained
-- ---------------------------------------------------------------------------------------------

-- No updated_at: an audit row is never updated. `id` is the position in the chain, assigned
-- by the insert trigger, gap-free; `hash` covers the row and the previous row's hash.
CREATE TABLE audit_logs (
    id            BIGINT PRIMARY KEY,
    actor_id      UUID NOT NULL REFERENCES users (id),
    action        TEXT NOT NULL,
    subject_kind  TEXT NOT NULL,
    subject_id    UUID NOT NULL,
    entity_id     VARCHAR(64),
    old_status    TEXT,
    new_status    TEXT,
    details       JSONB NOT NULL DEFAULT '{}',
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    prev_hash     BYTEA,
    hash          BYTEA NOT NULL,
    CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
        'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened')),
    CONSTRAINT ck_audit_logs_subject_kind CHECK (subject_kind IN ('user', 'compliance_rule', 'kyc_check', 'aml_check',
        'compliance_check', 'blockchain_transaction')),
    CONSTRAINT ck_audit_logs_statuses CHECK (
        old_status IN ('APPROVED', 'PENDING', 'ESCALATED', 'REJECTED')
        AND new_status IN ('APPROVED', 'PENDING', 'ESCALATED', 'REJECTED')),
    -- A status change records both statuses, and they differ; nothing else records any.
    CONSTRAINT ck_audit_logs_status_change CHECK (
        CASE WHEN action = 'status_changed'
             THEN old_status IS NOT NULL AND new_status IS NOT NULL AND old_status <> new_status
             ELSE old_status IS NULL AND new_status IS NULL END),
    CONSTRAINT ck_audit_logs_details CHECK (jsonb_typeof(details) = 'object'),
    -- The entity id's own format (so that no value hashes like a missing one).
    CONSTRAINT ck_audit_logs_entity_id CHECK (length(entity_id) >= 3 AND entity_id ~ '^[a-z][a-z0-9]*(-[a-z0-9]+)*$'),
    CONSTRAINT ck_audit_logs_chain CHECK ((id = 1) = (prev_hash IS NULL) AND octet_length(hash) = 32)
);

-- The hash of one audit row: SHA-256 over its fields in a fixed text form (timestamps in UTC,
-- JSONB in its canonical text), chained to the previous row's hash.
CREATE FUNCTION audit_log_hash(prev_hash BYTEA, id BIGINT, actor_id UUID, action TEXT, subject_kind TEXT,
                               subject_id UUID, entity_id TEXT, old_status TEXT, new_status TEXT,
                               details JSONB, created_at TIMESTAMPTZ)
RETURNS BYTEA
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT sha256(convert_to(concat_ws(E'\x1f',
        coalesce(encode(prev_hash, 'hex'), 'genesis'), id::text, actor_id::text, action, subject_kind,
        subject_id::text, coalesce(entity_id, ''), coalesce(old_status, ''), coalesce(new_status, ''),
        details::text, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')), 'UTF8'))
$$;

-- Assigns the next position and the chained hash. The advisory lock serialises writers of the
-- audit log (held to the end of the transaction), so each sees the last committed row. Should a
-- writer in REPEATABLE READ miss a concurrent row, the two would take the same id and the
-- primary key refuses the second: a retryable error, never a fork in the chain.
CREATE FUNCTION audit_logs_chain() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
DECLARE
    last_id BIGINT;
    last_hash BYTEA;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('audit_logs_chain'));
    SELECT a.id, a.hash INTO last_id, last_hash FROM audit_logs a ORDER BY a.id DESC LIMIT 1;
    NEW.id := coalesce(last_id, 0) + 1;
    NEW.prev_hash := last_hash;
    -- The clock, read under the lock, so that created_at rises with id (now() is the
    -- transaction's start, which a writer that waited for the lock may have passed long ago).
    NEW.created_at := clock_timestamp();
    NEW.hash := audit_log_hash(NEW.prev_hash, NEW.id, NEW.actor_id, NEW.action, NEW.subject_kind,
                               NEW.subject_id, NEW.entity_id, NEW.old_status, NEW.new_status,
                               NEW.details, NEW.created_at);
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_audit_logs_chain BEFORE INSERT ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION audit_logs_chain();
CREATE TRIGGER trg_audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER trg_audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- TRUNCATE skips row triggers (and, with CASCADE, empties every table that refers to the one
-- named): refuse it on every table whose rows are evidence or decisions.
CREATE TRIGGER trg_users_no_truncate BEFORE TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER trg_compliance_rules_no_truncate BEFORE TRUNCATE ON compliance_rules
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER trg_kyc_checks_no_truncate BEFORE TRUNCATE ON kyc_checks
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER trg_aml_checks_no_truncate BEFORE TRUNCATE ON aml_checks
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER trg_compliance_checks_no_truncate BEFORE TRUNCATE ON compliance_checks
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- ---------------------------------------------------------------------------------------------
-- Indexes, each for a query the service, the views or verify run
-- ---------------------------------------------------------------------------------------------

-- kyc_checks
CREATE INDEX idx_kyc_checks_jurisdiction_status ON kyc_checks (jurisdiction, status);
CREATE INDEX idx_kyc_checks_entity_type ON kyc_checks (entity_type);
CREATE INDEX idx_kyc_checks_created_at ON kyc_checks (created_at);
CREATE INDEX idx_kyc_checks_submitted_by ON kyc_checks (submitted_by);
CREATE INDEX idx_kyc_checks_red_flags ON kyc_checks USING gin (red_flags jsonb_path_ops);
-- aml_checks
CREATE INDEX idx_aml_checks_kyc_check_screened ON aml_checks (kyc_check_id, screened_at DESC);
CREATE INDEX idx_aml_checks_risk_level ON aml_checks (risk_level);
CREATE INDEX idx_aml_checks_matches ON aml_checks (kyc_check_id) WHERE sanctions_match OR pep_match;
CREATE INDEX idx_aml_checks_matched_entries ON aml_checks USING gin (matched_entries jsonb_path_ops);
CREATE INDEX idx_aml_checks_submitted_by ON aml_checks (submitted_by);
-- compliance_checks
CREATE INDEX idx_compliance_checks_aml_check_id ON compliance_checks (aml_check_id);
CREATE INDEX idx_compliance_checks_jurisdiction_status ON compliance_checks (jurisdiction, status, risk_level);
CREATE INDEX idx_compliance_checks_review_queue ON compliance_checks (risk_score DESC, created_at)
    WHERE status IN ('PENDING', 'ESCALATED');
CREATE INDEX idx_compliance_checks_risk_level ON compliance_checks (risk_level);
CREATE INDEX idx_compliance_checks_decided_by ON compliance_checks (decided_by);
CREATE INDEX idx_compliance_checks_decided_at ON compliance_checks (decided_at);
CREATE INDEX idx_compliance_checks_approval_proposed_by ON compliance_checks (approval_proposed_by)
    WHERE approval_proposed_by IS NOT NULL;
-- compliance_rules
CREATE INDEX idx_compliance_rules_in_force ON compliance_rules (jurisdiction, effective_from, effective_to);
CREATE INDEX idx_compliance_rules_published_by ON compliance_rules (published_by);
-- decision_vectors
CREATE INDEX idx_decision_vectors_model ON decision_vectors (model, compliance_check_id);
-- audit_logs
CREATE INDEX idx_audit_logs_subject ON audit_logs (subject_id, id);
CREATE INDEX idx_audit_logs_entity_id ON audit_logs (entity_id, id) WHERE entity_id IS NOT NULL;
CREATE INDEX idx_audit_logs_actor_id ON audit_logs (actor_id);
CREATE INDEX idx_audit_logs_action ON audit_logs (action, created_at);
CREATE INDEX idx_audit_logs_created_at ON audit_logs USING brin (created_at);

-- ---------------------------------------------------------------------------------------------
-- Views (read-only reports)
-- ---------------------------------------------------------------------------------------------

-- The review queue: PENDING and ESCALATED cases, riskiest and oldest first.
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
       cc.updated_at
FROM compliance_checks cc
JOIN kyc_checks k ON k.id = cc.kyc_check_id
JOIN aml_checks a ON a.id = cc.aml_check_id
WHERE cc.status IN ('PENDING', 'ESCALATED')
ORDER BY cc.risk_score DESC, cc.created_at ASC, cc.id;

-- Entities whose current screening is HIGH or CRITICAL, or matched a sanctions or PEP list.
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
FROM compliance_checks cc
JOIN kyc_checks k ON k.id = cc.kyc_check_id
JOIN aml_checks a ON a.id = cc.aml_check_id
WHERE a.risk_level IN ('HIGH', 'CRITICAL') OR a.sanctions_match OR a.pep_match;

-- Case counts by jurisdiction, status and risk level.
CREATE VIEW compliance_summary AS
SELECT cc.jurisdiction,
       cc.status,
       cc.risk_level,
       count(*) AS checks,
       max(cc.updated_at) AS last_updated_at
FROM compliance_checks cc
GROUP BY cc.jurisdiction, cc.status, cc.risk_level;
