//! The engine's verdict is never silently overruled: a sanctions match found on an escalated
//! case blocks its approval until two reviewers clear it; an approval whose re-evaluation finds
//! something missing goes back to the queue; nobody clears a match alone.

use crate::support::*;
use compliance_app::{AppError, Reviewed};
use compliance_domain::*;
use compliance_persistence::repo::audit_logs::{self, AuditFilter};
use compliance_persistence::repo::{compliance_checks, false_positives};

fn reason(text: &str) -> ReviewReason {
    ReviewReason::parse(text).unwrap()
}

fn current(s: &Seeded, id: &str) -> compliance_checks::StoredComplianceCheck {
    s.service.current_case(&entity(id)).unwrap()
}

fn actions(s: &Seeded, case: uuid::Uuid) -> Vec<AuditAction> {
    let mut conn = s.db.conn();
    let mut on_case = audit_logs::list(
        &mut conn,
        &AuditFilter {
            subject_id: Some(case),
            ..Default::default()
        },
    )
    .unwrap();
    let fps: Vec<uuid::Uuid> = false_positives::for_case(&mut conn, case)
        .unwrap()
        .into_iter()
        .map(|f| f.id)
        .collect();
    for fp in fps {
        on_case.extend(
            audit_logs::list(
                &mut conn,
                &AuditFilter {
                    subject_id: Some(fp),
                    ..Default::default()
                },
            )
            .unwrap(),
        );
    }
    on_case.sort_by_key(|e| e.id);
    on_case.into_iter().map(|e| e.action).collect()
}

#[test]
fn a_sanctions_hit_on_an_escalated_case_is_approved_only_after_two_reviewers_clear_it() {
    let s = seeded();
    let (officer, admin) = (s.users.officer.id, s.users.admin.id);
    let id = "in-corp-pep-002";
    let out = s
        .service
        .rescreen(&entity(id), &pep_and_sanctions(), s.users.agent.id)
        .unwrap();
    assert_eq!(
        (out.case.status, out.engine_status, out.verdict),
        (
            CheckStatus::Escalated,
            CheckStatus::Rejected,
            CheckStatus::Rejected
        )
    );
    let case = out.case;
    assert!(case.engine_stricter());

    // Four eyes on the approval alone no longer suffice: the first step is already refused.
    let err = s
        .service
        .review(
            case.id,
            officer,
            Verdict::Approve,
            &reason("EDD done"),
            case.revision,
        )
        .unwrap_err();
    assert!(
        matches!(err, AppError::Review(ReviewError::EngineRejects)),
        "{err}"
    );

    // One person alone cannot clear the match.
    let (list, entry) = sdn();
    let proposed = s
        .service
        .clear_match(
            case.id,
            &list,
            &entry,
            officer,
            &reason("different date of birth and nationality"),
        )
        .unwrap();
    assert!(!proposed.false_positive.disposition.is_confirmed());
    assert!(!proposed.override_confirmed);
    let alone = s
        .service
        .clear_match(
            case.id,
            &list,
            &entry,
            officer,
            &reason("confirming myself"),
        )
        .unwrap_err();
    assert!(
        matches!(
            alone,
            AppError::Disposition(DispositionError::SameReviewer { .. })
        ),
        "{alone}"
    );
    let still = s
        .service
        .review(
            case.id,
            officer,
            Verdict::Approve,
            &reason("EDD done"),
            current(&s, id).revision,
        )
        .unwrap_err();
    assert!(
        matches!(still, AppError::Review(ReviewError::EngineRejects)),
        "{still}"
    );
    // An analyst may not clear sanctions matches at all.
    let analyst = s
        .service
        .clear_match(
            case.id,
            &list,
            &entry,
            s.users.analyst.id,
            &reason("looks different"),
        )
        .unwrap_err();
    assert!(
        matches!(
            analyst,
            AppError::Disposition(DispositionError::NotPermitted { .. })
        ),
        "{analyst}"
    );

    // A second reviewer confirms: the override is complete; the PEP escalation remains.
    let confirmed = s
        .service
        .clear_match(
            case.id,
            &list,
            &entry,
            admin,
            &reason("checked the SDN record: not our client"),
        )
        .unwrap();
    assert!(confirmed.override_confirmed);
    assert_eq!(confirmed.verdict, CheckStatus::Escalated);

    // The approval now takes its own four eyes.
    let first = s
        .service
        .review(
            case.id,
            officer,
            Verdict::Approve,
            &reason("EDD on the PEP complete"),
            current(&s, id).revision,
        )
        .unwrap();
    assert!(matches!(first, Reviewed::ApprovalProposed(_)), "{first:?}");
    let approved = s
        .service
        .review(
            case.id,
            admin,
            Verdict::Approve,
            &reason("agree"),
            current(&s, id).revision,
        )
        .unwrap();
    let approved = approved.case();
    assert_eq!(
        (approved.status, approved.decision.status()),
        (CheckStatus::Approved, CheckStatus::Rejected),
        "approved, with the engine's own rejection kept beside it"
    );
    assert!(!approved.engine_stricter());
    assert!(
        s.service
            .queue(None, 100)
            .unwrap()
            .iter()
            .all(|q| q.compliance_check_id != case.id)
    );
    assert_eq!(
        actions(&s, case.id),
        [
            AuditAction::DecisionRecorded,
            AuditAction::Rescreened,
            AuditAction::FalsePositiveProposed,
            AuditAction::FalsePositiveConfirmed,
            AuditAction::OverrideConfirmed,
            AuditAction::ApprovalProposed,
            AuditAction::StatusChanged,
        ]
    );

    // The next re-screening with the same (cleared) entry keeps the approval.
    let again = s
        .service
        .rescreen(&entity(id), &pep_and_sanctions(), s.users.agent.id)
        .unwrap();
    assert_eq!(
        (again.case.status, again.verdict),
        (CheckStatus::Approved, CheckStatus::Escalated)
    );
    // A PEP entry no screening matched before: the verdict is ESCALATED as before, but the
    // approval was not decided over this entry, so the case goes back to review.
    let mut second_pep = pep_and_sanctions();
    second_pep.matches.push(WatchlistMatch {
        kind: WatchlistKind::Pep,
        list: ListName::parse("IN-PEP").unwrap(),
        entry: ListEntryRef::parse("PEP-77").unwrap(),
    });
    let reopened = s
        .service
        .rescreen(&entity(id), &second_pep, s.users.agent.id)
        .unwrap();
    assert_eq!(
        (reopened.before, reopened.case.status, reopened.verdict),
        (
            CheckStatus::Approved,
            CheckStatus::Escalated,
            CheckStatus::Escalated
        )
    );
    assert!(
        s.service
            .queue(None, 100)
            .unwrap()
            .iter()
            .any(|q| q.compliance_check_id == case.id),
        "back in the review queue"
    );
    let mut new_hit = second_pep;
    new_hit.matches.push(WatchlistMatch {
        kind: WatchlistKind::Sanctions,
        list: ListName::parse("UN-SC").unwrap(),
        entry: ListEntryRef::parse("QDi.431").unwrap(),
    });
    // A new sanctions entry on the escalation: the engine's verdict is a rejection, and the case,
    // which belongs to its reviewers now (the engine moves no escalation), stays in their queue,
    // where no approval can pass over that verdict.
    let rescreened = s
        .service
        .rescreen(&entity(id), &new_hit, s.users.agent.id)
        .unwrap();
    assert_eq!(
        (rescreened.case.status, rescreened.verdict),
        (CheckStatus::Escalated, CheckStatus::Rejected)
    );
    assert!(
        s.service
            .queue(None, 100)
            .unwrap()
            .iter()
            .any(|q| q.compliance_check_id == case.id)
    );
}

#[test]
fn the_database_refuses_an_approval_over_an_engine_rejection_without_the_override() {
    let s = seeded();
    let id = "in-corp-pep-002";
    let case = sanctions_hit_on_the_escalation(&s);
    let mut conn = s.db.conn();
    // Behind the service's back, as a writer with raw SQL would: a proposal by one officer,
    // then the confirmation by the other.
    exec(
        &mut conn,
        &format!(
            "INSERT INTO review_notes (entity_id, author_id, body) VALUES \
             ('{id}', '{o}', 'proposal'), ('{id}', '{a}', 'confirmation')",
            o = s.users.officer.id,
            a = s.users.admin.id
        ),
    );
    let note = |by: UserId| {
        format!(
            "(SELECT id FROM review_notes WHERE author_id = '{by}' ORDER BY created_at LIMIT 1)"
        )
    };
    exec(
        &mut conn,
        &format!(
            "UPDATE compliance_checks SET approval_proposed_by = '{o}', approval_proposed_at = now(), \
             approval_note_id = {n}, revision = revision + 1 WHERE id = '{c}'",
            o = s.users.officer.id,
            n = note(s.users.officer.id),
            c = case.id
        ),
    );
    let approve = format!(
        "UPDATE compliance_checks SET status = 'APPROVED', decided_by = '{a}', decided_at = now(), \
         review_note_id = {n}, revision = revision + 1 WHERE id = '{c}'",
        a = s.users.admin.id,
        n = note(s.users.admin.id),
        c = case.id
    );
    let err = try_exec(&mut conn, &approve).unwrap_err();
    assert!(err.contains("compliance_checks_engine_rejected"), "{err}");
    // With the match confirmed a false positive by two people, the same statement passes.
    let (list, entry) = sdn();
    s.service
        .clear_match(
            case.id,
            &list,
            &entry,
            s.users.officer.id,
            &reason("not them"),
        )
        .unwrap();
    s.service
        .clear_match(case.id, &list, &entry, s.users.admin.id, &reason("agreed"))
        .unwrap();
    try_exec(&mut conn, &approve).unwrap();
}

#[test]
fn the_database_keeps_four_eyes_on_false_positives() {
    let s = seeded();
    let id = "in-corp-pep-002";
    let case = sanctions_hit_on_the_escalation(&s);
    let mut conn = s.db.conn();
    exec(
        &mut conn,
        &format!(
            "INSERT INTO review_notes (entity_id, author_id, body) SELECT '{id}', id, 'a reason' FROM users WHERE role <> 'system'"
        ),
    );
    let insert = |by: UserId, confirmed_by: Option<UserId>, entry: &str| {
        let note = |u: UserId| format!("(SELECT id FROM review_notes WHERE author_id = '{u}')");
        format!(
            "INSERT INTO false_positives (compliance_check_id, aml_check_id, list, entry, proposed_by, proposal_note_id, confirmed_by, confirmed_at, confirmation_note_id) \
             VALUES ('{c}', '{a}', 'OFAC-SDN', '{entry}', '{by}', {pn}, {cb}, {ca}, {cn})",
            c = case.id,
            a = case.aml_check_id,
            pn = note(by),
            cb = confirmed_by.map_or("NULL".into(), |u| format!("'{u}'")),
            ca = if confirmed_by.is_some() {
                "now()"
            } else {
                "NULL"
            },
            cn = confirmed_by.map_or("NULL".into(), note),
        )
    };
    let officer = s.users.officer.id;
    for (sql, guard) in [
        (
            insert(officer, Some(officer), "SDN-99001"),
            "false_positives_four_eyes",
        ),
        (
            insert(officer, None, "SDN-00000"),
            "false_positives_matched_entry",
        ),
        (
            insert(s.users.analyst.id, None, "SDN-99001"),
            "false_positives_reviewer_role",
        ),
    ] {
        let err = try_exec(&mut conn, &sql).unwrap_err();
        assert!(err.contains(guard), "{guard}: {err}");
    }
    try_exec(&mut conn, &insert(officer, None, "SDN-99001")).unwrap();
    let confirm = |by: UserId| {
        format!(
            "UPDATE false_positives SET confirmed_by = '{by}', confirmed_at = now(), \
             confirmation_note_id = (SELECT id FROM review_notes WHERE author_id = '{by}')"
        )
    };
    let err = try_exec(&mut conn, &confirm(officer)).unwrap_err();
    assert!(err.contains("ck_false_positives_four_eyes"), "{err}");
    try_exec(&mut conn, &confirm(s.users.admin.id)).unwrap();
    let err = try_exec(&mut conn, "DELETE FROM false_positives").unwrap_err();
    assert!(err.contains("false_positives_kept"), "{err}");
}

#[test]
fn an_approved_case_whose_re_evaluation_finds_a_document_missing_goes_back_to_the_queue() {
    let s = seeded();
    let id = "ae-ind-clean-001";
    let before = current(&s, id);
    assert_eq!(before.status, CheckStatus::Approved);
    // AE now also asks individuals for their source of funds.
    publish_next_version(&s, "AE-KYC-DOCUMENTS", |p| {
        p["documents"]["individual"]
            .as_array_mut()
            .unwrap()
            .push("source_of_funds".into())
    });
    let mut conn = s.db.conn();

    let out = s
        .service
        .rescreen(&entity(id), &scenario(id).aml, s.users.agent.id)
        .unwrap();
    assert_eq!(
        (out.before, out.engine_status, out.case.status),
        (
            CheckStatus::Approved,
            CheckStatus::Pending,
            CheckStatus::Pending
        )
    );
    let queue = s.service.queue(None, 100).unwrap();
    let listed = queue
        .iter()
        .find(|q| q.compliance_check_id == before.id)
        .expect("back in the review queue");
    assert_eq!(listed.status, CheckStatus::Pending);
    let last = audit_logs::list(
        &mut conn,
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
            Some(CheckStatus::Pending)
        )
    );
}

#[test]
fn raw_sql_cannot_rewrite_the_engines_verdict_to_get_an_approval_past_the_guard() {
    let s = seeded();
    let id = "in-corp-pep-002";
    let before = current(&s, id);
    let case = sanctions_hit_on_the_escalation(&s);
    let mut conn = s.db.conn();
    exec(
        &mut conn,
        &format!(
            "INSERT INTO review_notes (entity_id, author_id, body) VALUES ('{id}', '{a}', 'approve')",
            a = s.users.admin.id
        ),
    );
    let without_rejections = "(SELECT coalesce(jsonb_agg(r), '[]') FROM jsonb_array_elements(reasons) r WHERE r ->> 'outcome' <> 'REJECTED')";
    // One statement: approve, and say the engine did not reject.
    let err = try_exec(
        &mut conn,
        &format!(
            "UPDATE compliance_checks SET status = 'APPROVED', decided_by = '{a}', review_note_id = (SELECT id FROM review_notes WHERE author_id = '{a}'),
                    reasons = {without_rejections}, engine_status = 'ESCALATED', revision = revision + 1 WHERE id = '{c}'",
            a = s.users.admin.id,
            c = case.id
        ),
    )
    .unwrap_err();
    assert!(err.contains("compliance_checks_engine_verdict"), "{err}");
    // Two steps: first the verdict alone, then two officers through the service.
    let err = try_exec(
        &mut conn,
        &format!(
            "UPDATE compliance_checks SET reasons = {without_rejections}, engine_status = 'ESCALATED', revision = revision + 1 WHERE id = '{}'",
            case.id
        ),
    )
    .unwrap_err();
    assert!(err.contains("compliance_checks_engine_verdict"), "{err}");
    // Pointing the case back at its older, clean screening.
    let err = try_exec(
        &mut conn,
        &format!(
            "UPDATE compliance_checks SET aml_check_id = '{old}', reasons = {without_rejections}, engine_status = 'ESCALATED',
                    risk_score = {score}, risk_level = '{level}', revision = revision + 1 WHERE id = '{c}'",
            old = before.aml_check_id,
            score = before.risk_score.value(),
            level = before.decision.risk_level(),
            c = case.id
        ),
    )
    .unwrap_err();
    assert!(err.contains("compliance_checks_engine_verdict"), "{err}");
    assert_eq!(current(&s, id).decision.status(), CheckStatus::Rejected);
}

#[test]
fn an_approval_over_a_rejection_without_an_override_is_flagged_and_taken_back_by_the_engine() {
    // As a database written before the override existed could hold it.
    let s = seeded();
    let id = "in-corp-pep-002";
    let case = sanctions_hit_on_the_escalation(&s);
    behind_the_triggers(
        &mut s.db.conn(),
        &format!(
            "UPDATE compliance_checks SET status = 'APPROVED', decided_by = '{}', decided_at = now() WHERE id = '{}'",
            s.users.admin.id, case.id
        ),
    );
    let queue = s.service.queue(None, 100).unwrap();
    let listed = queue
        .iter()
        .find(|q| q.compliance_check_id == case.id)
        .expect("flagged in the queue");
    assert!(listed.engine_stricter);
    let out = s
        .service
        .rescreen(&entity(id), &pep_and_sanctions(), s.users.agent.id)
        .unwrap();
    assert_eq!(out.case.status, CheckStatus::Rejected);
}

#[test]
fn a_superseded_case_is_history_that_nothing_changes() {
    let s = seeded();
    let id = "ae-ind-flagged-003";
    let first = current(&s, id);
    let mut application = scenario(id);
    application.kyc.red_flags.clear();
    application.aml.matches.clear();
    application.aml.risk_score = RiskScore::new(12).unwrap();
    s.service.submit(&application, s.users.agent.id).unwrap();
    let err = try_exec(
        &mut s.db.conn(),
        &format!(
            "UPDATE compliance_checks SET revision = revision + 1 WHERE id = '{}'",
            first.id
        ),
    )
    .unwrap_err();
    assert!(err.contains("compliance_checks_not_current"), "{err}");
    // Only the system agent submits or re-screens.
    let err = s
        .service
        .rescreen(&entity(id), &application.aml, s.users.officer.id)
        .unwrap_err();
    assert!(matches!(err, AppError::NotTheAgent { .. }), "{err}");
}
