//! The engine's verdict is never silently overruled: a sanctions match found on an escalated
//! case blocks its approval until two reviewers clear it; an approval whose re-evaluation finds
//! something missing goes back to the queue; nobody clears a match alone.

use crate::support::*;
use compliance_app::records::{DispositionState, ReviewStepTaken};
use compliance_app::{AppError, QueueQuery};
use compliance_domain::*;
use compliance_persistence::repo::audit_logs::{self, AuditFilter};
use compliance_persistence::repo::false_positives;

fn actions(s: &Seeded, case: CaseId) -> Vec<AuditAction> {
    let case = case.as_uuid();
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

/// Whether the case is in the review queue now.
fn queued(s: &Seeded, case: CaseId) -> bool {
    s.compliance
        .queue(&s.officer(), &QueueQuery::default())
        .unwrap()
        .items
        .iter()
        .any(|q| q.case_id == case)
}

#[test]
fn a_sanctions_hit_on_an_escalated_case_is_approved_only_after_two_reviewers_clear_it() {
    let s = seeded();
    let (agent, officer, admin) = (s.agent(), s.officer(), s.admin());
    let id = "in-corp-pep-002";
    let out = s
        .compliance
        .rescreen(&agent, &entity(id), &pep_and_sanctions())
        .unwrap();
    assert_eq!(
        (out.case.status, out.case.engine_status, out.verdict),
        (
            CheckStatus::Escalated,
            CheckStatus::Rejected,
            CheckStatus::Rejected
        )
    );
    let case = out.case;
    assert!(case.engine_stricter);

    // Four eyes on the approval alone no longer suffice: the first step is already refused.
    let err = s
        .compliance
        .review(
            &officer,
            case.id,
            Verdict::Approve,
            &reason("EDD done"),
            case.revision,
        )
        .unwrap_err();
    assert!(
        matches!(err, AppError::Review(ReviewError::EngineRejects)),
        "{err}"
    );

    // One person alone cannot clear the match. Each step raises the case's revision.
    let (list, entry) = sdn();
    let proposed = s
        .compliance
        .clear_match(
            &officer,
            case.id,
            &list,
            &entry,
            &reason("different date of birth and nationality"),
            case.revision,
        )
        .unwrap();
    assert_eq!(proposed.disposition, DispositionState::Proposed);
    assert!(!proposed.override_confirmed);
    assert_eq!(proposed.verdict, CheckStatus::Rejected);
    assert_eq!(proposed.revision, case.revision + 1);
    assert_eq!(s.current(id).revision, proposed.revision);
    // A page read before the proposal cannot act on the case unseen.
    let unseen = s
        .compliance
        .clear_match(
            &admin,
            case.id,
            &list,
            &entry,
            &reason("confirming what I did not see"),
            case.revision,
        )
        .unwrap_err();
    assert!(
        matches!(unseen, AppError::StaleRevision { .. }),
        "{unseen:?}"
    );
    let alone = s
        .compliance
        .clear_match(
            &officer,
            case.id,
            &list,
            &entry,
            &reason("confirming myself"),
            proposed.revision,
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
        .compliance
        .review(
            &officer,
            case.id,
            Verdict::Approve,
            &reason("EDD done"),
            s.current(id).revision,
        )
        .unwrap_err();
    assert!(
        matches!(still, AppError::Review(ReviewError::EngineRejects)),
        "{still}"
    );
    // An analyst may not clear list matches at all: the role table refuses it up front.
    let analyst = s
        .compliance
        .clear_match(
            &s.analyst(),
            case.id,
            &list,
            &entry,
            &reason("looks different"),
            proposed.revision,
        )
        .unwrap_err();
    assert!(
        matches!(
            analyst,
            AppError::Forbidden {
                role: Role::Analyst,
                ..
            }
        ),
        "{analyst}"
    );

    // A second reviewer confirms: the override is complete; the PEP escalation remains.
    let confirmed = s
        .compliance
        .clear_match(
            &admin,
            case.id,
            &list,
            &entry,
            &reason("checked the SDN record: not our client"),
            s.current(id).revision,
        )
        .unwrap();
    assert_eq!(confirmed.disposition, DispositionState::Confirmed);
    assert_eq!(confirmed.id, proposed.id);
    assert!(confirmed.override_confirmed);
    assert_eq!(confirmed.verdict, CheckStatus::Escalated);
    assert_eq!(confirmed.revision, proposed.revision + 1);

    // The approval now takes its own four eyes.
    let first = s
        .compliance
        .review(
            &officer,
            case.id,
            Verdict::Approve,
            &reason("EDD on the PEP complete"),
            confirmed.revision,
        )
        .unwrap();
    assert_eq!(
        first.outcome,
        ReviewStepTaken::ApprovalProposed,
        "{first:?}"
    );
    let approved = s
        .compliance
        .review(
            &admin,
            case.id,
            Verdict::Approve,
            &reason("agree"),
            first.case.revision,
        )
        .unwrap();
    let approved = approved.case;
    assert_eq!(
        (approved.status, approved.engine_status),
        (CheckStatus::Approved, CheckStatus::Rejected),
        "approved, with the engine's own rejection kept beside it"
    );
    assert!(!approved.engine_stricter);
    assert!(!queued(&s, case.id));
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

    // The next re-screening with the same (cleared) entry keeps the approval; it is the very
    // screening the case rests on, so nothing is written.
    let again = s
        .compliance
        .rescreen(&agent, &entity(id), &pep_and_sanctions())
        .unwrap();
    assert!(again.replayed);
    assert_eq!(
        (again.case.status, again.verdict),
        (CheckStatus::Approved, CheckStatus::Escalated)
    );
    // The same entries against a newer watchlist: screened again, the approval stands.
    let mut newer = pep_and_sanctions();
    newer.watchlist_version = WatchlistVersion::parse("ofac-2026-12-01").unwrap();
    let kept = s.compliance.rescreen(&agent, &entity(id), &newer).unwrap();
    assert!(!kept.replayed);
    assert_eq!(
        (kept.case.status, kept.verdict),
        (CheckStatus::Approved, CheckStatus::Escalated)
    );
    // A PEP entry no screening matched before: the verdict is ESCALATED as before, but the
    // approval was not decided over this entry, so the case goes back to review.
    let mut second_pep = pep_and_sanctions();
    second_pep.matches.push(WatchlistMatch {
        kind: WatchlistKind::Pep,
        list: ListName::parse("IN-PEP").unwrap(),
        entry: ListEntryRef::parse("PEP-77").unwrap(),
        score: None,
    });
    let reopened = s
        .compliance
        .rescreen(&agent, &entity(id), &second_pep)
        .unwrap();
    assert_eq!(
        (reopened.before, reopened.case.status, reopened.verdict),
        (
            CheckStatus::Approved,
            CheckStatus::Escalated,
            CheckStatus::Escalated
        )
    );
    assert!(queued(&s, case.id), "back in the review queue");
    let mut new_hit = second_pep;
    new_hit.matches.push(WatchlistMatch {
        kind: WatchlistKind::Sanctions,
        list: ListName::parse("UN-SC").unwrap(),
        entry: ListEntryRef::parse("QDi.431").unwrap(),
        score: None,
    });
    // A new sanctions entry on the escalation: the engine's verdict is a rejection, and the case,
    // which belongs to its reviewers now (the engine moves no escalation), stays in their queue,
    // where no approval can pass over that verdict.
    let rescreened = s
        .compliance
        .rescreen(&agent, &entity(id), &new_hit)
        .unwrap();
    assert_eq!(
        (rescreened.case.status, rescreened.verdict),
        (CheckStatus::Escalated, CheckStatus::Rejected)
    );
    assert!(queued(&s, case.id));
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
    let proposed = s
        .compliance
        .clear_match(
            &s.officer(),
            case.id,
            &list,
            &entry,
            &reason("not them"),
            s.current(id).revision,
        )
        .unwrap();
    s.compliance
        .clear_match(
            &s.admin(),
            case.id,
            &list,
            &entry,
            &reason("agreed"),
            proposed.revision,
        )
        .unwrap();
    try_exec(&mut conn, &approve).unwrap();
}

#[test]
fn the_database_keeps_four_eyes_on_false_positives() {
    let s = seeded();
    let id = "in-corp-pep-002";
    let case = stored_case(&s, sanctions_hit_on_the_escalation(&s).id);
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
    let before = s.current(id);
    assert_eq!(before.status, CheckStatus::Approved);
    // AE now also asks individuals for their source of funds.
    publish_next_version(&s, "AE-KYC-DOCUMENTS", |p| {
        p["documents"]["individual"]
            .as_array_mut()
            .unwrap()
            .push("source_of_funds".into())
    });
    let mut conn = s.db.conn();

    // The same screening, under the new version: a new evaluation, not a retry.
    let out = s
        .compliance
        .rescreen(&s.agent(), &entity(id), &scenario(id).aml)
        .unwrap();
    assert!(!out.replayed);
    assert_eq!(
        (out.before, out.case.engine_status, out.case.status),
        (
            CheckStatus::Approved,
            CheckStatus::Pending,
            CheckStatus::Pending
        )
    );
    let queue = s
        .compliance
        .queue(&s.officer(), &QueueQuery::default())
        .unwrap()
        .items;
    let listed = queue
        .iter()
        .find(|q| q.case_id == before.id)
        .expect("back in the review queue");
    assert_eq!(listed.status, CheckStatus::Pending);
    let last = audit_logs::list(
        &mut conn,
        &AuditFilter {
            subject_id: Some(before.id.as_uuid()),
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
    let before = stored(&s, id);
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
    assert_eq!(stored(&s, id).decision.status(), CheckStatus::Rejected);
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
    let queue = s
        .compliance
        .queue(&s.officer(), &QueueQuery::default())
        .unwrap()
        .items;
    let listed = queue
        .iter()
        .find(|q| q.case_id == case.id)
        .expect("flagged in the queue");
    assert!(listed.engine_stricter);
    // The very screening the case rests on is a retry: nothing is re-evaluated.
    let agent = s.agent();
    let retry = s
        .compliance
        .rescreen(&agent, &entity(id), &pep_and_sanctions())
        .unwrap();
    assert!(retry.replayed);
    assert_eq!(retry.case.status, CheckStatus::Approved);
    // The next screening (the same entries, a newer watchlist) takes the approval back.
    let mut next = pep_and_sanctions();
    next.watchlist_version = WatchlistVersion::parse("ofac-2026-12-01").unwrap();
    let out = s.compliance.rescreen(&agent, &entity(id), &next).unwrap();
    assert!(!out.replayed);
    assert_eq!(out.case.status, CheckStatus::Rejected);
}

#[test]
fn a_superseded_case_is_history_that_nothing_changes() {
    let s = seeded();
    let id = "ae-ind-flagged-003";
    let first = s.current(id);
    let mut application = scenario(id);
    application.kyc.red_flags.clear();
    application.aml.matches.clear();
    application.aml.risk_score = RiskScore::new(12).unwrap();
    s.compliance.submit(&s.agent(), &application, None).unwrap();
    let err = try_exec(
        &mut s.db.conn(),
        &format!(
            "UPDATE compliance_checks SET revision = revision + 1 WHERE id = '{}'",
            first.id
        ),
    )
    .unwrap_err();
    assert!(err.contains("compliance_checks_not_current"), "{err}");
    // Only the system agent submits or re-screens: the role table refuses anyone else.
    let err = s
        .compliance
        .rescreen(&s.officer(), &entity(id), &application.aml)
        .unwrap_err();
    assert!(
        matches!(
            err,
            AppError::Forbidden {
                role: Role::ComplianceOfficer,
                ..
            }
        ),
        "{err}"
    );
}
