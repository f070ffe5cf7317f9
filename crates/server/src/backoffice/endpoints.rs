//! The event endpoints (issue 20): `GET /office/endpoints` lists where events go, each with its
//! deliveries by state and its circuit (failures in a row, paused until); `GET
//! /office/endpoints/{id}` shows one, its failed and recent deliveries with every attempt
//! (status, latency, error); an admin replays a failed delivery from there (`POST
//! /office/endpoints/{id}/replay`, POST-redirect-GET). Admins and compliance officers read;
//! endpoints are created and changed through the API or `cargo xtask webhook`.
//!
//! Must not: show a signing secret (the records carry none), or replay anything itself: the
//! service checks the role again whatever the page offered.

use super::pages::{Asked, Posted, app_error_page, error_page, render};
use super::session::Officer;
use super::views::{
    AttemptView, Chrome, DeliveryView, EndpointPage, EndpointView, EndpointsPage, Notice, when,
};
use super::{Office, PREFIX};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use compliance_app::events::{AttemptRecord, DeliveryRecord, EndpointRecord};
use compliance_app::{Caller, Compliance, ReplaySelection};
use compliance_domain::{DeliveryState, Permission};
use serde::Deserialize;
use uuid::Uuid;

/// Failed deliveries shown on an endpoint's page, newest first.
const FAILED_SHOWN: u16 = 20;

/// Recent deliveries shown on an endpoint's page, newest first.
const RECENT_SHOWN: u16 = 25;

fn endpoint_view(e: &EndpointRecord) -> EndpointView {
    let event_types = if e.event_types.is_empty() {
        "all".to_owned()
    } else {
        e.event_types
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let paused = e.paused_until.filter(|until| *until > chrono::Utc::now());
    EndpointView {
        href: format!("{PREFIX}/endpoints/{}", e.id),
        description: if e.description.is_empty() {
            "(no description)".to_owned()
        } else {
            e.description.clone()
        },
        kind: e.kind.to_string(),
        url: e.url.clone(),
        active: e.active,
        event_types,
        pending: e.deliveries.pending,
        sending: e.deliveries.sending,
        delivered: e.deliveries.delivered,
        failed: e.deliveries.failed,
        failures_in_a_row: e.consecutive_failures,
        circuit: paused.map_or_else(
            || "closed".to_owned(),
            |until| format!("paused until {}", when(until)),
        ),
        paused: paused.is_some(),
    }
}

/// `GET /office/endpoints`.
pub(super) async fn list(State(office): State<Office>, officer: Officer) -> Response {
    let session = &officer.session;
    let caller = session.caller;
    match office.compliance.call(move |c| c.endpoints(&caller)).await {
        Ok(endpoints) => render(
            StatusCode::OK,
            &EndpointsPage {
                chrome: Chrome::new("Event endpoints", Some(session)),
                endpoints: endpoints.iter().map(endpoint_view).collect(),
            },
        ),
        Err(e) => app_error_page(Some(session), &e),
    }
}

/// The page for a path whose endpoint id is not a UUID: a 404 (it names no endpoint).
fn no_such_endpoint(officer: &Officer) -> Response {
    error_page(
        Some(&officer.session),
        StatusCode::NOT_FOUND,
        "No such endpoint",
        "The address does not name an endpoint (an endpoint id is a UUID).",
    )
}

/// `?replayed=N` after a replay: what the notice says.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Done {
    replayed: Option<String>,
}

fn done_notice(replayed: Option<&str>) -> Option<Notice> {
    let n: u64 = replayed?.parse().ok()?;
    let text = match n {
        0 => "Nothing was replayed: the delivery is already on its way again.".to_owned(),
        1 => "Replayed: the delivery is queued again.".to_owned(),
        n => format!("Replayed: {n} deliveries are queued again."),
    };
    Some(Notice { kind: "ok", text })
}

/// An endpoint with its failed and recent deliveries, each with its attempts.
struct Detail {
    endpoint: EndpointRecord,
    failed: Vec<(DeliveryRecord, Vec<AttemptRecord>)>,
    recent: Vec<(DeliveryRecord, Vec<AttemptRecord>)>,
}

fn detail(c: &Compliance, caller: &Caller, id: Uuid) -> compliance_app::Result<Detail> {
    let endpoint = c.endpoint(caller, id)?;
    let with_attempts = |deliveries: Vec<DeliveryRecord>| {
        deliveries
            .into_iter()
            .map(|d| {
                let attempts = c.attempts(caller, d.id)?;
                Ok((d, attempts))
            })
            .collect::<compliance_app::Result<Vec<_>>>()
    };
    let failed =
        with_attempts(c.deliveries(caller, id, Some(DeliveryState::Failed), FAILED_SHOWN)?)?;
    let recent = with_attempts(c.deliveries(caller, id, None, RECENT_SHOWN)?)?;
    Ok(Detail {
        endpoint,
        failed,
        recent,
    })
}

fn delivery_view((d, attempts): &(DeliveryRecord, Vec<AttemptRecord>)) -> DeliveryView {
    let at = match (d.state, d.delivered_at, d.replayed_at) {
        (DeliveryState::Delivered, Some(at), _) => format!("delivered {}", when(at)),
        (DeliveryState::Pending, _, _) => format!("next attempt {}", when(d.next_attempt_at)),
        (_, _, Some(at)) => format!("replayed {}", when(at)),
        _ => String::new(),
    };
    DeliveryView {
        id: d.id,
        event_id: d.event_id.to_string(),
        entity_id: d.entity_id.clone(),
        sequence: d.sequence,
        state: d.state.to_string(),
        created: when(d.created_at),
        when: at,
        attempts: attempts
            .iter()
            .map(|a| AttemptView {
                at: a.attempted_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                delivered: a.delivered,
                status: a
                    .status_code
                    .map_or_else(|| "no answer".to_owned(), |s| s.to_string()),
                latency: format!("{} ms", a.latency_ms),
                error: a.error.clone().unwrap_or_default(),
            })
            .collect(),
    }
}

/// `GET /office/endpoints/{id}`.
pub(super) async fn page(
    State(office): State<Office>,
    officer: Officer,
    Path(segment): Path<String>,
    Asked(done): Asked<Done>,
) -> Response {
    let Ok(id) = segment.parse::<Uuid>() else {
        return no_such_endpoint(&officer);
    };
    let session = &officer.session;
    let caller = session.caller;
    let found = office
        .compliance
        .call(move |c| detail(c, &caller, id))
        .await;
    let detail = match found {
        Ok(detail) => detail,
        Err(e) => return app_error_page(Some(session), &e),
    };
    let e = &detail.endpoint;
    let view = EndpointPage {
        chrome: Chrome::new("Event endpoint", Some(session)),
        notice: done_notice(done.replayed.as_deref()),
        endpoint: endpoint_view(e),
        id: e.id.to_string(),
        revision: e.revision,
        created: when(e.created_at),
        updated: when(e.updated_at),
        previous_secret: e
            .previous_secret_until
            .filter(|until| *until > chrono::Utc::now())
            .map(|until| format!("until {}", when(until))),
        failed: detail.failed.iter().map(delivery_view).collect(),
        recent: detail.recent.iter().map(delivery_view).collect(),
        may_replay: caller.role().may(Permission::ManageEndpoints),
        csrf: session.csrf.clone(),
    };
    render(StatusCode::OK, &view)
}

/// The replay form: one failed delivery's event.
#[derive(Deserialize)]
pub(super) struct ReplayForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    event_id: String,
}

/// `POST /office/endpoints/{id}/replay`: sends one event to the endpoint again (admins), then
/// back to its page with how many deliveries were queued.
pub(super) async fn replay(
    State(office): State<Office>,
    officer: Officer,
    Path(segment): Path<String>,
    Posted(form): Posted<ReplayForm>,
) -> Response {
    if let Some(refusal) = officer.csrf_refusal(&form.csrf) {
        return refusal;
    }
    let Ok(id) = segment.parse::<Uuid>() else {
        return no_such_endpoint(&officer);
    };
    let Ok(event) = form.event_id.parse::<Uuid>() else {
        return error_page(
            Some(&officer.session),
            StatusCode::BAD_REQUEST,
            "Form not understood",
            "The form does not name an event. Nothing was replayed: reload the page and try again.",
        );
    };
    let caller = officer.session.caller;
    match office
        .compliance
        .call(move |c| c.replay_deliveries(&caller, id, ReplaySelection::Event(event)))
        .await
    {
        Ok(n) => (
            StatusCode::SEE_OTHER,
            [(
                header::LOCATION,
                format!("{PREFIX}/endpoints/{id}?replayed={n}"),
            )],
        )
            .into_response(),
        Err(e) => app_error_page(Some(&officer.session), &e),
    }
}
