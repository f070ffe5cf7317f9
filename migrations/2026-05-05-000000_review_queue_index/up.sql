-- The review queue at scale (issue 11): a page of pending_approvals is one index scan.
--
-- Before, the view's flag (engine_stricter) called rejection_overridden(), which reads other
-- tables, so neither the queue's membership (`status IN (...) OR engine_stricter`) nor its
-- order could use an index: every page read every case, then sorted. Here the flag is an
-- immutable expression of the case row, queue_flag(), equal to the old flag for every case in
-- the queue (an approval over an engine rejection is in the queue only while no override
-- clears it, and then it is flagged); the override stays a filter on those rare rows. The
-- view loses its ORDER BY (a view with one cannot be flattened into the query that reads it,
-- so its order could never come from an index); the order is the index's, and readers name
-- it: -risk_score, NOT engine_stricter, created_at, compliance_check_id, all ascending (riskiest,
-- flagged first, oldest, then id), which a keyset page compares as one row.

CREATE FUNCTION queue_flag(engine_status TEXT, status TEXT, engine_decided_at TIMESTAMPTZ,
                           created_at TIMESTAMPTZ, decided_at TIMESTAMPTZ)
RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- Schema-qualified: an index expression is evaluated by pg_restore with an empty
    -- search_path, and a SET search_path would keep the function from being inlined.
    SELECT public.status_rank(engine_status) > public.status_rank(status)
           AND (coalesce(engine_decided_at, created_at) > decided_at
                OR (engine_status = 'REJECTED' AND status = 'APPROVED'))
$$;

CREATE INDEX idx_compliance_checks_queue ON compliance_checks (
    (-risk_score),
    (NOT queue_flag(engine_status, status, engine_decided_at, created_at, decided_at)),
    created_at,
    id
) WHERE status IN ('PENDING', 'ESCALATED')
     OR queue_flag(engine_status, status, engine_decided_at, created_at, decided_at);

-- Superseded: it covered PENDING and ESCALATED only, in an order without the flag.
DROP INDEX idx_compliance_checks_review_queue;

CREATE OR REPLACE VIEW pending_approvals AS
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
       cc.updated_at,
       cc.engine_status,
       queue_flag(cc.engine_status, cc.status, cc.engine_decided_at, cc.created_at, cc.decided_at) AS engine_stricter
FROM compliance_checks cc
JOIN kyc_checks k ON k.id = cc.kyc_check_id
JOIN aml_checks a ON a.id = cc.aml_check_id
WHERE (cc.status IN ('PENDING', 'ESCALATED')
       OR queue_flag(cc.engine_status, cc.status, cc.engine_decided_at, cc.created_at, cc.decided_at))
  -- An approval over an engine rejection, written before the guard refused it, leaves the
  -- queue once an override clears it.
  AND NOT (cc.engine_status = 'REJECTED' AND cc.status = 'APPROVED'
           AND rejection_overridden(cc.id, cc.aml_check_id, cc.jurisdiction, cc.reasons))
  AND NOT EXISTS (SELECT 1 FROM case_submissions s JOIN case_submissions n ON n.entity_id = s.entity_id AND n.sequence > s.sequence
                   WHERE s.compliance_check_id = cc.id);
