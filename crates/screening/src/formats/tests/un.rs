//! The UN consolidated list fixtures (two versions) and malformed XML.

use super::*;
use crate::entry::{EntrySchema, PartialDate};
use crate::formats::FormatError;

const BASE: &[u8] = include_bytes!("../../../fixtures/un/consolidated.xml");
const NEXT: &[u8] = include_bytes!("../../../fixtures/un/consolidated-next.xml");

#[test]
fn the_consolidated_fixture_parses_with_original_script_and_documents() {
    let list = parse(
        Format::UnConsolidatedXml,
        &[fixture("consolidated.xml", BASE)],
    );
    assert_eq!(list.list.as_str(), "UN-SC-CONSOLIDATED");
    assert_eq!(list.entries.len(), 30);
    assert_eq!(
        list.published.as_deref(),
        Some("2026-11-18T10:00:05.483-05:00")
    );
    assert!(list.source.contains("published 2026-11-18"));
    let people = list
        .entries
        .iter()
        .filter(|e| e.schema == EntrySchema::Person)
        .count();
    assert_eq!(people, 21);

    let rashid = by_id(&list, "QDi.901");
    // The "Low" quality alias (Abu Omar) is weak and stays out.
    assert_eq!(
        rashid.names,
        [
            "KHALID HASSAN AL-RASHID",
            "خالد حسن الرشيد",
            "Khaled Hassan al-Rasheed"
        ]
    );
    assert_eq!(
        rashid.dates,
        [PartialDate {
            year: 1961,
            month: Some(3),
            day: Some(12)
        }]
    );
    assert_eq!(rashid.countries, ["SY"]);
    assert_eq!(rashid.identifiers[0].value, "N0123456");
    assert_eq!(rashid.identifiers[0].country.as_deref(), Some("SY"));
    assert_eq!(rashid.programmes, ["Al-Qaida"]);

    let sharma = by_id(&list, "QDi.912");
    assert_eq!(sharma.names[1], "सुनील कुमार शर्मा");
    assert_eq!(by_id(&list, "QDi.909").names[1], "Дмитрий Сергеевич Волков");
    assert_eq!(
        by_id(&list, "QDi.904").dates.len(),
        3,
        "BETWEEN 1960 and 1962"
    );
    assert_eq!(by_id(&list, "QDi.904").countries, ["AF", "PK"]);
    assert_eq!(by_id(&list, "KPi.960").countries, ["KP"]);
    let id_card = &by_id(&list, "QDi.906").identifiers[1];
    assert_eq!(id_card.kind, "national_id");

    let foundation = by_id(&list, "QDe.801");
    assert_eq!(foundation.schema, EntrySchema::Organization);
    assert_eq!(foundation.names.len(), 4);
    assert_eq!(foundation.countries, ["PK", "AF"]);
    assert_eq!(by_id(&list, "QDe.803").countries, ["AE", "IR"]);
}

#[test]
fn the_next_version_adds_two_changes_one_and_removes_one() {
    let base = parse(
        Format::UnConsolidatedXml,
        &[fixture("consolidated.xml", BASE)],
    );
    let next = parse(
        Format::UnConsolidatedXml,
        &[fixture("consolidated-next.xml", NEXT)],
    );
    let ids = |l: &ParsedList| {
        l.entries
            .iter()
            .map(|e| e.id.to_string())
            .collect::<Vec<_>>()
    };
    let (old, new) = (ids(&base), ids(&next));
    let added: Vec<_> = new.iter().filter(|i| !old.contains(i)).collect();
    let removed: Vec<_> = old.iter().filter(|i| !new.contains(i)).collect();
    assert_eq!(added, ["QDe.807", "QDi.918"]);
    assert_eq!(removed, ["QDi.916"]);
    let changed: Vec<_> = base
        .entries
        .iter()
        .filter(|e| next.entries.iter().any(|n| n.id == e.id && n != *e))
        .map(|e| e.id.to_string())
        .collect();
    assert_eq!(changed, ["QDi.903"]);
    assert_ne!(base.content_hash, next.content_hash);
}

#[test]
fn truncated_xml_names_the_file_and_a_line() {
    let cut = &BASE[..BASE.len() / 2];
    let err = read(
        Format::UnConsolidatedXml,
        &[ListFile::new("consolidated.xml", cut)],
    )
    .unwrap_err();
    let FormatError::Record { file, line, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(file, "consolidated.xml");
    assert!(*line > 1, "{err}");
    let mid_tag = b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><REFERENCE_NU";
    let err = read(
        Format::UnConsolidatedXml,
        &[ListFile::new("un.xml", &mid_tag[..])],
    );
    assert!(
        matches!(err, Err(FormatError::Record { line: 1, .. })),
        "{err:?}"
    );
    let other_root = b"<html></html>";
    let err = read(
        Format::UnConsolidatedXml,
        &[ListFile::new("un.xml", &other_root[..])],
    );
    assert_eq!(
        err.unwrap_err().to_string(),
        "un.xml:1: expected <CONSOLIDATED_LIST>"
    );
}

#[test]
fn the_un_format_takes_one_file() {
    let two = [fixture("a.xml", BASE), fixture("b.xml", NEXT)];
    assert!(matches!(
        read(Format::UnConsolidatedXml, &two),
        Err(FormatError::Files { .. })
    ));
}
