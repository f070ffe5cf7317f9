//! Answers from rows a transaction did not write, with a synchronous standby behind the
//! primary (`cargo xtask cluster`). A COMMIT waits for the standby only when the transaction
//! has a transaction id; one that only read (a submission answered from the case its
//! idempotency key already names) would otherwise return at once, even when the rows it read
//! were committed on a primary restarted after a crash and never reached the standby, and the
//! failover that follows drops them: an answer the client was given, lost.
//!
//! Must not: be skipped on a path that answers from stored rows without locking or writing
//! (a row lock, `FOR UPDATE`, already gives the transaction its id).

use crate::Result;
use diesel::pg::PgConnection;
use diesel::{RunQueryDsl, sql_query};

/// Gives the transaction on `conn` its transaction id, so that its COMMIT writes a commit
/// record and waits for the synchronous standby (under `synchronous_commit`) until everything
/// before it in the WAL, the rows read included, is there too. Costs one round trip.
pub fn commit_waits_for_standby(conn: &mut PgConnection) -> Result<()> {
    sql_query("SELECT pg_current_xact_id()").execute(conn)?;
    Ok(())
}
