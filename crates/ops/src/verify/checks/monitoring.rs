//! Check 21: the proofs of ongoing monitoring still hold. For every screening job, each batch's
//! stored leaves are what `screening_leaf()` computes from its members now, and for every done
//! job the RFC 9162 root of its leaves is the root it recorded and the root its
//! `screening_job_completed` audit entry carries.
//!
//! Must not: write. Every statement here is a SELECT.

use super::query::count;
use super::{Context, Found};
use crate::verify::Outcome;
use compliance_persistence::repo::screening_jobs;
use diesel::sql_types::{Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl, sql_query};

/// Batches whose stored leaves differ from their members' leaves recomputed.
const CHANGED_LEAVES_SQL: &str = "
SELECT count(*) AS n
  FROM screening_job_batches b JOIN screening_jobs j ON j.id = b.job_id
 WHERE b.leaves IS DISTINCT FROM (
       SELECT string_agg(screening_leaf(j.id, j.version_id, m ->> 0, m ->> 1, m ->> 2, screening_leaf_time(b.screened_at)), ''::BYTEA ORDER BY ord)
         FROM jsonb_array_elements(b.members) WITH ORDINALITY AS t(m, ord))";

/// Each done job with its root and the root its completion entry recorded.
const DONE_SQL: &str = "
SELECT j.id::text AS id, encode(j.root, 'hex') AS root, a.details ->> 'root' AS recorded
  FROM screening_jobs j
  LEFT JOIN audit_logs a ON a.action = 'screening_job_completed' AND a.subject_id = j.id
 WHERE j.state = 'done'
 ORDER BY j.created_at";

pub(super) fn screening_jobs(cx: &mut Context<'_>) -> Found {
    #[derive(QueryableByName)]
    struct Done {
        #[diesel(sql_type = Text)]
        id: String,
        #[diesel(sql_type = Text)]
        root: String,
        #[diesel(sql_type = Nullable<Text>)]
        recorded: Option<String>,
    }
    let changed = count(cx.conn, CHANGED_LEAVES_SQL)?;
    if changed > 0 {
        return Ok((
            Outcome::Fail,
            format!(
                "{changed} screening batch(es) hold leaves their members no longer give: a batch was altered"
            ),
        ));
    }
    let done = sql_query(DONE_SQL)
        .load::<Done>(cx.conn)
        .map_err(|e| format!("query failed: {e}"))?;
    let mut leaves_read = 0usize;
    for job in &done {
        let id = job
            .id
            .parse()
            .map_err(|e| format!("job id {}: {e}", job.id))?;
        let leaves = screening_jobs::leaves(cx.conn, id).map_err(|e| e.to_string())?;
        leaves_read += leaves.len();
        let root = compliance_audit::hex::hex(&compliance_audit::merkle::root(&leaves));
        if root != job.root {
            return Ok((
                Outcome::Fail,
                format!(
                    "screening job {}: its leaves give root {root}, it recorded {}",
                    job.id, job.root
                ),
            ));
        }
        if job.recorded.as_deref() != Some(root.as_str()) {
            return Ok((
                Outcome::Fail,
                format!(
                    "screening job {} is done but its completion entry records {}",
                    job.id,
                    job.recorded.as_deref().unwrap_or("nothing")
                ),
            ));
        }
    }
    let open = count(
        cx.conn,
        "SELECT count(*) AS n FROM screening_jobs WHERE state <> 'done'",
    )?;
    // A job an hour old and not done: no monitor is running it.
    let stalled = count(
        cx.conn,
        "SELECT count(*) AS n FROM screening_jobs WHERE state <> 'done' AND created_at < now() - interval '1 hour'",
    )?;
    let summary = format!(
        "{} done job(s), {leaves_read} leaves: every batch's leaves and every root recompute; {open} job(s) not done yet",
        done.len()
    );
    if stalled > 0 {
        return Ok((
            Outcome::Warn,
            format!(
                "{summary}, {stalled} of them imported over an hour ago: is a monitor running? (compliance-api runs one; cargo xtask watchlist run)"
            ),
        ));
    }
    Ok((Outcome::Pass, summary))
}
