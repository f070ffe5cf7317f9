//! `GET /metrics` in the Prometheus (OpenMetrics) text format, through `prometheus-client`:
//! `families` holds the in-process registry (HTTP requests, submissions, decisions,
//! re-screenings, failed scrapes), [`http`] the middleware that counts requests, `scrape`
//! the figures read at each scrape (the database's and the pool's), `replica` the standby for
//! reads' (when `DATABASE_READ_URL` names one), [`listener`] the router
//! served on the metrics listener of its own (`--metrics-addr`), never on the API's.
//!
//! Must not: put an id, a name, an amount or a path's own text in a label, or serve `/metrics`
//! on the API's listener.

mod families;
pub mod http;
pub mod listener;
mod replica;
mod scrape;

pub use families::Metrics;
pub use listener::{CONTENT_TYPE, router};
