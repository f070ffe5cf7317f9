//! The service's errors: what a caller can act on, each naming ids and codes only.
//!
//! Must not: carry personal data or a password (these messages reach logs and HTTP answers).

use compliance_domain::input::InputError;
use compliance_domain::{CheckStatus, DispositionError, EntityId, NotAReviewer, ReviewError};
use compliance_persistence::PersistenceError;
use compliance_rules::{EvaluateError, RuleError, RuleSetError};

/// A failure of the compliance service. Nothing was written when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input is not valid.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The user may not review (inactive, or the system agent).
    #[error(transparent)]
    NotAReviewer(#[from] NotAReviewer),
    /// The review step is not allowed (status table, role, four eyes).
    #[error(transparent)]
    Review(#[from] ReviewError),
    /// The disposition of a list match is not allowed (role, four eyes, not matched).
    #[error(transparent)]
    Disposition(#[from] DispositionError),
    /// Submissions and re-screenings are the system agent's: another user asked.
    #[error("user {user} is not the active system agent: only it submits and re-screens cases")]
    NotTheAgent {
        /// Who asked.
        user: compliance_domain::UserId,
    },
    /// A different submission for an entity whose current case is still open.
    #[error(
        "entity {entity} already has an open case {case} ({status}): a new case opens only after a rejection or when the periodic review is due; re-screen or review the open case instead"
    )]
    OpenCase {
        /// The entity.
        entity: EntityId,
        /// Its open case.
        case: uuid::Uuid,
        /// That case's status.
        status: CheckStatus,
    },
    /// An idempotency key already used for a submission with other inputs.
    #[error(
        "this idempotency key was already used for case {case} with different inputs: use a new key for a new submission"
    )]
    IdempotencyKeyReused {
        /// The case the key belongs to.
        case: uuid::Uuid,
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
    /// A stored rule is malformed.
    #[error(transparent)]
    Rule(#[from] RuleError),
    /// The rules in force (or recorded) do not form a rule set.
    #[error(transparent)]
    RuleSet(#[from] RuleSetError),
    /// The engine refused the case.
    #[error(transparent)]
    Evaluate(#[from] EvaluateError),
    /// The database refused, conflicted, or could not be reached.
    #[error(transparent)]
    Persistence(#[from] PersistenceError),
    /// No valid credentials: the API token is missing, malformed, unknown, expired or revoked,
    /// or its user is inactive. Which of these is not said, so that a guesser learns nothing.
    #[error("authentication failed: {0}")]
    Unauthenticated(&'static str),
    /// The authenticated caller's role may not do this.
    #[error("a user with role {role} may not {what}")]
    Forbidden {
        /// The caller's role.
        role: compliance_domain::Role,
        /// What was refused, e.g. "submit cases".
        what: &'static str,
    },
    /// The case moved on since the caller read it (a review quoting an old revision).
    #[error("case {case} {reason}")]
    StaleRevision {
        /// The case.
        case: uuid::Uuid,
        /// What changed and what to do.
        reason: String,
    },
    /// A rejected case cannot be re-screened or reviewed.
    #[error("case {case} is {status}: {what}")]
    Final {
        /// The case.
        case: uuid::Uuid,
        /// Its status.
        status: compliance_domain::CheckStatus,
        /// What was refused.
        what: &'static str,
    },
}

impl AppError {
    /// True for a conflict (a lost race, a duplicate): retry after reloading.
    pub fn is_conflict(&self) -> bool {
        matches!(self, AppError::Persistence(e) if e.is_conflict())
    }

    /// True for a transient failure inside one attempt (the service retries those).
    pub(crate) fn is_transient(&self) -> bool {
        matches!(self, AppError::Persistence(e) if e.is_transient())
    }

    /// Runs a read, and once more when it failed transiently. The pool hands out a connection
    /// that answered in the last few seconds without a ping (`compliance_persistence::pool`),
    /// so one that died since fails its first statement; the pool then pings the next one.
    /// Reading twice is harmless; writes are retried whole by `ComplianceService::run`.
    pub fn retrying_read<T>(read: impl Fn() -> Result<T, Self>) -> Result<T, Self> {
        match read() {
            Err(e) if e.is_transient() => read(),
            other => other,
        }
    }

    /// True when retrying the same call later may succeed: a conflict, the database busy or
    /// unreachable.
    pub fn is_retryable(&self) -> bool {
        self.is_conflict()
            || self.is_unavailable()
            || matches!(self, AppError::Busy { .. })
            || self.is_transient()
    }

    /// True when the database could not be reached.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            AppError::Persistence(PersistenceError::Unavailable { .. })
        )
    }
}

/// A result of the service.
pub type Result<T, E = AppError> = std::result::Result<T, E>;
