//! The HTTP middleware: counts each request and times it, by its route as declared (axum's
//! `MatchedPath`, `<unmatched>` otherwise), its method and its status, and hands the handlers
//! the [`Metrics`] they count their cases in (a request extension).
//!
//! Must not: label by a path's actual text (ids are in it), a query or a header.

use super::Metrics;
use super::families::RequestLabels;
use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// Wraps `router` so that every request it answers, matched or not, is counted in `metrics`.
pub fn with_metrics(router: Router, metrics: Metrics) -> Router {
    router.layer(axum::middleware::from_fn(move |request, next| {
        record(metrics.clone(), request, next)
    }))
}

async fn record(metrics: Metrics, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "<unmatched>".to_owned(), |p| p.as_str().to_owned());
    request.extensions_mut().insert(metrics.clone());
    let response = next.run(request).await;
    let labels = RequestLabels {
        route,
        method,
        status: response.status().as_u16(),
    };
    metrics.request(&labels, started.elapsed().as_secs_f64());
    response
}

/// The method as a label: the standard ones by name, anything else `OTHER`, so that a client
/// cannot add series by inventing methods.
fn method_label(method: &Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    }
}
