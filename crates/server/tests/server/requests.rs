//! Notes and requests for information, over the API and in the back office: who may write,
//! ask, answer and withdraw; the queue's customer clock; CSRF; and hostile input on every new
//! route and form (each a typed 4xx, nothing written).

use crate::api_client::{Api, kind};
use crate::office_client::OfficeApp;
use axum::http::StatusCode;
use serde_json::{Value, json};

const PENDING: &str = "ae-corp-pending-002";
const APPROVED: &str = "ae-ind-clean-001";

#[tokio::test]
async fn the_api_asks_answers_and_notes_without_moving_the_case() {
    let api = Api::new();
    let (id, revision) = api.case_of(PENDING).await;
    let asks = format!("/api/v1/cases/{id}/information-requests");
    let body = json!({"addressee": "investor", "items": ["source_of_funds", "identity_document"],
                      "respond_within_days": 10, "message": "a bank letter, please"});
    let (status, refused) = api.post(&asks, &api.agent, body.clone()).await;
    assert_eq!(
        (status, kind(&refused)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let (status, asked) = api.post(&asks, &api.analyst, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{asked}");
    assert_eq!(
        asked["items"],
        json!(["identity_document", "source_of_funds"])
    );
    assert_eq!(asked["outcome"], Value::Null);
    assert!(asked["note_id"].is_string());
    let request = asked["id"].as_str().unwrap().to_owned();
    let (status, again) = api.post(&asks, &api.officer, body).await;
    assert_eq!((status, kind(&again)), (StatusCode::CONFLICT, "conflict"));
    // The case did not move; the queue shows the customer's clock.
    assert_eq!(api.case_of(PENDING).await.1, revision);
    let (_, _, queue) = api.get("/api/v1/queue", &api.officer).await;
    let item = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["case_id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(item["awaiting_information"]["request_id"], request.as_str());
    // Every role that reads cases reads the requests.
    let (status, _, listed) = api.get(&asks, &api.agent).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed[0]["id"], request.as_str());

    // The onboarding service records the answer; a second closing is a conflict.
    let answer = format!("/api/v1/information-requests/{request}/answer");
    let (status, answered) = api
        .post(&answer, &api.agent, json!({"note": "2 files"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    assert_eq!(answered["outcome"], "answered");
    let withdraw = format!("/api/v1/information-requests/{request}/withdraw");
    let (status, closed) = api.post(&withdraw, &api.analyst, json!({})).await;
    assert_eq!(
        (status, kind(&closed)),
        (StatusCode::CONFLICT, "request-closed")
    );
    let (_, _, queue) = api.get("/api/v1/queue", &api.officer).await;
    assert!(
        queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["awaiting_information"].is_null())
    );

    // A note: 201 with its commitment; the case unchanged.
    let notes = format!("/api/v1/cases/{id}/notes");
    let (status, note) = api
        .post(&notes, &api.analyst, json!({"text": "called the RM"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    assert_eq!(note["commitment"].as_str().unwrap().len(), 64);
    assert!(!note.to_string().contains("called the RM"));
    let (status, refused) = api.post(&notes, &api.agent, json!({"text": "x"})).await;
    assert_eq!(
        (status, kind(&refused)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    assert_eq!(api.case_of(PENDING).await.1, revision);

    // Only a case waiting for a review is asked about.
    let (approved, _) = api.case_of(APPROVED).await;
    let (status, problem) = api.post(&format!("/api/v1/cases/{approved}/information-requests"),
        &api.officer,
        json!({"addressee": "investor", "items": ["other"], "respond_within_days": 5, "message": "x"}),
    )
    .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::CONFLICT, "not-in-queue")
    );
}

#[tokio::test]
async fn hostile_input_on_the_new_routes_is_a_typed_refusal_and_writes_nothing() {
    let api = Api::new();
    let (id, _) = api.case_of(PENDING).await;
    let asks = format!("/api/v1/cases/{id}/information-requests");
    let audit = api.rows("audit_logs");
    let long = "x".repeat(2001);
    for (body, field) in [
        (
            json!({"addressee": "neighbour", "items": ["other"], "respond_within_days": 5}),
            "addressee",
        ),
        (
            json!({"addressee": "investor", "items": [], "respond_within_days": 5}),
            "items",
        ),
        (
            json!({"addressee": "investor", "items": ["passport"], "respond_within_days": 5}),
            "items[0]",
        ),
        (
            json!({"addressee": "investor", "items": ["other"], "respond_within_days": 5}),
            "message",
        ),
        (
            json!({"addressee": "investor", "items": ["tax_residency"], "respond_within_days": 0}),
            "respond_within_days",
        ),
        (
            json!({"addressee": "investor", "items": ["tax_residency"], "respond_within_days": 9_999_999_999_i64}),
            "respond_within_days",
        ),
        (
            json!({"addressee": "investor", "items": ["tax_residency"], "respond_within_days": 7, "message": long}),
            "message",
        ),
        (
            json!({"addressee": "investor", "items": ["tax_residency"], "respond_within_days": 7, "message": "\u{0}"}),
            "message",
        ),
    ] {
        let (status, problem) = api.post(&asks, &api.analyst, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {problem}"
        );
        assert_eq!(problem["errors"][0]["path"], field, "{body}: {problem}");
    }
    for (uri, body) in [
        (
            asks.clone(),
            json!({"addressee": "investor", "items": ["other"], "respond_within_days": 5, "message": "x", "extra": 1}),
        ),
        (format!("/api/v1/cases/{id}/notes"), json!({"text": ""})),
        (format!("/api/v1/cases/{id}/notes"), json!({"text": 42})),
        (format!("/api/v1/cases/{id}/notes"), json!({})),
    ] {
        let (status, problem) = api.post(&uri, &api.analyst, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {problem}"
        );
    }
    for (uri, body) in [
        ("/api/v1/information-requests/not-a-uuid/answer", json!({})),
        ("/api/v1/cases/not-a-case/notes", json!({"text": "x"})),
    ] {
        let (status, _) = api.post(uri, &api.analyst, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
    }
    let nobody = uuid::Uuid::new_v4();
    let (status, problem) = api
        .post(
            &format!("/api/v1/information-requests/{nobody}/withdraw"),
            &api.analyst,
            json!({}),
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::NOT_FOUND, "not-found")
    );
    let (status, _, _) = api
        .get(
            &format!("/api/v1/cases/{nobody}/information-requests"),
            &api.analyst,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(api.rows("audit_logs"), audit, "nothing was written");
    assert_eq!(api.rows("information_requests"), 0);
}

#[tokio::test]
async fn the_back_office_asks_answers_and_notes_with_its_token() {
    let app = OfficeApp::new();
    let (case, _, _) = app.case_of(PENDING);
    let analyst = app.signed_in("analyst").await;
    let officer = app.signed_in("compliance.officer").await;
    let page = analyst.get(&format!("/office/cases/{case}")).await;
    for expected in [
        "Requests for information",
        "Nothing has been asked",
        "Request information",
        "Add note",
    ] {
        assert!(page.body.contains(expected), "{expected} missing");
    }
    let csrf = page.csrf();
    let asks = format!("/office/cases/{case}/information-requests");
    let notes = format!("/office/cases/{case}/notes");
    let audit = app.rows("audit_logs");
    // Another session's token, none, or a forged one: refused, nothing written.
    let officers_token = officer.get("/office/queue").await.csrf();
    for token in ["", "0000", officers_token.as_str()] {
        let refused = analyst
            .post(
                &asks,
                &[
                    ("csrf", token),
                    ("addressee", "investor"),
                    ("item", "tax_residency"),
                    ("respond_within_days", "7"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{token}");
        let refused = analyst
            .post(&notes, &[("csrf", token), ("text", "hello")])
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{token}");
    }
    // Hostile fields: a typed refusal over the case page.
    let hostile: [&[(&str, &str)]; 5] = [
        &[
            ("addressee", "<script>"),
            ("item", "tax_residency"),
            ("respond_within_days", "7"),
        ],
        &[("addressee", "investor"), ("respond_within_days", "7")],
        &[
            ("addressee", "investor"),
            ("item", "'; DROP TABLE users; --"),
            ("respond_within_days", "7"),
        ],
        &[
            ("addressee", "investor"),
            ("item", "tax_residency"),
            ("respond_within_days", "ninety"),
        ],
        &[
            ("addressee", "investor"),
            ("item", "other"),
            ("respond_within_days", "7"),
        ],
    ];
    for fields in hostile {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let refused = analyst.post(&asks, &form).await;
        assert!(refused.status.is_client_error(), "{fields:?}");
        assert!(
            refused.body.contains("Nothing was recorded"),
            "{}",
            refused.body
        );
        assert!(!refused.body.contains("<script>"));
    }
    let refused = analyst
        .post(&notes, &[("csrf", &csrf), ("text", "   ")])
        .await;
    assert!(refused.status.is_client_error());
    assert_eq!(app.rows("audit_logs"), audit, "nothing was written");

    let done = analyst
        .post(
            &asks,
            &[
                ("csrf", &csrf),
                ("item", "source_of_funds"),
                ("item", "proof_of_address"),
                ("addressee", "representative"),
                ("respond_within_days", "7"),
                ("message", "a recent bank letter"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        done.location(),
        format!("/office/cases/{case}?done=requested")
    );
    let page = officer.get(&format!("/office/cases/{case}")).await;
    for expected in [
        "proof of address, source of funds",
        "of their authorised representative",
        "waiting on their authorised representative for",
        "Sent with it: a recent bank letter",
        "Record the answer",
        "A request is open",
    ] {
        assert!(page.body.contains(expected), "{expected} missing");
    }
    let queue = officer.get("/office/queue").await;
    assert!(queue.body.contains("on the customer for"), "{}", queue.body);
    let id = page
        .body
        .split("data-request=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let close = format!("/office/cases/{case}/information-requests/{id}/close");
    let bad = officer
        .post(&close, &[("csrf", &page.csrf()), ("outcome", "lost")])
        .await;
    assert!(bad.status.is_client_error());
    // The request through another case's address: not that case's, nothing closed.
    let (other, _, _) = app.case_of("us-fund-pending-003");
    let elsewhere = officer
        .post(
            &format!("/office/cases/{other}/information-requests/{id}/close"),
            &[("csrf", &page.csrf()), ("outcome", "answered")],
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    let done = officer
        .post(
            &close,
            &[
                ("csrf", &page.csrf()),
                ("outcome", "answered"),
                ("note", "letter received"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = officer
        .get(&format!("/office/cases/{case}?done=answered"))
        .await;
    assert!(page.body.contains("Answer recorded"));
    assert!(page.body.contains("On closing: letter received"));
    assert!(page.body.contains("answered "));
    let done = officer
        .post(
            &notes,
            &[("csrf", &page.csrf()), ("text", "decide tomorrow")],
        )
        .await;
    assert_eq!(done.location(), format!("/office/cases/{case}?done=noted"));
    let page = officer.get(&format!("/office/cases/{case}")).await;
    assert!(page.body.contains("decide tomorrow"));
}
