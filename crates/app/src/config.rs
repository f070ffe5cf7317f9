//! How a [`crate::Compliance`] reaches its database: the connection (from `DATABASE_URL`, or
//! `DATABASE_HOST`/`PORT`/`NAME`/`USER`/`PASSWORD`), the pool's size and wait, and the limits
//! set on every session. Building a `Compliance` from a `Config` does not connect: the pool
//! connects on demand, so a service can start while the database is down.
//!
//! Must not: show the password, in `Display`, `Debug` or any error.

use compliance_persistence::{ConfigError as Invalid, DatabaseConfig};
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
    /// `DATABASE_IDLE_IN_TRANSACTION_TIMEOUT`) apply to either.
    pub fn from_env() -> Result<Self, ConfigError> {
        DatabaseConfig::from_env()
            .and_then(checked)
            .map(|database| Self { database })
            .map_err(ConfigError)
    }

    /// From a `postgres://user:password@host:port/database?params` URL, with the default pool
    /// and session limits.
    pub fn from_url(url: &str) -> Result<Self, ConfigError> {
        DatabaseConfig::from_url(url)
            .and_then(checked)
            .map(|database| Self { database })
            .map_err(ConfigError)
    }

    /// At most `connections` pooled connections (1 or more).
    #[must_use]
    pub fn pool_max(mut self, connections: u32) -> Self {
        self.database.pool_max = connections.max(1);
        self
    }

    /// How long a call waits for a pooled connection before it fails as unavailable.
    #[must_use]
    pub fn connect_timeout(mut self, wait: Duration) -> Self {
        self.database.connect_timeout = wait;
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

/// `host:port/database`: what logs name the database by.
impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.database.target())
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("target", &self.database.target())
            .field("pool_max", &self.database.pool_max)
            .field("connect_timeout", &self.database.connect_timeout)
            .finish_non_exhaustive()
    }
}
