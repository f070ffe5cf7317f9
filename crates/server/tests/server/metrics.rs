//! `GET /metrics` through real listeners (the API's and the metrics listener, as
//! `compliance-api --metrics-addr` serves them) on a seeded database: a submission and a
//! decision move their counters by exactly one, the request counter and latency histogram move
//! for the route, the queue depth is the dashboard's, every line has the text format's shape;
//! the API's listener has no `/metrics`; no name or entity id reaches a scrape; a scrape whose
//! database read fails still answers 200.

use crate::api_client::case_json;
use crate::support::{seeded, serve_on_thread as start, token_for};
use compliance_ops::compliance_over;
use compliance_persistence::DatabaseConfig;
use compliance_server::api;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// An HTTP/1.0 request: the status, the head (lower case) and the body.
fn http(
    addr: SocketAddr,
    request: &str,
    token: Option<&str>,
    extra: &[(&str, &str)],
    body: Option<&Value>,
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut head = format!(
        "{request} HTTP/1.0\r\nHost: localhost\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        head.push_str("Content-Type: application/json\r\n");
    }
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    write!(stream, "{head}\r\n{body}").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let code = head.split(' ').nth(1).unwrap().parse().unwrap();
    (code, head.to_ascii_lowercase(), body.to_owned())
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// A scrape: its head and its body, which must be well-formed OpenMetrics text.
fn scrape(metrics: SocketAddr) -> (String, String) {
    let (code, head, body) = http(metrics, "GET /metrics", None, &[], None);
    assert_eq!(code, 200, "{body}");
    assert_well_formed(&body);
    (head, body)
}

/// Every line is a `# HELP`, `# TYPE` or `# UNIT` line, or a sample `name{labels} value`; the
/// last is `# EOF`; every sample's family has its `# TYPE`.
fn assert_well_formed(text: &str) {
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.last(), Some(&"# EOF"), "{text}");
    let mut typed = Vec::new();
    for line in &lines[..lines.len() - 1] {
        if let Some(rest) = line.strip_prefix("# ") {
            let mut words = rest.splitn(3, ' ');
            let (keyword, name) = (words.next().unwrap(), words.next().unwrap_or_default());
            assert!(
                ["HELP", "TYPE", "UNIT"].contains(&keyword) && metric_name(name),
                "a malformed comment line: {line}"
            );
            if keyword == "TYPE" {
                let kind = words.next().unwrap_or_default();
                assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
                typed.push(name.to_owned());
            }
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line}"));
        assert!(
            value.parse::<f64>().is_ok() || value == "+Inf",
            "not a number: {line}"
        );
        let name = series.split('{').next().unwrap();
        assert!(metric_name(name), "{line}");
        if let Some(labels) = series.strip_prefix(name).filter(|l| !l.is_empty()) {
            assert!(
                labels.starts_with('{') && labels.ends_with('}'),
                "labels: {line}"
            );
            for pair in labels[1..labels.len() - 1].split("\",") {
                let (key, value) = pair.split_once("=\"").unwrap_or_else(|| panic!("{line}"));
                assert!(metric_name(key), "label name: {line}");
                assert!(!value.contains('\n'), "{line}");
            }
        }
        assert!(
            typed.iter().any(|family| name.starts_with(family.as_str())),
            "no # TYPE before {line}"
        );
    }
}

fn metric_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

/// The samples of a scrape, by series (`name{labels}` as written), with their values.
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .map(|(series, value)| (series.to_owned(), value.parse().unwrap_or(f64::INFINITY)))
        .collect()
}

/// A series' value, 0 when the scrape has none (a counter not yet created).
fn value(samples: &BTreeMap<String, f64>, series: &str) -> f64 {
    samples.get(series).copied().unwrap_or(0.0)
}

#[test]
fn a_submission_and_a_decision_move_their_counters_by_one_and_the_queue_is_the_dashboards() {
    let s = seeded();
    let day = chrono::Duration::days(1);
    let agent = token_for(&s, &s.users.agent, day);
    let analyst = token_for(&s, &s.users.analyst, day);
    let officer = token_for(&s, &s.users.officer, day);
    let (api_addr, metrics) = start(s.compliance.clone(), true);
    let metrics = metrics.unwrap();

    let (head, before) = scrape(metrics);
    assert!(
        head.contains("content-type: application/openmetrics-text"),
        "{head}"
    );
    let before = samples(&before);

    let (code, _, submitted) = http(
        api_addr,
        "POST /api/v1/cases",
        Some(&agent),
        &[],
        Some(&case_json("ae-ind-metrics-1")),
    );
    assert_eq!(code, 201, "{submitted}");
    let submitted = json(&submitted);
    assert_eq!(submitted["case"]["status"], "APPROVED", "{submitted}");
    // A retry with the same inputs writes nothing and counts nothing.
    let (code, _, _) = http(
        api_addr,
        "POST /api/v1/cases",
        Some(&agent),
        &[],
        Some(&case_json("ae-ind-metrics-1")),
    );
    assert_eq!(code, 200);

    let (code, _, case) = http(
        api_addr,
        "GET /api/v1/entities/ae-corp-pending-002/case",
        Some(&officer),
        &[],
        None,
    );
    assert_eq!(code, 200, "{case}");
    let case = json(&case);
    let revision = format!("\"{}\"", case["revision"]);
    let (code, _, reviewed) = http(
        api_addr,
        &format!("POST /api/v1/cases/{}/review", case["id"].as_str().unwrap()),
        Some(&analyst),
        &[("If-Match", &revision)],
        Some(&json!({"verdict": "reject", "reason": "the investor withdrew"})),
    );
    assert_eq!(code, 200, "{reviewed}");
    assert_eq!(json(&reviewed)["case"]["status"], "REJECTED");

    let (code, _, dashboard) = http(api_addr, "GET /api/v1/dashboard", Some(&officer), &[], None);
    assert_eq!(code, 200, "{dashboard}");
    let dashboard = json(&dashboard);
    let (_, after) = scrape(metrics);
    let after_text = after.clone();
    let after = samples(&after);
    let moved = |series: &str| value(&after, series) - value(&before, series);

    assert_eq!(
        moved(r#"compliance_submissions_total{jurisdiction="AE",outcome="APPROVED"}"#),
        1.0,
        "{after_text}"
    );
    assert_eq!(
        moved(r#"compliance_decisions_total{jurisdiction="AE",outcome="REJECTED"}"#),
        1.0,
        "{after_text}"
    );
    assert_eq!(
        moved(
            r#"compliance_http_requests_total{route="/api/v1/cases",method="POST",status="201"}"#
        ),
        1.0
    );
    assert_eq!(
        moved(
            r#"compliance_http_requests_total{route="/api/v1/cases",method="POST",status="200"}"#
        ),
        1.0
    );
    assert_eq!(
        moved(
            r#"compliance_http_requests_total{route="/api/v1/cases/{id}/review",method="POST",status="200"}"#
        ),
        1.0
    );
    assert_eq!(
        moved(
            r#"compliance_http_request_duration_seconds_count{route="/api/v1/cases",method="POST",status="201"}"#
        ),
        1.0
    );
    // The histogram's buckets for the route: the +Inf one holds the submission, and the
    // bucket counts never fall as the bound rises.
    assert_eq!(
        moved(
            r#"compliance_http_request_duration_seconds_bucket{le="+Inf",route="/api/v1/cases",method="POST",status="201"}"#
        ),
        1.0,
        "{after_text}"
    );
    let buckets: Vec<f64> = after_text
        .lines()
        .filter(|l| {
            l.starts_with("compliance_http_request_duration_seconds_bucket{")
                && l.contains(r#",route="/api/v1/cases",method="POST",status="201"}"#)
        })
        .map(|l| l.rsplit_once(' ').unwrap().1.parse().unwrap())
        .collect();
    assert_eq!(buckets.len(), 14, "13 bounds and +Inf: {after_text}");
    assert!(buckets.windows(2).all(|w| w[0] <= w[1]), "{buckets:?}");
    for family in [
        "compliance_http_requests",
        "compliance_http_request_duration_seconds",
        "compliance_submissions",
        "compliance_decisions",
        "compliance_queue_cases",
        "compliance_queue_oldest_wait_seconds",
        "compliance_outbox_open_deliveries",
        "compliance_outbox_failed_deliveries",
        "compliance_db_pool_open_connections",
        "compliance_audit_chain_head_age_seconds",
        "compliance_database_up",
        "compliance_metrics_scrape_errors",
    ] {
        assert!(
            after_text
                .lines()
                .any(|l| l.starts_with(&format!("# TYPE {family} "))),
            "no # TYPE {family}: {after_text}"
        );
    }
    assert_eq!(value(&after, "compliance_database_up"), 1.0);
    assert_eq!(value(&after, "compliance_metrics_scrape_errors_total"), 0.0);
    assert_eq!(value(&after, "compliance_database_in_recovery"), 0.0);

    let queues = dashboard["queues"].as_array().unwrap();
    assert_eq!(queues.len(), 6, "{dashboard}");
    for queue in queues {
        let labels = format!(
            r#"{{jurisdiction="{}",status="{}"}}"#,
            queue["jurisdiction"].as_str().unwrap(),
            queue["status"].as_str().unwrap()
        );
        assert_eq!(
            value(&after, &format!("compliance_queue_cases{labels}")),
            queue["cases"].as_f64().unwrap(),
            "{labels}: {after_text}"
        );
    }
    let waiting: f64 = queues.iter().map(|q| q["cases"].as_f64().unwrap()).sum();
    assert!(waiting > 0.0, "the seed has cases waiting: {dashboard}");
    // The seed's entries are on some chain; each chain's position is counted from 1.
    assert!(
        after.iter().any(
            |(series, v)| series.starts_with("compliance_audit_chain_head_position{") && *v >= 1.0
        ),
        "{after_text}"
    );
}

#[test]
fn metrics_are_never_on_the_api_listener() {
    let s = seeded();
    // Without a metrics listener: the API answers /metrics 404.
    let (api_only, none) = start(s.compliance.clone(), false);
    assert!(none.is_none());
    let (code, _, _) = http(api_only, "GET /metrics", None, &[], None);
    assert_eq!(code, 404);
    // With one: still 404 on the API's, and the metrics listener serves nothing else.
    let (api_addr, metrics) = start(s.compliance.clone(), true);
    let metrics = metrics.unwrap();
    let (code, _, _) = http(api_addr, "GET /metrics", None, &[], None);
    assert_eq!(code, 404);
    let (code, _, _) = http(metrics, "GET /api/v1/health", None, &[], None);
    assert_eq!(code, 404);
    let (code, _, _) = http(metrics, "POST /metrics", None, &[], None);
    assert_eq!(code, 405);
    let (code, _, health) = http(api_addr, "GET /api/v1/health", None, &[], None);
    assert_eq!(code, 200, "{health}");
    // The back office's routes are counted too.
    let (code, _, _) = http(api_addr, "GET /office/sign-in", None, &[], None);
    assert_eq!(code, 200);
    // The API's 404 for /metrics is counted as unmatched, not as a route.
    let (_, text) = scrape(metrics);
    assert!(
        text.contains(
            r#"compliance_http_requests_total{route="<unmatched>",method="GET",status="404"} 1"#
        ),
        "{text}"
    );
    assert!(!text.contains(r#"route="/metrics""#), "{text}");
    assert!(
        text.contains(
            r#"compliance_http_requests_total{route="/office/sign-in",method="GET",status="200"} 1"#
        ),
        "{text}"
    );
}

#[test]
fn a_scrape_names_no_person_and_no_entity() {
    let s = seeded();
    let agent = token_for(&s, &s.users.agent, chrono::Duration::days(1));
    let officer = token_for(&s, &s.users.officer, chrono::Duration::days(1));
    let (api_addr, metrics) = start(s.compliance.clone(), true);
    let mut case = case_json("ae-ind-zebulon-77");
    case["subject"] = json!({"names": ["Zebulon Quixote Marchbanks"], "birth_year": 1970});
    let (code, _, answer) = http(
        api_addr,
        "POST /api/v1/cases",
        Some(&agent),
        &[],
        Some(&case),
    );
    assert_eq!(code, 201, "{answer}");
    let (code, _, _) = http(
        api_addr,
        "GET /api/v1/entities/ae-ind-zebulon-77/case",
        Some(&officer),
        &[],
        None,
    );
    assert_eq!(code, 200);
    let case_id = json(&answer)["case"]["id"].as_str().unwrap().to_owned();
    let (_, text) = scrape(metrics.unwrap());
    for leak in [
        "Zebulon",
        "Quixote",
        "Marchbanks",
        "zebulon",
        "ae-ind-zebulon-77",
        &case_id,
    ] {
        assert!(!text.contains(leak), "{leak} in the scrape: {text}");
    }
    assert!(
        text.contains(r#"route="/api/v1/entities/{entity_id}/case""#),
        "the route as declared: {text}"
    );
}

#[test]
fn a_scrape_whose_database_read_fails_answers_200_with_the_process_figures() {
    // A port nothing listens on: every connection is refused at once.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config =
        DatabaseConfig::from_parts("127.0.0.1", port, "compliance_db", "app", None).unwrap();
    config.connect_timeout = Duration::from_secs(2);
    let (api_addr, metrics) = start(compliance_over(&config).unwrap(), true);
    let metrics = metrics.unwrap();
    let (code, _, _) = http(api_addr, "GET /api/v1/health", None, &[], None);
    assert_eq!(code, 503);
    let (_, first) = scrape(metrics);
    let (_, second) = scrape(metrics);
    let (first, second_samples) = (samples(&first), samples(&second));
    assert_eq!(value(&first, "compliance_database_up"), 0.0);
    assert_eq!(value(&first, "compliance_metrics_scrape_errors_total"), 1.0);
    assert_eq!(
        value(&second_samples, "compliance_metrics_scrape_errors_total"),
        2.0
    );
    assert_eq!(
        value(
            &second_samples,
            r#"compliance_http_requests_total{route="/api/v1/health",method="GET",status="503"}"#
        ),
        1.0
    );
    // No database figure is made up when it could not be read.
    assert!(!second.contains("compliance_queue_cases"), "{second}");
    assert!(
        second.contains("compliance_db_pool_max_connections"),
        "{second}"
    );
}

/// A reviewer's decision through the back office's form counts as the API's does, and the
/// form's route is counted as declared.
#[tokio::test]
async fn a_decision_through_the_back_office_counts_too() {
    use crate::office_client::OfficeApp;
    use axum::http::StatusCode;
    use tower::ServiceExt;
    let mut app = OfficeApp::new();
    let (api_router, metrics_router) = api::apps(app.s.compliance.clone(), Default::default());
    app.router = api_router;
    let b = app.signed_in("analyst").await;
    let (case, _, revision) = app.case_of("ae-corp-pending-002");
    let page = b.get(&format!("/office/cases/{case}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let done = b
        .decide(&case, &page, revision, "reject", "the investor withdrew")
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let request = axum::http::Request::get("/metrics")
        .body(axum::body::Body::empty())
        .unwrap();
    let answer = metrics_router.oneshot(request).await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let text = axum::body::to_bytes(answer.into_body(), usize::MAX)
        .await
        .unwrap();
    let text = String::from_utf8(text.to_vec()).unwrap();
    assert_well_formed(&text);
    let samples = samples(&text);
    assert_eq!(
        value(
            &samples,
            r#"compliance_decisions_total{jurisdiction="AE",outcome="REJECTED"}"#
        ),
        1.0,
        "{text}"
    );
    assert_eq!(
        value(
            &samples,
            r#"compliance_http_requests_total{route="/office/cases/{id}/decide",method="POST",status="303"}"#
        ),
        1.0,
        "{text}"
    );
}
