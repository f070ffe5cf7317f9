//! The HTTP service: `GET /api/v1/health` here, the decision API of [`crate::http`] and the
//! back office of [`crate::backoffice`]. Diesel is blocking, so each request's database
//! work runs on tokio's blocking pool.
//!
//! Must not: block the async runtime, or answer with anything but JSON.

use crate::backoffice::OfficeConfig;
use crate::http::client_address::TrustedProxies;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use compliance_app::Compliance;
use compliance_persistence::Database;

/// The API's routes over a database, with the back office in its default configuration.
pub fn router(db: Database) -> Router {
    router_with(db, OfficeConfig::default())
}

/// The API's routes and the back office (under `/office`, configured by `office`).
pub fn router_with(db: Database, office: OfficeConfig) -> Router {
    let compliance = Compliance::new(db);
    let (decisions, _) = crate::http::routes(compliance.clone());
    crate::http::with_request_log(
        Router::new()
            .route("/api/v1/health", get(health_handler))
            .with_state(compliance.clone())
            .merge(crate::backoffice::router(compliance, office))
            .merge(decisions),
    )
}

async fn health_handler(
    State(compliance): State<Compliance>,
) -> (StatusCode, Json<serde_json::Value>) {
    match tokio::task::spawn_blocking(move || compliance.health()).await {
        Ok(report) => {
            let code = if report.is_ok() {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            let body = crate::http::bodies::Health::from(report);
            (code, Json(serde_json::to_value(&body).unwrap_or_default()))
        }
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(serde_json::json!({ "status": "error", "error": "the health check panicked" })),
        ),
    }
}

/// How the service is served: the back office's settings and the proxies it sees through.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// The back office's cookies and sessions.
    pub office: OfficeConfig,
    /// The proxies whose `X-Forwarded-For` names the client (none by default).
    pub trusted_proxies: TrustedProxies,
}

/// The whole service as [`serve`] runs it: [`router_with`] seeing clients through
/// `options.trusted_proxies`.
pub fn app(db: Database, options: ServeOptions) -> Router {
    router_with(db, options.office).layer(Extension(options.trusted_proxies))
}

/// Serves the API on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    db: Database,
    options: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer address feeds the failed-authentication limits.
    let app = app(db, options).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
