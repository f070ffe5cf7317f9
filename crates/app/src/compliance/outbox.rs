//! The dispatcher's handle on the outbox ([`Outbox`]): copy committed events into deliveries,
//! claim the deliveries that are due, record what each attempt came to.
//!
//! Must not: send anything, or log a claim's secrets or body.

use super::{Compliance, InProcess};
use crate::Result;
use crate::events::{Attempted, CircuitSettings, Claim, EventRecord, claim};
use compliance_domain::EntityId;
use compliance_persistence::repo::event_deliveries as deliveries;
use std::time::Duration;

/// The dispatcher's handle on the outbox: copy committed events into deliveries, claim the
/// deliveries that are due, record what each attempt came to. For a process that holds the
/// database's credentials (from [`InProcess::outbox`]); its writes are bookkeeping, not
/// decisions, and are not audited (each attempt is its own record).
#[derive(Clone)]
pub struct Outbox {
    compliance: Compliance,
}

impl InProcess<'_> {
    /// The outbox, for a dispatcher in this process.
    pub fn outbox(&self) -> Outbox {
        Outbox {
            compliance: self.compliance.clone(),
        }
    }
}

impl Outbox {
    /// Copies up to `limit` committed events into deliveries (see
    /// `event_deliveries::fan_out`); answers how many events it copied.
    pub fn fan_out(&self, limit: u32) -> Result<u64> {
        let copied = self
            .compliance
            .service
            .run_unattributed(|conn| Ok(deliveries::fan_out(conn, i64::from(limit))?))?;
        Ok(u64::try_from(copied).unwrap_or(0))
    }

    /// Claims up to `limit` due deliveries, each leased for `lease` (after which another
    /// dispatcher may take it over: the receiver then sees the event again, with the same id).
    pub fn claim(&self, limit: u32, lease: Duration) -> Result<Vec<Claim>> {
        let claimed = self.compliance.service.run_unattributed(|conn| {
            Ok(deliveries::claim(
                conn,
                i64::from(limit),
                lease.as_secs_f64(),
            )?)
        })?;
        Ok(claimed.into_iter().map(claim).collect())
    }

    /// Records what the attempts of a claim came to, and each endpoint's circuit; answers how
    /// many were recorded (an attempt whose lease another dispatcher took over is not).
    pub fn complete(&self, attempts: &[Attempted], circuit: CircuitSettings) -> Result<usize> {
        let results: Vec<deliveries::AttemptResult> = attempts
            .iter()
            .map(|a| deliveries::AttemptResult {
                delivery_id: a.delivery_id,
                attempt: a.attempt,
                attempted_at: a.attempted_at,
                delivered: a.delivered,
                status_code: a.status_code.and_then(|s| i16::try_from(s).ok()),
                latency_ms: i32::try_from(a.latency.as_millis()).unwrap_or(i32::MAX),
                error: a.error.as_ref().map(|e| e.chars().take(200).collect()),
                retry_at: a.retry_at,
            })
            .collect();
        let circuit = deliveries::Circuit {
            failures_to_open: i32::try_from(circuit.failures_to_open.max(1)).unwrap_or(i32::MAX),
            open_seconds: circuit.open_for.as_secs_f64(),
            max_open_seconds: circuit.max_open_for.as_secs_f64(),
        };
        self.compliance
            .service
            .run_unattributed(|conn| Ok(deliveries::complete(conn, &results, circuit)?))
    }

    /// The entity's events in order, from the one after `after_sequence` (for a receiver that
    /// lost track, and for tests).
    pub fn events_of(
        &self,
        entity: &EntityId,
        after_sequence: i64,
        limit: u32,
    ) -> Result<Vec<EventRecord>> {
        self.compliance
            .service
            .entity_events(entity, after_sequence, i64::from(limit))
    }
}
