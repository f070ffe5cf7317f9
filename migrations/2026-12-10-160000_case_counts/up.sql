-- Issue 23, part 4: the backlog dashboard, served from counts the writes keep in their own
-- transactions, never from a scan of the case tables per page view.
--
-- `case_counts` holds three kinds of count, each summed over its slots when read:
--   open     the current cases in PENDING or ESCALATED, by jurisdiction, status and risk level
--            (detail = the level; since = -infinity);
--   waiting  the same cases by the UTC hour they entered their status (since = the hour;
--            detail = ''): what the service-level count reads, a bounded range of hours;
--   decided  the cases whose status is APPROVED or REJECTED, by the UTC day of that decision
--            (since = the day) and who made it (detail = 'reviewer' when a reviewer's note or
--            reason stands behind it, 'engine' otherwise).
-- A case is current while its entity has no later case (case_submissions); a superseded case
-- leaves the open and waiting counts and never changes again (the update guard).
--
-- The hot spot: one row per bucket would make every writer of a bucket wait for the previous
-- one's COMMIT. A transaction writes its counts to the slot of its audit chain (xid mod 16),
-- under that chain's advisory lock, which the transaction takes anyway for its audit entries
-- (2026-04-15-000000_audit_chains): two writers of a bucket wait on each other only when they
-- already share a chain, and since a transaction holds one chain lock only, counting adds no
-- new wait and no deadlock. A slot's count may be negative (a case counted in one slot leaves
-- through another); the sum over the slots is the count. A row whose count reaches zero is
-- deleted. Statement triggers over transition tables: a statement writing many cases (a
-- monitoring batch, a bulk load) makes one upsert per bucket, not one per case.

CREATE TABLE case_counts (
    kind          TEXT NOT NULL,
    jurisdiction  TEXT NOT NULL,
    status        TEXT NOT NULL,
    detail        TEXT NOT NULL,
    since         TIMESTAMPTZ NOT NULL,
    slot          SMALLINT NOT NULL,
    cases         BIGINT NOT NULL,
    CONSTRAINT pk_case_counts PRIMARY KEY (kind, jurisdiction, status, detail, since, slot),
    CONSTRAINT ck_case_counts_bucket CHECK (
        jurisdiction IN ('AE', 'IN', 'US')
        AND (kind = 'open' AND status IN ('PENDING', 'ESCALATED')
             AND detail IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL') AND since = '-infinity'
          OR kind = 'waiting' AND status IN ('PENDING', 'ESCALATED') AND detail = ''
             AND since = date_trunc('hour', since, 'UTC')
          OR kind = 'decided' AND status IN ('APPROVED', 'REJECTED') AND detail IN ('reviewer', 'engine')
             AND since = date_trunc('day', since, 'UTC'))),
    CONSTRAINT ck_case_counts_slot CHECK (slot >= 0 AND slot < audit_chain_count())
);

-- One change to a count: a bucket and how many cases enter (positive) or leave it (negative).
CREATE TYPE case_count_delta AS (
    kind          TEXT,
    jurisdiction  TEXT,
    status        TEXT,
    detail        TEXT,
    since         TIMESTAMPTZ,
    n             BIGINT
);

-- The buckets one case is counted in, each with `n`: open and waiting while it is current
-- and in the queue's statuses, decided once approved or rejected.
CREATE FUNCTION case_count_keys(jurisdiction TEXT, status TEXT, risk_level TEXT, decided_at TIMESTAMPTZ,
                                by_reviewer BOOLEAN, is_current BOOLEAN, n BIGINT)
RETURNS SETOF case_count_delta
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT ROW('open', jurisdiction, status, risk_level, '-infinity'::TIMESTAMPTZ, n)::case_count_delta
     WHERE is_current AND status IN ('PENDING', 'ESCALATED')
    UNION ALL
    SELECT ROW('waiting', jurisdiction, status, '', date_trunc('hour', decided_at, 'UTC'), n)::case_count_delta
     WHERE is_current AND status IN ('PENDING', 'ESCALATED')
    UNION ALL
    SELECT ROW('decided', jurisdiction, status, CASE WHEN by_reviewer THEN 'reviewer' ELSE 'engine' END,
               date_trunc('day', decided_at, 'UTC'), n)::case_count_delta
     WHERE status IN ('APPROVED', 'REJECTED')
$$;

-- Adds the deltas to the transaction's slot, under its audit chain's lock, in the buckets'
-- order; deletes the rows that reach zero. SECURITY DEFINER: no login role writes counts.
CREATE FUNCTION case_counts_apply(deltas case_count_delta[]) RETURNS VOID
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    this_slot SMALLINT := (pg_current_xact_id()::TEXT::BIGINT % audit_chain_count())::SMALLINT;
    summed case_count_delta[];
BEGIN
    SELECT array_agg(ROW(d.kind, d.jurisdiction, d.status, d.detail, d.since, d.n)::case_count_delta
                     ORDER BY d.kind, d.jurisdiction, d.status, d.detail, d.since)
      INTO summed
      FROM (SELECT x.kind, x.jurisdiction, x.status, x.detail, x.since, sum(x.n)::BIGINT AS n
              FROM unnest(deltas) x
             GROUP BY x.kind, x.jurisdiction, x.status, x.detail, x.since
            HAVING sum(x.n) <> 0) d;
    -- A change that moves no case between buckets (an assignment, a revision) writes nothing.
    IF summed IS NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(7022629598034657280 + this_slot);
    INSERT INTO case_counts AS c (kind, jurisdiction, status, detail, since, slot, cases)
    SELECT s.kind, s.jurisdiction, s.status, s.detail, s.since, this_slot, s.n
      FROM unnest(summed) WITH ORDINALITY s
     ORDER BY s.ordinality
        ON CONFLICT (kind, jurisdiction, status, detail, since, slot)
        DO UPDATE SET cases = c.cases + excluded.cases;
    DELETE FROM case_counts c
     WHERE c.slot = this_slot AND c.cases = 0
       AND (c.kind, c.jurisdiction, c.status, c.detail, c.since)
           IN (SELECT s.kind, s.jurisdiction, s.status, s.detail, s.since FROM unnest(summed) s);
END
$$;

-- A new case is current: counted where its status puts it.
CREATE FUNCTION compliance_checks_count_inserted() RETURNS TRIGGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM case_counts_apply(ARRAY(
        SELECT ROW(k.kind, k.jurisdiction, k.status, k.detail, k.since, sum(k.n))::case_count_delta
          FROM new_cases c,
               case_count_keys(c.jurisdiction, c.status, c.risk_level, c.decided_at,
                               c.review_note_id IS NOT NULL OR c.review_reason IS NOT NULL, true, 1) k
         GROUP BY k.kind, k.jurisdiction, k.status, k.detail, k.since));
    RETURN NULL;
END
$$;

-- A changed case (only a current one changes: the update guard) leaves its old buckets and
-- enters its new ones; a change that moves no bucket (an assignment, a revision) nets to zero
-- and writes nothing.
CREATE FUNCTION compliance_checks_count_updated() RETURNS TRIGGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM case_counts_apply(ARRAY(
        SELECT ROW(k.kind, k.jurisdiction, k.status, k.detail, k.since, sum(k.n))::case_count_delta
          FROM (SELECT k.* FROM old_cases c,
                       case_count_keys(c.jurisdiction, c.status, c.risk_level, c.decided_at,
                                       c.review_note_id IS NOT NULL OR c.review_reason IS NOT NULL, true, -1) k
                UNION ALL
                SELECT k.* FROM new_cases c,
                       case_count_keys(c.jurisdiction, c.status, c.risk_level, c.decided_at,
                                       c.review_note_id IS NOT NULL OR c.review_reason IS NOT NULL, true, 1) k) k
         GROUP BY k.kind, k.jurisdiction, k.status, k.detail, k.since));
    RETURN NULL;
END
$$;

-- An entity's new case supersedes its previous one (sequence - 1), which leaves the open and
-- waiting counts as it stands now; its decision, if it has one, stays counted.
CREATE FUNCTION case_submissions_count_superseded() RETURNS TRIGGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM case_counts_apply(ARRAY(
        SELECT ROW(k.kind, k.jurisdiction, k.status, k.detail, k.since, sum(k.n))::case_count_delta
          FROM new_submissions s
          JOIN case_submissions p ON p.entity_id = s.entity_id AND p.sequence = s.sequence - 1
          JOIN compliance_checks c ON c.id = p.compliance_check_id,
               case_count_keys(c.jurisdiction, c.status, c.risk_level, c.decided_at, false, true, -1) k
         WHERE k.kind <> 'decided'
         GROUP BY k.kind, k.jurisdiction, k.status, k.detail, k.since));
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_compliance_checks_count_inserted AFTER INSERT ON compliance_checks
    REFERENCING NEW TABLE AS new_cases
    FOR EACH STATEMENT EXECUTE FUNCTION compliance_checks_count_inserted();
CREATE TRIGGER trg_compliance_checks_count_updated AFTER UPDATE ON compliance_checks
    REFERENCING OLD TABLE AS old_cases NEW TABLE AS new_cases
    FOR EACH STATEMENT EXECUTE FUNCTION compliance_checks_count_updated();
CREATE TRIGGER trg_case_submissions_count_superseded AFTER INSERT ON case_submissions
    REFERENCING NEW TABLE AS new_submissions
    FOR EACH STATEMENT EXECUTE FUNCTION case_submissions_count_superseded();

-- Every bucket's count from the cases as they stand: what the counts must sum to. The migration
-- fills the table from it; an operator rebuilds them from it (docs/setup.md, check 22).
CREATE FUNCTION case_counts_recounted() RETURNS SETOF case_count_delta
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT ROW(k.kind, k.jurisdiction, k.status, k.detail, k.since, sum(k.n))::case_count_delta
      FROM compliance_checks c,
           case_count_keys(c.jurisdiction, c.status, c.risk_level, c.decided_at,
                           c.review_note_id IS NOT NULL OR c.review_reason IS NOT NULL,
                           NOT EXISTS (SELECT 1 FROM case_submissions s
                                         JOIN case_submissions n ON n.entity_id = s.entity_id AND n.sequence > s.sequence
                                        WHERE s.compliance_check_id = c.id), 1) k
     GROUP BY k.kind, k.jurisdiction, k.status, k.detail, k.since
$$;

-- The counts as they stand when this migration runs, in slot 0.
INSERT INTO case_counts (kind, jurisdiction, status, detail, since, slot, cases)
SELECT r.kind, r.jurisdiction, r.status, r.detail, r.since, 0, r.n FROM case_counts_recounted() r;

-- Only the counting triggers write counts: a write from anywhere else (a login role has no
-- grant; the owner, or a superuser, would have to disable this trigger) is refused. `verify`
-- compares the counts with a full recount all the same.
CREATE FUNCTION case_counts_guard() RETURNS TRIGGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'case counts are kept by the case tables'' triggers only'
            USING ERRCODE = 'insufficient_privilege', CONSTRAINT = 'case_counts_kept';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_case_counts_guard BEFORE INSERT OR UPDATE OR DELETE ON case_counts
    FOR EACH STATEMENT EXECUTE FUNCTION case_counts_guard();
CREATE TRIGGER trg_case_counts_no_truncate BEFORE TRUNCATE ON case_counts
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- ---------------------------------------------------------------------------------------------
-- The dashboard's read
-- ---------------------------------------------------------------------------------------------

-- The dashboard, in one statement (one snapshot), as rows of sections:
--   open     cases by jurisdiction, status and risk level (detail): the kept counts summed;
--   overdue  per jurisdiction and status with a service level in force, the cases past it:
--            the open count, less the waiting counts of the hours wholly after the cutoff
--            (now minus the target), less the current cases of the cutoff's own hour that
--            entered their status after the cutoff (an index range of at most one hour,
--            idx_compliance_checks_queue_waiting);
--   oldest   per jurisdiction and status, the current case that has waited longest (the first
--            current entry of idx_compliance_checks_queue_waiting: one probe, plus one per
--            superseded case still PENDING before it);
--   decided  today's (UTC) decisions by jurisdiction, status and who (detail).
-- Each row: section, jurisdiction, status, detail, cases, since (the oldest's status_since),
-- case_id (the oldest), target_hours (overdue's service level).
CREATE FUNCTION case_dashboard()
RETURNS TABLE (section TEXT, jurisdiction TEXT, status TEXT, detail TEXT, cases BIGINT,
               since TIMESTAMPTZ, case_id UUID, target_hours INTEGER)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    RETURN QUERY
    WITH open_counts AS (
        SELECT k.jurisdiction, k.status, k.detail, sum(k.cases)::BIGINT AS cases
          FROM case_counts k
         WHERE k.kind = 'open'
         GROUP BY k.jurisdiction, k.status, k.detail
        HAVING sum(k.cases) <> 0
    ), levels AS (
        SELECT l.jurisdiction, l.status, l.target_hours, now() - make_interval(hours => l.target_hours) AS cutoff
          FROM service_levels l
         WHERE l.effective_from <= now() AND (l.effective_to IS NULL OR l.effective_to > now())
    ), queues AS (
        SELECT j, s FROM unnest(ARRAY['AE', 'IN', 'US']) j CROSS JOIN unnest(ARRAY['PENDING', 'ESCALATED']) s
    )
    SELECT 'open', o.jurisdiction, o.status, o.detail, o.cases, NULL::TIMESTAMPTZ, NULL::UUID, NULL::INTEGER
      FROM open_counts o
    UNION ALL
    SELECT 'overdue', l.jurisdiction, l.status, '',
           coalesce((SELECT sum(o.cases) FROM open_counts o
                      WHERE o.jurisdiction = l.jurisdiction AND o.status = l.status), 0)::BIGINT
           - coalesce((SELECT sum(w.cases) FROM case_counts w
                        WHERE w.kind = 'waiting' AND w.jurisdiction = l.jurisdiction AND w.status = l.status
                          AND w.detail = '' AND w.since >= date_trunc('hour', l.cutoff, 'UTC') + interval '1 hour'), 0)::BIGINT
           - (SELECT count(*) FROM compliance_checks c
               WHERE c.jurisdiction = l.jurisdiction AND c.status = l.status
                 AND c.status IN ('PENDING', 'ESCALATED')
                 AND c.decided_at > l.cutoff
                 AND c.decided_at < date_trunc('hour', l.cutoff, 'UTC') + interval '1 hour'
                 AND NOT EXISTS (SELECT 1 FROM case_submissions s
                                   JOIN case_submissions n ON n.entity_id = s.entity_id AND n.sequence = s.sequence + 1
                                  WHERE s.compliance_check_id = c.id)),
           NULL, NULL, l.target_hours
      FROM levels l
    UNION ALL
    SELECT 'oldest', q.j, q.s, '', NULL, x.decided_at, x.id, NULL
      FROM queues q
      CROSS JOIN LATERAL (
          SELECT c.id, c.decided_at FROM compliance_checks c
           WHERE c.jurisdiction = q.j AND c.status = q.s AND c.status IN ('PENDING', 'ESCALATED')
             AND NOT EXISTS (SELECT 1 FROM case_submissions s
                               JOIN case_submissions n ON n.entity_id = s.entity_id AND n.sequence = s.sequence + 1
                              WHERE s.compliance_check_id = c.id)
           ORDER BY c.decided_at
           LIMIT 1) x
    UNION ALL
    SELECT 'decided', d.jurisdiction, d.status, d.detail, sum(d.cases)::BIGINT, NULL, NULL, NULL
      FROM case_counts d
     WHERE d.kind = 'decided' AND d.since = date_trunc('day', now(), 'UTC')
     GROUP BY d.jurisdiction, d.status, d.detail
    HAVING sum(d.cases) <> 0;
END
$$;
