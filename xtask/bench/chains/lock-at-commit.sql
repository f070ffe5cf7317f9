\set e random(1, 1000000000)
BEGIN;
INSERT INTO filler (a, b) VALUES ('kyc', '{"x":1}');
INSERT INTO audit_pending (actor_id, action, subject_kind, subject_id, entity_id, details) VALUES ((SELECT id FROM users LIMIT 1), 'kyc_recorded', 'kyc_check', gen_random_uuid(), 'ent-' || :e, '{"a":1}');
INSERT INTO filler (a, b) VALUES ('aml', '{"x":1}');
INSERT INTO audit_pending (actor_id, action, subject_kind, subject_id, entity_id, details) VALUES ((SELECT id FROM users LIMIT 1), 'aml_recorded', 'aml_check', gen_random_uuid(), 'ent-' || :e, '{"a":1}');
INSERT INTO filler (a, b) VALUES ('case', '{"x":1}');
COMMIT;
