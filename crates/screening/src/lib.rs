#![doc = include_str!("../README.md")]

mod entry;

pub use entry::{EntryKind, EntrySchema, ListEntry, ListIdentifier, PartialDate};
