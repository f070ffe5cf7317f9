-- The guards and the proposal's constraint as migration 2026-04-10-000000 left them.

-- A waiver proposal still waiting on a PENDING case has no place in the older schema (its
-- CHECK refuses a proposal on PENDING): it is taken off the row, with the update guard off for
-- that one statement (a down migration runs as the tables' owner) and the revision left as it
-- was. The audit log keeps it: its `approval_proposed` entry, with `"waiver": true`.
ALTER TABLE compliance_checks DISABLE TRIGGER trg_compliance_checks_update_guard;
UPDATE compliance_checks
   SET approval_proposed_by = NULL, approval_proposed_at = NULL,
       approval_proposal_reason = NULL, approval_note_id = NULL
 WHERE status = 'PENDING' AND approval_proposed_by IS NOT NULL;
ALTER TABLE compliance_checks ENABLE TRIGGER trg_compliance_checks_update_guard;

ALTER TABLE compliance_checks DROP CONSTRAINT ck_compliance_checks_proposal;
ALTER TABLE compliance_checks ADD CONSTRAINT ck_compliance_checks_proposal CHECK (
    (approval_proposed_by IS NULL) = (approval_proposed_at IS NULL)
    AND (approval_proposed_by IS NULL) = (approval_proposal_reason IS NULL AND approval_note_id IS NULL)
    AND (approval_proposal_reason IS NULL OR approval_note_id IS NULL)
    AND (approval_proposed_by IS NULL OR status IN ('ESCALATED', 'APPROVED')));

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
    -- A case that is no longer its entity's latest is history: nothing about it changes.
    IF EXISTS (SELECT 1 FROM case_submissions s JOIN case_submissions n ON n.entity_id = s.entity_id AND n.sequence > s.sequence
                WHERE s.compliance_check_id = OLD.id) THEN
        RAISE EXCEPTION 'compliance check %: its entity has a newer case; this one is history and does not change', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_not_current';
    END IF;
    -- The engine's verdict changes only with a re-screening: a screening of the same KYC check
    -- recorded in this very transaction (never an older one pointed at again), and, when that screening matched a sanctions list and the
    -- decision evaluated a sanctions_match rule, with that rule's rejection among its reasons. A
    -- reviewer's decision leaves the verdict as it was.
    IF (NEW.engine_status, NEW.reasons, NEW.rule_versions, NEW.aml_check_id, NEW.risk_score, NEW.risk_level)
       IS DISTINCT FROM (OLD.engine_status, OLD.reasons, OLD.rule_versions, OLD.aml_check_id, OLD.risk_score, OLD.risk_level) THEN
        IF NEW.status IS DISTINCT FROM OLD.status
           AND EXISTS (SELECT 1 FROM users WHERE id = NEW.decided_by AND role <> 'system') THEN
            RAISE EXCEPTION 'compliance check %: a reviewer decides the status; the engine''s verdict stays as the engine recorded it', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_engine_verdict';
        END IF;
        IF NEW.aml_check_id = OLD.aml_check_id
           OR NOT EXISTS (SELECT 1 FROM aml_checks n WHERE n.id = NEW.aml_check_id AND n.created_at = now()) THEN
            RAISE EXCEPTION 'compliance check %: the engine''s verdict changes only with a new screening of the case, recorded in the same transaction', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_engine_verdict';
        END IF;
    END IF;
    IF sanctions_reason_missing(NEW.aml_check_id, NEW.jurisdiction, NEW.rule_versions, NEW.reasons) THEN
        RAISE EXCEPTION 'compliance check %: its screening matched a sanctions list, and the sanctions rule''s rejection is missing from its reasons', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_engine_verdict';
    END IF;
    -- The engine's verdict is dated by the database: when it changes (a re-screening that comes
    -- to the same verdict leaves the date, so that what reviewers decided over stays decided).
    IF NEW.engine_status IS DISTINCT FROM OLD.engine_status THEN
        NEW.engine_decided_at := clock_timestamp();
    ELSE
        NEW.engine_decided_at := OLD.engine_decided_at;
    END IF;
    -- Free text is written to review_notes from now on; the old columns only keep what they held.
    IF NEW.review_reason IS NOT NULL AND NEW.review_reason IS DISTINCT FROM OLD.review_reason
       OR NEW.approval_proposal_reason IS NOT NULL AND NEW.approval_proposal_reason IS DISTINCT FROM OLD.approval_proposal_reason THEN
        RAISE EXCEPTION 'compliance check %: reasons are written as review notes (review_note_id, approval_note_id), not as text', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_review_reason';
    END IF;
    -- The engine's verdict is never silently overruled: a case the engine rejects is approved
    -- only once every sanctions match is a confirmed false positive (and nothing else rejects).
    IF NEW.status = 'APPROVED' AND NEW.engine_status = 'REJECTED'
       AND NOT rejection_overridden(NEW.id, NEW.aml_check_id, NEW.jurisdiction, NEW.reasons) THEN
        RAISE EXCEPTION 'compliance check %: the engine rejects it; it is approved only after every sanctions match is confirmed a false positive by two reviewers', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_engine_rejected';
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
        IF decider_role <> 'system' AND NOT (
               decider_role IN ('admin', 'compliance_officer') AND OLD.status IN ('PENDING', 'ESCALATED', 'APPROVED')
            OR decider_role = 'analyst' AND OLD.status = 'PENDING') THEN
            RAISE EXCEPTION 'compliance check %: a % may not decide a % case', OLD.id, decider_role, OLD.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_reviewer_role';
        END IF;
        IF decider_role <> 'system' AND (NEW.review_note_id IS NOT DISTINCT FROM OLD.review_note_id
                                         OR NOT review_note_fits(NEW.review_note_id, NEW.decided_by, NEW.id)) THEN
            RAISE EXCEPTION 'compliance check %: a reviewer''s decision needs a reason: a new review note by the reviewer', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_review_reason';
        END IF;
        IF decider_role = 'system' AND (NEW.review_note_id IS NOT NULL OR NEW.review_reason IS NOT NULL) THEN
            RAISE EXCEPTION 'compliance check %: the engine decides without a reviewer''s reason', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_review_reason';
        END IF;
        -- The decision's time is the database's, read under the case row's lock: a writer
        -- whose transaction began before the one it waited for still decides after it.
        NEW.decided_at := greatest(clock_timestamp(), OLD.decided_at);
        IF NEW.decided_at < OLD.decided_at THEN
            RAISE EXCEPTION 'compliance check %: decided_at cannot move back in time', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_decided_at';
        END IF;
        IF OLD.status = 'ESCALATED' AND NEW.status = 'APPROVED'
           AND (OLD.approval_proposed_by IS NULL OR NEW.approval_proposed_by IS DISTINCT FROM OLD.approval_proposed_by) THEN
            RAISE EXCEPTION 'compliance check %: approving an escalated case confirms an earlier proposal by a different reviewer', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_four_eyes';
        END IF;
        IF OLD.status = 'ESCALATED' AND NEW.status = 'APPROVED'
           AND NOT EXISTS (SELECT 1 FROM users WHERE id = OLD.approval_proposed_by AND active AND role IN ('admin', 'compliance_officer')) THEN
            RAISE EXCEPTION 'compliance check %: the approval''s proposer is no longer an active admin or compliance officer; propose it again', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_four_eyes';
        END IF;
        IF NEW.status = 'ESCALATED' AND NEW.approval_proposed_by IS NOT NULL THEN
            RAISE EXCEPTION 'compliance check %: a new escalation starts without an approval proposal', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_four_eyes';
        END IF;
    ELSE
        IF (NEW.decided_by, NEW.decided_at, NEW.review_reason, NEW.review_note_id) IS DISTINCT FROM (OLD.decided_by, OLD.decided_at, OLD.review_reason, OLD.review_note_id) THEN
            RAISE EXCEPTION 'compliance check %: the decider changes only with the status', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_decider';
        END IF;
        IF NEW.approval_proposed_by IS NOT NULL AND NEW.approval_proposed_by IS DISTINCT FROM OLD.approval_proposed_by THEN
            IF OLD.status <> 'ESCALATED' OR OLD.approval_proposed_by IS NOT NULL THEN
                RAISE EXCEPTION 'compliance check %: an approval is proposed once, on an escalated case', OLD.id
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'compliance_checks_four_eyes';
            END IF;
            IF NOT review_note_fits(NEW.approval_note_id, NEW.approval_proposed_by, NEW.id) THEN
                RAISE EXCEPTION 'compliance check %: a proposal to approve needs a reason: a review note by the proposer', OLD.id
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


CREATE OR REPLACE FUNCTION case_submissions_insert_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    previous RECORD;
BEGIN
    IF EXISTS (SELECT 1 FROM case_submissions s WHERE s.entity_id = NEW.entity_id AND s.sequence >= NEW.sequence) THEN
        RAISE EXCEPTION 'entity % already has a case numbered % or later', NEW.entity_id, NEW.sequence
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'uq_case_submissions_entity_sequence';
    END IF;
    IF NEW.sequence > 1 THEN
        SELECT cc.id, cc.status, cc.jurisdiction, cc.risk_level, cc.decided_at INTO previous
          FROM case_submissions s JOIN compliance_checks cc ON cc.id = s.compliance_check_id
         WHERE s.entity_id = NEW.entity_id AND s.sequence = NEW.sequence - 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'entity %: case % follows case %, which does not exist', NEW.entity_id, NEW.sequence, NEW.sequence - 1
                USING ERRCODE = 'check_violation', CONSTRAINT = 'case_submissions_sequence';
        END IF;
        IF NOT (previous.status = 'REJECTED'
                OR previous.status = 'APPROVED'
                   AND review_due_at(previous.jurisdiction, previous.risk_level, previous.decided_at) <= now()) THEN
            RAISE EXCEPTION 'entity % has an open case %: a new case opens only after a rejection or when the periodic review is due', NEW.entity_id, previous.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'case_submissions_open_case';
        END IF;
    END IF;
    NEW.created_at := now();
    RETURN NEW;
END
$$;


DROP FUNCTION kyc_evidence(UUID);
