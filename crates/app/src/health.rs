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
pub fn check(db: &Database) -> Health {
    let started = Instant::now();
    let probe = db.conn().and_then(|mut conn| {
        use compliance_persistence::diesel::{RunQueryDsl, sql_query};
        sql_query("SELECT 1").execute(&mut conn)?;
        let latency = started.elapsed();
        let status = migrations::status(&mut conn)?;
        Ok((latency, status))
    });
    match probe {
        Ok((latency, status)) => {
            let pending = status.pending.len();
            Health {
                status: if pending == 0 { "ok" } else { "degraded" },
                database: "connected",
                target: db.config().target(),
                latency_us: Some(u64::try_from(latency.as_micros()).unwrap_or(u64::MAX)),
                migrations: Some(MigrationHealth {
                    applied: status.applied.len(),
                    pending,
                    latest: status.applied.last().cloned(),
                }),
                pool: db.stats(),
                error: (pending > 0)
                    .then(|| format!("{pending} migration(s) pending: run cargo xtask provision")),
                version: env!("CARGO_PKG_VERSION"),
            }
        }
        Err(e) => Health {
            status: "degraded",
            database: "unreachable",
            target: db.config().target(),
            latency_us: None,
            migrations: None,
            pool: db.stats(),
            error: Some(e.to_string()),
            version: env!("CARGO_PKG_VERSION"),
        },
    }
}
