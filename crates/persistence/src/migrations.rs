//! The migrations in `migrations/`, embedded at build time, and the functions that run and list
//! them.
//!
//! Must not: run two migrators at once. Every run holds a PostgreSQL advisory lock, so that two
//! `provision` commands started together apply each migration once.

use crate::{PersistenceError, Result};
use diesel::pg::PgConnection;
use diesel::{RunQueryDsl, sql_query};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// Every migration of the project, embedded.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// A fingerprint of the migrations' SQL, which changes whenever any of it does.
pub const FINGERPRINT: &str = env!("MIGRATIONS_FINGERPRINT");

/// The key of the advisory lock held while migrating ("compliance-db migrate" as a number).
const LOCK_KEY: i64 = 0x636f_6d70_6d69_6772;

/// Which migrations a database has and which it lacks, by version (e.g. `20260303000000`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MigrationStatus {
    /// Applied, oldest first.
    pub applied: Vec<String>,
    /// Not yet applied, in the order they would run.
    pub pending: Vec<String>,
}

fn migration_error(error: impl std::fmt::Display) -> PersistenceError {
    PersistenceError::Migration(error.to_string())
}

/// The versions of every migration this build embeds, oldest first.
pub fn known() -> Result<Vec<String>> {
    use diesel::migration::MigrationSource;
    let mut versions: Vec<String> = MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
        .map_err(migration_error)?
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    versions.sort();
    Ok(versions)
}

/// Runs every pending migration, each in its own transaction; returns the versions applied.
pub fn run_pending(conn: &mut PgConnection) -> Result<Vec<String>> {
    with_lock(conn, |conn| {
        conn.run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(ToString::to_string).collect())
            .map_err(migration_error)
    })
}

/// Reverts every applied migration, newest first (for tests and `diesel migration redo`-like
/// checks; never run by provisioning).
pub fn revert_all(conn: &mut PgConnection) -> Result<Vec<String>> {
    with_lock(conn, |conn| {
        conn.revert_all_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(ToString::to_string).collect())
            .map_err(migration_error)
    })
}

/// Lists applied and pending migrations.
///
/// A plain SELECT, so that a read-only role or a replica can answer (Diesel's own harness
/// creates its bookkeeping table first, which needs CREATE on the schema).
pub fn status(conn: &mut PgConnection) -> Result<MigrationStatus> {
    #[derive(diesel::QueryableByName)]
    struct Version {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    #[derive(diesel::QueryableByName)]
    struct Exists {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        exists: bool,
    }
    let table: Exists =
        sql_query("SELECT to_regclass('__diesel_schema_migrations') IS NOT NULL AS exists")
            .get_result(conn)?;
    let mut applied: Vec<String> = if table.exists {
        sql_query("SELECT version::text AS version FROM __diesel_schema_migrations")
            .load::<Version>(conn)?
            .into_iter()
            .map(|v| v.version)
            .collect()
    } else {
        Vec::new()
    };
    applied.sort();
    let pending = known()?
        .into_iter()
        .filter(|v| !applied.contains(v))
        .collect();
    Ok(MigrationStatus { applied, pending })
}

fn with_lock<T>(
    conn: &mut PgConnection,
    f: impl FnOnce(&mut PgConnection) -> Result<T>,
) -> Result<T> {
    sql_query(format!("SELECT pg_advisory_lock({LOCK_KEY})")).execute(conn)?;
    let result = f(conn);
    let unlocked = sql_query(format!("SELECT pg_advisory_unlock({LOCK_KEY})")).execute(conn);
    let value = result?;
    unlocked?;
    Ok(value)
}
