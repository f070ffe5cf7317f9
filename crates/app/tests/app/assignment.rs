//! Who works which case (issue 23): claims, assignments and releases through `Compliance`, their
//! audit entries, the queue's assignee and service-level columns and filters, and the guard
//! that says it all again in the database.

use crate::support::*;
use compliance_app::records::ReviewStepTaken;
use compliance_app::{AppError, AssigneeQuery, AuditQuery, QueueQuery};
use compliance_domain::*;
use std::sync::{Arc, Barrier};

/// A new active user with this role, created by the seed's admin.
fn person(s: &Seeded, name: &str, role: Role) -> User {
    let new = compliance_domain::input::NewUser {
        username: Username::parse(name).unwrap(),
        email: Email::parse(&format!("{name}@compliance.example")).unwrap(),
        role,
    };
    compliance_persistence::repo::users::insert(&mut s.db.conn(), &new, Some(s.users.admin.id))
        .unwrap()
}

/// The entity's audit entries with this action, oldest first.
fn entries(s: &Seeded, entity_id: &str, action: AuditAction) -> Vec<serde_json::Value> {
    let query = AuditQuery {
        oldest_first: true,
        ..AuditQuery::default()
    };
    s.compliance
        .audit(&s.officer(), &entity(entity_id), &query)
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.action == action)
        .map(|e| e.details)
        .collect()
}

/// A review of `case` by `caller` at `revision`, with `why` as the reason.
fn review(
    s: &Seeded,
    caller: &compliance_app::Caller,
    case: CaseId,
    verdict: Verdict,
    why: &str,
    revision: i32,
) -> Result<compliance_app::records::ReviewOutcome, AppError> {
    s.compliance
        .review(caller, case, verdict, &reason(why), revision)
}

const PENDING: &str = "ae-corp-pending-002";
const ESCALATED: &str = "in-corp-pep-002";

#[test]
fn a_claim_is_audited_and_a_second_claim_on_the_same_revision_is_a_lost_race() {
    let s = seeded();
    let case = s.current(PENDING);
    let other = person(&s, "second.analyst", Role::Analyst);
    let claimed = s
        .compliance
        .claim(&s.analyst(), case.id, case.revision)
        .unwrap();
    assert_eq!(claimed.action, Some(AssignmentAction::Claimed));
    assert_eq!(claimed.assignee, Some(s.users.analyst.id));
    assert_eq!(claimed.revision, case.revision + 1);
    // The other analyst read the same revision: a conflict, nothing overwritten.
    let late = s
        .compliance
        .claim(&s.caller(&other), case.id, case.revision)
        .unwrap_err();
    assert!(matches!(late, AppError::StaleRevision { .. }), "{late}");
    // Having read the claim, they may not take it over, nor release it.
    for err in [
        s.compliance
            .claim(&s.caller(&other), case.id, claimed.revision),
        s.compliance
            .release(&s.caller(&other), case.id, claimed.revision),
    ] {
        let err = err.unwrap_err();
        assert!(
            matches!(
                err,
                AppError::Assignment(AssignmentError::AssignedToOther { .. })
            ),
            "{err}"
        );
    }
    // A second claim of one's own case changes and records nothing.
    let again = s
        .compliance
        .claim(&s.analyst(), case.id, claimed.revision)
        .unwrap();
    assert_eq!((again.action, again.revision), (None, claimed.revision));
    let released = s
        .compliance
        .release(&s.analyst(), case.id, claimed.revision)
        .unwrap();
    assert_eq!(
        (released.action, released.assignee),
        (Some(AssignmentAction::Released), None)
    );
    let claims = entries(&s, PENDING, AuditAction::CaseClaimed);
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0]["assignee"], s.users.analyst.id.to_string());
    assert_eq!(claims[0]["previous_assignee"], serde_json::Value::Null);
    let releases = entries(&s, PENDING, AuditAction::CaseReleased);
    assert_eq!(
        releases[0]["previous_assignee"],
        s.users.analyst.id.to_string()
    );
}

#[test]
fn two_reviewers_claiming_at_once_one_wins_and_the_other_is_told() {
    let s = Arc::new(seeded());
    let case = s.current(PENDING);
    let other = person(&s, "second.analyst", Role::Analyst);
    let barrier = Arc::new(Barrier::new(2));
    let callers = [s.analyst(), s.caller(&other)];
    let handles: Vec<_> = callers
        .into_iter()
        .map(|caller| {
            let (s, barrier) = (Arc::clone(&s), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                s.compliance.claim(&caller, case.id, case.revision)
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "{results:?}");
    assert!(
        results
            .iter()
            .any(|r| matches!(r, Err(AppError::StaleRevision { .. }))),
        "{results:?}"
    );
    assert_eq!(entries(&s, PENDING, AuditAction::CaseClaimed).len(), 1);
}

#[test]
fn an_analyst_does_not_assign_and_nobody_assigns_to_someone_who_may_not_decide() {
    let s = seeded();
    let case = s.current(PENDING);
    let err = s
        .compliance
        .assign(&s.analyst(), case.id, s.users.officer.id, case.revision)
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden { .. }), "{err}");
    let escalated = s.current(ESCALATED);
    let bad = [
        (escalated.id, s.users.analyst.id, escalated.revision),
        (case.id, s.users.agent.id, case.revision),
        (
            case.id,
            UserId::from_uuid(uuid::Uuid::new_v4()),
            case.revision,
        ),
    ];
    for (id, assignee, revision) in bad {
        let err = s
            .compliance
            .assign(&s.officer(), id, assignee, revision)
            .unwrap_err();
        assert!(matches!(err, AppError::Assignment(_)), "{err}");
    }
    let approved = s.current("ae-ind-clean-001");
    let err = s
        .compliance
        .claim(&s.officer(), approved.id, approved.revision)
        .unwrap_err();
    assert!(
        matches!(
            err,
            AppError::Assignment(AssignmentError::NotInQueue { .. })
        ),
        "{err}"
    );
    assert!(entries(&s, PENDING, AuditAction::CaseAssigned).is_empty());
    assert_eq!(
        s.current(PENDING).revision,
        case.revision,
        "nothing written"
    );
}

#[test]
fn an_officer_acts_on_a_case_assigned_to_someone_else_and_it_is_recorded() {
    let s = seeded();
    let case = s.current(PENDING);
    let other = person(&s, "second.analyst", Role::Analyst);
    let claimed = s
        .compliance
        .claim(&s.analyst(), case.id, case.revision)
        .unwrap();
    // Another analyst leaves it to its assignee.
    let err = review(
        &s,
        &s.caller(&other),
        case.id,
        Verdict::Reject,
        "documents forged",
        claimed.revision,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            AppError::Assignment(AssignmentError::AssignedToOther { .. })
        ),
        "{err}"
    );
    // An officer is never blocked: the decision names whose assignment it acted over.
    let decided = review(
        &s,
        &s.officer(),
        case.id,
        Verdict::Reject,
        "urgent: the regulator asked for it today",
        claimed.revision,
    )
    .unwrap();
    assert_eq!(decided.case.status, CheckStatus::Rejected);
    let changes = entries(&s, PENDING, AuditAction::StatusChanged);
    let last = changes.last().unwrap();
    assert_eq!(last["over_assignment"], s.users.analyst.id.to_string());
}

#[test]
fn four_eyes_hold_when_the_proposer_is_the_assignee() {
    let s = seeded();
    let case = s.current(ESCALATED);
    let second = person(&s, "second.officer", Role::ComplianceOfficer);
    let claimed = s
        .compliance
        .claim(&s.officer(), case.id, case.revision)
        .unwrap();
    let proposed = review(
        &s,
        &s.officer(),
        case.id,
        Verdict::Approve,
        "EDD complete",
        claimed.revision,
    )
    .unwrap();
    assert_eq!(proposed.outcome, ReviewStepTaken::ApprovalProposed);
    let same = review(
        &s,
        &s.officer(),
        case.id,
        Verdict::Approve,
        "confirming my own case",
        proposed.case.revision,
    )
    .unwrap_err();
    assert!(
        matches!(same, AppError::Review(ReviewError::SameReviewer { .. })),
        "{same}"
    );
    let confirmed = review(
        &s,
        &s.caller(&second),
        case.id,
        Verdict::Approve,
        "second review agrees",
        proposed.case.revision,
    )
    .unwrap();
    assert_eq!(confirmed.case.status, CheckStatus::Approved);
    let changes = entries(&s, ESCALATED, AuditAction::StatusChanged);
    assert_eq!(
        changes.last().unwrap()["over_assignment"],
        s.users.officer.id.to_string()
    );
    let proposals = entries(&s, ESCALATED, AuditAction::ApprovalProposed);
    assert!(
        proposals[0].get("over_assignment").is_none(),
        "the assignee's own step"
    );
}

#[test]
fn the_database_refuses_an_update_that_bypasses_the_rules() {
    let s = seeded();
    let case = s.current(PENDING);
    let escalated = s.current(ESCALATED);
    let mut conn = s.db.conn();
    let (analyst, officer, agent) = (s.users.analyst.id, s.users.officer.id, s.users.agent.id);
    let set = |id: CaseId, to: UserId, by: UserId| {
        format!(
            "UPDATE compliance_checks SET assigned_to = '{to}', assigned_by = '{by}', assigned_at = now(), \
             revision = revision + 1 WHERE id = '{id}'"
        )
    };
    let refused = [
        (
            set(case.id, officer, analyst),
            "compliance_checks_assignment_actor",
        ),
        (set(case.id, agent, officer), "compliance_checks_assignee"),
        (
            set(escalated.id, analyst, officer),
            "compliance_checks_assignee",
        ),
        (
            set(case.id, officer, agent),
            "compliance_checks_assignment_actor",
        ),
    ];
    for (sql, constraint) in refused {
        assert_eq!(refusal(&mut conn, &sql).1, constraint, "{sql}");
    }
    // An analyst's decision on a case assigned to someone else.
    exec(&mut conn, &set(case.id, officer, officer));
    let note = compliance_persistence::repo::review_notes::insert(
        &mut conn,
        &entity(PENDING),
        analyst,
        &reason("bypass"),
    )
    .unwrap();
    let decide = format!(
        "UPDATE compliance_checks SET status = 'REJECTED', decided_by = '{analyst}', review_note_id = '{}', \
         revision = revision + 1 WHERE id = '{}'",
        note.id, case.id
    );
    assert_eq!(
        refusal(&mut conn, &decide).1,
        "compliance_checks_assigned_elsewhere"
    );
}

#[test]
fn the_queue_shows_and_filters_by_assignee_and_service_level() {
    let s = seeded();
    let case = s.current(PENDING);
    s.compliance
        .claim(&s.analyst(), case.id, case.revision)
        .unwrap();
    let page = |assignee: Option<AssigneeQuery>, overdue: bool| {
        let query = QueueQuery {
            assignee,
            overdue,
            ..QueueQuery::default()
        };
        s.compliance.queue(&s.analyst(), &query).unwrap().items
    };
    let all = page(None, false);
    assert!(all.len() > 1);
    let mine = page(Some(AssigneeQuery::Mine), false);
    assert_eq!(
        mine.iter().map(|i| i.case_id).collect::<Vec<_>>(),
        [case.id]
    );
    assert_eq!(mine[0].assigned_to, Some(s.users.analyst.id));
    assert_eq!(
        page(Some(AssigneeQuery::User(s.users.analyst.id)), false),
        mine
    );
    let unassigned = page(Some(AssigneeQuery::Unassigned), false);
    assert_eq!(unassigned.len(), all.len() - 1);
    assert!(unassigned.iter().all(|i| i.assigned_to.is_none()));
    // Every queued case has its clock; none is past the defaults yet.
    for item in &all {
        let target = match item.status {
            CheckStatus::Escalated => Some(48),
            CheckStatus::Pending => Some(168),
            _ => None,
        };
        assert_eq!(
            item.due_at,
            target.map(|h| item.status_since + chrono::Duration::hours(h)),
            "{item:?}"
        );
        assert!(!item.overdue);
    }
    assert!(page(None, true).is_empty());
    // Eight days in PENDING: past its seven.
    behind_the_triggers(
        &mut s.db.conn(),
        &format!(
            "UPDATE compliance_checks SET decided_at = decided_at - interval '8 days' WHERE id = '{}'",
            case.id
        ),
    );
    let overdue = page(None, true);
    assert_eq!(
        overdue.iter().map(|i| i.case_id).collect::<Vec<_>>(),
        [case.id]
    );
    assert!(overdue[0].overdue);
    assert_eq!(page(Some(AssigneeQuery::Unassigned), true), []);
}

#[test]
fn clearing_a_match_on_someone_elses_case_is_recorded_too() {
    let s = seeded();
    let hit = sanctions_hit_on_the_escalation(&s);
    let second = person(&s, "second.officer", Role::ComplianceOfficer);
    let claimed = s
        .compliance
        .claim(&s.caller(&second), hit.id, hit.revision)
        .unwrap();
    let (list, entry) = sdn();
    s.compliance
        .clear_match(
            &s.officer(),
            hit.id,
            &list,
            &entry,
            &reason("another person: dates of birth differ"),
            claimed.revision,
        )
        .unwrap();
    let proposals = entries(&s, ESCALATED, AuditAction::FalsePositiveProposed);
    assert_eq!(proposals[0]["over_assignment"], second.id.to_string());
}
