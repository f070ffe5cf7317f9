#![doc = include_str!("../README.md")]

pub mod checkpoint;
mod error;
pub mod hex;
pub mod keys;
pub mod log;
pub mod merkle;
pub mod proof;
pub mod screening;

pub use checkpoint::SignedCheckpoint;
pub use error::AuditError;
pub use log::{CHAINS, ChainHeads, HashedEntry, Head, entry_hash};
pub use proof::{InclusionProof, Proven, check_proof};

/// A result of this crate.
pub type Result<T, E = AuditError> = std::result::Result<T, E>;
