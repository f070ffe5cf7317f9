//! [`Compliance::vitals`]: what a metrics scrape reads from the database, in two bounded
//! statements (the backlog dashboard's kept counts, then `repo::vitals`: the outbox, replication,
//! the audit chains' heads, the screening jobs' re-screenings), and [`Compliance::pool`]. Like
//! the health check it needs no caller: it answers counts, ages, chain numbers and standbys'
//! names, nothing about a person. [`Compliance::read_replica_vitals`]: the standby for reads,
//! how far behind it is and where reads went.
//!
//! Must not: write, scan the case tables, or answer a name, an amount or an entity id.

use super::{Compliance, DashboardRecord};
use crate::Result;
use crate::health::PoolFigures;
use crate::service::replica::RoutedReads;
use chrono::{DateTime, Utc};
use compliance_persistence::repo::{dashboard, vitals};
use compliance_persistence::{replayed_position, written_position};
use serde::Serialize;

/// The database's figures for a metrics scrape, as of one instant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VitalsRecord {
    /// The database's clock when it was read.
    pub as_of: DateTime<Utc>,
    /// The backlog: each queue's depth, longest wait and cases past the service level.
    pub dashboard: DashboardRecord,
    /// The events outbox.
    pub outbox: OutboxRecord,
    /// Replication, as this server's role sees it.
    pub replication: ReplicationRecord,
    /// Each audit chain's newest entry (chains without entries are absent).
    pub chains: Vec<ChainHeadRecord>,
    /// Cases the screening jobs re-screened, every job and every instance together.
    pub monitor_rescreened: i64,
}

/// The events outbox's deliveries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxRecord {
    /// Deliveries pending or being sent, counted up to [`OutboxRecord::COUNT_CAP`].
    pub open: i64,
    /// When the oldest of them was fanned out (none when none is open).
    pub oldest_open_at: Option<DateTime<Utc>>,
    /// Deliveries given up after their retries, counted up to the same cap.
    pub failed: i64,
}

impl OutboxRecord {
    /// Where the counts stop: they read partial indexes, and a runaway backlog must not make
    /// each scrape slower.
    pub const COUNT_CAP: i64 = vitals::COUNT_CAP;
}

/// Replication lag as the server read sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ReplicationRecord {
    /// A primary, with the standbys streaming from it (none without replication).
    Primary(Vec<StandbyRecord>),
    /// A standby: when the last transaction it replayed committed on the primary (none before
    /// it replayed any). Its age grows while the primary writes nothing too.
    Standby(Option<DateTime<Utc>>),
}

/// A standby streaming from the primary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StandbyRecord {
    /// Its `application_name`.
    pub name: String,
    /// Its replay lag in seconds (0 when caught up and idle); none when the service's role may
    /// not see it (it needs `pg_monitor` or `pg_read_all_stats`).
    pub replay_lag_seconds: Option<f64>,
}

/// An audit chain's newest entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainHeadRecord {
    /// The chain, 0 to 15.
    pub chain: i16,
    /// Its position: the chain's length.
    pub position: i64,
    /// When it was written.
    pub written_at: DateTime<Utc>,
}

/// The standby reads go to (`DATABASE_READ_URL`), as of a scrape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadReplicaRecord {
    /// Whether it answered now.
    pub up: bool,
    /// Bytes of WAL between its last replayed record and the primary's position read just
    /// after (0 when caught up, or when it is a primary itself); none when either could not be
    /// read.
    pub behind_bytes: Option<i64>,
    /// The reads it served, and those sent to the primary instead by reason, since the process
    /// started.
    pub routed: RoutedReads,
}

impl Compliance {
    /// The standby for reads, when one is configured: reachable, bytes behind, where reads
    /// went. Never fails: a standby or primary that does not answer is said so in the record.
    pub fn read_replica_vitals(&self) -> Option<ReadReplicaRecord> {
        let replica = self.service.replica()?;
        let replayed = replica
            .database()
            .conn()
            .ok()
            .and_then(|mut conn| replayed_position(&mut conn).ok());
        let behind_bytes = match replayed {
            Some(None) => Some(0),
            Some(Some(replayed)) => self
                .service
                .database()
                .conn()
                .ok()
                .and_then(|mut conn| written_position(&mut conn).ok())
                .map(|written| (written.0 - replayed.0).max(0)),
            None => None,
        };
        Some(ReadReplicaRecord {
            up: replayed.is_some(),
            behind_bytes,
            routed: replica.routed(),
        })
    }

    /// The database's figures for a metrics scrape: two statements on one pooled connection
    /// (read once more on a dead one), and the pool's figures. Needs no caller: see the module.
    pub fn vitals(&self) -> Result<VitalsRecord> {
        let (board, read) = self
            .service
            .read(|conn| Ok((dashboard::read(conn)?, vitals::read(conn)?)))?;
        let replication = if read.in_recovery {
            ReplicationRecord::Standby(read.last_replayed_commit)
        } else {
            ReplicationRecord::Primary(
                read.standbys
                    .iter()
                    .map(|s| StandbyRecord {
                        name: s.name.clone(),
                        replay_lag_seconds: s.replay_lag_seconds,
                    })
                    .collect(),
            )
        };
        Ok(VitalsRecord {
            as_of: read.as_of,
            dashboard: DashboardRecord::from(board),
            outbox: OutboxRecord {
                open: read.outbox_open,
                oldest_open_at: read.outbox_oldest_open,
                failed: read.outbox_failed,
            },
            replication,
            chains: read
                .chains
                .iter()
                .map(|c| ChainHeadRecord {
                    chain: c.chain,
                    position: c.position,
                    written_at: c.written_at,
                })
                .collect(),
            monitor_rescreened: read.monitor_rescreened,
        })
    }

    /// The pool's figures now, read in this process (no statement: it answers when the
    /// database does not).
    pub fn pool(&self) -> PoolFigures {
        PoolFigures::from(self.service.database().stats())
    }
}
