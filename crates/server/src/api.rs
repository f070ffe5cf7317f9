//! The HTTP service: `GET /api/v1/health` here, the decision API of [`crate::http`] and the
//! back office of [`crate::backoffice`], over one [`AsyncCompliance`]: Diesel is blocking, so
//! each request's database work runs on tokio's blocking pool, as many at once as the pool has
//! connections.
//!
//! Must not: block the async runtime, or answer with anything but JSON.

use crate::backoffice::OfficeConfig;
use crate::http::client_address::TrustedProxies;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use compliance_app::{AsyncCompliance, Compliance};

/// The API's routes over the decision layer, with the back office in its default
/// configuration.
pub fn router(compliance: Compliance) -> Router {
    router_with(compliance, OfficeConfig::default())
}

/// The API's routes and the back office (under `/office`, configured by `office`).
pub fn router_with(compliance: Compliance, office: OfficeConfig) -> Router {
    let compliance = AsyncCompliance::new(compliance);
    let (decisions, _) = crate::http::routes(compliance.clone());
    crate::http::with_request_log(
        Router::new()
            .route("/api/v1/health", get(health_handler))
            .with_state(compliance.clone())
            .merge(crate::backoffice::router(compliance, office))
            .merge(decisions),
    )
}

async fn health_handler(State(compliance): State<AsyncCompliance>) -> Response {
    match compliance.call(|c| Ok(c.health())).await {
        Ok(report) => {
            let code = if report.is_ok() {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            (code, Json(crate::http::bodies::Health::from(report))).into_response()
        }
        Err(e) => crate::http::Problem::from(e).into_response(),
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
pub fn app(compliance: Compliance, options: ServeOptions) -> Router {
    router_with(compliance, options.office).layer(Extension(options.trusted_proxies))
}

/// Serves the API on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    compliance: Compliance,
    options: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer address feeds the failed-authentication limits.
    let app =
        app(compliance, options).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
