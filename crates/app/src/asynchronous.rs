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
}

impl AsyncCompliance {
    /// The async entry point over `compliance`: as many calls at once as its pool has
    /// connections.
    pub fn new(compliance: Compliance) -> Self {
        let turns = usize::try_from(compliance.connections())
            .unwrap_or(1)
            .max(1);
        Self {
            inner: compliance,
            turns: Arc::new(Semaphore::new(turns)),
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
        let _turn = self
            .turns
            .acquire()
            .await
            .map_err(|_| AppError::Internal("the call gate was closed".into()))?;
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
