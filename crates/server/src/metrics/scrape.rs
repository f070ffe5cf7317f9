//! The scrape-time families: what one scrape reads, as of that scrape, from the database
//! ([`compliance_app::VitalsRecord`]: queue depth and longest wait, the outbox, replication lag,
//! the audit chains' heads, the screening jobs' re-screenings) and from this process (the
//! pool, the calls waiting for a connection). Built into a fresh registry per scrape, so that a
//! standby that left, or a database read that failed, leaves no stale series behind.
//!
//! Must not: run a statement itself (the listener reads on the blocking pool first), or label
//! by anything but a jurisdiction, a status, a chain number or a standby's name.

use chrono::{DateTime, Utc};
use compliance_app::health::PoolFigures;
use compliance_app::{ReplicationRecord, Turns, VitalsRecord};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};
use std::sync::atomic::AtomicU64;

type Seconds = Gauge<f64, AtomicU64>;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabels {
    jurisdiction: String,
    status: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StandbyLabels {
    standby: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChainLabels {
    chain: String,
}

/// Seconds from `since` to `as_of` (the database's clock at the read); 0 when `since` is
/// later (another server's clock).
fn age(as_of: DateTime<Utc>, since: DateTime<Utc>) -> f64 {
    (as_of - since)
        .to_std()
        .map_or(0.0, |elapsed| elapsed.as_secs_f64())
}

/// A gauge registered under `name`, set to `value`.
fn gauge(registry: &mut Registry, name: &str, help: &str, value: i64) {
    let g = Gauge::<i64>::default();
    g.set(value);
    registry.register(name, help, g);
}

/// A gauge in seconds (`_seconds` appended), set to `value`.
fn seconds(registry: &mut Registry, name: &str, help: &str, value: f64) {
    let g = Seconds::default();
    g.set(value);
    registry.register_with_unit(name, help, Unit::Seconds, g);
}

/// The process's own figures: they answer whether or not the database does.
pub(super) fn process(registry: &mut Registry, pool: PoolFigures, turns: Turns, up: bool) {
    let gauges: [(&str, &str, i64); 6] = [
        (
            "compliance_database_up",
            "1 when this scrape's database read succeeded, 0 when it failed",
            i64::from(up),
        ),
        (
            "compliance_db_pool_max_connections",
            "The pool's largest number of connections (DATABASE_POOL_MAX)",
            i64::from(pool.max),
        ),
        (
            "compliance_db_pool_open_connections",
            "Connections the pool holds open now",
            i64::from(pool.open),
        ),
        (
            "compliance_db_pool_idle_connections",
            "Open connections not in use now",
            i64::from(pool.idle),
        ),
        (
            "compliance_db_calls_running",
            "Database calls running now (at most the pool's size)",
            i64::from(turns.running),
        ),
        (
            "compliance_db_calls_waiting",
            "Database calls waiting now for a connection's turn",
            i64::try_from(turns.waiting).unwrap_or(i64::MAX),
        ),
    ];
    for (name, help, value) in gauges {
        gauge(registry, name, help, value);
    }
    let waits = Counter::<u64>::default();
    waits.inc_by(turns.waited_total);
    registry.register(
        "compliance_db_call_waits",
        "Database calls that found every connection's turn taken and waited",
        waits,
    );
}

/// The database's figures.
pub(super) fn database(registry: &mut Registry, vitals: &VitalsRecord) {
    queues(registry, vitals);
    gauge(
        registry,
        "compliance_outbox_open_deliveries",
        "Event deliveries pending or being sent (the count stops at 100000)",
        vitals.outbox.open,
    );
    seconds(
        registry,
        "compliance_outbox_oldest_open_age",
        "Age of the oldest open event delivery (0 when none is open)",
        vitals
            .outbox
            .oldest_open_at
            .map_or(0.0, |since| age(vitals.as_of, since)),
    );
    gauge(
        registry,
        "compliance_outbox_failed_deliveries",
        "Event deliveries given up after their retries (the count stops at 100000)",
        vitals.outbox.failed,
    );
    replication(registry, vitals.as_of, &vitals.replication);
    let positions = Family::<ChainLabels, Gauge>::default();
    let ages = Family::<ChainLabels, Seconds>::default();
    for head in &vitals.chains {
        let labels = ChainLabels {
            chain: head.chain.to_string(),
        };
        positions.get_or_create(&labels).set(head.position);
        ages.get_or_create(&labels)
            .set(age(vitals.as_of, head.written_at));
    }
    registry.register(
        "compliance_audit_chain_head_position",
        "Each audit chain's length: its newest entry's position",
        positions,
    );
    registry.register_with_unit(
        "compliance_audit_chain_head_age",
        "Age of each audit chain's newest entry",
        Unit::Seconds,
        ages,
    );
    let rescreened = Counter::<u64>::default();
    rescreened.inc_by(u64::try_from(vitals.monitor_rescreened).unwrap_or(0));
    registry.register(
        "compliance_screening_job_rescreenings",
        "Cases the screening jobs (ongoing monitoring) re-screened, every instance together",
        rescreened,
    );
}

fn queues(registry: &mut Registry, vitals: &VitalsRecord) {
    let depth = Family::<QueueLabels, Gauge>::default();
    let oldest = Family::<QueueLabels, Seconds>::default();
    let overdue = Family::<QueueLabels, Gauge>::default();
    let target = Family::<QueueLabels, Gauge>::default();
    for queue in &vitals.dashboard.queues {
        let labels = QueueLabels {
            jurisdiction: queue.jurisdiction.to_string(),
            status: queue.status.to_string(),
        };
        depth.get_or_create(&labels).set(queue.cases);
        oldest.get_or_create(&labels).set(
            queue
                .oldest_since
                .map_or(0.0, |since| age(vitals.as_of, since)),
        );
        overdue.get_or_create(&labels).set(queue.overdue);
        if let Some(hours) = queue.target_hours {
            target
                .get_or_create(&labels)
                .set(i64::from(hours).saturating_mul(3600));
        }
    }
    registry.register(
        "compliance_queue_cases",
        "Current cases waiting for review, by jurisdiction and status (PENDING, ESCALATED)",
        depth,
    );
    registry.register_with_unit(
        "compliance_queue_oldest_wait",
        "How long the longest-waiting case of each queue has had its status (0 when empty)",
        Unit::Seconds,
        oldest,
    );
    registry.register(
        "compliance_queue_overdue_cases",
        "Cases waiting longer than the service level in force for their queue",
        overdue,
    );
    registry.register_with_unit(
        "compliance_queue_service_level",
        "The service level in force for each queue (no series for a queue without one)",
        Unit::Seconds,
        target,
    );
}

fn replication(registry: &mut Registry, as_of: DateTime<Utc>, replication: &ReplicationRecord) {
    gauge(
        registry,
        "compliance_database_in_recovery",
        "1 when the database read is a standby, 0 on a primary",
        i64::from(matches!(replication, ReplicationRecord::Standby(_))),
    );
    match replication {
        ReplicationRecord::Primary(standbys) => {
            let lag = Family::<StandbyLabels, Seconds>::default();
            // A lag the service's role may not see is no series, not a zero.
            for standby in standbys {
                if let Some(seconds) = standby.replay_lag_seconds {
                    lag.get_or_create(&StandbyLabels {
                        standby: standby.name.clone(),
                    })
                    .set(seconds);
                }
            }
            registry.register_with_unit(
                "compliance_replica_replay_lag",
                "On a primary: each streaming standby's replay lag (no series without standbys, or when the role may not see it)",
                Unit::Seconds,
                lag,
            );
        }
        ReplicationRecord::Standby(replayed) => {
            if let Some(replayed) = replayed {
                seconds(
                    registry,
                    "compliance_standby_replay_lag",
                    "On a standby: time since the last replayed transaction committed on the primary",
                    age(as_of, *replayed),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use compliance_app::{DashboardRecord, OutboxRecord, StandbyRecord};

    fn encoded(replication: ReplicationRecord) -> String {
        let as_of = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let vitals = VitalsRecord {
            as_of,
            dashboard: DashboardRecord {
                as_of,
                day: as_of.date_naive(),
                open: Vec::new(),
                queues: Vec::new(),
                decided_today: Vec::new(),
            },
            outbox: OutboxRecord {
                open: 0,
                oldest_open_at: Some(as_of - chrono::Duration::milliseconds(2500)),
                failed: 0,
            },
            replication,
            chains: Vec::new(),
            monitor_rescreened: 0,
        };
        let mut registry = Registry::default();
        database(&mut registry, &vitals);
        let mut text = String::new();
        let _ = prometheus_client::encoding::text::encode_registry(&mut text, &registry);
        text
    }

    /// On a primary, one series per standby whose lag the role may see; none for the others.
    #[test]
    fn a_primary_shows_each_standby_it_may_see() {
        let text = encoded(ReplicationRecord::Primary(vec![
            StandbyRecord {
                name: "node_2".into(),
                replay_lag_seconds: Some(1.25),
            },
            StandbyRecord {
                name: "node_3".into(),
                replay_lag_seconds: None,
            },
        ]));
        assert!(
            text.contains("compliance_replica_replay_lag_seconds{standby=\"node_2\"} 1.25"),
            "{text}"
        );
        assert!(!text.contains("node_3"), "{text}");
        assert!(text.contains("compliance_database_in_recovery 0"), "{text}");
        assert!(!text.contains("compliance_standby_replay_lag"), "{text}");
        assert!(
            text.contains("compliance_outbox_oldest_open_age_seconds 2.5"),
            "{text}"
        );
    }

    /// On a standby: its own lag, from the last replayed commit, and no per-standby family.
    #[test]
    fn a_standby_shows_its_own_lag() {
        let replayed = DateTime::<Utc>::from_timestamp(1_800_000_000 - 7, 0).unwrap_or_default();
        let text = encoded(ReplicationRecord::Standby(Some(replayed)));
        assert!(text.contains("compliance_database_in_recovery 1"), "{text}");
        assert!(
            text.contains("compliance_standby_replay_lag_seconds 7.0"),
            "{text}"
        );
        assert!(!text.contains("compliance_replica_replay_lag"), "{text}");
        // Before any replay: no lag made up.
        let text = encoded(ReplicationRecord::Standby(None));
        assert!(!text.contains("compliance_standby_replay_lag"), "{text}");
    }
}
