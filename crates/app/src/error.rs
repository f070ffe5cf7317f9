//! The service's errors: what a caller can act on, each naming ids and codes only. A database
//! failure arrives here as what it means for the caller (not found, a lost race, a duplicate,
//! refused, unavailable), never as the persistence layer's own type.
//!
//! Must not: carry personal data or a password (these messages reach logs). A server error's
//! message may name hosts and tables for the log; what a client is shown is the HTTP layer's
//! choice, which shows none of it.

use compliance_domain::input::InputError;
use compliance_domain::{
    AssignmentError, CaseId, CheckStatus, DispositionError, EntityId, NotAReviewer, ReviewError,
    Role, UserId,
};
use compliance_persistence::PersistenceError;
use compliance_rules::{EvaluateError, RuleError, RuleSetError};

/// A failure of the compliance service. Nothing was written when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input is not valid.
    #[error(transparent)]
    Input(#[from] InputError),
    /// No valid credentials: the API token is missing, malformed, unknown, expired or revoked,
    /// or its user is inactive. Which of these is not said, so that a guesser learns nothing.
    #[error("authentication failed: {0}")]
    Unauthenticated(&'static str),
    /// The authenticated caller's role may not do this.
    #[error("a user with role {role} may not {what}")]
    Forbidden {
        /// The caller's role.
        role: Role,
        /// What was refused, e.g. "submit cases".
        what: &'static str,
    },
    /// The user may not review (inactive, or the system agent).
    #[error(transparent)]
    NotAReviewer(#[from] NotAReviewer),
    /// Submissions and re-screenings are the system agent's: another user asked.
    #[error("user {user} is not the active system agent: only it submits and re-screens cases")]
    NotTheAgent {
        /// Who asked.
        user: UserId,
    },
    /// The review step is not allowed (status table, role, four eyes, the engine's verdict).
    #[error(transparent)]
    Review(#[from] ReviewError),
    /// The disposition of a list match is not allowed (role, four eyes, not matched).
    #[error(transparent)]
    Disposition(#[from] DispositionError),
    /// The claim, assignment or release is not allowed, or a step on a case assigned to
    /// someone else is not the caller's (an analyst's).
    #[error(transparent)]
    Assignment(#[from] AssignmentError),
    /// The request for information, or its closing, is not allowed (nothing asked, a case not
    /// waiting for a review, closed already, a role that may not close it so).
    #[error(transparent)]
    Request(#[from] compliance_domain::RequestError),
    /// A beneficial owner that cannot be recorded (itself, not a corporate's or a fund's, not a
    /// person, or more than 100 percent in all).
    #[error(transparent)]
    Ownership(#[from] compliance_domain::OwnershipError),
    /// Nothing has that key.
    #[error("{what} {key} not found")]
    NotFound {
        /// What was looked for, e.g. `compliance check`.
        what: &'static str,
        /// The key (an id, an entity id, a rule code).
        key: String,
    },
    /// A different submission for an entity whose current case is still open.
    #[error(
        "entity {entity} already has an open case {case} ({status}): a new case opens only after a rejection, when the periodic review is due, or with a new KYC result for a case the engine holds PENDING; re-screen or review the open case instead"
    )]
    OpenCase {
        /// The entity.
        entity: EntityId,
        /// Its open case.
        case: CaseId,
        /// That case's status.
        status: CheckStatus,
    },
    /// An idempotency key already used for a submission with other inputs.
    #[error(
        "this idempotency key was already used for case {case} with different inputs: use a new key for a new submission"
    )]
    IdempotencyKeyReused {
        /// The case the key belongs to.
        case: CaseId,
    },
    /// The record moved on since the caller read it (a review or a disposition quoting an old
    /// revision): read it again and decide on what it is now.
    #[error("{what} {key} {reason}")]
    StaleRevision {
        /// The kind of record, e.g. `case`.
        what: &'static str,
        /// Its id.
        key: String,
        /// What changed and what to do.
        reason: String,
    },
    /// A record with the same key exists already (a unique or exclusion constraint, named):
    /// not a lost race, so reloading does not help.
    #[error("conflict on {what} {key}: {reason}")]
    Conflict {
        /// The kind of record, or `row` when only the constraint is known.
        what: &'static str,
        /// The key, or the constraint's name.
        key: String,
        /// What conflicted.
        reason: String,
    },
    /// A rejected case cannot be re-screened or reviewed.
    #[error("case {case} is {status}: {what}")]
    Final {
        /// The case.
        case: CaseId,
        /// Its status.
        status: CheckStatus,
        /// What was refused.
        what: &'static str,
    },
    /// A case that is no longer its entity's latest: history, which nobody decides (a PENDING
    /// case superseded by a new KYC result stays PENDING, as it was).
    #[error(
        "case {case} is history: entity {entity}'s current case is {current}; review that one instead"
    )]
    Superseded {
        /// The case asked for.
        case: CaseId,
        /// Its entity.
        entity: compliance_domain::EntityId,
        /// The entity's current case.
        current: CaseId,
    },
    /// A constraint or guard of the database refused the write: a rule the service itself
    /// should have refused first.
    #[error("the database refused the write ({constraint}): {message}")]
    Refused {
        /// The constraint or guard, e.g. `compliance_checks_update_guard`.
        constraint: String,
        /// The server's message (ids and codes only).
        message: String,
    },
    /// A watchlist file that is not a list in the format named (a malformed record, a missing
    /// file, an empty list): nothing was imported.
    #[error("the list files cannot be read: {0}")]
    UnreadableList(String),
    /// An erasure asked for before the record-keeping period lapsed: five years after the
    /// relationship ends under the rule of the entity's jurisdiction (PMLA s.12 in India, UAE
    /// Federal Decree-Law No. 20 of 2018 Art. 16, the BSA's 31 CFR 1010.430 in the US).
    /// Nothing was erased.
    #[error(
        "the records of entity {entity} are kept until five years after the relationship ends ({}): {}",
        retention_rule(*jurisdiction),
        match until { Some(until) => format!("erasable from {}", until.format("%Y-%m-%d")), None => "the relationship has not ended (its current case is open or approved)".to_owned() }
    )]
    Retained {
        /// The entity.
        entity: EntityId,
        /// The jurisdiction of its current case.
        jurisdiction: Option<compliance_domain::Jurisdiction>,
        /// When the period lapses; `None` while the relationship lasts.
        until: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// The database stayed contended (deadlocks, serialization failures, concurrent
    /// submissions) through every attempt; nothing was written. Retrying later is safe.
    #[error(
        "the database was busy through {attempts} attempts ({reason}); nothing was written, retry later"
    )]
    Busy {
        /// How many times the operation ran.
        attempts: u32,
        /// The last transient failure.
        reason: String,
    },
    /// A transient failure (a deadlock, a lock wait past its timeout, the connection lost):
    /// nothing was written; retrying the call may succeed.
    #[error("transient database failure: {reason}; nothing was written, retry")]
    Transient {
        /// What happened.
        reason: String,
    },
    /// The connection to the database was lost while the write was being committed: it may or
    /// may not have been written (a failover, a crash). Read it back before acting again; a
    /// submission sent again with its idempotency key is safe (it is answered with the case it
    /// wrote, if it did).
    #[error(
        "the connection to the database was lost while the write was being committed ({lost}){}: it may or may not have been written; read it back before acting again",
        then.as_deref().map(|t| format!(", and trying again failed ({t})")).unwrap_or_default()
    )]
    OutcomeUnknown {
        /// How the COMMIT failed.
        lost: String,
        /// Why running it again, when it was, failed.
        then: Option<String>,
    },
    /// The database could not be reached, or every pooled connection stayed in use. The
    /// reason names the server, for the log; nothing was written.
    #[error("{reason}")]
    Unavailable {
        /// What failed, for the service's log.
        reason: String,
    },
    /// Too much of a costly kind of work at once (password verifications): retry shortly.
    #[error("too many {what} at once: retry in a moment")]
    Overloaded {
        /// The work, e.g. `sign-ins`.
        what: &'static str,
    },
    /// The rules in force (or recorded) do not form a rule set.
    #[error(transparent)]
    RuleSet(#[from] RuleSetError),
    /// Something failed on the service's side: stored data the domain refuses, a malformed
    /// rule row, the engine refusing its input, the random generator failing. The message is
    /// for the log.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<PersistenceError> for AppError {
    fn from(error: PersistenceError) -> Self {
        match error {
            PersistenceError::NotFound { what, key } => AppError::NotFound { what, key },
            PersistenceError::Stale { what, key, reason } => {
                AppError::StaleRevision { what, key, reason }
            }
            PersistenceError::Conflict { what, key, reason } => {
                AppError::Conflict { what, key, reason }
            }
            PersistenceError::Refused {
                constraint,
                message,
            } => AppError::Refused {
                constraint,
                message,
            },
            PersistenceError::Transient { reason } => AppError::Transient { reason },
            e @ (PersistenceError::Unavailable { .. } | PersistenceError::PoolExhausted { .. }) => {
                AppError::Unavailable {
                    reason: e.to_string(),
                }
            }
            e @ (PersistenceError::InvalidData { .. }
            | PersistenceError::Migration(_)
            | PersistenceError::Database(_)) => AppError::Internal(e.to_string()),
        }
    }
}

impl From<RuleError> for AppError {
    fn from(error: RuleError) -> Self {
        AppError::Internal(error.to_string())
    }
}

impl From<EvaluateError> for AppError {
    fn from(error: EvaluateError) -> Self {
        AppError::Internal(error.to_string())
    }
}

impl AppError {
    /// True when retrying the same call later may succeed: the database busy, unreachable or
    /// out of connections, a transient failure, or too much work at once. Nothing was written.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            AppError::Busy { .. }
                | AppError::Transient { .. }
                | AppError::Unavailable { .. }
                | AppError::Overloaded { .. }
        )
    }

    /// True for a transient failure inside one attempt (the service retries those).
    pub(crate) fn is_transient(&self) -> bool {
        matches!(self, AppError::Transient { .. })
    }

    /// Runs a read, and once more when it failed transiently. The pool hands out a connection
    /// that answered in the last few seconds without a ping (`compliance_persistence::pool`),
    /// so one that died since fails its first statement; the pool then pings the next one.
    /// Reading twice is harmless; writes are retried whole by the service's `run`.
    pub(crate) fn retrying_read<T>(read: impl Fn() -> Result<T, Self>) -> Result<T, Self> {
        match read() {
            Err(e) if e.is_transient() => read(),
            other => other,
        }
    }
}

/// A result of the service.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// The record-keeping rule of a jurisdiction, as an erasure refusal names it.
pub fn retention_rule(jurisdiction: Option<compliance_domain::Jurisdiction>) -> &'static str {
    use compliance_domain::Jurisdiction::{Ae, In, Us};
    match jurisdiction {
        Some(In) => "PMLA s.12(1)",
        Some(Ae) => "UAE Federal Decree-Law No. 20 of 2018, Art. 16(1)(f)",
        Some(Us) => "the Bank Secrecy Act, 31 CFR 1010.430(d)",
        None => "PMLA s.12, UAE Federal Decree-Law No. 20 of 2018 Art. 16, 31 CFR 1010.430",
    }
}
