//! The evaluation over the fixture files (`crates/screening/fixtures/`): every list read through
//! [`formats::read`](crate::formats::read) exactly as an import reads it, the labelled set
//! generated from their entries (committed as `crates/screening/evaluation/set.jsonl`, checked
//! to be what the generator gives), and the report, for the test beside it and `cargo xtask
//! bench`.
//!
//! Must not: read files at run time (the fixtures are compiled in) or tune the set to the
//! matcher.

use compliance_domain::{ListEntryRef, ListName};
use serde::Serialize;

use super::{Case, Report, evaluate, generate_lists};
use crate::bands::Bands;
use crate::entry::ListEntry;
use crate::formats::{Format, ListFile, ParsedList, read};
use crate::matcher::Screener;

/// The committed labelled set, one JSON line per case.
pub const COMMITTED_SET: &str = include_str!("../../evaluation/set.jsonl");

fn parse(format: Format, files: Vec<ListFile>) -> Option<ParsedList> {
    read(format, &files).ok()
}

/// The fixture lists as imports read them: OFAC's SDN CSV files, the UN consolidated list and
/// OpenSanctions' two datasets. A fixture that fails to parse is left out (the importers'
/// tests fail loudly on it).
pub fn lists() -> Vec<(ListName, Vec<ListEntry>)> {
    let ofac = vec![
        ListFile::new(
            "sdn.csv",
            include_bytes!("../../fixtures/ofac/sdn.csv").to_vec(),
        ),
        ListFile::new(
            "alt.csv",
            include_bytes!("../../fixtures/ofac/alt.csv").to_vec(),
        ),
        ListFile::new(
            "add.csv",
            include_bytes!("../../fixtures/ofac/add.csv").to_vec(),
        ),
    ];
    let un = vec![ListFile::new(
        "consolidated.xml",
        include_bytes!("../../fixtures/un/consolidated.xml").to_vec(),
    )];
    let ae = vec![ListFile::new(
        "ae_local_terrorists.jsonl",
        include_bytes!("../../fixtures/opensanctions/ae_local_terrorists.jsonl").to_vec(),
    )];
    let mha = vec![ListFile::new(
        "in_mha_banned.jsonl",
        include_bytes!("../../fixtures/opensanctions/in_mha_banned.jsonl").to_vec(),
    )];
    [
        parse(Format::OfacSdnCsv, ofac),
        parse(Format::UnConsolidatedXml, un),
        parse(Format::FollowTheMoney, ae),
        parse(Format::FollowTheMoney, mha),
    ]
    .into_iter()
    .flatten()
    .map(|p| (p.list, p.entries))
    .collect()
}

/// The labelled set generated from the fixture lists.
pub fn cases() -> Vec<Case> {
    generate_lists(&lists())
}

#[derive(Serialize)]
struct Target<'a> {
    list: &'a ListName,
    entry: &'a ListEntryRef,
}

fn target((list, entry): &(ListName, ListEntryRef)) -> Target<'_> {
    Target { list, entry }
}

#[derive(Serialize)]
struct Line<'a> {
    kind: &'a str,
    query: &'a str,
    expected: Option<Target<'a>>,
    also: Vec<Target<'a>>,
}

/// The set as JSON lines: `{"kind", "query", "expected": {"list", "entry"} or null, "also"}`.
pub fn set_jsonl(cases: &[Case]) -> String {
    let mut out = String::new();
    for c in cases {
        let line = Line {
            kind: &c.label,
            query: c.query.names.first().map_or("", String::as_str),
            expected: c.expected.as_ref().map(target),
            also: c.also.iter().map(target).collect(),
        };
        out.push_str(&serde_json::to_string(&line).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// Screens the fixture set with the example bands (review 0.85, reject 0.95).
pub fn fixtures_report() -> Report {
    let lists = lists();
    let cases = generate_lists(&lists);
    let screener = Screener::from_lists(lists);
    evaluate(&screener, &cases, &Bands::example())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_set_is_what_the_generator_gives() {
        let generated = set_jsonl(&cases());
        if std::env::var_os("SCREENING_WRITE_SET").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/evaluation/set.jsonl");
            assert!(std::fs::write(path, &generated).is_ok());
        }
        assert!(
            generated == COMMITTED_SET,
            "evaluation/set.jsonl is stale: run with SCREENING_WRITE_SET=1 and commit it"
        );
    }

    #[test]
    fn every_fixture_list_is_read() {
        assert_eq!(lists().len(), 4);
    }

    #[test]
    fn the_fixture_lists_meet_the_targets() {
        let report = fixtures_report();
        let json = serde_json::to_string_pretty(&report).unwrap_or_default();
        eprintln!("{json}");
        let review = &report.bands[0];
        assert!(review.recall.basis_points() >= 9_800, "{json}");
        assert!(review.precision.basis_points() >= 9_500, "{json}");
        assert_eq!(report.generic_only_above_review, 0, "{json}");
    }
}
