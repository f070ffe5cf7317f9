//! What holds for every format: the content hash, the text forms, the synthetic round trip.

use super::*;
use crate::formats::{FormatError, content_hash, synthetic_entries, write_ofac};
use proptest::prelude::*;

#[test]
fn formats_have_one_text_form_each() {
    for format in Format::ALL {
        assert_eq!(format.to_string().parse::<Format>(), Ok(format));
    }
    let err = "csv".parse::<Format>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown list format `csv`; expected one of: ofac-sdn-csv, un-xml, ftm-jsonl"
    );
}

#[test]
fn the_hash_ignores_the_order_files_come_in_and_separates_names_from_bytes() {
    let files = ofac_files();
    let reversed: Vec<ListFile> = files.iter().rev().cloned().collect();
    assert_eq!(content_hash(&files), content_hash(&reversed));
    assert_eq!(
        parse(Format::OfacSdnCsv, &files).content_hash,
        parse(Format::OfacSdnCsv, &reversed).content_hash
    );
    // Moving a byte from a name into the content is a different set of files.
    assert_ne!(
        content_hash(&[ListFile::new("ab", "c")]),
        content_hash(&[ListFile::new("a", "bc")])
    );
    assert_ne!(
        content_hash(&[ListFile::new("a", "x"), ListFile::new("b", "")]),
        content_hash(&[ListFile::new("a", ""), ListFile::new("b", "x")])
    );
}

#[test]
fn repeated_file_names_are_refused() {
    let files = [ofac_files()[0].clone(), ofac_files()[0].clone()];
    assert!(matches!(
        read(Format::OfacSdnCsv, &files),
        Err(FormatError::Files { .. })
    ));
}

#[test]
fn synthetic_entries_are_deterministic_and_realistic() {
    let entries = synthetic_entries(300, 7);
    assert_eq!(entries, synthetic_entries(300, 7));
    assert_ne!(entries, synthetic_entries(300, 8));
    assert_eq!(entries.len(), 300);
    assert!(entries.iter().all(|e| e.names.len() == 2));
    assert!(entries.iter().any(|e| e.names[0].ends_with(" LLC")));
    assert!(entries.iter().any(|e| !e.wallets.is_empty()));
}

#[test]
fn twenty_thousand_synthetic_entries_import_through_sdn_csv() {
    let entries = synthetic_entries(20_000, 1);
    let list = parse(Format::OfacSdnCsv, &write_ofac(&entries));
    assert_eq!(list.entries.len(), 20_000);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn synthetic_entries_round_trip_through_ofac_csv(count in 1_usize..60, seed in any::<u64>()) {
        let entries = synthetic_entries(count, seed);
        let list = read(Format::OfacSdnCsv, &write_ofac(&entries)).unwrap();
        prop_assert_eq!(list.entries, entries);
    }

    #[test]
    fn any_changed_byte_changes_the_hash(
        file in 0_usize..3,
        index in any::<prop::sample::Index>(),
        flip in 1_u8..=255,
    ) {
        let files = ofac_files();
        let before = content_hash(&files);
        let mut changed = files.clone();
        let at = index.index(changed[file].bytes.len());
        changed[file].bytes[at] ^= flip;
        prop_assert_ne!(before, content_hash(&changed));
    }

    #[test]
    fn the_hash_does_not_depend_on_the_order_of_files(order in Just(vec![0_usize, 1, 2]).prop_shuffle()) {
        let files = ofac_files();
        let shuffled: Vec<ListFile> = order.iter().map(|&i| files[i].clone()).collect();
        prop_assert_eq!(content_hash(&files), content_hash(&shuffled));
    }
}

#[test]
fn line_feeds_alone_and_byte_order_marks_are_read_too() {
    let row = "1,\"A\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n";
    let short = format!("{row}{}2,\"B\"\n", row.replace("1,", "3,"));
    let err = read(Format::OfacSdnCsv, &[ListFile::new("sdn.csv", short)]).unwrap_err();
    assert_eq!(err.to_string(), "sdn.csv:3: expected 12 columns, found 2");
    let line = r#"{"id":"x-1","schema":"Person","properties":{"name":["N"]},"datasets":["x"]}"#;
    let bom = [&b"\xEF\xBB\xBF"[..], line.as_bytes()].concat();
    let list = parse(Format::FollowTheMoney, &[ListFile::new("x.jsonl", bom)]);
    assert_eq!(list.entries.len(), 1);
    assert_eq!(list.content_hash_hex().len(), 64);
}
