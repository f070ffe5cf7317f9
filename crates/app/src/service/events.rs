//! Events out: endpoints created, changed and rotated by admins, replays, and the reads of
//! endpoints, deliveries, attempts and an entity's events. Each write is one transaction with
//! its audit entry (written by the repository).
//!
//! Must not: log or audit a signing secret; the answer that carries a new one is built here
//! and shown once.

use super::ComplianceService;
use crate::Result;
use crate::events::{
    AttemptRecord, DeliveryCounts, DeliveryRecord, EndpointChange, EndpointRecord,
    EndpointWithSecret, EventRecord, NewEndpoint, ShownSecret, attempt_record, check_description,
    delivery_record, endpoint_record, event_record,
};
use chrono::{DateTime, Utc};
use compliance_domain::input::InputError;
use compliance_domain::{DeliveryState, EndpointKind, EntityId, UserId};
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::event_deliveries::{self as deliveries, Replay};
use compliance_persistence::repo::event_endpoints::{self as endpoints, StoredEndpoint};
use compliance_persistence::repo::events;
use uuid::Uuid;

fn counts_of(conn: &mut PgConnection, id: Uuid) -> Result<DeliveryCounts> {
    Ok(deliveries::counts(conn, Some(id))?
        .into_iter()
        .find(|(endpoint, _)| *endpoint == id)
        .map(|(_, c)| c.into())
        .unwrap_or_default())
}

fn with_counts(conn: &mut PgConnection, e: StoredEndpoint) -> Result<EndpointRecord> {
    let counts = counts_of(conn, e.id)?;
    Ok(endpoint_record(e, counts))
}

impl ComplianceService {
    /// Creates an endpoint as the admin `by`; a webhook's secret is generated and answered
    /// once.
    pub(crate) fn create_endpoint(
        &self,
        by: UserId,
        new: &NewEndpoint,
    ) -> Result<EndpointWithSecret> {
        let (url, prefix) = new.check()?;
        let secret = match new.kind {
            EndpointKind::Webhook => Some(ShownSecret::generate()?),
            EndpointKind::Nats => None,
        };
        let stored = self.run(by, |conn| {
            Ok(endpoints::create(
                conn,
                &endpoints::NewEndpoint {
                    kind: new.kind,
                    url: url.as_str(),
                    subject_prefix: prefix.as_ref().map(|p| p.as_str()),
                    event_types: &new.event_types,
                    description: &new.description,
                    secret: secret.as_ref().map(ShownSecret::expose),
                    allow_private: new.allow_private,
                },
                by,
            )?)
        })?;
        Ok(EndpointWithSecret {
            endpoint: endpoint_record(stored, DeliveryCounts::default()),
            secret,
        })
    }

    /// Changes the endpoint `id`, still at `revision`, as the admin `by`.
    pub(crate) fn update_endpoint(
        &self,
        by: UserId,
        id: Uuid,
        revision: i32,
        change: &EndpointChange,
    ) -> Result<EndpointRecord> {
        if let Some(description) = &change.description {
            check_description(description)?;
        }
        self.run(by, |conn| {
            let stored = endpoints::update(
                conn,
                id,
                revision,
                &endpoints::EndpointChange {
                    active: change.active,
                    event_types: change.event_types.as_deref(),
                    description: change.description.as_deref(),
                    rotate: None,
                },
                by,
            )?;
            with_counts(conn, stored)
        })
    }

    /// Gives the webhook `id`, still at `revision`, a new secret; the current one keeps
    /// signing beside it until `previous_until`.
    pub(crate) fn rotate_secret(
        &self,
        by: UserId,
        id: Uuid,
        revision: i32,
        previous_until: DateTime<Utc>,
    ) -> Result<EndpointWithSecret> {
        let secret = ShownSecret::generate()?;
        let endpoint = self.run(by, |conn| {
            if endpoints::find(conn, id)?.kind != EndpointKind::Webhook {
                return Err(InputError::field(
                    "id",
                    "only a webhook has a signing secret; a broker has none",
                )
                .into());
            }
            let stored = endpoints::update(
                conn,
                id,
                revision,
                &endpoints::EndpointChange {
                    rotate: Some((secret.expose(), previous_until)),
                    ..Default::default()
                },
                by,
            )?;
            with_counts(conn, stored)
        })?;
        Ok(EndpointWithSecret {
            endpoint,
            secret: Some(secret),
        })
    }

    /// Sends the deliveries of `replay` to the endpoint again; answers how many.
    pub(crate) fn replay_deliveries(
        &self,
        by: UserId,
        endpoint: Uuid,
        replay: Replay,
    ) -> Result<i64> {
        self.run(by, |conn| {
            endpoints::find(conn, endpoint)?;
            Ok(deliveries::replay(conn, endpoint, replay, by)?)
        })
    }

    /// Every endpoint, with its deliveries by state.
    pub(crate) fn endpoints(&self) -> Result<Vec<EndpointRecord>> {
        self.read_snapshot(|conn| {
            let counts = deliveries::counts(conn, None)?;
            Ok(endpoints::list(conn)?
                .into_iter()
                .map(|e| {
                    let c = counts
                        .iter()
                        .find(|(id, _)| *id == e.id)
                        .map(|(_, c)| c.clone().into())
                        .unwrap_or_default();
                    endpoint_record(e, c)
                })
                .collect())
        })
    }

    /// One endpoint, with its deliveries by state.
    pub(crate) fn endpoint(&self, id: Uuid) -> Result<EndpointRecord> {
        self.read_snapshot(|conn| {
            let stored = endpoints::find(conn, id)?;
            with_counts(conn, stored)
        })
    }

    /// The endpoint's deliveries, newest first.
    pub(crate) fn deliveries(
        &self,
        endpoint: Uuid,
        state: Option<DeliveryState>,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>> {
        self.read_snapshot(|conn| {
            endpoints::find(conn, endpoint)?;
            Ok(deliveries::for_endpoint(conn, endpoint, state, limit)?
                .into_iter()
                .map(delivery_record)
                .collect())
        })
    }

    /// A delivery's attempts, in order.
    pub(crate) fn attempts(&self, delivery: i64) -> Result<Vec<AttemptRecord>> {
        self.read_snapshot(|conn| {
            deliveries::find(conn, delivery)?;
            Ok(deliveries::attempts(conn, delivery)?
                .into_iter()
                .map(attempt_record)
                .collect())
        })
    }

    /// The entity's events in order, after `after_sequence`.
    pub(crate) fn entity_events(
        &self,
        entity: &EntityId,
        after_sequence: i64,
        limit: i64,
    ) -> Result<Vec<EventRecord>> {
        self.read(|conn| {
            Ok(events::for_entity(conn, entity, after_sequence, limit)?
                .into_iter()
                .map(event_record)
                .collect())
        })
    }
}
