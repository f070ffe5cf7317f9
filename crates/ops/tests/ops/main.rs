//! End-to-end tests of provisioning, verification and signed checkpoints, against the real
//! PostgreSQL server: one binary, one database per test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accreditation;
mod checkpoint;
mod notes;
mod proofs;
mod provision;
mod screening_proofs;
mod service_role;
mod sessions;
mod support;
mod verify;
