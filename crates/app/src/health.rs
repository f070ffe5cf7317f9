//! The health of the service's database, as `GET /api/v1/health` reports it: reachable or
//! not, its migrations, its pool, how long a round trip took.
//!
//! Must not: show the password or any driver's text, or wait forever. The body is public: what
//! went wrong is a category ([`Problem`]) and a hint in our own words; the driver's message
//! goes to the log (redacted). An unreachable database answers within the pool's connect
//! timeout.

use compliance_persistence::{Database, migrations};
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

/// Whether the service can do its work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// Everything is as it should be.
    Ok,
    /// The database is unreachable, busy, or behind on migrations.
    Degraded,
}

/// What the service's database answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseState {
    /// A connection answered `SELECT 1`.
    Connected,
    /// Every pooled connection stayed in use for the connect timeout.
    Busy,
    /// No connection could be opened, or it did not answer.
    Unreachable,
}

/// The pool's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PoolFigures {
    /// Largest number of connections.
    pub max: u32,
    /// Connections open now.
    pub open: u32,
    /// Open connections not in use.
    pub idle: u32,
}

impl From<compliance_persistence::PoolStats> for PoolFigures {
    fn from(stats: compliance_persistence::PoolStats) -> Self {
        Self {
            max: stats.max,
            open: stats.open,
            idle: stats.idle,
        }
    }
}

/// The health report. It is public (the health endpoint needs no credentials), so it names
/// no host, port, database or user: the service's log does, with the driver's words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Health {
    /// `ok`, or `degraded` when the database is unreachable or behind on migrations.
    pub status: HealthStatus,
    /// What the database answered.
    pub database: DatabaseState,
    /// Round trip of `SELECT 1`, in microseconds, when connected.
    pub latency_us: Option<u64>,
    /// The migrations, when connected.
    pub migrations: Option<MigrationHealth>,
    /// The pool.
    pub pool: PoolFigures,
    /// What failed, when something did: a category, never the driver's text.
    pub error: Option<Problem>,
    /// What to do about it, in our own words.
    pub hint: Option<String>,
    /// This build's version.
    pub version: &'static str,
}

impl Health {
    /// True when everything is as it should be (HTTP 200); otherwise the endpoint answers 503.
    pub fn is_ok(&self) -> bool {
        self.status == HealthStatus::Ok
    }
}

/// What went wrong, as the health body names it (`snake_case` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// No connection could be opened.
    Unreachable,
    /// Every pooled connection stayed in use for the connect timeout.
    PoolExhausted,
    /// A connection was opened but `SELECT 1` failed.
    QueryFailed,
    /// Migrations are pending.
    MigrationsPending,
    /// The role may not read the migrations table.
    PermissionDenied,
    /// The migrations could not be read for another reason.
    MigrationsUnreadable,
}

impl Problem {
    fn hint(self) -> &'static str {
        match self {
            Problem::Unreachable => {
                "the database cannot be reached: see the service's log for the driver's message"
            }
            Problem::PoolExhausted => {
                "every pooled connection stayed in use: raise DATABASE_POOL_MAX or find what holds connections"
            }
            Problem::QueryFailed => "SELECT 1 failed: see the service's log",
            Problem::MigrationsPending => "migrations are pending: run cargo xtask provision",
            Problem::PermissionDenied => {
                "the service's role may not read __diesel_schema_migrations: grant it SELECT"
            }
            Problem::MigrationsUnreadable => {
                "the migrations could not be read: see the service's log"
            }
        }
    }
}

/// Checks the database: a pooled connection, `SELECT 1`, the migrations.
///
/// `database` is `connected` once a connection answered `SELECT 1` (a later failure, such as a
/// role that may not read the migrations table, makes the report `degraded` with the error,
/// but the database is still connected), `busy` when every pooled connection is in use, and
/// `unreachable` otherwise.
pub(crate) fn check(db: &Database) -> Health {
    use compliance_persistence::PersistenceError;
    use compliance_persistence::diesel::{RunQueryDsl, sql_query};
    let report = |database, latency_us, migrations, problem: Option<(Problem, String)>| {
        if let Some((problem, detail)) = &problem {
            // The driver's text stays in the log, without the password.
            tracing::warn!(
                target = %db.config().target(),
                ?problem,
                "health check: {}",
                db.config().redact(detail)
            );
        }
        let hint = problem.as_ref().map(|(p, detail)| match p {
            Problem::MigrationsPending => detail.clone(),
            other => other.hint().to_owned(),
        });
        let stats = db.stats();
        Health {
            status: if problem.is_none() {
                HealthStatus::Ok
            } else {
                HealthStatus::Degraded
            },
            database,
            latency_us,
            migrations,
            pool: PoolFigures::from(stats),
            error: problem.map(|(p, _)| p),
            hint,
            version: env!("CARGO_PKG_VERSION"),
        }
    };
    let started = Instant::now();
    // Pinged whatever the pool would do: a connection it hands out unpinged may be dead.
    let mut conn = match db.conn_pinged() {
        Ok(conn) => conn,
        Err(e @ PersistenceError::PoolExhausted { .. }) => {
            return report(
                DatabaseState::Busy,
                None,
                None,
                Some((Problem::PoolExhausted, e.to_string())),
            );
        }
        Err(e) => {
            return report(
                DatabaseState::Unreachable,
                None,
                None,
                Some((Problem::Unreachable, e.to_string())),
            );
        }
    };
    if let Err(e) = sql_query("SELECT 1").execute(&mut conn) {
        return report(
            DatabaseState::Unreachable,
            None,
            None,
            Some((Problem::QueryFailed, PersistenceError::from(e).to_string())),
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
            let problem = (pending > 0).then(|| {
                (
                    Problem::MigrationsPending,
                    format!("{pending} migration(s) pending: run cargo xtask provision"),
                )
            });
            report(DatabaseState::Connected, latency, Some(health), problem)
        }
        Err(e) => {
            let detail = e.to_string();
            let problem = if detail.contains("permission denied") {
                Problem::PermissionDenied
            } else {
                Problem::MigrationsUnreadable
            };
            report(
                DatabaseState::Connected,
                latency,
                None,
                Some((problem, detail)),
            )
        }
    }
}
