//! Events out over HTTP (issue 20): `/api/v1/endpoints` (where events go: created, changed,
//! given a new secret and replayed by admins; read with their deliveries by admins and
//! compliance officers), `/api/v1/deliveries/{id}/attempts`, and an entity's events in order,
//! `/api/v1/entities/{entity_id}/events`. A change names the revision it read in its body; a
//! stale one is 409.
//!
//! Must not: decide anything itself, show a signing secret but in the answer that creates or
//! rotates it, or log one (see [`compliance_app::Compliance`]).

use super::bodies::{Attempt, Delivery, Endpoint, EndpointWithSecret, Event, Replayed};
use super::schemas as S;
use super::{AppState, Body, Params, Problem, Segment, call, entity_id, limit, param};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use compliance_app::events::{EndpointChange, NewEndpoint};
use compliance_app::{AppError, Caller, PageSize, ReplaySelection};
use compliance_domain::input::InputError;
use compliance_domain::{DeliveryState, EndpointKind, EventType};
use serde::Deserialize;
use uuid::Uuid;

/// A page of deliveries or events: 1 to 500, 100 by default (the library's bounds).
pub type EventPageSize = PageSize<500, 100>;

/// Text from a body: any string without a control character (C0, DEL, C1), which no URL,
/// prefix or description holds and the database cannot store (NUL). The library checks the
/// rest.
#[derive(Debug, Clone, Default)]
pub struct Text(String);

impl TryFrom<String> for Text {
    type Error = &'static str;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        if text.chars().any(char::is_control) {
            Err("must not hold a control character")
        } else {
            Ok(Self(text))
        }
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Text::try_from(text).map_err(serde::de::Error::custom)
    }
}

/// `POST /api/v1/endpoints`'s body (the document's `NewEndpoint`: `NewWebhook` or `NewBroker`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointInput {
    #[serde(default)]
    kind: Option<EndpointKind>,
    url: Text,
    #[serde(default)]
    subject_prefix: Option<Text>,
    #[serde(default)]
    event_types: Vec<EventType>,
    #[serde(default)]
    description: Text,
    #[serde(default)]
    allow_private: bool,
}

/// `PATCH /api/v1/endpoints/{id}`'s body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeInput {
    revision: i32,
    #[serde(default)]
    active: Option<bool>,
    #[serde(default)]
    event_types: Option<Vec<EventType>>,
    #[serde(default)]
    description: Option<Text>,
}

/// `POST /api/v1/endpoints/{id}/secret`'s body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationInput {
    revision: i32,
    #[serde(default)]
    previous_valid_for_seconds: Option<u32>,
}

/// `POST /api/v1/endpoints/{id}/replay`'s body: `event_id`, or `from` and `to`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayInput {
    #[serde(default)]
    event_id: Option<Uuid>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

fn invalid(path: &str, message: impl std::fmt::Display) -> Problem {
    Problem::from(AppError::Input(InputError::field(path, message)))
}

/// An endpoint id from the path: a malformed one is a 400 (it cannot name an endpoint).
fn endpoint_id(segment: &str) -> Result<Uuid, Problem> {
    segment
        .parse()
        .map_err(|_| Problem::bad_request("an endpoint id is a UUID"))
}

/// The URI of an endpoint.
fn location(id: Uuid) -> HeaderValue {
    HeaderValue::from_str(&format!("/api/v1/endpoints/{id}"))
        .unwrap_or(HeaderValue::from_static("/api/v1/endpoints"))
}

/// Create an endpoint (admins): a webhook (`https://`, `http://` on loopback only; never a
/// private or shared address unless `allow_private`, never a link-local one), or a NATS
/// JetStream broker.
/// A webhook's signing secret is in the answer, this once: store it now.
#[utoipa::path(post, path = "/api/v1/endpoints", tag = "events",
    request_body = S::NewEndpoint,
    responses(
        (status = 201, description = "Created; a webhook's secret is shown this once",
            body = EndpointWithSecret,
            headers(("Location" = String, description = "The endpoint: /api/v1/endpoints/{id}"))),
        (status = 403, description = "Only an admin manages endpoints", body = Problem),
        (status = 422, description = "A field is invalid (each is listed in `errors`): a URL that is \
            not https off loopback, a private address without `allow_private`, a user name in it", body = Problem)),
    security(("bearer" = [])))]
pub async fn create_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Body(input): Body<EndpointInput>,
) -> Result<Response, Problem> {
    let new = NewEndpoint {
        kind: input.kind.unwrap_or(EndpointKind::Webhook),
        url: input.url.0,
        subject_prefix: input.subject_prefix.map(|p| p.0),
        event_types: input.event_types,
        description: input.description.0,
        allow_private: input.allow_private,
    };
    let created: EndpointWithSecret =
        call(&state.compliance, move |c| c.create_endpoint(&caller, &new))
            .await?
            .into();
    let mut response = (StatusCode::CREATED, Json(&created)).into_response();
    response
        .headers_mut()
        .insert(header::LOCATION, location(created.endpoint.id));
    Ok(response)
}

/// Every endpoint, oldest first, with its deliveries by state and its circuit (admins and
/// compliance officers). Never a secret.
#[utoipa::path(get, path = "/api/v1/endpoints", tag = "events",
    responses((status = 200, body = Vec<Endpoint>), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_endpoints(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<Endpoint>>, Problem> {
    let endpoints = call(&state.compliance, move |c| c.endpoints(&caller)).await?;
    Ok(Json(endpoints.into_iter().map(Into::into).collect()))
}

/// One endpoint, with its deliveries by state and its circuit (admins and compliance
/// officers). Never its secret.
#[utoipa::path(get, path = "/api/v1/endpoints/{id}", tag = "events",
    params(("id" = Uuid, Path, description = "The endpoint")),
    responses((status = 200, body = Endpoint), (status = 403, body = Problem),
        (status = 404, description = "No such endpoint", body = Problem)),
    security(("bearer" = [])))]
pub async fn get_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
) -> Result<Json<Endpoint>, Problem> {
    let id = endpoint_id(&id)?;
    let endpoint = call(&state.compliance, move |c| c.endpoint(&caller, id)).await?;
    Ok(Json(endpoint.into()))
}

/// Change what an endpoint receives, its description or whether it is active (admins), at the
/// revision read; a field left out stays as it is, and a change that changes nothing answers
/// the endpoint as it is. Its kind and URL never change: create another endpoint.
#[utoipa::path(patch, path = "/api/v1/endpoints/{id}", tag = "events",
    request_body = S::EndpointChange,
    params(("id" = Uuid, Path, description = "The endpoint")),
    responses((status = 200, body = Endpoint), (status = 403, body = Problem),
        (status = 404, description = "No such endpoint", body = Problem),
        (status = 409, description = "The endpoint changed since `revision` was read", body = Problem)),
    security(("bearer" = [])))]
pub async fn update_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
    Body(input): Body<ChangeInput>,
) -> Result<Json<Endpoint>, Problem> {
    let id = endpoint_id(&id)?;
    let change = EndpointChange {
        active: input.active,
        event_types: input.event_types,
        description: input.description.map(|d| d.0),
    };
    let revision = input.revision;
    let endpoint = state
        .compliance
        .call(move |c| c.update_endpoint(&caller, id, revision, &change))
        .await
        .map_err(Problem::of_body_revision)?;
    Ok(Json(endpoint.into()))
}

/// Give a webhook a new signing secret (admins), at the revision read: the answer carries it,
/// this once. The current secret keeps signing beside it for `previous_valid_for_seconds`
/// (default a day), so that receivers switch without losing a delivery.
#[utoipa::path(post, path = "/api/v1/endpoints/{id}/secret", tag = "events",
    request_body = S::SecretRotation,
    params(("id" = Uuid, Path, description = "The webhook")),
    responses((status = 200, description = "The new secret, shown this once", body = EndpointWithSecret),
        (status = 403, body = Problem),
        (status = 404, description = "No such endpoint", body = Problem),
        (status = 409, description = "The endpoint changed since `revision` was read \
            (`stale-revision`), or it is a broker, which has no secret (`not-a-webhook`)", body = Problem)),
    security(("bearer" = [])))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
    Body(input): Body<RotationInput>,
) -> Result<Json<EndpointWithSecret>, Problem> {
    let id = endpoint_id(&id)?;
    let seconds = input
        .previous_valid_for_seconds
        .unwrap_or(S::DEFAULT_PREVIOUS_VALID_FOR);
    if seconds > S::MAX_PREVIOUS_VALID_FOR {
        return Err(invalid(
            "previous_valid_for_seconds",
            format!("at most {} seconds (a week)", S::MAX_PREVIOUS_VALID_FOR),
        ));
    }
    let revision = input.revision;
    let rotated = state
        .compliance
        .call(move |c| {
            let until = Utc::now() + chrono::Duration::seconds(i64::from(seconds));
            c.rotate_secret(&caller, id, revision, until)
        })
        .await
        .map_err(|e| match e {
            // The library names the endpoint's id as the field at fault; over HTTP the id is
            // the path's and the request is well formed: it conflicts with what the endpoint
            // is.
            AppError::Input(input) if input.fields.iter().all(|f| f.path == "id") => Problem::new(
                StatusCode::CONFLICT,
                "not-a-webhook",
                "the endpoint has no signing secret",
                input
                    .fields
                    .first()
                    .map_or("only a webhook has a signing secret", |f| {
                        f.message.as_str()
                    }),
            ),
            other => Problem::of_body_revision(other),
        })?;
    Ok(Json(rotated.into()))
}

/// The RFC 3339 instant of field `path`.
fn instant(path: &str, text: &str) -> Result<DateTime<Utc>, Problem> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| invalid(path, format!("an RFC 3339 instant was expected ({e})")))
}

/// Send deliveries to an endpoint again (admins): one event (`event_id`), or every event
/// written in `[from, to)` of the types the endpoint receives, those it never had a delivery
/// for included. A delivery still on its way is left as it is. Audited.
#[utoipa::path(post, path = "/api/v1/endpoints/{id}/replay", tag = "events",
    request_body = S::Replay,
    params(("id" = Uuid, Path, description = "The endpoint")),
    responses((status = 200, description = "How many deliveries were queued", body = Replayed),
        (status = 403, body = Problem),
        (status = 404, description = "No such endpoint", body = Problem),
        (status = 422, description = "Neither an event nor a range, both, or a range that ends \
            before it starts (`errors` names the field)", body = Problem)),
    security(("bearer" = [])))]
pub async fn replay(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
    Body(input): Body<ReplayInput>,
) -> Result<Json<Replayed>, Problem> {
    let id = endpoint_id(&id)?;
    let selection = match (input.event_id, input.from, input.to) {
        (Some(event), None, None) => ReplaySelection::Event(event),
        (None, Some(from), Some(to)) => ReplaySelection::Range {
            from: instant("from", &from)?,
            to: instant("to", &to)?,
        },
        (Some(_), _, _) => {
            return Err(invalid(
                "event_id",
                "give either event_id or from and to, not both",
            ));
        }
        (None, None, _) => return Err(invalid("from", "give event_id, or from and to")),
        (None, Some(_), None) => return Err(invalid("to", "give to with from")),
    };
    let replayed = call(&state.compliance, move |c| {
        c.replay_deliveries(&caller, id, selection)
    })
    .await?;
    Ok(Json(Replayed { replayed }))
}

/// Query of the deliveries route.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesParams {
    state: Option<String>,
    limit: Option<String>,
}

/// An endpoint's deliveries, newest first, in one state if given (admins and compliance
/// officers).
#[utoipa::path(get, path = "/api/v1/endpoints/{id}/deliveries", tag = "events",
    params(("id" = Uuid, Path, description = "The endpoint"),
        ("state" = Option<S::DeliveryState>, Query, description = "Only deliveries in this state"),
        ("limit" = Option<u16>, Query, minimum = 1, maximum = 500,
            description = "Deliveries per answer: 1 to 500, default 100")),
    responses((status = 200, body = Vec<Delivery>), (status = 403, body = Problem),
        (status = 404, description = "No such endpoint", body = Problem)),
    security(("bearer" = [])))]
pub async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
    Params(params): Params<DeliveriesParams>,
) -> Result<Json<Vec<Delivery>>, Problem> {
    let id = endpoint_id(&id)?;
    let wanted = param::<DeliveryState>("state", params.state.as_deref())?;
    let size: EventPageSize = limit(params.limit.as_deref())?;
    let deliveries = call(&state.compliance, move |c| {
        c.deliveries(&caller, id, wanted, size.get())
    })
    .await?;
    Ok(Json(deliveries.into_iter().map(Into::into).collect()))
}

/// A delivery's attempts, in order: when, the answer's status, how long it took and why it
/// failed (admins and compliance officers). Empty for a delivery not yet tried; 404 for a
/// delivery that does not exist.
#[utoipa::path(get, path = "/api/v1/deliveries/{id}/attempts", tag = "events",
    params(("id" = i64, Path, minimum = 1, description = "The delivery")),
    responses((status = 200, body = Vec<Attempt>), (status = 403, body = Problem),
        (status = 404, description = "No such delivery", body = Problem)),
    security(("bearer" = [])))]
pub async fn attempts(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
) -> Result<Json<Vec<Attempt>>, Problem> {
    let id = match id.parse::<i64>() {
        Ok(id) if id >= 1 => id,
        _ => {
            return Err(Problem::bad_request(
                "a delivery id is a whole number from 1",
            ));
        }
    };
    let attempts = call(&state.compliance, move |c| c.attempts(&caller, id)).await?;
    Ok(Json(attempts.into_iter().map(Into::into).collect()))
}

/// Query of an entity's events.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsParams {
    after: Option<String>,
    limit: Option<String>,
}

/// The entity's events in order, after the sequence number `after` (0, the default, for the
/// first): each as receivers get it. A receiver that finds a gap in the sequences it received
/// reads what it missed here.
#[utoipa::path(get, path = "/api/v1/entities/{entity_id}/events", tag = "events",
    params(("entity_id" = S::EntityId, Path, description = "The entity"),
        ("after" = Option<i64>, Query, minimum = 0, maximum = 9223372036854775807_i64,
            description = "The last sequence number already seen (default 0)"),
        ("limit" = Option<u16>, Query, minimum = 1, maximum = 500,
            description = "Events per answer: 1 to 500, default 100")),
    responses((status = 200, body = Vec<Event>), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn entity_events(
    State(state): State<AppState>,
    caller: Caller,
    Segment(entity): Segment,
    Params(params): Params<EventsParams>,
) -> Result<Json<Vec<Event>>, Problem> {
    let entity = entity_id(&entity)?;
    let after = param::<i64>("after", params.after.as_deref())?.unwrap_or(0);
    if after < 0 {
        return Err(Problem::bad_request(
            "query parameter after: expected a sequence number from 0",
        ));
    }
    let size: EventPageSize = limit(params.limit.as_deref())?;
    let events = call(&state.compliance, move |c| {
        c.entity_events(&caller, &entity, after, size.get())
    })
    .await?;
    Ok(Json(events.into_iter().map(Into::into).collect()))
}
