-- Wallet screening (issue 19, part 4): each wallet transaction's counterparty is screened
-- against the wallet addresses on the lists' current versions; a hit is recorded ESCALATED, or
-- flagged ESCALATED later when a new list version names it. The database repeats the rule:
-- a transaction whose counterparty a current list names is never stored PENDING when recorded,
-- and never APPROVED. Expand only: functions and indexes added, one guard replaced.

-- A wallet address as the matcher compares it (compliance_screening::normal_wallet): Unicode
-- white space (Rust's char::is_whitespace) removed; `0x` hex and bech32 (`bc1`, `ltc1`)
-- addresses in lower case (ASCII only, as to_ascii_lowercase), anything else (base58) exactly
-- as given. PL/pgSQL over built-ins only (found in pg_catalog whatever the search_path): its
-- compiled body lasts for the session, where a SQL function not inlined would be planned again
-- at every call (a transaction's counterparty is normalised per row: about 1 µs).
CREATE FUNCTION normal_wallet(address TEXT) RETURNS TEXT
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    trimmed TEXT := address;
BEGIN
    -- The White_Space characters, spelled out: [[:space:]] follows the server's locale.
    IF address ~ '[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]' THEN
        trimmed := regexp_replace(address,
            '[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]', '', 'g');
    END IF;
    IF lower(left(trimmed, 4)) ~ '^(0x|bc1|ltc1)' THEN
        -- ASCII letters only: lower() agrees with to_ascii_lowercase on ASCII text (translate,
        -- five times slower, keeps any other letter as it is).
        IF octet_length(trimmed) = length(trimmed) THEN
            RETURN lower(trimmed);
        END IF;
        RETURN translate(trimmed, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');
    END IF;
    RETURN trimmed;
END
$$;

-- A list entry's wallet addresses in that form (none when it gives none).
CREATE FUNCTION watchlist_entry_wallets(entry JSONB) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce(array_agg(normal_wallet(w)), '{}')
    FROM jsonb_array_elements_text(
        CASE WHEN jsonb_typeof(entry -> 'wallets') = 'array' THEN entry -> 'wallets' ELSE '[]'::jsonb END) AS w
$$;

-- The entries that name a wallet (a few among hundreds of thousands), by version: what the
-- listed-wallet reads below scan instead of every entry.
CREATE INDEX idx_watchlist_entries_wallets ON watchlist_entries (version_id)
    WHERE entry -> 'wallets' <> '[]'::jsonb;

-- The wallet addresses named by the lists' current versions (versions no version supersedes),
-- in normal form.
CREATE FUNCTION listed_wallets() RETURNS SETOF TEXT
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT DISTINCT w
    FROM watchlist_entries e, unnest(watchlist_entry_wallets(e.entry)) AS w
    WHERE e.entry -> 'wallets' <> '[]'::jsonb
      AND NOT EXISTS (SELECT 1 FROM watchlist_versions n WHERE n.previous_version_id = e.version_id)
$$;

-- True when a list's current version names the address.
CREATE FUNCTION wallet_listed(address TEXT) RETURNS BOOLEAN
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM listed_wallets() AS l(w) WHERE l.w = normal_wallet(address));
END
$$;

-- The known counterparties, for a new list version's pass over them, and their transactions.
CREATE INDEX idx_blockchain_transactions_counterparty ON blockchain_transactions (counterparty)
    WHERE counterparty IS NOT NULL;

CREATE OR REPLACE FUNCTION blockchain_transactions_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    decider_role TEXT;
    listed BOOLEAN;
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- A transaction is recorded PENDING and undecided, or ESCALATED by the active user who
        -- recorded it (the counterparty screening's flag). Whether a list names the
        -- counterparty is checked once per statement, for all its rows, by
        -- blockchain_transactions_listed_check().
        IF NEW.revision = 1 AND (
               NEW.compliance_status = 'PENDING' AND NEW.decided_by IS NULL
            OR NEW.compliance_status = 'ESCALATED' AND NEW.counterparty IS NOT NULL
               AND EXISTS (SELECT 1 FROM users WHERE id = NEW.decided_by AND active)) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'a transaction is recorded PENDING at revision 1 and undecided, or ESCALATED by its recorder when a current list names its counterparty'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_transactions_new';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'blockchain transaction % cannot be deleted', OLD.id
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'blockchain_transactions_kept';
    END IF;
    IF (NEW.id, NEW.monitoring_id, NEW.tx_hash, NEW.direction, NEW.amount, NEW.asset, NEW.counterparty, NEW.observed_at,
        NEW.risk_score, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.monitoring_id, OLD.tx_hash, OLD.direction, OLD.amount, OLD.asset, OLD.counterparty, OLD.observed_at,
        OLD.risk_score, OLD.created_at) THEN
        RAISE EXCEPTION 'blockchain transaction %: what was observed never changes', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_transactions_observed';
    END IF;
    IF NEW.revision <> OLD.revision + 1 THEN
        RAISE EXCEPTION 'blockchain transaction %: revision must go from % to %, got %', OLD.id, OLD.revision, OLD.revision + 1, NEW.revision
            USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_transactions_revision';
    END IF;
    IF NEW.compliance_status IS DISTINCT FROM OLD.compliance_status THEN
        IF NOT status_transition_allowed(OLD.compliance_status, NEW.compliance_status, TRUE) THEN
            RAISE EXCEPTION 'blockchain transaction %: % -> % is not an allowed status change', OLD.id, OLD.compliance_status, NEW.compliance_status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_transactions_status_transition';
        END IF;
        listed := NEW.counterparty IS NOT NULL AND wallet_listed(NEW.counterparty);
        IF NEW.compliance_status = 'APPROVED' AND listed THEN
            RAISE EXCEPTION 'blockchain transaction %: a transaction whose counterparty a current list names is never approved', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_transactions_listed_counterparty';
        END IF;
        SELECT role INTO decider_role FROM users WHERE id = NEW.decided_by AND active;
        IF decider_role IS NULL THEN
            RAISE EXCEPTION 'blockchain transaction %: a status change names its decider, an active user (got %)', OLD.id, coalesce(NEW.decided_by::text, 'none')
                USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_transactions_decider';
        END IF;
        -- Who may decide what (domain: TransactionDecision, Role::may_review): analysts PENDING
        -- transactions; admins and compliance officers also ESCALATED and APPROVED ones; and
        -- the counterparty screening's flag (TransactionDecision::counterparty_listed), by any
        -- active user, the system agent included: to ESCALATED, only on a listed counterparty.
        IF NOT (decider_role IN ('admin', 'compliance_officer') AND OLD.compliance_status IN ('PENDING', 'ESCALATED', 'APPROVED')
                OR decider_role = 'analyst' AND OLD.compliance_status = 'PENDING'
                OR NEW.compliance_status = 'ESCALATED' AND listed) THEN
            RAISE EXCEPTION 'blockchain transaction %: a % may not decide a % transaction', OLD.id, decider_role, OLD.compliance_status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_transactions_decider';
        END IF;
    ELSIF NEW.decided_by IS DISTINCT FROM OLD.decided_by THEN
        RAISE EXCEPTION 'blockchain transaction %: the decider changes only with the status', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_transactions_decider';
    END IF;
    RETURN NEW;
END
$$;

-- Once per INSERT statement, over all its rows: a transaction whose counterparty a current list
-- names is never recorded PENDING, and only such a transaction is recorded ESCALATED. One join
-- of the rows against the listed addresses, however many rows (a batch of 1,000, a bulk load).
CREATE FUNCTION blockchain_transactions_listed_check() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    wrong RECORD;
BEGIN
    SELECT r.id, r.compliance_status INTO wrong
    FROM recorded r
    LEFT JOIN (SELECT w FROM listed_wallets() AS l(w)) l ON l.w = normal_wallet(r.counterparty)
    WHERE (r.compliance_status = 'PENDING' AND l.w IS NOT NULL)
       OR (r.compliance_status = 'ESCALATED' AND l.w IS NULL)
    LIMIT 1;
    IF FOUND AND wrong.compliance_status = 'PENDING' THEN
        RAISE EXCEPTION 'blockchain transaction %: a transaction whose counterparty a current list names is recorded ESCALATED', wrong.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_transactions_listed_counterparty';
    ELSIF FOUND THEN
        RAISE EXCEPTION 'blockchain transaction %: recorded ESCALATED, but no current list names its counterparty', wrong.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'blockchain_transactions_new';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_blockchain_transactions_listed AFTER INSERT ON blockchain_transactions
    REFERENCING NEW TABLE AS recorded
    FOR EACH STATEMENT EXECUTE FUNCTION blockchain_transactions_listed_check();
