-- The prototypes measured before choosing sixteen chains (docs/benchmarks.md, "The write
-- path"). Run on a database migrated to 2026-04-10 (one chain): `psql -f setup.sql`, then each
-- script with `pgbench -n -M prepared -c N -j 2 -T 8 -f SCRIPT DB`.
INSERT INTO users (username, email, role) VALUES ('kyc-agent', 'a@example.com', 'system');
CREATE TABLE filler (id bigserial PRIMARY KEY, a text, b jsonb, c timestamptz DEFAULT now());
-- lock-at-commit.sql: entries staged, then chained by a deferred constraint trigger at COMMIT.
CREATE TABLE audit_pending (LIKE audit_logs INCLUDING DEFAULTS);
ALTER TABLE audit_pending DROP COLUMN id, DROP COLUMN prev_hash, DROP COLUMN hash;
ALTER TABLE audit_pending ADD COLUMN seq BIGSERIAL PRIMARY KEY;
CREATE FUNCTION audit_pending_seal() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM audit_pending WHERE seq = NEW.seq) THEN RETURN NULL; END IF;
  PERFORM pg_advisory_xact_lock(7236);
  WITH moved AS (DELETE FROM audit_pending p WHERE p.seq IN (SELECT seq FROM audit_pending WHERE xmin::text = pg_current_xact_id()::text) RETURNING p.*)
  INSERT INTO audit_logs (actor_id, action, subject_kind, subject_id, entity_id, old_status, new_status, details, created_at, hash)
  SELECT actor_id, action, subject_kind, subject_id, entity_id, old_status, new_status, details, created_at, '\x00' FROM moved ORDER BY seq;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER trg_seal AFTER INSERT ON audit_pending DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_pending_seal();
-- sixteen-chains.sql: the design that was chosen, as a stand-alone table.
CREATE TABLE audit2 (id BIGSERIAL PRIMARY KEY, chain SMALLINT NOT NULL, position BIGINT NOT NULL, actor_id UUID NOT NULL, action TEXT NOT NULL, subject_kind TEXT NOT NULL, subject_id UUID NOT NULL, entity_id VARCHAR(64), details JSONB NOT NULL DEFAULT '{}', created_at TIMESTAMPTZ NOT NULL DEFAULT now(), prev_hash BYTEA, hash BYTEA NOT NULL, UNIQUE (chain, position));
CREATE FUNCTION audit2_chain() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE c SMALLINT; last_pos BIGINT; last_hash BYTEA;
BEGIN
  c := (pg_current_xact_id()::text::bigint % 16)::smallint;
  PERFORM pg_advisory_xact_lock(72360000 + c);
  SELECT a.position, a.hash INTO last_pos, last_hash FROM audit2 a WHERE a.chain = c ORDER BY a.position DESC LIMIT 1;
  NEW.chain := c; NEW.position := coalesce(last_pos, 0) + 1; NEW.prev_hash := last_hash;
  NEW.created_at := clock_timestamp();
  NEW.hash := sha256(convert_to(concat_ws(E'\x1f', coalesce(encode(NEW.prev_hash,'hex'),'genesis'), NEW.chain::text, NEW.position::text, NEW.actor_id::text, NEW.action, NEW.details::text), 'UTF8'));
  RETURN NEW;
END $$;
CREATE TRIGGER trg_audit2 BEFORE INSERT ON audit2 FOR EACH ROW EXECUTE FUNCTION audit2_chain();
