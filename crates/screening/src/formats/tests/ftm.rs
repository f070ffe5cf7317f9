//! The OpenSanctions FollowTheMoney fixtures (UAE local terrorists, India's banned
//! organisations) and malformed lines.

use super::*;
use crate::entry::{EntryKind, EntrySchema, PartialDate};
use crate::formats::FormatError;

const AE: &[u8] = include_bytes!("../../../fixtures/opensanctions/ae_local_terrorists.jsonl");
const IN: &[u8] = include_bytes!("../../../fixtures/opensanctions/in_mha_banned.jsonl");

#[test]
fn the_uae_dataset_parses_with_wallets_sanctions_and_no_weak_aliases() {
    let list = parse(
        Format::FollowTheMoney,
        &[fixture("ae_local_terrorists.jsonl", AE)],
    );
    assert_eq!(list.list.as_str(), "AE-LOCAL-TERRORISTS");
    assert_eq!(list.kind, EntryKind::Sanctions);
    assert_eq!(
        list.entries.len(),
        25,
        "wallets, sanctions and addresses are not entries"
    );
    let rashid = by_id(&list, "ae-lt-0a1b2c3d");
    assert_eq!(rashid.schema, EntrySchema::Person);
    assert_eq!(
        rashid.names,
        [
            "Khalid Hassan Al Rashid",
            "خالد حسن الرشيد",
            "Khaled Al-Rasheed"
        ],
        "the weak alias Abu Omar stays out"
    );
    assert_eq!(
        rashid.dates,
        [PartialDate {
            year: 1961,
            month: Some(3),
            day: Some(12)
        }]
    );
    assert_eq!(rashid.countries, ["SY", "AE"]);
    assert_eq!(rashid.identifiers[0].kind, "passport");
    assert_eq!(rashid.identifiers[0].value, "N0123456");
    assert_eq!(
        by_id(&list, "ae-lt-1b2c3d4e").dates[0].month,
        None,
        "a year-only date"
    );
    assert_eq!(
        by_id(&list, "ae-lt-2c3d4e5f").wallets,
        ["TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"]
    );
    let company = by_id(&list, "ae-lt-o2");
    assert_eq!(company.schema, EntrySchema::Organization);
    assert_eq!(company.identifiers[0].kind, "registration_number");
    assert_eq!(
        company.programmes,
        [
            "UAE Cabinet Resolution - Local Terrorist List",
            "Cabinet Resolution 83 of 2014"
        ]
    );
    assert_eq!(by_id(&list, "ae-lt-o5").wallets.len(), 1);
    assert_eq!(
        by_id(&list, "ae-lt-o7").schema,
        EntrySchema::Organization,
        "LegalEntity"
    );
    assert!(
        list.entries
            .iter()
            .all(|e| !e.wallets.iter().any(|w| w.starts_with("1Holder")))
    );
}

#[test]
fn the_india_dataset_parses_with_devanagari_names() {
    let list = parse(
        Format::FollowTheMoney,
        &[fixture("in_mha_banned.jsonl", IN)],
    );
    assert_eq!(list.list.as_str(), "IN-MHA-BANNED");
    assert_eq!(list.entries.len(), 25);
    let org = by_id(&list, "in-mha-001");
    assert_eq!(
        org.names,
        ["Bharat Mukti Sena", "भारत मुक्ति सेना"],
        "BMS is weak"
    );
    assert_eq!(org.countries, ["IN"]);
    assert_eq!(
        by_id(&list, "in-mha-p03").identifiers[0].kind,
        "national_id"
    );
}

#[test]
fn kinds_follow_topics() {
    let line = |id: &str, topics: &str| {
        format!(
            r#"{{"id":"{id}","schema":"Person","properties":{{"name":["N {id}"],"topics":[{topics}]}},"datasets":["x_pep"]}}"#
        )
    };
    let text = [
        line("a", r#""role.pep""#),
        line("b", r#""crime.fin""#),
        line("c", r#""sanction","role.pep""#),
    ]
    .join("\n");
    let list = parse(Format::FollowTheMoney, &[ListFile::new("x.jsonl", text)]);
    let kinds: Vec<_> = list.entries.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EntryKind::Pep,
            EntryKind::AdverseMedia,
            EntryKind::Sanctions
        ]
    );
    assert_eq!(list.kind, EntryKind::Sanctions);
    assert_eq!(list.list.as_str(), "X-PEP");
}

#[test]
fn a_line_that_is_not_an_object_names_the_file_and_line() {
    let text = [
        &AE[..AE
            .len()
            .min(AE.iter().position(|&b| b == b'\n').unwrap() + 1)],
        b"[1, 2]\n",
    ]
    .concat();
    assert_eq!(
        read(Format::FollowTheMoney, &[ListFile::new("ae.jsonl", text)]),
        Err(FormatError::Record {
            file: "ae.jsonl".into(),
            line: 2,
            expected: "a JSON object with id, schema and properties".into()
        })
    );
}

#[test]
fn mixed_datasets_are_refused() {
    let mixed = [AE, IN].concat();
    let err = read(
        Format::FollowTheMoney,
        &[ListFile::new("mixed.jsonl", mixed)],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "mixed.jsonl:31: expected the dataset every line before names (one dataset per list version)"
    );
}
