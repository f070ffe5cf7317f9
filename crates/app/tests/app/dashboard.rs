//! The backlog dashboard (issue 23, part 4): the counts the case tables' triggers keep follow
//! every kind of write (a submission, a reviewer's decision, a proposal and its confirmation, a
//! re-screening, an override, a new case for the entity, one that supersedes an open case),
//! each step checked against a full recount (`verify`'s check 22) and against what the step
//! must have moved; and only those triggers may write them.

use crate::support::*;
use compliance_app::{DashboardRecord, Decider};
use compliance_domain::*;
use compliance_ops::verify::{Outcome, VerifyOptions, verify};

const RECOUNT: u8 = 22;

/// The dashboard as the officer reads it.
fn board(s: &Seeded) -> DashboardRecord {
    s.compliance.dashboard(&s.officer()).unwrap()
}

/// How many cases wait in the queue of `j` and `status`.
fn waiting(d: &DashboardRecord, j: Jurisdiction, status: CheckStatus) -> i64 {
    d.queues
        .iter()
        .find(|q| q.jurisdiction == j && q.status == status)
        .unwrap()
        .cases
}

/// Today's decisions of `j` with this outcome by `by`.
fn decided(d: &DashboardRecord, j: Jurisdiction, status: CheckStatus, by: Decider) -> i64 {
    d.decided_today
        .iter()
        .filter(|c| c.jurisdiction == j && c.status == status && c.by == by)
        .map(|c| c.cases)
        .sum()
}

/// `verify`'s recount agrees with the kept counts; the dashboard, for the next assertions.
fn recounted(s: &Seeded, step: &str) -> DashboardRecord {
    let report = verify(s.db.config(), &VerifyOptions::default()).unwrap();
    let check = report
        .checks
        .into_iter()
        .find(|c| c.number == RECOUNT)
        .unwrap();
    assert_eq!(
        check.outcome,
        Outcome::Pass,
        "after {step}: {}",
        check.detail
    );
    board(s)
}

use CheckStatus::{Approved, Escalated, Pending, Rejected};
use Jurisdiction::{Ae, In, Us};

#[test]
fn the_counts_follow_every_kind_of_write_and_equal_a_recount() {
    let s = seeded();
    let (officer, admin, agent) = (s.officer(), s.admin(), s.agent());
    let d = recounted(&s, "the seed");
    // The seed: one case waits in each of three queues; the engine decided the others today.
    assert_eq!(waiting(&d, Ae, Pending), 1);
    assert_eq!(waiting(&d, Us, Pending), 1);
    assert_eq!(waiting(&d, In, Escalated), 1);
    assert_eq!(d.queues.iter().map(|q| q.cases).sum::<i64>(), 3);
    assert_eq!(d.queues.iter().map(|q| q.overdue).sum::<i64>(), 0);
    let oldest = d
        .queues
        .iter()
        .find(|q| q.jurisdiction == In && q.status == Escalated)
        .unwrap();
    assert_eq!(oldest.oldest_case_id, Some(s.current("in-corp-pep-002").id));
    assert_eq!(oldest.target_hours, Some(48));
    assert_eq!(decided(&d, Ae, Approved, Decider::Engine), 1);
    assert_eq!(decided(&d, Ae, Rejected, Decider::Engine), 1);
    assert_eq!(decided(&d, In, Approved, Decider::Engine), 1);
    assert_eq!(decided(&d, In, Rejected, Decider::Engine), 1);
    assert_eq!(decided(&d, Us, Approved, Decider::Engine), 2);
    assert_eq!(d.decided_today.iter().map(|c| c.cases).sum::<i64>(), 6);

    // A submission: a new entity's case waits in its queue.
    let mut application = scenario("ae-corp-pending-002");
    application.kyc.entity_id = entity("ae-corp-pending-900");
    let submitted = s
        .compliance
        .submit(&agent, &application, None)
        .unwrap()
        .case;
    assert_eq!(submitted.status, Pending);
    let d = recounted(&s, "a submission");
    assert_eq!(waiting(&d, Ae, Pending), 2);
    let level = d
        .open
        .iter()
        .find(|o| {
            o.jurisdiction == Ae && o.status == Pending && o.risk_level == submitted.risk_level
        })
        .unwrap();
    assert!(level.cases >= 1);

    // A reviewer's decision: it leaves the queue and counts as decided by a reviewer.
    s.compliance
        .review(
            &officer,
            submitted.id,
            Verdict::Reject,
            &reason("the company stopped answering"),
            submitted.revision,
        )
        .unwrap();
    let d = recounted(&s, "a decision");
    assert_eq!(waiting(&d, Ae, Pending), 1);
    assert_eq!(decided(&d, Ae, Rejected, Decider::Reviewer), 1);

    // A re-screening: the escalation matches a sanctions list; it stays ESCALATED, at the new
    // screening's risk level.
    let before = board(&s);
    let rescreened = sanctions_hit_on_the_escalation(&s);
    assert_eq!(rescreened.status, Escalated);
    let d = recounted(&s, "a re-screening");
    assert_eq!(waiting(&d, In, Escalated), 1);
    let levels: Vec<_> = d
        .open
        .iter()
        .filter(|o| o.jurisdiction == In && o.status == Escalated)
        .map(|o| (o.risk_level, o.cases))
        .collect();
    assert_eq!(levels, vec![(rescreened.risk_level, 1)]);
    assert_eq!(d.decided_today, before.decided_today);

    // The override: two reviewers clear the match. The status does not move, nor do the counts.
    let before = board(&s);
    let (list, entry) = sdn();
    let proposed = s
        .compliance
        .clear_match(
            &officer,
            rescreened.id,
            &list,
            &entry,
            &reason("other person"),
            rescreened.revision,
        )
        .unwrap();
    let confirmed = s
        .compliance
        .clear_match(
            &admin,
            rescreened.id,
            &list,
            &entry,
            &reason("checked the record"),
            proposed.revision,
        )
        .unwrap();
    assert!(confirmed.override_confirmed);
    let d = recounted(&s, "the override");
    assert_eq!(
        (d.open.clone(), d.decided_today.clone()),
        (before.open, before.decided_today)
    );

    // The approval under four eyes: the proposal moves nothing, the confirmation decides.
    let case = s.current("in-corp-pep-002");
    let proposal = s
        .compliance
        .review(
            &officer,
            case.id,
            Verdict::Approve,
            &reason("EDD done"),
            case.revision,
        )
        .unwrap();
    let d = recounted(&s, "a proposal");
    assert_eq!(waiting(&d, In, Escalated), 1);
    s.compliance
        .review(
            &admin,
            case.id,
            Verdict::Approve,
            &reason("agreed"),
            proposal.case.revision,
        )
        .unwrap();
    let d = recounted(&s, "a confirmation");
    assert_eq!(waiting(&d, In, Escalated), 0);
    assert_eq!(decided(&d, In, Approved, Decider::Reviewer), 1);
    assert!(d.open.iter().all(|o| o.jurisdiction != In));

    // A re-screening of an approved case onto a sanctions list: wherever the engine puts it,
    // the counts follow.
    let before = board(&s);
    let out = s
        .compliance
        .rescreen(&agent, &entity("us-ind-standard-002"), &sanctions_hit())
        .unwrap();
    let d = recounted(&s, "a re-screening of an approved case");
    let us_decided = |d: &DashboardRecord| {
        d.decided_today
            .iter()
            .filter(|c| c.jurisdiction == Us)
            .map(|c| c.cases)
            .sum::<i64>()
    };
    let us_waiting = |d: &DashboardRecord| waiting(d, Us, Pending) + waiting(d, Us, Escalated);
    if out.case.status == Approved {
        assert_eq!(
            (us_decided(&d), us_waiting(&d)),
            (us_decided(&before), us_waiting(&before))
        );
    } else if out.case.status == Rejected {
        assert_eq!(decided(&d, Us, Rejected, Decider::Engine), 1);
        assert_eq!(us_decided(&d), us_decided(&before));
    } else {
        assert_eq!(us_decided(&d), us_decided(&before) - 1);
        assert_eq!(us_waiting(&d), us_waiting(&before) + 1);
    }

    // A new case for a rejected entity: its rejection stays counted, the new case is decided.
    let mut again = scenario("ae-ind-flagged-003");
    again.kyc.red_flags.clear();
    again.aml.matches.clear();
    again.aml.risk_score = RiskScore::new(12).unwrap();
    let next = s.compliance.submit(&agent, &again, None).unwrap().case;
    assert_eq!((next.sequence, next.status), (2, Approved));
    let d = recounted(&s, "a new case after a rejection");
    assert_eq!(decided(&d, Ae, Rejected, Decider::Engine), 1);
    assert_eq!(decided(&d, Ae, Approved, Decider::Engine), 2);

    // A new case that supersedes an open one: the evidence for the case the engine holds
    // PENDING. The superseded case leaves the queue's counts.
    let mut evidence = scenario("ae-corp-pending-002");
    evidence.kyc.documents = <DocumentKind as strum::VariantArray>::VARIANTS
        .iter()
        .copied()
        .collect();
    let next = s.compliance.submit(&agent, &evidence, None).unwrap().case;
    assert_eq!((next.sequence, next.status), (2, Approved));
    let d = recounted(&s, "a new case superseding an open one");
    assert_eq!(waiting(&d, Ae, Pending), 0);
    assert_eq!(decided(&d, Ae, Approved, Decider::Engine), 3);
    let ae_pending = d
        .queues
        .iter()
        .find(|q| q.jurisdiction == Ae && q.status == Pending)
        .unwrap();
    assert_eq!(
        ae_pending.oldest_case_id, None,
        "a superseded case is nobody's oldest"
    );
}

#[test]
fn a_case_past_its_service_level_is_counted_overdue_and_the_oldest_says_how_long() {
    let s = seeded();
    let case = s.current("in-corp-pep-002");
    // The escalation entered its status three days ago (48 hours is the target), as a
    // database written days ago would hold it; the counts are moved with it, as the triggers
    // would have kept them then.
    let mut conn = s.db.conn();
    behind_the_triggers(
        &mut conn,
        &format!(
            "UPDATE compliance_checks SET decided_at = decided_at - interval '3 days' WHERE id = '{}'",
            case.id
        ),
    );
    behind_the_triggers(
        &mut conn,
        "UPDATE case_counts SET since = since - interval '3 days'
          WHERE kind = 'waiting' AND jurisdiction = 'IN' AND status = 'ESCALATED'",
    );
    let d = recounted(&s, "moving the escalation back three days");
    let queue = d
        .queues
        .iter()
        .find(|q| q.jurisdiction == In && q.status == Escalated)
        .unwrap();
    assert_eq!((queue.cases, queue.overdue), (1, 1));
    assert_eq!(queue.oldest_case_id, Some(case.id));
    let waited = queue.oldest_waited_seconds.unwrap();
    assert!((72 * 3600..73 * 3600).contains(&waited), "{waited}");
    assert_eq!(d.queues.iter().map(|q| q.overdue).sum::<i64>(), 1);
    // The queue's overdue filter finds the same case.
    let overdue = s
        .compliance
        .queue(
            &s.officer(),
            &compliance_app::QueueQuery {
                overdue: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(overdue.items.len(), 1);
}

#[test]
fn every_reviewer_role_reads_the_dashboard_and_the_system_agent_does_not() {
    let s = seeded();
    for caller in [s.analyst(), s.officer(), s.admin()] {
        assert!(s.compliance.dashboard(&caller).is_ok());
    }
    let err = s.compliance.dashboard(&s.agent()).unwrap_err();
    assert!(
        matches!(
            err,
            compliance_app::AppError::Forbidden {
                role: Role::System,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn only_the_counting_triggers_write_counts_and_verify_finds_a_tampered_one() {
    let s = seeded();
    let mut conn = s.db.conn();
    // The owner, writing directly, is refused by the guard.
    for sql in [
        "UPDATE case_counts SET cases = cases + 1",
        "DELETE FROM case_counts",
        "INSERT INTO case_counts VALUES ('open', 'AE', 'PENDING', 'LOW', '-infinity', 0, 1)",
    ] {
        let (state, constraint) = refusal(&mut conn, sql);
        assert_eq!(
            (state.as_str(), constraint.as_str()),
            ("42501", "case_counts_kept"),
            "{sql}"
        );
    }
    let (state, _) = refusal(&mut conn, "TRUNCATE case_counts");
    assert_ne!(state, "00000");
    recounted(&s, "the refused writes");
    // Around the guard, as only the owner or a superuser can: verify's recount finds it.
    behind_the_triggers(
        &mut conn,
        "UPDATE case_counts SET cases = cases + 5
          WHERE (kind, jurisdiction, status) = ('open', 'IN', 'ESCALATED')",
    );
    let report = verify(s.db.config(), &VerifyOptions::default()).unwrap();
    let check = report.checks.iter().find(|c| c.number == RECOUNT).unwrap();
    assert_eq!(check.outcome, Outcome::Fail, "{}", check.detail);
    assert!(
        check.detail.contains("open kept 8, recount 3")
            && check.detail.contains("kept 6, recount 1"),
        "{}",
        check.detail
    );
    assert!(
        check.detail.contains("1 bucket(s) differ"),
        "{}",
        check.detail
    );
}
