//! The service's errors: what a caller can act on, each naming ids and codes only.
//!
//! Must not: carry personal data or a password (these messages reach logs and HTTP answers).

use compliance_domain::input::InputError;
use compliance_domain::{NotAReviewer, ReviewError};
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
