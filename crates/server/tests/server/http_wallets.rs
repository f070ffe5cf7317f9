//! The wallet routes through the router: the agent watches a wallet for an entity, an analyst
//! lists it, a batch is recorded with a listed counterparty flagged and the case re-screened,
//! the same batch again is answered as stored; every bad input is a typed 4xx problem and
//! writes nothing.

use crate::api_client::{Api, kind};
use axum::http::StatusCode;
use base64::Engine;
use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../screening/fixtures");
const ENTITY: &str = "ae-ind-clean-001";

fn file(path: &str) -> Value {
    let bytes = std::fs::read(format!("{FIXTURES}/{path}")).unwrap();
    json!({
        "name": path.rsplit('/').next().unwrap(),
        "content_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

fn tx(hash: &str, counterparty: Option<&str>) -> Value {
    json!({"tx_hash": hash, "direction": "incoming", "amount": "0.125", "asset": "ETH",
           "counterparty": counterparty, "observed_at": "2026-12-07T10:00:00Z"})
}

#[tokio::test]
async fn a_batch_flags_a_listed_counterparty_rescreens_the_case_and_repeats_as_stored() {
    let api = Api::new();
    let ofac = json!({"format": "ofac-sdn-csv",
        "files": [file("ofac/sdn.csv"), file("ofac/alt.csv"), file("ofac/add.csv")]});
    let (status, _) = api.post("/api/v1/watchlists", &api.admin, ofac).await;
    assert_eq!(status, StatusCode::CREATED);
    let wallets = format!("/api/v1/entities/{ENTITY}/wallets");
    let wallet = json!({"chain": "ethereum", "address": "0xabcdefabcdefabcdefabcdefabcdefabcdefabcd",
                        "watch": ["incoming", "sanctioned_counterparty"]});
    let (status, watched) = api.post(&wallets, &api.agent, wallet.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{watched}");
    let (status, again) = api.post(&wallets, &api.admin, wallet).await;
    assert_eq!((status, kind(&again)), (StatusCode::CONFLICT, "conflict"));
    let (status, _, listed) = api.get(&wallets, &api.analyst).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed[0]["id"], watched["id"]);
    let uri = format!(
        "/api/v1/wallets/{}/transactions",
        watched["id"].as_str().unwrap()
    );
    let batch = json!({"transactions": [
        tx("0xaaaa000000000000000000000000000000000001", Some("0x1111111111111111111111111111111111111111")),
        tx("0xaaaa000000000000000000000000000000000002", Some("0x3cb7f9e2c1d4a5b6e7f8091a2b3c4d5e6f708192")),
    ]});
    let (status, out) = api.post(&uri, &api.agent, batch.clone()).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(
        (out["recorded"].as_i64(), out["flagged"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(out["transactions"][0]["status"], "PENDING");
    assert_eq!(out["transactions"][1]["status"], "ESCALATED");
    assert_eq!(out["rescreened"]["case"]["status"], "REJECTED");
    // No amount and no counterparty in the answer.
    assert!(!out.to_string().contains("0x3cb7") && !out.to_string().contains("0.125"));
    let (status, repeat) = api.post(&uri, &api.agent, batch).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(repeat["recorded"], 0);
    assert_eq!(repeat["transactions"][1]["recorded"], false);
    assert_eq!(
        repeat["transactions"][1]["id"],
        out["transactions"][1]["id"]
    );
    assert!(repeat["rescreened"].is_null());
}

#[tokio::test]
async fn bad_wallet_input_is_a_typed_4xx_and_writes_nothing() {
    let api = Api::new();
    let wallets = format!("/api/v1/entities/{ENTITY}/wallets");
    let wallet = json!({"chain": "ethereum", "address": "0xabcdefabcdefabcdefabcdefabcdefabcdefabcd",
                        "watch": ["incoming"]});
    let (_, watched) = api.post(&wallets, &api.agent, wallet).await;
    let uri = format!(
        "/api/v1/wallets/{}/transactions",
        watched["id"].as_str().unwrap()
    );
    let before = (api.rows("audit_logs"), api.rows("blockchain_transactions"));
    let cases: Vec<(&str, &str, Value, StatusCode, &str)> = vec![
        (
            &wallets,
            "agent",
            json!({"chain": "Ethereum", "address": "0xabcdefabcdef", "watch": ["incoming"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
        ),
        (
            &wallets,
            "agent",
            json!({"chain": "ethereum", "address": "0xabcdefabcdef12", "watch": []}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
        ),
        (
            "/api/v1/entities/ae-ind-nobody-001/wallets",
            "agent",
            json!({"chain": "ethereum", "address": "0xabcdefabcdef12", "watch": ["incoming"]}),
            StatusCode::NOT_FOUND,
            "not-found",
        ),
        (
            &wallets,
            "officer",
            json!({"chain": "ethereum", "address": "0xabcdefabcdef12", "watch": ["incoming"]}),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            &uri,
            "agent",
            json!({"transactions": []}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
        ),
        (
            &uri,
            "agent",
            json!({"transactions": [tx("short", None)]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
        ),
        (
            &uri,
            "agent",
            json!({"transactions": [tx("0xaaaa0001", None), {"tx_hash": "0xaaaa0002",
            "direction": "incoming", "amount": "-1", "asset": "ETH", "observed_at": "2026-12-07T10:00:00Z"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
        ),
        (
            &uri,
            "analyst",
            json!({"transactions": [tx("0xaaaa0001", None)]}),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "/api/v1/wallets/00000000-0000-0000-0000-000000000000/transactions",
            "agent",
            json!({"transactions": [tx("0xaaaa0001", None)]}),
            StatusCode::NOT_FOUND,
            "not-found",
        ),
        (
            "/api/v1/wallets/not-a-uuid/transactions",
            "agent",
            json!({"transactions": [tx("0xaaaa0001", None)]}),
            StatusCode::BAD_REQUEST,
            "bad-request",
        ),
    ];
    for (uri, who, body, expected, expected_kind) in cases {
        let token = match who {
            "agent" => &api.agent,
            "officer" => &api.officer,
            _ => &api.analyst,
        };
        let (status, answer) = api.post(uri, token, body.clone()).await;
        assert_eq!(
            (status, kind(&answer)),
            (expected, expected_kind),
            "{uri} {body} {answer}"
        );
    }
    let too_many: Vec<Value> = (0..1_001)
        .map(|i| tx(&format!("0xcccc{i:036}"), None))
        .collect();
    let (status, answer) = api
        .post(&uri, &api.agent, json!({"transactions": too_many}))
        .await;
    assert_eq!(
        (status, kind(&answer)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid-input")
    );
    assert_eq!(
        (api.rows("audit_logs"), api.rows("blockchain_transactions")),
        before
    );
}
