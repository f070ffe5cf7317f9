-- The review queue filtered by jurisdiction and status together, in the queue's order (issue
-- 23: the back office's queue at a million cases). Either filter alone has its index
-- (idx_compliance_checks_queue_jurisdiction, idx_compliance_checks_queue_status), but the pair
-- was read through the jurisdiction's index with the status as a filter on its rows: a status
-- the jurisdiction's cases rarely have read past every queued case of the jurisdiction (US and
-- ESCALATED, none: 5.32 ms at p99 in SQL alone at a million cases, docs/benchmarks.md). This one
-- leads with both columns, so the pair is an equality on the first two and the rest of the scan
-- comes out in the queue's order: a page reads about as many entries as it returns, and a pair
-- nothing matches is one probe. A keyset page is still one row comparison on the rest.
--
-- It does not replace the two single-column indexes: a page of one jurisdiction (or one status)
-- over all the statuses (or jurisdictions) would need the order of several ranges of this index
-- merged, which a single index scan does not do, so it would sort every matching case. Partial
-- like the queue's index: only the queue's cases.
CREATE INDEX idx_compliance_checks_queue_jurisdiction_status ON compliance_checks (
    jurisdiction,
    status,
    (-risk_score),
    (NOT queue_flag(engine_status, status, engine_decided_at, created_at, decided_at)),
    created_at,
    id
) WHERE status IN ('PENDING', 'ESCALATED')
     OR queue_flag(engine_status, status, engine_decided_at, created_at, decided_at);
