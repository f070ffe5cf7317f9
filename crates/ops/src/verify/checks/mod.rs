//! The checks, numbered as the report shows them, and the runner that spreads them over the
//! workers. Each check returns an outcome and one line; a query that fails makes its check FAIL
//! with the database's message. One module per concern holds the checks themselves.
//!
//! Must not: write. Every statement the checks send is a SELECT.

pub(super) mod audit;
mod cases;
mod counts;
mod data;
mod monitoring;
mod query;
mod replay;
mod schema;
mod server;

use super::{Check, Outcome, VerifyOptions, micros, snapshot};
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::{DatabaseConfig, PersistenceError, SessionLimits};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub(super) struct Context<'a> {
    conn: &'a mut PgConnection,
    config: &'a DatabaseConfig,
    options: &'a VerifyOptions,
    connect_time: Duration,
}

pub(super) type Found = Result<(Outcome, String), String>;

type CheckFn = fn(&mut Context<'_>) -> Found;

const CHECKS: &[(u8, &str, CheckFn)] = &[
    (1, "tables exist with their columns", schema::tables),
    (2, "columns have their types", schema::column_types),
    (3, "indexes present and valid", schema::indexes),
    (4, "record counts", data::record_counts),
    (5, "foreign-key integrity", data::foreign_keys),
    (6, "status distribution", data::statuses),
    (7, "risk scores and levels", data::risk_levels),
    (8, "timestamps", data::timestamps),
    (9, "views answer", server::views),
    (10, "index usage and table sizes", server::sizes),
    (11, "connection and latency", server::connection),
    (12, "sessions", server::sessions),
    (13, "KYC checks with their AML and decision", cases::sample),
    (14, "jurisdiction distribution", cases::jurisdictions),
    (
        15,
        "compliance summary by risk level",
        cases::summary_by_level,
    ),
    (
        16,
        "migrations applied, none pending",
        schema::migrations_applied,
    ),
    (17, "rules parse, one version in force", replay::rules),
    (
        18,
        "decisions replay to the same result",
        replay::decisions_replay,
    ),
    (19, "audit hash chain intact", audit::audit_chain),
    (
        20,
        "every case revision has its audit entry",
        audit::revisions_audited,
    ),
    (
        21,
        "screening jobs' leaves and roots recompute",
        monitoring::screening_jobs,
    ),
    (22, "dashboard counts equal a recount", counts::case_counts),
];

/// The checks, costliest first, so that the workers finish together on a large database.
const ORDER: [u8; 22] = [
    19, 20, 21, 5, 18, 22, 13, 8, 4, 7, 15, 9, 6, 14, 1, 2, 3, 10, 11, 12, 16, 17,
];

/// The number and name of every check, in the report's order.
pub(super) fn list() -> impl Iterator<Item = (u8, &'static str)> {
    CHECKS.iter().map(|(n, name, _)| (*n, *name))
}

/// Runs every check on `workers` connections at once, all reading one snapshot: the first is
/// `conn`, which exports it; the others are opened here and import it. A helper that cannot
/// connect or import leaves its share to the rest; a check that did not run at all is a FAIL.
pub(super) fn run_all(
    conn: &mut PgConnection,
    config: &DatabaseConfig,
    limits: &SessionLimits,
    options: &VerifyOptions,
    connect_time: Duration,
    workers: usize,
) -> Result<Vec<Check>, PersistenceError> {
    let next = AtomicUsize::new(0);
    let role = config.user();
    // Results are kept as each check ends: a transaction that fails to end loses none.
    let done = Mutex::new(Vec::new());
    let work = |conn: &mut PgConnection| {
        loop {
            let i = next.fetch_add(1, Ordering::SeqCst);
            let Some(number) = ORDER.get(i) else { break };
            let Some((number, name, check)) = CHECKS.iter().find(|(n, _, _)| n == number) else {
                continue;
            };
            let started = Instant::now();
            let found = snapshot::in_savepoint(conn, |conn| {
                check(&mut Context {
                    conn,
                    config,
                    options,
                    connect_time,
                })
            });
            let (outcome, detail) =
                found.unwrap_or_else(|e| (Outcome::Fail, query::explain(&e, &role)));
            done.lock().unwrap_or_else(|e| e.into_inner()).push(Check {
                number: *number,
                name,
                outcome,
                detail,
                duration_us: micros(started.elapsed()),
            });
        }
    };
    std::thread::scope(|scope| {
        snapshot::exported(conn, |conn, snapshot| {
            let (imported, imports) = std::sync::mpsc::channel();
            let helpers = snapshot.map_or(0, |_| workers.saturating_sub(1));
            for _ in 0..helpers {
                let (imported, work) = (imported.clone(), &work);
                let snapshot = snapshot.unwrap_or_default().to_owned();
                scope.spawn(move || {
                    snapshot::imported(config, limits, &snapshot, imported, work);
                });
            }
            drop(imported);
            work(conn);
            // The snapshot can be imported only while this transaction lasts.
            imports.iter().take(helpers).for_each(drop);
        })
    })?;
    let mut checks = done.into_inner().unwrap_or_else(|e| e.into_inner());
    for (number, name, _) in CHECKS {
        if !checks.iter().any(|c| c.number == *number) {
            checks.push(Check {
                number: *number,
                name,
                outcome: Outcome::Fail,
                detail: "did not run: its connection was lost".into(),
                duration_us: 0,
            });
        }
    }
    checks.sort_by_key(|c| c.number);
    Ok(checks)
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
