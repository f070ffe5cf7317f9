//! The audit log: append-only whoever asks, and hash-chained so that a change made behind the
//! triggers' back (by a superuser with triggers off) is found.

use crate::support::*;
use compliance_domain::*;
use compliance_persistence::repo::audit_logs::{self, AuditFilter};
use compliance_persistence::testing::TestDatabase;

fn append_some(conn: &mut diesel::PgConnection, actor: UserId, n: usize) {
    for i in 0..n {
        let event = AuditEvent::new(
            actor,
            AuditAction::RulePublished,
            SubjectKind::ComplianceRule,
            uuid::Uuid::from_u128(i as u128),
        )
        .unwrap()
        .with_details(serde_json::json!({ "n": i, "note": "ünïcödé ok" }))
        .unwrap();
        audit_logs::append(conn, &event).unwrap();
    }
}

#[test]
fn entries_chain_from_one_without_gaps_and_the_chain_verifies() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn); // four user_created entries
    append_some(&mut conn, u.system.id, 3);
    let entries = audit_logs::list(&mut conn, &AuditFilter::default()).unwrap();
    assert_eq!(
        entries.iter().map(|e| e.id).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6, 7]
    );
    let report = audit_logs::verify_chain(&mut conn).unwrap();
    assert_eq!(report.entries, 7);
    assert_eq!(report.first_break, None);
    assert_eq!(report.head, Some((7, entries[6].hash.clone())));
    assert_eq!(entries[6].hash.len(), 64);
}

#[test]
fn update_delete_and_truncate_fail_whoever_sends_them() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    users(&mut conn);
    // The tests connect as the superuser `postgres`: even it is refused.
    refused(
        &mut conn,
        "UPDATE audit_logs SET details = '{}'",
        "audit_logs_append_only",
    );
    refused(
        &mut conn,
        "DELETE FROM audit_logs WHERE id = 1",
        "audit_logs_append_only",
    );
    refused(&mut conn, "TRUNCATE audit_logs", "audit_logs_append_only");
    assert_eq!(audit_logs::count(&mut conn).unwrap(), 4);
}

/// Runs SQL with triggers off, as only a superuser can: the attack the hash chain is for.
fn behind_the_triggers(conn: &mut diesel::PgConnection, sql: &str) {
    raw(conn, "SET session_replication_role = replica").unwrap();
    raw(conn, sql).unwrap();
    raw(conn, "SET session_replication_role = DEFAULT").unwrap();
}

#[test]
fn the_chain_finds_an_altered_row() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    append_some(&mut conn, u.system.id, 3);
    behind_the_triggers(
        &mut conn,
        r#"UPDATE audit_logs SET details = '{"n": 99}' WHERE id = 5"#,
    );
    let report = audit_logs::verify_chain(&mut conn).unwrap();
    assert_eq!(
        report.first_break.map(|b| (b.id, b.kind)),
        Some((5, "altered".into()))
    );
}

#[test]
fn the_chain_finds_a_row_whose_hash_was_recomputed_to_hide_a_change() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    append_some(&mut conn, u.system.id, 3);
    behind_the_triggers(
        &mut conn,
        r#"UPDATE audit_logs SET details = '{"n": 99}',
                  hash = audit_log_hash(prev_hash, id, actor_id, action, subject_kind, subject_id, entity_id,
                                        old_status, new_status, '{"n": 99}', created_at)
            WHERE id = 5"#,
    );
    let report = audit_logs::verify_chain(&mut conn).unwrap();
    assert_eq!(
        report.first_break.map(|b| (b.id, b.kind)),
        Some((6, "unlinked".into()))
    );
}

#[test]
fn the_chain_finds_a_removed_row() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    append_some(&mut conn, u.system.id, 3);
    behind_the_triggers(&mut conn, "DELETE FROM audit_logs WHERE id = 3");
    let report = audit_logs::verify_chain(&mut conn).unwrap();
    assert_eq!(
        report.first_break.map(|b| (b.id, b.kind)),
        Some((4, "gap".into()))
    );
    assert_eq!(report.entries, 6);
}

#[test]
fn concurrent_writers_never_fork_the_chain() {
    let db = TestDatabase::new();
    let system = users(&mut db.conn()).system;
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let config = db.config().clone();
            std::thread::spawn(move || {
                let mut conn = compliance_persistence::connect(&config).unwrap();
                append_some(&mut conn, system.id, 10);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut conn = db.conn();
    let report = audit_logs::verify_chain(&mut conn).unwrap();
    assert_eq!(report.entries, 44);
    assert_eq!(report.first_break, None);
    assert_eq!(report.head.map(|h| h.0), Some(44));
}

#[test]
fn a_recorded_head_finds_a_removed_tail_that_the_chain_alone_cannot() {
    use compliance_persistence::repo::audit_logs::Checkpoint;
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    append_some(&mut conn, u.system.id, 3);
    let (id, hash) = audit_logs::verify_chain(&mut conn).unwrap().head.unwrap();
    let head: Checkpoint = format!("{id}:{hash}").parse().unwrap();
    let from_head = audit_logs::verify_chain_from(&mut conn, Some(&head)).unwrap();
    assert_eq!((from_head.entries, from_head.first_break), (1, None));

    append_some(&mut conn, u.system.id, 2);
    let later = audit_logs::verify_chain_from(&mut conn, Some(&head)).unwrap();
    assert_eq!((later.entries, later.first_break), (3, None));
    behind_the_triggers(
        &mut conn,
        &format!("DELETE FROM audit_logs WHERE id >= {id}"),
    );
    assert_eq!(
        audit_logs::verify_chain(&mut conn).unwrap().first_break,
        None,
        "a shorter chain is still a chain"
    );
    let cut = audit_logs::verify_chain_from(&mut conn, Some(&head)).unwrap();
    assert_eq!(
        cut.first_break.map(|b| (b.id, b.kind)),
        Some((id, "missing".into()))
    );

    let wrong: Checkpoint = format!("3:{}", "0".repeat(64)).parse().unwrap();
    let changed = audit_logs::verify_chain_from(&mut conn, Some(&wrong)).unwrap();
    assert_eq!(
        changed.first_break.map(|b| (b.id, b.kind)),
        Some((3, "checkpoint".into()))
    );
    for bad in ["7", "x:ab", "0:ab", &format!("7:{}", "g".repeat(64))] {
        assert!(bad.parse::<Checkpoint>().is_err(), "{bad}");
    }
}

#[test]
fn the_triggers_work_whatever_the_search_path_as_a_restore_sets_it() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    // pg_dump's output runs with an empty search_path; its data then passes these triggers.
    raw(&mut conn, "SET search_path = ''").unwrap();
    raw(
        &mut conn,
        &format!(
            "INSERT INTO public.audit_logs (actor_id, action, subject_kind, subject_id) VALUES ('{}', 'user_updated', 'user', '{}')",
            u.system.id, u.system.id
        ),
    )
    .unwrap();
    raw(&mut conn, "SET search_path = DEFAULT").unwrap();
    assert_eq!(
        audit_logs::verify_chain(&mut conn).unwrap().first_break,
        None
    );
}

#[test]
fn a_temporary_table_cannot_stand_in_for_the_audit_log() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    // A session's temporary table comes first on its default search_path; the chain trigger
    // must still read the real log.
    raw(
        &mut conn,
        "CREATE TEMP TABLE audit_logs (id BIGINT, hash BYTEA)",
    )
    .unwrap();
    raw(
        &mut conn,
        "INSERT INTO pg_temp.audit_logs VALUES (1000, '\\x00')",
    )
    .unwrap();
    raw(
        &mut conn,
        &format!(
            "INSERT INTO public.audit_logs (actor_id, action, subject_kind, subject_id) VALUES ('{0}', 'user_updated', 'user', '{0}')",
            u.system.id
        ),
    )
    .unwrap();
    raw(&mut conn, "DROP TABLE pg_temp.audit_logs").unwrap();
    let report = audit_logs::verify_chain(&mut conn).unwrap();
    assert_eq!((report.entries, report.first_break.clone()), (5, None));
    assert_eq!(report.head.map(|h| h.0), Some(5));
}
