//! Events out, as a library: the records of endpoints, deliveries and events, the input to
//! create and change an endpoint, and what the dispatcher's handle on the outbox
//! (`compliance/outbox.rs`) claims and reports.
//!
//! Must not: print a signing secret (a [`ShownSecret`] is shown once, by its creator; Debug
//! hides it), or send anything: the dispatcher (`compliance-dispatch`) does the network.

use crate::Result;
use chrono::{DateTime, SecondsFormat, Utc};
use compliance_domain::input::InputError;
use compliance_domain::{
    DeliveryState, EndpointKind, EndpointUrl, EventType, Jurisdiction, SubjectPrefix, UserId,
};
use compliance_persistence::repo::{event_deliveries as deliveries, event_endpoints, events};
use serde::Serialize;
use std::time::Duration;
use uuid::Uuid;

/// A new endpoint, as an admin asks for it (checked by `NewEndpoint::check` when created).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEndpoint {
    /// Webhook or broker.
    pub kind: EndpointKind,
    /// `https://...` (`http://` on loopback) for a webhook, `nats://host:port` for a broker.
    pub url: String,
    /// A broker's subject prefix (`compliance.events` when not given).
    pub subject_prefix: Option<String>,
    /// The types it receives; empty for all.
    pub event_types: Vec<EventType>,
    /// What it is, in a few words (no personal data).
    pub description: String,
    /// Whether a private, link-local or shared address is allowed.
    pub allow_private: bool,
}

/// The subject prefix a broker gets when none is given.
pub const DEFAULT_SUBJECT_PREFIX: &str = "compliance.events";

impl NewEndpoint {
    /// The URL and prefix checked, or an [`InputError`] naming the field.
    pub(crate) fn check(&self) -> Result<(EndpointUrl, Option<SubjectPrefix>)> {
        let url = EndpointUrl::parse(self.kind, &self.url, self.allow_private)
            .map_err(|e| InputError::field("url", e))?;
        let prefix = match (self.kind, &self.subject_prefix) {
            (EndpointKind::Webhook, None) => None,
            (EndpointKind::Webhook, Some(_)) => {
                return Err(InputError::field(
                    "subject_prefix",
                    "only a broker (kind nats) has a subject prefix",
                )
                .into());
            }
            (EndpointKind::Nats, prefix) => Some(
                SubjectPrefix::parse(prefix.as_deref().unwrap_or(DEFAULT_SUBJECT_PREFIX))
                    .map_err(|e| InputError::field("subject_prefix", e))?,
            ),
        };
        check_description(&self.description)?;
        Ok((url, prefix))
    }
}

pub(crate) fn check_description(description: &str) -> Result<()> {
    if description.trim() != description
        || description.chars().count() > 200
        || description.chars().any(char::is_control)
    {
        return Err(InputError::field(
            "description",
            "at most 200 characters, without control characters or leading or trailing spaces",
        )
        .into());
    }
    Ok(())
}

/// A change to an endpoint; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointChange {
    /// Activate or deactivate it.
    pub active: Option<bool>,
    /// The types it receives (empty for all).
    pub event_types: Option<Vec<EventType>>,
    /// What it is.
    pub description: Option<String>,
}

/// A signing secret, shown once to the admin who created or rotated it (`whsec_` and the
/// base64 of 32 random bytes, as Standard Webhooks writes them).
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ShownSecret(String);

impl ShownSecret {
    pub(crate) fn generate() -> Result<Self> {
        use base64::Engine;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| {
            crate::AppError::Internal(format!(
                "the operating system's random generator failed: {e}"
            ))
        })?;
        Ok(Self(format!(
            "whsec_{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        )))
    }

    /// The secret, to show its owner once.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ShownSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShownSecret(<redacted>)")
    }
}

/// An endpoint, never with its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointRecord {
    /// Its id.
    pub id: Uuid,
    /// Webhook or broker.
    pub kind: EndpointKind,
    /// Where it is reached.
    pub url: String,
    /// A broker's subject prefix.
    pub subject_prefix: Option<String>,
    /// The types it receives; empty for all.
    pub event_types: Vec<EventType>,
    /// What it is.
    pub description: String,
    /// Whether a private address is allowed.
    pub allow_private: bool,
    /// Whether it receives events.
    pub active: bool,
    /// Failed attempts in a row.
    pub consecutive_failures: i32,
    /// Until when its circuit holds deliveries back.
    pub paused_until: Option<DateTime<Utc>>,
    /// Until when the secret before the last rotation still signs.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// Who created it.
    pub created_by: UserId,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Who changed it last.
    pub updated_by: UserId,
    /// When.
    pub updated_at: DateTime<Utc>,
    /// Its revision (what a change names).
    pub revision: i32,
    /// Its deliveries by state.
    pub deliveries: DeliveryCounts,
}

/// An endpoint's deliveries by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryCounts {
    /// Waiting.
    pub pending: i64,
    /// On their way.
    pub sending: i64,
    /// Acknowledged.
    pub delivered: i64,
    /// Given up after every attempt.
    pub failed: i64,
}

impl From<deliveries::Counts> for DeliveryCounts {
    fn from(c: deliveries::Counts) -> Self {
        Self {
            pending: c.pending,
            sending: c.sending,
            delivered: c.delivered,
            failed: c.failed,
        }
    }
}

pub(crate) fn endpoint_record(
    e: event_endpoints::StoredEndpoint,
    deliveries: DeliveryCounts,
) -> EndpointRecord {
    let event_endpoints::StoredEndpoint {
        id,
        kind,
        url,
        subject_prefix,
        event_types,
        description,
        previous_secret_until,
        allow_private,
        active,
        consecutive_failures,
        paused_until,
        created_by,
        created_at,
        updated_by,
        updated_at,
        revision,
    } = e;
    EndpointRecord {
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
    }
}

/// An endpoint just created or rotated, with its secret (a webhook's), shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointWithSecret {
    /// The endpoint.
    pub endpoint: EndpointRecord,
    /// Its signing secret: store it now; it is never shown again.
    pub secret: Option<ShownSecret>,
}

/// One delivery of an event to an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryRecord {
    /// Its id.
    pub id: i64,
    /// The endpoint.
    pub endpoint_id: Uuid,
    /// The event.
    pub event_id: Uuid,
    /// The event's entity.
    pub entity_id: String,
    /// The event's number among the entity's.
    pub sequence: i64,
    /// Where it stands.
    pub state: DeliveryState,
    /// Attempts made.
    pub attempts: i32,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: DateTime<Utc>,
    /// When delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When an admin last replayed it.
    pub replayed_at: Option<DateTime<Utc>>,
    /// When it was fanned out.
    pub created_at: DateTime<Utc>,
}

pub(crate) fn delivery_record(d: deliveries::StoredDelivery) -> DeliveryRecord {
    let deliveries::StoredDelivery {
        id,
        endpoint_id,
        event_id,
        entity_id,
        entity_sequence,
        state,
        attempts,
        next_attempt_at,
        delivered_at,
        replayed_at,
        created_at,
    } = d;
    DeliveryRecord {
        id,
        endpoint_id,
        event_id,
        entity_id,
        sequence: entity_sequence,
        state,
        attempts,
        next_attempt_at,
        delivered_at,
        replayed_at,
        created_at,
    }
}

/// One attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptRecord {
    /// Its number, from 1.
    pub attempt: i32,
    /// When it started.
    pub attempted_at: DateTime<Utc>,
    /// Whether the endpoint acknowledged it.
    pub delivered: bool,
    /// The HTTP status, when an answer came.
    pub status_code: Option<i16>,
    /// How long it took, in milliseconds.
    pub latency_ms: i32,
    /// Why it failed, in a few words.
    pub error: Option<String>,
}

pub(crate) fn attempt_record(a: deliveries::AttemptRow) -> AttemptRecord {
    AttemptRecord {
        attempt: a.attempt,
        attempted_at: a.attempted_at,
        delivered: a.delivered,
        status_code: a.status_code,
        latency_ms: a.latency_ms,
        error: a.error,
    }
}

/// One event, as receivers get it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRecord {
    /// Its id: the receiver's deduplication key.
    pub id: Uuid,
    /// What it announces.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When the announced write happened.
    pub timestamp: DateTime<Utc>,
    /// Its number among its entity's events, from 1.
    pub sequence: i64,
    /// Ids, codes and statuses.
    pub data: serde_json::Value,
}

pub(crate) fn event_record(e: events::StoredEvent) -> EventRecord {
    EventRecord {
        id: e.id,
        event_type: e.event_type,
        timestamp: e.created_at,
        sequence: e.entity_sequence,
        data: e.data,
    }
}

/// The body every endpoint receives for an event, byte for byte: `{"data", "id", "sequence",
/// "timestamp", "type"}`, the timestamp in RFC 3339 with microseconds.
pub fn event_body(
    id: Uuid,
    event_type: EventType,
    timestamp: DateTime<Utc>,
    sequence: i64,
    data: &serde_json::Value,
) -> Vec<u8> {
    let body = serde_json::json!({
        "id": id,
        "type": event_type,
        "timestamp": timestamp.to_rfc3339_opts(SecondsFormat::Micros, true),
        "sequence": sequence,
        "data": data,
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

/// Where a claimed delivery goes.
#[derive(Clone, PartialEq, Eq)]
pub enum Destination {
    /// A webhook: POST the body, signed with each secret.
    Webhook {
        /// The URL.
        url: String,
        /// Whether an admin allowed a private address for it.
        allow_private: bool,
        /// The secrets to sign with (the current one first).
        secrets: Vec<String>,
    },
    /// A broker: publish the body on `<prefix>.<event type>.<jurisdiction>`, the event id as
    /// the message id.
    Nats {
        /// The server's URL.
        url: String,
        /// The subject prefix (its stream takes `<prefix>.>`).
        prefix: String,
        /// The subject.
        subject: String,
    },
}

impl std::fmt::Debug for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Webhook { .. } => f.write_str("Webhook { .. }"),
            Self::Nats { subject, .. } => write!(f, "Nats {{ subject: {subject:?}, .. }}"),
        }
    }
}

/// A delivery claimed by a dispatcher.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The delivery.
    pub delivery_id: i64,
    /// This attempt's number (what [`Attempted`] repeats).
    pub attempt: i32,
    /// The endpoint.
    pub endpoint_id: Uuid,
    /// Where to send it.
    pub destination: Destination,
    /// The event's id (the `webhook-id`, the broker's message id).
    pub event_id: Uuid,
    /// Its type.
    pub event_type: EventType,
    /// Its jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// Its entity's sequence number.
    pub sequence: i64,
    /// When the write it announces happened (the `webhook-timestamp` is the send's).
    pub timestamp: DateTime<Utc>,
    /// The body, as [`event_body`] writes it.
    pub body: Vec<u8>,
}

pub(crate) fn claim(c: deliveries::Claimed) -> Claim {
    let body = event_body(
        c.event_id,
        c.event_type,
        c.created_at,
        c.entity_sequence,
        &c.data,
    );
    let destination = match c.kind {
        EndpointKind::Webhook => Destination::Webhook {
            url: c.url,
            allow_private: c.allow_private,
            secrets: c.secrets,
        },
        EndpointKind::Nats => {
            let prefix = c
                .subject_prefix
                .unwrap_or_else(|| DEFAULT_SUBJECT_PREFIX.to_owned());
            Destination::Nats {
                url: c.url,
                subject: format!("{prefix}.{}.{}", c.event_type, c.jurisdiction),
                prefix,
            }
        }
    };
    Claim {
        delivery_id: c.delivery_id,
        attempt: c.attempt,
        endpoint_id: c.endpoint_id,
        destination,
        event_id: c.event_id,
        event_type: c.event_type,
        jurisdiction: c.jurisdiction,
        sequence: c.entity_sequence,
        timestamp: c.created_at,
        body,
    }
}

/// What one attempt came to, as the dispatcher reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempted {
    /// The delivery.
    pub delivery_id: i64,
    /// The attempt's number, as claimed.
    pub attempt: i32,
    /// When it started.
    pub attempted_at: DateTime<Utc>,
    /// Whether the endpoint acknowledged it.
    pub delivered: bool,
    /// The HTTP status, when an answer came.
    pub status_code: Option<u16>,
    /// How long it took.
    pub latency: Duration,
    /// Why it failed, in a few words (cut to 200 characters; no body, secret or URL query).
    pub error: Option<String>,
    /// When to try again after a failure; `None` gives up.
    pub retry_at: Option<DateTime<Utc>>,
}

/// When an endpoint's circuit opens and for how long (the database applies it when attempts
/// are recorded).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CircuitSettings {
    /// Failed attempts in a row that open it.
    pub failures_to_open: u32,
    /// How long it first stays open; doubled for each further run of as many failures.
    pub open_for: Duration,
    /// The longest it stays open.
    pub max_open_for: Duration,
}
