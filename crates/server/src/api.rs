//! The HTTP service: `GET /api/v1/health` here, the decision API of [`crate::http`] and the
//! back office of [`crate::backoffice`], over one [`AsyncCompliance`]: Diesel is blocking, so
//! each request's database work runs on tokio's blocking pool, as many at once as the pool has
//! connections.
//!
//! The metrics listener's router ([`crate::metrics`]) is built here beside the API's, over the
//! same `AsyncCompliance` and [`Metrics`], and served on its own listener.
//!
//! Must not: block the async runtime, answer with anything but JSON, or serve `/metrics` on
//! the API's listener.

use crate::backoffice::OfficeConfig;
use crate::http::client_address::TrustedProxies;
use crate::metrics::Metrics;
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
    routes(AsyncCompliance::new(compliance), office, Metrics::new())
}

/// The API's routes and the back office, each request logged and counted in `metrics`.
fn routes(compliance: AsyncCompliance, office: OfficeConfig, metrics: Metrics) -> Router {
    let (decisions, _) = crate::http::routes(compliance.clone());
    crate::metrics::http::with_metrics(
        crate::http::with_request_log(
            Router::new()
                .route("/api/v1/health", get(health_handler))
                .with_state(compliance.clone())
                .merge(crate::backoffice::router(compliance, office))
                .merge(decisions),
        ),
        metrics,
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

/// How the service is served: the back office's settings, the proxies it sees through, and
/// the metrics its requests and cases are counted in.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// The back office's cookies and sessions.
    pub office: OfficeConfig,
    /// The proxies whose `X-Forwarded-For` names the client (none by default).
    pub trusted_proxies: TrustedProxies,
    /// Where requests, submissions and decisions are counted (a fresh registry by default).
    pub metrics: Metrics,
}

/// The whole service as [`serve`] runs it: the API and the back office seeing clients through
/// `options.trusted_proxies`.
pub fn app(compliance: Compliance, options: ServeOptions) -> Router {
    apps(compliance, options).0
}

/// The service's two routers over one [`AsyncCompliance`] and `options.metrics`: the API's
/// (as [`app`]) and the metrics listener's (`GET /metrics`, [`crate::metrics::router`]).
pub fn apps(compliance: Compliance, options: ServeOptions) -> (Router, Router) {
    let compliance = AsyncCompliance::new(compliance);
    let metrics = crate::metrics::router(compliance.clone(), options.metrics.clone());
    let api = routes(compliance, options.office, options.metrics)
        .layer(Extension(options.trusted_proxies));
    (api, metrics)
}

/// Serves the API on `listener` until `shutdown` completes (no metrics listener).
pub async fn serve(
    listener: tokio::net::TcpListener,
    compliance: Compliance,
    options: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with_metrics(listener, None, compliance, options, shutdown).await
}

/// Serves the API on `listener` and, given one, `GET /metrics` on `metrics` (a listener of its
/// own), both until `shutdown` completes.
pub async fn serve_with_metrics(
    listener: tokio::net::TcpListener,
    metrics: Option<tokio::net::TcpListener>,
    compliance: Compliance,
    options: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (api, metrics_router) = apps(compliance, options);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let until_stopped = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    let metrics = metrics.map(|listener| {
        let stopped = until_stopped(stopped.clone());
        tokio::spawn(async move {
            axum::serve(listener, metrics_router)
                .with_graceful_shutdown(stopped)
                .await
        })
    });
    // The peer address feeds the failed-authentication limits.
    let api = api.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, api)
        .with_graceful_shutdown(until_stopped(stopped))
        .await;
    let metrics_served = match metrics {
        // The API stopped without being asked: so does the metrics listener.
        Some(task) if served.is_err() => {
            task.abort();
            Ok(())
        }
        Some(task) => task.await.unwrap_or_else(|e| Err(std::io::Error::other(e))),
        None => Ok(()),
    };
    served.and(metrics_served)
}
