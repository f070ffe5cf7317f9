//! The OFAC SDN CSV fixtures and OFAC's malformed cases.

use super::*;
use crate::entry::{EntryKind, EntrySchema, PartialDate};
use crate::formats::FormatError;

#[test]
fn the_sdn_fixture_parses_with_aliases_remarks_and_addresses() {
    let list = parse(Format::OfacSdnCsv, &ofac_files());
    assert_eq!(list.list.as_str(), "OFAC-SDN");
    assert_eq!(list.kind, EntryKind::Sanctions);
    assert_eq!(list.entries.len(), 32);
    assert_eq!(list.published, None);
    assert_eq!(list.source, "ofac-sdn-csv: add.csv, alt.csv, sdn.csv");

    let rashid = by_id(&list, "SDN-41001");
    assert_eq!(rashid.schema, EntrySchema::Person);
    assert_eq!(
        rashid.names,
        [
            "AL-RASHID, Khalid Hassan",
            "AL-RASHEED, Khaled",
            "ABU OMAR",
            "RASHID, Khalid"
        ]
    );
    assert_eq!(
        rashid.dates,
        [
            PartialDate {
                year: 1961,
                month: Some(3),
                day: Some(12)
            },
            PartialDate {
                year: 1962,
                month: None,
                day: None
            }
        ]
    );
    assert_eq!(rashid.countries, ["SY"]);
    assert_eq!(rashid.identifiers[0].kind, "passport");
    assert_eq!(rashid.identifiers[0].value, "N0123456");
    assert_eq!(rashid.identifiers[0].country.as_deref(), Some("SY"));
    assert_eq!(rashid.programmes, ["SDGT"]);

    let haddad = by_id(&list, "SDN-41003");
    assert_eq!(
        haddad.wallets,
        [
            "1FxkfJQLJTXpW6QmxGT6oF43ZH959ns8Cq",
            "0x3cB7f9E2c1D4a5B6e7F8091a2B3c4D5e6F708192"
        ]
    );
    assert_eq!(haddad.programmes, ["SDGT", "IRGC"]);

    let company = by_id(&list, "SDN-41019");
    assert_eq!(company.schema, EntrySchema::Organization);
    assert_eq!(
        company.countries,
        ["AE", "IR"],
        "registration country, then add.csv"
    );
    assert_eq!(company.wallets, ["TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"]);
    assert_eq!(by_id(&list, "SDN-41026").schema, EntrySchema::Vessel);
    assert_eq!(
        by_id(&list, "SDN-41026").countries,
        ["IR"],
        "the vessel's flag"
    );
    assert_eq!(by_id(&list, "SDN-41028").schema, EntrySchema::Aircraft);
    assert_eq!(by_id(&list, "SDN-41012").dates.len(), 3, "DOB 1960 to 1962");
    // An unknown country name is left out, never guessed.
    assert_eq!(by_id(&list, "SDN-41030").countries, ["AF"]);
    // Windows-1252 bytes (Ö, Ç) read as Latin-1.
    assert_eq!(by_id(&list, "SDN-41031").names[0], "GÖKÇE, Mehmet");
}

#[test]
fn sdn_csv_alone_is_enough_and_the_truncated_set_is_smaller() {
    let sdn = &ofac_files()[..1];
    let alone = parse(Format::OfacSdnCsv, sdn);
    assert_eq!(alone.entries.len(), 32);
    assert_eq!(by_id(&alone, "SDN-41001").names.len(), 1);
    let truncated = parse(
        Format::OfacSdnCsv,
        &[
            fixture(
                "sdn.csv",
                include_bytes!("../../../fixtures/ofac-truncated/sdn.csv"),
            ),
            fixture(
                "alt.csv",
                include_bytes!("../../../fixtures/ofac-truncated/alt.csv"),
            ),
            fixture(
                "add.csv",
                include_bytes!("../../../fixtures/ofac-truncated/add.csv"),
            ),
        ],
    );
    assert_eq!(truncated.entries.len(), 5);
}

#[test]
fn a_short_row_names_the_file_and_line() {
    let bytes =
        b"1,\"A\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n2,\"B\",-0- \r\n\x1a";
    assert_eq!(
        read(Format::OfacSdnCsv, &[ListFile::new("sdn.csv", &bytes[..])]),
        Err(FormatError::Record {
            file: "sdn.csv".into(),
            line: 2,
            expected: "12 columns, found 3".into()
        })
    );
}

#[test]
fn bad_file_sets_orphans_duplicates_and_empty_lists_are_refused() {
    let row = b"7,\"A\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
    let sdn = ListFile::new("sdn.csv", &row[..]);
    let err = read(Format::OfacSdnCsv, &[ListFile::new("alt.csv", &row[..])]).unwrap_err();
    assert!(matches!(err, FormatError::Files { .. }), "{err}");
    let extra = [sdn.clone(), ListFile::new("sdn_comments.csv", "")];
    assert!(matches!(
        read(Format::OfacSdnCsv, &extra),
        Err(FormatError::Files { .. })
    ));
    let orphan = [
        sdn.clone(),
        ListFile::new("alt.csv", "8,1,\"aka\",\"B\",-0- \r\n"),
    ];
    let err = read(Format::OfacSdnCsv, &orphan).unwrap_err();
    assert_eq!(
        err.to_string(),
        "alt.csv:1: expected an ent_num that sdn.csv lists"
    );
    let twice = ListFile::new("sdn.csv", [&row[..], &row[..]].concat());
    assert!(matches!(
        read(Format::OfacSdnCsv, &[twice]),
        Err(FormatError::DuplicateEntry { id, .. }) if id == "SDN-7"
    ));
    let empty = ListFile::new("sdn.csv", &b"\x1a"[..]);
    assert!(matches!(
        read(Format::OfacSdnCsv, &[empty]),
        Err(FormatError::Empty { .. })
    ));
    let bad_num = ListFile::new("sdn.csv", [&b"x"[..], &row[1..]].concat());
    assert_eq!(
        read(Format::OfacSdnCsv, &[bad_num])
            .unwrap_err()
            .to_string(),
        "sdn.csv:1: expected a numeric ent_num in column 1"
    );
}
