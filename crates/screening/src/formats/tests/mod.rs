//! Tests of the importers against the fixtures in `crates/screening/fixtures/`, written in each
//! list's exact official format (fictional entries), and of what holds for every format: the
//! content hash, the text forms, the round trip of synthetic entries.
//!
//! Must not: read from the network or the file system at run time (fixtures are compiled in).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ftm;
mod hash;
mod ofac;
mod un;

use super::{Format, ListFile, ParsedList, read};
use crate::entry::ListEntry;

fn fixture(path: &str, bytes: &[u8]) -> ListFile {
    let name = path.rsplit('/').next().unwrap();
    ListFile::new(name, bytes)
}

fn ofac_files() -> Vec<ListFile> {
    vec![
        fixture("sdn.csv", include_bytes!("../../../fixtures/ofac/sdn.csv")),
        fixture("alt.csv", include_bytes!("../../../fixtures/ofac/alt.csv")),
        fixture("add.csv", include_bytes!("../../../fixtures/ofac/add.csv")),
    ]
}

fn parse(format: Format, files: &[ListFile]) -> ParsedList {
    read(format, files).unwrap()
}

fn by_id<'a>(list: &'a ParsedList, id: &str) -> &'a ListEntry {
    list.entries
        .iter()
        .find(|e| e.id.as_str() == id)
        .unwrap_or_else(|| panic!("{id} missing"))
}
