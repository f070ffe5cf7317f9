//! Check 22: the dashboard's kept counts (`case_counts`, written by the case tables' triggers)
//! equal a full recount of the cases, bucket by bucket. The recount is plain SQL over
//! `compliance_checks` and `case_submissions`, written apart from the triggers' own
//! `case_count_keys()`, so that a fault in either shows.
//!
//! Must not: write. Every statement here is a SELECT.

use super::{Context, Found};
use crate::verify::Outcome;
use compliance_persistence::diesel::{RunQueryDsl, sql_query};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};

/// Every bucket where the kept count and the recount differ (at most `LIMIT` shown), with the
/// totals of both, per kind.
const COMPARE_SQL: &str = r"
WITH current_cases AS (
    SELECT c.* FROM compliance_checks c
     WHERE NOT EXISTS (SELECT 1 FROM case_submissions s
                         JOIN case_submissions n ON n.entity_id = s.entity_id AND n.sequence > s.sequence
                        WHERE s.compliance_check_id = c.id)
), recount AS (
    SELECT 'open' AS kind, jurisdiction, status, risk_level AS detail, '-infinity'::timestamptz AS since, count(*) AS n
      FROM current_cases WHERE status IN ('PENDING', 'ESCALATED')
     GROUP BY jurisdiction, status, risk_level
    UNION ALL
    SELECT 'waiting', jurisdiction, status, '', date_trunc('hour', decided_at, 'UTC'), count(*)
      FROM current_cases WHERE status IN ('PENDING', 'ESCALATED')
     GROUP BY jurisdiction, status, date_trunc('hour', decided_at, 'UTC')
    UNION ALL
    SELECT 'decided', jurisdiction, status,
           CASE WHEN review_note_id IS NOT NULL OR review_reason IS NOT NULL THEN 'reviewer' ELSE 'engine' END,
           date_trunc('day', decided_at, 'UTC'), count(*)
      FROM compliance_checks WHERE status IN ('APPROVED', 'REJECTED')
     GROUP BY 1, 2, 3, 4, 5
), kept AS (
    SELECT kind, jurisdiction, status, detail, since, sum(cases) AS n
      FROM case_counts GROUP BY kind, jurisdiction, status, detail, since
), compared AS (
    SELECT coalesce(k.kind, r.kind) AS kind,
           concat_ws('/', coalesce(k.kind, r.kind), coalesce(k.jurisdiction, r.jurisdiction),
                     coalesce(k.status, r.status), nullif(coalesce(k.detail, r.detail), ''),
                     CASE WHEN coalesce(k.since, r.since) <> '-infinity'
                          THEN to_char(coalesce(k.since, r.since) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:00') END) AS bucket,
           coalesce(k.n, 0) AS kept, coalesce(r.n, 0) AS recounted
      FROM kept k
      FULL JOIN recount r USING (kind, jurisdiction, status, detail, since)
)
SELECT kind AS key,
       sum(kept)::bigint AS kept,
       sum(recounted)::bigint AS recounted,
       count(*) FILTER (WHERE kept <> recounted)::bigint AS differing,
       coalesce(string_agg(format('%s kept %s, recount %s', bucket, kept, recounted), '; ' ORDER BY bucket)
                FILTER (WHERE kept <> recounted), '') AS examples
  FROM compared
 GROUP BY kind
 ORDER BY kind";

#[derive(QueryableByName)]
struct Compared {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    kept: i64,
    #[diesel(sql_type = BigInt)]
    recounted: i64,
    #[diesel(sql_type = BigInt)]
    differing: i64,
    #[diesel(sql_type = Text)]
    examples: String,
}

/// How many differing buckets a FAIL names.
const SHOWN: usize = 5;

pub(super) fn case_counts(cx: &mut Context<'_>) -> Found {
    let rows = sql_query(COMPARE_SQL)
        .load::<Compared>(cx.conn)
        .map_err(|e| format!("query failed: {e}"))?;
    let figures: Vec<String> = ["open", "waiting", "decided"]
        .iter()
        .map(|kind| {
            let row = rows.iter().find(|r| r.key == *kind);
            let (kept, recounted) = row.map_or((0, 0), |r| (r.kept, r.recounted));
            if kept == recounted {
                format!("{kind} {kept}")
            } else {
                format!("{kind} kept {kept}, recount {recounted}")
            }
        })
        .collect();
    let differing: i64 = rows.iter().map(|r| r.differing).sum();
    if differing == 0 {
        return Ok((
            Outcome::Pass,
            format!("{}: equal to a full recount", figures.join(", ")),
        ));
    }
    let examples: Vec<&str> = rows
        .iter()
        .flat_map(|r| r.examples.split("; "))
        .filter(|e| !e.is_empty())
        .take(SHOWN)
        .collect();
    Ok((
        Outcome::Fail,
        format!(
            "{}; {differing} bucket(s) differ from a full recount, e.g. {} (counts are written only \
             by the case tables' triggers: find who wrote them, then rebuild them from the recount)",
            figures.join(", "),
            examples.join("; ")
        ),
    ))
}
