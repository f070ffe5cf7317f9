#![doc = include_str!("../README.md")]

pub mod api;
pub mod backoffice;
pub mod http;
pub mod metrics;

pub use api::{ServeOptions, app, apps, router, router_with, serve, serve_with_metrics};
