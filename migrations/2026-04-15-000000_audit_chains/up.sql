-- The audit log as sixteen hash chains instead of one (issue 10): writers no longer wait on one
-- database-wide lock held to COMMIT.
--
-- Each transaction writes all its audit entries to one chain, chosen by its transaction id
-- (xid mod 16), under that chain's advisory lock (a constant key per chain, not hashtext). Two
-- writers wait on each other only when their transactions fall on the same chain, and a
-- transaction takes one chain lock only, so chains cannot deadlock each other. Within a chain,
-- positions rise from 1 without gaps and each entry's hash covers the chain, the position and the
-- previous entry's hash, exactly as the single chain did.
--
-- Additive: no row is rewritten. Every existing entry is chain 0, its position its id (the
-- `position` column stays NULL on those rows; coalesce(chain_position, id) is the position); its hash
-- is computed by the same formula as before, so every stored hash stays valid. `id` is from now
-- on a global identity from a sequence (rising, with gaps where a transaction rolled back),
-- used to refer to an entry; the chain position is (chain, chain_position).

-- How many chains (a constant: changing it later changes which chain new transactions use, and
-- nothing else).
CREATE FUNCTION audit_chain_count() RETURNS SMALLINT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 16::SMALLINT $$;

ALTER TABLE audit_logs
    ADD COLUMN chain SMALLINT NOT NULL DEFAULT 0,
    ADD COLUMN chain_position BIGINT;

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_chain;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_chain CHECK (
    (coalesce(chain_position, id) = 1) = (prev_hash IS NULL) AND octet_length(hash) = 32
    AND chain >= 0 AND chain < audit_chain_count()
    AND (chain_position IS NOT NULL OR chain = 0) AND (chain_position IS NULL OR chain_position >= 1));

-- One entry per position of each chain; also how the chain trigger finds a chain's head.
CREATE UNIQUE INDEX idx_audit_logs_chain_position ON audit_logs (chain, (coalesce(chain_position, id)));

CREATE SEQUENCE audit_logs_id_seq AS BIGINT OWNED BY audit_logs.id;
SELECT setval('audit_logs_id_seq', coalesce((SELECT max(id) FROM audit_logs), 0) + 1, false);

-- The hash of one entry at (chain, position). For chain 0 the position alone stands where the
-- single chain had its id, so that the entries written before the chains keep their hashes.
CREATE FUNCTION audit_log_hash_at(prev_hash BYTEA, chain SMALLINT, chain_position BIGINT, actor_id UUID, action TEXT,
                                  subject_kind TEXT, subject_id UUID, entity_id TEXT, old_status TEXT,
                                  new_status TEXT, details JSONB, created_at TIMESTAMPTZ)
RETURNS BYTEA
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT sha256(convert_to(concat_ws(E'\x1f',
        coalesce(encode(prev_hash, 'hex'), 'genesis'),
        CASE WHEN chain = 0 THEN chain_position::text ELSE chain::text || '.' || chain_position::text END,
        actor_id::text, action, subject_kind,
        subject_id::text, coalesce(entity_id, ''), coalesce(old_status, ''), coalesce(new_status, ''),
        details::text, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')), 'UTF8'))
$$;

-- Assigns the entry its global id, its chain (the transaction's), the next position there and
-- the chained hash, under the chain's lock (0x6175646974000000 + chain, held to the end of the
-- transaction, so each writer of a chain sees its last committed entry).
CREATE OR REPLACE FUNCTION audit_logs_chain() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    this_chain SMALLINT := (pg_current_xact_id()::TEXT::BIGINT % audit_chain_count())::SMALLINT;
    last_position BIGINT;
    last_hash BYTEA;
BEGIN
    PERFORM pg_advisory_xact_lock(7022629598034657280 + this_chain);
    SELECT coalesce(a.chain_position, a.id), a.hash INTO last_position, last_hash
      FROM audit_logs a
     WHERE a.chain = this_chain
     ORDER BY coalesce(a.chain_position, a.id) DESC
     LIMIT 1;
    NEW.id := nextval('audit_logs_id_seq');
    NEW.chain := this_chain;
    NEW.chain_position := coalesce(last_position, 0) + 1;
    NEW.prev_hash := last_hash;
    -- The clock, read under the lock, so that created_at rises with the position in a chain.
    NEW.created_at := clock_timestamp();
    NEW.hash := audit_log_hash_at(NEW.prev_hash, NEW.chain, NEW.chain_position, NEW.actor_id, NEW.action,
                                  NEW.subject_kind, NEW.subject_id, NEW.entity_id, NEW.old_status,
                                  NEW.new_status, NEW.details, NEW.created_at);
    RETURN NEW;
END
$$;
