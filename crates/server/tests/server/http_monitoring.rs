//! Ongoing monitoring over HTTP and in the back office (issue 19): after a version designates an
//! approved investor and the next removes him, each version's job answers with its numbers, by
//! its id or its version's; the flags name the entity and its case; a malformed id is a 400,
//! an unknown one a 404; the back office's monitoring page shows the numbers and links the
//! flagged case.

use crate::api_client::Api;
use crate::office_client::OfficeApp;
use axum::http::{Method, StatusCode};
use compliance_app::MonitorSettings;
use compliance_ops::testing::{Seeded, import_ofac_without, screened_case};
use std::time::Duration;

/// Three versions of OFAC's list around one investor, each version's job run: he is approved,
/// designated (rejected) and removed again (flagged). The three versions' ids.
fn designated_then_delisted(s: &Seeded) -> [uuid::Uuid; 3] {
    let monitor = s.compliance.in_process().monitor(MonitorSettings {
        duty_percent: 100,
        lease: Duration::from_secs(5),
        ..MonitorSettings::default()
    });
    let run = || while monitor.run_next(&mut |_| {}, &|| false).unwrap().is_some() {};
    let first = import_ofac_without(s, &["41003"]);
    run();
    s.compliance
        .submit_input(
            &s.agent(),
            &screened_case("ae-ind-http-monitor", "Yusuf Karim HADDAD", 1970, "LB"),
            None,
        )
        .unwrap();
    let second = import_ofac_without(s, &[]);
    run();
    let third = import_ofac_without(s, &["41003", "41005"]);
    run();
    [first, second, third]
}

#[tokio::test]
async fn each_versions_job_answers_with_its_numbers_and_its_flags() {
    let api = Api::new();
    let [_, second, third] = designated_then_delisted(&api.s);
    let get = |uri: String, token: &str| {
        let token = token.to_owned();
        let api = &api;
        async move {
            let (status, _, body) = api.call(Method::GET, &uri, Some(&token), &[], None).await;
            (status, body)
        }
    };
    let (status, jobs) = get("/api/v1/screening-jobs?limit=2".into(), &api.analyst).await;
    assert_eq!(status, StatusCode::OK, "{jobs}");
    let jobs = jobs.as_array().unwrap();
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[0]["version_id"], third.to_string());
    let (status, job) = get(format!("/api/v1/screening-jobs/{second}"), &api.analyst).await;
    assert_eq!(status, StatusCode::OK, "{job}");
    assert_eq!(
        (
            job["state"].as_str(),
            job["screened"].as_i64(),
            job["rejected"].as_i64()
        ),
        (Some("done"), Some(1), Some(1))
    );
    assert_eq!(job["root"].as_str().map(str::len), Some(64));
    let third_job = jobs[0]["id"].as_str().unwrap();
    let (status, flags) = get(
        format!("/api/v1/screening-jobs/{third_job}/flags"),
        &api.officer,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{flags}");
    assert_eq!(flags[0]["entity_id"], "ae-ind-http-monitor");
    assert_eq!(flags[0]["entry"], "SDN-41003");
    assert!(flags[0]["reviewed_by"].is_null());
    // Reviewed by an officer: an analyst may not, bad fields are named, a second review is 409.
    let reviews = format!("/api/v1/screening-jobs/{third_job}/flags/reviews");
    let body = serde_json::json!({"entity_id": "ae-ind-http-monitor", "entry": "SDN-41003",
                                  "conclusion": "Delisted by OFAC; the case stands as decided."});
    let (status, _) = api.post(&reviews, &api.analyst, body.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for (bad, field) in [
        (
            serde_json::json!({"entity_id": "Not An Id", "entry": "SDN-41003", "conclusion": "x"}),
            "entity_id",
        ),
        (
            serde_json::json!({"entity_id": "ae-ind-http-monitor", "entry": "SDN-41003", "conclusion": " "}),
            "conclusion",
        ),
    ] {
        let (status, problem) = api.post(&reviews, &api.officer, bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["errors"][0]["path"], field);
    }
    let (status, problem) = api
        .post(
            &reviews,
            &api.officer,
            serde_json::json!({"entity_id": "ae-ind-http-monitor", "entry": "SDN-99999", "conclusion": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    let (status, _) = api.post(&reviews, &api.officer, body.clone()).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = api.post(&reviews, &api.admin, body).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, flags) = get(
        format!("/api/v1/screening-jobs/{third_job}/flags"),
        &api.analyst,
    )
    .await;
    assert_eq!(flags[0]["reviewed_by"], api.s.users.officer.id.to_string());

    let (status, _) = get("/api/v1/screening-jobs/not-a-uuid".into(), &api.analyst).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let unknown = "/api/v1/screening-jobs/00000000-0000-4000-8000-000000000000";
    assert_eq!(
        get(unknown.into(), &api.analyst).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(format!("{unknown}/flags"), &api.officer).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _) = get("/api/v1/screening-jobs?limit=0".into(), &api.analyst).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_monitoring_page_shows_each_job_and_links_the_flagged_case() {
    let app = OfficeApp::new();
    designated_then_delisted(&app.s);
    let officer = app.signed_in("compliance.officer").await;
    let page = officer.get("/office/monitoring").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Ongoing monitoring"));
    let (case, ..) = app.case_of("ae-ind-http-monitor");
    assert!(
        page.body
            .contains(&format!("href=\"/office/cases/{case}\"")),
        "{}",
        page.body
    );
    assert!(page.body.contains("OFAC-SDN SDN-41003"));
    assert!(!page.body.to_lowercase().contains("haddad"), "no name");
    // The officer reviews the flag from the page (an analyst is offered no form; a form
    // without its token is refused).
    let analyst = app.signed_in("analyst").await;
    assert!(
        !analyst
            .get("/office/monitoring")
            .await
            .body
            .contains("Mark reviewed")
    );
    assert!(page.body.contains("Mark reviewed"), "{}", page.body);
    let action = page
        .body
        .split("action=\"")
        .find(|s| s.contains("/flags/review"))
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let fields = [
        ("entity", "ae-ind-http-monitor"),
        ("entry", "SDN-41003"),
        ("conclusion", "Delisted; the case stands."),
    ];
    let mut forged = vec![("csrf", "0000")];
    forged.extend_from_slice(&fields);
    assert_eq!(
        officer.post(&action, &forged).await.status,
        StatusCode::FORBIDDEN
    );
    let csrf = page.csrf();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(&fields);
    let done = officer.post(&action, &form).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = officer.get("/office/monitoring").await;
    assert!(page.body.contains("reviewed 20"), "{}", page.body);
    assert!(!page.body.contains("Mark reviewed"));
    let again = officer.post(&action, &form).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let queue = officer.get("/office/queue").await;
    assert!(queue.body.contains("href=\"/office/monitoring\""));
}
