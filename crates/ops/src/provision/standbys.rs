//! Provisioning through a primary with standbys (a `cargo xtask cluster`, or a URL naming
//! several servers): which server the connection reached, and waiting until every standby has
//! replayed a database just created. libpq tries a URL's servers in order and stops at the
//! first that lets it in: a standby that has not yet replayed `CREATE DATABASE` answers "no
//! such database", and the migration step's connection would stop there.
//!
//! Must not: wait without a bound, or write anything.

use compliance_persistence::PersistenceError;
use compliance_persistence::diesel::sql_types::{BigInt, Integer, Nullable, Text};
use compliance_persistence::diesel::{PgConnection, RunQueryDsl, sql_query};
use std::time::{Duration, Instant};

/// How long a standby may take to replay the new database before provisioning gives up.
const REPLAY_WAIT: Duration = Duration::from_secs(30);

/// `host:port` of the server `conn` reached over TCP (`None` over a Unix socket).
pub(super) fn reached(conn: &mut PgConnection) -> Result<Option<String>, PersistenceError> {
    #[derive(diesel::QueryableByName)]
    struct Reached {
        #[diesel(sql_type = Nullable<Text>)]
        host: Option<String>,
        #[diesel(sql_type = Nullable<Integer>)]
        port: Option<i32>,
    }
    let r: Reached =
        sql_query("SELECT host(inet_server_addr()) AS host, inet_server_port() AS port")
            .get_result(conn)?;
    Ok(r.host
        .zip(r.port)
        .map(|(host, port)| format!("{host}:{port}")))
}

/// Waits until every standby streaming from the server `admin` is connected to has replayed
/// its WAL as it is now; returns how many there are (none: returns at once).
pub(super) fn wait_for_replay(admin: &mut PgConnection) -> Result<i64, PersistenceError> {
    #[derive(diesel::QueryableByName)]
    struct Behind {
        #[diesel(sql_type = BigInt)]
        standbys: i64,
        #[diesel(sql_type = BigInt)]
        behind: i64,
    }
    #[derive(diesel::QueryableByName)]
    struct Lsn {
        #[diesel(sql_type = Text)]
        lsn: String,
    }
    let Lsn { lsn } = sql_query("SELECT pg_current_wal_lsn()::text AS lsn").get_result(admin)?;
    let started = Instant::now();
    loop {
        let b: Behind = sql_query(
            "SELECT count(*) AS standbys, \
                    count(*) FILTER (WHERE replay_lsn IS NULL OR replay_lsn < $1::pg_lsn) AS behind \
             FROM pg_stat_replication",
        )
        .bind::<Text, _>(&lsn)
        .get_result(admin)?;
        if b.behind == 0 {
            return Ok(b.standbys);
        }
        if started.elapsed() >= REPLAY_WAIT {
            return Err(PersistenceError::Unavailable {
                target: reached(admin).ok().flatten().unwrap_or_default(),
                reason: format!(
                    "{} of {} standbys had not replayed the new database after {}s (see pg_stat_replication)",
                    b.behind,
                    b.standbys,
                    REPLAY_WAIT.as_secs()
                ),
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
