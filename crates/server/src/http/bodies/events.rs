//! The bodies of events out: an endpoint (never its secret) with its deliveries by state and its
//! circuit, an endpoint just created or rotated with its secret (shown this once), a delivery,
//! an attempt, an event as receivers get it, and a replay's count.
//!
//! Must not: carry a signing secret anywhere but [`EndpointWithSecret`], the answer to the
//! admin who created or rotated it.

use crate::http::schemas as S;
use chrono::{DateTime, Utc};
use compliance_app::events as E;
use compliance_domain::{DeliveryState, EndpointKind, EventType, UserId};
use serde::Serialize;
use uuid::Uuid;

/// An endpoint's deliveries by state.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct DeliveryCounts {
    /// Waiting for their turn or their next attempt.
    pub pending: i64,
    /// On their way (claimed by a dispatcher).
    pub sending: i64,
    /// Acknowledged by the endpoint.
    pub delivered: i64,
    /// Given up after every attempt: an admin may replay them.
    pub failed: i64,
}

impl From<E::DeliveryCounts> for DeliveryCounts {
    fn from(c: E::DeliveryCounts) -> Self {
        let E::DeliveryCounts {
            pending,
            sending,
            delivered,
            failed,
        } = c;
        Self {
            pending,
            sending,
            delivered,
            failed,
        }
    }
}

/// Where events go: a webhook or a broker, the types it receives, its circuit and its
/// deliveries. Never its signing secret.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Endpoint {
    /// Its id.
    pub id: Uuid,
    /// `webhook` or `nats`.
    #[schema(value_type = S::EndpointKind)]
    pub kind: EndpointKind,
    /// Where it is reached (never changes: create another endpoint for another address).
    pub url: String,
    /// A broker's subject prefix; null for a webhook.
    pub subject_prefix: Option<String>,
    /// The event types it receives; empty for all.
    #[schema(value_type = Vec<S::EventType>)]
    pub event_types: Vec<EventType>,
    /// What it is.
    pub description: String,
    /// Whether a private or shared address is allowed.
    pub allow_private: bool,
    /// Whether it receives events.
    pub active: bool,
    /// The circuit: failed attempts in a row.
    pub consecutive_failures: i32,
    /// The circuit: until when its deliveries are held back (null when closed).
    pub paused_until: Option<DateTime<Utc>>,
    /// Until when the secret before the last rotation still signs beside the current one.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// The admin who created it.
    #[schema(value_type = Uuid)]
    pub created_by: UserId,
    /// When.
    pub created_at: DateTime<Utc>,
    /// The admin who changed it last.
    #[schema(value_type = Uuid)]
    pub updated_by: UserId,
    /// When.
    pub updated_at: DateTime<Utc>,
    /// Its revision: what a change names (`PATCH`, a rotation).
    #[schema(minimum = 1)]
    pub revision: i32,
    /// Its deliveries by state.
    pub deliveries: DeliveryCounts,
}

impl From<E::EndpointRecord> for Endpoint {
    fn from(e: E::EndpointRecord) -> Self {
        let E::EndpointRecord {
            id,
            kind,
            url,
            subject_prefix,
            event_types,
            description,
            allow_private,
            active,
            consecutive_failures,
            paused_until,
            previous_secret_until,
            created_by,
            created_at,
            updated_by,
            updated_at,
            revision,
            deliveries,
        } = e;
        Self {
            id,
            kind,
            url,
            subject_prefix,
            event_types,
            description,
            allow_private,
            active,
            consecutive_failures,
            paused_until,
            previous_secret_until,
            created_by,
            created_at,
            updated_by,
            updated_at,
            revision,
            deliveries: deliveries.into(),
        }
    }
}

/// An endpoint just created or given a new secret, with that secret: store it now, it is never
/// shown again (rotate to get another).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EndpointWithSecret {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// A webhook's signing secret (`whsec_` and base64, as Standard Webhooks writes it); null
    /// for a broker, which has none.
    #[schema(value_type = Option<String>, pattern = "^whsec_[A-Za-z0-9+/]{43}=$")]
    pub secret: Option<String>,
}

impl From<E::EndpointWithSecret> for EndpointWithSecret {
    fn from(e: E::EndpointWithSecret) -> Self {
        let E::EndpointWithSecret { endpoint, secret } = e;
        Self {
            endpoint: endpoint.into(),
            secret: secret.map(|s| s.expose().to_owned()),
        }
    }
}

/// One event's delivery to one endpoint.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    /// Its id (what `GET /api/v1/deliveries/{id}/attempts` takes).
    #[schema(minimum = 1)]
    pub id: i64,
    /// The endpoint.
    pub endpoint_id: Uuid,
    /// The event.
    pub event_id: Uuid,
    /// The event's entity.
    pub entity_id: String,
    /// The event's number among its entity's events, from 1.
    #[schema(minimum = 1)]
    pub sequence: i64,
    /// Where it stands.
    #[schema(value_type = S::DeliveryState)]
    pub state: DeliveryState,
    /// Attempts made.
    #[schema(minimum = 0)]
    pub attempts: i32,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: DateTime<Utc>,
    /// When the endpoint acknowledged it.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When an admin last replayed it.
    pub replayed_at: Option<DateTime<Utc>>,
    /// When it was fanned out to the endpoint.
    pub created_at: DateTime<Utc>,
}

impl From<E::DeliveryRecord> for Delivery {
    fn from(d: E::DeliveryRecord) -> Self {
        let E::DeliveryRecord {
            id,
            endpoint_id,
            event_id,
            entity_id,
            sequence,
            state,
            attempts,
            next_attempt_at,
            delivered_at,
            replayed_at,
            created_at,
        } = d;
        Self {
            id,
            endpoint_id,
            event_id,
            entity_id,
            sequence,
            state,
            attempts,
            next_attempt_at,
            delivered_at,
            replayed_at,
            created_at,
        }
    }
}

/// One attempt of a delivery: never a body, a secret or a URL's query.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Attempt {
    /// Its number, from 1.
    #[schema(minimum = 1)]
    pub attempt: i32,
    /// When it started.
    pub attempted_at: DateTime<Utc>,
    /// Whether the endpoint acknowledged it.
    pub delivered: bool,
    /// The HTTP status, when an answer came.
    #[schema(minimum = 100, maximum = 599)]
    pub status_code: Option<i16>,
    /// How long it took, in milliseconds.
    #[schema(minimum = 0)]
    pub latency_ms: i32,
    /// Why it failed, in a few words (at most 200 characters).
    pub error: Option<String>,
}

impl From<E::AttemptRecord> for Attempt {
    fn from(a: E::AttemptRecord) -> Self {
        let E::AttemptRecord {
            attempt,
            attempted_at,
            delivered,
            status_code,
            latency_ms,
            error,
        } = a;
        Self {
            attempt,
            attempted_at,
            delivered,
            status_code,
            latency_ms,
            error,
        }
    }
}

/// An event, as every endpoint receives it (a webhook's body, a broker's message).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Event {
    /// Its id: the same on every delivery and replay (`webhook-id`, the broker's message id),
    /// the receiver's key to deduplicate by.
    pub id: Uuid,
    /// What it announces.
    #[serde(rename = "type")]
    #[schema(value_type = S::EventType)]
    pub event_type: EventType,
    /// When the announced write happened.
    pub timestamp: DateTime<Utc>,
    /// Its number among its entity's events, from 1, without gaps: a receiver that sees a gap
    /// has missed one (read them with `GET /api/v1/entities/{entity_id}/events`).
    #[schema(minimum = 1)]
    pub sequence: i64,
    /// Ids, codes and statuses.
    #[schema(value_type = S::EventData)]
    pub data: serde_json::Value,
}

impl From<E::EventRecord> for Event {
    fn from(e: E::EventRecord) -> Self {
        let E::EventRecord {
            id,
            event_type,
            timestamp,
            sequence,
            data,
        } = e;
        Self {
            id,
            event_type,
            timestamp,
            sequence,
            data,
        }
    }
}

/// What a replay did.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct Replayed {
    /// How many deliveries were queued again (or for the first time): 0 when none matched or
    /// each is still on its way.
    #[schema(minimum = 0)]
    pub replayed: i64,
}
