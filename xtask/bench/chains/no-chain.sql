\set e random(1, 1000000000)
BEGIN;
INSERT INTO filler (a, b) VALUES ('kyc', '{"x":1}');
INSERT INTO filler (a, b) VALUES ('a1', '{"a":1}');
INSERT INTO filler (a, b) VALUES ('aml', '{"x":1}');
INSERT INTO filler (a, b) VALUES ('a2', '{"a":1}');
INSERT INTO filler (a, b) VALUES ('case', '{"x":1}');
COMMIT;
