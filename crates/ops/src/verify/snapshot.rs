//! One consistent view of the database for every connection `verify` uses: the first opens a
//! REPEATABLE READ, READ ONLY transaction and exports its snapshot; each helper opens one of
//! its own and imports it (`SET TRANSACTION SNAPSHOT`), so that every check, on whichever
//! connection, reads the database as it was at one instant, whatever commits meanwhile.
//!
//! Must not: write (every transaction here is READ ONLY), or let a failed statement end the
//! transaction for the checks after it: each check runs in a savepoint of its own.

use compliance_persistence::diesel::{Connection, PgConnection, RunQueryDsl, sql_query};
use compliance_persistence::{DatabaseConfig, SessionLimits};
use compliance_persistence::{PersistenceError, connect_with_limits};
use diesel::QueryableByName;
use std::sync::mpsc::Sender;

/// Runs `f` in a REPEATABLE READ, READ ONLY transaction whose snapshot is exported: `f` gets the
/// snapshot's name, or `None` when the server cannot export one (the checks then run on this
/// connection alone, still on one snapshot). An error is returned only if `f` could not run: a
/// read-only transaction that fails to end after it loses nothing.
pub(super) fn exported(
    conn: &mut PgConnection,
    f: impl FnOnce(&mut PgConnection, Option<&str>),
) -> Result<(), PersistenceError> {
    #[derive(QueryableByName)]
    struct Exported {
        #[diesel(sql_type = diesel::sql_types::Text)]
        snapshot: String,
    }
    let mut f = Some(f);
    let mut run = |export: bool| {
        conn.build_transaction()
            .repeatable_read()
            .read_only()
            .run(|conn| {
                // The first statement: a subtransaction (a savepoint) cannot export.
                let snapshot = if export {
                    let exported = sql_query("SELECT pg_export_snapshot() AS snapshot")
                        .get_result::<Exported>(conn)?
                        .snapshot;
                    // A snapshot's name is hex digits and dashes; anything else is not quoted
                    // into SQL.
                    Some(exported).filter(|s| s.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
                } else {
                    None
                };
                let f = f.take().ok_or(diesel::result::Error::RollbackTransaction)?;
                f(conn, snapshot.as_deref());
                Ok::<_, diesel::result::Error>(())
            })
    };
    // A server that cannot export (a standby of an old version) still gets one snapshot: on
    // this connection alone.
    let Err(first) = run(true) else {
        return Ok(());
    };
    match run(false) {
        Ok(()) => Ok(()),
        Err(_) if f.is_none() => Ok(()),
        Err(_) => Err(first.into()),
    }
}

/// A helper's connection: connects with `limits`, imports `snapshot`, says so on `imported`
/// (whether it worked or not, so that the exporter never waits for nothing), then runs `work`.
/// A helper that cannot connect or import runs nothing: the others take its share.
pub(super) fn imported(
    config: &DatabaseConfig,
    limits: &SessionLimits,
    snapshot: &str,
    imported: Sender<()>,
    work: impl FnOnce(&mut PgConnection),
) {
    let Ok(mut conn) = connect_with_limits(config, limits) else {
        let _ = imported.send(());
        return;
    };
    let _ = conn
        .build_transaction()
        .repeatable_read()
        .read_only()
        .run(|conn| {
            let joined = sql_query(format!("SET TRANSACTION SNAPSHOT '{snapshot}'")).execute(conn);
            let _ = imported.send(());
            joined?;
            work(conn);
            Ok::<_, diesel::result::Error>(())
        });
}

/// Why a savepoint was rolled back.
enum Aborted {
    /// The check's own failure (its query failed).
    Check(String),
    /// The savepoint itself failed.
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for Aborted {
    fn from(error: diesel::result::Error) -> Self {
        Aborted::Database(error)
    }
}

/// Runs one check in a savepoint, rolled back when its query failed, so that the transaction
/// (and the snapshot) stays usable for the checks after it.
pub(super) fn in_savepoint<T>(
    conn: &mut PgConnection,
    check: impl FnOnce(&mut PgConnection) -> Result<T, String>,
) -> Result<T, String> {
    conn.transaction(|conn| check(conn).map_err(Aborted::Check))
        .map_err(|e| match e {
            Aborted::Check(message) => message,
            Aborted::Database(e) => format!("query failed: {e}"),
        })
}
