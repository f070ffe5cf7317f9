-- The outbox's trigger, set-based (issue 19's wallet transactions, and every write that audits
-- many entries in one statement): one run per INSERT statement on `audit_logs` instead of one
-- per announcing entry. It reads the statement's new entries (a transition table), numbers each
-- entity's events with one upsert of `event_streams` per entity (the per-row upsert updated the
-- same row once per entry: a batch of 1,000 transactions of one wallet made 1,000 versions of
-- one row in one transaction, each found by walking the previous ones), describes them with one
-- join, and inserts them in the entries' order. What an event says, its type, its sequence and
-- its refusal when its case or transaction is not found are unchanged.

DROP TRIGGER trg_audit_logs_event ON audit_logs;
DROP FUNCTION audit_logs_event();

-- The facts a wallet transaction's event carries, for the transactions `ids` (NULL: none).
-- PL/pgSQL, and called once per statement: a statement that announces no transaction event
-- reads nothing of the wallets' tables, and takes none of their locks (a case's write never waits
-- on a lock held on `blockchain_transactions`).
CREATE FUNCTION transaction_event_facts(ids UUID[])
RETURNS TABLE (transaction_id UUID, wallet_id UUID, status TEXT, revision INTEGER, jurisdiction TEXT)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF ids IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT x.id, x.monitoring_id, x.compliance_status, x.revision, k.jurisdiction
          FROM blockchain_transactions x
          JOIN blockchain_monitoring m ON m.id = x.monitoring_id
          JOIN kyc_checks k ON k.id = m.kyc_check_id
         WHERE x.id = ANY (ids);
END
$$;

-- Writes the events the statement's new audit entries announce, in its transaction: ids, codes
-- and statuses read from each entry and from the case or transaction as the statement left it,
-- never a name, an amount or a document number. Each entity's events are numbered in the
-- entries' order after its last sequence (the `event_streams` row, locked in entity order, orders
-- concurrent writers). SECURITY DEFINER: no login role writes events itself.
CREATE FUNCTION audit_logs_events() RETURNS TRIGGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    announcing BIGINT;
    written BIGINT;
BEGIN
    WITH typed AS (
        SELECT * FROM (
            SELECT a.id, a.entity_id, a.action, a.subject_kind, a.subject_id, a.old_status, a.details,
                   a.created_at, event_type_for(a.action, a.subject_kind, a.details) AS kind
              FROM new_entries a
             WHERE a.entity_id IS NOT NULL) e
         WHERE kind IS NOT NULL
    ), described AS (
        SELECT t.id, t.entity_id, t.kind, t.created_at, NULL::UUID AS case_id, x.jurisdiction,
               jsonb_build_object('entity_id', t.entity_id, 'transaction_id', x.transaction_id,
                                  'wallet_id', x.wallet_id, 'status', x.status, 'previous_status', t.old_status,
                                  'revision', x.revision, 'jurisdiction', x.jurisdiction) AS data
          FROM typed t
          JOIN transaction_event_facts((SELECT array_agg(subject_id) FROM typed WHERE kind LIKE 'transaction.%')) x
            ON x.transaction_id = t.subject_id
         WHERE t.kind LIKE 'transaction.%'
        UNION ALL
        SELECT t.id, t.entity_id, t.kind, t.created_at, c.id, c.jurisdiction,
               jsonb_build_object('entity_id', t.entity_id, 'case_id', c.id, 'jurisdiction', c.jurisdiction,
                                  'revision', c.revision, 'status', c.status, 'engine_status', c.engine_status,
                                  'risk_level', c.risk_level)
               -- A reviewer's change names its trigger; the engine's (a re-screening) carries the
               -- rule versions it decided with.
               || CASE WHEN t.action = 'status_changed' THEN
                           jsonb_build_object('previous_status', t.old_status, 'by',
                               coalesce(t.details ->> 'by', CASE WHEN t.details ? 'rule_versions' THEN 'engine' END))
                       WHEN t.kind LIKE 'match.%' THEN
                           jsonb_build_object('list', t.details ->> 'list', 'entry', t.details ->> 'entry')
                       ELSE '{}'::JSONB END
          FROM typed t
          JOIN compliance_checks c
            ON c.id = CASE WHEN t.subject_kind = 'false_positive'
                           THEN (t.details ->> 'compliance_check_id')::UUID ELSE t.subject_id END
         WHERE t.kind NOT LIKE 'transaction.%'
    ), counted AS (
        SELECT entity_id, count(*) AS n FROM described GROUP BY entity_id
    ), numbered AS (
        INSERT INTO event_streams AS s (entity_id, last_sequence)
        SELECT entity_id, n FROM counted ORDER BY entity_id
            ON CONFLICT (entity_id) DO UPDATE SET last_sequence = s.last_sequence + EXCLUDED.last_sequence
        RETURNING s.entity_id, s.last_sequence
    ), inserted AS (
        INSERT INTO events (event_type, entity_id, entity_sequence, jurisdiction, case_id, audit_log_id, data, created_at)
        SELECT d.kind, d.entity_id,
               s.last_sequence - c.n + row_number() OVER (PARTITION BY d.entity_id ORDER BY d.id),
               d.jurisdiction, d.case_id, d.id, jsonb_strip_nulls(d.data), d.created_at
          FROM described d
          JOIN counted c ON c.entity_id = d.entity_id
          JOIN numbered s ON s.entity_id = d.entity_id
         ORDER BY d.id
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM typed), (SELECT count(*) FROM inserted) INTO announcing, written;
    -- Every announcing entry has its event: one whose case or transaction is not found is refused.
    IF written <> announcing THEN
        RAISE EXCEPTION '% of % audit entries announcing an event have no case or transaction', announcing - written, announcing
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'events_subject';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_audit_logs_event AFTER INSERT ON audit_logs
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_events();
