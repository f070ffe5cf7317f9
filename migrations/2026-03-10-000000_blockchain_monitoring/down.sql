-- Undoes up.sql exactly.
DROP TABLE blockchain_transactions;
DROP FUNCTION blockchain_transactions_guard();
DROP TABLE blockchain_monitoring;
DROP FUNCTION blockchain_monitoring_guard();
