//! The decision API's response bodies: the wire form of what `compliance_app::Compliance`
//! answers with, each with its OpenAPI schema. The library's records may grow; what a client
//! receives changes only here. Each body is built from its record by destructuring every field
//! (`From`), so a field added to a record is a compile error here until the API decides to
//! show it.
//!
//! Must not: carry personal data (but the screening bodies, to the roles that may see the
//! subject) or a signing secret (but the answer that shows one once), or be built from anything
//! but the library's records.

mod audit;
mod cases;
mod dashboard;
mod events;
mod health;
mod monitoring;
mod owners;
mod reports;
mod requests;
mod screening;
mod wallets;

pub use audit::{AuditPage, AuditRecord};
pub use cases::{
    Assignment, CaseRecord, ClearedMatch, DispositionState, ReasonRecord, RescreenOutcome,
    ReviewOutcome, ReviewStepTaken, Submission,
};
pub use dashboard::{Dashboard, DecidedCount, Decider, OpenCount, QueueWait};
pub use events::{
    Attempt, Delivery, DeliveryCounts, Endpoint, EndpointWithSecret, Event, Replayed,
};
pub use health::{
    DatabaseState, Health, HealthProblem, HealthStatus, MigrationHealth, PoolFigures,
};
pub use monitoring::{ScreeningFlag, ScreeningJob};
pub use owners::{CaseBrief, Owner, Ownership};
pub use reports::{
    HighRiskRecord, QueueItem, QueuePage, ReviewDueRecord, RuleRecord, SummaryRecord,
};
pub use requests::{AwaitingInformation, CaseNote, InformationRequest};
pub use screening::{
    Erased, ImportOutcome, ListVersion, MatchFeature, Screened, ScreeningMatch, SubjectRecord,
};
pub use wallets::{RecordedTransactions, Wallet, WalletTransaction};
