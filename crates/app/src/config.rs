//! How a [`crate::Compliance`] reaches its database: the connection (from `DATABASE_URL`, or
//! `DATABASE_HOST`/`PORT`/`NAME`/`USER`/`PASSWORD`), the pool's size and wait, the limits
//! set on every session, and the standby reads may go to (`DATABASE_READ_URL`). Building a `Compliance` from a `Config` does not connect: the pool
//! connects on demand, so a service can start while the database is down.
//!
//! Must not: show the password, in `Display`, `Debug` or any error.

use compliance_persistence::{ConfigError as Invalid, DatabaseConfig, ReplicaConfig};
use std::fmt;
use std::time::Duration;

/// The service's database configuration.
///
/// ```
/// use compliance_app::Config;
/// let config = Config::from_url("postgres://app:s3cret@db.internal:6432/compliance_db")?
///     .pool_max(16);
/// assert_eq!(config.to_string(), "db.internal:6432/compliance_db");
/// assert!(!format!("{config} {config:?}").contains("s3cret"));
/// # Ok::<(), compliance_app::ConfigError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    pub(crate) database: DatabaseConfig,
    /// The standby the reports, the queue and audit reads go to, when one is configured.
    pub(crate) replica: Option<ReplicaConfig>,
}

/// A configuration that cannot be used: a malformed `DATABASE_URL`, a number out of range, an
/// unusable database name. The message names the variable, never the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct ConfigError(Invalid);

impl Config {
    /// Reads the environment: `DATABASE_URL` if set, else the `DATABASE_*` parts, else the
    /// local server's defaults; `DATABASE_POOL_MAX`, `DATABASE_CONNECT_TIMEOUT` and the session
    /// limits (`DATABASE_LOCK_TIMEOUT`, `DATABASE_STATEMENT_TIMEOUT`,
    /// `DATABASE_IDLE_IN_TRANSACTION_TIMEOUT`) apply to either; and `DATABASE_READ_URL` with
    /// `DATABASE_READ_WAIT_MS` (see [`Config::replica_url`]).
    pub fn from_env() -> Result<Self, ConfigError> {
        let database = DatabaseConfig::from_env()
            .and_then(checked)
            .map_err(ConfigError)?;
        let replica = database
            .replica_from_env()
            .and_then(|r| r.map(checked_replica).transpose())
            .map_err(ConfigError)?;
        Ok(Self { database, replica })
    }

    /// From a `postgres://user:password@host:port/database?params` URL, with the default pool
    /// and session limits.
    pub fn from_url(url: &str) -> Result<Self, ConfigError> {
        DatabaseConfig::from_url(url)
            .and_then(checked)
            .map(|database| Self {
                database,
                replica: None,
            })
            .map_err(ConfigError)
    }

    /// Sends the reports, the review queue, the dashboard and audit reads to the standby at
    /// `url` (`DATABASE_READ_URL`). A caller's next such read after its own write waits for the
    /// standby to replay that write, at most [`Config::replica_wait`], and is read from the
    /// primary past it; a standby that cannot be reached is read around the same way.
    pub fn replica_url(self, url: &str) -> Result<Self, ConfigError> {
        let replica = self
            .database
            .replica_from_lookup(|name| (name == "DATABASE_READ_URL").then(|| url.to_owned()))
            .and_then(|r| r.map(checked_replica).transpose())
            .map_err(ConfigError)?;
        Ok(Self { replica, ..self })
    }

    /// How long a read waits for the standby to replay its caller's last write
    /// (`DATABASE_READ_WAIT_MS`; without a standby it changes nothing).
    #[must_use]
    pub fn replica_wait(mut self, wait: Duration) -> Self {
        if let Some(replica) = &mut self.replica {
            replica.wait = wait;
        }
        self
    }

    /// At most `connections` pooled connections (1 or more).
    #[must_use]
    pub fn pool_max(mut self, connections: u32) -> Self {
        self.database.pool_max = connections.max(1);
        if let Some(replica) = &mut self.replica {
            replica.database.pool_max = connections.max(1);
        }
        self
    }

    /// How long a call waits for a pooled connection before it fails as unavailable.
    #[must_use]
    pub fn connect_timeout(mut self, wait: Duration) -> Self {
        self.database.connect_timeout = wait;
        if let Some(replica) = &mut self.replica {
            replica.database.connect_timeout = wait;
        }
        self
    }

    /// The largest number of pooled connections.
    pub fn connections(&self) -> u32 {
        self.database.pool_max
    }
}

fn checked(config: DatabaseConfig) -> Result<DatabaseConfig, Invalid> {
    config.check_name().map(|()| config)
}

fn checked_replica(replica: ReplicaConfig) -> Result<ReplicaConfig, Invalid> {
    replica.database.check_name().map(|()| replica)
}

/// `host:port/database`, and `(reads: host:port/database)` with a standby for reads: what
/// logs name the database by.
impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.database.target())?;
        match &self.replica {
            Some(replica) => write!(f, " (reads: {})", replica.database.target()),
            None => Ok(()),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("target", &self.database.target())
            .field("pool_max", &self.database.pool_max)
            .field("connect_timeout", &self.database.connect_timeout)
            .field(
                "reads",
                &self.replica.as_ref().map(|r| (r.database.target(), r.wait)),
            )
            .finish_non_exhaustive()
    }
}
