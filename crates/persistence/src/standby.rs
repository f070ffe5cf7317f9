//! Where a standby stands against its primary, in WAL positions, and answers from rows a
//! transaction did not write with a synchronous standby behind the primary (`cargo xtask
//! cluster`).
//!
//! A COMMIT waits for the standby only when the transaction has a transaction id; one that only
//! read (a submission answered from the case its idempotency key already names) would otherwise
//! return at once, even when the rows it read were committed on a primary restarted after a
//! crash and never reached the standby, and the failover that follows drops them: an answer the
//! client was given, lost. [`commit_waits_for_standby`] gives it one.
//!
//! A read sent to a standby sees a caller's own write only once the standby has replayed past
//! it: [`written_position`] on the primary after the write committed, [`replayed_position`] on
//! the standby before the read's snapshot is taken (replay only moves forward, so a snapshot
//! taken after a position was reached includes everything before it).
//!
//! Must not: be skipped on a path that answers from stored rows without locking or writing
//! (a row lock, `FOR UPDATE`, already gives the transaction its id).

use crate::Result;
use diesel::pg::PgConnection;
use diesel::sql_types::{BigInt, Nullable};
use diesel::{QueryableByName, RunQueryDsl, sql_query};

/// Gives the transaction on `conn` its transaction id, so that its COMMIT writes a commit
/// record and waits for the synchronous standby (under `synchronous_commit`) until everything
/// before it in the WAL, the rows read included, is there too. Costs one round trip.
pub fn commit_waits_for_standby(conn: &mut PgConnection) -> Result<()> {
    sql_query("SELECT pg_current_xact_id()").execute(conn)?;
    Ok(())
}

/// A position in the write-ahead log (a `pg_lsn`, as bytes from its start): positions on the
/// primary and on its standbys compare, across a failover's new timeline too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WalPosition(pub i64);

#[derive(QueryableByName)]
struct Position {
    #[diesel(sql_type = Nullable<BigInt>)]
    position: Option<i64>,
}

/// The primary's WAL position now: every transaction committed before this call (on any
/// session: a COMMIT returns only once its record is flushed here) lies before it. Outside a
/// transaction, after the write's COMMIT. On a standby PostgreSQL refuses it (`55000`).
pub fn written_position(conn: &mut PgConnection) -> Result<WalPosition> {
    let row: Position =
        sql_query("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint AS position")
            .get_result(conn)?;
    Ok(WalPosition(row.position.unwrap_or(0)))
}

/// How far the server on `conn` has replayed: `None` on a primary (nothing to wait for: it
/// has every commit it acknowledged), the position of the last record replayed on a standby.
pub fn replayed_position(conn: &mut PgConnection) -> Result<Option<WalPosition>> {
    let row: Position = sql_query(
        "SELECT CASE WHEN pg_is_in_recovery() \
                THEN coalesce((pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint, 0) END \
         AS position",
    )
    .get_result(conn)?;
    Ok(row.position.map(WalPosition))
}
