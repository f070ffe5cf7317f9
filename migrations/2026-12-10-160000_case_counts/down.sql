-- Undoes 2026-12-10-160000_case_counts: the dashboard's read, the counting triggers, the
-- counts and their guard.
DROP FUNCTION case_dashboard();
DROP TRIGGER trg_case_submissions_count_superseded ON case_submissions;
DROP TRIGGER trg_compliance_checks_count_updated ON compliance_checks;
DROP TRIGGER trg_compliance_checks_count_inserted ON compliance_checks;
DROP FUNCTION case_submissions_count_superseded();
DROP FUNCTION compliance_checks_count_updated();
DROP FUNCTION compliance_checks_count_inserted();
DROP TABLE case_counts;
DROP FUNCTION case_counts_guard();
DROP FUNCTION case_counts_recounted();
DROP FUNCTION case_counts_apply(case_count_delta[]);
DROP FUNCTION case_count_keys(TEXT, TEXT, TEXT, TIMESTAMPTZ, BOOLEAN, BOOLEAN, BIGINT);
DROP TYPE case_count_delta;
