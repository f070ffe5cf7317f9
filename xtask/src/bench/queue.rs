//! `cargo xtask bench --queue-cases N`: the review queue at scale. Loads N cases into a
//! throwaway database (cloned from the seed cases by `INSERT ... SELECT generate_series`,
//! through every constraint and trigger, one in `QUEUED_EVERY` into the queue), then times a
//! page of 50 over HTTP (`GET /api/v1/queue`, compliance-api, one keep-alive client) and the
//! same query in raw SQL (pgbench, one client, each statement's latency logged), in the same
//! run: the first page, a deep keyset page (from the middle of the queue), and filtered pages
//! (a filter a third of the queue matches, one nothing matches; issue 23's assignee filters,
//! a tenth of the queue assigned to the officer, and its service-level filter, which nothing
//! matches in a freshly loaded queue); last, that filter on a backlog, every queued case moved
//! thirty days back (behind the triggers). Prints p50 and p99 of each and the plans (`EXPLAIN
//! (ANALYZE, BUFFERS)`). The pages are read as the seed's compliance officer.
//!
//! Must not: touch any database but the `compliance_bench_queue_*` one it creates and drops, or
//! print the connection URL or the token.

use super::api::{Client, Server};
use anyhow::{Context, Result, bail};
use compliance_ops::provision::{ProvisionOptions, provision};
use compliance_persistence::DatabaseConfig;
use std::process::Command;
use std::time::{Duration, Instant};

/// One case in this many is a clone of a PENDING or ESCALATED seed case (in the queue); the
/// others clone the approved seed cases.
const QUEUED_EVERY: u64 = 50;

/// Seconds each measurement runs (at most `MAX_RUNS` requests, at least `MIN_RUNS`).
pub(super) const SECONDS: u64 = 10;
const MAX_RUNS: usize = 2_000;
const MIN_RUNS: usize = 10;

/// The load: the templates (the approved seed cases, and the PENDING and ESCALATED ones) and
/// the rows to make, then `bench::CLONE_SQL` (one statement per table, so the KYC insert guard,
/// the case-submission guard, the decider check and every CHECK and foreign key run on each
/// row), then `VACUUM ANALYZE`. No audit entries: the queue does not read them (`verify` would
/// report them missing; this database is thrown away).
const LOAD_SQL: &str = r"
CREATE TEMP TABLE tpl AS
SELECT (row_number() OVER (PARTITION BY c.status <> 'APPROVED' ORDER BY k.entity_id) - 1)::int AS n,
       c.status <> 'APPROVED' AS queued, k.id AS kyc_id, a.id AS aml_id, c.id AS case_id
  FROM kyc_checks k JOIN compliance_checks c ON c.kyc_check_id = k.id JOIN aml_checks a ON a.id = c.aml_check_id
 WHERE c.status IN ('APPROVED', 'PENDING', 'ESCALATED');
CREATE TEMP TABLE gen AS
SELECT g.i, gen_random_uuid() AS kyc_id, gen_random_uuid() AS aml_id, gen_random_uuid() AS case_id,
       t.kyc_id AS tk, t.aml_id AS ta, t.case_id AS tc
  FROM (SELECT i, i % :every = 0 AS queued FROM generate_series(1, :cases) i) g
  CROSS JOIN (SELECT count(*) FILTER (WHERE queued) AS q, count(*) FILTER (WHERE NOT queued) AS a FROM tpl) c
  JOIN tpl t ON t.queued = g.queued AND t.n = g.i % CASE WHEN g.queued THEN c.q ELSE c.a END;
";

/// The queue page the repository sends (`repo::reports::pending_approvals_page`), in raw SQL;
/// `{after}` is the keyset condition (empty for the first page).
const PAGE_SQL: &str = "SELECT compliance_check_id, entity_id, entity_type, jurisdiction, status, engine_status, \
     engine_stricter, risk_score, risk_level, sanctions_match, pep_match, approval_proposed_by, revision, created_at, \
     assigned_to, status_since, due_at, overdue \
     FROM pending_approvals {after} \
     ORDER BY -risk_score, NOT engine_stricter, created_at, compliance_check_id LIMIT 50";

/// A deep page's cursor: the sort key of the case in the middle of the queue.
struct Middle {
    score: i16,
    flagged: bool,
    micros: i64,
    id: String,
}

impl Middle {
    /// The cursor as the API prints it (`SCORE.FLAG.MICROS.ID`).
    fn cursor(&self) -> String {
        format!(
            "{}.{}.{}.{}",
            self.score,
            u8::from(self.flagged),
            self.micros,
            self.id
        )
    }

    /// The keyset condition the repository writes for this cursor.
    fn condition(&self) -> String {
        format!(
            "WHERE (-risk_score, NOT engine_stricter, created_at, compliance_check_id) > \
             ({}, {}, 'epoch'::timestamptz + {} * interval '1 microsecond', '{}')",
            -self.score, !self.flagged, self.micros, self.id
        )
    }
}

/// Loads `cases` cases and prints the queue's figures.
pub fn run(cases: u64) -> Result<()> {
    throwaway("compliance_bench_queue", |config| measure(config, cases))
}

/// Runs `measure` on a database `<prefix>_<pid>` of the server `DATABASE_URL` names, dropped
/// before and after.
pub(super) fn throwaway(
    prefix: &str,
    measure: impl FnOnce(&DatabaseConfig) -> Result<()>,
) -> Result<()> {
    let server = DatabaseConfig::from_env()?;
    let name = format!("{prefix}_{}", std::process::id());
    let config = server.with_database(&name);
    super::drop_database(&server, &name)?;
    let result = measure(&config);
    let dropped = super::drop_database(&server, &name);
    result?;
    dropped
}

/// Loads `cases` cases by `LOAD_SQL` and `CLONE_SQL` (one in `QUEUED_EVERY` queued), then runs
/// `then`, in one psql session.
pub(super) fn load(config: &DatabaseConfig, cases: u64, then: &str) -> Result<()> {
    let sql = format!("{LOAD_SQL}{}\n{then}\n", super::CLONE_SQL)
        .replace(":every", &QUEUED_EVERY.to_string())
        .replace(":cases", &cases.to_string());
    super::run_quiet(
        psql(config)
            .args(["-c", "SET synchronous_commit = off"])
            .arg("-f")
            .arg(super::write_temp("compliance_bench_load.sql", &sql)?),
        "psql (loading the cases)",
    )
}

pub(super) fn psql(config: &DatabaseConfig) -> Command {
    let mut command = Command::new("psql");
    command
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d"])
        .arg(config.connection_url());
    command
}

fn measure(config: &DatabaseConfig, cases: u64) -> Result<()> {
    provision(config, ProvisionOptions::default(), |_| {})?;
    println!("\n==> review queue: {cases} cases ({})", config.target());
    let started = Instant::now();
    load(config, cases, "VACUUM ANALYZE;")?;
    // A tenth of the queue's PENDING and ESCALATED cases assigned to the officer, through the
    // guards, as claims would leave them.
    super::run_quiet(
        psql(config).args(["-c", ASSIGN_SQL, "-c", "VACUUM ANALYZE compliance_checks"]),
        "psql (assigning a tenth of the queue)",
    )?;
    let officer = scalar(
        config,
        "SELECT id FROM users WHERE username = 'compliance.officer'",
    )?;
    // The ranges `repo::reports` adds to the overdue filter, one per service level in force.
    let overdue_ranges = scalar(
        config,
        "SELECT string_agg(format('(jurisdiction = %L AND status = %L AND status_since <= now() - interval ''%s hours'')', \
                jurisdiction, status, target_hours), ' OR ') FROM service_levels \
          WHERE effective_from <= now() AND (effective_to IS NULL OR effective_to > now())",
    )?;
    let queued = scalar(config, "SELECT count(*) FROM pending_approvals")?;
    println!(
        "loaded in {} s; {queued} cases in the queue",
        started.elapsed().as_secs()
    );
    let middle = middle(config)?;
    let secret = officer_token(config)?;
    let server = Server::start(config)?;
    let token = secret.expose();
    println!(
        "| page | HTTP p50 | HTTP p99 | SQL p50 | SQL p99 | HTTP p99 / SQL p99 | runs (HTTP / SQL) |"
    );
    println!("|---|---|---|---|---|---|---|");
    let pages = [
        ("first", String::new(), String::new()),
        (
            "deep (keyset, middle of the queue)",
            format!("&cursor={}", middle.cursor()),
            middle.condition(),
        ),
        // Filters with partial indexes of their own (jurisdiction; jurisdiction and status): a
        // page reads its rows, and a pair nothing matches is one probe of the pair's index.
        (
            "filtered: jurisdiction=US (a third)",
            "&jurisdiction=US".to_owned(),
            "WHERE jurisdiction = 'US'".to_owned(),
        ),
        (
            "filtered: US and ESCALATED (none)",
            "&jurisdiction=US&status=ESCALATED".to_owned(),
            "WHERE jurisdiction = 'US' AND status = 'ESCALATED'".to_owned(),
        ),
        (
            "filtered: assignee (a tenth)",
            format!("&assignee={officer}"),
            format!("WHERE assigned_to = '{officer}'"),
        ),
        (
            "filtered: unassigned (nine tenths)",
            "&assignee=unassigned".to_owned(),
            "WHERE assigned_to IS NULL".to_owned(),
        ),
        (
            "filtered: overdue (none)",
            "&overdue=true".to_owned(),
            format!("WHERE overdue AND ({overdue_ranges})"),
        ),
    ];
    for (what, query, condition) in &pages {
        row(config, server.port, token, what, query, condition)?;
    }
    // A backlog: every queued PENDING and ESCALATED case entered its status thirty days ago,
    // past every service level (written behind the triggers, as a database written then would
    // hold it; this database is thrown away).
    super::run_quiet(
        psql(config).args(["-c", BACKLOG_SQL, "-c", "ANALYZE compliance_checks"]),
        "psql (moving the queue thirty days back)",
    )?;
    let backlog = (
        "filtered: overdue (a backlog: all of it)",
        "&overdue=true".to_owned(),
        format!("WHERE overdue AND ({overdue_ranges})"),
    );
    row(
        config,
        server.port,
        token,
        backlog.0,
        &backlog.1,
        &backlog.2,
    )?;
    for (what, _, condition) in pages.iter().chain([&backlog]) {
        println!("\nEXPLAIN (ANALYZE, BUFFERS), {what} page:");
        let page = PAGE_SQL.replace("{after}", condition);
        let output = psql(config)
            .args(["-c", &format!("EXPLAIN (ANALYZE, BUFFERS) {page}")])
            .output()
            .context("running psql")?;
        print!("{}", String::from_utf8_lossy(&output.stdout));
    }
    Ok(())
}

/// One row of the table: `GET /api/v1/queue?limit=50<query>` over HTTP, then the page's SQL
/// (`PAGE_SQL` with `condition`) by pgbench, each for `SECONDS`.
fn row(
    config: &DatabaseConfig,
    port: u16,
    token: &str,
    what: &str,
    query: &str,
    condition: &str,
) -> Result<()> {
    let path = format!("/api/v1/queue?limit=50{query}");
    let mut http = Client::connect(port)?;
    let http_times = repeat(|| {
        let status = http.get_as(&path, Some(token))?;
        if status != 200 {
            bail!("GET {path} answered {status}");
        }
        Ok(())
    })?;
    let page = PAGE_SQL.replace("{after}", condition);
    let sql_times = pgbench(config, &page)?;
    let (h50, h99) = (percentile(&http_times, 50), percentile(&http_times, 99));
    let (s50, s99) = (percentile(&sql_times, 50), percentile(&sql_times, 99));
    println!(
        "| {what} | {} | {} | {} | {} | {:.2} | {} / {} |",
        ms(h50),
        ms(h99),
        ms(s50),
        ms(s99),
        ratio(h99, s99),
        http_times.len(),
        sql_times.len()
    );
    Ok(())
}

/// Moves every queued PENDING and ESCALATED case thirty days back, triggers off.
const BACKLOG_SQL: &str = "SET session_replication_role = replica; \
     UPDATE compliance_checks SET decided_at = decided_at - interval '30 days' \
      WHERE status IN ('PENDING', 'ESCALATED')";

/// Assigns every tenth PENDING or ESCALATED case of the queue to the seed's officer.
const ASSIGN_SQL: &str = "UPDATE compliance_checks c \
     SET assigned_to = u.id, assigned_by = u.id, assigned_at = now(), revision = c.revision + 1 \
     FROM users u, (SELECT compliance_check_id AS id, row_number() OVER (ORDER BY compliance_check_id) AS n \
                      FROM pending_approvals WHERE status IN ('PENDING', 'ESCALATED')) q \
     WHERE u.username = 'compliance.officer' AND c.id = q.id AND q.n % 10 = 0";

/// An API token of the seed's compliance officer (the queue is a reviewer's read).
fn officer_token(config: &DatabaseConfig) -> Result<compliance_app::tokens::TokenSecret> {
    let mut conn = compliance_persistence::connect(config)?;
    let username = compliance_app::domain::Username::parse("compliance.officer")?;
    let admin = compliance_app::domain::Username::parse("admin")?;
    let (_, secret) = compliance_ops::admin::create_token(
        &mut conn,
        &username,
        &compliance_app::domain::TokenName::parse("bench-queue")?,
        chrono::Utc::now() + chrono::Duration::hours(1),
        &admin,
    )?;
    Ok(secret)
}

/// The sort key of the case in the middle of the queue.
fn middle(config: &DatabaseConfig) -> Result<Middle> {
    let row = scalar(
        config,
        "SELECT concat_ws(' ', risk_score, engine_stricter, \
                (extract(epoch FROM created_at) * 1e6)::bigint, compliance_check_id) AS v \
           FROM pending_approvals \
          ORDER BY -risk_score, NOT engine_stricter, created_at, compliance_check_id \
         OFFSET (SELECT count(*) / 2 FROM pending_approvals) LIMIT 1",
    )?;
    let parts: Vec<&str> = row.split(' ').collect();
    let [score, flagged, micros, id] = parts[..] else {
        bail!("unexpected middle row {row:?}");
    };
    Ok(Middle {
        score: score.parse()?,
        flagged: flagged == "t" || flagged == "true",
        micros: micros.parse()?,
        id: id.to_owned(),
    })
}

/// One value, by psql.
pub(super) fn scalar(config: &DatabaseConfig, sql: &str) -> Result<String> {
    let output = psql(config)
        .args(["-At", "-c", sql])
        .output()
        .context("running psql")?;
    if !output.status.success() {
        bail!(
            "psql failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Runs `sql` with pgbench (one client, prepared) for `SECONDS`; each statement's latency
/// from its per-transaction log.
pub(super) fn pgbench(config: &DatabaseConfig, sql: &str) -> Result<Vec<Duration>> {
    let dir = std::env::temp_dir().join(format!("compliance_bench_queue_{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let script = dir.join("page.sql");
    std::fs::write(&script, format!("{sql};\n"))?;
    let prefix = dir.join("log");
    let output = Command::new("pgbench")
        .args(["-n", "-M", "prepared", "-c", "1", "-l", "--log-prefix"])
        .arg(&prefix)
        .args(["-T", &SECONDS.to_string(), "-f"])
        .arg(&script)
        .arg(config.connection_url())
        .output()
        .context("running pgbench (is it installed? Debian: postgresql-contrib)")?;
    if !output.status.success() {
        bail!(
            "pgbench failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let mut times = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("log"))
        {
            // client_id transaction_no latency_us script_no epoch epoch_us
            for line in std::fs::read_to_string(&path)?.lines() {
                let us: u64 = line
                    .split_whitespace()
                    .nth(2)
                    .and_then(|t| t.parse().ok())
                    .with_context(|| format!("not a pgbench log line: {line:?}"))?;
                times.push(Duration::from_micros(us));
            }
        }
    }
    std::fs::remove_dir_all(&dir)?;
    if times.is_empty() {
        bail!("pgbench logged no statement");
    }
    Ok(times)
}

/// Runs `work` for `SECONDS` (between `MIN_RUNS` and `MAX_RUNS` times); each run's time.
pub(super) fn repeat(mut work: impl FnMut() -> Result<()>) -> Result<Vec<Duration>> {
    work()?; // warm-up
    let deadline = Instant::now() + Duration::from_secs(SECONDS);
    let mut times = Vec::new();
    while times.len() < MIN_RUNS || (times.len() < MAX_RUNS && Instant::now() < deadline) {
        let started = Instant::now();
        work()?;
        times.push(started.elapsed());
    }
    Ok(times)
}

pub(super) fn percentile(times: &[Duration], p: usize) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted.get(rank - 1).copied().unwrap_or_default()
}

#[allow(clippy::float_arithmetic)] // Reporting.
pub(super) fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

#[allow(clippy::float_arithmetic)] // A ratio of latencies is reporting, not money.
pub(super) fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}
