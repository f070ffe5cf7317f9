//! The metrics listener's router: `GET /metrics` (anything else 404), answered in the
//! OpenMetrics text format that Prometheus scrapes. The database read runs on the blocking pool
//! through the service's own [`AsyncCompliance`] (so its figures are the API's: the same pool
//! and the same turns); when it fails, the scrape still answers 200 with the in-process
//! families, `compliance_database_up 0` and one more `compliance_metrics_scrape_errors_total`.
//!
//! Must not: be merged into the API's router (it needs no credentials, so it is served only on
//! its own address), answer 500, or log more than a server error's usual line (ids only).

use super::{Metrics, scrape};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use compliance_app::AsyncCompliance;
use prometheus_client::registry::Registry;

/// What Prometheus is told the answer is (prometheus-client writes OpenMetrics 1.0 text).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone)]
struct Scraped {
    compliance: AsyncCompliance,
    metrics: Metrics,
}

/// The metrics listener's routes over the service's `compliance` and `metrics`.
pub fn router(compliance: AsyncCompliance, metrics: Metrics) -> Router {
    Router::new()
        .route("/metrics", get(scrape_handler))
        .with_state(Scraped {
            compliance,
            metrics,
        })
}

async fn scrape_handler(State(scraped): State<Scraped>) -> Response {
    let read = scraped.compliance.call(|c| c.vitals()).await;
    let replica = scraped
        .compliance
        .call(|c| Ok(c.read_replica_vitals()))
        .await
        .ok()
        .flatten();
    let inner = scraped.compliance.blocking();
    let mut registry = Registry::default();
    let up = match read {
        Ok(vitals) => {
            scrape::database(&mut registry, &vitals);
            true
        }
        Err(e) => {
            scraped.metrics.scrape_failed();
            // Logged as the API logs a server error: a correlation id and the error's words,
            // which carry ids only (never the driver's text or a password).
            let correlation_id = uuid::Uuid::new_v4().simple().to_string();
            tracing::error!(%correlation_id, "metrics scrape: the database read failed: {e}");
            false
        }
    };
    if let Some(replica) = &replica {
        super::replica::read_replica(&mut registry, replica);
    }
    scrape::process(&mut registry, inner.pool(), scraped.compliance.turns(), up);
    let mut body = String::new();
    let encoded = scraped
        .metrics
        .encode(&mut body)
        .and_then(|()| prometheus_client::encoding::text::encode_registry(&mut body, &registry))
        .and_then(|()| prometheus_client::encoding::text::encode_eof(&mut body));
    if encoded.is_err() {
        // Writing to a String does not fail; were it to, the answer is still not a 500.
        tracing::warn!("metrics scrape: encoding failed");
    }
    (StatusCode::OK, [(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response()
}
