//! Ongoing monitoring as `Compliance` offers it: the screening jobs (one per imported list
//! version) and their numbers, a job's flags, and the [`Monitor`] that runs the jobs (inside
//! `compliance-api`, or in `cargo xtask watchlist import` with a progress bar).
//!
//! Must not: skip the caller's permission, run a batch faster than its duty cycle allows (live
//! submissions keep their latency), or log anything but ids and counts.

use super::{Caller, Compliance, InProcess};
use crate::Result;
use crate::records::ReviewPass;
use chrono::{DateTime, Utc};
use compliance_domain::{EntityId, Permission, ReviewReason, UserId};
use compliance_persistence::repo::flag_reviews;
use compliance_persistence::repo::screening_jobs::{self as jobs, JobRow};
use serde::Serialize;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// A list version's screening job and its numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScreeningJob {
    /// The job's id.
    pub id: Uuid,
    /// The list version it screens the base against.
    pub version_id: Uuid,
    /// Its list.
    pub list: String,
    /// The version its delta is taken against (none for a list's first version).
    pub previous_version_id: Option<Uuid>,
    /// `queued`, `running` or `done`.
    pub state: String,
    /// Entries the version added or changed (counted when the job starts).
    pub added: i32,
    /// Entries it removed.
    pub removed: i32,
    /// Batches recorded.
    pub batches: i32,
    /// Entities screened.
    pub screened: i64,
    /// Entities with a new or stronger match.
    pub matched: i64,
    /// Their cases re-screened (a rejected case is not).
    pub rescreened: i64,
    /// Of them, now escalated or waiting flagged stricter.
    pub escalated: i64,
    /// Of them, now rejected.
    pub rejected: i64,
    /// Entities flagged for review: an entry their screening matched left the list.
    pub delisted: i64,
    /// The watched wallets' known counterparties screened against the version's added or
    /// changed wallet addresses, once the base is done.
    pub counterparties: i64,
    /// Those the version lists.
    pub counterparty_hits: i64,
    /// Transactions flagged ESCALATED for them.
    pub transactions_flagged: i64,
    /// Milliseconds spent screening and writing (the throttle's pauses left out).
    pub busy_ms: i64,
    /// The Merkle root of the entities screened (hex), once done: what its completion entry in
    /// the audit chain records.
    pub root: Option<String>,
    /// When the version was imported and the job created.
    pub created_at: DateTime<Utc>,
    /// When it started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it finished.
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<JobRow> for ScreeningJob {
    fn from(j: JobRow) -> Self {
        let root = j.root_hex();
        Self {
            id: j.id,
            version_id: j.version_id,
            list: j.list_name,
            previous_version_id: j.previous_version_id,
            state: j.state,
            added: j.added,
            removed: j.removed,
            batches: j.batches,
            screened: j.screened,
            matched: j.matched,
            rescreened: j.rescreened,
            escalated: j.escalated,
            rejected: j.rejected,
            delisted: j.delisted,
            counterparties: j.counterparties,
            counterparty_hits: j.counterparty_hits,
            transactions_flagged: j.transactions_flagged,
            busy_ms: j.busy_ms,
            root,
            created_at: j.created_at,
            started_at: j.started_at,
            finished_at: j.finished_at,
        }
    }
}

/// An entity flagged for review by a job: an entry its case's screening matched left the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScreeningFlag {
    /// The entity.
    pub entity_id: String,
    /// Its case.
    pub case_id: Uuid,
    /// The list.
    pub list: String,
    /// The entry removed.
    pub entry: String,
    /// When.
    pub flagged_at: DateTime<Utc>,
    /// Who reviewed it (a compliance officer or admin), and when; `None` while it waits.
    pub reviewed: Option<(UserId, DateTime<Utc>)>,
}

impl Compliance {
    /// The newest `limit` screening jobs, newest first (the roles that read watchlists).
    pub fn screening_jobs(&self, caller: &Caller, limit: u16) -> Result<Vec<ScreeningJob>> {
        caller.require(Permission::ReadWatchlists, "read screening jobs")?;
        self.service.read(|conn| {
            Ok(jobs::list(conn, i64::from(limit))?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// One job, by its id or its list version's id.
    pub fn screening_job(&self, caller: &Caller, id: Uuid) -> Result<ScreeningJob> {
        caller.require(Permission::ReadWatchlists, "read screening jobs")?;
        self.service.read(|conn| {
            Ok(match jobs::find(conn, id) {
                Err(compliance_persistence::PersistenceError::NotFound { .. }) => {
                    jobs::for_version(conn, id)?
                }
                other => other?,
            }
            .into())
        })
    }

    /// A job's flags, in entity order (the roles that read cases).
    pub fn screening_flags(&self, caller: &Caller, job: Uuid) -> Result<Vec<ScreeningFlag>> {
        caller.require(Permission::ReadCases, "read screening flags")?;
        self.service.read(|conn| {
            jobs::find(conn, job)?;
            let reviews = flag_reviews::for_job(conn, job)?;
            Ok(jobs::flags(conn, job)?
                .into_iter()
                .map(|f| ScreeningFlag {
                    reviewed: reviews
                        .iter()
                        .find(|r| r.entity_id == f.entity_id && r.entry_ref == f.entry_ref)
                        .map(|r| (UserId::from_uuid(r.reviewed_by), r.reviewed_at)),
                    entity_id: f.entity_id,
                    case_id: f.compliance_check_id,
                    list: f.list_name,
                    entry: f.entry_ref,
                    flagged_at: f.flagged_at,
                })
                .collect())
        })
    }

    /// A compliance officer or admin reviews a delisting flag: what they concluded, as a review
    /// note; the case is unchanged (a new decision is a review of the case). A flag is reviewed
    /// once.
    pub fn review_flag(
        &self,
        caller: &Caller,
        job: Uuid,
        entity: &EntityId,
        entry: &str,
        conclusion: &ReviewReason,
    ) -> Result<()> {
        caller.require(Permission::ClearMatches, "review delisting flags")?;
        self.service
            .review_flag(job, entity, entry, caller.user(), conclusion)
            .map(drop)
    }
}

/// How a [`Monitor`] runs jobs.
#[derive(Debug, Clone, Copy)]
pub struct MonitorSettings {
    /// Entities per batch (one transaction each).
    pub batch: u16,
    /// How long a claim holds a job without a batch recorded; after it, another worker takes
    /// the job over at its cursor.
    pub lease: Duration,
    /// The share of wall time the job may work, in percent, from 5 to 100: after a batch that
    /// took `t`, the monitor pauses `t * (100 - duty) / duty`, so that live submissions keep
    /// their latency.
    pub duty_percent: u8,
    /// How often an idle monitor looks for a new job.
    pub poll: Duration,
    /// How long a batch waits for this process's live writes in flight to end before it
    /// starts anyway.
    pub yield_for: Duration,
    /// Periodic reviews screened per pass (each one transaction), when no job waits.
    pub reviews: u16,
    /// How often an idle monitor looks for periodic reviews that fell due (at once again
    /// after a full pass).
    pub review_every: Duration,
}

impl Default for MonitorSettings {
    fn default() -> Self {
        Self {
            batch: 1000,
            lease: Duration::from_secs(60),
            duty_percent: 50,
            poll: Duration::from_secs(5),
            yield_for: Duration::from_millis(250),
            reviews: 100,
            review_every: Duration::from_secs(600),
        }
    }
}

/// Runs screening jobs as the system agent: claims the oldest free job, screens the base batch
/// by batch (each batch one transaction with the job's cursor), lets this process's live writes
/// pass before each batch and pauses between batches by its duty cycle, and finishes the job
/// with its root in the audit chain. Several monitors share
/// the work: a job is leased to one at a time.
#[derive(Clone)]
pub struct Monitor {
    compliance: Compliance,
    settings: MonitorSettings,
}

impl InProcess<'_> {
    /// A monitor, for a process that holds the database's credentials; it acts as the system
    /// agent.
    pub fn monitor(&self, settings: MonitorSettings) -> Monitor {
        Monitor {
            compliance: self.compliance.clone(),
            settings,
        }
    }
}

impl Monitor {
    /// Claims the next free job and runs it to its end, calling `progress` after each batch;
    /// `None` when no job is free. `stop` is asked between batches: when it says stop, the job
    /// is left at its cursor (its lease lapses and any monitor resumes it).
    pub fn run_next(
        &self,
        progress: &mut dyn FnMut(&ScreeningJob),
        stop: &dyn Fn() -> bool,
    ) -> Result<Option<ScreeningJob>> {
        let agent = self.compliance.in_process().system_agent()?;
        let service = &self.compliance.service;
        let settings = self.settings;
        let Some(claimed) = service.run(agent.user(), |conn| {
            Ok(jobs::claim(
                conn,
                agent.user(),
                settings.lease.as_secs_f64(),
            )?)
        })?
        else {
            return Ok(None);
        };
        tracing::info!(job = %claimed.job.id, list = %claimed.job.list_name, cursor = claimed.job.batches, "screening job claimed");
        let plan = service.monitoring_plan(&claimed.job)?;
        let duty = u32::from(settings.duty_percent.clamp(5, 100));
        loop {
            // Live writes of this process first: a batch waits while one is in flight (at most
            // `yield_for`, so that steady traffic never starves the job).
            let waiting = Instant::now();
            while service.live_writes() > 0 && waiting.elapsed() < settings.yield_for {
                std::thread::sleep(Duration::from_micros(500));
            }
            let started = Instant::now();
            let job = service.monitoring_batch(
                &claimed,
                &plan,
                agent.user(),
                i32::from(settings.batch.max(1)),
                settings.lease,
            )?;
            let job = ScreeningJob::from(job);
            progress(&job);
            if job.state == "done" {
                return Ok(Some(job));
            }
            if stop() {
                return Ok(Some(job));
            }
            let pause = started.elapsed() * (100 - duty) / duty;
            std::thread::sleep(pause);
        }
    }

    /// Screens up to `reviews` periodic reviews that have fallen due and were not screened for
    /// that due date, the longest due first, as the system agent: the same screening as a
    /// changed subject's, each recorded (`review_screenings`, audited) whether or not it
    /// changed the case.
    pub fn screen_due_reviews(&self) -> Result<ReviewPass> {
        let agent = self.compliance.in_process().system_agent()?;
        self.compliance
            .service
            .screen_due_reviews(agent.user(), i64::from(self.settings.reviews.max(1)))
    }

    /// Runs jobs until `stop` says stop: each free job to its end, then, when none waits, the
    /// periodic reviews that fell due (every `review_every`, or at once after a full pass),
    /// then a look every `poll`. Errors are logged and retried after a poll (a job's lease
    /// lapses; nothing is lost).
    pub fn run(&self, stop: &dyn Fn() -> bool) {
        let mut reviewed: Option<Instant> = None;
        while !stop() {
            match self.run_next(&mut |_| {}, stop) {
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(e) => tracing::warn!("screening job stopped: {e}"),
            }
            if reviewed.is_none_or(|at| at.elapsed() >= self.settings.review_every) {
                reviewed = Some(Instant::now());
                match self.screen_due_reviews() {
                    Ok(pass) if pass.screened >= usize::from(self.settings.reviews.max(1)) => {
                        reviewed = None;
                        continue;
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!("due reviews stopped: {e}"),
                }
            }
            let until = Instant::now() + self.settings.poll;
            while Instant::now() < until && !stop() {
                std::thread::sleep(Duration::from_millis(100).min(self.settings.poll));
            }
        }
    }

    /// How many entities have a subject to screen (a job's total, for a progress bar).
    pub fn entities_to_screen(&self) -> Result<i64> {
        self.compliance
            .service
            .read(|conn| Ok(jobs::subjects_count(conn)?))
    }
}
