#![doc = include_str!("../README.md")]

pub mod catalog;
mod config;
mod convert;
pub mod embedded;
mod error;
pub mod migrations;
mod pool;
pub mod repo;
#[allow(missing_docs)] // Written by `diesel print-schema`; never edited by hand.
pub mod schema;
mod standby;
#[cfg(feature = "testing")]
pub mod testing;
pub mod views;

pub use config::{
    ConfigError, DatabaseConfig, MAX_NAME_BYTES, READ_WAIT_MS, ReplicaConfig, SessionLimits,
    database_name_problem, defaults,
};
pub use convert::OptionalExt;
pub use error::{PersistenceError, Result};
pub use pool::{Database, PoolStats, PooledPg, connect, connect_with_limits, in_snapshot};
pub use standby::{WalPosition, commit_waits_for_standby, replayed_position, written_position};

/// Re-exported so that callers use the same Diesel as the schema.
pub use diesel;
