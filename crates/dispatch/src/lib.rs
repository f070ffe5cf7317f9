//! compliance-dispatch: the transport of events out (Standard Webhooks signatures so far).
//!
//! Must not: touch a database.

pub mod signature;
