//! Issue 17, defect 11, in the database: a case the engine holds PENDING (evidence it needs is
//! missing) is approved only by a waiver one reviewer proposed and a compliance officer or admin
//! who is someone else confirms. Each way around it is sent as raw SQL, skipping the domain, and
//! must be refused by the named guard; the down migration leaves no waiting waiver behind.

use crate::support::*;
use compliance_domain::{CheckStatus, Reason, ReviewReason, Role, Stage};
use compliance_persistence::migrations;
use compliance_persistence::repo::{compliance_checks, review_notes};
use compliance_persistence::testing::TestDatabase;

const ANALYST2: &str = "(SELECT id FROM users WHERE username = 'analyst.two')";
const ENTITY: &str = "ae-corp-pending-002";

/// A database with the four users, a second analyst, one case the engine holds PENDING, and a
/// review note about it by every person.
fn held_case() -> (TestDatabase, Users, Case) {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    user(&mut conn, "analyst.two", Role::Analyst);
    let missing_documents = Reason {
        outcome: CheckStatus::Pending,
        stage: Stage::Kyc,
        ..pep_reason()
    };
    let c = case(&mut conn, &u.system, ENTITY, vec![missing_documents]);
    assert_eq!(
        (c.case.status, c.case.decision.status()),
        (CheckStatus::Pending, CheckStatus::Pending)
    );
    raw(
        &mut conn,
        &format!("INSERT INTO review_notes (entity_id, author_id, body) SELECT '{ENTITY}', id, 'a reason' FROM users WHERE role <> 'system'"),
    )
    .unwrap();
    drop(conn);
    (db, u, c)
}

fn set(assignments: &str) -> String {
    format!("UPDATE compliance_checks SET {assignments}, revision = revision + 1")
}

fn approve_by(by: &str) -> String {
    set(&format!(
        "status = 'APPROVED', decided_by = {by}, review_note_id = {}",
        note_of(by)
    ))
}

fn propose_by(by: &str) -> String {
    set(&format!(
        "approval_proposed_by = {by}, approval_proposed_at = now(), approval_note_id = {}",
        note_of(by)
    ))
}

#[test]
fn the_engines_pending_is_approved_only_by_a_waiver_two_people_made() {
    let (db, ..) = held_case();
    let mut conn = db.conn();
    // Nobody approves it alone, an officer no more than an analyst.
    refused(&mut conn, &approve_by(ANALYST), "compliance_checks_waiver");
    refused(&mut conn, &approve_by(OFFICER), "compliance_checks_waiver");
    // Any reviewer may propose the waiver, an analyst too.
    raw(&mut conn, &propose_by(ANALYST)).unwrap();
    // The proposer does not confirm it, nor does another analyst.
    refused(&mut conn, &approve_by(ANALYST), "compliance_checks_waiver");
    refused(&mut conn, &approve_by(ANALYST2), "compliance_checks_waiver");
    // Nor is the proposer swapped in the confirming update.
    refused(
        &mut conn,
        &set(&format!(
            "status = 'APPROVED', decided_by = {OFFICER}, review_note_id = {}, approval_proposed_by = {OFFICER2}, approval_note_id = {}",
            note_of(OFFICER),
            note_of(OFFICER2)
        )),
        "compliance_checks_waiver",
    );
    // A proposer deactivated since is no longer a pair of eyes.
    raw(
        &mut conn,
        "UPDATE users SET active = false WHERE username = 'analyst'",
    )
    .unwrap();
    refused(&mut conn, &approve_by(OFFICER), "compliance_checks_waiver");
    raw(
        &mut conn,
        "UPDATE users SET active = true WHERE username = 'analyst'",
    )
    .unwrap();
    // A compliance officer who is someone else confirms it.
    raw(&mut conn, &approve_by(OFFICER)).unwrap();
    assert_eq!(
        text(
            &mut conn,
            "SELECT status || ' proposed by ' || u.username AS value FROM compliance_checks c JOIN users u ON u.id = c.approval_proposed_by",
        ),
        "APPROVED proposed by analyst"
    );
}

#[test]
fn a_case_that_returns_to_pending_carries_no_earlier_proposal() {
    let (db, ..) = held_case();
    let mut conn = db.conn();
    raw(&mut conn, &propose_by(ANALYST)).unwrap();
    raw(&mut conn, &approve_by(OFFICER)).unwrap();
    // Back to PENDING by the engine with the old proposal kept: it would read as a waiver
    // nobody proposed, which one officer could then "confirm".
    let back = |proposal: &str| {
        set(&format!(
            "status = 'PENDING', decided_by = {SYSTEM}, review_note_id = NULL{proposal}"
        ))
    };
    refused(&mut conn, &back(""), "compliance_checks_four_eyes");
    raw(
        &mut conn,
        &back(
            ", approval_proposed_by = NULL, approval_proposed_at = NULL, approval_note_id = NULL",
        ),
    )
    .unwrap();
    refused(&mut conn, &approve_by(OFFICER2), "compliance_checks_waiver");
}

#[test]
fn the_down_migration_takes_a_waiting_waiver_off_the_row_and_the_audit_log_keeps_it() {
    use diesel_migrations::MigrationHarness;
    let (db, u, c) = held_case();
    let mut conn = db.conn();
    let entity = &c.kyc.check.entity_id;
    let why = ReviewReason::parse("originals seen at the branch").unwrap();
    let note = review_notes::insert(&mut conn, entity, u.analyst.id, &why).unwrap();
    compliance_checks::propose_approval(&mut conn, c.case.id, 1, entity, u.analyst.id, &note, true)
        .unwrap();
    let proposals = "SELECT count(*)::text AS value FROM compliance_checks WHERE approval_proposed_by IS NOT NULL";
    let audited = "SELECT count(*)::text AS value FROM audit_logs WHERE action = 'approval_proposed' AND details->>'waiver' = 'true'";
    assert_eq!(
        (text(&mut conn, proposals), text(&mut conn, audited)),
        ("1".to_owned(), "1".to_owned())
    );
    // Down to the schema before the waiver (and the migrations after it).
    loop {
        let reverted = conn
            .revert_last_migration(migrations::MIGRATIONS)
            .unwrap()
            .to_string();
        if reverted.replace('-', "").starts_with("20261206231000") {
            break;
        }
    }
    assert_eq!(
        (text(&mut conn, proposals), text(&mut conn, audited)),
        ("0".to_owned(), "1".to_owned())
    );
    // Up again: the schema takes the row as it is now.
    conn.run_pending_migrations(migrations::MIGRATIONS).unwrap();
    assert_eq!(text(&mut conn, proposals), "0");
}
