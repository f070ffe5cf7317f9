//! What a metrics scrape reads from the database besides the dashboard: the outbox's backlog
//! and failed deliveries, replication lag as this server's role sees it, each audit chain's
//! head, and the screening jobs' re-screenings, in one statement of bounded reads (partial
//! indexes, one probe per chain, capped counts), never a scan of the case tables.
//!
//! Must not: write, or read anything that names a person: counts, ages, chain numbers and
//! standbys' `application_name` only.

use crate::Result;
use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Double, Nullable, Text, Timestamptz};

/// The largest count of open or failed deliveries a scrape reports: beyond it the count stops
/// (it reads a partial index, and a runaway backlog must not make each scrape slower).
pub const COUNT_CAP: i64 = 100_000;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    section: String,
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
    #[diesel(sql_type = Nullable<Double>)]
    value: Option<f64>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    at: Option<DateTime<Utc>>,
}

/// One statement, one row per figure. `pg_stat_replication` hides a standby's state and lags
/// from a role without `pg_read_all_stats`: such a standby has no lag (`None`), not zero; a
/// standby whose lag is NULL while its state shows (caught up and idle) is at zero.
const VITALS_SQL: &str = "\
SELECT 'outbox_open' AS section, NULL::text AS name, \
       (SELECT count(*) FROM (SELECT 1 FROM event_deliveries WHERE state IN ('pending', 'sending') LIMIT 100000) o)::float8 AS value, \
       (SELECT created_at FROM event_deliveries WHERE state IN ('pending', 'sending') ORDER BY id LIMIT 1) AS at \
UNION ALL \
SELECT 'outbox_failed', NULL, \
       (SELECT count(*) FROM (SELECT 1 FROM event_deliveries WHERE state = 'failed' LIMIT 100000) f)::float8, NULL \
UNION ALL \
SELECT 'in_recovery', NULL, CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END::float8, \
       CASE WHEN pg_is_in_recovery() THEN pg_last_xact_replay_timestamp() END \
UNION ALL \
SELECT 'standby', application_name, \
       CASE WHEN state IS NOT NULL THEN coalesce(extract(epoch FROM replay_lag), 0) END::float8, NULL \
  FROM pg_stat_replication \
UNION ALL \
SELECT 'chain', c::text, h.position::float8, h.created_at \
  FROM generate_series(0, 15) c \
  CROSS JOIN LATERAL (SELECT coalesce(a.chain_position, a.id) AS position, a.created_at FROM audit_logs a \
       WHERE a.chain = c ORDER BY coalesce(a.chain_position, a.id) DESC LIMIT 1) h \
UNION ALL \
SELECT 'rescreened', NULL, coalesce(sum(rescreened), 0)::float8, NULL FROM screening_jobs \
UNION ALL \
SELECT 'now', NULL, NULL, now()";

/// A standby streaming from this server.
#[derive(Debug, Clone, PartialEq)]
pub struct Standby {
    /// Its `application_name` (the node's name, e.g. pg_auto_failover's `pgautofailover_standby_2`).
    pub name: String,
    /// Its replay lag in seconds (0 when caught up); `None` when this role may not see it.
    pub replay_lag_seconds: Option<f64>,
}

/// An audit chain's newest entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    /// The chain, 0 to 15.
    pub chain: i16,
    /// Its position (the chain's length).
    pub position: i64,
    /// When it was written.
    pub written_at: DateTime<Utc>,
}

/// The figures, as of one statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Vitals {
    /// The database's clock.
    pub as_of: DateTime<Utc>,
    /// Deliveries pending or being sent (at most [`COUNT_CAP`]).
    pub outbox_open: i64,
    /// When the oldest of them was fanned out.
    pub outbox_oldest_open: Option<DateTime<Utc>>,
    /// Deliveries given up (at most [`COUNT_CAP`]).
    pub outbox_failed: i64,
    /// True on a standby (in recovery).
    pub in_recovery: bool,
    /// On a standby: when the last replayed transaction committed on the primary.
    pub last_replayed_commit: Option<DateTime<Utc>>,
    /// On a primary: its standbys (none without replication).
    pub standbys: Vec<Standby>,
    /// The chains that hold entries, in chain order.
    pub chains: Vec<ChainHead>,
    /// Cases the screening jobs re-screened, all jobs together.
    pub monitor_rescreened: i64,
}

/// Reads the figures (one statement).
pub fn read(conn: &mut PgConnection) -> Result<Vitals> {
    let rows: Vec<Row> = diesel::sql_query(VITALS_SQL).load(conn)?;
    let mut vitals = Vitals {
        as_of: Utc::now(),
        outbox_open: 0,
        outbox_oldest_open: None,
        outbox_failed: 0,
        in_recovery: false,
        last_replayed_commit: None,
        standbys: Vec::new(),
        chains: Vec::new(),
        monitor_rescreened: 0,
    };
    // Counts travel as float8 (one value column for every figure); they are whole numbers well
    // within f64's exact integers.
    #[allow(clippy::cast_possible_truncation)]
    let whole = |v: Option<f64>| v.unwrap_or(0.0).round() as i64;
    for row in rows {
        match row.section.as_str() {
            "outbox_open" => {
                vitals.outbox_open = whole(row.value);
                vitals.outbox_oldest_open = row.at;
            }
            "outbox_failed" => vitals.outbox_failed = whole(row.value),
            "in_recovery" => {
                vitals.in_recovery = whole(row.value) == 1;
                vitals.last_replayed_commit = row.at;
            }
            "standby" => vitals.standbys.push(Standby {
                name: row.name.unwrap_or_default(),
                replay_lag_seconds: row.value,
            }),
            "chain" => {
                if let (Some(chain), Some(at)) = (row.name.and_then(|n| n.parse().ok()), row.at) {
                    vitals.chains.push(ChainHead {
                        chain,
                        position: whole(row.value),
                        written_at: at,
                    });
                }
            }
            "rescreened" => vitals.monitor_rescreened = whole(row.value),
            "now" => vitals.as_of = row.at.unwrap_or(vitals.as_of),
            _ => {}
        }
    }
    Ok(vitals)
}
