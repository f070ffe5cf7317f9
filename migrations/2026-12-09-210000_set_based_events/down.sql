DROP TRIGGER trg_audit_logs_event ON audit_logs;
DROP FUNCTION audit_logs_events();
DROP FUNCTION transaction_event_facts(UUID[]);

-- Writes the event an audit entry announces, in its transaction: ids, codes and statuses read
-- from the entry and from the case or transaction as the transaction left it, never a name,
-- an amount or a document number. SECURITY DEFINER: no login role writes events itself.
CREATE FUNCTION audit_logs_event() RETURNS TRIGGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    kind TEXT := event_type_for(NEW.action, NEW.subject_kind, NEW.details);
    the_case UUID;
    c compliance_checks%ROWTYPE;
    jurisdiction TEXT;
    data JSONB;
    sequence BIGINT;
BEGIN
    IF kind IS NULL THEN
        RETURN NULL;
    END IF;
    IF kind LIKE 'transaction.%' THEN
        SELECT jsonb_build_object('entity_id', NEW.entity_id, 'transaction_id', t.id, 'wallet_id', t.monitoring_id,
                                  'status', t.compliance_status, 'previous_status', NEW.old_status,
                                  'revision', t.revision, 'jurisdiction', k.jurisdiction),
               k.jurisdiction
          INTO data, jurisdiction
          FROM blockchain_transactions t
          JOIN blockchain_monitoring m ON m.id = t.monitoring_id
          JOIN kyc_checks k ON k.id = m.kyc_check_id
         WHERE t.id = NEW.subject_id;
    ELSE
        the_case := CASE WHEN NEW.subject_kind = 'false_positive'
                         THEN (NEW.details ->> 'compliance_check_id')::UUID ELSE NEW.subject_id END;
        SELECT * INTO c FROM compliance_checks WHERE id = the_case;
        jurisdiction := c.jurisdiction;
        data := jsonb_build_object('entity_id', NEW.entity_id, 'case_id', c.id, 'jurisdiction', c.jurisdiction,
                                   'revision', c.revision, 'status', c.status, 'engine_status', c.engine_status,
                                   'risk_level', c.risk_level);
        IF NEW.action = 'status_changed' THEN
            -- A reviewer's change names its trigger; the engine's (a re-screening) carries the
            -- rule versions it decided with.
            data := data || jsonb_build_object('previous_status', NEW.old_status, 'by',
                coalesce(NEW.details ->> 'by', CASE WHEN NEW.details ? 'rule_versions' THEN 'engine' END));
        ELSIF kind LIKE 'match.%' THEN
            data := data || jsonb_build_object('list', NEW.details ->> 'list', 'entry', NEW.details ->> 'entry');
        END IF;
    END IF;
    IF jurisdiction IS NULL THEN
        RAISE EXCEPTION 'audit entry % announces % but its case or transaction is not found', NEW.id, kind
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'events_subject';
    END IF;
    INSERT INTO event_streams AS s (entity_id, last_sequence) VALUES (NEW.entity_id, 1)
        ON CONFLICT (entity_id) DO UPDATE SET last_sequence = s.last_sequence + 1
        RETURNING s.last_sequence INTO sequence;
    INSERT INTO events (event_type, entity_id, entity_sequence, jurisdiction, case_id, audit_log_id, data, created_at)
    VALUES (kind, NEW.entity_id, sequence, jurisdiction, the_case, NEW.id, jsonb_strip_nulls(data), NEW.created_at);
    RETURN NULL;
END
$$;


CREATE TRIGGER trg_audit_logs_event AFTER INSERT ON audit_logs
    FOR EACH ROW
    WHEN (NEW.entity_id IS NOT NULL AND NEW.action IN ('decision_recorded', 'status_changed', 'approval_proposed',
          'rescreened', 'override_confirmed', 'false_positive_proposed', 'false_positive_confirmed',
          'transaction_recorded', 'delisting_flagged'))
    EXECUTE FUNCTION audit_logs_event();
