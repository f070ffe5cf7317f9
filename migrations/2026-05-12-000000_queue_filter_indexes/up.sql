-- The review queue filtered by jurisdiction or by status, in the queue's order (issue 11: the
-- queue's filters at a million cases). idx_compliance_checks_queue gives the queue's order, but a
-- filter it does not lead with is applied while scanning it, so a page of one jurisdiction read
-- past every riskier case of the others (6,668 index entries for a page of 50 at a million cases)
-- and a filter nothing matched read the whole queue. These two lead with the filtered column and
-- then hold the same key, so `jurisdiction = $1` or `status = $1` is an equality on the first
-- column and the rest of the scan comes out in the queue's order, a keyset page still one row
-- comparison. Partial like the queue index: only the queue's cases (a few per cent of all), so
-- an approved case costs no entry in them.
CREATE INDEX idx_compliance_checks_queue_jurisdiction ON compliance_checks (
    jurisdiction,
    (-risk_score),
    (NOT queue_flag(engine_status, status, engine_decided_at, created_at, decided_at)),
    created_at,
    id
) WHERE status IN ('PENDING', 'ESCALATED')
     OR queue_flag(engine_status, status, engine_decided_at, created_at, decided_at);

CREATE INDEX idx_compliance_checks_queue_status ON compliance_checks (
    status,
    (-risk_score),
    (NOT queue_flag(engine_status, status, engine_decided_at, created_at, decided_at)),
    created_at,
    id
) WHERE status IN ('PENDING', 'ESCALATED')
     OR queue_flag(engine_status, status, engine_decided_at, created_at, decided_at);
