//! The checks themselves, numbered as the report shows them. Each returns an outcome and one
//! line; a query that fails makes its check FAIL with the database's message.
//!
//! Must not: write. Every statement here is a SELECT.

use super::{Check, Outcome, VerifyOptions, micros};
use crate::RulesCache;
use crate::rule_rows::rule_from_row;
use compliance_domain::{Case, CheckStatus, Jurisdiction, RiskLevel, RuleRef, TextForm};
use compliance_persistence::diesel::{PgConnection, RunQueryDsl, sql_query};
use compliance_persistence::repo::compliance_rules as stored_rules;
use compliance_persistence::repo::{audit_logs, compliance_checks};
use compliance_persistence::{DatabaseConfig, catalog, migrations};
use compliance_rules::RuleSet;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};
use strum::VariantArray;

struct Context<'a> {
    conn: &'a mut PgConnection,
    config: &'a DatabaseConfig,
    options: &'a VerifyOptions,
    connect_time: Duration,
    rules: RulesCache,
}

type Found = Result<(Outcome, String), String>;

type CheckFn = fn(&mut Context<'_>) -> Found;

const CHECKS: &[(u8, &str, CheckFn)] = &[
    (1, "tables exist with their columns", tables),
    (2, "columns have their types", column_types),
    (3, "indexes present and valid", indexes),
    (4, "record counts", record_counts),
    (5, "foreign-key integrity", foreign_keys),
    (6, "status distribution", statuses),
    (7, "risk scores and levels", risk_levels),
    (8, "timestamps", timestamps),
    (9, "views answer", views),
    (10, "index usage and table sizes", sizes),
    (11, "connection and latency", connection),
    (12, "sessions", sessions),
    (13, "KYC checks with their AML and decision", sample),
    (14, "jurisdiction distribution", jurisdictions),
    (15, "compliance summary by risk level", summary_by_level),
    (16, "migrations applied, none pending", migrations_applied),
    (17, "rules parse, one version in force", rules),
    (18, "decisions replay to the same result", decisions_replay),
    (19, "audit hash chain intact", audit_chain),
];

/// The checks, costliest first, so that the workers finish together on a large database.
const ORDER: [u8; 19] = [
    19, 5, 18, 13, 8, 4, 7, 15, 9, 6, 14, 1, 2, 3, 10, 11, 12, 16, 17,
];

/// Runs every check on `workers` connections at once (the first is `conn`; the others are
/// opened here, and a worker that cannot connect leaves its share to the rest).
pub(super) fn run_all(
    conn: &mut PgConnection,
    config: &DatabaseConfig,
    options: &VerifyOptions,
    connect_time: Duration,
    workers: usize,
) -> Vec<Check> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let rules = RulesCache::new();
    let work = |conn: &mut PgConnection| {
        let mut cx = Context {
            conn,
            config,
            options,
            connect_time,
            rules: rules.clone(),
        };
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let Some(number) = ORDER.get(i) else { break };
            let Some((number, name, check)) = CHECKS.iter().find(|(n, _, _)| n == number) else {
                continue;
            };
            let started = Instant::now();
            let (outcome, detail) = check(&mut cx).unwrap_or_else(|e| (Outcome::Fail, e));
            done.push(Check {
                number: *number,
                name,
                outcome,
                detail,
                duration_us: micros(started.elapsed()),
            });
        }
        done
    };
    let mut checks = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers.max(1))
            .map(|_| {
                scope.spawn(|| {
                    compliance_persistence::connect(config)
                        .map(|mut c| work(&mut c))
                        .unwrap_or_default()
                })
            })
            .collect();
        let mut all = work(conn);
        for helper in helpers {
            all.extend(helper.join().unwrap_or_default());
        }
        all
    });
    checks.sort_by_key(|c| c.number);
    checks
}

// ---- query helpers ---------------------------------------------------------------------------

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Keyed {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut PgConnection, sql: &str) -> Result<i64, String> {
    sql_query(sql)
        .get_result::<Count>(conn)
        .map(|c| c.n)
        .map_err(|e| format!("query failed: {e}"))
}

fn keyed(conn: &mut PgConnection, sql: &str) -> Result<BTreeMap<String, i64>, String> {
    sql_query(sql)
        .load::<Keyed>(conn)
        .map(|rows| rows.into_iter().map(|r| (r.key, r.n)).collect())
        .map_err(|e| format!("query failed: {e}"))
}

/// `12.3 ms`, without floating point.
fn ms(d: Duration) -> String {
    let us = d.as_micros();
    format!("{}.{} ms", us / 1000, (us % 1000) / 100)
}

fn describe(counts: &BTreeMap<String, i64>) -> String {
    if counts.is_empty() {
        return "none".into();
    }
    counts
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Counts in the order of an enum's variants, zero included.
fn by_variant<T: TextForm>(counts: &BTreeMap<String, i64>) -> Vec<(String, i64)> {
    <T as strum::VariantArray>::VARIANTS
        .iter()
        .map(|v| {
            (
                v.as_str().to_owned(),
                counts.get(v.as_str()).copied().unwrap_or(0),
            )
        })
        .collect()
}

fn line(pairs: &[(String, i64)]) -> String {
    pairs
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the seed data set must hold, computed from the scenarios themselves.
struct SeedExpectations {
    statuses: BTreeMap<String, i64>,
    levels: BTreeMap<String, i64>,
    jurisdictions: BTreeMap<String, i64>,
    cases: i64,
}

fn seed_expectations() -> SeedExpectations {
    let scenarios = compliance_rules::scenarios::scenarios();
    let mut e = SeedExpectations {
        statuses: BTreeMap::new(),
        levels: BTreeMap::new(),
        jurisdictions: BTreeMap::new(),
        cases: i64::try_from(scenarios.len()).unwrap_or(i64::MAX),
    };
    for s in &scenarios {
        *e.statuses
            .entry(s.expected_status.as_str().to_owned())
            .or_default() += 1;
        *e.levels
            .entry(s.expected_risk_level.as_str().to_owned())
            .or_default() += 1;
        *e.jurisdictions
            .entry(s.case.kyc.jurisdiction.as_str().to_owned())
            .or_default() += 1;
    }
    e
}

fn compare_seed(
    found: &BTreeMap<String, i64>,
    expected: &BTreeMap<String, i64>,
    what: &str,
    detail: String,
) -> Found {
    let found: BTreeMap<_, _> = found
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| (k.clone(), *n))
        .collect();
    if found == *expected {
        Ok((Outcome::Pass, format!("{detail} (as seeded)")))
    } else {
        Ok((
            Outcome::Fail,
            format!(
                "{detail}; the seed data set has {what} {}",
                describe(expected)
            ),
        ))
    }
}

// ---- 1-3: structure --------------------------------------------------------------------------

fn columns_found(conn: &mut PgConnection) -> Result<BTreeMap<(String, String), String>, String> {
    #[derive(QueryableByName)]
    struct Col {
        #[diesel(sql_type = Text)]
        table_name: String,
        #[diesel(sql_type = Text)]
        column_name: String,
        #[diesel(sql_type = Text)]
        udt_name: String,
    }
    sql_query(
        "SELECT table_name::text, column_name::text, udt_name::text FROM information_schema.columns
          WHERE table_schema = current_schema()",
    )
    .load::<Col>(conn)
    .map(|cols| {
        cols.into_iter()
            .map(|c| ((c.table_name, c.column_name), c.udt_name))
            .collect()
    })
    .map_err(|e| format!("query failed: {e}"))
}

fn tables(cx: &mut Context<'_>) -> Found {
    let found = columns_found(cx.conn)?;
    let mut missing = Vec::new();
    let mut columns = 0;
    for (table, cols) in catalog::TABLES {
        for (column, _) in *cols {
            columns += 1;
            if !found.contains_key(&(table.to_string(), column.to_string())) {
                missing.push(format!("{table}.{column}"));
            }
        }
    }
    if missing.is_empty() {
        Ok((
            Outcome::Pass,
            format!(
                "{} tables ({} core), {columns} columns",
                catalog::TABLES.len(),
                catalog::CORE_TABLES.len()
            ),
        ))
    } else {
        Ok((Outcome::Fail, format!("missing: {}", missing.join(", "))))
    }
}

fn column_types(cx: &mut Context<'_>) -> Found {
    let found = columns_found(cx.conn)?;
    let wrong: Vec<String> = catalog::TABLES
        .iter()
        .flat_map(|(table, cols)| cols.iter().map(move |(c, ty)| (*table, *c, *ty)))
        .filter_map(|(table, column, ty)| {
            match found.get(&(table.to_string(), column.to_string())) {
                Some(actual) if actual == ty => None,
                Some(actual) => Some(format!("{table}.{column} is {actual}, expected {ty}")),
                None => Some(format!("{table}.{column} missing")),
            }
        })
        .collect();
    if wrong.is_empty() {
        Ok((Outcome::Pass, "every column has its type (ids uuid, scores int2, money numeric, JSON jsonb, times timestamptz)".into()))
    } else {
        Ok((Outcome::Fail, wrong.join("; ")))
    }
}

fn indexes(cx: &mut Context<'_>) -> Found {
    #[derive(QueryableByName)]
    struct Index {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Bool)]
        valid: bool,
    }
    let found: BTreeMap<String, bool> = sql_query(
        "SELECT c.relname::text AS name, (i.indisvalid AND i.indisready) AS valid
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE c.relnamespace = current_schema()::regnamespace",
    )
    .load::<Index>(cx.conn)
    .map_err(|e| format!("query failed: {e}"))?
    .into_iter()
    .map(|i| (i.name, i.valid))
    .collect();
    let missing: Vec<_> = catalog::INDEXES
        .iter()
        .filter(|i| !found.contains_key(**i))
        .collect();
    let invalid: Vec<_> = found
        .iter()
        .filter(|(_, valid)| !**valid)
        .map(|(n, _)| n)
        .collect();
    if !missing.is_empty() || !invalid.is_empty() {
        let mut detail = String::new();
        if !missing.is_empty() {
            let _ = write!(detail, "missing: {missing:?} ");
        }
        if !invalid.is_empty() {
            let _ = write!(detail, "invalid (rebuild with REINDEX): {invalid:?}");
        }
        return Ok((Outcome::Fail, detail.trim().to_owned()));
    }
    Ok((
        Outcome::Pass,
        format!(
            "{} named indexes, {} in all, all valid",
            catalog::INDEXES.len(),
            found.len()
        ),
    ))
}

// ---- 4-8: data -------------------------------------------------------------------------------

fn record_counts(cx: &mut Context<'_>) -> Found {
    let mut counts = Vec::new();
    for table in catalog::CORE_TABLES {
        counts.push((
            table,
            count(cx.conn, &format!("SELECT count(*) AS n FROM {table}"))?,
        ));
    }
    let get = |t: &str| counts.iter().find(|(n, _)| *n == t).map_or(0, |(_, c)| *c);
    let detail = counts
        .iter()
        .map(|(t, n)| format!("{t} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    if cx.options.expect_seed {
        let seed = seed_expectations();
        let rules = i64::try_from(compliance_rules::default_rules().len()).unwrap_or(i64::MAX);
        let ok = get("users") == 4
            && get("kyc_checks") == seed.cases
            && get("aml_checks") == seed.cases
            && get("compliance_checks") == seed.cases
            && get("compliance_rules") == rules
            && get("audit_logs") >= 6;
        return Ok(if ok {
            (Outcome::Pass, format!("{detail} (as seeded)"))
        } else {
            (
                Outcome::Fail,
                format!(
                    "{detail}; the seed data set has users 4, kyc/aml/compliance checks {} each, rules {rules}, audit at least 6",
                    seed.cases
                ),
            )
        });
    }
    Ok(if get("kyc_checks") == 0 {
        (Outcome::Warn, format!("{detail}: no cases yet"))
    } else {
        (Outcome::Pass, detail)
    })
}

fn foreign_keys(cx: &mut Context<'_>) -> Found {
    #[derive(QueryableByName)]
    struct Fk {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        child: String,
        #[diesel(sql_type = Text)]
        parent: String,
        #[diesel(sql_type = diesel::sql_types::Array<Text>)]
        child_columns: Vec<String>,
        #[diesel(sql_type = diesel::sql_types::Array<Text>)]
        parent_columns: Vec<String>,
    }
    let fks = sql_query(
        "SELECT c.conname::text AS name, c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent,
                array(SELECT quote_ident(a.attname) FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS child_columns,
                array(SELECT quote_ident(a.attname) FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                        JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS parent_columns
           FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
          ORDER BY 1",
    )
    .load::<Fk>(cx.conn)
    .map_err(|e| format!("query failed: {e}"))?;
    let mut orphans = Vec::new();
    for fk in &fks {
        let join: Vec<String> = fk
            .child_columns
            .iter()
            .zip(&fk.parent_columns)
            .map(|(c, p)| format!("p.{p} = c.{c}"))
            .collect();
        let not_null: Vec<String> = fk
            .child_columns
            .iter()
            .map(|c| format!("c.{c} IS NOT NULL"))
            .collect();
        let n = count(
            cx.conn,
            &format!(
                "SELECT count(*) AS n FROM {} c WHERE {} AND NOT EXISTS (SELECT 1 FROM {} p WHERE {})",
                fk.child,
                not_null.join(" AND "),
                fk.parent,
                join.join(" AND ")
            ),
        )?;
        if n > 0 {
            orphans.push(format!("{} ({}): {n} orphan(s)", fk.name, fk.child));
        }
    }
    Ok(if orphans.is_empty() {
        (
            Outcome::Pass,
            format!("{} foreign keys, no orphans", fks.len()),
        )
    } else {
        (Outcome::Fail, orphans.join("; "))
    })
}

fn statuses(cx: &mut Context<'_>) -> Found {
    let found = keyed(
        cx.conn,
        "SELECT status AS key, count(*) AS n FROM compliance_checks GROUP BY status",
    )?;
    let unknown: Vec<_> = found
        .keys()
        .filter(|k| CheckStatus::parse_text(k).is_err())
        .collect();
    if !unknown.is_empty() {
        return Ok((Outcome::Fail, format!("unknown statuses: {unknown:?}")));
    }
    let detail = line(&by_variant::<CheckStatus>(&found));
    if cx.options.expect_seed {
        return compare_seed(&found, &seed_expectations().statuses, "statuses", detail);
    }
    Ok((Outcome::Pass, detail))
}

/// The bands, computed here rather than by the database's `risk_level_for`, so that a changed
/// function cannot vouch for its own results.
const LEVEL_OF_SCORE: &str =
    "CASE WHEN risk_score <= 30 THEN 'LOW' WHEN risk_score <= 60 THEN 'MEDIUM'
                                   WHEN risk_score <= 84 THEN 'HIGH' ELSE 'CRITICAL' END";

fn risk_levels(cx: &mut Context<'_>) -> Found {
    let mut mismatches = Vec::new();
    for table in ["aml_checks", "compliance_checks"] {
        let n = count(
            cx.conn,
            &format!(
                "SELECT count(*) AS n FROM {table} WHERE risk_score NOT BETWEEN 0 AND 100 OR risk_level <> {LEVEL_OF_SCORE}"
            ),
        )?;
        if n > 0 {
            mismatches.push(format!(
                "{table}: {n} row(s) whose level disagrees with the score"
            ));
        }
    }
    if !mismatches.is_empty() {
        return Ok((Outcome::Fail, mismatches.join("; ")));
    }
    let found = keyed(
        cx.conn,
        "SELECT risk_level AS key, count(*) AS n FROM compliance_checks GROUP BY risk_level",
    )?;
    let scores = sql_query("SELECT min(risk_score)::bigint AS lo, max(risk_score)::bigint AS hi, round(avg(risk_score))::bigint AS avg FROM compliance_checks")
        .get_result::<ScoreRange>(cx.conn)
        .map_err(|e| format!("query failed: {e}"))?;
    let mut detail = line(&by_variant::<RiskLevel>(&found));
    if let (Some(lo), Some(hi), Some(avg)) = (scores.lo, scores.hi, scores.avg) {
        let _ = write!(
            detail,
            "; scores {lo}-{hi}, mean {avg}; every level agrees with its score"
        );
    }
    if cx.options.expect_seed {
        return compare_seed(&found, &seed_expectations().levels, "risk levels", detail);
    }
    Ok((Outcome::Pass, detail))
}

#[derive(QueryableByName)]
struct ScoreRange {
    #[diesel(sql_type = Nullable<BigInt>)]
    lo: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    hi: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    avg: Option<i64>,
}

fn timestamps(cx: &mut Context<'_>) -> Found {
    #[derive(QueryableByName)]
    struct Times {
        #[diesel(sql_type = BigInt)]
        bad: i64,
        #[diesel(sql_type = BigInt)]
        ahead: i64,
    }
    let mut problems = Vec::new();
    let mut future = Vec::new();
    for (table, cols) in catalog::TABLES {
        let has_updated = cols.iter().any(|(c, _)| *c == "updated_at");
        let bad = if has_updated {
            "created_at IS NULL OR updated_at IS NULL OR created_at > updated_at"
        } else {
            "created_at IS NULL"
        };
        // One pass per table for both questions.
        let times: Times = sql_query(format!(
            "SELECT count(*) FILTER (WHERE {bad}) AS bad,
                    count(*) FILTER (WHERE created_at > now() + interval '5 minutes') AS ahead
               FROM {table}"
        ))
        .get_result(cx.conn)
        .map_err(|e| format!("query failed: {e}"))?;
        if times.bad > 0 {
            problems.push(format!("{table}: {}", times.bad));
        }
        if times.ahead > 0 {
            future.push(format!("{table}: {}", times.ahead));
        }
    }
    Ok(if !problems.is_empty() {
        (
            Outcome::Fail,
            format!(
                "missing or out-of-order timestamps: {}",
                problems.join(", ")
            ),
        )
    } else if !future.is_empty() {
        (
            Outcome::Warn,
            format!(
                "rows created in the future (clock skew?): {}",
                future.join(", ")
            ),
        )
    } else {
        (
            Outcome::Pass,
            format!(
                "{} tables: every row has created_at <= updated_at",
                catalog::TABLES.len()
            ),
        )
    })
}

// ---- 9-12: the database at work ----------------------------------------------------------------

fn views(cx: &mut Context<'_>) -> Found {
    let mut parts = Vec::new();
    for view in catalog::VIEWS {
        let started = Instant::now();
        let n = count(cx.conn, &format!("SELECT count(*) AS n FROM {view}"))?;
        parts.push(format!("{view} {n} rows in {}", ms(started.elapsed())));
    }
    Ok((Outcome::Pass, parts.join(", ")))
}

fn sizes(cx: &mut Context<'_>) -> Found {
    #[derive(QueryableByName)]
    struct Size {
        #[diesel(sql_type = BigInt)]
        database: i64,
        #[diesel(sql_type = BigInt)]
        largest: i64,
        #[diesel(sql_type = Text)]
        largest_name: String,
        #[diesel(sql_type = BigInt)]
        indexes: i64,
        #[diesel(sql_type = BigInt)]
        used: i64,
        #[diesel(sql_type = BigInt)]
        scans: i64,
    }
    let s: Size = sql_query(
        "SELECT pg_database_size(current_database()) AS database,
                coalesce((SELECT pg_total_relation_size(relid) FROM pg_stat_user_tables ORDER BY 1 DESC LIMIT 1), 0) AS largest,
                coalesce((SELECT relname::text FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC LIMIT 1), '-') AS largest_name,
                (SELECT count(*) FROM pg_stat_user_indexes) AS indexes,
                (SELECT count(*) FROM pg_stat_user_indexes WHERE idx_scan > 0) AS used,
                (SELECT coalesce(sum(idx_scan), 0)::bigint FROM pg_stat_user_indexes) AS scans",
    )
    .get_result(cx.conn)
    .map_err(|e| format!("query failed: {e}"))?;
    Ok((
        Outcome::Pass,
        format!(
            "database {} kB, largest table {} ({} kB); {} of {} indexes used since statistics reset, {} scans",
            s.database / 1024,
            s.largest_name,
            s.largest / 1024,
            s.used,
            s.indexes,
            s.scans
        ),
    ))
}

fn connection(cx: &mut Context<'_>) -> Found {
    #[derive(QueryableByName)]
    struct Who {
        #[diesel(sql_type = Text)]
        user: String,
        #[diesel(sql_type = Text)]
        version: String,
        #[diesel(sql_type = BigInt)]
        version_num: i64,
    }
    let mut samples = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        count(cx.conn, "SELECT 1::bigint AS n")?;
        samples.push(started.elapsed());
    }
    samples.sort();
    let latency = samples[1];
    let who: Who = sql_query(
        "SELECT current_user::text AS user, current_setting('server_version') AS version,
                current_setting('server_version_num')::bigint AS version_num",
    )
    .get_result(cx.conn)
    .map_err(|e| format!("query failed: {e}"))?;
    let detail = format!(
        "{} as {}, PostgreSQL {}; connect {}, round trip {}",
        cx.config.target(),
        who.user,
        who.version,
        ms(cx.connect_time),
        ms(latency)
    );
    Ok(if who.version_num < 150_000 {
        (
            Outcome::Warn,
            format!("{detail}: PostgreSQL 15 or 16 is what this schema is tested on"),
        )
    } else if latency > Duration::from_millis(100) {
        (Outcome::Warn, format!("{detail}: slow round trip"))
    } else {
        (Outcome::Pass, detail)
    })
}

fn sessions(cx: &mut Context<'_>) -> Found {
    #[derive(QueryableByName)]
    struct Sessions {
        #[diesel(sql_type = BigInt)]
        here: i64,
        #[diesel(sql_type = BigInt)]
        active: i64,
        #[diesel(sql_type = BigInt)]
        total: i64,
        #[diesel(sql_type = BigInt)]
        max: i64,
        #[diesel(sql_type = BigInt)]
        reserved: i64,
    }
    let s: Sessions = sql_query(
        "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()) AS here,
                (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active') AS active,
                (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS total,
                current_setting('max_connections')::bigint AS max,
                current_setting('superuser_reserved_connections')::bigint AS reserved",
    )
    .get_result(cx.conn)
    .map_err(|e| format!("query failed: {e}"))?;
    let available = s.max - s.reserved;
    let pool = i64::from(cx.options.pool_max);
    let detail = format!(
        "{} session(s) on this database ({} active), {} on the server of max_connections {} ({} reserved); pool max {}",
        s.here, s.active, s.total, s.max, s.reserved, pool
    );
    Ok(if s.total * 10 >= available * 8 {
        (
            Outcome::Warn,
            format!("{detail}: the server is near its connection limit"),
        )
    } else if pool > available - s.total {
        (
            Outcome::Warn,
            format!("{detail}: a full pool would not fit in the connections left"),
        )
    } else {
        (Outcome::Pass, detail)
    })
}

// ---- 13-15: the data, joined -----------------------------------------------------------------

fn sample(cx: &mut Context<'_>) -> Found {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        entity_id: String,
        #[diesel(sql_type = Text)]
        jurisdiction: String,
        #[diesel(sql_type = Nullable<Text>)]
        status: Option<String>,
        #[diesel(sql_type = Nullable<Text>)]
        risk_level: Option<String>,
        #[diesel(sql_type = BigInt)]
        screenings: i64,
    }
    let undecided = count(
        cx.conn,
        "SELECT count(*) AS n FROM kyc_checks k WHERE NOT EXISTS (SELECT 1 FROM compliance_checks c WHERE c.kyc_check_id = k.id)",
    )?;
    let unscreened = count(
        cx.conn,
        "SELECT count(*) AS n FROM kyc_checks k WHERE NOT EXISTS (SELECT 1 FROM aml_checks a WHERE a.kyc_check_id = k.id)",
    )?;
    let rows = sql_query(
        "SELECT k.entity_id::text, k.jurisdiction, c.status, a.risk_level,
                (SELECT count(*) FROM aml_checks x WHERE x.kyc_check_id = k.id) AS screenings
           FROM kyc_checks k
           LEFT JOIN compliance_checks c ON c.kyc_check_id = k.id
           LEFT JOIN aml_checks a ON a.id = c.aml_check_id
          ORDER BY k.created_at DESC, k.id DESC LIMIT 5",
    )
    .load::<Row>(cx.conn)
    .map_err(|e| format!("query failed: {e}"))?;
    let shown: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {} ({} screening(s))",
                r.entity_id,
                r.jurisdiction,
                r.status.as_deref().unwrap_or("NO DECISION"),
                r.risk_level.as_deref().unwrap_or("-"),
                r.screenings
            )
        })
        .collect();
    Ok(if undecided > 0 || unscreened > 0 {
        (
            Outcome::Fail,
            format!(
                "{undecided} KYC check(s) without a decision, {unscreened} without a screening; e.g. {}",
                shown.join("; ")
            ),
        )
    } else if rows.is_empty() {
        (Outcome::Warn, "no KYC checks to sample".into())
    } else {
        (Outcome::Pass, shown.join("; "))
    })
}

fn jurisdictions(cx: &mut Context<'_>) -> Found {
    let found = keyed(
        cx.conn,
        "SELECT jurisdiction AS key, count(*) AS n FROM kyc_checks GROUP BY jurisdiction",
    )?;
    let detail = line(&by_variant::<Jurisdiction>(&found));
    if cx.options.expect_seed {
        return compare_seed(
            &found,
            &seed_expectations().jurisdictions,
            "jurisdictions",
            detail,
        );
    }
    Ok((Outcome::Pass, detail))
}

fn summary_by_level(cx: &mut Context<'_>) -> Found {
    let found = keyed(
        cx.conn,
        "SELECT risk_level AS key, sum(checks)::bigint AS n FROM compliance_summary GROUP BY risk_level",
    )?;
    let direct = count(cx.conn, "SELECT count(*) AS n FROM compliance_checks")?;
    let total: i64 = found.values().sum();
    let detail = format!(
        "{} (compliance_summary view)",
        line(&by_variant::<RiskLevel>(&found))
    );
    if total != direct {
        return Ok((
            Outcome::Fail,
            format!("{detail}: the view counts {total} cases, the table {direct}"),
        ));
    }
    if cx.options.expect_seed {
        return compare_seed(&found, &seed_expectations().levels, "risk levels", detail);
    }
    Ok((Outcome::Pass, detail))
}

// ---- 16-19: beyond the seed material ----------------------------------------------------------

fn migrations_applied(cx: &mut Context<'_>) -> Found {
    let status = migrations::status(cx.conn).map_err(|e| e.to_string())?;
    let known = migrations::known().map_err(|e| e.to_string())?;
    let unknown: Vec<_> = status
        .applied
        .iter()
        .filter(|v| !known.contains(v))
        .collect();
    Ok(if !status.pending.is_empty() {
        (
            Outcome::Fail,
            format!(
                "{} pending: {} (run cargo xtask provision)",
                status.pending.len(),
                status.pending.join(", ")
            ),
        )
    } else if !unknown.is_empty() {
        (
            Outcome::Warn,
            format!(
                "applied migrations this build does not know (newer code deployed?): {unknown:?}"
            ),
        )
    } else {
        (
            Outcome::Pass,
            format!(
                "{} applied ({}), none pending",
                status.applied.len(),
                status.applied.join(", ")
            ),
        )
    })
}

fn rules(cx: &mut Context<'_>) -> Found {
    let rows = stored_rules::list(cx.conn, &stored_rules::RuleFilter::default())
        .map_err(|e| e.to_string())?;
    let bad: Vec<String> = rows
        .iter()
        .filter_map(|r| rule_from_row(r).err())
        .map(|e| e.to_string())
        .collect();
    if !bad.is_empty() {
        return Ok((
            Outcome::Fail,
            format!("{} malformed rule row(s): {}", bad.len(), bad.join("; ")),
        ));
    }
    let now = chrono::Utc::now();
    let mut in_force = Vec::new();
    let mut empty = Vec::new();
    for jurisdiction in Jurisdiction::VARIANTS {
        match cx.rules.in_force(cx.conn, *jurisdiction, now) {
            Ok(set) => in_force.push(format!("{jurisdiction} {}", set.rules().len())),
            Err(crate::AppError::RuleSet(compliance_rules::RuleSetError::Empty { .. })) => {
                empty.push(jurisdiction.as_str())
            }
            Err(e) => return Ok((Outcome::Fail, e.to_string())),
        }
    }
    let detail = if in_force.is_empty() {
        format!("{} version(s) stored; none in force now", rows.len())
    } else {
        format!(
            "{} version(s) stored; in force now: {}",
            rows.len(),
            in_force.join(", ")
        )
    };
    Ok(if empty.is_empty() {
        (Outcome::Pass, detail)
    } else {
        (
            Outcome::Warn,
            format!(
                "{detail}; no rules in force for {}: cases there cannot be decided until rules are published (cargo xtask provision seeds the default ones)",
                empty.join(", ")
            ),
        )
    })
}

fn decisions_replay(cx: &mut Context<'_>) -> Found {
    let total = count(cx.conn, "SELECT count(*) AS n FROM compliance_checks")?;
    // Cases the engine decided and nobody reviewed must still have the engine's status.
    let overridden = keyed(
        cx.conn,
        "SELECT c.id::text AS key, 1::bigint AS n FROM compliance_checks c JOIN users u ON u.id = c.decided_by
          WHERE u.role = 'system' AND c.status <> c.engine_status ORDER BY c.id LIMIT 10",
    )?;
    let limit = cx.options.replay_limit.unwrap_or(i64::MAX).max(0);
    let cases = compliance_checks::recent_with_inputs(cx.conn, limit).map_err(|e| e.to_string())?;
    let mut differ = Vec::new();
    let mut errors = Vec::new();
    // Every version of each jurisdiction's rules, loaded once; the rule set each case pinned is
    // built once per distinct list of versions (most cases share one).
    let mut pools = BTreeMap::new();
    let mut pinned: BTreeMap<(Jurisdiction, Vec<RuleRef>), Result<RuleSet, String>> =
        BTreeMap::new();
    for (case, kyc, aml) in &cases {
        let pool = match pools.entry(case.jurisdiction) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(
                cx.rules
                    .all(cx.conn, case.jurisdiction)
                    .map_err(|e| e.to_string())?,
            ),
        };
        let set = pinned
            .entry((case.jurisdiction, case.rule_versions.clone()))
            .or_insert_with(|| {
                RuleSet::pinned(pool, case.jurisdiction, &case.rule_versions)
                    .map_err(|e| e.to_string())
            });
        let replayed = set.as_ref().map_err(Clone::clone).and_then(|set| {
            set.evaluate(&Case {
                kyc: kyc.check.clone(),
                aml: aml.screening.clone(),
            })
            .map_err(|e| e.to_string())
        });
        match replayed {
            Ok(decision) if decision == case.decision => {}
            Ok(decision) => differ.push(format!(
                "{} (stored {}, engine {})",
                case.id,
                case.decision.status(),
                decision.status()
            )),
            Err(e) => errors.push(format!("{}: {e}", case.id)),
        }
    }
    let replayed = cases.len();
    let scope = if i64::try_from(replayed).unwrap_or(i64::MAX) < total {
        format!("{replayed} most recent of {total} (replay limit)")
    } else {
        format!("all {total}")
    };
    if !overridden.is_empty() || !differ.is_empty() || !errors.is_empty() {
        let mut parts = Vec::new();
        if !overridden.is_empty() {
            parts.push(format!(
                "status differs from the engine's without a reviewer: {}",
                overridden.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        if !differ.is_empty() {
            parts.push(format!("replay differs: {}", differ.join(", ")));
        }
        if !errors.is_empty() {
            parts.push(format!("cannot replay: {}", errors.join("; ")));
        }
        return Ok((
            Outcome::Fail,
            format!("{}; checked {scope}", parts.join("; ")),
        ));
    }
    Ok((
        Outcome::Pass,
        format!("{scope} decision(s) replay to the same status, risk level and reasons"),
    ))
}

fn audit_chain(cx: &mut Context<'_>) -> Found {
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

#[cfg(test)]
mod tests {
    use super::{CHECKS, ORDER};

    #[test]
    fn every_check_is_scheduled_exactly_once() {
        let mut scheduled = ORDER.to_vec();
        scheduled.sort_unstable();
        let numbers: Vec<u8> = CHECKS.iter().map(|(n, _, _)| *n).collect();
        assert_eq!(scheduled, numbers);
    }
}
