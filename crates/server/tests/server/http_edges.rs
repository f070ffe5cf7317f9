//! The decision API's edges: authentication and its rate limit, bodies (size, syntax, unknown
//! fields), hostile strings in paths and queries, and the OpenAPI document against the router.

use crate::api_client::{Api, case_json, kind};
use crate::support::token_for;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode};
use compliance_persistence::repo::{api_tokens, users};
use compliance_server::http::client_address::TrustedProxies;
use std::net::SocketAddr;

#[tokio::test]
async fn no_valid_token_is_401_whatever_the_reason() {
    let api = Api::new();
    let (status, headers, problem) = api
        .call(Method::GET, "/api/v1/summary", None, &[], None)
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
    assert_eq!(headers["content-type"], "application/problem+json");
    assert!(
        headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let forged = format!("cdb_{}", "0".repeat(64));
    let revoked = token_for(&api.s, &api.s.users.analyst, chrono::Duration::days(1));
    let mut conn = api.s.db.conn();
    let id = api_tokens::list(&mut conn, Some(api.s.users.analyst.id)).unwrap()[0].id;
    api_tokens::revoke(&mut conn, id, api.s.users.admin.id).unwrap();
    let expiring = token_for(
        &api.s,
        &api.s.users.officer,
        chrono::Duration::milliseconds(1500),
    );
    std::thread::sleep(std::time::Duration::from_millis(1600));
    for token in [
        forged.as_str(),
        "not-a-token",
        revoked.as_str(),
        expiring.as_str(),
    ] {
        let (status, _, body) = api.get("/api/v1/summary", token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token}");
        let text = body.to_string();
        assert!(!text.contains(token), "the token is echoed: {text}");
    }
    // A deactivated user's token stops working.
    users::set_active(
        &mut conn,
        api.s.users.officer.id,
        false,
        api.s.users.admin.id,
    )
    .unwrap();
    let (status, _, _) = api.get("/api/v1/summary", &api.officer).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = api.get("/api/v1/summary", &api.admin).await;
    assert_eq!(status, StatusCode::OK);
}

fn from(address: &str, token: &str) -> Request<Body> {
    let mut request = Request::builder()
        .uri("/api/v1/summary")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let address: SocketAddr = address.parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(address));
    request
}

/// Issue 22, item 4: the limit refuses an address's failures, not its valid callers (one broken
/// client behind a proxy locked out every service behind it for a minute).
#[tokio::test]
async fn failed_authentications_are_limited_per_address_and_valid_tokens_still_served() {
    let api = Api::new();
    let bad = format!("cdb_{}", "1".repeat(64));
    for _ in 0..compliance_server::http::auth::MAX_FAILURES {
        let (status, _, _) = api.send(from("192.0.2.7:4000", &bad)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, headers, problem) = api.send(from("192.0.2.7:4001", &bad)).await;
    assert_eq!(
        (status, kind(&problem)),
        (
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-failed-authentications"
        )
    );
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // A valid token from the same address is served while it is over its limit...
    let (status, _, body) = api.send(from("192.0.2.7:4002", &api.admin)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a valid caller is not limited: {body}"
    );
    // ...and does not lift the limit: the next failure is still 429, and so is no token.
    let (status, _, _) = api.send(from("192.0.2.7:4003", &bad)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let mut anonymous = Request::builder()
        .uri("/api/v1/summary")
        .body(Body::empty())
        .unwrap();
    anonymous
        .extensions_mut()
        .insert(ConnectInfo("192.0.2.7:4004".parse::<SocketAddr>().unwrap()));
    assert_eq!(api.send(anonymous).await.0, StatusCode::TOO_MANY_REQUESTS);
    let (status, _, _) = api.send(from("192.0.2.8:4000", &bad)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "another address is not limited"
    );
}

/// A request with a bad token from `peer`, carrying `forwarded` as X-Forwarded-For.
fn forwarded(peer: &str, forwarded: &str, token: &str) -> Request<Body> {
    let mut request = from(peer, token);
    request
        .headers_mut()
        .insert("x-forwarded-for", forwarded.parse().unwrap());
    request
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_limit_counts_the_forwarded_client_and_nobody_else_s_claim() {
    let bad = format!("cdb_{}", "2".repeat(64));
    let limit = compliance_server::http::auth::MAX_FAILURES;
    // Not trusted (the default): X-Forwarded-For is the client's word, and ignored, so a new
    // claimed address per guess does not escape the limit.
    let api = Api::new();
    for i in 0..limit {
        let request = forwarded("203.0.113.5:4000", &format!("198.51.100.{i}"), &bad);
        assert_eq!(api.send(request).await.0, StatusCode::UNAUTHORIZED);
    }
    let request = forwarded("203.0.113.5:4000", "198.51.100.200", &bad);
    assert_eq!(api.send(request).await.0, StatusCode::TOO_MANY_REQUESTS);

    // Trusted proxy 10.0.0.1: the client is the address it appended.
    let mut api = Api::new();
    api.router = compliance_server::api::app(
        api.s.compliance.clone(),
        compliance_server::api::ServeOptions {
            trusted_proxies: TrustedProxies::new(["10.0.0.1".parse().unwrap()]),
            ..Default::default()
        },
    );
    for _ in 0..limit {
        // What the client wrote left of the proxy's entry changes nothing.
        let request = forwarded("10.0.0.1:4000", "1.1.1.1, 198.51.100.7", &bad);
        assert_eq!(api.send(request).await.0, StatusCode::UNAUTHORIZED);
    }
    let request = forwarded("10.0.0.1:4000", "9.9.9.9, 198.51.100.7", &bad);
    assert_eq!(
        api.send(request).await.0,
        StatusCode::TOO_MANY_REQUESTS,
        "the forwarded client is limited"
    );
    let request = forwarded("10.0.0.1:4000", "198.51.100.8", &bad);
    assert_eq!(
        api.send(request).await.0,
        StatusCode::UNAUTHORIZED,
        "another client behind the same proxy is not"
    );
}

#[tokio::test]
async fn bodies_too_large_malformed_or_with_unknown_fields_write_nothing() {
    let api = Api::new();
    let before = (api.rows("kyc_checks"), api.rows("audit_logs"));
    let post = |body: String| {
        api.raw(
            Method::POST,
            "/api/v1/cases",
            Some(&api.agent),
            &[],
            Some(body),
        )
    };
    let huge = format!(
        "{{\"kyc\": \"{}\"}}",
        "x".repeat(compliance_server::http::BODY_LIMIT)
    );
    let (status, _, problem) = post(huge).await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::PAYLOAD_TOO_LARGE, "body-too-large")
    );
    let (status, _, problem) = post("{\"kyc\": ".into()).await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::BAD_REQUEST, "malformed-body")
    );
    let mut unknown = case_json("ae-ind-http-003");
    unknown["kyc"]["nickname"] = "x".into();
    let (status, _, problem) = post(unknown.to_string()).await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid-body")
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("nickname"),
        "{problem}"
    );
    let mut invalid = case_json("ae-ind-http-003");
    invalid["kyc"]["verification_score"] = 101.into();
    invalid["aml"]["risk_score"] = (-1).into();
    let (status, _, problem) = post(invalid.to_string()).await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid-input")
    );
    let paths: Vec<_> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"kyc.verification_score") && paths.contains(&"aml.risk_score"),
        "{paths:?}"
    );
    let (status, _, _) = api
        .raw(
            Method::POST,
            "/api/v1/cases",
            Some(&api.agent),
            &[("content-type", "text/plain")],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, _, _) = api
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&api.agent),
            &[("idempotency-key", "")],
            Some(case_json("ae-ind-http-003")),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an empty idempotency key"
    );
    assert_eq!((api.rows("kyc_checks"), api.rows("audit_logs")), before);
}

#[tokio::test]
async fn hostile_strings_in_paths_and_queries_are_4xx_and_write_nothing() {
    let api = Api::new();
    let before = (
        api.rows("compliance_checks"),
        api.rows("audit_logs"),
        api.rows("review_notes"),
    );
    let hostile = [
        "%27%3B%20DROP%20TABLE%20compliance_checks%3B--",
        "%00",
        "%FF%FE",
        "..%2F..%2Fetc%2Fpasswd",
        "%E2%80%AE%F0%9F%92%A3",
        "AE%0D%0ASet-Cookie:%20x",
        &"a".repeat(5000),
        "00000000-0000-0000-0000-000000000000",
    ];
    for h in hostile {
        for uri in [
            format!("/api/v1/cases/{h}"),
            format!("/api/v1/entities/{h}/case"),
            format!("/api/v1/entities/{h}/history"),
            format!("/api/v1/entities/{h}/audit?limit={h}"),
            format!("/api/v1/rules/{h}?at={h}"),
            format!("/api/v1/queue?jurisdiction={h}"),
            format!("/api/v1/queue?status={h}&risk_level={h}"),
            format!("/api/v1/queue?cursor={h}"),
            format!("/api/v1/queue?limit={h}"),
            format!("/api/v1/high-risk?limit={h}&jurisdiction={h}"),
            format!("/api/v1/reviews-due?jurisdiction={h}"),
            format!("/api/v1/queue?{h}={h}"),
        ] {
            let (status, _, _) = api.get(&uri, &api.officer).await;
            assert!(
                status.is_client_error() || status == StatusCode::OK,
                "{uri}: {status}"
            );
        }
        for uri in [
            format!("/api/v1/cases/{h}/review"),
            format!("/api/v1/cases/{h}/false-positives"),
            format!("/api/v1/entities/{h}/screenings"),
        ] {
            let body = serde_json::json!({"verdict": h, "reason": h, "list": h, "entry": h});
            let (status, _, _) = api
                .call(
                    Method::POST,
                    &uri,
                    Some(&api.officer),
                    &[("if-match", "\"1\"")],
                    Some(body),
                )
                .await;
            assert!(status.is_client_error(), "{uri}: {status}");
        }
    }
    assert_eq!(
        (
            api.rows("compliance_checks"),
            api.rows("audit_logs"),
            api.rows("review_notes")
        ),
        before
    );
}

/// Every route the router serves, as the OpenAPI document names it.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/health"),
    ("get", "/api/v1/openapi.json"),
    ("post", "/api/v1/cases"),
    ("get", "/api/v1/cases/{id}"),
    ("post", "/api/v1/cases/{id}/review"),
    ("post", "/api/v1/cases/{id}/false-positives"),
    ("get", "/api/v1/entities/{entity_id}/case"),
    ("get", "/api/v1/entities/{entity_id}/history"),
    ("get", "/api/v1/entities/{entity_id}/audit"),
    ("post", "/api/v1/entities/{entity_id}/screenings"),
    ("post", "/api/v1/entities/{entity_id}/owners"),
    ("get", "/api/v1/entities/{entity_id}/owners"),
    ("get", "/api/v1/queue"),
    ("get", "/api/v1/high-risk"),
    ("get", "/api/v1/summary"),
    ("get", "/api/v1/dashboard"),
    ("get", "/api/v1/reviews-due"),
    ("get", "/api/v1/rules/{jurisdiction}"),
    ("post", "/api/v1/screen"),
    ("get", "/api/v1/watchlists"),
    ("post", "/api/v1/watchlists"),
    ("get", "/api/v1/screening-jobs"),
    ("get", "/api/v1/screening-jobs/{id}"),
    ("get", "/api/v1/screening-jobs/{id}/flags"),
    ("get", "/api/v1/entities/{entity_id}/subject"),
    ("put", "/api/v1/entities/{entity_id}/subject"),
    ("delete", "/api/v1/entities/{entity_id}/subject"),
    ("post", "/api/v1/endpoints"),
    ("get", "/api/v1/endpoints"),
    ("get", "/api/v1/endpoints/{id}"),
    ("patch", "/api/v1/endpoints/{id}"),
    ("post", "/api/v1/endpoints/{id}/secret"),
    ("post", "/api/v1/endpoints/{id}/replay"),
    ("get", "/api/v1/endpoints/{id}/deliveries"),
    ("get", "/api/v1/deliveries/{id}/attempts"),
    ("get", "/api/v1/entities/{entity_id}/events"),
    ("post", "/api/v1/entities/{entity_id}/wallets"),
    ("get", "/api/v1/entities/{entity_id}/wallets"),
    ("post", "/api/v1/wallets/{id}/transactions"),
    ("post", "/api/v1/cases/{id}/claim"),
    ("put", "/api/v1/cases/{id}/assignment"),
    ("delete", "/api/v1/cases/{id}/assignment"),
    ("post", "/api/v1/cases/{id}/notes"),
    ("post", "/api/v1/cases/{id}/information-requests"),
    ("get", "/api/v1/cases/{id}/information-requests"),
    ("post", "/api/v1/information-requests/{id}/answer"),
    ("post", "/api/v1/information-requests/{id}/withdraw"),
    ("post", "/api/v1/screening-jobs/{id}/flags/reviews"),
];

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_routes_served() {
    let api = Api::new();
    let (status, _, doc) = api
        .call(Method::GET, "/api/v1/openapi.json", None, &[], None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    documented.sort();
    let mut expected: Vec<_> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    expected.sort();
    assert_eq!(documented, expected);
    // Each is served: not the router's fallback, not a wrong method.
    for (method, path) in ROUTES {
        let uri = path
            .replace("{id}", "00000000-0000-0000-0000-000000000000")
            .replace("{entity_id}", "ae-ind-clean-001")
            .replace("{jurisdiction}", "AE");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let (status, _, body) = api.call(method, &uri, Some(&api.admin), &[], None).await;
        assert_ne!(kind(&body), "no-such-route", "{uri}");
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{uri}");
    }
    let (status, _, body) = api.get("/api/v1/nowhere", &api.admin).await;
    assert_eq!(
        (status, kind(&body)),
        (StatusCode::NOT_FOUND, "no-such-route")
    );
}

#[test]
fn a_503_says_nothing_of_the_database_and_its_correlation_id_finds_the_log_line() {
    use crate::support::LogBuffer;
    use tower::ServiceExt;
    // A database nobody listens for: every call is unavailable once the short wait is over.
    let database = "compliance_unreachable_db";
    let config =
        compliance_app::Config::from_url(&format!("postgres://postgres@127.0.0.1:1/{database}"))
            .unwrap()
            .connect_timeout(std::time::Duration::from_millis(300));
    let router = compliance_server::api::router(compliance_app::Compliance::new(&config));
    let log = LogBuffer::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // The handlers run on this thread (a current-thread runtime), so their log lines reach
    // the subscriber installed here.
    let (status, headers, body) = tracing::subscriber::with_default(log.subscriber(), || {
        runtime.block_on(async {
            let request = Request::builder()
                .uri("/api/v1/queue")
                .header("authorization", format!("Bearer cdb_{}", "0".repeat(64)))
                .body(Body::empty())
                .unwrap();
            let response = router.oneshot(request).await.unwrap();
            let (status, headers) = (response.status(), response.headers().clone());
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            (status, headers, body)
        })
    });
    assert_eq!(
        (status, kind(&body)),
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        "{body}"
    );
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(headers["retry-after"], "1");
    assert_eq!(body["retry_after"], 1);
    let id = body["correlation_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no correlation id: {body}"));
    assert!(
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{id}"
    );
    // The client is told what to do, in our words: no host, port, database, user or driver text.
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("retry"), "{detail}");
    let text = body.to_string();
    for leak in [
        "127.0.0.1",
        "localhost",
        ":1/",
        database,
        "postgres",
        "cannot reach the database at",
        "onnection refused",
        "DATABASE_URL",
    ] {
        assert!(!text.contains(leak), "{leak:?} in {text}");
    }
    // The operators' log line carries the same id and says what failed, where.
    let log = log.text();
    let lines: Vec<&str> = log.lines().filter(|l| l.contains(id)).collect();
    assert_eq!(lines.len(), 1, "one log line with {id}:\n{log}");
    let line = lines[0];
    assert!(line.contains("ERROR"), "{line}");
    assert!(
        line.contains(&format!(
            "cannot reach the database at 127.0.0.1:1/{database}"
        )),
        "the internal reason: {line}"
    );
    assert!(line.contains("status=503"), "{line}");
}

/// Found by the conformance fuzzer (`.ci/check-openapi`): JSON Schema's `integer` admits
/// `66.0`, and a client's serializer may write a whole number so; the server reads it as 66
/// (and `6.6e1` too), and still refuses a number with a fraction as the wrong type.
#[tokio::test]
async fn a_whole_number_written_with_a_fraction_or_an_exponent_is_that_integer() {
    let api = Api::new();
    let post = |body: String| {
        api.raw(
            Method::POST,
            "/api/v1/cases",
            Some(&api.agent),
            &[],
            Some(body),
        )
    };
    let case = case_json("ae-ind-http-whole-001")
        .to_string()
        .replace("\"verification_score\":95", "\"verification_score\":95.0")
        .replace("\"risk_score\":10", "\"risk_score\":1.0e1");
    assert!(case.contains("95.0") && case.contains("1.0e1"), "{case}");
    let (status, _, body) = post(case).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["case"]["risk_score"], 10, "{body}");
    let fraction = case_json("ae-ind-http-whole-002")
        .to_string()
        .replace("\"verification_score\":95", "\"verification_score\":95.5");
    let (status, _, problem) = post(fraction).await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid-body")
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("verification_score"),
        "{problem}"
    );
    // A string that looks like such a number is not a number.
    let text = case_json("ae-ind-http-whole-003").to_string().replace(
        "\"verification_score\":95",
        "\"verification_score\":\"95.0\"",
    );
    let (status, _, _) = post(text).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Issue 22, item 4: a malformed body's 422 spoke serde ("invalid type: string \"95\",
/// expected i64 at line 1 column 120", "floating point `1e+30`") where an invalid value's 422
/// lists `errors[{path, message}]`. Both now have that shape, in plain words, and the value sent
/// is never repeated; nothing is written.
#[tokio::test]
async fn a_body_of_the_wrong_shape_names_the_field_in_plain_words_like_an_invalid_value() {
    let api = Api::new();
    let before = (api.rows("kyc_checks"), api.rows("audit_logs"));
    let post = |body: String| {
        api.raw(
            Method::POST,
            "/api/v1/cases",
            Some(&api.agent),
            &[],
            Some(body),
        )
    };
    let case = case_json("ae-ind-http-shape-001").to_string();
    assert!(case.contains("\"verification_score\":95"), "{case}");
    let with = |from: &str, to: &str| case.replace(from, to);
    for (body, path, message, echo) in [
        (
            with("\"verification_score\":95", "\"verification_score\":\"95\""),
            "kyc.verification_score",
            "must be a whole number",
            "\"95\"",
        ),
        (
            with("\"verification_score\":95", "\"verification_score\":1e30"),
            "kyc.verification_score",
            "must be a whole number (no fraction, and within range)",
            "1e+30",
        ),
        (
            with("\"entity_type\":\"individual\"", "\"entity_type\":7"),
            "kyc.entity_type",
            "must be a string",
            "7",
        ),
        (
            with(
                "\"verification_score\":95",
                "\"verification_score\":95,\"nickname\":\"Jo\"",
            ),
            "kyc.nickname",
            "unknown field",
            "\"Jo\"",
        ),
        (
            with("\"verification_score\":95", "")
                .replace(",,", ",")
                .replace(",}", "}"),
            "kyc.verification_score",
            "missing field",
            "line",
        ),
    ] {
        assert_ne!(body, case, "the example changes the case");
        let (status, _, problem) = post(body).await;
        assert_eq!(
            (status, kind(&problem)),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid-body"),
            "{problem}"
        );
        let errors = problem["errors"]
            .as_array()
            .expect("errors, as for invalid input");
        assert_eq!(errors.len(), 1, "{problem}");
        assert_eq!(errors[0]["path"], path, "{problem}");
        let said = errors[0]["message"].as_str().unwrap();
        assert!(said.starts_with(message), "{said} for {path}");
        let text = problem.to_string();
        for serde_word in [
            echo,
            "invalid type",
            "expected i64",
            "column",
            "floating point",
        ] {
            assert!(!text.contains(serde_word), "{serde_word} in {text}");
        }
        assert!(
            problem["detail"].as_str().unwrap().contains(path),
            "{problem}"
        );
    }
    assert_eq!((api.rows("kyc_checks"), api.rows("audit_logs")), before);
}
