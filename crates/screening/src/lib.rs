#![doc = include_str!("../README.md")]

mod entry;
mod normalise;
mod similarity;
mod translit;

pub use entry::{EntryKind, EntrySchema, ListEntry, ListIdentifier, PartialDate};
pub use normalise::{NormalName, is_generic, is_particle, normalise};
