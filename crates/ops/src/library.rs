//! The decision layer, as the operations reach it: a [`Compliance`] over the database an
//! operation was given, so that seeding submits its cases through the same code, checks and
//! audit entries as real ones.
//!
//! Must not: print the connection's password (the configuration is passed on, never shown).

use compliance_app::{AppError, Compliance, Config};
use compliance_persistence::DatabaseConfig;

/// A [`Compliance`] over the database `config` names, with its pool's size and wait.
pub fn compliance_over(config: &DatabaseConfig) -> Result<Compliance, AppError> {
    let config = Config::from_url(&config.connection_url())
        .map_err(|e| AppError::Internal(format!("the database configuration: {e}")))?
        .pool_max(config.pool_max)
        .connect_timeout(config.connect_timeout);
    Ok(Compliance::new(&config))
}
