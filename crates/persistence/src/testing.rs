//! Test databases on the real server: each test gets its own database, cloned from a template
//! that is migrated once per version of the migrations, and dropped when the test ends.
//!
//! Must not: be used outside tests (it is behind the `testing` feature), or touch any database
//! but the ones it creates: `compliance_tpl_*` templates and `compliance_test_*` clones.

// A test-support failure is a failed test; panicking with a clear message is the point.
#![allow(clippy::expect_used, clippy::panic)]

mod password_catcher;

pub use password_catcher::PasswordCatcher;

use crate::{Database, DatabaseConfig, connect, migrations};
use diesel::pg::PgConnection;
use diesel::{Connection, RunQueryDsl, sql_query};
use std::sync::OnceLock;

/// A database of its own for one test, dropped (with `FORCE`) when this value is dropped.
pub struct TestDatabase {
    config: DatabaseConfig,
    name: String,
}

/// The server tests run against: `DATABASE_URL` or the `DATABASE_*` variables, default the
/// local one.
pub fn server() -> DatabaseConfig {
    DatabaseConfig::from_env().expect("DATABASE_URL / DATABASE_* must be valid to run tests")
}

fn admin() -> PgConnection {
    let config = server().with_database("postgres");
    connect(&config).unwrap_or_else(|e| {
        panic!("tests need PostgreSQL: {e} (start it, or run .ci/ensure-postgres)")
    })
}

fn execute(conn: &mut PgConnection, sql: &str) {
    sql_query(sql)
        .execute(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Templates of other migration versions kept on the server (see [`template`]).
const KEPT_TEMPLATES: usize = 8;

/// The migrated template for this version of the migrations, built once by whichever test
/// process gets there first (an advisory lock keeps the others waiting).
fn template() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let name = format!("compliance_tpl_{}", migrations::FINGERPRINT);
        ensure_template(&name);
        name
    })
}

/// Builds the template `name` unless it exists (again, if another checkout's run dropped it).
fn ensure_template(name: &str) {
    let mut conn = admin();
    execute(&mut conn, "SELECT pg_advisory_lock(7355608)");
    let exists: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
        "EXISTS (SELECT 1 FROM pg_database WHERE datname = '{name}')"
    )))
    .get_result(&mut conn)
    .expect("pg_database is readable");
    if !exists {
        // Build under a temporary name and rename when complete, so that a crash half-way
        // never leaves a half-migrated template behind.
        let building = format!("{name}_building");
        execute(
            &mut conn,
            &format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"),
        );
        execute(&mut conn, &format!("CREATE DATABASE \"{building}\""));
        {
            let mut db = connect(&server().with_database(&building)).expect("template connects");
            migrations::run_pending(&mut db).expect("migrations run on the template");
        }
        execute(
            &mut conn,
            &format!("ALTER DATABASE \"{building}\" RENAME TO \"{name}\""),
        );
        // Templates of other migrations may belong to another checkout testing on the same
        // server at this moment (a branch with a migration of its own): dropping them would
        // fail its clones. Keep the newest few (by oid, which rises), drop older ones.
        let stale: Vec<String> = diesel::select(diesel::dsl::sql::<
            diesel::sql_types::Array<diesel::sql_types::Text>,
        >(&format!(
            "coalesce(array_agg(datname), '{{}}') FROM (SELECT datname FROM pg_database
              WHERE datname LIKE 'compliance\\_tpl\\_%' AND datname <> '{name}'
              ORDER BY oid DESC OFFSET {KEPT_TEMPLATES}) old"
        )))
        .get_result(&mut conn)
        .expect("pg_database is readable");
        for old in stale {
            execute(
                &mut conn,
                &format!("DROP DATABASE IF EXISTS \"{old}\" WITH (FORCE)"),
            );
        }
    }
    execute(&mut conn, "SELECT pg_advisory_unlock(7355608)");
}

impl TestDatabase {
    /// A fresh database with every migration applied.
    pub fn new() -> Self {
        Self::create(Some(template()))
    }

    /// A fresh, empty database (no migrations), e.g. to test migrations or provisioning.
    pub fn empty() -> Self {
        Self::create(None)
    }

    fn create(template: Option<&str>) -> Self {
        let name = format!("compliance_test_{}", uuid::Uuid::new_v4().simple());
        let sql = match template {
            Some(t) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{t}\""),
            None => format!("CREATE DATABASE \"{name}\""),
        };
        let mut conn = admin();
        // Two clones of one template at the same moment can collide on PostgreSQL's check that
        // nobody else uses the template; that clears within milliseconds, so try again.
        let mut attempt = 0;
        loop {
            match sql_query(&sql).execute(&mut conn) {
                Ok(_) => break,
                Err(e)
                    if attempt < 20 && e.to_string().contains("being accessed by other users") =>
                {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50 * attempt));
                }
                // A test run of another checkout (other migrations) dropped it: build it again.
                Err(e) if attempt < 20 && e.to_string().contains("does not exist") => {
                    attempt += 1;
                    if let Some(t) = template {
                        ensure_template(t);
                    }
                }
                Err(e) => panic!("{sql}: {e}"),
            }
        }
        Self {
            config: server().with_database(&name),
            name,
        }
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its configuration (the test server, this database).
    pub fn config(&self) -> &DatabaseConfig {
        &self.config
    }

    /// A new connection to it.
    pub fn conn(&self) -> PgConnection {
        connect(&self.config).expect("the test database accepts connections")
    }

    /// A pooled handle on it, as a service would hold.
    pub fn database(&self) -> Database {
        Database::new(self.config.clone())
    }
}

impl Default for TestDatabase {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Best effort: a failure to drop must not hide the test's own result.
        if let Ok(mut conn) =
            PgConnection::establish(&server().with_database("postgres").connection_url())
        {
            let _ = sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}
