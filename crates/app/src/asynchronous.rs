//! [`AsyncCompliance`] (feature `tokio`): the entry point for tokio services. Each call runs the
//! blocking work (Diesel, Argon2) on tokio's blocking pool, at most as many at once as the
//! database pool has connections: the others wait asynchronously for a turn, instead of each
//! holding a blocking thread while it waits for a connection.
//!
//! Must not: block the async runtime, or let a panic in the blocking work escape as anything
//! but an [`AppError::Internal`].

use crate::records::{
    AuditPage, CaseRecord, ClearedMatch, QueuePage, RescreenOutcome, ReviewOutcome, Submission,
};
use crate::{AppError, AuditQuery, Caller, Compliance, QueueQuery, Result};
use compliance_domain::{
    AmlScreening, Case, CaseId, EntityId, IdempotencyKey, ListEntryRef, ListName, ReviewReason,
    Verdict,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Semaphore;

/// [`Compliance`] for async callers. Cheap to clone.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use compliance_app::{AsyncCompliance, Compliance, Config};
/// let compliance = AsyncCompliance::new(Compliance::new(&Config::from_env()?));
/// let agent = compliance.call(|c| c.in_process().system_agent()).await?;
/// # let _ = agent;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AsyncCompliance {
    inner: Compliance,
    turns: Arc<Semaphore>,
    limit: u32,
    waits: Arc<Waits>,
}

/// Calls that found every turn taken: waiting now, and how many ever had to.
#[derive(Default)]
struct Waits {
    now: AtomicU64,
    total: AtomicU64,
}

/// A call counted as waiting until it has its turn or is dropped (a cancelled request).
struct Waiting<'a>(&'a Waits);

impl<'a> Waiting<'a> {
    fn start(waits: &'a Waits) -> Self {
        waits.total.fetch_add(1, Ordering::Relaxed);
        waits.now.fetch_add(1, Ordering::Relaxed);
        Self(waits)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::Relaxed);
    }
}

/// How the calls share the database's connections, for a metrics scrape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Turns {
    /// Calls allowed at once (the pool's largest size).
    pub limit: u32,
    /// Calls running now.
    pub running: u32,
    /// Calls waiting for a turn now.
    pub waiting: u64,
    /// Calls that had to wait for a turn since the service started.
    pub waited_total: u64,
}

impl AsyncCompliance {
    /// The async entry point over `compliance`: as many calls at once as its pool has
    /// connections.
    pub fn new(compliance: Compliance) -> Self {
        let limit = compliance.connections().max(1);
        let turns = usize::try_from(limit).unwrap_or(1);
        Self {
            inner: compliance,
            turns: Arc::new(Semaphore::new(turns)),
            limit,
            waits: Arc::default(),
        }
    }

    /// How the calls share the connections now.
    pub fn turns(&self) -> Turns {
        let free = u32::try_from(self.turns.available_permits()).unwrap_or(u32::MAX);
        Turns {
            limit: self.limit,
            running: self.limit.saturating_sub(free),
            waiting: self.waits.now.load(Ordering::Relaxed),
            waited_total: self.waits.total.load(Ordering::Relaxed),
        }
    }

    /// The blocking entry point underneath (for code already on a blocking thread).
    pub fn blocking(&self) -> &Compliance {
        &self.inner
    }

    /// Runs `work` on the blocking pool when a connection's turn is free.
    pub async fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Compliance) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let closed = || AppError::Internal("the call gate was closed".into());
        let _turn = match self.turns.try_acquire() {
            Ok(turn) => turn,
            Err(tokio::sync::TryAcquireError::Closed) => return Err(closed()),
            Err(tokio::sync::TryAcquireError::NoPermits) => {
                let waiting = Waiting::start(&self.waits);
                let turn = self.turns.acquire().await;
                drop(waiting);
                turn.map_err(|_| closed())?
            }
        };
        let compliance = self.inner.clone();
        tokio::task::spawn_blocking(move || work(&compliance))
            .await
            .map_err(|_| AppError::Internal("the call panicked; nothing was committed".into()))?
    }

    /// [`Compliance::authenticate`].
    pub async fn authenticate(&self, secret: String) -> Result<Caller> {
        self.call(move |c| c.authenticate(&secret)).await
    }

    /// [`Compliance::submit`].
    pub async fn submit(
        &self,
        caller: Caller,
        case: Case,
        key: Option<IdempotencyKey>,
    ) -> Result<Submission> {
        self.call(move |c| c.submit(&caller, &case, key.as_ref()))
            .await
    }

    /// [`Compliance::case`].
    pub async fn case(&self, caller: Caller, case: CaseId) -> Result<CaseRecord> {
        self.call(move |c| c.case(&caller, case)).await
    }

    /// [`Compliance::current_case`].
    pub async fn current_case(&self, caller: Caller, entity: EntityId) -> Result<CaseRecord> {
        self.call(move |c| c.current_case(&caller, &entity)).await
    }

    /// [`Compliance::queue`].
    pub async fn queue(&self, caller: Caller, query: QueueQuery) -> Result<QueuePage> {
        self.call(move |c| c.queue(&caller, &query)).await
    }

    /// [`Compliance::review`].
    pub async fn review(
        &self,
        caller: Caller,
        case: CaseId,
        verdict: Verdict,
        reason: ReviewReason,
        expected_revision: i32,
    ) -> Result<ReviewOutcome> {
        self.call(move |c| c.review(&caller, case, verdict, &reason, expected_revision))
            .await
    }

    /// [`Compliance::clear_match`].
    pub async fn clear_match(
        &self,
        caller: Caller,
        case: CaseId,
        list_entry: (ListName, ListEntryRef),
        reason: ReviewReason,
        expected_revision: i32,
    ) -> Result<ClearedMatch> {
        let (list, entry) = list_entry;
        self.call(move |c| c.clear_match(&caller, case, &list, &entry, &reason, expected_revision))
            .await
    }

    /// [`Compliance::rescreen`].
    pub async fn rescreen(
        &self,
        caller: Caller,
        entity: EntityId,
        screening: AmlScreening,
    ) -> Result<RescreenOutcome> {
        self.call(move |c| c.rescreen(&caller, &entity, &screening))
            .await
    }

    /// [`Compliance::audit`].
    pub async fn audit(
        &self,
        caller: Caller,
        entity: EntityId,
        query: AuditQuery,
    ) -> Result<AuditPage> {
        self.call(move |c| c.audit(&caller, &entity, &query)).await
    }
}
