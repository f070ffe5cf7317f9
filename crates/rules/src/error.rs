//! Why a rule, or a stored rule row, was refused: which row, which field, and what is wrong.
//!
//! Must not: carry personal data or echo long input. Rule rows hold no personal data, and every
//! value repeated in a message is cut to [`ECHO_LIMIT`] characters with control characters escaped.

use std::fmt;

/// How many characters of a rejected value a message repeats.
pub const ECHO_LIMIT: usize = 40;

/// A rejected value, cut and quoted for a message (`"abc"`, control characters escaped).
pub(crate) fn echo(value: &str) -> String {
    let cut: String = value.chars().take(ECHO_LIMIT).collect();
    format!("{cut:?}")
}

/// What is wrong with one field of a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A required field is absent.
    #[error("is missing")]
    Missing,
    /// A field that the rule kind does not take (a typo, or a parameter of another kind).
    #[error("is not a parameter of rule kind {kind}")]
    Unexpected {
        /// The rule kind, e.g. `risk_score`.
        kind: &'static str,
    },
    /// A `kind` that names no rule kind.
    #[error("names an unknown rule kind {value}: expected one of {}", known.join(", "))]
    UnknownKind {
        /// The rejected kind, cut and quoted.
        value: String,
        /// The kinds there are (`RuleKind::NAMES`; a reference to it, to keep the error small).
        known: &'static &'static [&'static str],
    },
    /// A JSON value of the wrong type (a number where a string is expected, say).
    #[error("must be {expected}, found {found}")]
    WrongType {
        /// What is expected, e.g. `a JSON string`.
        expected: &'static str,
        /// What was found, e.g. `a number`.
        found: &'static str,
    },
    /// A value outside what the field accepts.
    #[error("must be {expected}, got {got}")]
    OutOfRange {
        /// What is accepted, e.g. `an integer from 1 to 100`.
        expected: &'static str,
        /// The rejected value, cut and quoted where it is text.
        got: String,
    },
    /// A list that names the same value twice.
    #[error("lists {value} more than once")]
    Duplicate {
        /// The repeated value.
        value: String,
    },
    /// A value that its own parser refused, with that parser's message.
    #[error("is invalid: {reason}")]
    Invalid {
        /// The parser's message (domain messages never repeat amounts or personal data).
        reason: String,
    },
}

impl Problem {
    /// A problem reported by a domain parser.
    pub(crate) fn invalid(error: impl fmt::Display) -> Self {
        Problem::Invalid {
            reason: error.to_string(),
        }
    }
}

/// One field of a rule that is wrong, and why. `field` is a path such as
/// `parameters.individual[0].net_worth.amount`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {problem}")]
pub struct FieldError {
    /// The path of the field.
    pub field: String,
    /// What is wrong with it.
    pub problem: Problem,
}

impl FieldError {
    /// An error at `field`.
    pub(crate) fn new(field: impl Into<String>, problem: Problem) -> Self {
        Self {
            field: field.into(),
            problem,
        }
    }

    /// The same error inside a parent field: `min_score` under `parameters` is `parameters.min_score`.
    pub(crate) fn under(self, parent: &str) -> Self {
        Self {
            field: format!("{parent}.{}", self.field),
            problem: self.problem,
        }
    }
}

/// Which rule row an error is about, as the row spelled it (the values may be the malformed ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRef {
    /// The row's jurisdiction, as given.
    pub jurisdiction: String,
    /// The row's code, as given.
    pub code: String,
    /// The row's version, as given.
    pub version: i64,
}

impl fmt::Display for RowRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "jurisdiction {}, code {}, version {}",
            echo(&self.jurisdiction),
            echo(&self.code),
            self.version
        )
    }
}

/// A rule, or a stored rule row, that was refused: the row, the field and the problem.
///
/// ```
/// use compliance_rules::{Problem, RuleError, RowRef};
/// let err = RuleError {
///     row: RowRef { jurisdiction: "AE".into(), code: "AE-PEP-EDD".into(), version: 2 },
///     field: "parameters.kind".into(),
///     problem: Problem::Missing,
/// };
/// assert_eq!(
///     err.to_string(),
///     r#"rule row (jurisdiction "AE", code "AE-PEP-EDD", version 2) refused: parameters.kind is missing"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule row ({row}) refused: {field} {problem}")]
pub struct RuleError {
    /// The row.
    pub row: RowRef,
    /// The path of the offending field, e.g. `parameters.min_score` or `effective_to`.
    pub field: String,
    /// What is wrong with it.
    pub problem: Problem,
}

impl RuleError {
    /// Attaches a field error to its row.
    pub(crate) fn at(row: &RowRef, error: FieldError) -> Self {
        Self {
            row: row.clone(),
            field: error.field,
            problem: error.problem,
        }
    }
}
