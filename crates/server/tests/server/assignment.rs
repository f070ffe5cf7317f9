//! Who works which case, over the API and in the back office: claim, assign and release with
//! `If-Match`, the queue's assignee and service-level columns and filters, roles, CSRF, and
//! hostile input on every new route and form (each a typed 4xx, nothing written).

use crate::api_client::{Api, kind};
use crate::office_client::{OfficeApp, field_value};
use axum::http::{Method, StatusCode};
use serde_json::json;

const PENDING: &str = "ae-corp-pending-002";
const ESCALATED: &str = "in-corp-pep-002";

#[tokio::test]
async fn a_claim_a_lost_race_and_the_queue_filtered_by_assignee() {
    let api = Api::new();
    let (id, revision) = api.case_of(PENDING).await;
    let uri = format!("/api/v1/cases/{id}/claim");
    let seen = format!("\"{revision}\"");
    let (status, _, problem) = api
        .call(Method::POST, &uri, Some(&api.analyst), &[], None)
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::PRECONDITION_REQUIRED, "precondition-required")
    );
    let claim = |token: &str| {
        let (uri, token, seen, api) = (&uri, token.to_owned(), &seen, &api);
        async move {
            api.call(Method::POST, uri, Some(&token), &[("if-match", seen)], None)
                .await
        }
    };
    let (status, headers, claimed) = claim(&api.analyst).await;
    assert_eq!(status, StatusCode::OK, "{claimed}");
    assert_eq!(claimed["action"], "claimed");
    assert_eq!(claimed["assignee"], api.s.users.analyst.id.to_string());
    let now = format!("\"{}\"", revision + 1);
    assert_eq!(headers["etag"], now.as_str());
    // The officer read the same revision: the claim is a lost race, not an overwrite.
    let (status, _, problem) = claim(&api.officer).await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::PRECONDITION_FAILED, "stale-revision")
    );
    let (status, _, mine) = api.get("/api/v1/queue?assignee=mine", &api.analyst).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    let items = mine["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["case_id"], id.as_str());
    assert_eq!(items[0]["assigned_to"], api.s.users.analyst.id.to_string());
    assert_eq!(items[0]["overdue"], false);
    assert!(items[0]["due_at"].is_string() && items[0]["status_since"].is_string());
    let analyst = api.s.users.analyst.id.to_string();
    let (_, _, theirs) = api
        .get(&format!("/api/v1/queue?assignee={analyst}"), &api.officer)
        .await;
    assert_eq!(theirs["items"], mine["items"]);
    let (_, _, unassigned) = api
        .get("/api/v1/queue?assignee=unassigned", &api.officer)
        .await;
    assert!(
        unassigned["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["assigned_to"].is_null() && i["case_id"] != id.as_str())
    );
    let (_, _, overdue) = api.get("/api/v1/queue?overdue=true", &api.officer).await;
    assert_eq!(overdue["items"], json!([]));
    for bad in ["assignee=someone", "assignee=", "overdue=yes"] {
        let (status, _, problem) = api.get(&format!("/api/v1/queue?{bad}"), &api.officer).await;
        assert_eq!(
            (status, kind(&problem)),
            (StatusCode::BAD_REQUEST, "bad-request"),
            "{bad}"
        );
    }
    // Releasing it: its assignee may; the case's read shows nobody.
    let (status, _, released) = api
        .call(
            Method::DELETE,
            &format!("/api/v1/cases/{id}/assignment"),
            Some(&api.analyst),
            &[("if-match", &now)],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{released}");
    assert_eq!(released["action"], "released");
    let (_, _, case) = api.get(&format!("/api/v1/cases/{id}"), &api.analyst).await;
    assert_eq!(case["assigned_to"], serde_json::Value::Null);
}

#[tokio::test]
async fn assignment_is_for_officers_and_a_bad_assignee_is_a_typed_refusal() {
    let api = Api::new();
    let (id, revision) = api.case_of(PENDING).await;
    let (escalated, escalated_revision) = api.case_of(ESCALATED).await;
    let seen = format!("\"{revision}\"");
    let assign = |case: &str, token: &str, body: serde_json::Value, etag: String| {
        let uri = format!("/api/v1/cases/{case}/assignment");
        let token = token.to_owned();
        let api = &api;
        async move {
            api.call(
                Method::PUT,
                &uri,
                Some(&token),
                &[("if-match", &etag)],
                Some(body),
            )
            .await
        }
    };
    let audit = api.rows("audit_logs");
    let analyst = api.s.users.analyst.id.to_string();
    let officer = api.s.users.officer.id.to_string();
    let (status, _, problem) = assign(
        &id,
        &api.analyst,
        json!({"assignee": officer}),
        seen.clone(),
    )
    .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let (status, _, problem) =
        assign(&id, &api.agent, json!({"assignee": officer}), seen.clone()).await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let hostile = [
        (json!({"assignee": "not-a-uuid"}), "invalid-input"),
        (json!({"assignee": "<script>"}), "invalid-input"),
        (
            json!({"assignee": uuid::Uuid::new_v4().to_string()}),
            "invalid-assignee",
        ),
        (
            json!({"assignee": api.s.users.agent.id.to_string()}),
            "invalid-assignee",
        ),
    ];
    for (body, expected) in hostile {
        let (status, _, problem) = assign(&id, &api.officer, body.clone(), seen.clone()).await;
        assert_eq!(
            (status, kind(&problem)),
            (StatusCode::UNPROCESSABLE_ENTITY, expected),
            "{body}"
        );
    }
    for body in [
        json!({}),
        json!({"assignee": 5}),
        json!({"assignee": officer, "x": 1}),
    ] {
        let (status, _, problem) = assign(&id, &api.officer, body.clone(), seen.clone()).await;
        assert!(status.is_client_error(), "{body}: {status} {problem}");
    }
    // An analyst may not be given an escalation.
    let (status, _, problem) = assign(
        &escalated,
        &api.officer,
        json!({"assignee": analyst}),
        format!("\"{escalated_revision}\""),
    )
    .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid-assignee")
    );
    for bad in ["not-a-case", "00000000-0000-0000-0000-00000000000g"] {
        let (status, _, _) = assign(
            bad,
            &api.officer,
            json!({"assignee": officer}),
            seen.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let (status, _, problem) = assign(
        &uuid::Uuid::new_v4().to_string(),
        &api.officer,
        json!({"assignee": officer}),
        seen.clone(),
    )
    .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::NOT_FOUND, "not-found")
    );
    assert_eq!(api.rows("audit_logs"), audit, "nothing was written");
    let (status, _, assigned) = assign(&id, &api.officer, json!({"assignee": analyst}), seen).await;
    assert_eq!(status, StatusCode::OK, "{assigned}");
    assert_eq!(assigned["action"], "assigned");
    // An approved case is not in the queue.
    let (approved, approved_revision) = api.case_of("ae-ind-clean-001").await;
    let (status, _, problem) = api
        .call(
            Method::POST,
            &format!("/api/v1/cases/{approved}/claim"),
            Some(&api.officer),
            &[("if-match", &format!("\"{approved_revision}\""))],
            None,
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::CONFLICT, "not-in-queue")
    );
}

#[tokio::test]
async fn the_back_office_claims_assigns_and_releases_with_its_token() {
    let app = OfficeApp::new();
    let (case, _, _) = app.case_of(PENDING);
    let analyst = app.signed_in("analyst").await;
    let officer = app.signed_in("compliance.officer").await;
    let page = analyst.get(&format!("/office/cases/{case}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in ["Who works it", "nobody", "PENDING for", "due by", ">Claim<"] {
        assert!(
            page.body.contains(expected),
            "{expected} missing: {}",
            page.body
        );
    }
    assert!(
        !page.body.contains("Assign to"),
        "an analyst assigns nobody"
    );
    let uri = format!("/office/cases/{case}/assignment");
    let revision = field_value(&page.body, "revision").unwrap();
    let audit = app.rows("audit_logs");
    // Another session's token, none, or a forged one: refused, nothing written.
    let officers_token = officer.get("/office/queue").await.csrf();
    for csrf in ["", "0000", officers_token.as_str()] {
        let refused = analyst
            .post(
                &uri,
                &[("csrf", csrf), ("revision", &revision), ("action", "claim")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{csrf}");
    }
    // Hostile fields: a typed refusal over the case page.
    let csrf = page.csrf();
    let hostile: [&[(&str, &str)]; 4] = [
        &[("action", "steal"), ("revision", &revision)],
        &[("action", "claim"), ("revision", "<b>1</b>")],
        &[
            ("action", "assign"),
            ("revision", &revision),
            ("assignee", "nobody"),
        ],
        &[
            ("action", "assign"),
            ("revision", &revision),
            ("assignee", &app.s.users.officer.id.to_string()),
        ],
    ];
    for fields in hostile {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let refused = analyst.post(&uri, &form).await;
        assert!(
            refused.status.is_client_error(),
            "{fields:?}: {}",
            refused.status
        );
        assert!(
            refused.body.contains("Nothing was recorded"),
            "{}",
            refused.body
        );
    }
    let bad_case = analyst
        .post(
            "/office/cases/not-a-case/assignment",
            &[
                ("csrf", &csrf),
                ("revision", &revision),
                ("action", "claim"),
            ],
        )
        .await;
    assert_eq!(bad_case.status, StatusCode::NOT_FOUND);
    assert_eq!(app.rows("audit_logs"), audit, "nothing was written");

    let done = analyst
        .post(
            &uri,
            &[
                ("csrf", &csrf),
                ("revision", &revision),
                ("action", "claim"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        done.location(),
        format!("/office/cases/{case}?done=claimed")
    );
    let queue = analyst.get("/office/queue?assignee=mine").await;
    assert!(queue.body.contains("ae-corp-pending-002") && queue.body.contains(">analyst<"));
    let unassigned = analyst.get("/office/queue?assignee=unassigned").await;
    assert!(!unassigned.body.contains("ae-corp-pending-002"));
    let bad = analyst.get("/office/queue?assignee=%3Cscript%3E").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(!bad.body.contains("<script>"));

    // The officer sees the assignee, may take over, reassign or release.
    let page = officer.get(&format!("/office/cases/{case}")).await;
    for expected in ["Take over", "Release", "Assign to", ">analyst<"] {
        assert!(page.body.contains(expected), "{expected} missing");
    }
    let revision = field_value(&page.body, "revision").unwrap();
    let done = officer
        .post(
            &uri,
            &[
                ("csrf", &page.csrf()),
                ("revision", &revision),
                ("action", "release"),
            ],
        )
        .await;
    assert_eq!(
        done.location(),
        format!("/office/cases/{case}?done=released")
    );
    // A page read before the release: its claim is stale, shown over the case as it is now.
    let stale = analyst
        .post(
            &uri,
            &[
                ("csrf", &csrf),
                ("revision", &revision),
                ("action", "claim"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("changed since you opened the page"));
}
