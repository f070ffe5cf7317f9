//! The body of `GET /api/v1/health`: public, so it names no host, database or user, and no
//! driver's text (the service's log does).
//!
//! Must not: show a connection target or an error's words.

use serde::Serialize;

/// Whether the service can do its work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// Everything is as it should be.
    Ok,
    /// The database is unreachable, busy, or behind on migrations.
    Degraded,
}

/// What the service's database answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseState {
    /// A connection answered `SELECT 1`.
    Connected,
    /// Every pooled connection stayed in use for the connect timeout.
    Busy,
    /// No connection could be opened, or it did not answer.
    Unreachable,
}

/// What went wrong, as a category (never the driver's text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthProblem {
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

/// The migrations the database has and lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MigrationHealth {
    /// How many are applied.
    pub applied: usize,
    /// How many are pending.
    pub pending: usize,
    /// The latest applied version.
    pub latest: Option<String>,
}

/// The connection pool's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PoolFigures {
    /// Largest number of connections.
    pub max: u32,
    /// Connections open now.
    pub open: u32,
    /// Open connections not in use.
    pub idle: u32,
}

/// The health report: public, so it names no host, database or user (the log does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when the database is unreachable, busy or behind on migrations.
    pub status: HealthStatus,
    /// What the database answered.
    pub database: DatabaseState,
    /// Round trip of `SELECT 1`, in microseconds, when connected.
    pub latency_us: Option<u64>,
    /// The migrations, when connected.
    pub migrations: Option<MigrationHealth>,
    /// The pool.
    pub pool: PoolFigures,
    /// What failed, when something did.
    pub error: Option<HealthProblem>,
    /// What to do about it, in our own words.
    pub hint: Option<String>,
    /// This build's version.
    pub version: &'static str,
}

impl From<compliance_app::health::Health> for Health {
    fn from(health: compliance_app::health::Health) -> Self {
        use compliance_app::health as H;
        let H::Health {
            status,
            database,
            latency_us,
            migrations,
            pool,
            error,
            hint,
            version,
        } = health;
        Self {
            status: match status {
                H::HealthStatus::Ok => HealthStatus::Ok,
                H::HealthStatus::Degraded => HealthStatus::Degraded,
            },
            database: match database {
                H::DatabaseState::Connected => DatabaseState::Connected,
                H::DatabaseState::Busy => DatabaseState::Busy,
                H::DatabaseState::Unreachable => DatabaseState::Unreachable,
            },
            latency_us,
            migrations: migrations.map(|m| {
                let H::MigrationHealth {
                    applied,
                    pending,
                    latest,
                } = m;
                MigrationHealth {
                    applied,
                    pending,
                    latest,
                }
            }),
            pool: PoolFigures {
                max: pool.max,
                open: pool.open,
                idle: pool.idle,
            },
            error: error.map(|p| match p {
                H::Problem::Unreachable => HealthProblem::Unreachable,
                H::Problem::PoolExhausted => HealthProblem::PoolExhausted,
                H::Problem::QueryFailed => HealthProblem::QueryFailed,
                H::Problem::MigrationsPending => HealthProblem::MigrationsPending,
                H::Problem::PermissionDenied => HealthProblem::PermissionDenied,
                H::Problem::MigrationsUnreadable => HealthProblem::MigrationsUnreadable,
            }),
            hint,
            version,
        }
    }
}
