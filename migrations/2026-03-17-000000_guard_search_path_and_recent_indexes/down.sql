-- Undoes up.sql exactly.
DROP INDEX idx_compliance_checks_decided_at;
CREATE INDEX idx_compliance_checks_decided_at ON compliance_checks (decided_at);
DROP INDEX idx_kyc_checks_created_at;
CREATE INDEX idx_kyc_checks_created_at ON kyc_checks (created_at);

ALTER FUNCTION blockchain_transactions_guard() RESET search_path;
ALTER FUNCTION audit_logs_chain() RESET search_path;
ALTER FUNCTION compliance_checks_update_guard() RESET search_path;
ALTER FUNCTION compliance_checks_insert_guard() RESET search_path;
