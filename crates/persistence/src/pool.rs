//! The connection pool (r2d2) and the handle services hold: [`Database`]. Every pooled session
//! gets the configured [`SessionLimits`] (lock, statement and idle-in-transaction timeouts) when
//! it is opened. A connection is pinged at check-out only when it may be dead (see [`Manager`]).
//!
//! Must not: hand out a connection error that shows the password, or block forever: every wait
//! for a connection ends after the configured timeout with [`PersistenceError::Unavailable`].
//! Must not hand out, without a ping first, a connection that failed, that sat idle for
//! [`PING_AFTER_IDLE`] or longer, or that last answered before another one was found broken.

use crate::{DatabaseConfig, PersistenceError, Result, SessionLimits};
use diesel::connection::{Instrumentation, InstrumentationEvent, get_default_instrumentation};
use diesel::pg::PgConnection;
use diesel::r2d2::{
    ConnectionManager, CustomizeConnection, ManageConnection, Pool, PooledConnection,
};
use diesel::{Connection, RunQueryDsl, connection::SimpleConnection};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A pooled connection.
pub type PooledPg = PooledConnection<Manager>;

/// How long a connection may sit unused in the pool and still be handed out without a ping.
pub const PING_AFTER_IDLE: Duration = Duration::from_secs(10);

/// The database a service talks to: its configuration and a pool of connections.
///
/// Cheap to clone (the pool is shared). Building it does not connect: the pool connects on
/// demand, so a service can start while the database is down and recover when it comes back.
#[derive(Clone)]
pub struct Database {
    config: DatabaseConfig,
    pool: Pool<Manager>,
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
        let manager = Manager {
            diesel: ConnectionManager::<PgConnection>::new(config.connection_url()),
            last_loss: Mutex::new(Instant::now()),
        };
        let pool = Pool::builder()
            .max_size(config.pool_max)
            .min_idle(Some(0))
            .connection_timeout(config.connect_timeout)
            // The manager decides whether the check-out costs a ping.
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

    /// A connection from the pool that has just answered `SELECT 1`, whether or not the pool
    /// would have pinged it (for health checks). One the pool handed out unpinged and that turns
    /// out dead is discarded, and the next check-out pings or reconnects: a database that cannot
    /// be reached is [`PersistenceError::Unavailable`], not a failed query.
    pub fn conn_pinged(&self) -> Result<PooledPg> {
        let mut conn = self.conn()?;
        if diesel::sql_query("SELECT 1").execute(&mut conn).is_ok() {
            return Ok(conn);
        }
        drop(conn);
        self.conn()
    }

    /// Checks that the database answers: a pooled connection and `SELECT 1`.
    pub fn ping(&self) -> Result<()> {
        self.conn_pinged().map(drop)
    }
}

/// Sets the limits on each session the pool opens (once per session, not per checkout), and
/// gives it the `Liveness` record the [`Manager`] reads.
#[derive(Debug)]
struct ApplyLimits(String);

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for ApplyLimits {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(&self.0)
            .map_err(diesel::r2d2::Error::QueryError)?;
        conn.set_instrumentation(Liveness {
            answered: Instant::now(),
            doubt: false,
            inner: get_default_instrumentation(),
        });
        Ok(())
    }
}

/// Diesel's connection manager, except for the check-out ping (`SELECT 1`, one of a
/// submission's round trips): it is sent only when the connection may be dead. That is when its
/// last statement failed, when it last answered [`PING_AFTER_IDLE`] ago or more, when it last
/// answered before the pool last found a connection broken (a server restart kills every
/// session, not one), or when it has no `Liveness` record (someone replaced its
/// instrumentation). A connection that a statement found closed is
/// discarded when it comes back (Diesel's `has_broken`: libpq no longer knows its transaction
/// state), and the caller got [`PersistenceError::Transient`]: the app's service retries a
/// write whole, and its HTTP reads and token check read once more; another caller of this
/// crate sees the transient error (retryable) once per connection lost.
pub struct Manager {
    diesel: ConnectionManager<PgConnection>,
    last_loss: Mutex<Instant>,
}

impl Manager {
    fn last_loss(&self) -> Instant {
        *self
            .last_loss
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl ManageConnection for Manager {
    type Connection = PgConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<PgConnection, Self::Error> {
        self.diesel.connect()
    }

    fn is_valid(&self, conn: &mut PgConnection) -> Result<(), Self::Error> {
        let last_loss = self.last_loss();
        let fresh = conn
            .instrumentation()
            .downcast_mut::<Liveness>()
            .is_some_and(|l| {
                !l.doubt && l.answered > last_loss && l.answered.elapsed() < PING_AFTER_IDLE
            });
        if fresh {
            Ok(())
        } else {
            self.diesel.is_valid(conn)
        }
    }

    fn has_broken(&self, conn: &mut PgConnection) -> bool {
        let broken = self.diesel.has_broken(conn);
        if broken {
            *self
                .last_loss
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Instant::now();
        }
        broken
    }
}

impl std::fmt::Debug for Manager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Manager").finish_non_exhaustive()
    }
}

/// What a pooled connection's own statements tell about it: when the server last answered one,
/// and whether the last one failed. Forwards every event to the instrumentation Diesel would
/// have given the connection (a test counts statements with it).
struct Liveness {
    answered: Instant,
    doubt: bool,
    inner: Option<Box<dyn Instrumentation>>,
}

impl Instrumentation for Liveness {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::FinishQuery { error, .. } = &event {
            self.doubt = error.is_some();
            if error.is_none() {
                self.answered = Instant::now();
            }
        }
        if let Some(inner) = &mut self.inner {
            inner.on_connection_event(event);
        }
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

/// Runs `f` in one READ ONLY, REPEATABLE READ transaction on `conn`: every statement it sends
/// reads the database as of one instant. `f`'s own error comes back as it was; the
/// transaction's, as a [`PersistenceError`] converted into `E`.
pub fn in_snapshot<T, E: From<PersistenceError>>(
    conn: &mut PgConnection,
    f: impl FnOnce(&mut PgConnection) -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    let mut outcome = None;
    let ran = conn
        .build_transaction()
        .repeatable_read()
        .read_only()
        .run(|conn| {
            let result = f(conn);
            let failed = result.is_err();
            outcome = Some(result);
            if failed {
                Err(diesel::result::Error::RollbackTransaction)
            } else {
                Ok(())
            }
        });
    match (outcome, ran) {
        (Some(result), _) => result,
        (None, Err(e)) => Err(PersistenceError::from(e).into()),
        // `run` calls its closure unless it cannot begin, which is the arm above.
        (None, Ok(())) => Err(PersistenceError::Transient {
            reason: "the snapshot's transaction ran nothing".into(),
        }
        .into()),
    }
}
