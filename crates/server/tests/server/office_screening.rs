//! The case page of a case this service screened (issue 18): under each matched entry, the
//! subject's name beside the list's, the score and band, then every feature's part of the score,
//! so that an officer can judge a false positive. The subject's names (and what each feature
//! compared, which quotes them) only for the roles that may read subjects; an erased subject is
//! said to be erased.

use crate::office_client::OfficeApp;
use crate::support::{Seeded, behind_the_triggers};
use axum::http::StatusCode;
use compliance_app::CaseDetail;
use compliance_app::records::Submission;
use compliance_app::screening::formats::{Format, ListFile};
use compliance_domain::input::CaseInput;
use compliance_domain::{CheckStatus, EntityId};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../screening/fixtures/ofac");

/// OFAC's SDN fixture imported as the one list version.
pub fn import_ofac(s: &Seeded) {
    let files: Vec<ListFile> = ["sdn.csv", "alt.csv", "add.csv"]
        .iter()
        .map(|f| ListFile::new(*f, std::fs::read(format!("{FIXTURES}/{f}")).unwrap()))
        .collect();
    s.compliance
        .import_watchlist(&s.admin(), Format::OfacSdnCsv, &files, None)
        .unwrap();
}

/// A case for `entity` whose subject is `name`, born 1961, Syrian: screened here at submission.
pub fn submit_screened(s: &Seeded, entity: &str, name: &str) -> Submission {
    let input: CaseInput = serde_json::from_value(serde_json::json!({
        "kyc": {"entity_id": entity, "entity_type": "individual", "jurisdiction": "AE",
                "verification_score": 95, "documents": ["passport", "proof_of_address", "liveness_check"],
                "investor": {}},
        "subject": {"names": [name], "birth_year": 1961, "countries": ["SY"]}
    }))
    .unwrap();
    s.compliance.submit_input(&s.agent(), &input, None).unwrap()
}

/// A case matched to OFAC's SDN-41001 ("AL-RASHID, Khalid Hassan", 1961, Syria) by this
/// service's own screening, with the status it was decided.
fn matched_al_rashid(app: &OfficeApp, entity: &str, name: &str) -> (String, CheckStatus) {
    import_ofac(&app.s);
    let hit = submit_screened(&app.s, entity, name);
    (hit.case.id.to_string(), hit.case.status)
}

/// As [`matched_al_rashid`], rejected: the name is the listed one.
fn rejected_al_rashid(app: &OfficeApp, entity: &str, name: &str) -> String {
    let (case, status) = matched_al_rashid(app, entity, name);
    assert_eq!(status, CheckStatus::Rejected);
    case
}

/// Text as the page escapes it (askama's HTML escaping).
fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

fn detail(app: &OfficeApp, case: &str, officer: bool) -> CaseDetail {
    let caller = if officer {
        app.s.officer()
    } else {
        app.s.analyst()
    };
    app.s
        .compliance
        .case_detail(&caller, case.parse().unwrap())
        .unwrap()
}

#[tokio::test]
async fn an_officer_sees_the_subject_beside_the_list_entry_feature_by_feature() {
    let app = OfficeApp::new();
    let case = rejected_al_rashid(&app, "ae-ind-screened-001", "Khalid Hassan AL-RASHID");
    let shown = detail(&app, &case, true);
    let explanation = shown.screenings[0].explanation.as_ref().unwrap();
    assert_eq!(explanation.versions.len(), 1);
    assert!(explanation.versions[0].starts_with("OFAC-SDN"));
    let sdn = explanation
        .matches
        .iter()
        .find(|m| m.entry.as_str() == "SDN-41001")
        .unwrap();
    assert_eq!(sdn.subject_name.as_deref(), Some("Khalid Hassan AL-RASHID"));
    assert!(sdn.features.iter().all(|f| f.detail.is_some()));

    let b = app.signed_in("compliance.officer").await;
    let page = b.get(&format!("/office/cases/{case}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "Why OFAC-SDN SDN-41001 matched",
        "Subject's name",
        "Khalid Hassan AL-RASHID",
        &escaped(&sdn.list_name),
        &sdn.score.to_string(),
        "<td>reject</td>",
        "Name similarity",
        "Date of birth",
        &escaped(&explanation.versions[0]),
    ] {
        assert!(
            page.body.contains(expected),
            "{expected} missing: {}",
            page.body
        );
    }
    for f in &sdn.features {
        let detail = escaped(f.detail.as_deref().unwrap());
        assert!(page.body.contains(&detail), "{detail} missing");
    }
    // The subject's name and the list's side by side, in one row.
    let row = format!(
        "<tr><td>Khalid Hassan AL-RASHID</td><td>{}</td>",
        escaped(&sdn.list_name)
    );
    assert!(page.body.contains(&row), "{row} missing: {}", page.body);
    assert!(!page.body.contains("shown to compliance officers"));
    // A rejected case: nobody clears its matches any more (four eyes are unchanged).
    assert!(!page.body.contains("Propose as false positive"));
}

#[tokio::test]
async fn a_subjects_name_is_escaped_on_the_page() {
    let app = OfficeApp::new();
    let hostile = "Khalid Hassan AL-RASHID <script>alert(1)</script>";
    // The extra words lower the name's coverage: escalated for review, not rejected.
    let (case, status) = matched_al_rashid(&app, "ae-ind-screened-002", hostile);
    assert_eq!(status, CheckStatus::Escalated);
    let b = app.signed_in("compliance.officer").await;
    let page = b.get(&format!("/office/cases/{case}")).await;
    assert!(!page.body.contains("<script>"), "{}", page.body);
    assert!(page.body.contains(&escaped(hostile)), "{}", page.body);
}

#[tokio::test]
async fn an_analyst_sees_the_features_but_not_the_subjects_names() {
    let app = OfficeApp::new();
    let case = rejected_al_rashid(&app, "ae-ind-screened-003", "Khalid Hassan AL-RASHID");
    let shown = detail(&app, &case, false);
    let explanation = shown.screenings[0].explanation.as_ref().unwrap();
    assert!(!explanation.shows_subject);
    assert!(
        explanation
            .matches
            .iter()
            .all(|m| { m.subject_name.is_none() && m.features.iter().all(|f| f.detail.is_none()) })
    );
    let officers = detail(&app, &case, true);
    let details: Vec<String> = officers.screenings[0]
        .explanation
        .as_ref()
        .unwrap()
        .matches
        .iter()
        .flat_map(|m| m.features.iter().filter_map(|f| f.detail.clone()))
        .collect();

    let b = app.signed_in("analyst").await;
    let page = b.get(&format!("/office/cases/{case}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "Why OFAC-SDN SDN-41001 matched",
        "Name similarity",
        "Date of birth",
        "<td>reject</td>",
        "the subject's names are shown to compliance officers",
        "(shown to compliance officers)",
    ] {
        assert!(
            page.body.contains(expected),
            "{expected} missing: {}",
            page.body
        );
    }
    // Each feature's contribution, signed (the name alone makes 1; the rest cannot add to it).
    assert!(
        page.body
            .contains("<td>Name similarity</td><td class=\"mono\">+1.00</td>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Khalid Hassan AL-RASHID"));
    for detail in details {
        assert!(!page.body.contains(&escaped(&detail)), "{detail} shown");
    }
}

#[tokio::test]
async fn an_erased_subject_shows_as_erased() {
    let app = OfficeApp::new();
    let entity = "ae-ind-screened-004";
    let case = rejected_al_rashid(&app, entity, "Khalid Hassan AL-RASHID");
    // Rejected six years ago (as a database restored from then would hold it): the records
    // need no longer be kept, and an officer erases the subject.
    behind_the_triggers(
        &mut app.s.db.conn(),
        &format!(
            "UPDATE compliance_checks SET decided_at = decided_at - interval '6 years' WHERE id = '{case}'"
        ),
    );
    let erased = app
        .s
        .compliance
        .erase_subject(&app.s.officer(), &EntityId::parse(entity).unwrap())
        .unwrap();
    assert_eq!(erased, 1);
    let shown = detail(&app, &case, true);
    let explanation = shown.screenings[0].explanation.as_ref().unwrap();
    let on = explanation
        .erased_at
        .unwrap()
        .format("%Y-%m-%d")
        .to_string();
    assert!(explanation.matches.is_empty());
    for who in ["compliance.officer", "analyst"] {
        let b = app.signed_in(who).await;
        let page = b.get(&format!("/office/cases/{case}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains(&format!("erased on {on}")),
            "{who}: {}",
            page.body
        );
        // The matched entry stays on the screening's record; its explanation went.
        assert!(page.body.contains("SDN-41001"));
        assert!(!page.body.contains("Why OFAC-SDN SDN-41001 matched"));
        assert!(!page.body.contains("Khalid Hassan AL-RASHID"));
    }
}
