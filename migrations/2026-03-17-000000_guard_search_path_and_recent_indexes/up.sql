-- Two changes found by running the tools at scale and restoring a dump, made as a migration of
-- their own so that databases already at 20260310000000 get them too.
--
-- 1. The guard triggers that name tables or functions pin their search_path. pg_dump's restore
--    runs with an empty search_path, under which they could not find `users` or `audit_logs`;
--    and with the caller's path, a temporary table or a same-named schema could stand in for
--    them. pg_temp last means no temporary object is ever found first.
ALTER FUNCTION compliance_checks_insert_guard() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION compliance_checks_update_guard() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION audit_logs_chain() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION blockchain_transactions_guard() SET search_path = pg_catalog, public, pg_temp;

-- 2. The latest checks and decisions are read newest first with a tie-breaker
--    (`ORDER BY created_at DESC, id DESC`, `ORDER BY decided_at DESC, id DESC`: verify's sample
--    and replay): the id in the index lets a backward scan stop after the limit instead of
--    sorting every row that shares a timestamp.
DROP INDEX idx_kyc_checks_created_at;
CREATE INDEX idx_kyc_checks_created_at ON kyc_checks (created_at, id);
DROP INDEX idx_compliance_checks_decided_at;
CREATE INDEX idx_compliance_checks_decided_at ON compliance_checks (decided_at, id);
