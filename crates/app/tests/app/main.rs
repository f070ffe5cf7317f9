//! End-to-end tests of the decision layer through its entry point, against the real PostgreSQL
//! server: one binary, one database per test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access;
mod assignment;
mod commit_loss;
mod concurrency;
mod dashboard;
mod events;
mod integrity;
mod lifecycle;
mod monitoring;
mod owners;
mod replica;
mod requests;
mod review_screenings;
mod round_trips;
mod rules_cache;
mod screening;
mod service;
mod sign_in;
mod support;
mod tokens;
mod wallets;
