//! The back office: server-rendered HTML under `/office` for analysts and
//! compliance officers: sign in, the review queue, the backlog's dashboard, a case and its evidence, deciding under four
//! eyes, finding an entity and seeing it whole (its cases, screenings and audit history), the rules in force, and where events go (the endpoints, their deliveries and
//! failures; an admin replays one), and ongoing monitoring (each list version's screening job
//! and the entities it flagged). Every page works without JavaScript; the binary serves every
//! asset (no external requests).
//!
//! Each handler is thin over [`compliance_app::Compliance`], acting as the signed-in person
//! (`session::Officer`); the service and the database enforce roles and four eyes again
//! whatever the page offered.
//!
//! Must not: hold a business rule or SQL, render text unescaped (askama escapes every `{{ }}`),
//! accept a form without its CSRF token, log a password, a session secret or a form's content.

mod assignment;
mod assignment_view;
mod attempts;
mod case;
mod case_view;
mod dashboard;
mod decide_view;
mod endpoints;
mod entities;
mod entity_view;
mod explanation_view;
mod monitoring;
mod pages;
mod queue;
mod requests;
mod requests_view;
mod rules;
mod session;
mod sign_in;
mod views;

pub use attempts::ATTEMPTS as SIGN_IN_ATTEMPTS;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use compliance_app::{AsyncCompliance, SessionPolicy};
use std::sync::Arc;

/// Where the back office is served.
pub const PREFIX: &str = "/office";

/// The largest form accepted, in bytes (a reason is at most a few thousand characters).
const FORM_LIMIT: usize = 32 * 1024;

/// How the back office runs.
#[derive(Debug, Clone, Default)]
pub struct OfficeConfig {
    /// Session lifetime, idle timeout and sign-in lockout.
    pub policy: SessionPolicy,
    /// Mark cookies `Secure` (set when the service is reached over TLS, e.g. behind a proxy
    /// that terminates it).
    pub secure_cookies: bool,
}

/// What every back-office handler shares.
#[derive(Clone)]
struct Office {
    compliance: AsyncCompliance,
    attempts: Arc<attempts::SignInAttempts>,
    config: Arc<OfficeConfig>,
}

/// The back office's routes, nested under [`PREFIX`].
pub fn router(compliance: AsyncCompliance, config: OfficeConfig) -> Router {
    let office = Office {
        compliance,
        attempts: Arc::new(attempts::SignInAttempts::default()),
        config: Arc::new(config),
    };
    let pages = Router::new()
        .route("/", get(|| async { Redirect::to("/office/queue") }))
        .route("/sign-in", get(sign_in::form).post(sign_in::submit))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/queue", get(queue::page))
        .route("/dashboard", get(dashboard::page))
        .route("/cases/{id}", get(case::page))
        .route("/cases/{id}/decide", post(case::decide))
        .route("/cases/{id}/clear-match", post(case::clear_match))
        .route("/cases/{id}/assignment", post(assignment::submit))
        .route("/entities", get(entities::form).post(entities::search))
        .route("/entities/{id}", get(entities::page))
        .route("/cases/{id}/notes", post(requests::note))
        .route("/cases/{id}/information-requests", post(requests::request))
        .route(
            "/cases/{id}/information-requests/{request}/close",
            post(requests::close),
        )
        .route("/rules", get(rules::page))
        .route("/endpoints", get(endpoints::list))
        .route("/endpoints/{id}", get(endpoints::page))
        .route("/endpoints/{id}/replay", post(endpoints::replay))
        .route("/monitoring", get(monitoring::page))
        .route(
            "/monitoring/{job}/flags/review",
            post(monitoring::review_flag),
        )
        .route("/assets/office.css", get(stylesheet))
        .fallback(|| async {
            pages::error_page(
                None,
                StatusCode::NOT_FOUND,
                "Not found",
                "There is no such page in the back office.",
            )
        })
        .layer(axum::extract::DefaultBodyLimit::max(FORM_LIMIT))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(office);
    // axum's `nest` matches `/office` but not `/office/`, the address the docs and the start-up
    // line give: both lead to the queue (a nested route `/` would only ever see `/office`).
    Router::new()
        .route(
            "/office/",
            get(|| async { Redirect::to("/office/queue") })
                .layer(axum::middleware::from_fn(security_headers)),
        )
        .nest(PREFIX, pages)
}

/// The stylesheet, compiled into the binary.
async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/office.css"),
    )
        .into_response()
}

/// Headers on every back-office response: only this origin's own styles, no scripts, no
/// framing, no sniffing, no referrer beyond this origin; pages are never cached.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "same-origin");
    if !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    response
}
