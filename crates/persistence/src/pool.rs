//! The connection pool (r2d2) and the handle services hold: [`Database`]. Every pooled session
//! gets the configured [`SessionLimits`] (lock, statement and idle-in-transaction timeouts) when
//! it is opened.
//!
//! Must not: hand out a connection error that shows the password, or block forever: every wait
//! for a connection ends after the configured timeout with [`PersistenceError::Unavailable`].

use crate::{DatabaseConfig, PersistenceError, Result, SessionLimits};
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::{Connection, RunQueryDsl, connection::SimpleConnection};

/// A pooled connection.
pub type PooledPg = PooledConnection<ConnectionManager<PgConnection>>;

/// The database a service talks to: its configuration and a pool of connections.
///
/// Cheap to clone (the pool is shared). Building it does not connect: the pool connects on
/// demand, so a service can start while the database is down and recover when it comes back.
#[derive(Clone)]
pub struct Database {
    config: DatabaseConfig,
    pool: Pool<ConnectionManager<PgConnection>>,
}

/// The pool's figures, for the health endpoint and `verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PoolStats {
    /// Largest number of connections.
    pub max: u32,
    /// Connections open now.
    pub open: u32,
    /// Open connections not in use.
    pub idle: u32,
}

impl Database {
    /// A pool for `config` (`pool_max` connections, `connect_timeout` to get one).
    pub fn new(config: DatabaseConfig) -> Self {
        let manager = ConnectionManager::<PgConnection>::new(config.connection_url());
        let pool = Pool::builder()
            .max_size(config.pool_max)
            .min_idle(Some(0))
            .connection_timeout(config.connect_timeout)
            .test_on_check_out(true)
            // r2d2 logs connection errors itself; ours go through PersistenceError instead.
            .error_handler(Box::new(diesel::r2d2::NopErrorHandler))
            .connection_customizer(Box::new(ApplyLimits(config.session.sql())))
            .build_unchecked(manager);
        Self { config, pool }
    }

    /// The configuration.
    pub fn config(&self) -> &DatabaseConfig {
        &self.config
    }

    /// A connection from the pool, or [`PersistenceError::Unavailable`] after the timeout.
    pub fn conn(&self) -> Result<PooledPg> {
        self.pool.get().map_err(|e| {
            let state = self.pool.state();
            // Every connection open and none idle: the server is fine, the pool is full.
            if state.connections >= self.pool.max_size() && state.idle_connections == 0 {
                PersistenceError::PoolExhausted {
                    target: self.config.target(),
                    size: self.pool.max_size(),
                    waited_secs: self.config.connect_timeout.as_secs(),
                }
            } else {
                PersistenceError::Unavailable {
                    target: self.config.target(),
                    reason: self.config.redact(&crate::error::one_line(&e.to_string())),
                }
            }
        })
    }

    /// Runs `f` in one transaction on a pooled connection: all of it is written, or none.
    pub fn transaction<T>(&self, f: impl FnOnce(&mut PgConnection) -> Result<T>) -> Result<T> {
        let mut conn = self.conn()?;
        conn.transaction(|conn| f(conn))
    }

    /// The pool's figures now.
    pub fn stats(&self) -> PoolStats {
        let state = self.pool.state();
        PoolStats {
            max: self.pool.max_size(),
            open: state.connections,
            idle: state.idle_connections,
        }
    }

    /// Checks that the database answers: a pooled connection and `SELECT 1`.
    pub fn ping(&self) -> Result<()> {
        let mut conn = self.conn()?;
        diesel::sql_query("SELECT 1").execute(&mut conn)?;
        Ok(())
    }
}

/// Sets the limits on each session the pool opens (once per session, not per checkout).
#[derive(Debug)]
struct ApplyLimits(String);

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for ApplyLimits {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(&self.0)
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// One connection outside any pool, with the server's own limits (for provisioning,
/// migrations and tests: a migration may run longer than a service's statement).
pub fn connect(config: &DatabaseConfig) -> Result<PgConnection> {
    PgConnection::establish(&config.connection_url()).map_err(|e| PersistenceError::Unavailable {
        target: config.target(),
        reason: config.redact(&crate::error::connection_reason(&e)),
    })
}

/// One connection outside any pool, with `limits` set on it (e.g. `verify`'s).
pub fn connect_with_limits(
    config: &DatabaseConfig,
    limits: &SessionLimits,
) -> Result<PgConnection> {
    let mut conn = connect(config)?;
    conn.batch_execute(&limits.sql())?;
    Ok(conn)
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
