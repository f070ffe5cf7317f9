#![doc = include_str!("../README.md")]

#[cfg(feature = "tokio")]
mod asynchronous;
mod compliance;
mod config;
mod error;
pub mod health;
mod page;
pub mod passwords;
mod rule_rows;
mod rules_cache;
mod service;
pub mod tokens;

#[cfg(feature = "tokio")]
pub use asynchronous::AsyncCompliance;
pub use compliance::records;
pub use compliance::{
    AuditQuery, Caller, Compliance, Credential, InProcess, QueueCursor, QueueQuery,
};
pub use compliance::{
    CaseDetail, ChainVerdict, KycRecord, MatchDisposition, NoteRecord, OfficeSession,
    SESSION_PREFIX, ScreeningRecord, SessionPolicy, SignedIn, csrf_token,
};
pub use config::{Config, ConfigError};
pub use error::{AppError, Result};
pub use page::{ListSize, PageSize, QueueSize};

/// The domain's types, re-exported: what a service needs to build the inputs and read the
/// answers (a caller of this crate needs no other crate of the workspace).
pub use compliance_domain as domain;
