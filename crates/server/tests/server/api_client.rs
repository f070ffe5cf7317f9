//! Calling the HTTP router directly (`tower::ServiceExt::oneshot`) on a seeded database, with
//! a token for each seed user.

use crate::support::{Seeded, seeded, token_for};
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use compliance_server::api;
use serde_json::Value;
use tower::ServiceExt;

pub struct Api {
    pub s: Seeded,
    pub router: axum::Router,
    pub agent: String,
    pub officer: String,
    pub analyst: String,
    pub admin: String,
}

impl Api {
    pub fn new() -> Self {
        let s = seeded();
        let day = chrono::Duration::days(1);
        let agent = token_for(&s, &s.users.agent, day);
        let officer = token_for(&s, &s.users.officer, day);
        let analyst = token_for(&s, &s.users.analyst, day);
        let admin = token_for(&s, &s.users.admin, day);
        let router = api::router(s.compliance.clone());
        Self {
            s,
            router,
            agent,
            officer,
            analyst,
            admin,
        }
    }

    /// Sends a request; the answer's status, headers and JSON body (Null when empty or not JSON).
    pub async fn send(&self, request: Request<Body>) -> (StatusCode, HeaderMap, Value) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status.is_server_error() {
            panic!("{status}: {body}");
        }
        (status, headers, body)
    }

    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (StatusCode, HeaderMap, Value) {
        let raw = body.map(|b| b.to_string());
        self.raw(method, uri, token, headers, raw).await
    }

    pub async fn raw(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> (StatusCode, HeaderMap, Value) {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        if body.is_some() {
            builder = builder.header("content-type", "application/json");
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder
            .body(body.map_or_else(Body::empty, Body::from))
            .unwrap();
        self.send(request).await
    }

    /// A POST of a JSON body as `token`: its status and answer.
    pub async fn post(&self, uri: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let (status, _, answer) = self
            .call(Method::POST, uri, Some(token), &[], Some(body))
            .await;
        (status, answer)
    }

    pub async fn get(&self, uri: &str, token: &str) -> (StatusCode, HeaderMap, Value) {
        self.call(Method::GET, uri, Some(token), &[], None).await
    }

    /// Rows in a table (to prove that nothing was written).
    pub fn rows(&self, table: &str) -> i64 {
        crate::support::count(
            &mut self.s.db.conn(),
            &format!("SELECT count(*) AS n FROM {table}"),
        )
    }

    /// The current case of a seed entity: its id and ETag revision.
    pub async fn case_of(&self, entity: &str) -> (String, i64) {
        let (status, _, body) = self
            .get(&format!("/api/v1/entities/{entity}/case"), &self.officer)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        (
            body["id"].as_str().unwrap().to_owned(),
            body["revision"].as_i64().unwrap(),
        )
    }
}

/// A new, clean AE case for `entity`.
pub fn case_json(entity: &str) -> Value {
    serde_json::json!({
        "kyc": {"entity_id": entity, "entity_type": "individual", "jurisdiction": "AE",
                "verification_score": 95,
                "documents": ["passport", "proof_of_address", "liveness_check"]},
        "aml": {"risk_score": 10, "provider": "refinitiv-world-check",
                "watchlist_version": "2026-11-24"}
    })
}

/// The problem `type` of an answer, without the prefix.
pub fn kind(body: &Value) -> &str {
    body["type"]
        .as_str()
        .and_then(|t| t.strip_prefix("urn:compliance-db:problem:"))
        .unwrap_or("<no problem type>")
}
