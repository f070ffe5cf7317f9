-- The plain reference bench_write.rs runs with pgbench -M prepared (and server-cpu.sh): the same
-- five INSERTs per transaction as a submission, on its PLAIN_SCHEMA: no triggers, no chain.
\set e random(1, 2000000000)
BEGIN;
INSERT INTO kyc (entity_id, body) VALUES ('e' || :e, '{"documents": ["passport", "proof_of_address"], "verification_score": 95}');
INSERT INTO audit (entity_id, action, details) VALUES ('e' || :e, 'kyc_recorded', '{"status": "APPROVED"}');
INSERT INTO aml (entity_id, body) VALUES ('e' || :e, '{"risk_score": 12, "matches": []}');
INSERT INTO decision (entity_id, body) VALUES ('e' || :e, '{"status": "APPROVED", "reasons": []}');
INSERT INTO audit (entity_id, action, details) VALUES ('e' || :e, 'decision_recorded', '{"status": "APPROVED"}');
COMMIT;
