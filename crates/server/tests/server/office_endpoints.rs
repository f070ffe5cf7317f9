//! The back office's event endpoints (issue 20): officers and admins see each endpoint with its
//! deliveries by state and its circuit, and an endpoint's failed and recent deliveries with
//! every attempt; an admin replays a failed delivery (a form with the CSRF token, then back to
//! the page); an officer is offered no replay and a forged one is refused; analysts see no link
//! and get a 403 page.

use crate::office_client::OfficeApp;
use axum::http::StatusCode;
use chrono::{Duration as Span, Utc};
use compliance_app::events::{Attempted, CircuitSettings, NewEndpoint};
use compliance_domain::EndpointKind;
use compliance_domain::input::CaseInput;
use std::time::Duration;

/// A webhook on loopback whose every delivery failed: one given up, the others waiting for a
/// retry, enough failures in a row to open its circuit. Its id and the failed event's id.
pub(crate) fn failing_webhook(app: &OfficeApp) -> (uuid::Uuid, uuid::Uuid) {
    let s = &app.s;
    let endpoint = s
        .compliance
        .create_endpoint(
            &s.admin(),
            &NewEndpoint {
                kind: EndpointKind::Webhook,
                url: "http://127.0.0.1:9/hook".into(),
                subject_prefix: None,
                event_types: vec![],
                description: "<b>trading</b> service".into(),
                allow_private: false,
            },
        )
        .unwrap()
        .endpoint
        .id;
    // It receives the events written from its creation on: four new cases.
    for n in 1..=4 {
        let input: CaseInput = serde_json::from_value(serde_json::json!({
            "kyc": {"entity_id": format!("ae-ind-office-events-{n}"), "entity_type": "individual",
                    "jurisdiction": "AE", "verification_score": 95,
                    "documents": ["passport", "proof_of_address", "liveness_check"]},
            "aml": {"risk_score": 10, "provider": "refinitiv-world-check",
                    "watchlist_version": "2026-11-24"}
        }))
        .unwrap();
        s.compliance.submit_input(&s.agent(), &input, None).unwrap();
    }
    let outbox = s.compliance.in_process().outbox();
    let expected = u64::try_from(app.rows("events")).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut copied = 0;
    while copied < expected && std::time::Instant::now() < deadline {
        copied += outbox.fan_out(1000).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(copied, expected);
    let claims = outbox.claim(100, Duration::from_secs(30)).unwrap();
    assert_eq!(claims.len(), 4);
    let results: Vec<Attempted> = claims
        .iter()
        .enumerate()
        .map(|(i, c)| Attempted {
            delivery_id: c.delivery_id,
            attempt: c.attempt,
            attempted_at: Utc::now(),
            delivered: false,
            status_code: Some(503),
            latency: Duration::from_millis(12),
            error: Some("answered 503".into()),
            retry_at: (i > 0).then(|| Utc::now() + Span::hours(1)),
        })
        .collect();
    let circuit = CircuitSettings {
        failures_to_open: 3,
        open_for: Duration::from_secs(600),
        max_open_for: Duration::from_secs(3600),
    };
    outbox.complete(&results, circuit).unwrap();
    (endpoint, claims[0].event_id)
}

#[tokio::test]
async fn officers_see_the_endpoints_their_deliveries_and_failures_and_analysts_do_not() {
    let app = OfficeApp::new();
    let (endpoint, failed_event) = failing_webhook(&app);
    let officer = app.signed_in("compliance.officer").await;
    let queue = officer.get("/office/queue").await;
    assert!(queue.body.contains("href=\"/office/endpoints\""), "a link");
    let list = officer.get("/office/endpoints").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let href = format!("/office/endpoints/{endpoint}");
    assert!(list.body.contains(&href), "{}", list.body);
    assert!(list.body.contains("http://127.0.0.1:9/hook"));
    assert!(
        list.body.contains("paused until"),
        "the circuit: {}",
        list.body
    );
    assert!(list.body.contains("&#60;b&#62;trading&#60;/b&#62; service"));
    assert!(!list.body.contains("<b>trading"), "escaped");
    assert!(!list.body.contains("whsec_"));

    let page = officer.get(&href).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Failed deliveries"));
    assert!(page.body.contains(&failed_event.to_string()));
    assert!(
        page.body.contains("503, 12 ms, answered 503"),
        "{}",
        page.body
    );
    assert!(page.body.contains("paused until"));
    assert!(!page.body.contains("whsec_"));
    assert!(!page.body.contains("/replay\""), "no replay for an officer");
    assert!(page.body.contains("An admin may replay them"));

    // An officer's forged replay is refused by the service, and nothing is replayed.
    let replays = || app.rows("audit_logs WHERE action = 'events_replayed'");
    let forged = officer
        .post(
            &format!("{href}/replay"),
            &[
                ("csrf", &page.csrf()),
                ("event_id", &failed_event.to_string()),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert_eq!(replays(), 0);

    let analyst = app.signed_in("analyst").await;
    let queue = analyst.get("/office/queue").await;
    assert!(!queue.body.contains("/office/endpoints"), "no link");
    let refused = analyst.get("/office/endpoints").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(analyst.get(&href).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        officer.get("/office/endpoints/not-a-uuid").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        officer
            .get("/office/endpoints/00000000-0000-0000-0000-000000000000")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_admin_replays_a_failed_delivery_from_its_page() {
    let app = OfficeApp::new();
    let (endpoint, failed_event) = failing_webhook(&app);
    let failed = || {
        app.rows(&format!(
            "event_deliveries WHERE endpoint_id = '{endpoint}' AND state = 'failed'"
        ))
    };
    assert_eq!(failed(), 1);
    let admin = app.signed_in("admin").await;
    let href = format!("/office/endpoints/{endpoint}");
    let page = admin.get(&href).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("action=\"/office/endpoints/{endpoint}/replay\"")),
        "{}",
        page.body
    );
    let event = failed_event.to_string();
    // Without the form's token: refused, nothing replayed.
    let forged = admin
        .post(&format!("{href}/replay"), &[("event_id", &event)])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(failed(), 1);
    let done = admin
        .post(
            &format!("{href}/replay"),
            &[("csrf", &page.csrf()), ("event_id", &event)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), format!("{href}?replayed=1"));
    assert_eq!(failed(), 0);
    let after = admin.get(done.location()).await;
    assert!(
        after
            .body
            .contains("Replayed: the delivery is queued again.")
    );
    assert!(after.body.contains("No delivery failed for good."));
    assert_eq!(
        app.rows("audit_logs WHERE action = 'events_replayed'"),
        1,
        "audited"
    );
    let bad = admin
        .post(
            &format!("{href}/replay"),
            &[("csrf", &page.csrf()), ("event_id", "not-an-event")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}
