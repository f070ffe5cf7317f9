//! Reads sent to a standby (`DATABASE_READ_URL`): the reports, the review queue, the dashboard
//! and audit reads ([`ComplianceService::read_replica`]), with read-your-writes. After a user's
//! write commits, the primary's WAL position is kept for that user
//! ([`ComplianceService::run`] calls [`Replica::wrote`]); that user's next read on the standby
//! first waits, at most the configured bound, for the standby to replay past it, and is read
//! from the primary when it has not. A standby that cannot be reached, or whose read fails
//! transiently (a recovery conflict cancels it, its connection is lost), is read around the
//! same way. Every such fallback is counted by reason, for the metrics.
//!
//! Must not: answer from a standby a read that does not see its caller's own committed write,
//! or turn a standby's trouble into an error when the primary can answer.

use super::ComplianceService;
use crate::Result;
use compliance_domain::UserId;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::{Database, WalPosition, replayed_position, written_position};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The standby reads go to, the positions its readers wait for, and what was routed where.
pub(crate) struct Replica {
    db: Database,
    wait: Duration,
    /// Each user's last write.
    written: Mutex<HashMap<UserId, Written>>,
    /// Orders the reads of positions and their keeping (see [`Replica::wrote`]).
    ticket: AtomicU64,
    counts: RoutedCounts,
}

/// A user's last write: the primary's WAL position after it committed, or unknown (it could
/// not be read: that user reads from the primary), and when it was kept.
#[derive(Clone, Copy)]
struct Written {
    position: Option<WalPosition>,
    at: u64,
}

/// Reads served by the standby, and reads sent to the primary instead, by reason.
#[derive(Default)]
struct RoutedCounts {
    replica: AtomicU64,
    behind: AtomicU64,
    unavailable: AtomicU64,
    failed: AtomicU64,
}

/// How many reads the standby served, and how many went to the primary and why, since the
/// process started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct RoutedReads {
    /// Served by the standby.
    pub replica: u64,
    /// Read from the primary: the standby had not replayed the caller's last write within the
    /// wait (or its position was unknown).
    pub behind: u64,
    /// Read from the primary: no connection to the standby.
    pub unavailable: u64,
    /// Read from the primary: the read failed on the standby (a recovery conflict, a lost
    /// connection).
    pub failed: u64,
}

/// Why a read left the standby for the primary.
#[derive(Debug, Clone, Copy)]
enum Fallback {
    Behind,
    Unavailable,
    Failed,
}

impl Replica {
    /// Reads on `db`, waiting at most `wait` for a caller's last write.
    pub(crate) fn new(db: Database, wait: Duration) -> Self {
        Self {
            db,
            wait,
            written: Mutex::default(),
            ticket: AtomicU64::new(0),
            counts: RoutedCounts::default(),
        }
    }

    /// The standby's pool.
    pub(crate) fn database(&self) -> &Database {
        &self.db
    }

    /// Keeps `by`'s last write: `conn` is the primary connection that just committed it. A
    /// position that cannot be read leaves `by` reading from the primary until a later write's
    /// position is known; the write itself stands.
    pub(crate) fn wrote(&self, conn: &mut PgConnection, by: UserId) {
        let began = self.ticket.fetch_add(1, Ordering::SeqCst);
        let position = written_position(conn).ok();
        if position.is_none() {
            tracing::debug!(user = %by, "write position unknown: reads go to the primary");
        }
        let mut written = self.written.lock().unwrap_or_else(PoisonError::into_inner);
        let at = self.ticket.fetch_add(1, Ordering::SeqCst);
        let kept = written.entry(by).or_insert(Written { position, at });
        match (kept.position, position) {
            // Two writes of one user at once: the furthest.
            (Some(a), Some(b)) => kept.position = Some(a.max(b)),
            (_, None) => *kept = Written { position, at },
            // A position read after an unknown one was kept lies past that write's commit
            // (which came before it was kept); one read earlier may not.
            (None, Some(_)) if began > kept.at => *kept = Written { position, at },
            (None, Some(_)) => {}
        }
    }

    /// The figures so far.
    pub(crate) fn routed(&self) -> RoutedReads {
        let c = &self.counts;
        RoutedReads {
            replica: c.replica.load(Ordering::Relaxed),
            behind: c.behind.load(Ordering::Relaxed),
            unavailable: c.unavailable.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
        }
    }

    fn count(&self, fallback: Fallback) {
        let counter = match fallback {
            Fallback::Behind => &self.counts.behind,
            Fallback::Unavailable => &self.counts.unavailable,
            Fallback::Failed => &self.counts.failed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(?fallback, "read sent to the primary");
    }

    /// `f` on the standby, once it has replayed `by`'s last write; the reason
    /// to read on the primary otherwise. An error that is the read's own (not the standby's)
    /// is returned as it is.
    fn read<T>(
        &self,
        by: UserId,
        f: &impl Fn(&mut PgConnection) -> Result<T>,
    ) -> std::result::Result<Result<T>, Fallback> {
        let needed = self
            .written
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&by)
            .map(|w| w.position);
        let Ok(mut conn) = self.db.conn() else {
            return Err(Fallback::Unavailable);
        };
        if let Some(needed) = needed {
            let Some(position) = needed else {
                return Err(Fallback::Behind);
            };
            self.caught_up(&mut conn, position)?;
        }
        match f(&mut conn) {
            Err(e) if e.is_transient() => Err(Fallback::Failed),
            answer => Ok(answer),
        }
    }

    /// Waits until the server on `conn` has replayed past `position` (at once on a primary),
    /// polling with a growing pause, at most the configured wait.
    fn caught_up(
        &self,
        conn: &mut PgConnection,
        position: WalPosition,
    ) -> std::result::Result<(), Fallback> {
        let deadline = Instant::now() + self.wait;
        let mut pause = Duration::from_millis(1);
        loop {
            match replayed_position(conn) {
                Err(_) => return Err(Fallback::Failed),
                Ok(None) => return Ok(()),
                Ok(Some(replayed)) if replayed >= position => return Ok(()),
                Ok(Some(_)) => {}
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Fallback::Behind);
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }
}

impl ComplianceService {
    /// A read on the standby when one is configured and has replayed `by`'s last write (see
    /// the module), else on the primary ([`ComplianceService::read`]).
    pub(crate) fn read_replica<T>(
        &self,
        by: UserId,
        f: impl Fn(&mut PgConnection) -> Result<T>,
    ) -> Result<T> {
        self.routed(by, f, false)
    }

    /// [`ComplianceService::read_replica`] of several statements in one snapshot
    /// ([`ComplianceService::read_snapshot`]).
    pub(crate) fn read_replica_snapshot<T>(
        &self,
        by: UserId,
        f: impl Fn(&mut PgConnection) -> Result<T>,
    ) -> Result<T> {
        self.routed(by, f, true)
    }

    fn routed<T>(
        &self,
        by: UserId,
        f: impl Fn(&mut PgConnection) -> Result<T>,
        snapshot: bool,
    ) -> Result<T> {
        let on_primary = |f| {
            if snapshot {
                self.read_snapshot(f)
            } else {
                self.read(f)
            }
        };
        let Some(replica) = &self.replica else {
            return on_primary(&f);
        };
        let read = |conn: &mut PgConnection| {
            if snapshot {
                compliance_persistence::in_snapshot(conn, &f)
            } else {
                f(conn)
            }
        };
        match replica.read(by, &read) {
            Ok(answer) => {
                replica.counts.replica.fetch_add(1, Ordering::Relaxed);
                answer
            }
            Err(fallback) => {
                replica.count(fallback);
                on_primary(&f)
            }
        }
    }
}
