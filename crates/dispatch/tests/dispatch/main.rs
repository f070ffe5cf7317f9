//! The integration tests of compliance-dispatch, one binary: webhooks to real loopback
//! receivers (HTTP and HTTPS) and publishing to the real NATS broker at 127.0.0.1:4222 (a story
//! that needs the broker or python3 is skipped loudly where it is missing, and fails under
//! `CI=true`: `needs.rs`).
//!
//! Must not: mock a server, or leave a stream behind on the broker.

// The receivers and fixtures outside `#[test]` functions unwrap too: a panic there is a failed
// test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod https;
mod nats;
mod needs;
mod outbox;
mod receiver;
mod webhook;

/// The receivers' Rust example (docs/events.md), run on a real delivery by `outbox.rs`.
#[path = "../../examples/verify_webhook.rs"]
mod verify_example;
