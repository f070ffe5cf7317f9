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

/// `n` entries written by one transaction: consecutive positions of one chain. Returns them.
fn append_in_one_transaction(
    conn: &mut diesel::PgConnection,
    actor: UserId,
    n: usize,
) -> Vec<audit_logs::AuditEntry> {
    use diesel::Connection;
    let before = audit_logs::count(conn).unwrap();
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        append_some(conn, actor, n);
        Ok(())
    })
    .unwrap();
    let all = audit_logs::list(conn, &AuditFilter::default()).unwrap();
    let written = all[usize::try_from(before).unwrap()..].to_vec();
    assert!(
        written
            .windows(2)
            .all(|w| w[0].chain == w[1].chain && w[1].position == w[0].position + 1)
    );
    written
}

#[test]
fn entries_chain_without_gaps_within_each_chain_and_the_chains_verify() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn); // four user_created entries
    let written = append_in_one_transaction(&mut conn, u.system.id, 3);
    let entries = audit_logs::list(&mut conn, &AuditFilter::default()).unwrap();
    assert_eq!(
        entries.iter().map(|e| e.id).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6, 7]
    );
    let mut at: Vec<_> = entries.iter().map(|e| (e.chain, e.position)).collect();
    at.sort_unstable();
    at.dedup();
    assert_eq!(at.len(), 7, "one entry per position of a chain");
    let report = audit_logs::verify_chain(&mut conn).unwrap();
    assert_eq!(report.entries, 7);
    assert_eq!(report.first_break, None);
    let last = written.last().unwrap();
    assert!(report.heads.contains(&audit_logs::Head {
        chain: last.chain,
        position: last.position,
        hash: last.hash.clone()
    }));
    assert_eq!(last.hash.len(), 64);
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

/// A database with three consecutive entries of one chain, and those entries.
fn three_in_a_chain() -> (TestDatabase, Vec<audit_logs::AuditEntry>) {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let written = append_in_one_transaction(&mut conn, u.system.id, 3);
    (db, written)
}

fn first_break(conn: &mut diesel::PgConnection) -> Option<(i64, String)> {
    audit_logs::verify_chain(conn)
        .unwrap()
        .first_break
        .map(|b| (b.id, b.kind))
}

#[test]
fn the_chain_finds_an_altered_row() {
    let (db, e) = three_in_a_chain();
    let mut conn = db.conn();
    behind_the_triggers(
        &mut conn,
        &format!(
            r#"UPDATE audit_logs SET details = '{{"n": 99}}' WHERE id = {}"#,
            e[1].id
        ),
    );
    assert_eq!(first_break(&mut conn), Some((e[1].id, "altered".into())));
}

#[test]
fn the_chain_finds_a_row_whose_hash_was_recomputed_to_hide_a_change() {
    let (db, e) = three_in_a_chain();
    let mut conn = db.conn();
    behind_the_triggers(
        &mut conn,
        &format!(
            r#"UPDATE audit_logs SET details = '{{"n": 99}}',
                  hash = audit_log_hash_at(prev_hash, chain, coalesce(chain_position, id), actor_id, action, subject_kind,
                                           subject_id, entity_id, old_status, new_status, '{{"n": 99}}', created_at)
            WHERE id = {}"#,
            e[1].id
        ),
    );
    assert_eq!(first_break(&mut conn), Some((e[2].id, "unlinked".into())));
}

#[test]
fn the_chain_finds_a_removed_row() {
    let (db, e) = three_in_a_chain();
    let mut conn = db.conn();
    behind_the_triggers(
        &mut conn,
        &format!("DELETE FROM audit_logs WHERE id = {}", e[1].id),
    );
    assert_eq!(first_break(&mut conn), Some((e[2].id, "gap".into())));
    assert_eq!(audit_logs::verify_chain(&mut conn).unwrap().entries, 6);
}

#[test]
fn the_chain_finds_an_inserted_row_and_a_reordered_one() {
    // Inserted: a forged entry slipped in after the first, the later ones moved up one place.
    let (db, e) = three_in_a_chain();
    let mut conn = db.conn();
    let (c, p, id) = (e[0].chain, e[0].position, e[0].id);
    for sql in [
        // Two steps: the unique index on (chain, position) is checked row by row.
        format!("UPDATE audit_logs SET chain_position = chain_position + 1000 WHERE chain = {c} AND chain_position > {p}"),
        format!("UPDATE audit_logs SET chain_position = chain_position - 999 WHERE chain = {c} AND chain_position > {p} + 1000"),
        format!(
            "INSERT INTO audit_logs (id, actor_id, action, subject_kind, subject_id, details, chain, chain_position, prev_hash, hash, created_at)
             SELECT 1000, actor_id, action, subject_kind, subject_id, '{{}}', chain, {p} + 1, hash,
                    audit_log_hash_at(hash, chain, {p} + 1, actor_id, action, subject_kind, subject_id, NULL, NULL, NULL, '{{}}', created_at),
                    created_at
               FROM audit_logs WHERE id = {id}"
        ),
    ] {
        behind_the_triggers(&mut conn, &sql);
    }
    // The forged entry links and hashes correctly; the one after it no longer does.
    assert_eq!(first_break(&mut conn), Some((e[1].id, "unlinked".into())));

    // Reordered: two entries swap places.
    let (db, e) = three_in_a_chain();
    let mut conn = db.conn();
    for sql in [
        format!(
            "UPDATE audit_logs SET chain_position = chain_position + 1000 WHERE id IN ({}, {})",
            e[1].id, e[2].id
        ),
        format!(
            "UPDATE audit_logs SET chain_position = CASE id WHEN {a} THEN {pb} ELSE {pa} END WHERE id IN ({a}, {b})",
            a = e[1].id,
            b = e[2].id,
            pa = e[1].position,
            pb = e[2].position
        ),
    ] {
        behind_the_triggers(&mut conn, &sql);
    }
    let found = first_break(&mut conn).unwrap();
    assert!(
        [e[1].id, e[2].id].contains(&found.0)
            && ["altered", "unlinked"].contains(&found.1.as_str()),
        "{found:?}"
    );
}

#[test]
fn concurrent_writers_never_fork_a_chain_and_spread_over_several() {
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
    // 44 transactions with consecutive ids fall on several of the sixteen chains.
    assert!(report.heads.len() > 1, "{:?}", report.heads);
    assert_eq!(
        report.heads.iter().map(|h| h.position).sum::<i64>(),
        44,
        "every position of every chain is taken once"
    );
}

#[test]
fn a_recorded_checkpoint_finds_a_removed_tail_that_the_chain_alone_cannot() {
    use compliance_persistence::repo::audit_logs::ChainHeads;
    let (db, e) = three_in_a_chain();
    let mut conn = db.conn();
    let u = users_of(&mut conn);
    let head = audit_logs::verify_chain(&mut conn)
        .unwrap()
        .checkpoint()
        .unwrap();
    let from_head = audit_logs::verify_chain_from(&mut conn, Some(&head)).unwrap();
    assert_eq!(
        (from_head.entries, from_head.first_break),
        (head.heads.len() as i64, None),
        "from a checkpoint, only each chain's recorded head and what follows it"
    );
    append_in_one_transaction(&mut conn, u, 2);
    let later = audit_logs::verify_chain_from(&mut conn, Some(&head)).unwrap();
    assert_eq!(
        (later.entries, later.first_break),
        (head.heads.len() as i64 + 2, None)
    );
    // The tail of the three entries' chain is cut, from their last on.
    behind_the_triggers(
        &mut conn,
        &format!(
            "DELETE FROM audit_logs WHERE chain = {} AND coalesce(chain_position, id) >= {}",
            e[2].chain, e[2].position
        ),
    );
    assert_eq!(
        audit_logs::verify_chain(&mut conn).unwrap().first_break,
        None,
        "a shorter chain is still a chain"
    );
    let cut = audit_logs::verify_chain_from(&mut conn, Some(&head)).unwrap();
    let found = cut.first_break.unwrap();
    assert_eq!(
        (found.chain, found.position, found.kind.as_str()),
        (e[2].chain, e[2].position, "missing")
    );

    let wrong: ChainHeads = format!("{}.{}:{}", e[0].chain, e[0].position, "0".repeat(64))
        .parse()
        .unwrap();
    let changed = audit_logs::verify_chain_from(&mut conn, Some(&wrong)).unwrap();
    assert_eq!(
        changed.first_break.map(|b| (b.id, b.kind)),
        Some((e[0].id, "checkpoint".into()))
    );
    for bad in ["7", "x:ab", "0:ab", &format!("7:{}", "g".repeat(64))] {
        assert!(bad.parse::<ChainHeads>().is_err(), "{bad}");
    }
}

/// The system agent's id, from the users the test database holds.
fn users_of(conn: &mut diesel::PgConnection) -> UserId {
    use compliance_persistence::repo::users;
    users::find_by_username(conn, &Username::parse("kyc-agent").unwrap())
        .unwrap()
        .id
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
    assert_eq!(
        report.heads.iter().map(|h| h.position).sum::<i64>(),
        5,
        "the temporary table's row 1000 was not taken for a head"
    );
}
