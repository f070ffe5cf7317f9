-- Screening's tables, functions and audit vocabulary removed; the checks as migration
-- 2026-05-01-000000 (audit) and the initial schema (matched entries) left them. While the chain
-- holds entries with the screening actions, or screenings hold scored matches, the older checks
-- fail and the down migration stops: it never drops evidence.

-- The guards as migrations 2026-05-10-000000 and 2026-12-07-000000 left them.
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

DROP TABLE screening_explanations;
DROP FUNCTION screening_explanations_guard();
DROP TABLE aml_check_watchlist_versions;
DROP TABLE screening_subjects;
DROP FUNCTION screening_subjects_guard();
DROP FUNCTION subject_retained_until(VARCHAR);
DROP FUNCTION screening_subject_commitment(BYTEA, JSONB);
DROP TABLE watchlist_entries;
DROP FUNCTION watchlist_entries_guard();
DROP TABLE watchlist_versions;
DROP FUNCTION watchlist_versions_count_check();
DROP FUNCTION watchlist_versions_guard();
DROP FUNCTION watchlist_max_drop_percent();

ALTER TABLE aml_checks DROP CONSTRAINT ck_aml_checks_matched_entries;
ALTER TABLE aml_checks ADD CONSTRAINT ck_aml_checks_matched_entries CHECK (
    jsonb_typeof(matched_entries) = 'array'
    AND NOT matched_entries @? '$[*] ? (!(@.kind == "sanctions" || @.kind == "pep" || @.kind == "adverse_media")
                                        || !(@.list.type() == "string") || !(@.entry.type() == "string"))');

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded',
    'false_positive_proposed', 'false_positive_confirmed', 'override_confirmed', 'note_erased',
    'api_token_created', 'api_token_revoked', 'password_set'));
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_subject_kind;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_subject_kind CHECK (subject_kind IN ('user', 'compliance_rule', 'kyc_check', 'aml_check',
    'compliance_check', 'blockchain_transaction', 'blockchain_monitoring', 'false_positive', 'review_note',
    'api_token'));
