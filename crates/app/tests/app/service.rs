//! The decision layer end to end, through `Compliance`: submission in one transaction, review
//! with the status table and four eyes, races, re-screening, rule versions and replay.

use crate::support::*;
use compliance_app::records::ReviewStepTaken;
use compliance_app::{AppError, ListSize, QueueQuery};
use compliance_domain::input::CaseInput;
use compliance_domain::*;
use compliance_persistence::repo::audit_logs::{self, AuditFilter};
use compliance_persistence::repo::kyc_checks;
use compliance_rules::scenarios::scenarios;
use std::sync::{Arc, Barrier};

#[test]
fn the_nine_scenarios_are_decided_as_listed_and_written_with_their_audit_entries() {
    let s = with_rules();
    let mut conn = s.db.conn();
    let agent = s.agent();
    for scenario in scenarios() {
        let submitted = s.compliance.submit(&agent, &scenario.case, None).unwrap();
        assert!(!submitted.replayed);
        assert_eq!(
            submitted.case.status, scenario.expected_status,
            "{}",
            scenario.id
        );
        assert_eq!(
            submitted.case.risk_level, scenario.expected_risk_level,
            "{}",
            scenario.id
        );
        let fired: Vec<&str> = submitted
            .case
            .reasons
            .iter()
            .map(|r| r.rule.as_str())
            .collect();
        assert_eq!(fired, scenario.expected_rules, "{}", scenario.id);
        let row = stored_case(&s, submitted.case.id);
        let kyc = kyc_checks::find(&mut conn, row.kyc_check_id).unwrap();
        assert_eq!(
            kyc.status,
            row.decision.stage_status(Stage::Kyc),
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
        .compliance
        .submit(&s.agent(), &scenario("ae-ind-clean-001"), None)
        .unwrap_err();
    assert!(matches!(err, AppError::Refused { .. }), "{err:?}");
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
        .compliance
        .submit_input(&s.agent(), &input, None)
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
    let stored = s.current("us-ind-standard-002");
    let again = s
        .compliance
        .submit(&s.agent(), &scenario("us-ind-standard-002"), None)
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.case, stored);
    // An open case (ESCALATED) and different inputs: a clear error naming both.
    let mut changed = scenario("in-corp-pep-002");
    changed.aml.risk_score = RiskScore::new(12).unwrap();
    let open = s.current("in-corp-pep-002");
    let err = s.compliance.submit(&s.agent(), &changed, None).unwrap_err();
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

/// The revision a reviewer sees now.
fn seen(s: &Seeded, id: &str) -> i32 {
    s.current(id).revision
}

#[test]
fn an_analyst_decides_a_pending_case_the_engine_no_longer_holds_and_rejects_one_it_does() {
    let s = seeded();
    let case = s.current("ae-corp-pending-002");
    assert_eq!(case.status, CheckStatus::Pending);
    let reviewed = s
        .compliance
        .review(
            &s.analyst(),
            case.id,
            Verdict::Reject,
            &reason("the company stopped answering"),
            case.revision,
        )
        .unwrap();
    assert_eq!(reviewed.outcome, ReviewStepTaken::Decided);
    let after = reviewed.case;
    assert_eq!(
        (after.status, after.decided_by, after.revision),
        (CheckStatus::Rejected, s.users.analyst.id, case.revision + 1)
    );
    assert_eq!(
        after.engine_status,
        CheckStatus::Pending,
        "the engine's own decision is kept beside it"
    );
    assert_eq!(
        after,
        s.current("ae-corp-pending-002"),
        "the answer is what was stored"
    );
}

/// Issue 17, defect 11: an analyst approving a case the engine holds PENDING ("the documents
/// have not been verified") is refused, and nothing is written. The evidence lifts it: the new
/// KYC result, submitted, is decided by the engine as the entity's next case. Or a waiver: one
/// reviewer proposes it with the reason, a compliance officer (someone else) confirms it, and the
/// audit trail says it was a waiver. The database refuses an approval without one.
#[test]
fn the_engines_pending_is_lifted_by_evidence_or_by_a_waiver_under_four_eyes() {
    let s = seeded();
    let mut conn = s.db.conn();
    let audit = |conn: &mut compliance_persistence::diesel::PgConnection| {
        count(conn, "SELECT count(*) AS n FROM audit_logs")
    };
    let pending = s.current("ae-corp-pending-002");
    let before = audit(&mut conn);
    let err = s
        .compliance
        .review(
            &s.analyst(),
            pending.id,
            Verdict::Approve,
            &reason("documents received by courier and verified"),
            pending.revision,
        )
        .unwrap_err();
    assert!(
        matches!(err, AppError::Review(ReviewError::EngineRequiresEvidence)),
        "{err}"
    );
    assert_eq!(s.current("ae-corp-pending-002"), pending);
    assert_eq!(audit(&mut conn), before, "nothing was written");

    // The evidence: the same company with every document, through the engine.
    let mut evidence = scenario("ae-corp-pending-002");
    evidence.kyc.documents = <DocumentKind as strum::VariantArray>::VARIANTS
        .iter()
        .copied()
        .collect();
    let next = s.compliance.submit(&s.agent(), &evidence, None).unwrap();
    assert!(!next.replayed);
    assert_eq!(
        (next.case.sequence, next.case.status),
        (2, CheckStatus::Approved),
        "the engine decides the evidence"
    );
    assert!(next.case.reasons.is_empty(), "{:?}", next.case.reasons);
    let queue = s
        .compliance
        .queue(&s.analyst(), &compliance_app::QueueQuery::default())
        .unwrap();
    assert!(
        queue.items.iter().all(|i| i.case_id != pending.id),
        "the superseded case leaves the queue"
    );
    // The superseded case is history: a stale page's review is refused as such, and its
    // detail names the current case.
    let before = audit(&mut conn);
    let err = s
        .compliance
        .review(
            &s.officer(),
            pending.id,
            Verdict::Reject,
            &reason("a page read before the evidence arrived"),
            pending.revision,
        )
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Superseded { current, .. } if *current == next.case.id),
        "{err}"
    );
    assert_eq!(audit(&mut conn), before, "nothing was written");
    let detail = s.compliance.case_detail(&s.officer(), pending.id).unwrap();
    assert_eq!(detail.superseded_by, Some(next.case.id));
    let detail = s
        .compliance
        .case_detail(&s.officer(), next.case.id)
        .unwrap();
    assert_eq!(detail.superseded_by, None);
    // The same KYC result again is a retry, not a third case.
    let again = s.compliance.submit(&s.agent(), &evidence, None).unwrap();
    assert!(again.replayed);
    assert_eq!(again.case.id, next.case.id);

    // The waiver, on the other pending case.
    let fund = s.current("us-fund-pending-003");
    let proposed = s
        .compliance
        .review(
            &s.analyst(),
            fund.id,
            Verdict::Waive,
            &reason("beneficial ownership certified by the administrator; certificate to follow"),
            fund.revision,
        )
        .unwrap();
    assert_eq!(proposed.outcome, ReviewStepTaken::WaiverProposed);
    assert_eq!(
        (proposed.case.status, proposed.case.approval_proposed_by),
        (CheckStatus::Pending, Some(s.users.analyst.id))
    );
    // The proposer does not confirm it; an approval is still refused.
    let err = s
        .compliance
        .review(
            &s.analyst(),
            fund.id,
            Verdict::Waive,
            &reason("confirming myself"),
            proposed.case.revision,
        )
        .unwrap_err();
    assert!(
        matches!(err, AppError::Review(ReviewError::SameReviewer { .. })),
        "{err}"
    );
    let err = s
        .compliance
        .review(
            &s.officer(),
            fund.id,
            Verdict::Approve,
            &reason("fine"),
            proposed.case.revision,
        )
        .unwrap_err();
    assert!(
        matches!(err, AppError::Review(ReviewError::EngineRequiresEvidence)),
        "{err}"
    );
    let confirmed = s
        .compliance
        .review(
            &s.officer(),
            fund.id,
            Verdict::Waive,
            &reason("waiver agreed: the administrator is regulated"),
            proposed.case.revision,
        )
        .unwrap();
    assert_eq!(confirmed.outcome, ReviewStepTaken::Decided);
    assert_eq!(
        (
            confirmed.case.status,
            confirmed.case.engine_status,
            confirmed.case.decided_by
        ),
        (
            CheckStatus::Approved,
            CheckStatus::Pending,
            s.users.officer.id
        )
    );
    let waivers = count(
        &mut conn,
        &format!(
            "SELECT count(*) AS n FROM audit_logs WHERE subject_id = '{}'
               AND action IN ('approval_proposed', 'status_changed') AND details->>'waiver' = 'true'",
            fund.id
        ),
    );
    assert_eq!(
        waivers, 2,
        "the proposal and the confirmation say it was a waiver"
    );

    // The database: an approval over the engine's PENDING without a waiver is refused, even by
    // the owner writing SQL (with the guards on).
    let other = scenario("ae-corp-pending-002");
    let mut third = other.clone();
    third.kyc.entity_id = entity("ae-corp-pending-902");
    let held = s.compliance.submit(&s.agent(), &third, None).unwrap().case;
    let officer = s.users.officer.id;
    let err = try_exec(
        &mut conn,
        &format!(
            "WITH n AS (INSERT INTO review_notes (entity_id, author_id, body)
                        VALUES ('ae-corp-pending-902', '{officer}', 'sql') RETURNING id)
             UPDATE compliance_checks SET status = 'APPROVED', decided_by = '{officer}',
                    review_note_id = (SELECT id FROM n), revision = revision + 1
              WHERE id = '{}'",
            held.id
        ),
    )
    .unwrap_err();
    assert!(err.contains("compliance_checks_waiver"), "{err}");
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
    let case = s.current("in-corp-pep-002");
    assert_eq!(case.status, CheckStatus::Escalated);
    let analyst = s
        .compliance
        .review(
            &s.analyst(),
            case.id,
            Verdict::Approve,
            &reason("looks fine"),
            seen(&s, "in-corp-pep-002"),
        )
        .unwrap_err();
    assert!(
        matches!(analyst, AppError::Review(ReviewError::NotPermitted { .. })),
        "{analyst}"
    );
    // The system agent's role may not review at all: refused by the role table, up front.
    let agent = s
        .compliance
        .review(
            &s.agent(),
            case.id,
            Verdict::Approve,
            &reason("auto"),
            seen(&s, "in-corp-pep-002"),
        )
        .unwrap_err();
    assert!(
        matches!(
            agent,
            AppError::Forbidden {
                role: Role::System,
                ..
            }
        ),
        "{agent}"
    );

    let first = s
        .compliance
        .review(
            &s.officer(),
            case.id,
            Verdict::Approve,
            &reason("EDD complete: source of wealth verified"),
            seen(&s, "in-corp-pep-002"),
        )
        .unwrap();
    assert_eq!(
        first.outcome,
        ReviewStepTaken::ApprovalProposed,
        "{first:?}"
    );
    assert_eq!(first.case.status, CheckStatus::Escalated);
    assert_eq!(first.case.approval_proposed_by, Some(s.users.officer.id));
    let same = s
        .compliance
        .review(
            &s.officer(),
            case.id,
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
        .compliance
        .review(
            &s.caller(&second),
            case.id,
            Verdict::Approve,
            &reason("second review agrees"),
            seen(&s, "in-corp-pep-002"),
        )
        .unwrap();
    assert_eq!(confirmed.outcome, ReviewStepTaken::Decided);
    let after = confirmed.case;
    assert_eq!(
        (after.status, after.decided_by),
        (CheckStatus::Approved, second.id)
    );
    assert_eq!(after.approval_proposed_by, Some(s.users.officer.id));
}

#[test]
fn two_reviewers_at_once_get_one_success_and_one_stale_revision() {
    let s = seeded();
    let case = s.current("in-corp-pep-002");
    let barrier = Arc::new(Barrier::new(2));
    let reviewers = [s.officer(), s.admin()];
    let handles: Vec<_> = reviewers
        .into_iter()
        .map(|reviewer| {
            let (compliance, barrier) = (s.compliance.clone(), barrier.clone());
            let (id, revision) = (case.id, case.revision);
            std::thread::spawn(move || {
                barrier.wait();
                compliance.review(
                    &reviewer,
                    id,
                    Verdict::Reject,
                    &reason("refused after EDD"),
                    revision,
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
    // The loser quoted a revision the winner moved on: a stale revision, to reload (not a
    // duplicate, not retryable as it stands).
    let lost = results.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert!(matches!(lost, AppError::StaleRevision { .. }), "{lost:?}");
    assert!(!lost.is_retryable(), "{lost:?}");
    let mut conn = s.db.conn();
    let changes = audit_logs::list(
        &mut conn,
        &AuditFilter {
            subject_id: Some(case.id.as_uuid()),
            action: Some(AuditAction::StatusChanged),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(changes.len(), 1, "exactly one decision is recorded");
}

/// Issue 17, defect 3: a duplicate key met by a review that has nothing to do with the
/// revision (here a unique index the test adds on review notes, which the review's own note
/// collides with) is a conflict naming that index, not a stale revision: reloading the case
/// would not help. Nothing is written.
#[test]
fn a_duplicate_key_in_a_review_that_is_not_about_the_revision_is_a_conflict_naming_its_index() {
    let s = seeded();
    let id = "ae-corp-pending-002";
    let mut conn = s.db.conn();
    exec(
        &mut conn,
        &format!(
            "CREATE UNIQUE INDEX uq_test_one_note_per_author ON review_notes (entity_id, author_id) \
              WHERE entity_id = '{id}'"
        ),
    );
    exec(
        &mut conn,
        &format!(
            "INSERT INTO review_notes (entity_id, author_id, body) VALUES ('{id}', '{a}', 'an earlier note')",
            a = s.users.analyst.id
        ),
    );
    let case = s.current(id);
    assert_eq!(case.status, CheckStatus::Pending);
    let audit = count(&mut conn, "SELECT count(*) AS n FROM audit_logs");
    let err = s
        .compliance
        .review(
            &s.analyst(),
            case.id,
            Verdict::Reject,
            &reason("documents never arrived"),
            case.revision,
        )
        .unwrap_err();
    match &err {
        AppError::Conflict { key, .. } => assert_eq!(key, "uq_test_one_note_per_author"),
        other => panic!("expected a conflict naming the index, got {other:?}"),
    }
    assert!(
        err.to_string().contains("uq_test_one_note_per_author"),
        "{err}"
    );
    assert!(!err.is_retryable(), "{err:?}");
    assert_eq!(s.current(id), case, "the case is as it was");
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM audit_logs"),
        audit
    );
    assert_eq!(
        count(
            &mut conn,
            &format!("SELECT count(*) AS n FROM review_notes WHERE entity_id = '{id}'")
        ),
        1
    );
}

#[test]
fn re_screening_an_approved_entity_onto_a_sanctions_list_rejects_it() {
    let s = seeded();
    let id = entity("us-ind-standard-002");
    let before = stored(&s, id.as_str());
    assert_eq!(before.status, CheckStatus::Approved);
    let out = s
        .compliance
        .rescreen(&s.agent(), &id, &sanctions_hit())
        .unwrap();
    assert!(!out.replayed);
    assert_eq!(
        (out.before, out.case.engine_status, out.case.status),
        (
            CheckStatus::Approved,
            CheckStatus::Rejected,
            CheckStatus::Rejected
        )
    );
    assert_eq!(out.verdict, CheckStatus::Rejected);
    assert_eq!(out.case.risk_score.value(), 97);
    assert_eq!(out.case.revision, before.revision + 1);
    assert_ne!(stored(&s, id.as_str()).aml_check_id, before.aml_check_id);
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
        .compliance
        .rescreen(&s.agent(), &id, &sanctions_hit())
        .unwrap_err();
    assert!(matches!(err, AppError::Final { .. }), "{err}");
}

#[test]
fn re_screening_leaves_an_escalation_to_its_reviewers_and_a_clean_approval_as_it_is() {
    let s = seeded();
    let agent = s.agent();
    let escalated = s
        .compliance
        .rescreen(&agent, &entity("in-corp-pep-002"), &sanctions_hit())
        .unwrap();
    assert_eq!(
        (escalated.case.engine_status, escalated.case.status),
        (CheckStatus::Rejected, CheckStatus::Escalated)
    );
    // Kept for its reviewers, and flagged: the engine's rejection waits in the queue, first.
    assert!(escalated.case.engine_stricter);
    let queue = s
        .compliance
        .queue(&s.officer(), &QueueQuery::default())
        .unwrap()
        .items;
    assert_eq!(queue[0].case_id, escalated.case.id);
    assert!(queue[0].engine_stricter);
    assert_eq!(queue[0].engine_status, CheckStatus::Rejected);
    let mut clean = sanctions_hit();
    clean.matches.clear();
    clean.risk_score = RiskScore::new(5).unwrap();
    let approved = s
        .compliance
        .rescreen(&agent, &entity("ae-ind-clean-001"), &clean)
        .unwrap();
    assert_eq!(
        (approved.before, approved.case.status),
        (CheckStatus::Approved, CheckStatus::Approved)
    );
    let last = audit_logs::list(
        &mut s.db.conn(),
        &AuditFilter {
            subject_id: Some(approved.case.id.as_uuid()),
            ..Default::default()
        },
    )
    .unwrap()
    .pop()
    .unwrap();
    assert_eq!(last.action, AuditAction::Rescreened);
}

/// A re-screening with the very screening the case rests on, under the same rule versions, is
/// a retry: answered with the case as it stands (`replayed`), with no new screening row, no
/// audit entry and no new revision. Under a new rule version the same screening is news.
#[test]
fn re_screening_with_the_screening_the_case_rests_on_is_replayed_and_writes_nothing() {
    let s = seeded();
    let agent = s.agent();
    let id = "us-ind-standard-002";
    let mut conn = s.db.conn();
    let rows = |conn: &mut compliance_persistence::diesel::PgConnection| {
        (
            count(conn, "SELECT count(*) AS n FROM aml_checks"),
            count(conn, "SELECT count(*) AS n FROM audit_logs"),
        )
    };
    let before = s.current(id);
    let written = rows(&mut conn);
    let again = s
        .compliance
        .rescreen(&agent, &entity(id), &scenario(id).aml)
        .unwrap();
    assert!(again.replayed, "{again:?}");
    assert_eq!(
        (again.before, again.verdict),
        (before.status, before.engine_status)
    );
    assert_eq!(again.case, before);
    assert_eq!(rows(&mut conn), written, "no screening row, no audit entry");

    // A different screening is written, once; repeating it is a retry again.
    let mut lower = scenario(id).aml;
    lower.risk_score = RiskScore::new(5).unwrap();
    let changed = s.compliance.rescreen(&agent, &entity(id), &lower).unwrap();
    assert!(!changed.replayed);
    assert_eq!(changed.case.revision, before.revision + 1);
    // One screening row; its `aml_recorded` and the case's `rescreened` entries.
    let once = (written.0 + 1, written.1 + 2);
    assert_eq!(rows(&mut conn), once);
    let repeated = s.compliance.rescreen(&agent, &entity(id), &lower).unwrap();
    assert!(repeated.replayed);
    assert_eq!(repeated.case, changed.case);
    assert_eq!(rows(&mut conn), once);

    // The same screening under a new version of a rule is a new evaluation.
    publish_next_version(&s, "US-AML-RISK-EDD", |_| {});
    let reevaluated = s.compliance.rescreen(&agent, &entity(id), &lower).unwrap();
    assert!(!reevaluated.replayed);
    assert_eq!(reevaluated.case.revision, before.revision + 2);
    assert!(
        reevaluated
            .case
            .rule_versions
            .iter()
            .any(|r| r.code.as_str() == "US-AML-RISK-EDD" && r.version.get() == 2)
    );
}

#[test]
fn a_new_rule_version_is_used_at_once_and_old_decisions_replay_with_theirs() {
    let s = seeded();
    let old = s.current("us-ind-standard-002");
    // Publish a stricter US-AML-RISK-EDD: escalate from 20 instead of 61.
    publish_next_version(&s, "US-AML-RISK-EDD", |p| {
        p["min_score"] = serde_json::json!(20)
    });

    let mut case = scenario("us-ind-standard-002");
    case.kyc.entity_id = entity("us-ind-standard-102");
    let decided = s.compliance.submit(&s.agent(), &case, None).unwrap();
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
    let replay = s.compliance.replay(&s.officer(), old.id).unwrap();
    assert!(replay.matches, "{replay:?}");
    assert_eq!(replay.case_id, old.id);
    assert_eq!(
        (replay.stored_status, replay.replayed_status),
        (CheckStatus::Approved, CheckStatus::Approved)
    );
}

#[test]
fn the_queue_lists_pending_and_escalated_cases_riskiest_first() {
    let s = seeded();
    let officer = s.officer();
    let queue = s
        .compliance
        .queue(&officer, &QueueQuery::default())
        .unwrap();
    assert_eq!(queue.next, None);
    let queue = queue.items;
    let ids: Vec<&str> = queue.iter().map(|q| q.entity_id.as_str()).collect();
    // in-corp-pep-002 scores 68, the two pending cases less.
    assert_eq!(ids[0], "in-corp-pep-002");
    assert_eq!(ids.len(), 3);
    assert!(queue.windows(2).all(|w| w[0].risk_score >= w[1].risk_score));
    assert!(queue.iter().all(|q| q.status.awaits_review()));
    let summary: i64 = s
        .compliance
        .summary(&officer)
        .unwrap()
        .iter()
        .map(|l| l.cases)
        .sum();
    assert_eq!(summary, 9);
    let high_risk = s
        .compliance
        .high_risk(&officer, None, ListSize::default())
        .unwrap();
    assert!(!high_risk.is_empty());
    assert!(
        high_risk
            .iter()
            .all(|h| h.risk_level.is_high() || !h.matches.is_empty())
    );
}
