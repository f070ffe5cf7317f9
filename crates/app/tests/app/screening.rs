//! Screening as a provider (issue 18): list versions imported from the official fixture files,
//! immutable and guarded against a truncated feed; a subject screened ad hoc and at submission,
//! the screening recorded with this service as provider, the exact versions and every match
//! explained; the subject kept out of the chain and erasable only within the law.

use crate::support::*;
use compliance_app::AppError;
use compliance_app::screening::formats::{Format, ListFile};
use compliance_app::watchlists::Imported;
use compliance_domain::input::{CaseInput, SubjectInput};
use compliance_domain::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../screening/fixtures");

fn file(path: &str) -> ListFile {
    let name = path.rsplit('/').next().unwrap().to_owned();
    ListFile::new(name, std::fs::read(format!("{FIXTURES}/{path}")).unwrap())
}

fn ofac(folder: &str) -> Vec<ListFile> {
    ["sdn.csv", "alt.csv", "add.csv"]
        .iter()
        .filter(|f| std::path::Path::new(&format!("{FIXTURES}/{folder}/{f}")).exists())
        .map(|f| file(&format!("{folder}/{f}")))
        .collect()
}

fn import_fixtures(s: &Seeded) -> Vec<String> {
    let admin = s.admin();
    let mut labels = Vec::new();
    for (format, files) in [
        (Format::OfacSdnCsv, ofac("ofac")),
        (Format::UnConsolidatedXml, vec![file("un/consolidated.xml")]),
        (
            Format::FollowTheMoney,
            vec![file("opensanctions/ae_local_terrorists.jsonl")],
        ),
    ] {
        match s
            .compliance
            .import_watchlist(&admin, format, &files, None)
            .unwrap()
        {
            Imported::New(v) => labels.push(v.label),
            Imported::Existing(_) => panic!("a first import is new"),
        }
    }
    labels
}

fn subject(json: serde_json::Value) -> Subject {
    serde_json::from_value::<SubjectInput>(json)
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn versions_are_evidence_imported_once_and_guarded_against_a_truncated_feed() {
    let s = seeded();
    let labels = import_fixtures(&s);
    assert_eq!(labels.len(), 3);
    let admin = s.admin();
    // The same files again: the same version, nothing new.
    let again = s
        .compliance
        .import_watchlist(&admin, Format::OfacSdnCsv, &ofac("ofac"), None)
        .unwrap();
    assert!(matches!(again, Imported::Existing(v) if v.label == labels[0]));
    // A feed that lost most of its entries is refused, then accepted with an admin's reason.
    let truncated = ofac("ofac-truncated");
    let refused = s
        .compliance
        .import_watchlist(&admin, Format::OfacSdnCsv, &truncated, None)
        .unwrap_err();
    assert!(
        matches!(&refused, AppError::Refused { constraint, .. } if constraint == "watchlist_versions_entry_drop"),
        "{refused:?}"
    );
    let forced = s
        .compliance
        .import_watchlist(
            &admin,
            Format::OfacSdnCsv,
            &truncated,
            Some("OFAC delisted 27 entries on 2026-12-06"),
        )
        .unwrap();
    let Imported::New(forced) = forced else {
        panic!("a forced import is new")
    };
    assert_eq!(forced.entry_count, 5);
    assert!(forced.previous.is_some());
    // Only an admin imports; the database refuses changing a version or its entries.
    let denied = s
        .compliance
        .import_watchlist(&s.officer(), Format::OfacSdnCsv, &ofac("ofac"), None)
        .unwrap_err();
    assert!(matches!(denied, AppError::Forbidden { .. }));
    let mut conn = s.db.conn();
    for sql in [
        "UPDATE watchlist_versions SET entry_count = entry_count + 1",
        "DELETE FROM watchlist_entries",
        "UPDATE watchlist_entries SET entry = entry || '{\"names\": [\"x\"]}'",
    ] {
        assert!(try_exec(&mut conn, sql).is_err(), "{sql}");
    }
    // A version cannot grow after its import.
    let version = s.compliance.watchlist_versions(&admin).unwrap()[0].id;
    let grow = format!(
        "INSERT INTO watchlist_entries VALUES ('{version}', 'SDN-1', '{{\"id\": \"SDN-1\", \"names\": [\"x\"]}}')"
    );
    assert!(
        try_exec(&mut conn, &grow)
            .unwrap_err()
            .contains("watchlist_entries_in_import")
    );
}

#[test]
fn a_subject_is_screened_ad_hoc_with_each_match_explained_and_nothing_written() {
    let s = seeded();
    let mut labels = import_fixtures(&s);
    labels.sort();
    let mut conn = s.db.conn();
    let audit_before = count(&mut conn, "SELECT count(*) AS n FROM audit_logs");
    // OFAC SDN-41001 is "AL-RASHID, Khalid Hassan", DOB 12 Mar 1961, Syria.
    let screened = s
        .compliance
        .screen(
            &s.agent(),
            &subject(serde_json::json!({"names": ["Khalid Hassan Al Rashid"], "birth_year": 1961, "countries": ["SY"]})),
            Some(Jurisdiction::Ae),
        )
        .unwrap();
    assert_eq!(screened.versions, labels);
    // The same person may be listed elsewhere too; OFAC's entry is among the strongest.
    let top = screened
        .matches
        .iter()
        .find(|m| m.explained.entry.as_str() == "SDN-41001")
        .expect("OFAC's entry is found");
    assert!(
        top.explained.score >= screened.reject_at,
        "{:?}",
        top.explained.score
    );
    assert_eq!(top.explained.subject_name, "Khalid Hassan Al Rashid");
    let features: Vec<_> = top
        .explained
        .features
        .iter()
        .map(|f| format!("{:?}", f.name))
        .collect();
    assert!(features.iter().any(|f| f == "BirthDate"), "{features:?}");
    // A common name alone matches nothing strongly.
    let clear = s
        .compliance
        .screen(
            &s.agent(),
            &subject(serde_json::json!({"names": ["Maria Garcia"]})),
            None,
        )
        .unwrap();
    assert!(clear.matches.is_empty(), "{:?}", clear.matches.len());
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM audit_logs"),
        audit_before
    );
}

fn input(entity: &str, names: &[&str]) -> CaseInput {
    serde_json::from_value(serde_json::json!({
        "kyc": {"entity_id": entity, "entity_type": "individual", "jurisdiction": "AE",
                "verification_score": 95, "documents": ["passport", "proof_of_address", "liveness_check"],
                "investor": {}},
        "subject": {"names": names, "birth_year": 1961, "countries": ["SY"]}
    }))
    .unwrap()
}

#[test]
fn a_submission_with_a_subject_is_screened_here_with_its_versions_and_explanation() {
    let s = seeded();
    let labels = import_fixtures(&s);
    let agent = s.agent();
    let hit = s
        .compliance
        .submit_input(
            &agent,
            &input("ae-ind-screened-001", &["Khalid Hassan AL-RASHID"]),
            None,
        )
        .unwrap();
    assert_eq!(
        hit.case.status,
        CheckStatus::Rejected,
        "{:?}",
        hit.case.reasons
    );
    let mut conn = s.db.conn();
    let provider = count(
        &mut conn,
        "SELECT count(*) AS n FROM aml_checks WHERE screening_provider = 'compliance-db'
            AND watchlist_version = (SELECT string_agg(label, '+' ORDER BY list_name) FROM watchlist_versions)",
    );
    assert_eq!(provider, 1, "labels {labels:?}");
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM aml_check_watchlist_versions"
        ),
        3
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM screening_explanations WHERE jsonb_array_length(explanation) >= 1"
        ),
        1
    );
    // The chain keeps the subject's commitment, never a name.
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM audit_logs WHERE details::text ILIKE '%rashid%'"
        ),
        0
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM audit_logs WHERE action = 'subject_recorded'"
        ),
        1
    );
    // A clean name is approved by the same path.
    let clean = s
        .compliance
        .submit_input(
            &agent,
            &input("ae-ind-screened-002", &["Maria Garcia Lopez"]),
            None,
        )
        .unwrap();
    assert_eq!(
        clean.case.status,
        CheckStatus::Approved,
        "{:?}",
        clean.case.reasons
    );
    // The retry with the same key is the same case.
    let key = IdempotencyKey::parse("screened-003").unwrap();
    let first = s
        .compliance
        .submit_input(
            &agent,
            &input("ae-ind-screened-003", &["Maria Garcia Lopez"]),
            Some(&key),
        )
        .unwrap();
    let again = s
        .compliance
        .submit_input(
            &agent,
            &input("ae-ind-screened-003", &["Maria Garcia Lopez"]),
            Some(&key),
        )
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.case.id, first.case.id);
}

#[test]
fn a_subject_is_read_by_officers_and_erased_only_after_the_record_keeping_period() {
    let s = seeded();
    import_fixtures(&s);
    let screened = entity("ae-ind-screened-004");
    s.compliance
        .submit_input(
            &s.agent(),
            &input(screened.as_str(), &["Khalid Hassan AL-RASHID"]),
            None,
        )
        .unwrap();
    let record = s.compliance.subject(&s.officer(), &screened).unwrap();
    assert_eq!(
        record.subject.unwrap().names()[0],
        "Khalid Hassan AL-RASHID"
    );
    assert!(matches!(
        s.compliance.subject(&s.analyst(), &screened),
        Err(AppError::Forbidden { .. })
    ));
    // Rejected today: kept five years from the decision, and the refusal says until when.
    let refused = s
        .compliance
        .erase_subject(&s.officer(), &screened)
        .unwrap_err();
    let AppError::Retained {
        until: Some(until), ..
    } = &refused
    else {
        panic!("{refused:?}")
    };
    assert!(*until > chrono::Utc::now() + chrono::Duration::days(365 * 5 - 2));
    // The case is the UAE's: the refusal names the UAE's rule.
    assert!(
        refused
            .to_string()
            .contains("Decree-Law No. 20 of 2018, Art. 16"),
        "{refused}"
    );
    // The database refuses it too, whoever asks.
    let mut conn = s.db.conn();
    let officer = s.users.officer.id;
    let sql = format!(
        "UPDATE screening_subjects SET subject = NULL, salt = NULL, erased_by = '{officer}'"
    );
    assert!(
        try_exec(&mut conn, &sql)
            .unwrap_err()
            .contains("screening_subjects_retention")
    );
    // An entity without a case may be erased now, with its explanations.
    let other = entity("ae-ind-prospect-001");
    s.compliance
        .record_subject(
            &s.agent(),
            &other,
            &subject(serde_json::json!({"names": ["A Prospect"]})),
        )
        .unwrap();
    assert_eq!(s.compliance.erase_subject(&s.officer(), &other).unwrap(), 1);
    assert!(
        s.compliance
            .subject(&s.officer(), &other)
            .unwrap()
            .subject
            .is_none()
    );
}
