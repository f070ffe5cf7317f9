//! Every repository function, through the real database: what goes in comes back, filters
//! filter, natural keys find, duplicates conflict, and each write leaves its audit entry.

use crate::support::*;
use chrono::{TimeZone, Utc};
use compliance_domain::blockchain::*;
use compliance_domain::{
    AuditAction, CheckStatus, Decision, Email, Jurisdiction, ListEntryRef, ListName, Reason,
    RedFlag, ReviewReason, RiskLevel, RiskScore, Role, RuleCode, RuleRef, RuleVersion, Stage,
    Trigger, User, UserId, WatchlistKind,
};
use compliance_persistence::repo::*;
use compliance_persistence::testing::TestDatabase;
use compliance_persistence::{Database, DatabaseConfig, OptionalExt, PersistenceError};

fn audit_actions(conn: &mut diesel::PgConnection, subject: uuid::Uuid) -> Vec<AuditAction> {
    audit_logs::list(
        conn,
        &audit_logs::AuditFilter {
            subject_id: Some(subject),
            ..Default::default()
        },
    )
    .unwrap()
    .into_iter()
    .map(|e| e.action)
    .collect()
}

#[test]
fn users_round_trip_filter_and_conflict() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    assert_eq!(users::find(&mut conn, u.analyst.id).unwrap(), u.analyst);
    assert_eq!(
        users::find_by_username(&mut conn, &u.officer.username).unwrap(),
        u.officer
    );
    let officers = users::list(
        &mut conn,
        users::UserFilter {
            role: Some(Role::ComplianceOfficer),
            active: None,
        },
    )
    .unwrap();
    assert_eq!(
        officers
            .iter()
            .map(|u| u.username.as_str())
            .collect::<Vec<_>>(),
        ["officer.one", "officer.two"]
    );
    let inactive = users::set_active(&mut conn, u.analyst.id, false, u.officer.id).unwrap();
    assert!(!inactive.active);
    assert_eq!(
        users::list(
            &mut conn,
            users::UserFilter {
                role: None,
                active: Some(false)
            }
        )
        .unwrap(),
        [inactive]
    );
    assert_eq!(
        audit_actions(&mut conn, u.analyst.id.as_uuid()),
        [AuditAction::UserCreated, AuditAction::UserUpdated]
    );
    let again = compliance_domain::input::NewUser {
        username: u.analyst.username.clone(),
        email: Email::parse("other@example.com").unwrap(),
        role: Role::Analyst,
    };
    let err = users::insert(&mut conn, &again, Some(u.officer.id)).unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert!(!err.to_string().contains("other@example.com"), "{err}");
    let missing = users::find(&mut conn, UserId::from_uuid(uuid::Uuid::nil()));
    assert!(matches!(missing, Err(PersistenceError::NotFound { .. })));
    assert_eq!(
        users::find(&mut conn, UserId::from_uuid(uuid::Uuid::nil()))
            .optional()
            .unwrap(),
        None
    );
}

#[test]
fn a_stored_row_the_domain_rejects_is_invalid_data_naming_the_row() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let c = case(&mut conn, &u.system, "in-corp-pep-002", vec![pep_reason()]);
    // The database checks a reason's outcome, stage and sentence, not the rule code's format:
    // a malformed code slipped in behind the triggers is caught on reading.
    raw(&mut conn, "SET session_replication_role = replica").unwrap();
    raw(
        &mut conn,
        &format!(
            r#"UPDATE compliance_checks SET reasons = jsonb_set(reasons, '{{0,rule,code}}', '"not a code"') WHERE id = '{}'"#,
            c.case.id
        ),
    )
    .unwrap();
    raw(&mut conn, "SET session_replication_role = DEFAULT").unwrap();
    let err = compliance_checks::find(&mut conn, c.case.id).unwrap_err();
    assert!(
        matches!(
            &err,
            PersistenceError::InvalidData {
                table: "compliance_checks",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains(&c.case.id.to_string()), "{err}");
}

fn rule(code: &str, version: i64, from: (i32, u32, u32)) -> compliance_rules::NewRule {
    compliance_rules::NewRule {
        jurisdiction: Jurisdiction::Ae,
        rule: RuleRef {
            code: RuleCode::parse(code).unwrap(),
            version: RuleVersion::new(version).unwrap(),
        },
        parameters: serde_json::json!({ "kind": "sanctions_match" }),
        effective_from: Utc
            .with_ymd_and_hms(from.0, from.1, from.2, 0, 0, 0)
            .unwrap(),
        effective_to: None,
        regulation: "UAE Federal Decree-Law 20/2018, art. 16".into(),
        description: "A sanctions match rejects.".into(),
    }
}

#[test]
fn rules_publish_close_and_are_found_in_force_and_by_version() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let at = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap();
    let before = compliance_rules::fingerprint(&mut conn, Jurisdiction::Ae).unwrap();
    let v1 = compliance_rules::insert(
        &mut conn,
        &rule("AE-SANCTIONS", 1, (2026, 1, 1)),
        u.officer.id,
    )
    .unwrap();
    compliance_rules::insert(&mut conn, &rule("AE-PEP", 1, (2026, 1, 1)), u.officer.id).unwrap();
    let after = compliance_rules::fingerprint(&mut conn, Jurisdiction::Ae).unwrap();
    assert_eq!(
        after.changes - before.changes,
        2,
        "one change per statement"
    );
    // An overlapping second version is refused; publishing closes the first (at the second's
    // start, which must not be in the past: 2099, so that the test does not age).
    let err = compliance_rules::insert(
        &mut conn,
        &rule("AE-SANCTIONS", 2, (2099, 6, 1)),
        u.officer.id,
    )
    .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    let v2 = compliance_rules::publish(
        &mut conn,
        &rule("AE-SANCTIONS", 2, (2099, 6, 1)),
        u.officer.id,
    )
    .unwrap();
    let v1_now = compliance_rules::find(&mut conn, v1.id).unwrap();
    assert_eq!(v1_now.effective_to, Some(v2.effective_from));
    let in_force = |conn: &mut _, when| {
        compliance_rules::in_force(conn, Jurisdiction::Ae, when)
            .unwrap()
            .into_iter()
            .map(|r| format!("{}", r.rule_ref().unwrap()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        in_force(&mut conn, at(2099, 3, 1)),
        ["AE-PEP v1", "AE-SANCTIONS v1"]
    );
    assert_eq!(
        in_force(&mut conn, at(2099, 7, 1)),
        ["AE-PEP v1", "AE-SANCTIONS v2"]
    );
    assert!(in_force(&mut conn, at(2025, 7, 1)).is_empty());
    assert!(
        compliance_rules::in_force(&mut conn, Jurisdiction::Us, at(2099, 7, 1))
            .unwrap()
            .is_empty()
    );
    let wanted = v1.rule_ref().unwrap();
    assert_eq!(
        compliance_rules::find_version(&mut conn, Jurisdiction::Ae, &wanted)
            .unwrap()
            .id,
        v1.id
    );
    assert_eq!(
        compliance_rules::versions(&mut conn, Jurisdiction::Ae, std::slice::from_ref(&wanted))
            .unwrap()[0]
            .id,
        v1.id
    );
    let missing = RuleRef {
        code: wanted.code.clone(),
        version: RuleVersion::new(9).unwrap(),
    };
    assert!(matches!(
        compliance_rules::versions(&mut conn, Jurisdiction::Ae, &[wanted, missing]),
        Err(PersistenceError::NotFound { .. })
    ));
    let listed = compliance_rules::list(
        &mut conn,
        &compliance_rules::RuleFilter {
            jurisdiction: Some(Jurisdiction::Ae),
            code: Some(RuleCode::parse("AE-SANCTIONS").unwrap()),
        },
    )
    .unwrap();
    assert_eq!(listed.iter().map(|r| r.version).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(
        audit_actions(&mut conn, v1.id),
        [AuditAction::RulePublished, AuditAction::RuleClosed]
    );
    assert!(
        compliance_rules::close(&mut conn, v1.id, at(2099, 9, 1), u.officer.id).is_err(),
        "reopening is refused"
    );
}

#[test]
fn kyc_and_aml_checks_round_trip_and_are_found() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let c = case(&mut conn, &u.system, "in-corp-pep-002", vec![pep_reason()]);
    assert_eq!(
        c.kyc.check,
        kyc("in-corp-pep-002"),
        "what goes in comes back, amounts included"
    );
    assert_eq!(kyc_checks::find(&mut conn, c.kyc.id).unwrap(), c.kyc);
    assert_eq!(
        kyc_checks::find_by_entity_id(&mut conn, &c.kyc.check.entity_id).unwrap(),
        c.kyc
    );
    let filter = |j, s| kyc_checks::KycFilter {
        jurisdiction: Some(j),
        status: s,
        ..Default::default()
    };
    assert_eq!(
        kyc_checks::list(&mut conn, filter(Jurisdiction::In, None))
            .unwrap()
            .len(),
        1
    );
    assert!(
        kyc_checks::list(&mut conn, filter(Jurisdiction::Us, None))
            .unwrap()
            .is_empty()
    );
    assert!(
        kyc_checks::list(
            &mut conn,
            filter(Jurisdiction::In, Some(CheckStatus::Rejected))
        )
        .unwrap()
        .is_empty()
    );
    // A second KYC check of the entity (its next case starts with one) is its latest.
    let next = kyc_checks::insert(
        &mut conn,
        &kyc("in-corp-pep-002"),
        CheckStatus::Approved,
        u.system.id,
    )
    .unwrap();
    assert_eq!(
        kyc_checks::find_by_entity_id(&mut conn, &c.kyc.check.entity_id)
            .unwrap()
            .id,
        next.id
    );

    assert_eq!(
        c.aml.screening,
        screening(68, &[(WatchlistKind::Pep, "IN-PEP", "PEP-1")])
    );
    assert_eq!(aml_checks::find(&mut conn, c.aml.id).unwrap(), c.aml);
    let later = aml_checks::insert(
        &mut conn,
        c.kyc.id,
        &c.kyc.check.entity_id,
        &screening(12, &[]),
        Utc::now(),
        u.system.id,
    )
    .unwrap();
    let history: Vec<_> = aml_checks::list_for_kyc(&mut conn, c.kyc.id)
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(history, [later.id, c.aml.id], "newest first");
    let matched = aml_checks::list(
        &mut conn,
        aml_checks::AmlFilter {
            matched: Some(true),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(matched.iter().map(|a| a.id).collect::<Vec<_>>(), [c.aml.id]);
    let low = aml_checks::list(
        &mut conn,
        aml_checks::AmlFilter {
            risk_level: Some(RiskLevel::Low),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(low.iter().map(|a| a.id).collect::<Vec<_>>(), [later.id]);
    assert_eq!(
        audit_actions(&mut conn, c.kyc.id),
        [AuditAction::KycRecorded]
    );
    assert_eq!(
        audit_actions(&mut conn, later.id),
        [AuditAction::AmlRecorded]
    );
}

#[test]
fn cases_are_decided_with_four_eyes_and_re_evaluated() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let c = case(&mut conn, &u.system, "in-corp-pep-002", vec![pep_reason()]);
    let entity = &c.kyc.check.entity_id;
    assert_eq!(c.case.status, CheckStatus::Escalated);
    assert_eq!(c.case.decision.reasons(), [pep_reason()]);
    assert_eq!(c.case.rule_versions, rule_versions());
    assert_eq!(
        compliance_checks::find(&mut conn, c.case.id).unwrap(),
        c.case
    );
    assert_eq!(
        compliance_checks::find_by_kyc_check(&mut conn, c.kyc.id)
            .unwrap()
            .id,
        c.case.id
    );
    assert_eq!(
        compliance_checks::find_by_entity_id(&mut conn, entity)
            .unwrap()
            .id,
        c.case.id
    );
    let escalated = compliance_checks::CaseFilter {
        status: Some(CheckStatus::Escalated),
        ..Default::default()
    };
    assert_eq!(
        compliance_checks::list(&mut conn, escalated).unwrap().len(),
        1
    );

    let reason = ReviewReason::parse("enhanced due diligence complete").unwrap();
    let note = |by: &User| review_notes::insert(&mut db.conn(), entity, by.id, &reason).unwrap();
    let proposed = compliance_checks::propose_approval(
        &mut conn,
        c.case.id,
        1,
        entity,
        u.officer.id,
        &note(&u.officer),
        false,
    )
    .unwrap();
    assert_eq!(
        (proposed.status, proposed.revision),
        (CheckStatus::Escalated, 2)
    );
    let confirm = |by: &User| compliance_checks::StatusChange {
        transition: CheckStatus::Escalated
            .transition_to(CheckStatus::Approved, Trigger::Reviewer)
            .unwrap(),
        decided_by: by.id,
        review_note: Some(note(by)),
        overrides: Vec::new(),
        waiver: false,
    };
    let err =
        compliance_checks::change_status(&mut conn, c.case.id, 2, entity, &confirm(&u.officer))
            .unwrap_err();
    assert_eq!(
        err.refused_by(),
        Some("ck_compliance_checks_four_eyes"),
        "{err}"
    );
    let approved = compliance_checks::change_status(
        &mut conn,
        c.case.id,
        2,
        entity,
        &confirm(&u.second_officer),
    )
    .unwrap();
    assert_eq!(approved.status, CheckStatus::Approved);
    assert_eq!(approved.decided_by, u.second_officer.id);
    assert_eq!(approved.approval.as_ref().map(|a| a.by), Some(u.officer.id));

    // Re-screening finds a sanctions match: the engine rejects.
    let sanction = screening(95, &[(WatchlistKind::Sanctions, "OFAC-SDN", "SDN-36512")]);
    // The screening and the re-evaluation it brings are one transaction (the guard requires it).
    <diesel::connection::AnsiTransactionManager as diesel::connection::TransactionManager<_>>::begin_transaction(&mut conn).unwrap();
    let aml = aml_checks::insert(
        &mut conn,
        c.kyc.id,
        entity,
        &sanction,
        Utc::now(),
        u.system.id,
    )
    .unwrap();
    let reject = Reason {
        rule: RuleRef {
            code: RuleCode::parse("IN-SANCTIONS").unwrap(),
            version: RuleVersion::FIRST,
        },
        stage: Stage::Aml,
        outcome: CheckStatus::Rejected,
        explanation: "sanctions match on OFAC-SDN entry SDN-36512".into(),
    };
    let decision = Decision::new(RiskLevel::Critical, vec![reject]);
    let update = compliance_checks::Reevaluation {
        aml_check_id: aml.id,
        risk_score: sanction.risk_score,
        decision: &decision,
        rule_versions: &rule_versions(),
        transition: Some(
            CheckStatus::Approved
                .transition_to(CheckStatus::Rejected, Trigger::Engine)
                .unwrap(),
        ),
        decided_by: u.system.id,
    };
    let rejected =
        compliance_checks::record_reevaluation(&mut conn, c.case.id, 3, entity, &update).unwrap();
    <diesel::connection::AnsiTransactionManager as diesel::connection::TransactionManager<_>>::commit_transaction(&mut conn).unwrap();
    assert_eq!(
        (rejected.status, rejected.revision, rejected.aml_check_id),
        (CheckStatus::Rejected, 4, aml.id)
    );
    assert_eq!(rejected.approval, None);
    assert_eq!(rejected.risk_score.value(), 95);
    assert_eq!(
        audit_actions(&mut conn, c.case.id),
        [
            AuditAction::DecisionRecorded,
            AuditAction::ApprovalProposed,
            AuditAction::StatusChanged,
            AuditAction::StatusChanged
        ]
    );
    // A re-evaluation that keeps the status is recorded as a re-screening.
    let again = compliance_checks::Reevaluation {
        transition: None,
        ..update
    };
    let kept =
        compliance_checks::record_reevaluation(&mut conn, c.case.id, 4, entity, &again).unwrap();
    assert_eq!(
        (kept.status, kept.revision, kept.decided_by),
        (CheckStatus::Rejected, 5, u.system.id)
    );
    assert_eq!(
        audit_actions(&mut conn, c.case.id).last(),
        Some(&AuditAction::Rescreened)
    );
}

#[test]
/// An analyst decides a PENDING case alone when rejecting it. Approving it while the engine
/// holds it PENDING (evidence missing) needs a waiver under four eyes: the database refuses the
/// approval without one (issue 17, defect 11).
fn pending_cases_take_one_analyst_to_reject_and_a_waiver_to_approve() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let pending = Reason {
        outcome: CheckStatus::Pending,
        stage: Stage::Kyc,
        ..pep_reason()
    };
    let c = case(&mut conn, &u.system, "ae-corp-pending-002", vec![pending]);
    assert_eq!(c.case.status, CheckStatus::Pending);
    assert_eq!(c.kyc.status, CheckStatus::Pending);
    let words = ReviewReason::parse("documents never arrived; verified with the registry").unwrap();
    let note =
        review_notes::insert(&mut conn, &c.kyc.check.entity_id, u.analyst.id, &words).unwrap();
    let approve = compliance_checks::StatusChange {
        transition: CheckStatus::Pending
            .transition_to(CheckStatus::Approved, Trigger::Reviewer)
            .unwrap(),
        decided_by: u.analyst.id,
        review_note: Some(note.clone()),
        overrides: Vec::new(),
        waiver: false,
    };
    let refused =
        compliance_checks::change_status(&mut conn, c.case.id, 1, &c.kyc.check.entity_id, &approve)
            .unwrap_err();
    assert_eq!(
        refused.refused_by(),
        Some("compliance_checks_waiver"),
        "{refused}"
    );
    let change = compliance_checks::StatusChange {
        transition: CheckStatus::Pending
            .transition_to(CheckStatus::Rejected, Trigger::Reviewer)
            .unwrap(),
        ..approve
    };
    let approved =
        compliance_checks::change_status(&mut conn, c.case.id, 1, &c.kyc.check.entity_id, &change)
            .unwrap();
    assert_eq!(approved.status, CheckStatus::Rejected);
    assert_eq!(
        approved.review_reason,
        Some(compliance_checks::CaseNote::Note(note.id))
    );
    let stored = review_notes::find(&mut conn, note.id).unwrap();
    assert_eq!(stored.text, Some(words.clone()));
    let status_change = audit_logs::list(
        &mut conn,
        &audit_logs::AuditFilter {
            action: Some(AuditAction::StatusChanged),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(status_change.len(), 1);
    assert_eq!(
        (status_change[0].old_status, status_change[0].new_status),
        (Some(CheckStatus::Pending), Some(CheckStatus::Rejected))
    );
    // The chain holds the note's id and commitment, never the words.
    assert_eq!(status_change[0].details["review_note"], note.id.to_string());
    assert_eq!(
        status_change[0].details["review_note_commitment"],
        note.commitment
    );
    assert!(!status_change[0].details.to_string().contains("verified"));
}

#[test]
fn the_views_report_the_queue_the_high_risk_and_the_summary() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let pending = Reason {
        outcome: CheckStatus::Pending,
        stage: Stage::Kyc,
        ..pep_reason()
    };
    let first = case(&mut conn, &u.system, "in-first-001", vec![pending.clone()]);
    let second = case(&mut conn, &u.system, "in-second-002", vec![pep_reason()]);
    case(&mut conn, &u.system, "in-third-003", vec![]);
    let queue = reports::pending_approvals(&mut conn, None, None, 100).unwrap();
    // Same risk score (68): oldest first.
    assert_eq!(
        queue
            .iter()
            .map(|q| q.compliance_check_id)
            .collect::<Vec<_>>(),
        [first.case.id, second.case.id]
    );
    assert_eq!(
        reports::pending_approvals(&mut conn, None, Some(CheckStatus::Escalated), 100)
            .unwrap()
            .len(),
        1
    );
    assert!(
        reports::pending_approvals(&mut conn, Some(Jurisdiction::Us), None, 100)
            .unwrap()
            .is_empty()
    );
    let high = reports::high_risk_entities(&mut conn, Some(Jurisdiction::In), 100).unwrap();
    assert_eq!(
        high.len(),
        3,
        "every case here screens at 68 with a PEP match"
    );
    assert!(
        high.iter()
            .all(|h| h.pep_match && h.risk_level == RiskLevel::High && h.matches.len() == 1)
    );
    let summary = reports::compliance_summary(&mut conn).unwrap();
    let counts: Vec<_> = summary
        .iter()
        .map(|l| (l.jurisdiction, l.status, l.risk_level, l.checks))
        .collect();
    assert_eq!(
        counts,
        [
            (Jurisdiction::In, CheckStatus::Approved, RiskLevel::High, 1),
            (Jurisdiction::In, CheckStatus::Pending, RiskLevel::High, 1),
            (Jurisdiction::In, CheckStatus::Escalated, RiskLevel::High, 1),
        ]
    );
}

#[test]
fn decision_vectors_store_and_rank_by_similarity() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let a = case(&mut conn, &u.system, "in-a-001", vec![]);
    let b = case(&mut conn, &u.system, "in-b-002", vec![]);
    let e = |v: Vec<f32>| decision_vectors::Embedding::new("all-MiniLM-L6-v2", v).unwrap();
    let stored = decision_vectors::insert(&mut conn, a.case.id, &e(vec![1.0, 0.0, 0.0])).unwrap();
    decision_vectors::insert(&mut conn, b.case.id, &e(vec![0.0, 1.0, 0.0])).unwrap();
    assert_eq!(
        decision_vectors::find(&mut conn, stored.id).unwrap(),
        stored
    );
    assert_eq!(
        decision_vectors::find_for_check(&mut conn, a.case.id, "all-MiniLM-L6-v2")
            .unwrap()
            .embedding
            .values(),
        [1.0, 0.0, 0.0]
    );
    assert_eq!(
        decision_vectors::list_for_model(&mut conn, "all-MiniLM-L6-v2")
            .unwrap()
            .len(),
        2
    );
    let ranked = decision_vectors::most_similar(&mut conn, &e(vec![0.1, 0.9, 0.0]), 2).unwrap();
    assert_eq!(
        ranked.iter().map(|r| r.0).collect::<Vec<_>>(),
        [b.case.id, a.case.id]
    );
    assert!(
        decision_vectors::insert(&mut conn, a.case.id, &e(vec![0.0, 0.0, 1.0]))
            .unwrap_err()
            .is_conflict()
    );
}

#[test]
fn wallets_and_transactions_are_watched_and_decided() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let c = case(&mut conn, &u.system, "us-fund-001", vec![]);
    let chain = Chain::parse("ethereum").unwrap();
    let address = OnChainRef::parse(
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "wallet address",
    )
    .unwrap();
    let watch = WalletWatch::new(
        chain.clone(),
        address.clone(),
        [WatchKind::Incoming, WatchKind::SanctionedCounterparty].into(),
    )
    .unwrap();
    let wallet = blockchain::watch_wallet(&mut conn, c.kyc.id, &watch, u.officer.id).unwrap();
    assert_eq!(wallet.wallet, watch);
    assert_eq!(
        blockchain::find_wallet(&mut conn, wallet.id).unwrap(),
        wallet
    );
    assert_eq!(
        blockchain::find_wallet_by_address(&mut conn, &chain, &address)
            .unwrap()
            .id,
        wallet.id
    );
    assert_eq!(
        blockchain::wallets_for_kyc(&mut conn, c.kyc.id)
            .unwrap()
            .len(),
        1
    );
    assert!(
        !blockchain::set_wallet_active(&mut conn, wallet.id, false, u.officer.id)
            .unwrap()
            .active
    );
    assert!(
        blockchain::watch_wallet(&mut conn, c.kyc.id, &watch, u.officer.id)
            .unwrap_err()
            .is_conflict()
    );

    let tx = ObservedTransaction {
        tx_hash: OnChainRef::parse(
            "0x88df016429689c079f3b2f6ad39fa052532c56795b733da78a91ebe6a713944b",
            "transaction hash",
        )
        .unwrap(),
        direction: Direction::Incoming,
        amount: CryptoAmount::new("1.000000000000000001".parse().unwrap()).unwrap(),
        asset: Asset::parse("ETH").unwrap(),
        counterparty: None,
        observed_at: Utc.with_ymd_and_hms(2026, 11, 20, 8, 30, 0).unwrap(),
        risk_score: Some(RiskScore::new(40).unwrap()),
    };
    let seen = blockchain::record_transaction(&mut conn, wallet.id, &tx, u.system.id).unwrap();
    assert_eq!(
        (seen.transaction.clone(), seen.status, seen.revision),
        (tx.clone(), CheckStatus::Pending, 1)
    );
    assert_eq!(
        blockchain::find_transaction(&mut conn, seen.id).unwrap(),
        seen
    );
    let open = blockchain::TransactionFilter {
        status: Some(CheckStatus::Pending),
        ..Default::default()
    };
    assert_eq!(
        blockchain::list_transactions(&mut conn, open)
            .unwrap()
            .len(),
        1
    );
    let officer = compliance_domain::Reviewer::try_from(&u.officer).unwrap();
    let t =
        TransactionDecision::new(&officer, CheckStatus::Pending, CheckStatus::Escalated).unwrap();
    let escalated = blockchain::change_transaction_status(&mut conn, seen.id, 1, &t).unwrap();
    assert_eq!(
        (escalated.status, escalated.revision),
        (CheckStatus::Escalated, 2)
    );
    assert!(
        blockchain::change_transaction_status(&mut conn, seen.id, 1, &t)
            .unwrap_err()
            .is_stale()
    );
    assert_eq!(
        audit_actions(&mut conn, seen.id),
        [AuditAction::TransactionRecorded, AuditAction::StatusChanged]
    );
    assert!(
        blockchain::record_transaction(&mut conn, wallet.id, &tx, u.system.id)
            .unwrap_err()
            .is_conflict()
    );
}

#[test]
fn an_unreachable_server_is_unavailable_naming_host_port_and_database_never_the_password() {
    let mut config =
        DatabaseConfig::from_url("postgres://app:hunter2@127.0.0.1:1/compliance_db").unwrap();
    config.connect_timeout = std::time::Duration::from_secs(2);
    let db = Database::new(config);
    let err = db.conn().map(|_| ()).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, PersistenceError::Unavailable { .. }),
        "{text}"
    );
    assert!(text.contains("127.0.0.1:1/compliance_db"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    let single = compliance_persistence::connect(db.config())
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        single.contains("127.0.0.1:1/compliance_db") && !single.contains("hunter2"),
        "{single}"
    );
}

#[test]
fn red_flags_and_list_entries_are_found_through_their_json() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let c = case(&mut conn, &u.system, "in-corp-pep-002", vec![pep_reason()]);
    let flagged = kyc_checks::with_red_flag(&mut conn, RedFlag::AdverseMedia, 10).unwrap();
    assert_eq!(flagged.iter().map(|k| k.id).collect::<Vec<_>>(), [c.kyc.id]);
    assert!(
        kyc_checks::with_red_flag(&mut conn, RedFlag::IdentityMismatch, 10)
            .unwrap()
            .is_empty()
    );
    let (list, entry) = (
        ListName::parse("IN-PEP").unwrap(),
        ListEntryRef::parse("PEP-1").unwrap(),
    );
    let hits = aml_checks::matching_entry(&mut conn, &list, &entry, 10).unwrap();
    assert_eq!(hits.iter().map(|a| a.id).collect::<Vec<_>>(), [c.aml.id]);
    let other = ListEntryRef::parse("PEP-2").unwrap();
    assert!(
        aml_checks::matching_entry(&mut conn, &list, &other, 10)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn audit_entries_are_found_by_time_and_their_times_rise_with_their_ids() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let before = Utc::now() - chrono::Duration::seconds(1);
    users(&mut conn);
    let after = Utc::now() + chrono::Duration::seconds(1);
    let all = audit_logs::between(&mut conn, before, after, 100).unwrap();
    assert_eq!(all.len(), 4);
    assert!(
        all.windows(2)
            .all(|w| w[0].created_at <= w[1].created_at && w[0].id < w[1].id)
    );
    let later = after + chrono::Duration::seconds(1);
    assert!(
        audit_logs::between(&mut conn, after, later, 100)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_re_screening_that_keeps_an_approval_keeps_its_first_pair_of_eyes() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let c = case(&mut conn, &u.system, "in-corp-pep-002", vec![pep_reason()]);
    let entity = &c.kyc.check.entity_id;
    let reason = ReviewReason::parse("enhanced due diligence complete").unwrap();
    let first = review_notes::insert(&mut conn, entity, u.officer.id, &reason).unwrap();
    let second = review_notes::insert(&mut conn, entity, u.second_officer.id, &reason).unwrap();
    compliance_checks::propose_approval(
        &mut conn,
        c.case.id,
        1,
        entity,
        u.officer.id,
        &first,
        false,
    )
    .unwrap();
    let confirm = compliance_checks::StatusChange {
        transition: CheckStatus::Escalated
            .transition_to(CheckStatus::Approved, Trigger::Reviewer)
            .unwrap(),
        decided_by: u.second_officer.id,
        review_note: Some(second),
        overrides: Vec::new(),
        waiver: false,
    };
    compliance_checks::change_status(&mut conn, c.case.id, 2, entity, &confirm).unwrap();
    <diesel::connection::AnsiTransactionManager as diesel::connection::TransactionManager<_>>::begin_transaction(&mut conn).unwrap();
    let aml = aml_checks::insert(
        &mut conn,
        c.kyc.id,
        entity,
        &screening(20, &[]),
        Utc::now(),
        u.system.id,
    )
    .unwrap();
    let decision = Decision::new(RiskLevel::Low, vec![]);
    let update = compliance_checks::Reevaluation {
        aml_check_id: aml.id,
        risk_score: RiskScore::new(20).unwrap(),
        decision: &decision,
        rule_versions: &rule_versions(),
        transition: None,
        decided_by: u.system.id,
    };
    let kept =
        compliance_checks::record_reevaluation(&mut conn, c.case.id, 3, entity, &update).unwrap();
    <diesel::connection::AnsiTransactionManager as diesel::connection::TransactionManager<_>>::commit_transaction(&mut conn).unwrap();
    assert_eq!(kept.status, CheckStatus::Approved);
    assert_eq!(kept.decided_by, u.second_officer.id);
    assert_eq!(kept.approval.map(|a| a.by), Some(u.officer.id));
    assert_eq!(kept.decision.status(), CheckStatus::Approved);
}

#[test]
fn a_full_pool_is_pool_exhausted_not_an_unreachable_server() {
    let db = TestDatabase::new();
    let mut config = db.config().clone();
    config.pool_max = 1;
    config.connect_timeout = std::time::Duration::from_secs(1);
    let pool = Database::new(config);
    let held = pool.conn().unwrap();
    let err = pool.conn().map(|_| ()).unwrap_err();
    assert!(
        matches!(err, PersistenceError::PoolExhausted { size: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("DATABASE_POOL_MAX"), "{err}");
    drop(held);
    assert!(pool.conn().is_ok());
}

#[test]
fn the_latest_decisions_come_with_their_inputs_and_audit_entries_are_found_by_position() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let first = case(&mut conn, &u.system, "in-first-001", vec![pep_reason()]);
    let second = case(&mut conn, &u.system, "in-second-002", vec![]);
    let recent = compliance_checks::recent_with_inputs(&mut conn, 10).unwrap();
    let ids: Vec<_> = recent.iter().map(|(c, _, _)| c.id).collect();
    assert_eq!(ids, [second.case.id, first.case.id], "newest first");
    let (case, kyc, aml) = &recent[1];
    assert_eq!(
        (case.kyc_check_id, kyc.id, aml.id),
        (first.kyc.id, first.kyc.id, first.aml.id)
    );
    assert_eq!(
        compliance_checks::recent_with_inputs(&mut conn, 1)
            .unwrap()
            .len(),
        1
    );

    let listed = audit_logs::list(&mut conn, &audit_logs::AuditFilter::default()).unwrap();
    let fifth = audit_logs::find(&mut conn, 5).unwrap();
    assert_eq!(fifth, listed[4]);
    assert!(matches!(
        audit_logs::find(&mut conn, 10_000),
        Err(PersistenceError::NotFound { .. })
    ));
}

#[test]
fn every_migration_can_be_reverted_and_applied_again() {
    use compliance_persistence::migrations;
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let known = migrations::known().unwrap();
    assert!(
        known.len() >= 3 && known[..3] == ["20260303000000", "20260310000000", "20260317000000"]
    );
    let reverted = migrations::revert_all(&mut conn).unwrap();
    assert_eq!(reverted, known.iter().rev().cloned().collect::<Vec<_>>());
    let status = migrations::status(&mut conn).unwrap();
    assert_eq!(
        (status.applied.len(), status.pending.len()),
        (0, known.len())
    );
    assert_eq!(
        migrations::run_pending(&mut conn).unwrap().len(),
        known.len()
    );
    assert_eq!(
        migrations::known().unwrap(),
        migrations::status(&mut conn).unwrap().applied
    );
}

#[test]
fn a_pool_transaction_commits_all_or_nothing() {
    let db = TestDatabase::new();
    let pool = db.database();
    let created = pool
        .transaction(|conn| Ok(user(conn, "kept.user", Role::Analyst)))
        .unwrap();
    let failed: Result<(), PersistenceError> = pool.transaction(|conn| {
        user(conn, "lost.user", Role::Analyst);
        Err(PersistenceError::NotFound {
            what: "anything",
            key: "to roll back".into(),
        })
    });
    assert!(failed.is_err());
    let mut conn = db.conn();
    let names: Vec<String> = users::list(&mut conn, users::UserFilter::default())
        .unwrap()
        .into_iter()
        .map(|u| u.username.as_str().to_owned())
        .collect();
    assert_eq!(names, [created.username.as_str()]);
}
