#![doc = include_str!("../README.md")]

mod bands;
mod entry;
mod features;
pub mod formats;
mod index;
mod matcher;
mod normalise;
mod query;
mod similarity;
mod translit;

pub mod bench_support;
pub mod evaluation;

pub use bands::{Band, Bands};
pub use entry::{EntryKind, EntrySchema, ListEntry, ListIdentifier, PartialDate};
pub use features::{Feature, FeatureName};
pub use matcher::{Match, Screener};
pub use normalise::{NormalName, is_generic, is_legal_form, is_particle, normalise};
pub use query::{Query, QueryIdentifier, normal_identifier, normal_wallet};
