//! The loopback HTTP receiver the webhook tests deliver to (axum), with a route per answer (200,
//! 500, slow, redirect), recording every request with the peer's address (so a test can tell a
//! reused connection). The HTTPS receiver is in `https.rs`.
//!
//! Must not: verify anything itself; the tests assert on what it recorded.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::IntoResponse;
use axum::routing::post;

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub peer: SocketAddr,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

pub type Log = Arc<Mutex<Vec<Received>>>;

pub struct HttpReceiver {
    pub addr: SocketAddr,
    pub log: Log,
}

impl HttpReceiver {
    pub fn url(&self, path: &str) -> url::Url {
        url::Url::parse(&format!("http://{}{path}", self.addr)).unwrap()
    }

    pub fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }

    pub fn received_on(&self, path: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.uri.path() == path)
            .collect()
    }
}

#[derive(Clone)]
struct Shared {
    log: Log,
    addr: SocketAddr,
}

/// Every route records the request before answering.
fn record(shared: &Shared, peer: SocketAddr, uri: Uri, headers: HeaderMap, body: Bytes) {
    shared.log.lock().unwrap().push(Received {
        uri,
        headers,
        body,
        peer,
    });
}

async fn ok(
    State(shared): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> &'static str {
    record(&shared, peer, uri, headers, body);
    "ok"
}

async fn fail(
    State(shared): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    record(&shared, peer, uri, headers, body);
    // More than the client reads, so that its cap is exercised.
    (StatusCode::INTERNAL_SERVER_ERROR, "x".repeat(64 * 1024))
}

async fn slow(
    State(shared): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> &'static str {
    record(&shared, peer, uri, headers, body);
    tokio::time::sleep(Duration::from_secs(5)).await;
    "late"
}

async fn redirect(
    State(shared): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    record(&shared, peer, uri, headers, body);
    (
        StatusCode::TEMPORARY_REDIRECT,
        [(header::LOCATION, format!("http://{}/ok", shared.addr))],
    )
}

/// Starts the HTTP receiver on an ephemeral loopback port.
pub async fn http() -> HttpReceiver {
    let log: Log = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/ok", post(ok))
        .route("/fail", post(fail))
        .route("/slow", post(slow))
        .route("/redirect", post(redirect))
        .with_state(Shared {
            log: log.clone(),
            addr,
        });
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    HttpReceiver { addr, log }
}
