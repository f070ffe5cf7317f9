#![doc = include_str!("../README.md")]

pub mod checkpoint;
pub mod provision;
pub mod seed;
#[cfg(feature = "testing")]
pub mod testing;
pub mod verify;
