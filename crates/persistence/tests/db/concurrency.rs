//! Races: two reviewers deciding one case at once get one success and one conflict, and exactly
//! one audit entry records the change. Nothing is overwritten.

use crate::support::*;
use compliance_domain::*;
use compliance_persistence::PersistenceError;
use compliance_persistence::repo::audit_logs::{self, AuditFilter};
use compliance_persistence::repo::compliance_checks::{self, StatusChange};
use compliance_persistence::repo::review_notes;
use compliance_persistence::testing::TestDatabase;
use std::sync::{Arc, Barrier};

#[test]
fn two_concurrent_status_changes_one_wins_one_conflicts_one_audit_entry() {
    let db = TestDatabase::new();
    let (officer, second, c) = {
        let mut conn = db.conn();
        let u = users(&mut conn);
        let c = case(&mut conn, &u.system, "in-corp-pep-002", vec![pep_reason()]);
        (u.officer, u.second_officer, c)
    };
    let barrier = Arc::new(Barrier::new(2));
    let revision = c.case.revision;
    let handles: Vec<_> = [officer, second]
        .into_iter()
        .map(|reviewer| {
            let (config, barrier, entity) = (
                db.config().clone(),
                barrier.clone(),
                c.kyc.check.entity_id.clone(),
            );
            let id = c.case.id;
            std::thread::spawn(move || {
                let mut conn = compliance_persistence::connect(&config).unwrap();
                let reason =
                    ReviewReason::parse(&format!("rejected by {}", reviewer.username.as_str()))
                        .unwrap();
                let note = review_notes::insert(&mut conn, &entity, reviewer.id, &reason).unwrap();
                let change = StatusChange {
                    transition: CheckStatus::Escalated
                        .transition_to(CheckStatus::Rejected, Trigger::Reviewer)
                        .unwrap(),
                    decided_by: reviewer.id,
                    review_note: Some(note),
                    overrides: Vec::new(),
                    waiver: false,
                };
                barrier.wait();
                compliance_checks::change_status(&mut conn, id, revision, &entity, &change)
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let wins: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let conflicts: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(wins.len(), 1, "{results:?}");
    assert_eq!(conflicts.len(), 1, "{results:?}");
    assert!(
        matches!(conflicts[0], PersistenceError::Stale { .. }),
        "{:?}",
        conflicts[0]
    );
    assert!(
        conflicts[0]
            .to_string()
            .contains("changed since it was read"),
        "{}",
        conflicts[0]
    );

    let mut conn = db.conn();
    let stored = compliance_checks::find(&mut conn, c.case.id).unwrap();
    assert_eq!(stored.status, CheckStatus::Rejected);
    assert_eq!(stored.revision, revision + 1);
    assert_eq!(stored.decided_by, wins[0].decided_by);
    let changes = audit_logs::list(
        &mut conn,
        &AuditFilter {
            subject_id: Some(c.case.id),
            action: Some(AuditAction::StatusChanged),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].actor, wins[0].decided_by);
}

#[test]
fn a_stale_revision_is_a_conflict_and_writes_nothing() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let c = case(&mut conn, &u.system, "in-corp-pep-002", vec![pep_reason()]);
    let reason = ReviewReason::parse("enhanced due diligence complete").unwrap();
    let entity = &c.kyc.check.entity_id;
    let first = review_notes::insert(&mut conn, entity, u.officer.id, &reason).unwrap();
    let second = review_notes::insert(&mut conn, entity, u.second_officer.id, &reason).unwrap();
    compliance_checks::propose_approval(
        &mut conn,
        c.case.id,
        c.case.revision,
        entity,
        u.officer.id,
        &first,
        false,
    )
    .unwrap();
    let before = audit_logs::count(&mut conn).unwrap();
    // A second reviewer working from the first read (revision 1) conflicts.
    let err = compliance_checks::propose_approval(
        &mut conn,
        c.case.id,
        c.case.revision,
        entity,
        u.second_officer.id,
        &second,
        false,
    )
    .unwrap_err();
    assert!(err.is_stale(), "{err}");
    assert_eq!(audit_logs::count(&mut conn).unwrap(), before);
    let stored = compliance_checks::find(&mut conn, c.case.id).unwrap();
    assert_eq!(stored.approval.map(|a| a.by), Some(u.officer.id));
}
