-- Undoes 2026-04-10-000000_case_lifecycle_overrides_and_notes, in reverse order. Fails (and so
-- changes nothing) once the new shape holds data the old one cannot: an entity's second case
-- (uq_kyc_checks_entity_id), a proposal made with a note (ck_compliance_checks_proposal), or an
-- audit entry of a new action; where it runs, review notes and false positives are dropped.

DROP VIEW high_risk_entities;
DROP VIEW reviews_due;
DROP VIEW pending_approvals;
DROP VIEW current_cases;

CREATE VIEW pending_approvals AS
SELECT cc.id AS compliance_check_id,
       k.entity_id,
       k.entity_type,
       cc.jurisdiction,
       cc.status,
       cc.risk_score,
       cc.risk_level,
       a.sanctions_match,
       a.pep_match,
       cc.approval_proposed_by,
       cc.revision,
       cc.created_at,
       cc.updated_at
FROM compliance_checks cc
JOIN kyc_checks k ON k.id = cc.kyc_check_id
JOIN aml_checks a ON a.id = cc.aml_check_id
WHERE cc.status IN ('PENDING', 'ESCALATED')
ORDER BY cc.risk_score DESC, cc.created_at ASC, cc.id;

CREATE VIEW high_risk_entities AS
SELECT cc.id AS compliance_check_id,
       k.entity_id,
       k.entity_type,
       cc.jurisdiction,
       cc.status,
       a.risk_score,
       a.risk_level,
       a.sanctions_match,
       a.pep_match,
       a.matched_entries,
       a.screened_at
FROM compliance_checks cc
JOIN kyc_checks k ON k.id = cc.kyc_check_id
JOIN aml_checks a ON a.id = cc.aml_check_id
WHERE a.risk_level IN ('HIGH', 'CRITICAL') OR a.sanctions_match OR a.pep_match;

ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_subject_kind;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_subject_kind CHECK (subject_kind IN ('user', 'compliance_rule', 'kyc_check', 'aml_check',
    'compliance_check', 'blockchain_transaction', 'blockchain_monitoring'));
ALTER TABLE audit_logs DROP CONSTRAINT ck_audit_logs_action;
ALTER TABLE audit_logs ADD CONSTRAINT ck_audit_logs_action CHECK (action IN ('user_created', 'user_updated', 'rule_published', 'rule_closed',
    'kyc_recorded', 'aml_recorded', 'decision_recorded', 'status_changed', 'approval_proposed', 'rescreened',
    'wallet_watched', 'wallet_updated', 'transaction_recorded'));

CREATE OR REPLACE FUNCTION compliance_checks_insert_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NEW.status <> NEW.engine_status OR NEW.revision <> 1 OR NEW.approval_proposed_by IS NOT NULL
       OR NEW.review_reason IS NOT NULL THEN
        RAISE EXCEPTION 'a new compliance check starts with the engine''s status (%), revision 1 and no review', NEW.engine_status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_new_case';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.decided_by AND role = 'system' AND active) THEN
        RAISE EXCEPTION 'a new compliance check is decided by the active system agent, not user %', NEW.decided_by
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_new_case';
    END IF;
    RETURN NEW;
END
$$;

-- Every later change: revision + 1; the status only along the status table, by someone allowed
-- to make it, with a reason when a person makes it; four eyes for clearing an escalation; the
-- case's identity never changes.
CREATE OR REPLACE FUNCTION compliance_checks_update_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    decider_role TEXT;
    proposer_role TEXT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'compliance check % cannot be deleted: decisions are kept', OLD.id
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'compliance_checks_kept';
    END IF;
    IF (NEW.id, NEW.kyc_check_id, NEW.jurisdiction, NEW.created_at) IS DISTINCT FROM (OLD.id, OLD.kyc_check_id, OLD.jurisdiction, OLD.created_at) THEN
        RAISE EXCEPTION 'compliance check %: id, KYC check, jurisdiction and creation time never change', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_identity';
    END IF;
    IF NEW.revision <> OLD.revision + 1 THEN
        RAISE EXCEPTION 'compliance check %: revision must go from % to %, got %', OLD.id, OLD.revision, OLD.revision + 1, NEW.revision
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_revision';
    END IF;

    IF NEW.status IS DISTINCT FROM OLD.status THEN
        SELECT role INTO decider_role FROM users WHERE id = NEW.decided_by AND active;
        IF decider_role IS NULL THEN
            RAISE EXCEPTION 'compliance check %: user % is unknown or inactive and decides nothing', OLD.id, NEW.decided_by
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_decider';
        END IF;
        IF NOT status_transition_allowed(OLD.status, NEW.status, decider_role <> 'system') THEN
            RAISE EXCEPTION 'compliance check %: % -> % is not allowed for a % user', OLD.id, OLD.status, NEW.status, decider_role
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_status_transition';
        END IF;
        -- Who may decide what (domain: Role::may_review): analysts the PENDING queue; admins and
        -- compliance officers also escalations and the revocation of an approval.
        IF decider_role <> 'system' AND NOT (
               decider_role IN ('admin', 'compliance_officer') AND OLD.status IN ('PENDING', 'ESCALATED', 'APPROVED')
            OR decider_role = 'analyst' AND OLD.status = 'PENDING') THEN
            RAISE EXCEPTION 'compliance check %: a % may not decide a % case', OLD.id, decider_role, OLD.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_reviewer_role';
        END IF;
        IF decider_role <> 'system' AND NEW.review_reason IS NULL THEN
            RAISE EXCEPTION 'compliance check %: a reviewer''s decision needs a reason', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_review_reason';
        END IF;
        IF NEW.decided_at < OLD.decided_at THEN
            RAISE EXCEPTION 'compliance check %: decided_at cannot move back in time', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_decided_at';
        END IF;
        -- Four eyes: clearing an escalation confirms a proposal made by someone else (the
        -- CHECK ck_compliance_checks_four_eyes refuses the proposer as the confirmer).
        IF OLD.status = 'ESCALATED' AND NEW.status = 'APPROVED'
           AND (OLD.approval_proposed_by IS NULL OR NEW.approval_proposed_by IS DISTINCT FROM OLD.approval_proposed_by) THEN
            RAISE EXCEPTION 'compliance check %: approving an escalated case confirms an earlier proposal by a different reviewer', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_four_eyes';
        END IF;
        -- A new escalation starts without a proposal.
        IF NEW.status = 'ESCALATED' AND NEW.approval_proposed_by IS NOT NULL THEN
            RAISE EXCEPTION 'compliance check %: a new escalation starts without an approval proposal', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_four_eyes';
        END IF;
    ELSE
        -- The status stays: so does whoever set it.
        IF (NEW.decided_by, NEW.decided_at, NEW.review_reason) IS DISTINCT FROM (OLD.decided_by, OLD.decided_at, OLD.review_reason) THEN
            RAISE EXCEPTION 'compliance check %: the decider changes only with the status', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_decider';
        END IF;
        IF NEW.approval_proposed_by IS NOT NULL AND NEW.approval_proposed_by IS DISTINCT FROM OLD.approval_proposed_by THEN
            -- Proposing an approval: an active admin or compliance officer, on an escalated case
            -- without a proposal. (Withdrawing one, on re-screening, sets it back to NULL.)
            IF OLD.status <> 'ESCALATED' OR OLD.approval_proposed_by IS NOT NULL THEN
                RAISE EXCEPTION 'compliance check %: an approval is proposed once, on an escalated case', OLD.id
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_four_eyes';
            END IF;
            SELECT role INTO proposer_role FROM users WHERE id = NEW.approval_proposed_by AND active;
            IF proposer_role IS NULL OR proposer_role NOT IN ('admin', 'compliance_officer') THEN
                RAISE EXCEPTION 'compliance check %: only an active admin or compliance officer may propose approving an escalation', OLD.id
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_four_eyes';
            END IF;
        END IF;
    END IF;
    RETURN NEW;
END
$$;

DROP FUNCTION sanctions_reason_missing(UUID, TEXT, JSONB, JSONB);
DROP FUNCTION rejection_overridden(UUID, UUID, TEXT, JSONB);
DROP TABLE false_positives;
DROP FUNCTION false_positives_guard();
DROP FUNCTION review_note_fits(UUID, UUID, UUID);

DROP TABLE case_submissions;
ALTER TABLE compliance_rules DROP CONSTRAINT ck_compliance_rules_review_policy;
ALTER TABLE compliance_rules DROP CONSTRAINT ex_compliance_rules_one_review_policy;
DROP FUNCTION case_submissions_insert_guard();
DROP FUNCTION review_due_at(TEXT, TEXT, TIMESTAMPTZ);
ALTER TABLE compliance_checks DROP CONSTRAINT uq_compliance_checks_id_kyc_check_id;
ALTER TABLE kyc_checks DROP CONSTRAINT uq_kyc_checks_id_entity_id;
DROP INDEX idx_kyc_checks_entity_id;
ALTER TABLE kyc_checks ADD CONSTRAINT uq_kyc_checks_entity_id UNIQUE (entity_id);

ALTER TABLE compliance_checks DROP CONSTRAINT ck_compliance_checks_review_note;
ALTER TABLE compliance_checks DROP CONSTRAINT ck_compliance_checks_proposal;
ALTER TABLE compliance_checks ADD CONSTRAINT ck_compliance_checks_proposal CHECK (
        (approval_proposed_by IS NULL) = (approval_proposed_at IS NULL)
        AND (approval_proposed_by IS NULL) = (approval_proposal_reason IS NULL)
        AND (approval_proposed_by IS NULL OR status IN ('ESCALATED', 'APPROVED')));
ALTER TABLE compliance_checks
    DROP COLUMN engine_decided_at,
    DROP COLUMN approval_note_id,
    DROP COLUMN review_note_id;

DROP TABLE review_notes;
DROP FUNCTION review_notes_guard();
DROP FUNCTION review_note_commitment(BYTEA, TEXT);

CREATE OR REPLACE FUNCTION status_transition_allowed(from_status TEXT, to_status TEXT, by_reviewer BOOLEAN)
RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT (from_status, to_status) IN (
               ('PENDING', 'APPROVED'), ('PENDING', 'ESCALATED'), ('PENDING', 'REJECTED'),
               ('APPROVED', 'ESCALATED'), ('APPROVED', 'REJECTED'))
        OR (by_reviewer AND (from_status, to_status) IN (
               ('ESCALATED', 'APPROVED'), ('ESCALATED', 'REJECTED')))
$$;
DROP FUNCTION status_rank(TEXT);
