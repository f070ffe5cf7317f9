-- The write path's guards, cheaper with the same meaning (issue 10: the service's server CPU per
-- submission). Nothing here changes what is accepted or refused; only how often PostgreSQL
-- parses and plans the functions the guards call.
--
-- 1. The guards' helper functions that read tables (sanctions_reason_missing, review_due_at,
--    review_note_fits, rejection_overridden) were SQL functions with SET search_path. Such a
--    function cannot be inlined, and its body was parsed and planned again in each transaction
--    that called it (the caller's expression state, which holds it, is per transaction). In
--    PL/pgSQL, same statements, same search_path, the plans are kept for the session.
-- 2. The CHECK helpers (risk_level_for, strictest_outcome, is_iso_4217) were SQL functions whose
--    bodies were parsed again in every INSERT (a CHECK's expression is prepared per statement):
--    is_iso_4217 inlined, its list of codes parsed three times per KYC check; the other two,
--    STRICT around a CASE, cannot be inlined and were parsed and planned as SQL functions. In
--    PL/pgSQL they are compiled once per session. The CHECKs still call them: one copy of each
--    rule.
-- 3. audit_chain_count() is folded in every audit INSERT's CHECK: the same, in PL/pgSQL.
-- 4. audit_log_hash_at() was IMMUTABLE around to_char(), which is only STABLE, so it was never
--    inlined into the chain trigger and ran as a SQL function, parsed and planned per
--    transaction. Declared STABLE (what it is), it is inlined into the trigger's cached plan.
-- 5. status_rank() loses STRICT, which kept it from being inlined into queue_flag(), so every
--    case's insert ran it as a SQL function in idx_compliance_checks_queue's expressions. Its
--    CASE already gives NULL for NULL: the same results for every input, and no index changes.
--
-- Works on PostgreSQL 15 and 16.

CREATE OR REPLACE FUNCTION sanctions_reason_missing(aml_check_id UUID, jurisdiction TEXT, rule_versions JSONB, reasons JSONB) RETURNS BOOLEAN
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM aml_checks a WHERE a.id = sanctions_reason_missing.aml_check_id AND a.sanctions_match)
       AND EXISTS (
           SELECT 1 FROM jsonb_array_elements(sanctions_reason_missing.rule_versions) v
             JOIN compliance_rules cr ON cr.jurisdiction = sanctions_reason_missing.jurisdiction
                                     AND cr.code = v ->> 'code' AND cr.version = (v ->> 'version')::INTEGER
            WHERE cr.parameters ->> 'kind' = 'sanctions_match'
              AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(sanctions_reason_missing.reasons) r
                               WHERE r -> 'rule' ->> 'code' = cr.code AND r ->> 'outcome' = 'REJECTED'));
END
$$;

CREATE OR REPLACE FUNCTION review_due_at(jurisdiction TEXT, risk_level TEXT, approved_at TIMESTAMPTZ) RETURNS TIMESTAMPTZ
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    -- Months are added in UTC, as the rules crate does, whatever the session's TimeZone.
    RETURN (SELECT ((review_due_at.approved_at AT TIME ZONE 'UTC')
                    + make_interval(months => (r.parameters -> 'months' ->> review_due_at.risk_level)::NUMERIC::INTEGER)) AT TIME ZONE 'UTC'
              FROM compliance_rules r
             WHERE r.jurisdiction = review_due_at.jurisdiction
               AND r.parameters ->> 'kind' = 'periodic_review'
               AND r.effective_from <= now() AND (r.effective_to IS NULL OR r.effective_to > now())
             ORDER BY r.effective_from DESC
             LIMIT 1);
END
$$;

CREATE OR REPLACE FUNCTION review_note_fits(note_id UUID, author UUID, case_id UUID) RETURNS BOOLEAN
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM review_notes n
                     JOIN compliance_checks cc ON cc.id = review_note_fits.case_id
                     JOIN kyc_checks k ON k.id = cc.kyc_check_id
                    WHERE n.id = review_note_fits.note_id AND n.author_id = review_note_fits.author
                      AND n.entity_id = k.entity_id AND n.body IS NOT NULL);
END
$$;

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
                                     AND cr.parameters ->> 'kind' = 'sanctions_match'))
       AND NOT EXISTS (
               SELECT 1 FROM aml_checks a, jsonb_array_elements(a.matched_entries) m
                WHERE a.id = rejection_overridden.aml_check_id AND m ->> 'kind' = 'sanctions'
                  AND NOT EXISTS (SELECT 1 FROM false_positives f
                                   WHERE f.compliance_check_id = rejection_overridden.case_id
                                     AND f.list = m ->> 'list' AND f.entry = m ->> 'entry'
                                     AND f.confirmed_by IS NOT NULL));
END
$$;

-- The CHECK helpers name no table and no function outside pg_catalog, so a restore's empty
-- search_path finds everything they use.
CREATE OR REPLACE FUNCTION risk_level_for(score SMALLINT) RETURNS TEXT
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    RETURN CASE
        WHEN score <= 30 THEN 'LOW'
        WHEN score <= 60 THEN 'MEDIUM'
        WHEN score <= 84 THEN 'HIGH'
        ELSE 'CRITICAL'
    END;
END
$$;

CREATE OR REPLACE FUNCTION strictest_outcome(reasons JSONB) RETURNS TEXT
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    RETURN CASE
        WHEN reasons @? '$[*] ? (@.outcome == "REJECTED")' THEN 'REJECTED'
        WHEN reasons @? '$[*] ? (@.outcome == "ESCALATED")' THEN 'ESCALATED'
        WHEN reasons @? '$[*] ? (@.outcome == "PENDING")' THEN 'PENDING'
        ELSE 'APPROVED'
    END;
END
$$;

CREATE OR REPLACE FUNCTION is_iso_4217(code TEXT) RETURNS BOOLEAN
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    RETURN code = ANY ('{AED,AFN,ALL,AMD,AOA,ARS,AUD,AWG,AZN,BAM,BBD,BDT,BGN,BHD,BIF,BMD,BND,BOB,BRL,BSD,BTN,BWP,BYN,BZD,CAD,CDF,CHF,CLP,CNY,COP,CRC,CUP,CVE,CZK,DJF,DKK,DOP,DZD,EGP,ERN,ETB,EUR,FJD,FKP,GBP,GEL,GHS,GIP,GMD,GNF,GTQ,GYD,HKD,HNL,HTG,HUF,IDR,ILS,INR,IQD,IRR,ISK,JMD,JOD,JPY,KES,KGS,KHR,KMF,KPW,KRW,KWD,KYD,KZT,LAK,LBP,LKR,LRD,LSL,LYD,MAD,MDL,MGA,MKD,MMK,MNT,MOP,MRU,MUR,MVR,MWK,MXN,MYR,MZN,NAD,NGN,NIO,NOK,NPR,NZD,OMR,PAB,PEN,PGK,PHP,PKR,PLN,PYG,QAR,RON,RSD,RUB,RWF,SAR,SBD,SCR,SDG,SEK,SGD,SHP,SLE,SOS,SRD,SSP,STN,SVC,SYP,SZL,THB,TJS,TMT,TND,TOP,TRY,TTD,TWD,TZS,UAH,UGX,USD,UYU,UZS,VED,VES,VND,VUV,WST,XAF,XCD,XCG,XOF,XPF,YER,ZAR,ZMW,ZWG}'::TEXT[]);
END
$$;

CREATE OR REPLACE FUNCTION audit_chain_count() RETURNS SMALLINT
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$ BEGIN RETURN 16; END $$;

ALTER FUNCTION audit_log_hash_at(BYTEA, SMALLINT, BIGINT, UUID, TEXT, TEXT, UUID, TEXT, TEXT, TEXT, JSONB, TIMESTAMPTZ) STABLE;

CREATE OR REPLACE FUNCTION status_rank(status TEXT) RETURNS SMALLINT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE status WHEN 'APPROVED' THEN 0 WHEN 'PENDING' THEN 1 WHEN 'ESCALATED' THEN 2 WHEN 'REJECTED' THEN 3 END::SMALLINT
$$;
