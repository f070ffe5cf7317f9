//! End-to-end tests of the HTTP service (the decision API, the back office, the
//! `compliance-api` binary), against the real PostgreSQL server: one binary, one database per
//! test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api_cli;
mod api_client;
mod assignment;
mod browser;
mod browser_assignment;
mod browser_dashboard;
mod browser_entity;
mod browser_operations;
mod browser_requests;
mod dashboard;
mod faults;
mod health;
mod http_cases;
mod http_edges;
mod http_events;
mod http_monitoring;
mod http_schemas;
mod http_screening;
mod http_wallets;
mod metrics;
mod office;
mod office_cases;
mod office_client;
mod office_endpoints;
mod office_entities;
mod office_explains;
mod office_screening;
mod owners;
mod requests;
mod support;
