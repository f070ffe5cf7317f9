//! The checks, numbered as the report shows them, and the runner that spreads them over the
//! workers. Each check returns an outcome and one line; a query that fails makes its check FAIL
//! with the database's message. One module per concern holds the checks themselves.
//!
//! Must not: write. Every statement the checks send is a SELECT.

mod audit;
mod cases;
mod data;
mod query;
mod replay;
mod schema;
mod server;

use super::{Check, Outcome, VerifyOptions, micros};
use crate::RulesCache;
use compliance_persistence::DatabaseConfig;
use compliance_persistence::diesel::PgConnection;
use std::time::{Duration, Instant};

pub(super) struct Context<'a> {
    conn: &'a mut PgConnection,
    config: &'a DatabaseConfig,
    options: &'a VerifyOptions,
    connect_time: Duration,
    rules: RulesCache,
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
