//! The screening routes through the router: an admin imports a list version from its official
//! files (base64), the versions are listed, a subject is screened ad hoc with each match
//! explained and nothing written, a case is submitted with a subject and screened here, the
//! subject is read by an officer and its erasure refused while the records must be kept; every
//! bad input is a 4xx problem, never a 500.

use crate::api_client::{Api, kind};
use axum::http::{Method, StatusCode};
use base64::Engine;
use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../screening/fixtures");

fn file(path: &str) -> Value {
    let bytes = std::fs::read(format!("{FIXTURES}/{path}")).unwrap();
    json!({
        "name": path.rsplit('/').next().unwrap(),
        "content_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

async fn import(api: &Api, body: Value) -> (StatusCode, Value) {
    let (status, _, answer) = api
        .call(
            Method::POST,
            "/api/v1/watchlists",
            Some(&api.admin),
            &[],
            Some(body),
        )
        .await;
    (status, answer)
}

fn ofac() -> Value {
    json!({"format": "ofac-sdn-csv",
           "files": [file("ofac/sdn.csv"), file("ofac/alt.csv"), file("ofac/add.csv")]})
}

#[tokio::test]
async fn an_admin_imports_a_version_once_and_others_may_not() {
    let api = Api::new();
    let (status, first) = import(&api, ofac()).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["outcome"], "new");
    assert_eq!(first["version"]["entry_count"], 32);
    assert!(
        first["version"]["label"]
            .as_str()
            .unwrap()
            .starts_with("OFAC-SDN@")
    );
    let (status, again) = import(&api, ofac()).await;
    assert_eq!(
        (status, again["outcome"].as_str()),
        (StatusCode::OK, Some("existing"))
    );
    let (status, _, problem) = api
        .call(
            Method::POST,
            "/api/v1/watchlists",
            Some(&api.officer),
            &[],
            Some(ofac()),
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let (status, _, list) = api.get("/api/v1/watchlists", &api.analyst).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    // Bad inputs are typed 4xx answers, and write nothing.
    let versions = api.rows("watchlist_versions");
    for (body, path) in [
        (
            json!({"format": "pdf", "files": [file("un/consolidated.xml")]}),
            "format",
        ),
        (json!({"format": "un-xml", "files": []}), "files"),
        (
            json!({"format": "un-xml", "files": [{"name": "x.xml", "content_base64": "%%%"}]}),
            "files[0].content_base64",
        ),
        (
            json!({"format": "un-xml", "files": [{"name": "x.xml", "content_base64": "PGE+"}]}),
            "files",
        ),
    ] {
        let (status, problem) = import(&api, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["errors"][0]["path"], path, "{problem}");
    }
    let truncated = json!({"format": "ofac-sdn-csv", "files": [file("ofac-truncated/sdn.csv")]});
    let (status, problem) = import(&api, truncated).await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::UNPROCESSABLE_ENTITY, "refused"),
        "{problem}"
    );
    assert_eq!(api.rows("watchlist_versions"), versions);
}

#[tokio::test]
async fn a_subject_is_screened_ad_hoc_and_at_submission_and_kept_for_officers() {
    let api = Api::new();
    assert_eq!(import(&api, ofac()).await.0, StatusCode::CREATED);
    let subject =
        json!({"names": ["Khalid Hassan AL-RASHID"], "birth_year": 1961, "countries": ["SY"]});
    let cases = api.rows("compliance_checks");
    let (status, _, screened) = api
        .call(
            Method::POST,
            "/api/v1/screen",
            Some(&api.agent),
            &[],
            Some(json!({"subject": subject, "jurisdiction": "AE"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{screened}");
    let top = &screened["matches"][0];
    assert_eq!(top["entry"], "SDN-41001");
    assert_eq!(top["band"], "reject");
    assert_eq!(top["list_name"], "AL-RASHID, Khalid Hassan");
    assert!(
        top["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "birth_date")
    );
    assert_eq!(
        api.rows("compliance_checks"),
        cases,
        "a screening writes nothing"
    );
    // An invalid subject is a 422 naming the field.
    let (status, _, problem) = api
        .call(
            Method::POST,
            "/api/v1/screen",
            Some(&api.agent),
            &[],
            Some(json!({"subject": {"names": []}})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["path"], "subject.names");

    let case = json!({
        "kyc": {"entity_id": "ae-ind-http-screened-1", "entity_type": "individual", "jurisdiction": "AE",
                "verification_score": 95, "documents": ["passport", "proof_of_address", "liveness_check"]},
        "subject": subject,
    });
    let (status, _, submitted) = api
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&api.agent),
            &[],
            Some(case),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{submitted}");
    assert_eq!(submitted["case"]["status"], "REJECTED");
    assert!(
        submitted["case"]["watchlist_version"]
            .as_str()
            .unwrap()
            .starts_with("OFAC-SDN@")
    );

    let uri = "/api/v1/entities/ae-ind-http-screened-1/subject";
    let (status, _, record) = api.get(uri, &api.officer).await;
    assert_eq!(status, StatusCode::OK, "{record}");
    assert_eq!(record["subject"]["names"][0], "Khalid Hassan AL-RASHID");
    assert_eq!(record["revision"], 1);
    let (status, _, _) = api.get(uri, &api.analyst).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, problem) = api
        .call(Method::DELETE, uri, Some(&api.officer), &[], None)
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::CONFLICT, "retained"),
        "{problem}"
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("erasable from"),
        "{problem}"
    );
    let (_, _, still) = api.get(uri, &api.officer).await;
    assert_eq!(still["subject"]["names"][0], "Khalid Hassan AL-RASHID");
}
