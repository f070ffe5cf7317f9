//! The scrape-time families of the standby for reads (`DATABASE_READ_URL`): whether it
//! answered, how many bytes of WAL it has still to replay, the reads it served and the reads
//! sent to the primary instead, by reason. Absent when no standby is configured.
//!
//! Must not: run a statement itself, or label by anything but a fallback's reason.

use compliance_app::ReadReplicaRecord;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

/// The standby for reads, as `read` found it.
pub(super) fn read_replica(registry: &mut Registry, read: &ReadReplicaRecord) {
    let up = Gauge::<i64>::default();
    up.set(i64::from(read.up));
    registry.register(
        "compliance_read_replica_up",
        "1 when the standby for reads (DATABASE_READ_URL) answered this scrape, 0 when not",
        up,
    );
    if let Some(bytes) = read.behind_bytes {
        let behind = Gauge::<i64>::default();
        behind.set(bytes);
        registry.register_with_unit(
            "compliance_read_replica_behind",
            "WAL the standby for reads has still to replay to reach the primary's position",
            Unit::Bytes,
            behind,
        );
    }
    let served = Counter::<u64>::default();
    served.inc_by(read.routed.replica);
    registry.register(
        "compliance_read_replica_reads",
        "Reads (reports, queue, dashboard, audit) the standby served since the process started",
        served,
    );
    let fallbacks = Family::<ReasonLabels, Counter>::default();
    for (reason, count) in [
        ("behind", read.routed.behind),
        ("unavailable", read.routed.unavailable),
        ("failed", read.routed.failed),
    ] {
        fallbacks
            .get_or_create(&ReasonLabels { reason })
            .inc_by(count);
    }
    registry.register(
        "compliance_read_replica_fallbacks",
        "Reads meant for the standby sent to the primary: behind (it had not replayed the caller's last write within DATABASE_READ_WAIT_MS), unavailable (no connection), failed (a recovery conflict, a lost connection)",
        fallbacks,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use compliance_app::RoutedReads;

    #[test]
    fn a_standby_for_reads_shows_its_lag_and_where_reads_went() {
        let mut registry = Registry::default();
        read_replica(
            &mut registry,
            &ReadReplicaRecord {
                up: true,
                behind_bytes: Some(4096),
                routed: RoutedReads {
                    replica: 7,
                    behind: 2,
                    unavailable: 0,
                    failed: 1,
                },
            },
        );
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
        for line in [
            "compliance_read_replica_up 1",
            "compliance_read_replica_behind_bytes 4096",
            "compliance_read_replica_reads_total 7",
            "compliance_read_replica_fallbacks_total{reason=\"behind\"} 2",
            "compliance_read_replica_fallbacks_total{reason=\"failed\"} 1",
        ] {
            assert!(text.contains(line), "{line} missing from:\n{text}");
        }
    }

    #[test]
    fn a_standby_that_did_not_answer_has_no_lag() {
        let mut registry = Registry::default();
        read_replica(
            &mut registry,
            &ReadReplicaRecord {
                up: false,
                behind_bytes: None,
                routed: RoutedReads::default(),
            },
        );
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
        assert!(text.contains("compliance_read_replica_up 0"), "{text}");
        assert!(!text.contains("behind_bytes"), "{text}");
    }
}
