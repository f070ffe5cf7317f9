//! The health of the service's database, as `GET /api/v1/health` reports it: reachable or
//! not, its migrations, its pool, how long a round trip took.
//!
//! Must not: show the password, or wait forever: an unreachable database answers within the
//! pool's connect timeout.

use compliance_persistence::{Database, PoolStats, migrations};
use std::time::Instant;

/// The migrations the database has and lacks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MigrationHealth {
    /// How many are applied.
    pub applied: usize,
    /// How many are pending.
    pub pending: usize,
    /// The latest applied version.
    pub latest: Option<String>,
}

/// The health report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Health {
    /// `ok`, or `degraded` when the database is unreachable or behind on migrations.
    pub status: &'static str,
    /// `connected` or `unreachable`.
    pub database: &'static str,
    /// `host:port/database`.
    pub target: String,
    /// Round trip of `SELECT 1`, in microseconds, when connected.
    pub latency_us: Option<u64>,
    /// The migrations, when connected.
    pub migrations: Option<MigrationHealth>,
    /// The pool.
    pub pool: PoolStats,
    /// What failed, when something did.
    pub error: Option<String>,
    /// This build's version.
    pub version: &'static str,
}

impl Health {
    /// True when everything is as it should be (HTTP 200); otherwise the endpoint answers 503.
    pub fn is_ok(&self) -> bool {
        self.status == "ok"
    }
}

/// Checks the database: a pooled connection, `SELECT 1`, the migrations.
///
/// `database` is `connected` once a connection answered `SELECT 1` (a later failure, such as a
/// role that may not read the migrations table, makes the report `degraded` with the error,
/// but the database is still connected), `busy` when every pooled connection is in use, and
/// `unreachable` otherwise.
pub fn check(db: &Database) -> Health {
    use compliance_persistence::PersistenceError;
    use compliance_persistence::diesel::{RunQueryDsl, sql_query};
    let report = |status, database, latency_us, migrations, error| Health {
        status,
        database,
        target: db.config().target(),
        latency_us,
        migrations,
        pool: db.stats(),
        error,
        version: env!("CARGO_PKG_VERSION"),
    };
    let started = Instant::now();
    let mut conn = match db.conn() {
        Ok(conn) => conn,
        Err(e @ PersistenceError::PoolExhausted { .. }) => {
            return report("degraded", "busy", None, None, Some(e.to_string()));
        }
        Err(e) => return report("degraded", "unreachable", None, None, Some(e.to_string())),
    };
    if let Err(e) = sql_query("SELECT 1").execute(&mut conn) {
        return report(
            "degraded",
            "unreachable",
            None,
            None,
            Some(PersistenceError::from(e).to_string()),
        );
    }
    let latency = Some(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
    match migrations::status(&mut conn) {
        Ok(status) => {
            let pending = status.pending.len();
            let health = MigrationHealth {
                applied: status.applied.len(),
                pending,
                latest: status.applied.last().cloned(),
            };
            if pending == 0 {
                report("ok", "connected", latency, Some(health), None)
            } else {
                let error = format!("{pending} migration(s) pending: run cargo xtask provision");
                report("degraded", "connected", latency, Some(health), Some(error))
            }
        }
        Err(e) => report("degraded", "connected", latency, None, Some(e.to_string())),
    }
}
