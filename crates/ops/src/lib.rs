#![doc = include_str!("../README.md")]

pub mod admin;
pub mod checkpoint;
pub mod cluster;
pub mod embedded;
mod library;
pub mod provision;
pub mod rules;
pub mod screening_proof;
pub mod seed;
#[cfg(feature = "testing")]
pub mod testing;

pub use library::compliance_over;
pub mod verify;
