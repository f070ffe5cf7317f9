//! The integration tests of compliance-rules, in one binary to keep compile time down: golden
//! seed scenarios, stored-row round trips and refusals, rule sets, the engine's properties, and
//! the periodic review policy.
//!
//! Must not: depend on anything outside this crate and the domain (no database, no network).
//! The allocation test lives in its own binary (tests/allocations.rs) for its global allocator.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a failed unwrap is a failed test"
)]

mod accreditation;
mod docs;
mod golden;
mod kinds;
mod properties;
mod review;
mod rule_sets;
mod screening;
mod stored;
mod strategies;
