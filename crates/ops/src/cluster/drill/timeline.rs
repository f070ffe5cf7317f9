//! What a drill's round is made of, in seconds from the kill: when the monitor decided to fail
//! over (detection), when the standby reported itself promoted (`wait_primary`: writable, with
//! no synchronous standby), the first acknowledged write after the kill (the service
//! reconnected), when the old primary rejoined as a standby and the new primary had a
//! synchronous standby again (`primary`). Also: which acknowledged submissions are on the
//! primary now.
//!
//! Must not: invent an instant the monitor did not record (a step it did not see is `None`).

use super::DrillError;
use crate::cluster::Event;
use chrono::{DateTime, Utc};
use compliance_app::AppError;
use compliance_persistence::DatabaseConfig;
use compliance_persistence::diesel::sql_types::{Array, BigInt, Uuid as SqlUuid};
use compliance_persistence::diesel::{RunQueryDsl, sql_query};

/// One round's steps, in seconds after the kill (`None`: not seen).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Timeline {
    /// The monitor assigned the standby `prepare_promotion`: the failure was detected.
    pub detected: Option<f64>,
    /// The standby reported `wait_primary`: promoted, writable.
    pub promoted: Option<f64>,
    /// The submission that ended the outage: the first acknowledged after the kill more than
    /// a second after the one before it (a commit in flight at the kill may be acknowledged
    /// a few milliseconds after it, by the dying primary: that is not the service back).
    pub first_write: Option<f64>,
    /// The old primary reported `secondary`.
    pub rejoined: Option<f64>,
    /// The new primary reported `primary`: a synchronous standby again.
    pub synchronous_again: Option<f64>,
    /// Submissions acknowledged while the new primary had no synchronous standby (between
    /// `promoted` and `synchronous_again`): what a second failure in that window could lose.
    pub acknowledged_without_standby: u64,
}

impl Timeline {
    /// The timeline of the round that killed `killed` at `kill`, from the monitor's events
    /// after it and the acknowledgements' instants (sorted).
    pub fn from_events(
        killed: &str,
        kill: DateTime<Utc>,
        events: &[Event],
        acks: &[DateTime<Utc>],
    ) -> Self {
        let after = |t: DateTime<Utc>| seconds(t - kill);
        let first = |pred: &dyn Fn(&Event) -> bool| events.iter().find(|e| pred(e)).map(|e| e.at);
        let promoted_at = first(&|e| e.node != killed && e.reported == "wait_primary");
        let synchronous_at = promoted_at
            .and_then(|p| first(&|e| e.node != killed && e.at >= p && e.reported == "primary"));
        let window_end = synchronous_at.unwrap_or(DateTime::<Utc>::MAX_UTC);
        Self {
            detected: first(&|e| e.node != killed && e.assigned == "prepare_promotion")
                .and_then(after),
            promoted: promoted_at.and_then(after),
            first_write: outage_end(kill, acks).and_then(after),
            rejoined: first(&|e| e.node == killed && e.reported == "secondary").and_then(after),
            synchronous_again: synchronous_at.and_then(after),
            acknowledged_without_standby: promoted_at.map_or(0, |p| {
                acks.iter().filter(|t| **t >= p && **t < window_end).count() as u64
            }),
        }
    }
}

/// A pause between acknowledgements longer than this is an outage.
pub const OUTAGE: chrono::Duration = chrono::Duration::seconds(1);

/// The first acknowledgement after `kill` that follows a pause longer than [`OUTAGE`] (the
/// kill counting as an acknowledgement), else the first after `kill`.
fn outage_end(kill: DateTime<Utc>, acks: &[DateTime<Utc>]) -> Option<DateTime<Utc>> {
    let mut previous = acks.iter().copied().rfind(|t| *t <= kill).unwrap_or(kill);
    let after: Vec<DateTime<Utc>> = acks.iter().copied().filter(|t| *t > kill).collect();
    for t in &after {
        if *t - previous > OUTAGE {
            return Some(*t);
        }
        previous = *t;
    }
    after.first().copied()
}

/// The longest time, in seconds, between `start`, the acknowledgements (sorted) and `end`.
pub(super) fn longest_gap(start: DateTime<Utc>, acks: &[DateTime<Utc>], end: DateTime<Utc>) -> f64 {
    let mut last = start;
    let mut longest = chrono::Duration::zero();
    for t in acks.iter().copied().chain(std::iter::once(end)) {
        longest = longest.max(t - last);
        last = last.max(t);
    }
    seconds(longest).unwrap_or(0.0)
}

/// A non-negative span in seconds (`None` when negative).
fn seconds(span: chrono::Duration) -> Option<f64> {
    span.to_std().ok().map(|d| d.as_secs_f64())
}

/// How many of the cases `ids` the primary holds now.
pub(crate) fn present(config: &DatabaseConfig, ids: &[uuid::Uuid]) -> Result<u64, DrillError> {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut conn = compliance_persistence::connect(config).map_err(AppError::from)?;
    let found: Count = sql_query("SELECT count(*) AS n FROM compliance_checks WHERE id = ANY($1)")
        .bind::<Array<SqlUuid>, _>(ids)
        .get_result(&mut conn)
        .map_err(|e| AppError::from(compliance_persistence::PersistenceError::from(e)))?;
    Ok(u64::try_from(found.n).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(ms: i64) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(1_800_000_000_000 + ms).unwrap()
    }

    fn event(ms: i64, node: &str, reported: &str, assigned: &str) -> Event {
        Event {
            id: ms,
            at: at(ms),
            node: node.into(),
            reported: reported.into(),
            assigned: assigned.into(),
        }
    }

    #[test]
    fn the_steps_are_read_from_the_monitors_events() {
        let events = [
            event(900, "node_b", "secondary", "prepare_promotion"),
            event(1200, "node_b", "stop_replication", "wait_primary"),
            event(1500, "node_b", "wait_primary", "wait_primary"),
            event(5000, "node_a", "secondary", "secondary"),
            event(5200, "node_b", "primary", "primary"),
        ];
        // A commit in flight at the kill, acknowledged 5 ms after it, is not the service back.
        let acks = [at(-10), at(5), at(1700), at(3000), at(5100), at(6000)];
        let t = Timeline::from_events("node_a", at(0), &events, &acks);
        assert_eq!(t.detected, Some(0.9));
        assert_eq!(t.promoted, Some(1.5));
        assert_eq!(t.first_write, Some(1.7));
        assert_eq!(t.rejoined, Some(5.0));
        assert_eq!(t.synchronous_again, Some(5.2));
        assert_eq!(t.acknowledged_without_standby, 3);
    }

    #[test]
    fn a_step_the_monitor_did_not_record_is_none() {
        let t = Timeline::from_events("node_a", at(0), &[], &[at(-5)]);
        assert_eq!(t, Timeline::default());
    }

    #[test]
    fn the_longest_gap_counts_from_the_start_and_to_the_end() {
        assert_eq!(
            longest_gap(at(0), &[at(100), at(2600), at(2700)], at(3000)),
            2.5
        );
        assert_eq!(longest_gap(at(0), &[], at(4000)), 4.0);
    }
}
