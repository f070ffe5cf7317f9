#![doc = include_str!("../README.md")]

mod entry;
pub mod formats;

pub use entry::{EntryKind, EntrySchema, ListEntry, ListIdentifier, PartialDate};
