//! End-to-end tests of the service, provisioning, verification and the health endpoint,
//! against the real PostgreSQL server: one binary, one database per test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accreditation;
mod api_cli;
mod api_client;
mod browser;
mod checkpoint;
mod concurrency;
mod faults;
mod health;
mod http_cases;
mod http_edges;
mod http_schemas;
mod integrity;
mod lifecycle;
mod notes;
mod office;
mod office_cases;
mod office_client;
mod proofs;
mod provision;
mod round_trips;
mod rules_cache;
mod service;
mod service_role;
mod support;
mod tokens;
mod verify;
