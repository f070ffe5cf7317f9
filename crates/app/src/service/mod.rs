//! The compliance service: submitting a case, reviewing it, clearing false positives,
//! re-screening it, the entity's history, the reports, screening, wallets and a monitoring
//! job's batch. One file per operation. Live writes ([`ComplianceService::run`]) are counted
//! while in flight, so that background work ([`ComplianceService::run_background`], a
//! screening job's batch) can let them pass first.
//!
//! Must not: write half a case, or take locks in two orders. Each operation runs in one
//! transaction (all of it is written, or none), retried as a whole on a transient failure; every
//! operation that changes a case locks the case row first, before anything that takes the audit
//! chain's lock, so that two of them never wait on each other in a cycle.

pub(crate) mod assignment;
mod events;
mod flag_review;
pub(crate) mod monitoring;
pub(crate) mod overrides;
pub(crate) mod owners;
mod reads;
pub(crate) mod replica;
mod requests;
mod rescreen;
mod review;
mod review_screening;
pub(crate) mod screening;
mod submit;
pub(crate) mod wallets;

pub(crate) use submit::Submitted;

use crate::rules_cache::RulesCache;
use crate::{AppError, Result};
use compliance_domain::{Case, CheckStatus, Decision, UserId, without_false_positives};
use compliance_persistence::Database;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::compliance_checks::StoredComplianceCheck;
use compliance_persistence::repo::{aml_checks, false_positives, kyc_checks};
use std::time::Duration;
use uuid::Uuid;

/// The service behind [`crate::Compliance`]: a database and the rules cache. Its operations
/// take a user already authenticated and allowed by `Compliance`; nothing outside this crate
/// reaches it.
#[derive(Clone)]
pub(crate) struct ComplianceService {
    db: Database,
    rules: RulesCache,
    screeners: crate::watchlists::ScreenerCache,
    /// The standby reads may go to (`DATABASE_READ_URL`), when one is configured.
    replica: Option<std::sync::Arc<replica::Replica>>,
    /// Writes of this process in flight ([`ComplianceService::run`]): a background job
    /// ([`ComplianceService::run_background`]) lets them pass first.
    live: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// Counts one write in flight while it lives.
struct InFlight<'a>(&'a std::sync::atomic::AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// A decision replayed from its stored inputs and recorded rule versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Replay {
    /// The stored engine decision.
    pub stored: Decision,
    /// What the engine gives now for the same inputs and rule versions.
    pub replayed: Decision,
}

impl Replay {
    /// True when status, risk level and reasons are the same, and the unweighed signals where
    /// the stored decision lists them ([`Decision::reproduces`]).
    pub fn matches(&self) -> bool {
        self.replayed.reproduces(&self.stored)
    }
}

/// How many times an operation runs before a transient failure (a deadlock, a serialization
/// failure, a concurrent submission for the same entity) is reported as [`AppError::Busy`].
const ATTEMPTS: u32 = 5;

impl ComplianceService {
    /// A service over `db`, reading the reports from `replica` when given.
    pub(crate) fn new(db: Database, replica: Option<replica::Replica>) -> Self {
        Self {
            db,
            rules: RulesCache::new(),
            screeners: Default::default(),
            replica: replica.map(std::sync::Arc::new),
            live: Default::default(),
        }
    }

    /// The standby reads go to, when one is configured.
    pub(crate) fn replica(&self) -> Option<&replica::Replica> {
        self.replica.as_deref()
    }

    /// Writes of this process in flight now (background jobs' not counted).
    pub(crate) fn live_writes(&self) -> usize {
        self.live.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The database.
    pub(crate) fn database(&self) -> &Database {
        &self.db
    }

    /// The rules cache.
    pub(crate) fn rules(&self) -> &RulesCache {
        &self.rules
    }

    /// Runs a read on a pooled connection, once more when it failed transiently (a connection
    /// found dead: [`AppError::retrying_read`]).
    pub(crate) fn read<T>(&self, f: impl Fn(&mut PgConnection) -> Result<T>) -> Result<T> {
        AppError::retrying_read(|| {
            let mut conn = self.db.conn()?;
            f(&mut conn)
        })
    }

    /// Runs a read of several statements in one READ ONLY, REPEATABLE READ transaction (one
    /// snapshot: a page that shows a case and its evidence shows them as of one instant), once
    /// more when it failed transiently.
    pub(crate) fn read_snapshot<T>(&self, f: impl Fn(&mut PgConnection) -> Result<T>) -> Result<T> {
        self.read(|conn| compliance_persistence::in_snapshot(conn, &f))
    }

    /// Runs `f`, a write acting as `by`, in one transaction on a pooled connection; on a
    /// transient failure, rolls back and runs it again (a fresh connection, a short randomised
    /// pause), at most [`ATTEMPTS`] times in all. When the connection is lost during COMMIT, the
    /// write may or may not have been committed: that is [`AppError::OutcomeUnknown`], not
    /// retried (running `f` again could do it twice); [`ComplianceService::run_idempotent`] is
    /// for writes that may be run again. With a standby for reads, `by`'s next read there waits
    /// for this write ([`replica`]).
    pub(crate) fn run<T>(
        &self,
        by: UserId,
        f: impl FnMut(&mut PgConnection) -> Result<T>,
    ) -> Result<T> {
        self.run_live(f, false, Some(by))
    }

    /// [`ComplianceService::run`] for a write no user acts in (the outbox's bookkeeping): no
    /// one's reads wait for it.
    pub(crate) fn run_unattributed<T>(
        &self,
        f: impl FnMut(&mut PgConnection) -> Result<T>,
    ) -> Result<T> {
        self.run_live(f, false, None)
    }

    /// [`ComplianceService::run`] for a write that gives the same answer when run again after it
    /// committed (a submission: its idempotency key, or the same inputs, find the case it
    /// wrote): a COMMIT whose connection was lost is retried too, which settles the doubt.
    pub(crate) fn run_idempotent<T>(
        &self,
        by: UserId,
        f: impl FnMut(&mut PgConnection) -> Result<T>,
    ) -> Result<T> {
        self.run_live(f, true, Some(by))
    }

    /// [`ComplianceService::run_attempts`], counted among the live writes while it runs.
    fn run_live<T>(
        &self,
        f: impl FnMut(&mut PgConnection) -> Result<T>,
        idempotent: bool,
        by: Option<UserId>,
    ) -> Result<T> {
        self.live.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _in_flight = InFlight(&self.live);
        self.run_attempts(f, idempotent, by)
    }

    /// [`ComplianceService::run`] for background work (a screening job's batch), not counted
    /// among the live writes it yields to; as its agent's, not a reader's, its writes are not
    /// waited for.
    pub(crate) fn run_background<T>(
        &self,
        f: impl FnMut(&mut PgConnection) -> Result<T>,
    ) -> Result<T> {
        self.run_attempts(f, false, None)
    }

    fn run_attempts<T>(
        &self,
        mut f: impl FnMut(&mut PgConnection) -> Result<T>,
        idempotent: bool,
        by: Option<UserId>,
    ) -> Result<T> {
        // Why an earlier attempt may have committed, once a COMMIT lost its connection.
        let mut in_doubt: Option<String> = None;
        let mut attempt = 1;
        loop {
            let result = match self.db.conn() {
                Ok(mut conn) => {
                    let result = conn_transaction(&mut conn, &mut f);
                    if let (Ok(_), Some(by), Some(replica)) = (&result, by, &self.replica) {
                        replica.wrote(&mut conn, by);
                    }
                    result
                }
                Err(e) => Err(Failure {
                    error: e.into(),
                    commit_lost: false,
                }),
            };
            let Failure { error, commit_lost } = match result {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            if commit_lost {
                in_doubt = Some(error.to_string());
            }
            let again = error.is_transient() && attempt < ATTEMPTS && (idempotent || !commit_lost);
            if !again {
                return Err(match in_doubt {
                    Some(lost) => AppError::OutcomeUnknown {
                        lost,
                        then: (!commit_lost).then(|| error.to_string()),
                    },
                    None if error.is_transient() => AppError::Busy {
                        attempts: attempt,
                        reason: error.to_string(),
                    },
                    None => error,
                });
            }
            tracing::debug!(attempt, commit_lost, "transient failure, retrying");
            std::thread::sleep(backoff(attempt));
            attempt += 1;
        }
    }
}

/// Exponential backoff with full jitter: up to 4 ms, 8 ms, 16 ms, ... (random bits from a v4 UUID).
fn backoff(attempt: u32) -> Duration {
    let ceiling_us = 4_000u128 << attempt.min(8);
    let random = Uuid::new_v4().as_u128();
    Duration::from_micros(u64::try_from(random % ceiling_us).unwrap_or(0))
}

/// What the engine decides on a case's current screening once its confirmed false positives
/// are taken out (the decision as stored when none are), with the rule versions it recorded.
/// Its status is what [`compliance_domain::plan_review`] and re-screening follow.
fn engine_verdict(
    conn: &mut PgConnection,
    rules: &RulesCache,
    case: &StoredComplianceCheck,
    kyc: &compliance_domain::KycCheck,
    screening: &compliance_domain::AmlScreening,
    decision: &Decision,
    rule_versions: &[compliance_domain::RuleRef],
) -> Result<CheckStatus> {
    let cleared = false_positives::for_case(conn, case.id)?;
    let confirmed: Vec<_> = cleared
        .iter()
        .filter(|f| f.disposition.is_confirmed())
        .map(|f| (&f.list, &f.entry))
        .collect();
    if confirmed.is_empty() || decision.status() != CheckStatus::Rejected {
        return Ok(decision.status());
    }
    let rule_set = rules.pinned(conn, case.jurisdiction, rule_versions)?;
    let screening = without_false_positives(screening, confirmed.iter().copied());
    Ok(rule_set
        .evaluate(&Case {
            kyc: kyc.clone(),
            aml: screening,
        })?
        .status())
}

/// [`engine_verdict`] on the case's stored decision and current screening.
pub(crate) fn case_verdict(
    conn: &mut PgConnection,
    rules: &RulesCache,
    case: &StoredComplianceCheck,
    kyc: &compliance_domain::KycCheck,
    screening: &compliance_domain::AmlScreening,
) -> Result<CheckStatus> {
    engine_verdict(
        conn,
        rules,
        case,
        kyc,
        screening,
        &case.decision,
        &case.rule_versions,
    )
}

/// Refuses a submitter that is not the active system agent (the engine's writes are its own).
/// `Compliance` checked the caller's role when it authenticated; this reads it again inside the
/// transaction, where a deactivation committed since counts.
fn require_agent(conn: &mut PgConnection, user: compliance_domain::UserId) -> Result<()> {
    let found = compliance_persistence::repo::users::find(conn, user)?;
    if found.active && found.role == compliance_domain::Role::System {
        Ok(())
    } else {
        Err(AppError::NotTheAgent { user })
    }
}

/// The active system agent, when the database has one.
pub(crate) fn active_agent(conn: &mut PgConnection) -> Result<Option<compliance_domain::User>> {
    let filter = compliance_persistence::repo::users::UserFilter {
        role: Some(compliance_domain::Role::System),
        active: Some(true),
    };
    Ok(compliance_persistence::repo::users::list(conn, filter)?
        .into_iter()
        .next())
}

/// Replays a stored decision: the engine on the stored KYC check, the screening the decision
/// rests on, and exactly the rule versions it recorded.
pub(crate) fn replay(
    conn: &mut PgConnection,
    rules: &RulesCache,
    case: &StoredComplianceCheck,
) -> Result<Replay> {
    let kyc = kyc_checks::find(conn, case.kyc_check_id)?;
    let aml = aml_checks::find(conn, case.aml_check_id)?;
    let rule_set = rules.pinned(conn, case.jurisdiction, &case.rule_versions)?;
    let replayed = rule_set.evaluate(&Case {
        kyc: kyc.check,
        aml: aml.screening,
    })?;
    Ok(Replay {
        stored: case.decision.clone(),
        replayed,
    })
}

/// An attempt that failed: the error, and whether it was the connection lost during COMMIT
/// (the transaction may then have committed: no one can say until it is read back).
struct Failure {
    error: AppError,
    commit_lost: bool,
}

/// One transaction on `conn`: committed when `f` succeeds, rolled back when it fails.
fn conn_transaction<T>(
    conn: &mut PgConnection,
    f: impl FnOnce(&mut PgConnection) -> Result<T>,
) -> Result<T, Failure> {
    use compliance_persistence::diesel::Connection;
    let mut committing = false;
    conn.transaction::<T, TransactionError, _>(|conn| {
        let answer = f(conn).map_err(TransactionError::App)?;
        committing = true;
        Ok(answer)
    })
    .map_err(|e| match e {
        TransactionError::App(error) => Failure {
            error,
            commit_lost: false,
        },
        TransactionError::Diesel(e) => Failure {
            // A COMMIT refused (a deferred constraint, a serialization failure) rolled back;
            // only a connection lost during it leaves the outcome unknown.
            commit_lost: committing && connection_lost(&e),
            error: compliance_persistence::PersistenceError::from(e).into(),
        },
    })
}

/// True when the error is the connection ending (closed, not sent, or ended by the server).
fn connection_lost(e: &compliance_persistence::diesel::result::Error) -> bool {
    use compliance_persistence::diesel::result::{DatabaseErrorKind as K, Error};
    match e {
        Error::DatabaseError(K::ClosedConnection | K::UnableToSendCommand, _) => true,
        Error::DatabaseError(_, info) => info
            .sqlstate()
            .is_some_and(|s| s.as_str().starts_with("08") || s.as_str().starts_with("57P")),
        _ => false,
    }
}

/// Diesel's transaction needs an error it can build from its own; this carries ours through.
enum TransactionError {
    App(AppError),
    Diesel(compliance_persistence::diesel::result::Error),
}

impl From<compliance_persistence::diesel::result::Error> for TransactionError {
    fn from(e: compliance_persistence::diesel::result::Error) -> Self {
        TransactionError::Diesel(e)
    }
}
