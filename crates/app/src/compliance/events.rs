//! `Compliance`'s events-out operations: endpoints (created, changed, rotated, replayed by
//! admins; read by admins and officers), their deliveries and attempts, and an entity's events.
//!
//! Must not: skip the caller's permission, or show a secret to anyone but the admin who just
//! created or rotated it.

use super::{Caller, Compliance};
use crate::Result;
use crate::events::{
    AttemptRecord, DeliveryRecord, EndpointChange, EndpointRecord, EndpointWithSecret, EventRecord,
    NewEndpoint,
};
use chrono::{DateTime, Utc};
use compliance_domain::input::InputError;
use compliance_domain::{DeliveryState, EntityId, Permission};
use compliance_persistence::repo::event_deliveries::Replay;
use uuid::Uuid;

/// Which deliveries a replay sends again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplaySelection {
    /// One event.
    Event(Uuid),
    /// Every event written in `[from, to)`, of the types the endpoint receives (those it never
    /// had a delivery for included).
    Range {
        /// From (inclusive).
        from: DateTime<Utc>,
        /// To (exclusive).
        to: DateTime<Utc>,
    },
}

impl Compliance {
    /// Creates an endpoint (admins). A webhook's signing secret is in the answer, this once.
    pub fn create_endpoint(
        &self,
        caller: &Caller,
        new: &NewEndpoint,
    ) -> Result<EndpointWithSecret> {
        caller.require(Permission::ManageEndpoints, "manage event endpoints")?;
        self.service.create_endpoint(caller.user(), new)
    }

    /// Changes what an endpoint receives, its description or its activation (admins), naming
    /// the revision read.
    pub fn update_endpoint(
        &self,
        caller: &Caller,
        id: Uuid,
        revision: i32,
        change: &EndpointChange,
    ) -> Result<EndpointRecord> {
        caller.require(Permission::ManageEndpoints, "manage event endpoints")?;
        self.service
            .update_endpoint(caller.user(), id, revision, change)
    }

    /// Gives a webhook a new signing secret (admins), in the answer this once; the current one
    /// keeps signing beside it until `previous_until` (now, to drop it at once), so receivers
    /// can switch without losing a delivery.
    pub fn rotate_secret(
        &self,
        caller: &Caller,
        id: Uuid,
        revision: i32,
        previous_until: DateTime<Utc>,
    ) -> Result<EndpointWithSecret> {
        caller.require(Permission::ManageEndpoints, "manage event endpoints")?;
        self.service
            .rotate_secret(caller.user(), id, revision, previous_until)
    }

    /// Sends deliveries to an endpoint again (admins); answers how many.
    pub fn replay_deliveries(
        &self,
        caller: &Caller,
        endpoint: Uuid,
        selection: ReplaySelection,
    ) -> Result<i64> {
        caller.require(Permission::ManageEndpoints, "replay events")?;
        let replay = match selection {
            ReplaySelection::Event(id) => Replay::Event(id),
            ReplaySelection::Range { from, to } if from < to => Replay::Range { from, to },
            ReplaySelection::Range { .. } => {
                return Err(
                    InputError::field("from", "a replay's range starts before it ends").into(),
                );
            }
        };
        self.service
            .replay_deliveries(caller.user(), endpoint, replay)
    }

    /// Every endpoint, with its deliveries by state.
    pub fn endpoints(&self, caller: &Caller) -> Result<Vec<EndpointRecord>> {
        caller.require(Permission::ReadDeliveries, "read event endpoints")?;
        self.service.endpoints()
    }

    /// One endpoint.
    pub fn endpoint(&self, caller: &Caller, id: Uuid) -> Result<EndpointRecord> {
        caller.require(Permission::ReadDeliveries, "read event endpoints")?;
        self.service.endpoint(id)
    }

    /// An endpoint's deliveries, newest first, in `state` if given (at most `limit`, 1 to 500).
    pub fn deliveries(
        &self,
        caller: &Caller,
        endpoint: Uuid,
        state: Option<DeliveryState>,
        limit: u16,
    ) -> Result<Vec<DeliveryRecord>> {
        caller.require(Permission::ReadDeliveries, "read deliveries")?;
        self.service
            .deliveries(endpoint, state, i64::from(limit.clamp(1, 500)))
    }

    /// A delivery's attempts, in order.
    pub fn attempts(&self, caller: &Caller, delivery: i64) -> Result<Vec<AttemptRecord>> {
        caller.require(Permission::ReadDeliveries, "read deliveries")?;
        self.service.attempts(delivery)
    }

    /// The entity's events in order, after `after_sequence` (0 for the first), at most `limit`
    /// (1 to 500): ids, codes and statuses, as receivers get them.
    pub fn entity_events(
        &self,
        caller: &Caller,
        entity: &EntityId,
        after_sequence: i64,
        limit: u16,
    ) -> Result<Vec<EventRecord>> {
        caller.require(Permission::ReadCases, "read events")?;
        self.service
            .entity_events(entity, after_sequence, i64::from(limit.clamp(1, 500)))
    }
}
