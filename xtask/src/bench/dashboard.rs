//! `cargo xtask bench --dashboard-cases N`: the backlog dashboard at scale (issue 23, part 4).
//! Loads N cases into a throwaway database as the queue bench does (one in 50 queued, through
//! every guard and the counting triggers), spreads them over the last 30 days (behind the
//! triggers, then the counts rebuilt from `case_counts_recounted()`, so that the waiting counts
//! span 720 hours and "decided today" is a thirtieth of the cases), then, in the same run:
//! the dashboard's read (`case_dashboard()`, pgbench, one client), the same numbers recounted
//! from the case tables in plain SQL, and today's `compliance_summary` (what a dashboard
//! without kept counts would scan), with p50 and p99 and the ratios; whether the read equals
//! the recount; the library's `Compliance::dashboard`; the plans. Then the write path: the
//! service's submissions per second with 1 and 4 writers, with the counting triggers and with
//! them disabled, alternately, twice.
//!
//! Must not: touch any database but the `compliance_bench_dashboard_*` one it creates and
//! drops, or print the connection URL.

// Rates and ratios of measured times: floating point is what they are.
#![allow(clippy::float_arithmetic)]

use super::queue::{
    SECONDS, load, ms, percentile, pgbench, psql, ratio, repeat, scalar, throwaway,
};
use anyhow::{Result, bail};
use compliance_ops::provision::{ProvisionOptions, provision};
use compliance_persistence::DatabaseConfig;
use std::time::Instant;

/// Every case's timestamps spread over the last 30 days, behind the triggers (a loaded
/// database's history, which the update guard would refuse to rewrite), then the counts
/// rebuilt from the cases as the migration fills them. ANALYZE first: the recount's anti-join
/// on `case_submissions`, planned without statistics, is a nested loop over the whole table.
const SPREAD_SQL: &str = "
ANALYZE;
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE compliance_checks c SET created_at = r.t, decided_at = r.t, updated_at = r.t
  FROM (SELECT id, now() - random() * interval '30 days' AS t FROM compliance_checks) r
 WHERE r.id = c.id;
DELETE FROM case_counts;
INSERT INTO case_counts (kind, jurisdiction, status, detail, since, slot, cases)
SELECT r.kind, r.jurisdiction, r.status, r.detail, r.since, 0, r.n FROM case_counts_recounted() r;
COMMIT;
VACUUM ANALYZE;
";

/// The dashboard's read, as the repository sends it.
const DASHBOARD_SQL: &str = "SELECT * FROM case_dashboard()";

/// The same rows recounted from the case tables in plain SQL: the current open cases (the
/// queue's partial indexes find them), each queue's overdue count and oldest case, today's
/// decisions (a range of `idx_compliance_checks_decided_at`).
const RECOUNT_SQL: &str = "
WITH open_cases AS (
    SELECT c.id, c.jurisdiction, c.status, c.risk_level, c.decided_at FROM compliance_checks c
     WHERE c.status IN ('PENDING', 'ESCALATED')
       AND NOT EXISTS (SELECT 1 FROM case_submissions s
                         JOIN case_submissions n ON n.entity_id = s.entity_id AND n.sequence > s.sequence
                        WHERE s.compliance_check_id = c.id)
), levels AS (
    SELECT l.jurisdiction, l.status, l.target_hours, now() - make_interval(hours => l.target_hours) AS cutoff
      FROM service_levels l
     WHERE l.effective_from <= now() AND (l.effective_to IS NULL OR l.effective_to > now())
)
SELECT 'open' AS section, jurisdiction, status, risk_level AS detail, count(*) AS cases,
       NULL::timestamptz AS since, NULL::uuid AS case_id, NULL::int AS target_hours
  FROM open_cases GROUP BY jurisdiction, status, risk_level
UNION ALL
SELECT 'overdue', l.jurisdiction, l.status, '',
       (SELECT count(*) FROM open_cases o
         WHERE o.jurisdiction = l.jurisdiction AND o.status = l.status AND o.decided_at <= l.cutoff),
       NULL, NULL, l.target_hours
  FROM levels l
UNION ALL
(SELECT DISTINCT ON (jurisdiction, status) 'oldest', jurisdiction, status, '', NULL::bigint, decided_at, id, NULL::int
   FROM open_cases ORDER BY jurisdiction, status, decided_at)
UNION ALL
SELECT 'decided', jurisdiction, status,
       CASE WHEN review_note_id IS NOT NULL OR review_reason IS NOT NULL THEN 'reviewer' ELSE 'engine' END,
       count(*), NULL, NULL, NULL
  FROM compliance_checks
 WHERE status IN ('APPROVED', 'REJECTED')
   AND decided_at >= date_trunc('day', now(), 'UTC') AND decided_at < date_trunc('day', now(), 'UTC') + interval '1 day'
 GROUP BY 2, 3, 4";

/// What a dashboard without kept counts would read: today's summary view.
const SUMMARY_SQL: &str = "SELECT * FROM compliance_summary";

const COUNTING_TRIGGERS: [(&str, &str); 3] = [
    ("compliance_checks", "trg_compliance_checks_count_inserted"),
    ("compliance_checks", "trg_compliance_checks_count_updated"),
    ("case_submissions", "trg_case_submissions_count_superseded"),
];

/// Loads `cases` cases and prints the dashboard's figures.
pub fn run(cases: u64) -> Result<()> {
    throwaway("compliance_bench_dashboard", |config| {
        measure(config, cases)
    })
}

fn measure(config: &DatabaseConfig, cases: u64) -> Result<()> {
    provision(config, ProvisionOptions::default(), |_| {})?;
    println!("\n==> dashboard: {cases} cases ({})", config.target());
    let started = Instant::now();
    load(config, cases, "")?;
    let loaded = started.elapsed();
    super::run_quiet(
        psql(config).arg("-f").arg(super::write_temp(
            "compliance_bench_dashboard_spread.sql",
            SPREAD_SQL,
        )?),
        "psql (spreading the cases over 30 days)",
    )?;
    println!(
        "loaded in {} s (counting triggers on), spread over 30 days in {} s; {} cases waiting, {} count rows",
        loaded.as_secs(),
        (started.elapsed() - loaded).as_secs(),
        scalar(config, "SELECT count(*) FROM pending_approvals")?,
        scalar(config, "SELECT count(*) FROM case_counts")?,
    );
    let ordered =
        |q: &str| format!("SELECT * FROM ({q}) x ORDER BY section, jurisdiction, status, detail");
    let kept = scalar(config, &ordered(DASHBOARD_SQL))?;
    let recounted = scalar(config, &ordered(RECOUNT_SQL))?;
    println!(
        "the dashboard's read equals the recount: {}",
        if kept == recounted { "yes" } else { "NO" }
    );
    if kept != recounted {
        println!("kept:\n{kept}\nrecount:\n{recounted}");
    }
    println!("\n| read | p50 | p99 | runs | p50 / dashboard's p50 |");
    println!("|---|---|---|---|---|");
    let dashboard = pgbench(config, DASHBOARD_SQL)?;
    let base = percentile(&dashboard, 50);
    for (what, times) in [
        (
            "dashboard: case_dashboard() (kept counts)",
            dashboard.clone(),
        ),
        (
            "recount: the same rows from the case tables",
            pgbench(config, RECOUNT_SQL)?,
        ),
        (
            "compliance_summary (today's view)",
            pgbench(config, SUMMARY_SQL)?,
        ),
    ] {
        println!(
            "| {what} | {} | {} | {} | {:.1} |",
            ms(percentile(&times, 50)),
            ms(percentile(&times, 99)),
            times.len(),
            ratio(percentile(&times, 50), base)
        );
    }
    let service = compliance_ops::compliance_over(config)?;
    let officer = service
        .in_process()
        .user(&compliance_app::domain::Username::parse(
            "compliance.officer",
        )?)?;
    let library = repeat(|| {
        service.dashboard(&officer)?;
        Ok(())
    })?;
    println!(
        "| library: Compliance::dashboard (pool, one thread) | {} | {} | {} | {:.1} |",
        ms(percentile(&library, 50)),
        ms(percentile(&library, 99)),
        library.len(),
        ratio(percentile(&library, 50), base)
    );
    // The function's own statement, as auto_explain logs it (sent to this client).
    println!("\nEXPLAIN (ANALYZE, BUFFERS), the dashboard's statement inside case_dashboard():");
    let output = psql(config)
        .args(["-c", "LOAD 'auto_explain'"])
        .args(["-c", "SET auto_explain.log_min_duration = 0"])
        .args(["-c", "SET auto_explain.log_analyze = on"])
        .args(["-c", "SET auto_explain.log_buffers = on"])
        .args(["-c", "SET auto_explain.log_nested_statements = on"])
        .args(["-c", "SET client_min_messages = log"])
        .args(["-c", DASHBOARD_SQL])
        .output()?;
    print!("{}", String::from_utf8_lossy(&output.stderr));
    println!("\nEXPLAIN (ANALYZE, BUFFERS), the recount:");
    print!(
        "{}",
        scalar(config, &format!("EXPLAIN (ANALYZE, BUFFERS) {RECOUNT_SQL}"))?
    );
    write_path(config)
}

/// Submissions per second with and without the counting triggers, 1 and 4 writers, two
/// alternating rounds.
fn write_path(config: &DatabaseConfig) -> Result<()> {
    const WRITE_SECONDS: u64 = SECONDS / 2;
    let toggle = |on: bool| {
        let verb = if on { "ENABLE" } else { "DISABLE" };
        let sql: Vec<String> = COUNTING_TRIGGERS
            .iter()
            .map(|(table, trigger)| format!("ALTER TABLE {table} {verb} TRIGGER {trigger};"))
            .collect();
        super::run_quiet(psql(config).args(["-c", &sql.join(" ")]), "psql (triggers)")
    };
    println!("\n| writers | with counting /s | without /s | with / without |");
    println!("|---|---|---|---|");
    for writers in [1, 4] {
        let (mut with, mut without) = (Vec::new(), Vec::new());
        for _ in 0..2 {
            toggle(true)?;
            with.push(super::write::service_rate(config, writers, WRITE_SECONDS)?);
            toggle(false)?;
            without.push(super::write::service_rate(config, writers, WRITE_SECONDS)?);
        }
        toggle(true)?;
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        if without.iter().any(|r| *r <= 0.0) {
            bail!("no submission went through without the triggers");
        }
        println!(
            "| {writers} | {} | {} | {:.2} |",
            rates(&with),
            rates(&without),
            mean(&with) / mean(&without)
        );
    }
    Ok(())
}

fn rates(v: &[f64]) -> String {
    v.iter()
        .map(|r| format!("{r:.0}"))
        .collect::<Vec<_>>()
        .join(", ")
}
