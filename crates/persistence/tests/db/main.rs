//! Integration tests of the persistence crate against the real PostgreSQL server: one binary,
//! one database per test (see `compliance_persistence::testing`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accreditation;
mod audit;
mod audit_coverage;
mod concurrency;
mod config;
mod constraints;
mod lifecycle;
mod migrations;
mod overdue;
mod owners;
mod pages;
mod pool;
mod repositories;
mod rules_state;
mod service_levels;
mod subject_search;
mod support;
mod waiver;
