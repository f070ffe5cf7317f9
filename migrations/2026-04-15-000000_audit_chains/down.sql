-- Undoes 2026-04-15-000000_audit_chains. Refuses to run (the CHECK cannot come back) once an
-- entry was written to a chain other than 0.

CREATE OR REPLACE FUNCTION audit_logs_chain() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    last_id BIGINT;
    last_hash BYTEA;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('audit_logs_chain'));
    SELECT a.id, a.hash INTO last_id, last_hash FROM audit_logs a ORDER BY a.id DESC LIMIT 1;
    NEW.id := coalesce(last_id, 0) + 1;
    NEW.prev_hash := last_hash;
    -- The clock, read under the lock, so that created_at rises with id (now() is the
    -- transaction's start, which a writer that waited for the lock may have passed long ago).
    NEW.created_at := clock_timestamp();
    NEW.hash := audit_log_hash(NEW.prev_hash, NEW.id, NEW.actor_id, NEW.action, NEW.subject_kind,
                               NEW.subject_id, NEW.entity_id, NEW.old_status, NEW.new_status,
                               NEW.details, NEW.created_at);
    RETURN NEW;
END
$$;
DROP FUNCTION audit_log_hash_at(BYTEA, SMALLINT, BIGINT, UUID, TEXT, TEXT, UUID, TEXT, TEXT, TEXT, JSONB, TIMESTAMPTZ);
DROP SEQUENCE audit_logs_id_seq;
DROP INDEX idx_audit_logs_chain_position;
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_chain;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_chain CHECK ((id = 1) = (prev_hash IS NULL) AND octet_length(hash) = 32);
ALTER TABLE audit_logs
    DROP COLUMN chain_position,
    DROP COLUMN chain;
DROP FUNCTION audit_chain_count();
