#![doc = include_str!("../README.md")]

mod accreditation;
mod classification;
mod dates;
mod defaults;
mod documents;
mod engine;
mod error;
mod kind;
mod literal;
mod params;
mod period;
mod reg_d;
mod review;
mod rule;
mod rule_set;
pub mod scenarios;
mod screening;
mod sebi;
mod signals;
mod stored;
mod thresholds;
mod watchlist;
mod words;

pub use accreditation::{Accreditation, AccreditationTest, Comparison};
pub use classification::{InvestorClassification, Licence};
pub use defaults::{
    accreditation_effective_from, default_effective_from, default_rules, screening_effective_from,
};
pub use documents::{DocumentSet, RequiredDocuments};
pub use engine::{EvaluateError, evaluate};
pub use error::{ECHO_LIMIT, FieldError, Problem, RowRef, RuleError};
pub use kind::RuleKind;
pub use period::EffectivePeriod;
pub use reg_d::RegDAccreditation;
pub use review::ReviewIntervals;
pub use rule::Rule;
pub use rule_set::{RuleSet, RuleSetError};
pub use screening::{ScreeningBands, ScreeningMatch};
pub use sebi::SebiAccreditation;
pub use signals::RiskSignals;
pub use stored::StoredRule;
pub use thresholds::{RedFlagLimit, RiskThreshold, VerificationMinimum};
