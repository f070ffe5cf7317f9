-- Undoes up.sql exactly: views, tables (with their indexes, constraints and triggers), the
-- functions, then btree_gist. Should anything else in the database use btree_gist, the last
-- statement fails and names it, rather than leave a state up.sql did not find.
DROP VIEW compliance_summary;
DROP VIEW high_risk_entities;
DROP VIEW pending_approvals;

DROP TABLE audit_logs;
DROP TABLE decision_vectors;
DROP TABLE compliance_checks;
DROP TABLE aml_checks;
DROP TABLE kyc_checks;
DROP TABLE compliance_rules;
DROP TABLE users;

DROP FUNCTION audit_logs_chain();
DROP FUNCTION audit_log_hash(BYTEA, BIGINT, UUID, TEXT, TEXT, UUID, TEXT, TEXT, TEXT, JSONB, TIMESTAMPTZ);
DROP FUNCTION compliance_checks_update_guard();
DROP FUNCTION compliance_checks_insert_guard();
DROP FUNCTION compliance_rules_guard();
DROP FUNCTION refuse_change();
DROP FUNCTION set_updated_at();
DROP FUNCTION is_iso_4217(TEXT);
DROP FUNCTION strictest_outcome(JSONB);
DROP FUNCTION status_transition_allowed(TEXT, TEXT, BOOLEAN);
DROP FUNCTION risk_level_for(SMALLINT);

DROP EXTENSION btree_gist;
