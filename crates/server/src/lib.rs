#![doc = include_str!("../README.md")]

pub mod api;
pub mod backoffice;
pub mod http;

pub use api::{ServeOptions, app, router, router_with, serve};
