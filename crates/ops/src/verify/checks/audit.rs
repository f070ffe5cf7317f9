//! Checks 19 and 20: the audit log's hash chain, and that every revision of every case has its
//! audit entry.
//!
//! Must not: write. Every statement here is a SELECT.

use super::query::count;
use super::{Context, Found};
use crate::verify::Outcome;
use compliance_domain::{AuditAction, TextForm};
use compliance_persistence::diesel::{RunQueryDsl, sql_query};
use compliance_persistence::repo::audit_logs;
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Text};

/// The audit actions that raise a case's revision: every update of a `compliance_checks` row
/// writes exactly one entry with one of them (subject_kind `compliance_check`, subject_id the
/// case). A case at revision `r` therefore has `r - 1` such entries, besides its one
/// `decision_recorded`. This is the one place the set is defined: an action that comes to
/// raise the revision is added here, and check 20 then counts it.
pub const REVISION_ACTIONS: &[AuditAction] = &[
    AuditAction::StatusChanged,
    AuditAction::ApprovalProposed,
    AuditAction::Rescreened,
    AuditAction::FalsePositiveProposed,
    AuditAction::FalsePositiveConfirmed,
    AuditAction::CaseClaimed,
    AuditAction::CaseAssigned,
    AuditAction::CaseReleased,
];

pub(super) fn audit_chain(cx: &mut Context<'_>) -> Found {
    let from = cx.options.audit_from.as_ref();
    let report = audit_logs::verify_chain_from(cx.conn, from).map_err(|e| e.to_string())?;
    let scope = from.map_or(String::new(), |c| {
        format!(" from a checkpoint of {} chain head(s)", c.heads.len())
    });
    let heads = report.checkpoint();
    Ok(match (report.first_break, heads) {
        (Some(broken), _) => (
            Outcome::Fail,
            format!(
                "broken at entry {} (chain {}, position {}): {} (of {} entries checked{scope})",
                broken.id, broken.chain, broken.position, broken.kind, report.entries
            ),
        ),
        (None, Some(heads)) => (
            Outcome::Pass,
            format!(
                "{} entries in {} chain(s){scope}; heads {heads} (record them: --audit-from them later finds a removed tail and checks only what came after)",
                report.entries,
                report.heads.len()
            ),
        ),
        (None, None) => (Outcome::Warn, "the audit log is empty".into()),
    })
}

/// One grouped pass over the cases and their log entries together, whatever the number of
/// cases: the cases whose entries do not match their revision, the first five of them shown.
/// Both tables are read sequentially and grouped once (a join of the log's groups to the cases
/// by id read the cases in id order, at random: twice as slow at a million cases). Entries
/// about a case that does not exist are not this check's concern (`count(revision) = 1`). A
/// false positive's entry names its case in its details, and raised the case's revision when
/// it records one (`revision`; entries written before dispositions raised it do not).
const UNAUDITED_SQL: &str = "
SELECT id::text AS id, max(revision)::bigint AS revision,
       sum(decided)::bigint AS decided, sum(raised)::bigint AS raised,
       count(*) OVER () AS total
  FROM (SELECT id, revision, 0 AS decided, 0 AS raised FROM compliance_checks
        UNION ALL
        SELECT CASE WHEN subject_kind = 'false_positive'
                    THEN (details->>'compliance_check_id')::uuid ELSE subject_id END,
               NULL, (action = 'decision_recorded')::int, (action = ANY($1))::int
          FROM audit_logs
         WHERE subject_kind = 'compliance_check'
            OR subject_kind = 'false_positive' AND details ? 'revision') entries
 GROUP BY id
HAVING count(revision) = 1 AND (sum(decided) <> 1 OR sum(raised) <> max(revision) - 1)
 ORDER BY id
 LIMIT 5";

pub(super) fn revisions_audited(cx: &mut Context<'_>) -> Found {
    #[derive(QueryableByName)]
    struct Unaudited {
        #[diesel(sql_type = Text)]
        id: String,
        #[diesel(sql_type = BigInt)]
        revision: i64,
        #[diesel(sql_type = BigInt)]
        decided: i64,
        #[diesel(sql_type = BigInt)]
        raised: i64,
        #[diesel(sql_type = BigInt)]
        total: i64,
    }
    let actions: Vec<&str> = REVISION_ACTIONS.iter().map(|a| a.as_str()).collect();
    let wrong = sql_query(UNAUDITED_SQL)
        .bind::<Array<Text>, _>(&actions)
        .load::<Unaudited>(cx.conn)
        .map_err(|e| format!("query failed: {e}"))?;
    let Some(first) = wrong.first() else {
        let cases = count(cx.conn, "SELECT count(*) AS n FROM compliance_checks")?;
        return Ok((
            Outcome::Pass,
            format!(
                "{cases} case(s): each has one decision_recorded and one entry ({}) per later revision",
                actions.join(", ")
            ),
        ));
    };
    let shown: Vec<String> = wrong
        .iter()
        .map(|w| {
            format!(
                "{} at revision {} has {} decision_recorded and {} of the {} revision entries",
                w.id,
                w.revision,
                w.decided,
                w.raised,
                w.revision - 1
            )
        })
        .collect();
    Ok((
        Outcome::Fail,
        format!(
            "{} case(s) whose audit entries do not match their revisions (a write that skipped the audit log, or a deleted entry): {}",
            first.total,
            shown.join("; ")
        ),
    ))
}
