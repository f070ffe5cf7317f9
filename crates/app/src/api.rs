//! The HTTP API: `GET /api/v1/health` here, and the decision API of [`crate::http`]. Diesel is blocking, so each request's database
//! work runs on tokio's blocking pool.
//!
//! Must not: block the async runtime, or answer with anything but JSON.

use crate::health;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use compliance_persistence::Database;

/// The API's routes over a database.
pub fn router(db: Database) -> Router {
    let (decisions, _) = crate::http::routes(crate::Compliance::new(db.clone()));
    crate::http::with_request_log(
        Router::new()
            .route("/api/v1/health", get(health_handler))
            .with_state(db)
            .merge(decisions),
    )
}

async fn health_handler(State(db): State<Database>) -> (StatusCode, Json<serde_json::Value>) {
    match tokio::task::spawn_blocking(move || health::check(&db)).await {
        Ok(report) => {
            let code = if report.is_ok() {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            (
                code,
                Json(serde_json::to_value(&report).unwrap_or_default()),
            )
        }
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(serde_json::json!({ "status": "error", "error": "the health check panicked" })),
        ),
    }
}

/// Serves the API on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    db: Database,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer address feeds the failed-authentication limit.
    let app = router(db).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
