//! compliance-dispatch: the transport of events out (signatures, the request-forgery guard so far).
//!
//! Must not: touch a database.

pub mod address;
pub mod resolver;
pub mod signature;
