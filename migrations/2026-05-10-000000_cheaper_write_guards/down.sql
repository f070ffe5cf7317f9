-- Undoes 2026-05-10-000000_cheaper_write_guards: the functions as 2026-03-03, 2026-04-10 and
-- 2026-04-15 left them (SQL, the same bodies and attributes).

CREATE OR REPLACE FUNCTION sanctions_reason_missing(aml_check_id UUID, jurisdiction TEXT, rule_versions JSONB, reasons JSONB) RETURNS BOOLEAN
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

CREATE OR REPLACE FUNCTION review_due_at(jurisdiction TEXT, risk_level TEXT, approved_at TIMESTAMPTZ) RETURNS TIMESTAMPTZ
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

CREATE OR REPLACE FUNCTION review_note_fits(note_id UUID, author UUID, case_id UUID) RETURNS BOOLEAN
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM review_notes n
                     JOIN compliance_checks cc ON cc.id = case_id
                     JOIN kyc_checks k ON k.id = cc.kyc_check_id
                    WHERE n.id = note_id AND n.author_id = author AND n.entity_id = k.entity_id
                      AND n.body IS NOT NULL)
$$;

CREATE OR REPLACE FUNCTION rejection_overridden(case_id UUID, aml_check_id UUID, jurisdiction TEXT, reasons JSONB) RETURNS BOOLEAN
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

CREATE OR REPLACE FUNCTION risk_level_for(score SMALLINT) RETURNS TEXT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE
        WHEN score <= 30 THEN 'LOW'
        WHEN score <= 60 THEN 'MEDIUM'
        WHEN score <= 84 THEN 'HIGH'
        ELSE 'CRITICAL'
    END
$$;

CREATE OR REPLACE FUNCTION strictest_outcome(reasons JSONB) RETURNS TEXT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE
        WHEN reasons @? '$[*] ? (@.outcome == "REJECTED")' THEN 'REJECTED'
        WHEN reasons @? '$[*] ? (@.outcome == "ESCALATED")' THEN 'ESCALATED'
        WHEN reasons @? '$[*] ? (@.outcome == "PENDING")' THEN 'PENDING'
        ELSE 'APPROVED'
    END
$$;

CREATE OR REPLACE FUNCTION is_iso_4217(code TEXT) RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT code = ANY ('{AED,AFN,ALL,AMD,AOA,ARS,AUD,AWG,AZN,BAM,BBD,BDT,BGN,BHD,BIF,BMD,BND,BOB,BRL,BSD,BTN,BWP,BYN,BZD,CAD,CDF,CHF,CLP,CNY,COP,CRC,CUP,CVE,CZK,DJF,DKK,DOP,DZD,EGP,ERN,ETB,EUR,FJD,FKP,GBP,GEL,GHS,GIP,GMD,GNF,GTQ,GYD,HKD,HNL,HTG,HUF,IDR,ILS,INR,IQD,IRR,ISK,JMD,JOD,JPY,KES,KGS,KHR,KMF,KPW,KRW,KWD,KYD,KZT,LAK,LBP,LKR,LRD,LSL,LYD,MAD,MDL,MGA,MKD,MMK,MNT,MOP,MRU,MUR,MVR,MWK,MXN,MYR,MZN,NAD,NGN,NIO,NOK,NPR,NZD,OMR,PAB,PEN,PGK,PHP,PKR,PLN,PYG,QAR,RON,RSD,RUB,RWF,SAR,SBD,SCR,SDG,SEK,SGD,SHP,SLE,SOS,SRD,SSP,STN,SVC,SYP,SZL,THB,TJS,TMT,TND,TOP,TRY,TTD,TWD,TZS,UAH,UGX,USD,UYU,UZS,VED,VES,VND,VUV,WST,XAF,XCD,XCG,XOF,XPF,YER,ZAR,ZMW,ZWG}'::TEXT[])
$$;

CREATE OR REPLACE FUNCTION audit_chain_count() RETURNS SMALLINT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 16::SMALLINT $$;

ALTER FUNCTION audit_log_hash_at(BYTEA, SMALLINT, BIGINT, UUID, TEXT, TEXT, UUID, TEXT, TEXT, TEXT, JSONB, TIMESTAMPTZ) IMMUTABLE;

CREATE OR REPLACE FUNCTION status_rank(status TEXT) RETURNS SMALLINT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE status WHEN 'APPROVED' THEN 0 WHEN 'PENDING' THEN 1 WHEN 'ESCALATED' THEN 2 WHEN 'REJECTED' THEN 3 END::SMALLINT
$$;
