#![doc = include_str!("../README.md")]

mod compliance;
mod error;
pub mod health;
pub mod passwords;
mod rule_rows;
mod rules_cache;
mod service;
pub mod tokens;

pub use compliance::records;
pub use compliance::{Caller, Compliance, QueueCursor, QueueQuery};
pub use compliance::{
    CaseDetail, ChainVerdict, KycRecord, MatchDisposition, NoteRecord, OfficeSession,
    SESSION_PREFIX, ScreeningRecord, SessionPolicy, SignedIn, csrf_token,
};
pub use error::{AppError, Result};
pub use rule_rows::{new_rule, rule_from_row};
pub use rules_cache::RulesCache;
pub use service::{
    Cleared, ComplianceService, EntityHistory, Replay, Rescreened, Reviewed, Submitted, replay,
};

/// The crates this one wires together, re-exported for its users.
pub use {
    compliance_domain as domain, compliance_persistence as persistence, compliance_rules as rules,
};
