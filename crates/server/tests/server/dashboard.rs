//! The backlog dashboard over HTTP and in the back office (issue 23, part 4): every reviewer
//! role reads `GET /api/v1/dashboard` and `/office/dashboard`, the system agent and the signed
//! out do not; the counts are the seed's; neither shows a name or an amount.

use crate::api_client::Api;
use crate::office_client::OfficeApp;
use axum::http::{Method, StatusCode};

#[tokio::test]
async fn every_reviewer_role_reads_the_dashboard_over_the_api() {
    let api = Api::new();
    for token in [&api.analyst, &api.officer, &api.admin] {
        let (status, _, body) = api.get("/api/v1/dashboard", token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let queues = body["queues"].as_array().unwrap();
        assert_eq!(queues.len(), 6, "{body}");
        let waiting: i64 = queues.iter().map(|q| q["cases"].as_i64().unwrap()).sum();
        assert_eq!(waiting, 3, "the seed's PENDING and ESCALATED cases: {body}");
        let escalated = queues
            .iter()
            .find(|q| q["jurisdiction"] == "IN" && q["status"] == "ESCALATED")
            .unwrap();
        assert_eq!(escalated["target_hours"], 48);
        assert_eq!(escalated["overdue"], 0);
        assert_eq!(
            escalated["oldest_case_id"].as_str().unwrap(),
            api.s.current("in-corp-pep-002").id.to_string()
        );
        let decided: i64 = body["decided_today"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["cases"].as_i64().unwrap())
            .sum();
        assert_eq!(decided, 6, "{body}");
        assert!(
            body["decided_today"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["by"] == "engine"),
            "{body}"
        );
        let text = body.to_string();
        assert!(
            !text.contains("entity_id") && !text.contains("net_worth"),
            "{text}"
        );
    }
    let (status, _, body) = api.get("/api/v1/dashboard", &api.agent).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _, _) = api
        .call(Method::GET, "/api/v1/dashboard", None, &[], None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = api
        .get("/api/v1/dashboard?jurisdiction=AE", &api.officer)
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "an unknown query parameter is ignored"
    );
}

#[tokio::test]
async fn the_dashboard_page_shows_the_backlog_to_every_reviewer_role() {
    let app = OfficeApp::new();
    let signed_out = app.browser().get("/office/dashboard").await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        signed_out.location(),
        "/office/sign-in?next=/office/dashboard"
    );
    let (case, ..) = app.case_of("in-corp-pep-002");
    for user in ["analyst", "compliance.officer", "admin"] {
        let b = app.signed_in(user).await;
        let page = b.get("/office/dashboard").await;
        assert_eq!(page.status, StatusCode::OK, "{user}: {}", page.body);
        assert!(page.body.contains("<h1>Dashboard</h1>"), "{}", page.body);
        assert!(page.body.contains("Open cases: 3"), "{}", page.body);
        assert!(page.body.contains("0 overdue"), "{}", page.body);
        assert!(page.body.contains("Decided today"), "{}", page.body);
        // The longest escalation links its case; the queue's filters are one click away.
        assert!(
            page.body
                .contains(&format!("href=\"/office/cases/{case}\"")),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains("href=\"/office/queue?jurisdiction=IN&#38;status=ESCALATED\""),
            "{}",
            page.body
        );
        // The navigation links it from every page.
        let queue = b.get("/office/queue").await;
        assert!(queue.body.contains("href=\"/office/dashboard\""));
        // Counts, codes and case ids: no entity, no name, no amount.
        for absent in [
            "in-corp-pep-002",
            "ae-corp-pending-002",
            "AED",
            "INR",
            "USD",
        ] {
            assert!(!page.body.contains(absent), "{absent} on the page");
        }
    }
}
