//! Reads sent to a standby (`DATABASE_READ_URL`, issue 21): which reads go there, what they
//! answer, and that a standby that cannot be reached costs nothing but a counted fallback.
//! Here the "standby" is a second pool on the test's own database (a primary: it has every
//! write, so no read waits); the wait for a lagging standby is tested against a real one, with
//! its replay paused, in `.ci/check-cluster`.

use crate::support::*;
use compliance_app::{
    AssigneeQuery, AuditQuery, Compliance, Config, ListSize, QueueQuery, RoutedReads,
};
use std::time::Duration;

/// The test database's entry point with reads sent to `read_url`.
fn with_reads_at(s: &Seeded, read_url: &str) -> Compliance {
    let config = Config::from_url(&s.db.config().connection_url())
        .unwrap()
        .pool_max(4)
        .replica_url(read_url)
        .unwrap()
        .connect_timeout(Duration::from_millis(200));
    Compliance::new(&config)
}

fn routed(c: &Compliance) -> RoutedReads {
    c.read_replica_vitals()
        .expect("a standby is configured")
        .routed
}

#[test]
fn the_reports_queue_dashboard_and_audit_reads_go_to_the_standby_and_answer_the_same() {
    let s = seeded();
    let reads = with_reads_at(&s, &s.db.config().connection_url());
    let officer = reads.in_process().user(&s.users.officer.username).unwrap();
    let entity = entity("in-corp-pep-002");
    let before = routed(&reads);
    assert_eq!(before, RoutedReads::default());

    let queue = reads.queue(&officer, &QueueQuery::default()).unwrap();
    let summary = reads.summary(&officer).unwrap();
    let high_risk = reads
        .high_risk(&officer, None, ListSize::default())
        .unwrap();
    let due = reads
        .reviews_due(&officer, None, ListSize::default())
        .unwrap();
    let board = reads.dashboard(&officer).unwrap();
    let audit = reads
        .audit(&officer, &entity, &AuditQuery::default())
        .unwrap();
    // Six reads, each served by the standby; a case read stays on the primary.
    reads.current_case(&officer, &entity).unwrap();
    assert_eq!(
        routed(&reads),
        RoutedReads {
            replica: 6,
            ..RoutedReads::default()
        }
    );

    // The same answers as the entry point without a standby.
    let plain = &s.compliance;
    let officer = s.officer();
    assert_eq!(
        queue,
        plain.queue(&officer, &QueueQuery::default()).unwrap()
    );
    assert_eq!(summary, plain.summary(&officer).unwrap());
    assert_eq!(
        high_risk,
        plain
            .high_risk(&officer, None, ListSize::default())
            .unwrap()
    );
    assert_eq!(
        due,
        plain
            .reviews_due(&officer, None, ListSize::default())
            .unwrap()
    );
    assert_eq!(board.open, plain.dashboard(&officer).unwrap().open);
    assert_eq!(
        audit,
        plain
            .audit(&officer, &entity, &AuditQuery::default())
            .unwrap()
    );
    assert!(plain.read_replica_vitals().is_none());
}

#[test]
fn a_claim_shows_in_the_claimers_next_queue_read_from_the_standby() {
    let s = seeded();
    let reads = with_reads_at(&s, &s.db.config().connection_url());
    let officer = reads.in_process().user(&s.users.officer.username).unwrap();
    let case = reads
        .queue(&officer, &QueueQuery::default())
        .unwrap()
        .items
        .remove(0);
    reads.claim(&officer, case.case_id, case.revision).unwrap();
    let mine = QueueQuery {
        assignee: Some(AssigneeQuery::Mine),
        ..QueueQuery::default()
    };
    let page = reads.queue(&officer, &mine).unwrap();
    assert_eq!(
        page.items.iter().map(|i| i.case_id).collect::<Vec<_>>(),
        [case.case_id]
    );
    assert_eq!(page.items[0].assigned_to, Some(s.users.officer.id));
    // The claim's position was kept and the standby (here the primary) had it: no fallback.
    let routed = routed(&reads);
    assert_eq!((routed.replica, routed.behind), (2, 0), "{routed:?}");
}

#[test]
fn a_standby_that_cannot_be_reached_is_read_around_and_counted() {
    let s = seeded();
    let reads = with_reads_at(&s, "postgres://postgres@127.0.0.1:1/nowhere");
    let officer = reads.in_process().user(&s.users.officer.username).unwrap();
    let queue = reads.queue(&officer, &QueueQuery::default()).unwrap();
    assert_eq!(
        queue,
        s.compliance
            .queue(&s.officer(), &QueueQuery::default())
            .unwrap()
    );
    reads.summary(&officer).unwrap();
    let vitals = reads.read_replica_vitals().unwrap();
    assert!(!vitals.up);
    assert_eq!(vitals.behind_bytes, None);
    assert_eq!(
        vitals.routed,
        RoutedReads {
            unavailable: 2,
            ..RoutedReads::default()
        }
    );
}

#[test]
fn a_standby_for_reads_is_named_without_its_password() {
    let config = Config::from_url("postgres://app:primary-secret@db-a:5432/compliance_db")
        .unwrap()
        .replica_url("postgres://app:standby-secret@db-b:5432/compliance_db")
        .unwrap();
    let shown = format!("{config} {config:?}");
    assert!(
        shown.contains("db-a:5432/compliance_db (reads: db-b:5432/compliance_db)"),
        "{shown}"
    );
    assert!(!shown.contains("secret"), "{shown}");
    let bad = Config::from_url("postgres://app@db-a/compliance_db")
        .unwrap()
        .replica_url("mysql://app:standby-secret@db-b/compliance_db")
        .unwrap_err()
        .to_string();
    assert!(
        bad.starts_with("DATABASE_READ_URL is not a valid postgres:// URL"),
        "{bad}"
    );
    assert!(!bad.contains("secret"), "{bad}");
}
