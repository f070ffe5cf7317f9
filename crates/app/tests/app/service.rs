//! The service end to end: submission in one transaction, review with the status table and
//! four eyes, races, re-screening, rule versions and replay.

use crate::support::*;
use compliance_app::{AppError, Reviewed};
use compliance_domain::input::CaseInput;
use compliance_domain::*;
use compliance_persistence::repo::audit_logs::{self, AuditFilter};
use compliance_persistence::repo::{compliance_checks, kyc_checks};
use compliance_rules::scenarios::scenarios;
use std::sync::{Arc, Barrier};

#[test]
fn the_nine_scenarios_are_decided_as_listed_and_written_with_their_audit_entries() {
    let s = with_rules();
    let mut conn = s.db.conn();
    for scenario in scenarios() {
        let submitted = s.service.submit(&scenario.case, s.users.agent.id).unwrap();
        assert_eq!(
            submitted.case.status, scenario.expected_status,
            "{}",
            scenario.id
        );
        assert_eq!(
            submitted.case.decision.risk_level(),
            scenario.expected_risk_level,
            "{}",
            scenario.id
        );
        let fired: Vec<&str> = submitted
            .case
            .decision
            .reasons()
            .iter()
            .map(|r| r.rule.code.as_str())
            .collect();
        assert_eq!(fired, scenario.expected_rules, "{}", scenario.id);
        let kyc = kyc_checks::find(&mut conn, submitted.kyc_check_id).unwrap();
        assert_eq!(
            kyc.status,
            submitted.case.decision.stage_status(Stage::Kyc),
            "{}",
            scenario.id
        );
        let actions: Vec<AuditAction> = audit_logs::list(
            &mut conn,
            &AuditFilter {
                entity_id: Some(scenario.case.kyc.entity_id.clone()),
                ..Default::default()
            },
        )
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
        assert_eq!(
            actions,
            [
                AuditAction::KycRecorded,
                AuditAction::AmlRecorded,
                AuditAction::DecisionRecorded
            ]
        );
    }
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM compliance_checks"),
        9
    );
}

#[test]
fn a_failure_half_way_writes_nothing() {
    let s = with_rules();
    let mut conn = s.db.conn();
    // The database refuses the case itself (a constraint added for the test); the KYC check
    // and the screening, written before it in the same transaction, must go with it.
    exec(
        &mut conn,
        "ALTER TABLE compliance_checks ADD CONSTRAINT ck_test_refuse_all CHECK (false) NOT VALID",
    );
    let before = count(&mut conn, "SELECT count(*) AS n FROM audit_logs");
    let err = s
        .service
        .submit(&scenario("ae-ind-clean-001"), s.users.agent.id)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the database refused the write (ck_test_refuse_all): new row for relation \"compliance_checks\" violates check constraint \"ck_test_refuse_all\""
    );
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM kyc_checks"), 0);
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM aml_checks"), 0);
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM audit_logs"),
        before
    );
}

#[test]
fn bad_input_is_a_typed_error_naming_every_field_and_writes_nothing() {
    let s = with_rules();
    let json = serde_json::json!({
        "kyc": {"entity_id": "AE Bad", "entity_type": "individual", "jurisdiction": "FR", "verification_score": 95,
                "documents": ["passport"], "investor": {"net_worth": {"amount": "12.345678", "currency": "USD"}}},
        "aml": {"risk_score": 10, "provider": "refinitiv-world-check", "watchlist_version": "2026-11-24"}
    });
    let input: CaseInput = serde_json::from_value(json).unwrap();
    let err = s
        .service
        .submit_input(&input, s.users.agent.id)
        .unwrap_err();
    let AppError::Input(input_error) = &err else {
        panic!("{err}")
    };
    let paths: Vec<&str> = input_error.fields.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "kyc.entity_id",
            "kyc.investor.net_worth.amount",
            "kyc.jurisdiction"
        ]
    );
    assert_eq!(
        count(&mut s.db.conn(), "SELECT count(*) AS n FROM kyc_checks"),
        0
    );
}

#[test]
fn a_repeated_submission_gets_its_stored_case_and_a_different_one_names_the_open_case() {
    let s = seeded();
    let mut conn = s.db.conn();
    let cases = count(&mut conn, "SELECT count(*) AS n FROM compliance_checks");
    let audit = count(&mut conn, "SELECT count(*) AS n FROM audit_logs");
    let stored = case_of(&s, "us-ind-standard-002");
    let again = s
        .service
        .submit(&scenario("us-ind-standard-002"), s.users.agent.id)
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.case, stored);
    // An open case (ESCALATED) and different inputs: a clear error naming both.
    let mut changed = scenario("in-corp-pep-002");
    changed.aml.risk_score = RiskScore::new(12).unwrap();
    let open = case_of(&s, "in-corp-pep-002");
    let err = s.service.submit(&changed, s.users.agent.id).unwrap_err();
    let AppError::OpenCase {
        entity: e,
        case,
        status,
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(
        (e.as_str(), *case, *status),
        ("in-corp-pep-002", open.id, CheckStatus::Escalated)
    );
    assert!(err.to_string().contains("in-corp-pep-002"), "{err}");
    assert!(err.to_string().contains(&open.id.to_string()), "{err}");
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM compliance_checks"),
        cases
    );
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM audit_logs"),
        audit
    );
}

fn case_of(s: &Seeded, id: &str) -> compliance_checks::StoredComplianceCheck {
    compliance_checks::find_by_entity_id(&mut s.db.conn(), &entity(id)).unwrap()
}

/// The revision a reviewer sees now.
fn seen(s: &Seeded, id: &str) -> i32 {
    case_of(s, id).revision
}

#[test]
fn an_analyst_decides_a_pending_case() {
    let s = seeded();
    let case = case_of(&s, "ae-corp-pending-002");
    assert_eq!(case.status, CheckStatus::Pending);
    let reviewed = s
        .service
        .review(
            case.id,
            s.users.analyst.id,
            Verdict::Approve,
            &reason("documents received by courier and verified"),
            case.revision,
        )
        .unwrap();
    let Reviewed::Decided(after) = reviewed else {
        panic!("{reviewed:?}")
    };
    assert_eq!(
        (after.status, after.decided_by),
        (CheckStatus::Approved, s.users.analyst.id)
    );
    assert_eq!(
        after.decision.status(),
        CheckStatus::Pending,
        "the engine's own decision is kept beside it"
    );
}

#[test]
fn an_escalation_is_cleared_by_two_different_officers() {
    let s = seeded();
    let second = {
        let mut conn = s.db.conn();
        let new = compliance_domain::input::NewUser {
            username: Username::parse("second.officer").unwrap(),
            email: Email::parse("second.officer@compliance.example").unwrap(),
            role: Role::ComplianceOfficer,
        };
        compliance_persistence::repo::users::insert(&mut conn, &new, Some(s.users.admin.id))
            .unwrap()
    };
    let case = case_of(&s, "in-corp-pep-002");
    assert_eq!(case.status, CheckStatus::Escalated);
    let analyst = s
        .service
        .review(
            case.id,
            s.users.analyst.id,
            Verdict::Approve,
            &reason("looks fine"),
            seen(&s, "in-corp-pep-002"),
        )
        .unwrap_err();
    assert!(
        matches!(analyst, AppError::Review(ReviewError::NotPermitted { .. })),
        "{analyst}"
    );
    let agent = s
        .service
        .review(
            case.id,
            s.users.agent.id,
            Verdict::Approve,
            &reason("auto"),
            seen(&s, "in-corp-pep-002"),
        )
        .unwrap_err();
    assert!(matches!(agent, AppError::NotAReviewer(_)), "{agent}");

    let first = s
        .service
        .review(
            case.id,
            s.users.officer.id,
            Verdict::Approve,
            &reason("EDD complete: source of wealth verified"),
            seen(&s, "in-corp-pep-002"),
        )
        .unwrap();
    assert!(
        matches!(first, Reviewed::ApprovalProposed(ref c) if c.status == CheckStatus::Escalated),
        "{first:?}"
    );
    let same = s
        .service
        .review(
            case.id,
            s.users.officer.id,
            Verdict::Approve,
            &reason("confirming myself"),
            seen(&s, "in-corp-pep-002"),
        )
        .unwrap_err();
    assert!(
        matches!(same, AppError::Review(ReviewError::SameReviewer { .. })),
        "{same}"
    );
    let confirmed = s
        .service
        .review(
            case.id,
            second.id,
            Verdict::Approve,
            &reason("second review agrees"),
            seen(&s, "in-corp-pep-002"),
        )
        .unwrap();
    let after = confirmed.case();
    assert_eq!(
        (after.status, after.decided_by),
        (CheckStatus::Approved, second.id)
    );
    assert_eq!(
        after.approval.as_ref().map(|a| a.by),
        Some(s.users.officer.id)
    );
}

#[test]
fn two_reviewers_at_once_get_one_success_and_one_conflict() {
    let s = seeded();
    let case = case_of(&s, "in-corp-pep-002");
    let barrier = Arc::new(Barrier::new(2));
    let reviewers = [s.users.officer.id, s.users.admin.id];
    let handles: Vec<_> = reviewers
        .into_iter()
        .map(|reviewer| {
            let (service, barrier) = (s.service.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                service.review(
                    case.id,
                    reviewer,
                    Verdict::Reject,
                    &reason("refused after EDD"),
                    case.revision,
                )
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    let conflict = results.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert!(conflict.is_conflict(), "{conflict}");
    let mut conn = s.db.conn();
    let changes = audit_logs::list(
        &mut conn,
        &AuditFilter {
            subject_id: Some(case.id),
            action: Some(AuditAction::StatusChanged),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(changes.len(), 1, "exactly one decision is recorded");
}

#[test]
fn re_screening_an_approved_entity_onto_a_sanctions_list_rejects_it() {
    let s = seeded();
    let id = entity("us-ind-standard-002");
    let before = case_of(&s, id.as_str());
    assert_eq!(before.status, CheckStatus::Approved);
    let out = s
        .service
        .rescreen(&id, &sanctions_hit(), s.users.agent.id)
        .unwrap();
    assert_eq!(
        (out.before, out.engine_status, out.case.status),
        (
            CheckStatus::Approved,
            CheckStatus::Rejected,
            CheckStatus::Rejected
        )
    );
    assert_eq!(out.case.risk_score.value(), 97);
    assert_ne!(out.case.aml_check_id, before.aml_check_id);
    let last = audit_logs::list(
        &mut s.db.conn(),
        &AuditFilter {
            subject_id: Some(before.id),
            ..Default::default()
        },
    )
    .unwrap()
    .pop()
    .unwrap();
    assert_eq!(
        (last.action, last.old_status, last.new_status),
        (
            AuditAction::StatusChanged,
            Some(CheckStatus::Approved),
            Some(CheckStatus::Rejected)
        )
    );
    // Rejected is final: no further re-screening.
    let err = s
        .service
        .rescreen(&id, &sanctions_hit(), s.users.agent.id)
        .unwrap_err();
    assert!(matches!(err, AppError::Final { .. }), "{err}");
}

#[test]
fn re_screening_leaves_an_escalation_to_its_reviewers_and_a_clean_approval_as_it_is() {
    let s = seeded();
    let escalated = s
        .service
        .rescreen(
            &entity("in-corp-pep-002"),
            &sanctions_hit(),
            s.users.agent.id,
        )
        .unwrap();
    assert_eq!(
        (escalated.engine_status, escalated.case.status),
        (CheckStatus::Rejected, CheckStatus::Escalated)
    );
    // Kept for its reviewers, and flagged: the engine's rejection waits in the queue, first.
    assert!(escalated.case.engine_stricter());
    let queue = s.service.queue(None, 100).unwrap();
    assert_eq!(queue[0].compliance_check_id, escalated.case.id);
    assert!(queue[0].engine_stricter);
    assert_eq!(queue[0].engine_status, CheckStatus::Rejected);
    let mut clean = sanctions_hit();
    clean.matches.clear();
    clean.risk_score = RiskScore::new(5).unwrap();
    let approved = s
        .service
        .rescreen(&entity("ae-ind-clean-001"), &clean, s.users.agent.id)
        .unwrap();
    assert_eq!(
        (approved.before, approved.case.status),
        (CheckStatus::Approved, CheckStatus::Approved)
    );
    let last = audit_logs::list(
        &mut s.db.conn(),
        &AuditFilter {
            subject_id: Some(approved.case.id),
            ..Default::default()
        },
    )
    .unwrap()
    .pop()
    .unwrap();
    assert_eq!(last.action, AuditAction::Rescreened);
}

#[test]
fn a_new_rule_version_is_used_at_once_and_old_decisions_replay_with_theirs() {
    let s = seeded();
    let mut conn = s.db.conn();
    let old = case_of(&s, "us-ind-standard-002");
    // Publish a stricter US-AML-RISK-EDD: escalate from 20 instead of 61.
    publish_next_version(&s, "US-AML-RISK-EDD", |p| {
        p["min_score"] = serde_json::json!(20)
    });

    let mut case = scenario("us-ind-standard-002");
    case.kyc.entity_id = entity("us-ind-standard-102");
    let decided = s.service.submit(&case, s.users.agent.id).unwrap();
    assert_eq!(
        decided.case.status,
        CheckStatus::Escalated,
        "the cache saw the new version"
    );
    assert!(
        decided
            .case
            .rule_versions
            .iter()
            .any(|r| r.code.as_str() == "US-AML-RISK-EDD" && r.version.get() == 2)
    );
    let replay = s.service.replay(&mut conn, &old).unwrap();
    assert!(replay.matches(), "{replay:?}");
    assert_eq!(replay.replayed.status(), CheckStatus::Approved);
}

#[test]
fn the_queue_lists_pending_and_escalated_cases_riskiest_first() {
    let s = seeded();
    let queue = s.service.queue(None, 100).unwrap();
    let ids: Vec<&str> = queue.iter().map(|q| q.entity_id.as_str()).collect();
    // in-corp-pep-002 scores 68, the two pending cases less.
    assert_eq!(ids[0], "in-corp-pep-002");
    assert_eq!(ids.len(), 3);
    assert!(queue.windows(2).all(|w| w[0].risk_score >= w[1].risk_score));
    assert!(queue.iter().all(|q| q.status.awaits_review()));
    let summary: i64 = s.service.summary().unwrap().iter().map(|l| l.checks).sum();
    assert_eq!(summary, 9);
    assert!(
        s.service
            .high_risk(None, 100)
            .unwrap()
            .iter()
            .all(|h| h.risk_level.is_high() || h.sanctions_match || h.pep_match)
    );
}
