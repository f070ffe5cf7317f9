//! Beneficial owners over the API and on the back office's entity page: who may record one
//! (201 with both sides' current cases), every typed refusal, hostile input (a 4xx, never a
//! 500, nothing written), and the entity page listing an owner with its current case.

use crate::api_client::{Api, kind};
use crate::http_schemas::{assert_matches, assert_request_matches, document};
use crate::office_client::OfficeApp;
use axum::http::{Method, StatusCode};
use compliance_domain::{EntityId, OwnershipShare};
use serde_json::{Value, json};

const CORP: &str = "ae-corp-pending-002";
const PERSON: &str = "ae-ind-clean-001";
const OWNERS: &str = "/api/v1/entities/ae-corp-pending-002/owners";

/// The documented template of both routes.
const ROUTE: &str = "/api/v1/entities/{entity_id}/owners";

/// A POST of `body` to `uri` as `token`, request and answer checked against the document.
async fn post(api: &Api, doc: &Value, uri: &str, token: &str, body: Value) -> (StatusCode, Value) {
    assert_request_matches(doc, "post", ROUTE, &body);
    let answer = api
        .call(Method::POST, uri, Some(token), &[], Some(body))
        .await;
    assert_matches(doc, "post", ROUTE, &answer);
    (answer.0, answer.2)
}

/// A GET of `uri` as `token`, its answer checked against the document (200 only).
async fn get(api: &Api, doc: &Value, uri: &str, token: &str) -> Value {
    let answer = api.call(Method::GET, uri, Some(token), &[], None).await;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.2);
    assert_matches(doc, "get", ROUTE, &answer);
    answer.2
}

#[tokio::test]
async fn the_agent_records_an_owner_and_every_refusal_is_typed() {
    let api = Api::new();
    let doc = document(&api).await;
    let (corp_case, _) = api.case_of(CORP).await;
    let (person_case, _) = api.case_of(PERSON).await;
    let body = json!({"owner_id": PERSON, "share": "40"});
    let (status, refused) = post(&api, &doc, OWNERS, &api.analyst, body.clone()).await;
    assert_eq!(
        (status, kind(&refused)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let (status, owner) = post(&api, &doc, OWNERS, &api.agent, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{owner}");
    assert_eq!(
        (&owner["entity_id"], &owner["owner_id"], &owner["share"]),
        (&json!(CORP), &json!(PERSON), &json!("40"))
    );
    assert_eq!(owner["owner_case"]["id"], person_case.as_str());
    assert_eq!(owner["owner_case"]["status"], "APPROVED");
    assert_eq!(owner["entity_case"]["id"], corp_case.as_str());
    // An owner without a case yet: `null`.
    let (status, newcomer) = post(
        &api,
        &doc,
        OWNERS,
        &api.officer,
        json!({"owner_id": "ae-ind-newcomer-009", "share": "12.5"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{newcomer}");
    assert_eq!(newcomer["owner_case"], Value::Null);

    let rows = api.rows("beneficial_owners");
    let audit = api.rows("audit_logs");
    for (uri, body, expected, problem) in [
        (
            OWNERS.to_owned(),
            body.clone(),
            StatusCode::CONFLICT,
            "conflict",
        ),
        (
            OWNERS.to_owned(),
            json!({"owner_id": "ae-ind-other-010", "share": "47.51"}),
            StatusCode::CONFLICT,
            "shares-over-100",
        ),
        (
            OWNERS.to_owned(),
            json!({"owner_id": CORP, "share": "1"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "owns-itself",
        ),
        (
            OWNERS.to_owned(),
            json!({"owner_id": "us-corp-accredited-001", "share": "1"}),
            StatusCode::CONFLICT,
            "owner-not-a-person",
        ),
        (
            format!("/api/v1/entities/{PERSON}/owners"),
            json!({"owner_id": "ae-ind-other-010", "share": "1"}),
            StatusCode::CONFLICT,
            "not-a-legal-person",
        ),
        (
            "/api/v1/entities/ae-corp-nobody-404/owners".to_owned(),
            json!({"owner_id": "ae-ind-other-010", "share": "1"}),
            StatusCode::NOT_FOUND,
            "not-found",
        ),
    ] {
        let (status, answer) = post(&api, &doc, &uri, &api.officer, body.clone()).await;
        assert_eq!(
            (status, kind(&answer)),
            (expected, problem),
            "{uri} {body}: {answer}"
        );
    }
    assert_eq!(
        (api.rows("beneficial_owners"), api.rows("audit_logs")),
        (rows, audit)
    );

    // Every role that reads cases reads the ownership, both ways.
    let read = get(&api, &doc, OWNERS, &api.agent).await;
    let owners: Vec<&str> = read["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["owner_id"].as_str().unwrap())
        .collect();
    assert_eq!(owners, [PERSON, "ae-ind-newcomer-009"]);
    let theirs = get(
        &api,
        &doc,
        &format!("/api/v1/entities/{PERSON}/owners"),
        &api.analyst,
    )
    .await;
    assert_eq!(theirs["owns"][0]["entity_id"], CORP);
    assert_eq!(theirs["owners"], json!([]));
}

#[tokio::test]
async fn hostile_input_on_the_owners_route_is_a_4xx_and_writes_nothing() {
    let api = Api::new();
    let audit = api.rows("audit_logs");
    let long = "a".repeat(65);
    for (body, field) in [
        (json!({"owner_id": PERSON, "share": "0"}), "share"),
        (json!({"owner_id": PERSON, "share": "100.01"}), "share"),
        (json!({"owner_id": PERSON, "share": "33.333"}), "share"),
        (json!({"owner_id": PERSON, "share": "-1"}), "share"),
        (json!({"owner_id": PERSON, "share": "1e2"}), "share"),
        (json!({"owner_id": PERSON, "share": "NaN"}), "share"),
        (
            json!({"owner_id": PERSON, "share": "9".repeat(5000)}),
            "share",
        ),
        (
            json!({"owner_id": "'; DROP TABLE users; --", "share": "10"}),
            "owner_id",
        ),
        (json!({"owner_id": long, "share": "10"}), "owner_id"),
        (
            json!({"owner_id": "ae-ind-\u{0}", "share": "10"}),
            "owner_id",
        ),
    ] {
        let (status, problem) = api.post(OWNERS, &api.officer, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {problem}"
        );
        assert_eq!(problem["errors"][0]["path"], field, "{body}: {problem}");
    }
    // Wrong shapes: a number for the share, a missing or an unknown field.
    for body in [
        json!({"owner_id": PERSON, "share": 25}),
        json!({"owner_id": PERSON}),
        json!({"owner_id": PERSON, "share": "25", "recorded_by": "admin"}),
    ] {
        let (status, problem) = api.post(OWNERS, &api.officer, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {problem}"
        );
    }
    // A path that is no entity id; a body that is not JSON.
    let (status, _) = api
        .post(
            "/api/v1/entities/NOT%20AN%20ID/owners",
            &api.officer,
            json!({"owner_id": PERSON, "share": "1"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = api
        .raw(
            Method::POST,
            OWNERS,
            Some(&api.officer),
            &[],
            Some("{not json".to_owned()),
        )
        .await;
    assert!(status.is_client_error(), "{status}");
    let (status, _, _) = api
        .get("/api/v1/entities/NOT%20AN%20ID/owners", &api.officer)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(api.rows("audit_logs"), audit, "nothing was written");
    assert_eq!(api.rows("beneficial_owners"), 0);
}

#[tokio::test]
async fn the_entity_page_lists_an_owner_with_its_current_case() {
    let app = OfficeApp::new();
    let s = &app.s;
    let b = app.signed_in("analyst").await;
    // None recorded yet: the page says so.
    let page = b.get(&format!("/office/entities/{CORP}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Related entities") && page.body.contains("None recorded."));
    s.compliance
        .record_owner(
            &s.agent(),
            &EntityId::parse(CORP).unwrap(),
            &EntityId::parse(PERSON).unwrap(),
            OwnershipShare::parse("40").unwrap(),
        )
        .unwrap();
    let owner_case = s.current(PERSON);
    let page = b.get(&format!("/office/entities/{CORP}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(!body.contains("None recorded."), "{body}");
    for part in [
        format!("href=\"/office/entities/{PERSON}\">{PERSON}</a>"),
        "40%".to_owned(),
        format!(
            "<a href=\"/office/cases/{}\">{}, {} risk</a>",
            owner_case.id, owner_case.status, owner_case.risk_level
        ),
        "by kyc-agent".to_owned(),
    ] {
        assert!(body.contains(&part), "{part:?} missing: {body}");
    }
    // The owner's page lists what it owns, with that entity's current case.
    let corp_case = s.current(CORP);
    let page = b.get(&format!("/office/entities/{PERSON}")).await;
    assert!(page.body.contains("Owns"), "{}", page.body);
    assert!(
        page.body
            .contains(&format!("href=\"/office/entities/{CORP}\">{CORP}</a>"))
    );
    assert!(
        page.body
            .contains(&format!("/office/cases/{}", corp_case.id))
    );
}
