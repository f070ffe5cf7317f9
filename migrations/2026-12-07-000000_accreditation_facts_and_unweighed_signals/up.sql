-- Issue 24 and issue 17 defect 11: the facts the accreditation and classification rules of 2027
-- read, stored with the KYC check; and the signals a decision received that no rule weighed,
-- stored with the decision. An expand step (migrations/README.md): the new columns are nullable
-- (KYC checks without such facts, decisions recorded before the engine listed the signals), and
-- a writer that does not know them still writes; what is written is checked.
--
-- 1. kyc_checks.assessed_on (DATE): the day the facts are assessed; every age counts from it.
--    kyc_checks.accreditation (JSONB): the jurisdiction's facts, {"reg_d": {...}} (US),
--    {"sebi": {...}} (IN) or {"classification": {...}} (AE), as the domain serializes them.
--    accreditation_facts_valid() repeats the boundary's rules: the block of the check's own
--    jurisdiction, a person's facts only for an individual, every value of its list, money as
--    the domain writes it, dates that exist, a net worth's financial assets within it, a
--    certificate that does not end before it starts, a class its regime has. Facts need a date.
-- 2. compliance_checks.unweighed_signals (JSONB): {"red_flags": [...], "matches": [...]}, each in
--    the kinds' declaration order, without repeats. unweighed_signals_for() computes, from the
--    rule versions the decision recorded, its KYC check's red flags and its screening's matches,
--    what no recorded rule weighs (sanctions_match weighs sanctions matches, pep_match PEP
--    matches, red_flags every red flag, risk_signals the kinds it lists); the trigger
--    trg_compliance_checks_unweighed refuses a stored list that is not exactly that, and an
--    update that erases a recorded list.
-- Works on PostgreSQL 15 and 16.

ALTER TABLE kyc_checks ADD COLUMN assessed_on DATE;
ALTER TABLE kyc_checks ADD COLUMN accreditation JSONB;

-- Money as the domain serializes it: {"amount": "<decimal>", "currency": "<ISO 4217>"}, not
-- negative, at most 4 decimals, below 10^15.
CREATE FUNCTION is_money_json(m JSONB) RETURNS BOOLEAN
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN m IS NOT NULL AND jsonb_typeof(m) = 'object'
       AND (SELECT count(*) FROM jsonb_object_keys(m)) = 2
       AND jsonb_typeof(m -> 'amount') = 'string' AND jsonb_typeof(m -> 'currency') = 'string'
       AND (m ->> 'amount') ~ '^[0-9]{1,15}(\.[0-9]{1,4})?$'
       AND is_iso_4217(m ->> 'currency');
END
$$;

-- An optional money field: absent, null, or money.
CREATE FUNCTION is_optional_money_json(m JSONB) RETURNS BOOLEAN
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN m IS NULL OR jsonb_typeof(m) = 'null' OR is_money_json(m);
END
$$;

-- A date as the domain serializes it (YYYY-MM-DD) that exists, from 1900 to 2200.
CREATE FUNCTION is_date_json(d JSONB) RETURNS BOOLEAN
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    day DATE;
BEGIN
    IF d IS NULL OR jsonb_typeof(d) <> 'string' OR (d #>> '{}') !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
        RETURN FALSE;
    END IF;
    day := make_date(substr(d #>> '{}', 1, 4)::INTEGER, substr(d #>> '{}', 6, 2)::INTEGER, substr(d #>> '{}', 9, 2)::INTEGER);
    RETURN day BETWEEN DATE '1900-01-01' AND DATE '2200-12-31';
EXCEPTION WHEN others THEN
    RETURN FALSE;
END
$$;

-- An object whose keys are all among `allowed`, with every key of `required`.
CREATE FUNCTION has_keys_json(o JSONB, allowed TEXT[], required TEXT[]) RETURNS BOOLEAN
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN o IS NOT NULL AND jsonb_typeof(o) = 'object'
       AND NOT EXISTS (SELECT 1 FROM jsonb_object_keys(o) k WHERE k <> ALL (allowed))
       AND o ?& required;
END
$$;

-- A JSON boolean.
CREATE FUNCTION is_bool_json(b JSONB) RETURNS BOOLEAN
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN b IS NOT NULL AND jsonb_typeof(b) = 'boolean';
END
$$;

-- An evidence reference (compliance_domain::EvidenceRef).
CREATE FUNCTION is_evidence_json(r JSONB) RETURNS BOOLEAN
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN r IS NOT NULL AND jsonb_typeof(r) = 'string' AND (r #>> '{}') ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$';
END
$$;

CREATE FUNCTION reg_d_facts_valid(f JSONB, person BOOLEAN) RETURNS BOOLEAN
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    i JSONB;
    n JSONB;
    r JSONB;
    e JSONB;
BEGIN
    IF NOT has_keys_json(f, '{income,net_worth,certifications,issuer_role,entity,verifications}', '{}') THEN
        RETURN FALSE;
    END IF;
    -- A person's facts for an individual, an entity's for a company or fund.
    IF person AND f ? 'entity' AND jsonb_typeof(f -> 'entity') <> 'null'
       OR NOT person AND (coalesce(jsonb_typeof(f -> 'income'), 'null') <> 'null'
                          OR coalesce(jsonb_typeof(f -> 'net_worth'), 'null') <> 'null'
                          OR coalesce(jsonb_array_length(CASE WHEN jsonb_typeof(f -> 'certifications') = 'array' THEN f -> 'certifications' END), 0) > 0
                          OR coalesce(jsonb_typeof(f -> 'issuer_role'), 'null') <> 'null') THEN
        RETURN FALSE;
    END IF;
    i := f -> 'income';
    IF coalesce(jsonb_typeof(i), 'null') <> 'null' AND NOT (
           has_keys_json(i, '{basis,recent_year,recent,prior,current_year_expected}', '{basis,recent_year,recent,prior,current_year_expected}')
           AND i ->> 'basis' IN ('individual', 'joint')
           AND jsonb_typeof(i -> 'recent_year') = 'number' AND (i ->> 'recent_year') ~ '^[0-9]{4}$'
           AND (i ->> 'recent_year')::INTEGER BETWEEN 1900 AND 2200
           AND is_money_json(i -> 'recent') AND is_money_json(i -> 'prior')
           AND is_bool_json(i -> 'current_year_expected')) THEN
        RETURN FALSE;
    END IF;
    n := f -> 'net_worth';
    r := n -> 'residence';
    IF coalesce(jsonb_typeof(n), 'null') <> 'null' AND NOT (
           has_keys_json(n, '{basis,excluding_residence,residence}', '{basis,excluding_residence,residence}')
           AND n ->> 'basis' IN ('individual', 'joint')
           AND is_money_json(n -> 'excluding_residence')
           AND has_keys_json(r, '{value,secured_debt,secured_debt_60_days_before,increase_from_acquisition}',
                                '{value,secured_debt,secured_debt_60_days_before,increase_from_acquisition}')
           AND is_money_json(r -> 'value') AND is_money_json(r -> 'secured_debt')
           AND is_money_json(r -> 'secured_debt_60_days_before') AND is_bool_json(r -> 'increase_from_acquisition')
           -- Added to and taken from the net worth: one currency.
           AND r -> 'value' -> 'currency' = n -> 'excluding_residence' -> 'currency'
           AND r -> 'secured_debt' -> 'currency' = n -> 'excluding_residence' -> 'currency'
           AND r -> 'secured_debt_60_days_before' -> 'currency' = n -> 'excluding_residence' -> 'currency') THEN
        RETURN FALSE;
    END IF;
    IF f ? 'certifications' AND NOT (
           jsonb_typeof(f -> 'certifications') = 'array' AND jsonb_array_length(f -> 'certifications') <= 3
           AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(f -> 'certifications') c
                            WHERE NOT (has_keys_json(c, '{kind,crd_number,in_good_standing}', '{kind,crd_number,in_good_standing}')
                                       AND c ->> 'kind' IN ('series_7', 'series_65', 'series_82')
                                       AND jsonb_typeof(c -> 'crd_number') = 'string'
                                       AND (c ->> 'crd_number') ~ '^[1-9][0-9]{0,7}$'
                                       AND is_bool_json(c -> 'in_good_standing')))
           AND (SELECT count(DISTINCT c ->> 'kind') FROM jsonb_array_elements(f -> 'certifications') c)
               = jsonb_array_length(f -> 'certifications')) THEN
        RETURN FALSE;
    END IF;
    IF coalesce(jsonb_typeof(f -> 'issuer_role'), 'null') <> 'null'
       AND coalesce(f ->> 'issuer_role', '') NOT IN ('director', 'executive_officer', 'general_partner', 'knowledgeable_employee') THEN
        RETURN FALSE;
    END IF;
    e := f -> 'entity';
    IF coalesce(jsonb_typeof(e), 'null') <> 'null' AND NOT (
           has_keys_json(e, '{category,formed_to_invest,total_assets,investments,all_owners_accredited,directed_by_sophisticated_person,family_office_directed}',
                            '{category,formed_to_invest,all_owners_accredited,directed_by_sophisticated_person,family_office_directed}')
           AND e ->> 'category' IN ('bank', 'broker_dealer', 'investment_adviser', 'insurance_company', 'investment_company',
                                    'business_development_company', 'corporation', 'partnership', 'limited_liability_company',
                                    'business_trust', 'charitable_organization', 'trust', 'family_office', 'family_client', 'other')
           AND is_bool_json(e -> 'formed_to_invest') AND is_bool_json(e -> 'all_owners_accredited')
           AND is_bool_json(e -> 'directed_by_sophisticated_person') AND is_bool_json(e -> 'family_office_directed')
           AND is_optional_money_json(e -> 'total_assets') AND is_optional_money_json(e -> 'investments')) THEN
        RETURN FALSE;
    END IF;
    IF f ? 'verifications' AND NOT (
           jsonb_typeof(f -> 'verifications') = 'array' AND jsonb_array_length(f -> 'verifications') <= 8
           AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(f -> 'verifications') v
                            WHERE NOT (has_keys_json(v, '{method,verifier,verifier_ref,verified_on,written_representation}',
                                                        '{method,verifier,verifier_ref,verified_on,written_representation}')
                                       AND v ->> 'method' IN ('income_tax_review', 'net_worth_review', 'third_party_confirmation',
                                                              'prior_verification', 'public_register_check', 'issuer_records',
                                                              'entity_document_review')
                                       AND v ->> 'verifier' IN ('issuer', 'broker_dealer', 'investment_adviser', 'attorney',
                                                                'certified_public_accountant')
                                       AND is_evidence_json(v -> 'verifier_ref') AND is_date_json(v -> 'verified_on')
                                       AND is_bool_json(v -> 'written_representation')))) THEN
        RETURN FALSE;
    END IF;
    RETURN TRUE;
END
$$;

CREATE FUNCTION sebi_facts_valid(f JSONB, person BOOLEAN) RETURNS BOOLEAN
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    n JSONB;
    c JSONB;
BEGIN
    IF NOT has_keys_json(f, '{class,deemed,annual_income,net_worth,all_partners_eligible,certificate}', '{class,all_partners_eligible}')
       OR f ->> 'class' NOT IN ('individual', 'huf', 'family_trust', 'sole_proprietorship', 'partnership_firm', 'trust', 'body_corporate')
       OR NOT is_bool_json(f -> 'all_partners_eligible')
       OR NOT is_optional_money_json(f -> 'annual_income') THEN
        RETURN FALSE;
    END IF;
    IF coalesce(jsonb_typeof(f -> 'deemed'), 'null') <> 'null'
       AND (person OR coalesce(f ->> 'deemed', '') NOT IN ('central_government', 'state_government', 'developmental_agency',
                                                         'government_fund', 'qualified_institutional_buyer', 'category_i_fpi',
                                                         'sovereign_wealth_fund', 'multilateral_agency')) THEN
        RETURN FALSE;
    END IF;
    -- An individual investor is an individual or a sole proprietorship; an entity is not an individual.
    IF person AND f ->> 'class' NOT IN ('individual', 'sole_proprietorship')
       OR NOT person AND f ->> 'class' = 'individual' THEN
        RETURN FALSE;
    END IF;
    n := f -> 'net_worth';
    IF coalesce(jsonb_typeof(n), 'null') <> 'null' AND NOT (
           has_keys_json(n, '{total,financial_assets}', '{total,financial_assets}')
           AND is_money_json(n -> 'total') AND is_money_json(n -> 'financial_assets')
           AND n -> 'total' -> 'currency' = n -> 'financial_assets' -> 'currency'
           AND (n -> 'financial_assets' ->> 'amount')::NUMERIC <= (n -> 'total' ->> 'amount')::NUMERIC) THEN
        RETURN FALSE;
    END IF;
    c := f -> 'certificate';
    IF coalesce(jsonb_typeof(c), 'null') <> 'null' AND NOT (
           has_keys_json(c, '{agency,number,issued_on,valid_until}', '{agency,number,issued_on,valid_until}')
           AND is_evidence_json(c -> 'agency') AND is_evidence_json(c -> 'number')
           AND is_date_json(c -> 'issued_on') AND is_date_json(c -> 'valid_until')
           AND (c ->> 'issued_on')::DATE <= (c ->> 'valid_until')::DATE) THEN
        RETURN FALSE;
    END IF;
    RETURN TRUE;
END
$$;

CREATE FUNCTION classification_facts_valid(f JSONB) RETURNS BOOLEAN
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN has_keys_json(f, '{regime,class,institutional,net_assets,annual_income,own_funds,balance_sheet_total,net_turnover,professional_employment,knowledge_assessed,warning_given_on,classified_on}',
                            '{regime,class,professional_employment,knowledge_assessed,classified_on}')
       -- A class the regime has.
       AND (f ->> 'regime' = 'dfsa' AND f ->> 'class' IN ('retail', 'professional')
            OR f ->> 'regime' = 'vara' AND f ->> 'class' IN ('retail', 'qualified', 'institutional'))
       AND (coalesce(jsonb_typeof(f -> 'institutional'), 'null') = 'null'
            OR f ->> 'institutional' IN ('government', 'regulated_financial_institution', 'collective_investment_fund',
                                         'listed_company', 'institutional_investor', 'single_family_office'))
       AND is_optional_money_json(f -> 'net_assets') AND is_optional_money_json(f -> 'annual_income')
       AND is_optional_money_json(f -> 'own_funds') AND is_optional_money_json(f -> 'balance_sheet_total')
       AND is_optional_money_json(f -> 'net_turnover')
       AND is_bool_json(f -> 'professional_employment') AND is_bool_json(f -> 'knowledge_assessed')
       AND (coalesce(jsonb_typeof(f -> 'warning_given_on'), 'null') = 'null' OR is_date_json(f -> 'warning_given_on'))
       AND is_date_json(f -> 'classified_on');
END
$$;

-- The facts of the check's own jurisdiction, one block, well formed.
CREATE FUNCTION accreditation_facts_valid(jurisdiction TEXT, entity_type TEXT, facts JSONB) RETURNS BOOLEAN
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF jsonb_typeof(facts) <> 'object' OR (SELECT count(*) FROM jsonb_object_keys(facts)) <> 1 THEN
        RETURN FALSE;
    END IF;
    RETURN CASE jurisdiction
        WHEN 'US' THEN facts ? 'reg_d' AND reg_d_facts_valid(facts -> 'reg_d', entity_type = 'individual')
        WHEN 'IN' THEN facts ? 'sebi' AND sebi_facts_valid(facts -> 'sebi', entity_type = 'individual')
        WHEN 'AE' THEN facts ? 'classification' AND classification_facts_valid(facts -> 'classification')
        ELSE FALSE
    END;
END
$$;

ALTER TABLE kyc_checks ADD CONSTRAINT ck_kyc_checks_accreditation CHECK (
    accreditation IS NULL OR accreditation_facts_valid(jurisdiction, entity_type, accreditation));
ALTER TABLE kyc_checks ADD CONSTRAINT ck_kyc_checks_assessed_on CHECK (
    (accreditation IS NULL OR assessed_on IS NOT NULL)
    AND (assessed_on IS NULL OR assessed_on BETWEEN DATE '1900-01-01' AND DATE '2200-12-31'));

ALTER TABLE compliance_checks ADD COLUMN unweighed_signals JSONB;

-- {"red_flags": [...], "matches": [...]}: known kinds, in declaration order, without repeats
-- (each list equals the canonical list of the kinds it holds).
CREATE FUNCTION signals_valid(s JSONB) RETURNS BOOLEAN
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN has_keys_json(s, '{red_flags,matches}', '{red_flags,matches}')
       AND jsonb_typeof(s -> 'red_flags') = 'array' AND jsonb_typeof(s -> 'matches') = 'array'
       AND s -> 'red_flags' = coalesce((
               SELECT jsonb_agg(k ORDER BY o)
                 FROM unnest('{adverse_media,high_risk_country,unverified_source_of_funds,document_inconsistency,opaque_ownership,unusual_activity,identity_mismatch}'::TEXT[])
                      WITH ORDINALITY AS kinds(k, o)
                WHERE s -> 'red_flags' ? k), '[]')
       AND s -> 'matches' = coalesce((
               SELECT jsonb_agg(k ORDER BY o)
                 FROM unnest('{sanctions,pep,adverse_media}'::TEXT[]) WITH ORDINALITY AS kinds(k, o)
                WHERE s -> 'matches' ? k), '[]');
END
$$;

ALTER TABLE compliance_checks ADD CONSTRAINT ck_compliance_checks_unweighed_signals CHECK (
    unweighed_signals IS NULL OR signals_valid(unweighed_signals));

-- What no rule version recorded by a decision weighs, of what its KYC check and screening carry.
CREATE FUNCTION unweighed_signals_for(jurisdiction TEXT, rule_versions JSONB, kyc_check_id UUID, aml_check_id UUID) RETURNS JSONB
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

CREATE FUNCTION compliance_checks_unweighed_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.unweighed_signals IS NOT NULL AND NEW.unweighed_signals IS NULL THEN
        RAISE EXCEPTION 'compliance check %: the signals its decision left unweighed are recorded and cannot be erased', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_unweighed_signals';
    END IF;
    -- Checked when written or when what it is computed from changes (a re-screening).
    IF NEW.unweighed_signals IS NOT NULL
       AND (TG_OP = 'INSERT'
            OR (NEW.unweighed_signals, NEW.aml_check_id, NEW.rule_versions, NEW.jurisdiction, NEW.kyc_check_id)
               IS DISTINCT FROM (OLD.unweighed_signals, OLD.aml_check_id, OLD.rule_versions, OLD.jurisdiction, OLD.kyc_check_id))
       AND NEW.unweighed_signals IS DISTINCT FROM unweighed_signals_for(NEW.jurisdiction, NEW.rule_versions, NEW.kyc_check_id, NEW.aml_check_id) THEN
        RAISE EXCEPTION 'compliance check %: the unweighed signals it lists are not what its recorded rules leave unweighed of its check and screening', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_unweighed_signals';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_compliance_checks_unweighed BEFORE INSERT OR UPDATE ON compliance_checks
    FOR EACH ROW EXECUTE FUNCTION compliance_checks_unweighed_guard();
