//! Events out through the router (issue 20): an admin creates a webhook and sees its secret
//! once (never in a read), the other roles may not (an officer reads); a URL that is not https
//! off loopback, a private address and the like are 422 naming the field; a change names the
//! revision read (stale: 409); a rotation shows the new secret once; deliveries, their attempts,
//! a replay and an entity's events; every answer against the document, and the document's
//! `webhooks` against the events as the database writes them.

use crate::api_client::{Api, case_json, kind};
use crate::http_schemas::{
    EDGES, assert_matches, assert_request_matches, document, errors, validator,
};
use crate::support::*;
use axum::http::{HeaderMap, Method, StatusCode};
use chrono::{Duration as Span, Utc};
use compliance_app::events::{Attempted, CircuitSettings, Claim};
use compliance_domain::{EndpointKind, EndpointUrl, EventType, SubjectPrefix};
use serde_json::{Value, json};
use std::time::Duration;

const ENDPOINTS: &str = "/api/v1/endpoints";

type Answer = (StatusCode, HeaderMap, Value);

async fn post(api: &Api, uri: &str, token: &str, body: Value) -> Answer {
    api.call(Method::POST, uri, Some(token), &[], Some(body))
        .await
}

async fn patch(api: &Api, uri: &str, token: &str, body: Value) -> Answer {
    api.call(Method::PATCH, uri, Some(token), &[], Some(body))
        .await
}

/// A webhook created by the admin: its id and secret.
async fn webhook(api: &Api, url: &str) -> (String, String) {
    let (status, _, created) = post(api, ENDPOINTS, &api.admin, json!({"url": url})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    (
        created["endpoint"]["id"].as_str().unwrap().to_owned(),
        created["secret"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn an_admin_creates_a_webhook_whose_secret_is_shown_once_and_others_may_not() {
    let api = Api::new();
    let doc = document(&api).await;
    let body = json!({"url": "https://hooks.example.com/compliance",
        "event_types": ["case.status_changed", "case.decided"], "description": "trading service"});
    assert_request_matches(&doc, "post", ENDPOINTS, &body);
    for token in [&api.analyst, &api.officer, &api.agent] {
        let refused = post(&api, ENDPOINTS, token, body.clone()).await;
        assert_eq!(
            (refused.0, kind(&refused.2)),
            (StatusCode::FORBIDDEN, "forbidden")
        );
        assert_matches(&doc, "post", ENDPOINTS, &refused);
    }
    assert_eq!(api.rows("event_endpoints"), 0);

    let created = post(&api, ENDPOINTS, &api.admin, body).await;
    assert_eq!(created.0, StatusCode::CREATED, "{}", created.2);
    assert_matches(&doc, "post", ENDPOINTS, &created);
    let endpoint = &created.2["endpoint"];
    let id = endpoint["id"].as_str().unwrap();
    assert_eq!(created.1["location"], format!("{ENDPOINTS}/{id}").as_str());
    let secret = created.2["secret"].as_str().unwrap();
    assert!(
        secret.starts_with("whsec_") && secret.len() == 50,
        "{secret}"
    );
    assert_eq!(
        (
            endpoint["kind"].as_str(),
            endpoint["revision"].as_i64(),
            endpoint["active"].as_bool()
        ),
        (Some("webhook"), Some(1), Some(true))
    );
    assert_eq!(
        endpoint["event_types"],
        json!(["case.status_changed", "case.decided"])
    );

    // Read by an officer and an admin: never the secret.
    let listed = api.get(ENDPOINTS, &api.officer).await;
    assert_eq!(listed.0, StatusCode::OK);
    assert_matches(&doc, "get", ENDPOINTS, &listed);
    assert_eq!(listed.2.as_array().unwrap().len(), 1);
    let one = api.get(&format!("{ENDPOINTS}/{id}"), &api.admin).await;
    assert_eq!(one.0, StatusCode::OK);
    assert_matches(&doc, "get", "/api/v1/endpoints/{id}", &one);
    assert_eq!(one.2, listed.2[0]);
    for read in [&listed.2, &one.2] {
        let text = read.to_string();
        assert!(!text.contains("whsec_") && !text.contains(secret), "{text}");
    }
    let refused = api.get(ENDPOINTS, &api.analyst).await;
    assert_eq!(refused.0, StatusCode::FORBIDDEN);
    let missing = api
        .get(
            &format!("{ENDPOINTS}/00000000-0000-0000-0000-000000000000"),
            &api.officer,
        )
        .await;
    assert_eq!(
        (missing.0, kind(&missing.2)),
        (StatusCode::NOT_FOUND, "not-found")
    );
    assert_matches(&doc, "get", "/api/v1/endpoints/{id}", &missing);
    let malformed = api
        .get(&format!("{ENDPOINTS}/not-a-uuid"), &api.officer)
        .await;
    assert_eq!(malformed.0, StatusCode::BAD_REQUEST);
    // Audited, without the secret.
    assert_eq!(
        count(
            &mut api.s.db.conn(),
            "SELECT count(*) AS n FROM audit_logs WHERE action = 'endpoint_created' AND details::text NOT LIKE '%whsec%'"
        ),
        1
    );
}

#[tokio::test]
async fn a_url_that_could_reach_the_platforms_network_or_is_plain_http_is_422_naming_it() {
    let api = Api::new();
    let doc = document(&api).await;
    let hook = "https://hooks.example.com/compliance";
    for (body, path) in [
        (json!({"url": "https://10.0.0.7/hook"}), "url"),
        (
            json!({"url": "https://169.254.169.254/latest/meta-data"}),
            "url",
        ),
        (json!({"url": "https://[fd00::1]/hook"}), "url"),
        (json!({"url": "http://hooks.example.com/compliance"}), "url"),
        (json!({"url": "ftp://hooks.example.com/"}), "url"),
        (json!({"url": "https://user:pw@hooks.example.com/"}), "url"),
        (json!({"url": "https://hooks.example.com/\u{0}"}), "url"),
        (json!({"kind": "nats", "url": hook}), "url"),
        (
            json!({"url": hook, "description": " padded"}),
            "description",
        ),
        (json!({"url": hook, "description": "a\ttab"}), "description"),
        (
            json!({"url": hook, "description": "x".repeat(201)}),
            "description",
        ),
        (
            json!({"url": hook, "subject_prefix": "x"}),
            "subject_prefix",
        ),
        (
            json!({"url": hook, "event_types": ["case.nothing"]}),
            "event_types[0]",
        ),
        (json!({"url": hook, "secret": "whsec_mine"}), "secret"),
        (json!({"description": "no url"}), "url"),
    ] {
        let refused = post(&api, ENDPOINTS, &api.admin, body.clone()).await;
        assert_eq!(
            refused.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            refused.2
        );
        assert_eq!(refused.1["content-type"], "application/problem+json");
        assert_eq!(
            refused.2["errors"][0]["path"], path,
            "{body}: {}",
            refused.2
        );
        assert!(
            refused.2["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        assert_matches(&doc, "post", ENDPOINTS, &refused);
        // The document refuses it too: no schema-valid body is refused.
        let schema = json!({"$ref": "#/components/schemas/NewEndpoint"});
        assert!(!errors(&doc, &schema, &body).is_empty(), "{body}");
    }
    assert_eq!(api.rows("event_endpoints"), 0, "nothing was written");
    let (status, _, problem) = post(
        &api,
        ENDPOINTS,
        &api.admin,
        json!({"url": "http://hooks.example.com/"}),
    )
    .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid-input")
    );
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("https")
    );

    // An admin may allow a private address, audited; a broker on loopback has no secret.
    let private = post(
        &api,
        ENDPOINTS,
        &api.admin,
        json!({"url": "https://10.0.0.7/hook", "allow_private": true}),
    )
    .await;
    assert_eq!(private.0, StatusCode::CREATED, "{}", private.2);
    assert_eq!(private.2["endpoint"]["allow_private"], true);
    let broker =
        json!({"kind": "nats", "url": "nats://127.0.0.1:4222", "event_types": ["case.decided"]});
    assert_request_matches(&doc, "post", ENDPOINTS, &broker);
    let broker = post(&api, ENDPOINTS, &api.admin, broker).await;
    assert_eq!(broker.0, StatusCode::CREATED, "{}", broker.2);
    assert_matches(&doc, "post", ENDPOINTS, &broker);
    assert_eq!(broker.2["secret"], Value::Null);
    assert_eq!(broker.2["endpoint"]["subject_prefix"], "compliance.events");
}

#[tokio::test]
async fn a_change_names_the_revision_read_a_stale_one_is_409_and_a_rotation_shows_the_new_secret_once()
 {
    let api = Api::new();
    let doc = document(&api).await;
    let (id, first_secret) = webhook(&api, "https://hooks.example.com/compliance").await;
    let uri = format!("{ENDPOINTS}/{id}");
    let path = "/api/v1/endpoints/{id}";
    let change = json!({"revision": 7, "event_types": ["case.decided"]});
    assert_request_matches(&doc, "patch", path, &change);
    let stale = patch(&api, &uri, &api.admin, change).await;
    assert_eq!(
        (stale.0, kind(&stale.2)),
        (StatusCode::CONFLICT, "stale-revision"),
        "{}",
        stale.2
    );
    assert_matches(&doc, "patch", path, &stale);
    let refused = patch(
        &api,
        &uri,
        &api.officer,
        json!({"revision": 1, "active": false}),
    )
    .await;
    assert_eq!(refused.0, StatusCode::FORBIDDEN);

    let change = json!({"revision": 1, "event_types": ["case.decided", "case.status_changed"],
        "description": "trading service"});
    assert_request_matches(&doc, "patch", path, &change);
    let changed = patch(&api, &uri, &api.admin, change).await;
    assert_eq!(changed.0, StatusCode::OK, "{}", changed.2);
    assert_matches(&doc, "patch", path, &changed);
    assert_eq!(changed.2["revision"], 2);
    assert_eq!(changed.2["description"], "trading service");
    // A change that changes nothing writes nothing, and answers the endpoint as it is.
    let same = patch(
        &api,
        &uri,
        &api.admin,
        json!({"revision": 2, "description": "trading service", "active": true}),
    )
    .await;
    assert_eq!(
        (same.0, same.2["revision"].as_i64()),
        (StatusCode::OK, Some(2))
    );
    let off = patch(
        &api,
        &uri,
        &api.admin,
        json!({"revision": 2, "active": false}),
    )
    .await;
    assert_eq!(
        (off.0, off.2["revision"].as_i64(), off.2["active"].as_bool()),
        (StatusCode::OK, Some(3), Some(false))
    );
    assert_eq!(
        count(
            &mut api.s.db.conn(),
            "SELECT count(*) AS n FROM audit_logs WHERE action = 'endpoint_updated'"
        ),
        2
    );
    let nowhere = patch(
        &api,
        &format!("{ENDPOINTS}/00000000-0000-0000-0000-000000000000"),
        &api.admin,
        json!({"revision": 1, "active": true}),
    )
    .await;
    assert_eq!(nowhere.0, StatusCode::NOT_FOUND);

    // A rotation: the new secret once; the old one keeps signing for a day by default.
    let rotate = format!("{uri}/secret");
    let secret_path = "/api/v1/endpoints/{id}/secret";
    let rotation = json!({"revision": 3});
    assert_request_matches(&doc, "post", secret_path, &rotation);
    let rotated = post(&api, &rotate, &api.admin, rotation.clone()).await;
    assert_eq!(rotated.0, StatusCode::OK, "{}", rotated.2);
    assert_matches(&doc, "post", secret_path, &rotated);
    let second_secret = rotated.2["secret"].as_str().unwrap();
    assert!(second_secret.starts_with("whsec_") && second_secret != first_secret);
    assert_eq!(rotated.2["endpoint"]["revision"], 4);
    let until: chrono::DateTime<Utc> =
        serde_json::from_value(rotated.2["endpoint"]["previous_secret_until"].clone()).unwrap();
    let in_a_day = Utc::now() + Span::days(1);
    assert!((until - in_a_day).num_seconds().abs() < 60, "{until}");
    let again = post(&api, &rotate, &api.admin, rotation).await;
    assert_eq!(
        (again.0, kind(&again.2)),
        (StatusCode::CONFLICT, "stale-revision")
    );
    assert_matches(&doc, "post", secret_path, &again);
    let too_long = post(
        &api,
        &rotate,
        &api.admin,
        json!({"revision": 4, "previous_valid_for_seconds": 604_801}),
    )
    .await;
    assert_eq!(too_long.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        too_long.2["errors"][0]["path"],
        "previous_valid_for_seconds"
    );
    let now = post(
        &api,
        &rotate,
        &api.admin,
        json!({"revision": 4, "previous_valid_for_seconds": 0}),
    )
    .await;
    assert_eq!(now.0, StatusCode::OK, "{}", now.2);
    let refused = post(&api, &rotate, &api.officer, json!({"revision": 5})).await;
    assert_eq!(refused.0, StatusCode::FORBIDDEN);
    assert_eq!(
        api.rows("event_endpoints WHERE secret LIKE 'whsec_%'"),
        1,
        "one webhook"
    );

    // A broker has no secret to rotate: a conflict with what it is.
    let (_, _, broker) = post(
        &api,
        ENDPOINTS,
        &api.admin,
        json!({"kind": "nats", "url": "nats://127.0.0.1:4222"}),
    )
    .await;
    let broker = broker["endpoint"]["id"].as_str().unwrap().to_owned();
    let none = post(
        &api,
        &format!("{ENDPOINTS}/{broker}/secret"),
        &api.admin,
        json!({"revision": 1}),
    )
    .await;
    assert_eq!(
        (none.0, kind(&none.2)),
        (StatusCode::CONFLICT, "not-a-webhook"),
        "{}",
        none.2
    );
    assert_matches(&doc, "post", secret_path, &none);
}

/// Fans out until every event written so far was copied into deliveries: the fan-out waits for
/// every older writing transaction of the server to end, other tests' included.
fn fan_out_everything(api: &Api) {
    let outbox = api.s.compliance.in_process().outbox();
    let expected = u64::try_from(api.rows("events")).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut copied = 0;
    while copied < expected && std::time::Instant::now() < deadline {
        copied += outbox.fan_out(1000).unwrap();
        if copied < expected {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    assert_eq!(copied, expected, "events fanned out");
}

const CIRCUIT: CircuitSettings = CircuitSettings {
    failures_to_open: 100,
    open_for: Duration::from_secs(60),
    max_open_for: Duration::from_secs(600),
};

/// What a dispatcher reports of a claim: acknowledged, or answered 503 and given up.
fn attempted(claim: &Claim, delivered: bool) -> Attempted {
    Attempted {
        delivery_id: claim.delivery_id,
        attempt: claim.attempt,
        attempted_at: Utc::now(),
        delivered,
        status_code: Some(if delivered { 204 } else { 503 }),
        latency: Duration::from_millis(12),
        error: (!delivered).then(|| "answered 503".to_owned()),
        retry_at: None,
    }
}

#[tokio::test]
async fn deliveries_their_attempts_a_replay_and_an_entitys_events() {
    let api = Api::new();
    let doc = document(&api).await;
    let (hook, _) = webhook(&api, "http://127.0.0.1:9/hook").await;
    // An endpoint receives the events written from its creation on: two new cases.
    let entity = "ae-ind-events-001";
    let (status, _, submitted) = post(&api, "/api/v1/cases", &api.agent, case_json(entity)).await;
    assert_eq!(status, StatusCode::CREATED, "{submitted}");
    let (status, _, _) = post(
        &api,
        "/api/v1/cases",
        &api.agent,
        case_json("ae-ind-events-002"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    fan_out_everything(&api);
    // A dispatcher's round: the new case's event fails for good, the others are delivered.
    let outbox = api.s.compliance.in_process().outbox();
    let claims = outbox.claim(100, Duration::from_secs(30)).unwrap();
    assert_eq!(claims.len(), 2);
    let mine = |c: &Claim| {
        serde_json::from_slice::<Value>(&c.body).unwrap()["data"]["entity_id"] == entity
    };
    let results: Vec<Attempted> = claims.iter().map(|c| attempted(c, !mine(c))).collect();
    outbox.complete(&results, CIRCUIT).unwrap();
    let failed_event = claims.iter().find(|c| mine(c)).unwrap().event_id;

    let deliveries = format!("{ENDPOINTS}/{hook}/deliveries");
    let path = "/api/v1/endpoints/{id}/deliveries";
    let failed = api
        .get(&format!("{deliveries}?state=failed"), &api.officer)
        .await;
    assert_eq!(failed.0, StatusCode::OK, "{}", failed.2);
    assert_matches(&doc, "get", path, &failed);
    let failed = failed.2.as_array().unwrap().clone();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["event_id"], json!(failed_event));
    assert_eq!(
        (
            failed[0]["entity_id"].as_str(),
            failed[0]["sequence"].as_i64()
        ),
        (Some(entity), Some(1))
    );
    let attempts = api
        .get(
            &format!("/api/v1/deliveries/{}/attempts", failed[0]["id"]),
            &api.officer,
        )
        .await;
    assert_eq!(attempts.0, StatusCode::OK);
    assert_matches(&doc, "get", "/api/v1/deliveries/{id}/attempts", &attempts);
    assert_eq!(
        attempts.2,
        json!([{"attempt": 1, "attempted_at": attempts.2[0]["attempted_at"], "delivered": false,
                "status_code": 503, "latency_ms": 12, "error": "answered 503"}])
    );
    let some = api.get(&format!("{deliveries}?limit=2"), &api.admin).await;
    assert_eq!(some.2.as_array().map(Vec::len), Some(2));
    for bad in ["?state=lost", "?limit=0", "?limit=501", "?colour=red"] {
        let refused = api.get(&format!("{deliveries}{bad}"), &api.officer).await;
        assert_eq!(refused.0, StatusCode::BAD_REQUEST, "{bad}: {}", refused.2);
        assert_matches(&doc, "get", path, &refused);
    }
    for bad in ["0", "-1", "x"] {
        let refused = api
            .get(&format!("/api/v1/deliveries/{bad}/attempts"), &api.officer)
            .await;
        assert_eq!(refused.0, StatusCode::BAD_REQUEST, "{bad}");
    }
    assert_eq!(
        api.get(&deliveries, &api.analyst).await.0,
        StatusCode::FORBIDDEN
    );

    // A replay: an officer may not; an admin sends the failed event again.
    let replay = format!("{ENDPOINTS}/{hook}/replay");
    let replay_path = "/api/v1/endpoints/{id}/replay";
    let one = json!({"event_id": failed_event});
    assert_request_matches(&doc, "post", replay_path, &one);
    let refused = post(&api, &replay, &api.officer, one.clone()).await;
    assert_eq!(refused.0, StatusCode::FORBIDDEN);
    let replayed = post(&api, &replay, &api.admin, one).await;
    assert_eq!(replayed.0, StatusCode::OK, "{}", replayed.2);
    assert_matches(&doc, "post", replay_path, &replayed);
    assert_eq!(replayed.2, json!({"replayed": 1}));
    let still_failed = api
        .get(&format!("{deliveries}?state=failed"), &api.officer)
        .await;
    assert_eq!(still_failed.2, json!([]));
    let range = json!({"from": (Utc::now() - Span::hours(1)).to_rfc3339(),
        "to": (Utc::now() + Span::hours(1)).to_rfc3339()});
    assert_request_matches(&doc, "post", replay_path, &range);
    let wider = post(&api, &replay, &api.admin, range).await;
    assert_eq!(wider.0, StatusCode::OK, "{}", wider.2);
    assert!(wider.2["replayed"].as_i64().unwrap() >= 1, "{}", wider.2);
    for (body, field) in [
        (json!({}), "from"),
        (json!({"from": "2026-12-01T00:00:00Z"}), "to"),
        (
            json!({"event_id": failed_event, "from": "2026-12-01T00:00:00Z", "to": "2026-12-02T00:00:00Z"}),
            "event_id",
        ),
        (
            json!({"from": "2026-12-02T00:00:00Z", "to": "2026-12-01T00:00:00Z"}),
            "from",
        ),
        (
            json!({"from": "yesterday", "to": "2026-12-01T00:00:00Z"}),
            "from",
        ),
        (json!({"event_id": "not-a-uuid"}), "event_id"),
    ] {
        let refused = post(&api, &replay, &api.admin, body.clone()).await;
        assert_eq!(
            refused.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            refused.2
        );
        assert_eq!(
            refused.2["errors"][0]["path"], field,
            "{body}: {}",
            refused.2
        );
        assert_matches(&doc, "post", replay_path, &refused);
    }
    assert_eq!(
        count(
            &mut api.s.db.conn(),
            "SELECT count(*) AS n FROM audit_logs WHERE action = 'events_replayed'"
        ),
        2
    );

    // The entity's events, in order, as receivers get them (analysts read cases, so events).
    let events = format!("/api/v1/entities/{entity}/events");
    let events_path = "/api/v1/entities/{entity_id}/events";
    let all = api.get(&events, &api.analyst).await;
    assert_eq!(all.0, StatusCode::OK, "{}", all.2);
    assert_matches(&doc, "get", events_path, &all);
    let all = all.2.as_array().unwrap().clone();
    assert_eq!(all.len(), 1);
    assert_eq!(
        (
            all[0]["type"].as_str(),
            all[0]["sequence"].as_i64(),
            &all[0]["id"]
        ),
        (Some("case.decided"), Some(1), &json!(failed_event))
    );
    assert_eq!(all[0]["data"]["case_id"], submitted["case"]["id"]);
    assert_eq!(
        api.get(&format!("{events}?after=1"), &api.analyst).await.2,
        json!([])
    );
    for bad in ["?after=-1", "?after=x", "?limit=501"] {
        let refused = api.get(&format!("{events}{bad}"), &api.analyst).await;
        assert_eq!(refused.0, StatusCode::BAD_REQUEST, "{bad}");
        assert_matches(&doc, "get", events_path, &refused);
    }
}

/// The kyc check of a seed entity.
fn kyc_of(api: &Api, entity: &str) -> uuid::Uuid {
    #[derive(compliance_persistence::diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = compliance_persistence::diesel::sql_types::Uuid)]
        id: uuid::Uuid,
    }
    use compliance_persistence::diesel::RunQueryDsl;
    compliance_persistence::diesel::sql_query(format!(
        "SELECT id FROM kyc_checks WHERE entity_id = '{entity}' ORDER BY created_at DESC LIMIT 1"
    ))
    .get_result::<Row>(&mut api.s.db.conn())
    .unwrap()
    .id
}

/// A watched wallet's transaction, recorded then escalated: `transaction.recorded` and
/// `transaction.status_changed`.
fn transaction_events(api: &Api, entity: &str) {
    use compliance_domain::blockchain::*;
    use compliance_domain::{CheckStatus, Reviewer, RiskScore};
    use compliance_persistence::repo::blockchain;
    let mut conn = api.s.db.conn();
    let watch = WalletWatch::new(
        Chain::parse("ethereum").unwrap(),
        OnChainRef::parse(
            "0x52908400098527886E0F7030069857D2E4169EE7",
            "wallet address",
        )
        .unwrap(),
        [WatchKind::Incoming].into(),
    )
    .unwrap();
    let wallet = blockchain::watch_wallet(
        &mut conn,
        kyc_of(api, entity),
        &watch,
        api.s.users.officer.id,
    )
    .unwrap();
    let tx = ObservedTransaction {
        tx_hash: OnChainRef::parse(
            "0x88df016429689c079f3b2f6ad39fa052532c56795b733da78a91ebe6a713944b",
            "transaction hash",
        )
        .unwrap(),
        direction: Direction::Incoming,
        amount: CryptoAmount::new("1.5".parse().unwrap()).unwrap(),
        asset: Asset::parse("ETH").unwrap(),
        counterparty: None,
        observed_at: Utc::now(),
        risk_score: Some(RiskScore::new(40).unwrap()),
    };
    let seen =
        blockchain::record_transaction(&mut conn, wallet.id, &tx, api.s.users.agent.id).unwrap();
    let officer = Reviewer::try_from(&api.s.users.officer).unwrap();
    let decision =
        TransactionDecision::new(&officer, CheckStatus::Pending, CheckStatus::Escalated).unwrap();
    blockchain::change_transaction_status(&mut conn, seen.id, 1, &decision).unwrap();
}

#[tokio::test]
async fn the_webhooks_section_gives_each_event_type_as_the_database_writes_it() {
    use strum::VariantNames;
    let api = Api::new();
    let doc = document(&api).await;
    let webhooks = doc["webhooks"].as_object().expect("a webhooks section");
    let mut names: Vec<&str> = webhooks.keys().map(String::as_str).collect();
    names.sort_unstable();
    let mut types = EventType::VARIANTS.to_vec();
    types.sort_unstable();
    assert_eq!(names, types, "one webhook per event type");
    for (name, item) in webhooks {
        let post = &item["post"];
        let headers: Vec<(&str, &Value)> = post["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["name"].as_str().unwrap(), p))
            .collect();
        for (header, parameter) in &headers {
            assert_eq!(
                (parameter["in"].as_str(), parameter["required"].as_bool()),
                (Some("header"), Some(true)),
                "{name} {header}"
            );
        }
        let mut header_names: Vec<&str> = headers.iter().map(|(n, _)| *n).collect();
        header_names.sort_unstable();
        assert_eq!(
            header_names,
            ["webhook-id", "webhook-signature", "webhook-timestamp"],
            "{name}"
        );
        assert!(!post["responses"]["2XX"].is_null(), "{name}");
        assert!(
            post["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{name}"
        );
    }
    // A signature as Standard Webhooks writes it, and two after a rotation, fit the header.
    let signature = webhooks["case.decided"]["post"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "webhook-signature")
        .unwrap()["schema"]
        .clone();
    let one = format!("v1,{}=", "A".repeat(43));
    for value in [one.clone(), format!("{one} {one}")] {
        assert!(
            errors(&doc, &signature, &json!(value)).is_empty(),
            "{value}"
        );
    }

    // Events of every family, written by the writes that announce them.
    let s = &api.s;
    s.compliance
        .rescreen(&s.agent(), &entity("ae-ind-clean-001"), &sanctions_hit())
        .unwrap();
    let (pep, revision) = api.case_of("in-corp-pep-002").await;
    let pep: compliance_domain::CaseId = pep.parse().unwrap();
    let proposed = s
        .compliance
        .review(
            &s.officer(),
            pep,
            compliance_domain::Verdict::Approve,
            &reason("due diligence complete"),
            i32::try_from(revision).unwrap(),
        )
        .unwrap();
    let list = compliance_domain::ListName::parse("DJRC-PEP").unwrap();
    let entry = compliance_domain::ListEntryRef::parse("PEP-20417").unwrap();
    let mut revision = proposed.case.revision;
    for reviewer in [s.officer(), s.admin()] {
        revision = s
            .compliance
            .clear_match(
                &reviewer,
                pep,
                &list,
                &entry,
                &reason("another person"),
                revision,
            )
            .unwrap()
            .revision;
    }
    transaction_events(&api, "us-ind-standard-002");

    let mut seen = std::collections::BTreeSet::new();
    for entity in ["ae-ind-clean-001", "in-corp-pep-002", "us-ind-standard-002"] {
        let (status, _, events) = api
            .get(&format!("/api/v1/entities/{entity}/events"), &api.officer)
            .await;
        assert_eq!(status, StatusCode::OK);
        for (i, event) in events.as_array().unwrap().iter().enumerate() {
            assert_eq!(
                event["sequence"],
                json!(i + 1),
                "{entity}: numbered in order"
            );
            let name = event["type"].as_str().unwrap();
            let schema =
                &webhooks[name]["post"]["requestBody"]["content"]["application/json"]["schema"];
            let found = errors(&doc, schema, event);
            assert!(found.is_empty(), "{name}: {found:?}\n{event:#}");
            // The bytes a webhook receives are the same envelope.
            let record: compliance_app::events::EventRecord = compliance_app::events::EventRecord {
                id: event["id"].as_str().unwrap().parse().unwrap(),
                event_type: name.parse().unwrap(),
                timestamp: serde_json::from_value(event["timestamp"].clone()).unwrap(),
                sequence: event["sequence"].as_i64().unwrap(),
                data: event["data"].clone(),
            };
            let body: Value = serde_json::from_slice(&compliance_app::events::event_body(
                record.id,
                record.event_type,
                record.timestamp,
                record.sequence,
                &record.data,
            ))
            .unwrap();
            assert!(errors(&doc, schema, &body).is_empty(), "{name}: {body}");
            // And another type's webhook does not describe it.
            let other = if name == "case.decided" {
                "match.cleared"
            } else {
                "case.decided"
            };
            let other =
                &webhooks[other]["post"]["requestBody"]["content"]["application/json"]["schema"];
            assert!(
                !errors(&doc, other, event).is_empty(),
                "{name} fits another type"
            );
            seen.insert(name.to_owned());
        }
    }
    for expected in [
        "case.decided",
        "case.status_changed",
        "case.approval_proposed",
        "match.clearance_proposed",
        "match.cleared",
        "transaction.recorded",
        "transaction.status_changed",
    ] {
        assert!(seen.contains(expected), "no {expected} among {seen:?}");
    }
}

/// Strings at the edges of what an endpoint's fields accept: schemes, hosts (names, loopback,
/// private and malformed addresses), ports and the rest.
fn url_samples() -> Vec<String> {
    let schemes = ["https://", "http://", "nats://", "HTTPS://", "ftp://", ""];
    let hosts = [
        "hooks.example.com",
        "localhost",
        "a",
        "xn--bcher-kva.example",
        "127.0.0.1",
        "127.255.255.254",
        "127.000.0.1",
        "127.1",
        "[::1]",
        "[0:0:0:0:0:0:0:1]",
        "10.0.0.7",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "8.8.8.8",
        "[fd00::1]",
        "[fe80::1]",
        "[::ffff:10.0.0.1]",
        "[2001:db8::1]",
        "-a.example",
        "a-.example",
        "a..example",
        "1.2.3.4.5",
        "user@hooks.example.com",
        "user:pw@hooks.example.com",
        "exa mple.com",
        "",
    ];
    let ports = ["", ":443", ":4222", ":", ":99999", ":123456", ":x"];
    let rests = [
        "",
        "/",
        "/hook?x=1#f",
        "/p ath",
        "/\u{7f}",
        "?q",
        "#",
        "/é",
        "/a@b",
    ];
    let mut out = Vec::new();
    for scheme in schemes {
        for host in hosts {
            for port in ports {
                for rest in rests {
                    out.push(format!("{scheme}{host}{port}{rest}"));
                }
            }
        }
    }
    out.push(format!("https://hooks.example.com/{}", "a".repeat(1980)));
    out.push(format!("https://hooks.example.com/{}", "a".repeat(1981)));
    out
}

/// The patterns of an endpoint's URL, subject prefix and description admit only what the
/// service accepts (a schema-valid request is never refused), on samples at the edges and on
/// random strings.
#[tokio::test]
async fn the_endpoint_field_schemas_admit_only_what_the_service_accepts() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let api = Api::new();
    let doc = document(&api).await;
    let webhook_url = validator(&doc, "WebhookUrl");
    let broker_url = validator(&doc, "BrokerUrl");
    let no_control = |t: &str| !t.chars().any(char::is_control);
    let mut admitted = 0;
    for url in url_samples() {
        for (schema, kind) in [
            (&webhook_url, EndpointKind::Webhook),
            (&broker_url, EndpointKind::Nats),
        ] {
            if schema.is_valid(&json!(url)) {
                admitted += 1;
                assert!(
                    no_control(&url) && EndpointUrl::parse(kind, &url, false).is_ok(),
                    "{kind}: the schema admits {url:?}, which the service refuses"
                );
            }
        }
    }
    assert!(admitted > 100, "{admitted}");
    // The database agrees on a sample of each kind the schema admits.
    for (body, expected) in [
        (
            json!({"url": "https://hooks.example.com:8443/compliance?source=kyc#x"}),
            StatusCode::CREATED,
        ),
        (
            json!({"url": "http://localhost:9/hook"}),
            StatusCode::CREATED,
        ),
        (
            json!({"url": "http://127.255.255.254/x"}),
            StatusCode::CREATED,
        ),
        (
            json!({"url": "https://[::1]:8443/a@b"}),
            StatusCode::CREATED,
        ),
        (
            json!({"kind": "nats", "url": "nats://nats.internal:4222/", "subject_prefix": "a-b.c_d"}),
            StatusCode::CREATED,
        ),
    ] {
        assert!(
            errors(
                &doc,
                &json!({"$ref": "#/components/schemas/NewEndpoint"}),
                &body
            )
            .is_empty(),
            "{body}"
        );
        let answer = post(&api, ENDPOINTS, &api.admin, body.clone()).await;
        assert_eq!(answer.0, expected, "{body}: {}", answer.2);
    }

    let prefix = validator(&doc, "SubjectPrefix");
    let description = validator(&doc, "EndpointDescription");
    // The description's rule, as the library checks it (`check_description`, crate-private) and
    // the HTTP layer refuses control characters.
    let description_ok = |t: &str| t.trim() == t && t.chars().count() <= 200 && no_control(t);
    let check = |text: &str| {
        assert_eq!(
            prefix.is_valid(&json!(text)),
            SubjectPrefix::parse(text).is_ok(),
            "subject prefix {text:?}"
        );
        assert_eq!(
            description.is_valid(&json!(text)),
            description_ok(text),
            "description {text:?}"
        );
    };
    for text in [
        "",
        "a",
        "compliance.events",
        "a.b.c.d",
        "a.b.c.d.e",
        "a..b",
        ".a",
        "a.",
        "compliance.>",
        "trading service",
        " padded",
        "padded ",
        "tab\tinside",
        "\u{a0}x",
        "x\u{3000}",
        "é",
        "中",
    ] {
        check(text);
    }
    check(&"a".repeat(32));
    check(&"a".repeat(33));
    check(&"x".repeat(200));
    check(&"x".repeat(201));
    let mut alphabet = EDGES.to_vec();
    alphabet.extend(['.', '.', 'a', 'a', ' ']);
    let strings = prop::collection::vec(prop::sample::select(alphabet), 0..40)
        .prop_map(|chars| chars.into_iter().collect::<String>());
    let mut runner = TestRunner::new(Config {
        cases: 2_000,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strings, |text| {
            check(&text);
            for schema in [&webhook_url, &broker_url] {
                assert!(!schema.is_valid(&json!(text)) || no_control(&text));
            }
            Ok(())
        })
        .unwrap();
}

/// The request mirrors hold to what the server reads: every field of a webhook and of a broker
/// set is accepted by both; each optional field may be left out of both; `url` (and a broker's
/// `kind`) may not; an unknown field is refused by both.
#[tokio::test]
async fn the_request_schemas_mirror_what_the_server_reads() {
    let api = Api::new();
    let doc = document(&api).await;
    let schema = json!({"$ref": "#/components/schemas/NewEndpoint"});
    let full_webhook = json!({"kind": "webhook", "url": "https://hooks.example.com/a",
        "event_types": ["case.decided"], "description": "trading", "allow_private": false});
    let full_broker = json!({"kind": "nats", "url": "nats://127.0.0.1:4222",
        "subject_prefix": "test.events", "event_types": [], "description": "", "allow_private": false});
    for (full, required) in [
        (full_webhook, &["url"][..]),
        (full_broker, &["kind", "url"][..]),
    ] {
        assert!(errors(&doc, &schema, &full).is_empty(), "{full}");
        let answer = post(&api, ENDPOINTS, &api.admin, full.clone()).await;
        assert_eq!(answer.0, StatusCode::CREATED, "{full}: {}", answer.2);
        for field in full.as_object().unwrap().keys() {
            let mut without = full.clone();
            without.as_object_mut().unwrap().remove(field);
            let valid = errors(&doc, &schema, &without).is_empty();
            let answer = post(&api, ENDPOINTS, &api.admin, without.clone()).await;
            assert_eq!(
                valid,
                !required.contains(&field.as_str()),
                "{field}: the document on {without}"
            );
            assert_eq!(
                answer.0 == StatusCode::CREATED,
                valid,
                "{field}: the server on {without}: {}",
                answer.2
            );
        }
        let mut unknown = full.clone();
        unknown["colour"] = json!("red");
        assert!(!errors(&doc, &schema, &unknown).is_empty());
        let answer = post(&api, ENDPOINTS, &api.admin, unknown).await;
        assert_eq!(answer.0, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // The bounds the handler enforces are the ones the document gives.
    let rotation = &doc["components"]["schemas"]["SecretRotation"]["properties"];
    assert_eq!(
        (
            &rotation["previous_valid_for_seconds"]["minimum"],
            &rotation["previous_valid_for_seconds"]["maximum"]
        ),
        (
            &json!(0),
            &json!(compliance_server::http::schemas::MAX_PREVIOUS_VALID_FOR)
        )
    );
    for (name, fields) in [
        (
            "EndpointChange",
            vec!["active", "description", "event_types", "revision"],
        ),
        (
            "SecretRotation",
            vec!["previous_valid_for_seconds", "revision"],
        ),
        ("ReplayEvent", vec!["event_id"]),
        ("ReplayRange", vec!["from", "to"]),
    ] {
        let component = &doc["components"]["schemas"][name];
        let mut properties: Vec<&str> = component["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        properties.sort_unstable();
        assert_eq!(properties, fields, "{name}");
        assert_eq!(component["additionalProperties"], json!(false), "{name}");
    }
}
