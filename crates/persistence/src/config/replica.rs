//! The standby a service reads from (`DATABASE_READ_URL`, optional): its reports, queue and
//! audit reads, and `verify`. The same pool size, connection wait and session limits as the
//! primary's configuration; its own URL (one server, or several with
//! `target_session_attrs=prefer-standby`).
//!
//! Must not: show the password (the URL's password is kept as [`DatabaseConfig`] keeps it).

use super::{ConfigError, DatabaseConfig};
use std::time::Duration;

/// `DATABASE_READ_WAIT_MS` when unset: how long a read waits for the standby to replay its
/// caller's last write before it is read from the primary instead.
pub const READ_WAIT_MS: u64 = 250;

/// A standby to send reads to, and how long a read waits for it to catch up with its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaConfig {
    /// The standby's connection (pool size, wait and limits copied from the primary's).
    pub database: DatabaseConfig,
    /// The longest wait for the standby to replay past a caller's last write
    /// (`DATABASE_READ_WAIT_MS`, 0 to 10,000); past it the read goes to the primary.
    pub wait: Duration,
}

impl DatabaseConfig {
    /// The standby for reads the environment names (`DATABASE_READ_URL`,
    /// `DATABASE_READ_WAIT_MS`), none when `DATABASE_READ_URL` is unset or empty.
    pub fn replica_from_env(&self) -> Result<Option<ReplicaConfig>, ConfigError> {
        self.replica_from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Like [`DatabaseConfig::replica_from_env`], reading variables through `lookup`.
    pub fn replica_from_lookup(
        &self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<ReplicaConfig>, ConfigError> {
        let Some(url) = lookup("DATABASE_READ_URL") else {
            return Ok(None);
        };
        let mut database = Self::from_url(&url).map_err(|e| match e {
            ConfigError::Url(reason) | ConfigError::Encoding(reason) => {
                ConfigError::ReadUrl(reason)
            }
            other => other,
        })?;
        database.pool_max = self.pool_max;
        database.connect_timeout = self.connect_timeout;
        database.session = self.session;
        let wait = super::number_var(
            &lookup,
            "DATABASE_READ_WAIT_MS",
            0..=10_000,
            "a number of milliseconds from 0 to 10000",
        )?
        .unwrap_or(READ_WAIT_MS);
        Ok(Some(ReplicaConfig {
            database,
            wait: Duration::from_millis(wait),
        }))
    }
}
