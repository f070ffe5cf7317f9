#![doc = include_str!("../README.md")]

mod accreditation;
mod defaults;
mod documents;
mod engine;
mod error;
mod kind;
mod literal;
mod params;
mod period;
mod review;
mod rule;
mod rule_set;
pub mod scenarios;
mod stored;
mod thresholds;
mod watchlist;

pub use accreditation::{Accreditation, AccreditationTest, Comparison};
pub use defaults::{default_effective_from, default_rules};
pub use documents::{DocumentSet, RequiredDocuments};
pub use engine::{EvaluateError, evaluate};
pub use error::{ECHO_LIMIT, FieldError, Problem, RowRef, RuleError};
pub use kind::RuleKind;
pub use period::EffectivePeriod;
pub use review::ReviewIntervals;
pub use rule::Rule;
pub use rule_set::{RuleSet, RuleSetError};
pub use stored::StoredRule;
pub use thresholds::{RedFlagLimit, RiskThreshold, VerificationMinimum};
