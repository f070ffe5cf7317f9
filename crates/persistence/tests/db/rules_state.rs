//! The rules' change counter (`compliance_rules_state`), which the rules cache compares, and the
//! rule that a version is never closed in the past: both through raw SQL, skipping the
//! repositories, and through `repo::compliance_rules`.

use crate::support::*;
use compliance_domain::Jurisdiction;
use compliance_persistence::diesel::{Connection, PgConnection};
use compliance_persistence::repo::compliance_rules;
use compliance_persistence::testing::TestDatabase;

fn insert_rule(jurisdiction: &str, code: &str) -> String {
    format!(
        "INSERT INTO compliance_rules (jurisdiction, code, version, parameters, effective_from, regulation, description, published_by)
         VALUES ('{jurisdiction}', '{code}', 1, '{{\"kind\": \"sanctions_match\"}}', '2026-01-01', 'a regulation', 'd', {SYSTEM})"
    )
}

fn changes(conn: &mut PgConnection, jurisdiction: Jurisdiction) -> i64 {
    compliance_rules::fingerprint(conn, jurisdiction)
        .unwrap()
        .changes
}

/// The old fingerprint: the count and the latest `updated_at` of a jurisdiction's rules.
fn count_and_latest(conn: &mut PgConnection, jurisdiction: &str) -> String {
    text(
        conn,
        &format!(
            "SELECT count(*) || ' ' || coalesce(max(updated_at)::text, '-') AS value
               FROM compliance_rules WHERE jurisdiction = '{jurisdiction}'"
        ),
    )
}

#[test]
fn every_statement_that_changes_a_jurisdictions_rules_raises_its_counter_and_only_its() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    users(&mut conn);
    let (ae, us) = (
        changes(&mut conn, Jurisdiction::Ae),
        changes(&mut conn, Jurisdiction::Us),
    );
    raw(&mut conn, &insert_rule("AE", "AE-ONE")).unwrap();
    assert_eq!(changes(&mut conn, Jurisdiction::Ae), ae + 1);
    assert_eq!(
        changes(&mut conn, Jurisdiction::Us),
        us,
        "another jurisdiction's counter stays"
    );
    // One statement, two rows: one change.
    raw(
        &mut conn,
        &format!("{}, ('AE', 'AE-THREE', 1, '{{\"kind\": \"pep_match\"}}', '2026-01-01', 'r', 'd', {SYSTEM})", insert_rule("AE", "AE-TWO")),
    )
    .unwrap();
    assert_eq!(changes(&mut conn, Jurisdiction::Ae), ae + 2);
    // A statement that changes no row changes nothing.
    raw(
        &mut conn,
        "UPDATE compliance_rules SET effective_to = '2099-01-01' WHERE code = 'NO-SUCH-RULE'",
    )
    .unwrap();
    assert_eq!(changes(&mut conn, Jurisdiction::Ae), ae + 2);
    raw(
        &mut conn,
        "UPDATE compliance_rules SET effective_to = '2099-01-01' WHERE code = 'AE-ONE'",
    )
    .unwrap();
    assert_eq!(changes(&mut conn, Jurisdiction::Ae), ae + 3);
}

#[test]
fn two_closures_in_one_transaction_keep_the_old_fingerprint_but_move_the_counter() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    for code in ["AE-ONE", "AE-TWO"] {
        raw(&mut conn, &insert_rule("AE", code)).unwrap();
    }
    let id = |conn: &mut PgConnection, code: &str| {
        text(
            conn,
            &format!("SELECT id::text AS value FROM compliance_rules WHERE code = '{code}'"),
        )
        .parse()
        .unwrap()
    };
    let (one, two) = (id(&mut conn, "AE-ONE"), id(&mut conn, "AE-TWO"));
    let end = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now() + chrono::Duration::days(7), 6);
    conn.transaction::<_, compliance_persistence::PersistenceError, _>(|conn| {
        compliance_rules::close(conn, one, end, u.officer.id)?;
        // A reader in this transaction (the service decides in the transaction that may also
        // publish) sees the first closure...
        let (old, new) = (
            count_and_latest(conn, "AE"),
            compliance_rules::fingerprint(conn, Jurisdiction::Ae)?,
        );
        compliance_rules::close(conn, two, end, u.officer.id)?;
        // ...and the second leaves the count and max(updated_at), now(), as they were.
        assert_eq!(
            count_and_latest(conn, "AE"),
            old,
            "the old fingerprint misses it"
        );
        assert_ne!(
            compliance_rules::fingerprint(conn, Jurisdiction::Ae)?,
            new,
            "the counter does not"
        );
        Ok(())
    })
    .unwrap();
}

#[test]
fn the_counter_only_rises_and_is_never_removed() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    users(&mut conn);
    raw(&mut conn, &insert_rule("US", "US-ONE")).unwrap();
    let guard = "compliance_rules_state_counter";
    refused(
        &mut conn,
        "UPDATE compliance_rules_state SET changes = changes - 1 WHERE jurisdiction = 'US'",
        guard,
    );
    refused(
        &mut conn,
        "UPDATE compliance_rules_state SET changes = changes WHERE jurisdiction = 'US'",
        guard,
    );
    refused(
        &mut conn,
        "UPDATE compliance_rules_state SET jurisdiction = 'AE', changes = changes + 1 WHERE jurisdiction = 'US'",
        guard,
    );
    refused(&mut conn, "DELETE FROM compliance_rules_state", guard);
    refused(
        &mut conn,
        "TRUNCATE compliance_rules_state",
        "compliance_rules_state_append_only",
    );
    refused(
        &mut conn,
        "INSERT INTO compliance_rules_state (jurisdiction) VALUES ('EU')",
        "ck_compliance_rules_state_jurisdiction",
    );
    assert_eq!(changes(&mut conn, Jurisdiction::Us), 1);
}

#[test]
fn the_database_refuses_closing_a_version_in_the_past() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    users(&mut conn);
    raw(&mut conn, &insert_rule("IN", "IN-ONE")).unwrap();
    let guard = "compliance_rules_closed_in_past";
    refused(
        &mut conn,
        "UPDATE compliance_rules SET effective_to = now() - interval '1 second'",
        guard,
    );
    assert_eq!(
        text(
            &mut conn,
            "SELECT coalesce(effective_to::text, 'open') AS value FROM compliance_rules"
        ),
        "open",
        "nothing was written"
    );
    // Now itself is allowed (the end is exclusive: in force until this instant), and later.
    raw(
        &mut conn,
        "UPDATE compliance_rules SET effective_to = now() + interval '1 day'",
    )
    .unwrap();
    // Bringing a future end forward into the past is refused too.
    refused(
        &mut conn,
        "UPDATE compliance_rules SET effective_to = '2026-01-02'",
        guard,
    );
    raw(
        &mut conn,
        "UPDATE compliance_rules SET effective_to = now()",
    )
    .unwrap();
    // A version published already closed (history imported as it was) is not a closure.
    raw(
        &mut conn,
        &insert_rule("IN", "IN-TWO")
            .replace(
                "'2026-01-01', 'a regulation'",
                "'2020-01-01', '2021-01-01', 'a regulation'",
            )
            .replace(
                "effective_from, regulation",
                "effective_from, effective_to, regulation",
            ),
    )
    .unwrap();
}
