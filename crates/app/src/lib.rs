#![doc = include_str!("../README.md")]

#[cfg(feature = "tokio")]
mod asynchronous;
mod compliance;
mod config;
mod convert;
mod cursor;
mod error;
pub mod events;
pub mod health;
mod page;
pub mod passwords;
mod rule_rows;
mod rules_cache;
mod service;
pub mod tokens;
pub mod watchlists;

#[cfg(feature = "tokio")]
pub use asynchronous::{AsyncCompliance, Turns};
pub mod records;
pub use compliance::{
    AppliedRule, CaseDetail, ChainVerdict, ExplainedFeature, ExplainedMatch, KycRecord,
    MatchDisposition, NoteRecord, OfficeSession, SESSION_PREFIX, ScreeningExplanation,
    ScreeningRecord, SessionPolicy, SignedIn, csrf_token,
};
pub use compliance::{
    Caller, Compliance, Credential, InProcess, Monitor, MonitorSettings, Outbox, ReplaySelection,
    ScreeningFlag, ScreeningJob, SubjectRecord,
};
pub use compliance::{
    ChainHeadRecord, OutboxRecord, ReadReplicaRecord, ReplicationRecord, RoutedReads,
    StandbyRecord, VitalsRecord,
};
pub use compliance::{
    CurrentCase, EntityOverview, EntityScreening, EntitySearch, FlaggedTransaction, NAME_MATCHES,
    NameMatch, SEARCH_CHARS, WalletFlags,
};
pub use compliance::{
    DashboardRecord, DecidedCountRecord, Decider, OpenCountRecord, QueueWaitRecord,
};
pub use config::{Config, ConfigError};
pub use cursor::QueueCursor;
pub use error::{AppError, Result};
pub use page::{AssigneeQuery, AuditQuery, ListSize, PageSize, QueueQuery, QueueSize};

/// The domain's types, re-exported: what a service needs to build the inputs and read the
/// answers (a caller of this crate needs no other crate of the workspace).
pub use compliance_domain as domain;
/// The screening crate (list formats, the matcher's types), re-exported for the same reason.
pub use compliance_screening as screening;
