//! The OpenAPI schemas of events out (issue 20): the event types, endpoint kinds and delivery
//! states (the domain's text forms); an endpoint's URL, subject prefix and description as
//! exactly what the service accepts where a pattern can say it; the request bodies of the
//! endpoint routes; and the event envelope's `data`, one shape per family of event types, as
//! the database's `audit_logs_events()` writes it.
//!
//! Must not: be constructed or deserialized (these types only describe, as the rest of
//! `schemas` does); nor admit a value the service refuses. `tests/server/http_events.rs` holds
//! each pattern to the domain's parser and each request mirror to the body the handler reads.

#![allow(dead_code)] // Documentation only: the mirrors are never constructed.

use super::{CheckStatus, EntityId, Jurisdiction, RiskLevel};
use std::borrow::Cow;
use utoipa::ToSchema;
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type,
};
use utoipa::openapi::{Ref, RefOr};

text_enum_schemas! {
    /// What an event announces (the `type` of its envelope).
    EventType => compliance_domain::EventType;
    /// How an endpoint receives events: `webhook` (signed HTTPS POSTs) or `nats` (a NATS
    /// JetStream server).
    EndpointKind => compliance_domain::EndpointKind;
    /// Where one event's delivery to one endpoint stands.
    DeliveryState => compliance_domain::DeliveryState;
}

/// A host the schema admits: a DNS name whose last label starts with a letter (so that it is
/// never read as an address), `localhost`, a 127.0.0.0/8 address or `[::1]`.
macro_rules! host {
    () => {
        concat!(
            "(([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?",
            "|127\\.",
            "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.",
            "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.",
            "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])",
            "|\\[::1\\])"
        )
    };
}

/// A loopback host: `localhost`, a 127.0.0.0/8 address or `[::1]`.
macro_rules! loopback {
    () => {
        concat!(
            "(localhost|127\\.",
            "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.",
            "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.",
            "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])",
            "|\\[::1\\])"
        )
    };
}

/// A webhook's URL, as the schema admits it: `https://` and a host (a name, or a loopback
/// address), or `http://` and a loopback host; an optional port; then a path, query or
/// fragment of printable ASCII without spaces.
pub const WEBHOOK_URL_PATTERN: &str = concat!(
    "^(https://",
    host!(),
    "|http://",
    loopback!(),
    ")(:[0-9]{1,5})?([/?#][!-~]*)?$"
);

/// A broker's URL: `nats://`, a host as a webhook's, an optional port and an optional `/`.
pub const BROKER_URL_PATTERN: &str = concat!("^nats://", host!(), "(:[0-9]{1,5})?/?$");

/// A broker's subject prefix (`compliance_domain::SubjectPrefix`): one to four dot-separated
/// tokens of 1 to 32 letters, digits, `_` or `-`.
pub const SUBJECT_PREFIX_PATTERN: &str = "^[A-Za-z0-9_-]{1,32}(\\.[A-Za-z0-9_-]{1,32}){0,3}$";

/// An endpoint's description: empty, or text without control characters that neither starts
/// nor ends with white space (what `str::trim` removes).
pub const DESCRIPTION_PATTERN: &str = concat!(
    r"^([^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
    r"([^\x00-\x1f\x7f-\x9f]*",
    r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?$"
);

/// A `webhook-signature` header: `v1,` and a base64 HMAC-SHA256, one per secret in force,
/// space-separated.
pub const SIGNATURE_PATTERN: &str = "^v1,[A-Za-z0-9+/]{43}=( v1,[A-Za-z0-9+/]{43}=)*$";

/// The longest URL, in characters (the domain's and the database's limit).
pub const URL_MAX: usize = 2000;

/// The longest description, in characters.
pub const DESCRIPTION_MAX: usize = 200;

/// The longest a secret before a rotation keeps signing beside the new one: a week, in seconds.
pub const MAX_PREVIOUS_VALID_FOR: u32 = 7 * 24 * 60 * 60;

/// How long the secret before a rotation keeps signing when the request does not say: a day.
pub const DEFAULT_PREVIOUS_VALID_FOR: u32 = 24 * 60 * 60;

string_schema!(
    /// A webhook's URL: `https://` (`http://` only on loopback: `localhost`, 127.0.0.0/8,
    /// `[::1]`), no user name or password, no spaces, at most 2000 characters. The pattern admits
    /// host names and loopback addresses; the server also reads a public address literal, a
    /// private or shared one (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) only with
    /// `allow_private`, and never a link-local, multicast, reserved or documentation one (a name
    /// is checked again, on the addresses it resolves to, when the dispatcher connects).
    WebhookUrl,
    1,
    URL_MAX,
    WEBHOOK_URL_PATTERN
);
string_schema!(
    /// A NATS JetStream server's URL: `nats://host[:port]`, without a path. The pattern admits
    /// host names and loopback addresses; address literals are read as for a webhook.
    BrokerUrl,
    1,
    URL_MAX,
    BROKER_URL_PATTERN
);
string_schema!(
    /// A broker's subject prefix: one to four dot-separated tokens of 1 to 32 letters, digits,
    /// `_` or `-` (default `compliance.events`); subjects are `<prefix>.<event type>.<jurisdiction>`.
    SubjectPrefix,
    1,
    131,
    SUBJECT_PREFIX_PATTERN
);
string_schema!(
    /// What an endpoint is, in a few words (no personal data): at most 200 characters, no control
    /// character, no white space at either end; may be empty.
    EndpointDescription,
    0,
    DESCRIPTION_MAX,
    DESCRIPTION_PATTERN
);

/// Which event types an endpoint receives: each at most once; empty for all.
pub struct EventTypes;

impl utoipa::PartialSchema for EventTypes {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new()
            .description(Some(
                "The event types delivered, each at most once; empty (the default) for all.",
            ))
            .items(Ref::from_schema_name("EventType"))
            .max_items(Some(
                <compliance_domain::EventType as strum::VariantNames>::VARIANTS.len(),
            ))
            .unique_items(true)
            .into()
    }
}

impl ToSchema for EventTypes {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("EventTypes")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            "EventType".to_owned(),
            <EventType as utoipa::PartialSchema>::schema(),
        ));
    }
}

/// The one kind of [`NewWebhook`].
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum WebhookKind {
    /// A webhook.
    Webhook,
}

/// The one kind of [`NewBroker`].
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum BrokerKind {
    /// A NATS JetStream server.
    Nats,
}

/// `POST /api/v1/endpoints` for a webhook: events are POSTed to `url`, signed (Standard
/// Webhooks); the answer carries the signing secret, this once.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// `webhook` (the default).
    #[schema(nullable = false)]
    kind: Option<WebhookKind>,
    /// Where events are POSTed.
    url: WebhookUrl,
    /// The event types it receives; empty for all.
    #[serde(default)]
    #[schema(value_type = EventTypes)]
    event_types: Vec<String>,
    /// What it is.
    #[serde(default)]
    #[schema(value_type = EndpointDescription)]
    description: String,
    /// Allow a private or shared address (default false): an admin's decision, audited.
    /// Link-local addresses are never allowed.
    #[serde(default)]
    allow_private: bool,
}

/// `POST /api/v1/endpoints` for a broker: events are published to a NATS JetStream server, one
/// subject per event type and jurisdiction, the event id as the message id.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBroker {
    /// `nats`.
    kind: BrokerKind,
    /// The server.
    url: BrokerUrl,
    /// The subjects' prefix (default `compliance.events`).
    #[serde(default)]
    #[schema(value_type = Option<SubjectPrefix>, nullable = false)]
    subject_prefix: Option<String>,
    /// The event types it receives; empty for all.
    #[serde(default)]
    #[schema(value_type = EventTypes)]
    event_types: Vec<String>,
    /// What it is.
    #[serde(default)]
    #[schema(value_type = EndpointDescription)]
    description: String,
    /// Allow a private or shared address (default false; link-local: never).
    #[serde(default)]
    allow_private: bool,
}

/// `POST /api/v1/endpoints`: a webhook (`kind` absent or `webhook`) or a broker (`kind`
/// `nats`).
pub struct NewEndpoint;

impl utoipa::PartialSchema for NewEndpoint {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .description(Some(
                "A webhook (`kind` absent or `webhook`) or a NATS JetStream broker (`kind` `nats`).",
            ))
            .item(Ref::from_schema_name("NewWebhook"))
            .item(Ref::from_schema_name("NewBroker"))
            .into()
    }
}

impl ToSchema for NewEndpoint {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("NewEndpoint")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        use utoipa::PartialSchema;
        for (name, schema) in [
            ("NewWebhook", <NewWebhook as PartialSchema>::schema()),
            ("NewBroker", <NewBroker as PartialSchema>::schema()),
        ] {
            schemas.push((name.to_owned(), schema));
        }
        <NewWebhook as ToSchema>::schemas(schemas);
        <NewBroker as ToSchema>::schemas(schemas);
    }
}

/// `PATCH /api/v1/endpoints/{id}`: what to change, at the revision read; a field left out
/// stays as it is. (An endpoint's kind and URL never change: create another.)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointChange {
    /// The endpoint's revision as read (a stale one is 409).
    #[schema(minimum = 1, maximum = 2147483647)]
    revision: i64,
    /// Activate or deactivate it (a deactivated endpoint receives nothing; it is never deleted).
    #[schema(nullable = false)]
    active: Option<bool>,
    /// The event types it receives; empty for all.
    #[schema(value_type = Option<EventTypes>, nullable = false)]
    event_types: Option<Vec<String>>,
    /// What it is.
    #[schema(value_type = Option<EndpointDescription>, nullable = false)]
    description: Option<String>,
}

/// `POST /api/v1/endpoints/{id}/secret`: a new signing secret for a webhook, at the revision
/// read.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretRotation {
    /// The endpoint's revision as read (a stale one is 409).
    #[schema(minimum = 1, maximum = 2147483647)]
    revision: i64,
    /// How long the current secret keeps signing beside the new one, in seconds: 0 (drop it
    /// now) to 604800 (a week); default 86400 (a day). Each delivery meanwhile carries both
    /// signatures, so receivers switch without losing one.
    #[schema(minimum = 0, maximum = 604800, nullable = false)]
    previous_valid_for_seconds: Option<u32>,
}

/// `POST /api/v1/endpoints/{id}/replay`: one event.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayEvent {
    /// The event's id (as receivers got it: `id`, `webhook-id`).
    event_id: uuid::Uuid,
}

/// `POST /api/v1/endpoints/{id}/replay`: every event written in `[from, to)` of the types the
/// endpoint receives (those it never had a delivery for included).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayRange {
    /// From (inclusive), RFC 3339.
    #[schema(value_type = String, format = DateTime)]
    from: String,
    /// To (exclusive), RFC 3339; after `from` (else 422 naming `from`).
    #[schema(value_type = String, format = DateTime)]
    to: String,
}

/// `POST /api/v1/endpoints/{id}/replay`: one event, or a time range.
pub struct Replay;

impl utoipa::PartialSchema for Replay {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .description(Some(
                "`{\"event_id\"}` for one event, or `{\"from\", \"to\"}` for a time range.",
            ))
            .item(Ref::from_schema_name("ReplayEvent"))
            .item(Ref::from_schema_name("ReplayRange"))
            .into()
    }
}

impl ToSchema for Replay {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Replay")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        use utoipa::PartialSchema;
        for (name, schema) in [
            ("ReplayEvent", <ReplayEvent as PartialSchema>::schema()),
            ("ReplayRange", <ReplayRange as PartialSchema>::schema()),
        ] {
            schemas.push((name.to_owned(), schema));
        }
    }
}

/// Who changed a case's status: a reviewer, or the engine on a re-screening.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum Trigger {
    /// The rules engine, re-evaluating a case.
    Engine,
    /// A human reviewer.
    Reviewer,
}

/// The `data` of `case.decided`, `case.approval_proposed`, `case.rescreened`,
/// `case.verdict_flagged` and `case.override_confirmed`: the case as the write left it.
#[derive(ToSchema)]
pub struct CaseEventData {
    /// The entity.
    entity_id: EntityId,
    /// The case.
    case_id: uuid::Uuid,
    /// Its jurisdiction.
    jurisdiction: Jurisdiction,
    /// Its revision after the write.
    #[schema(minimum = 1)]
    revision: i64,
    /// Its status.
    status: CheckStatus,
    /// The engine's verdict.
    engine_status: CheckStatus,
    /// Its risk level.
    risk_level: RiskLevel,
}

/// The `data` of `case.status_changed`: the case, and the status it left (`previous_status`
/// APPROVED is an approval revoked).
#[derive(ToSchema)]
pub struct CaseStatusChangedData {
    /// The entity.
    entity_id: EntityId,
    /// The case.
    case_id: uuid::Uuid,
    /// Its jurisdiction.
    jurisdiction: Jurisdiction,
    /// Its revision after the change.
    #[schema(minimum = 1)]
    revision: i64,
    /// Its new status.
    status: CheckStatus,
    /// The engine's verdict.
    engine_status: CheckStatus,
    /// Its risk level.
    risk_level: RiskLevel,
    /// The status before.
    previous_status: CheckStatus,
    /// Who changed it.
    #[schema(nullable = false)]
    by: Option<Trigger>,
}

/// The `data` of `match.clearance_proposed` and `match.cleared`: the case, and the list entry
/// proposed or confirmed as a false positive.
#[derive(ToSchema)]
pub struct MatchEventData {
    /// The entity.
    entity_id: EntityId,
    /// The case.
    case_id: uuid::Uuid,
    /// Its jurisdiction.
    jurisdiction: Jurisdiction,
    /// Its revision after the step.
    #[schema(minimum = 1)]
    revision: i64,
    /// Its status.
    status: CheckStatus,
    /// The engine's verdict.
    engine_status: CheckStatus,
    /// Its risk level.
    risk_level: RiskLevel,
    /// The list, e.g. `OFAC-SDN`.
    list: String,
    /// The entry's reference on it, e.g. `SDN-36512` (never a name).
    entry: String,
}

/// The `data` of `case.information_requested`, `case.information_answered` and
/// `case.information_withdrawn`: the case, and the request (what was asked of whom and until
/// when; never the words sent with it).
#[derive(ToSchema)]
pub struct InformationEventData {
    /// The entity.
    entity_id: EntityId,
    /// The case.
    case_id: uuid::Uuid,
    /// Its jurisdiction.
    jurisdiction: Jurisdiction,
    /// Its revision (a request does not change it).
    #[schema(minimum = 1)]
    revision: i64,
    /// Its status (a request does not change it).
    status: CheckStatus,
    /// The engine's verdict.
    engine_status: CheckStatus,
    /// Its risk level.
    risk_level: RiskLevel,
    /// The request.
    request_id: uuid::Uuid,
    /// Of whom (`case.information_requested` only).
    #[schema(nullable = false, value_type = Option<super::Addressee>)]
    addressee: Option<compliance_domain::Addressee>,
    /// What (`case.information_requested` only).
    #[schema(nullable = false, value_type = Option<Vec<super::RequestedItem>>)]
    items: Option<Vec<compliance_domain::RequestedItem>>,
    /// Until when (`case.information_requested` only).
    #[schema(nullable = false)]
    respond_by: Option<chrono::DateTime<chrono::Utc>>,
}

/// The `data` of `transaction.recorded` and `transaction.status_changed`: a watched wallet's
/// transaction (ids and statuses: never an amount or an address).
#[derive(ToSchema)]
pub struct TransactionEventData {
    /// The wallet's entity.
    entity_id: EntityId,
    /// The transaction.
    transaction_id: uuid::Uuid,
    /// The watched wallet.
    wallet_id: uuid::Uuid,
    /// The entity's jurisdiction.
    jurisdiction: Jurisdiction,
    /// The transaction's revision after the write.
    #[schema(minimum = 1)]
    revision: i64,
    /// Its compliance status.
    status: CheckStatus,
    /// The status before (`transaction.status_changed` only).
    #[schema(nullable = false)]
    previous_status: Option<CheckStatus>,
}

/// An event's `data`: ids, codes and statuses, never a name, an amount or a document number.
/// Its shape follows the event's `type` (the webhooks section gives each type's); receivers
/// should ignore fields they do not know.
pub struct EventData;

impl utoipa::PartialSchema for EventData {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .description(Some(
                "Ids, codes and statuses; the shape follows the event's `type` (see the \
                 document's `webhooks`).",
            ))
            .item(Ref::from_schema_name("CaseEventData"))
            .item(Ref::from_schema_name("CaseStatusChangedData"))
            .item(Ref::from_schema_name("MatchEventData"))
            .item(Ref::from_schema_name("InformationEventData"))
            .item(Ref::from_schema_name("TransactionEventData"))
            .into()
    }
}

impl ToSchema for EventData {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("EventData")
    }
}

/// The component naming the `data` of events of `event_type`.
pub fn data_schema_of(event_type: compliance_domain::EventType) -> &'static str {
    use compliance_domain::EventType as T;
    match event_type {
        T::CaseDecided
        | T::CaseApprovalProposed
        | T::CaseRescreened
        | T::CaseVerdictFlagged
        | T::CaseOverrideConfirmed
        | T::CaseDelistingFlagged => "CaseEventData",
        T::CaseStatusChanged => "CaseStatusChangedData",
        T::MatchClearanceProposed | T::MatchCleared => "MatchEventData",
        T::TransactionRecorded | T::TransactionStatusChanged => "TransactionEventData",
        T::CaseInformationRequested | T::CaseInformationAnswered | T::CaseInformationWithdrawn => {
            "InformationEventData"
        }
    }
}

/// What an event of `event_type` announces, in a sentence (the webhook's description).
pub fn announces(event_type: compliance_domain::EventType) -> &'static str {
    use compliance_domain::EventType as T;
    match event_type {
        T::CaseDecided => {
            "The engine decided a new case: its status, engine status and risk level."
        }
        T::CaseStatusChanged => {
            "A case's status changed, by a reviewer or by the engine on a re-screening \
             (`previous_status` APPROVED is an approval revoked: act on it)."
        }
        T::CaseApprovalProposed => {
            "The first of two reviewers proposed approving a case (or waiving its evidence); \
             nothing is approved yet."
        }
        T::CaseRescreened => "A re-screening re-evaluated a case and left its status as it was.",
        T::CaseVerdictFlagged => {
            "A re-screening found the engine stricter than the case's status: the case waits, \
             flagged, until a reviewer decides."
        }
        T::CaseOverrideConfirmed => {
            "Confirmed false positives now override the engine's rejection of a case."
        }
        T::MatchClearanceProposed => {
            "A reviewer proposed clearing a matched list entry as a false positive."
        }
        T::MatchCleared => "A second reviewer confirmed a matched list entry as a false positive.",
        T::TransactionRecorded => "A transaction of a watched wallet was recorded.",
        T::TransactionStatusChanged => "A wallet transaction's status changed.",
        T::CaseDelistingFlagged => {
            "Monitoring flagged a case for review: an entry its screening matched left the list \
             (the case keeps its status; a removal never relaxes it by itself)."
        }
        T::CaseInformationRequested => {
            "A reviewer asked for information the case waits on: of whom, what and until when \
             (the case keeps its status). Ask the customer; the answer is recorded through \
             `POST /api/v1/information-requests/{id}/answer`."
        }
        T::CaseInformationAnswered => "A request for information was recorded as answered.",
        T::CaseInformationWithdrawn => {
            "A reviewer withdrew a request for information: stop asking the customer for it."
        }
    }
}
