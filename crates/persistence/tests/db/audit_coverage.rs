//! The audit log covers every write that matters: watched wallets and their transactions
//! (through `repo::blockchain`), a transaction's decider (its guard), and a user's role or
//! activation changed by any path, raw SQL included (the trigger on `users`).

use crate::support::*;
use chrono::{TimeZone, Utc};
use compliance_domain::blockchain::*;
use compliance_domain::{
    AuditAction, CheckStatus, Reviewer, RiskScore, Role, SubjectKind, TextForm, UserId,
};
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::audit_logs::{self, AuditEntry, AuditFilter};
use compliance_persistence::repo::{blockchain, users as users_repo};
use compliance_persistence::testing::TestDatabase;
use strum::VariantArray;

const ADDRESS: &str = "0x52908400098527886E0F7030069857D2E4169EE7";

fn entries(conn: &mut PgConnection, subject: uuid::Uuid) -> Vec<AuditEntry> {
    audit_logs::list(
        conn,
        &AuditFilter {
            subject_id: Some(subject),
            ..Default::default()
        },
    )
    .unwrap()
}

fn watch() -> WalletWatch {
    WalletWatch::new(
        Chain::parse("ethereum").unwrap(),
        OnChainRef::parse(ADDRESS, "wallet address").unwrap(),
        [WatchKind::Incoming, WatchKind::LargeTransfer].into(),
    )
    .unwrap()
}

fn observed() -> ObservedTransaction {
    ObservedTransaction {
        tx_hash: OnChainRef::parse("0x88df016429689c079f3b2f6ad39fa052", "transaction hash")
            .unwrap(),
        direction: Direction::Outgoing,
        amount: CryptoAmount::new("73.125".parse().unwrap()).unwrap(),
        asset: Asset::parse("ETH").unwrap(),
        counterparty: Some(OnChainRef::parse("0xfeedfacecafebeef0001", "counterparty").unwrap()),
        observed_at: Utc.with_ymd_and_hms(2026, 11, 20, 8, 30, 0).unwrap(),
        risk_score: Some(RiskScore::new(40).unwrap()),
    }
}

fn reviewer(user: &compliance_domain::User) -> Reviewer {
    Reviewer::try_from(user).unwrap()
}

/// A database with the users, a case for `us-fund-001` and its wallet watched by the officer.
fn watched() -> (TestDatabase, PgConnection, Users, blockchain::StoredWallet) {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let c = case(&mut conn, &u.system, "us-fund-001", vec![]);
    let wallet = blockchain::watch_wallet(&mut conn, c.kyc.id, &watch(), u.officer.id).unwrap();
    (db, conn, u, wallet)
}

#[test]
fn wallets_and_transactions_write_one_audit_entry_per_change_with_ids_only() {
    let (_db, mut conn, u, wallet) = watched();
    let watched = entries(&mut conn, wallet.id);
    assert_eq!(watched.len(), 1);
    assert_eq!(
        (
            watched[0].action,
            watched[0].subject_kind,
            watched[0].actor,
            watched[0].entity_id.as_ref().map(|e| e.as_str())
        ),
        (
            AuditAction::WalletWatched,
            SubjectKind::BlockchainMonitoring,
            u.officer.id,
            Some("us-fund-001")
        )
    );

    let off = blockchain::set_wallet_active(&mut conn, wallet.id, false, u.analyst.id).unwrap();
    assert!(!off.active);
    // Turning it off again changes nothing and records nothing.
    blockchain::set_wallet_active(&mut conn, wallet.id, false, u.analyst.id).unwrap();
    let updated: Vec<_> = entries(&mut conn, wallet.id).into_iter().skip(1).collect();
    assert_eq!(updated.len(), 1, "{updated:?}");
    assert_eq!(
        (updated[0].action, updated[0].actor),
        (AuditAction::WalletUpdated, u.analyst.id)
    );
    assert_eq!(updated[0].details["active"], false);

    let seen =
        blockchain::record_transaction(&mut conn, wallet.id, &observed(), u.system.id).unwrap();
    let recorded = entries(&mut conn, seen.id);
    assert_eq!(recorded.len(), 1);
    assert_eq!(
        (
            recorded[0].action,
            recorded[0].subject_kind,
            recorded[0].actor,
            recorded[0].entity_id.as_ref().map(|e| e.as_str())
        ),
        (
            AuditAction::TransactionRecorded,
            SubjectKind::BlockchainTransaction,
            u.system.id,
            Some("us-fund-001")
        )
    );

    let decision = TransactionDecision::new(
        &reviewer(&u.analyst),
        CheckStatus::Pending,
        CheckStatus::Escalated,
    )
    .unwrap();
    let escalated =
        blockchain::change_transaction_status(&mut conn, seen.id, 1, &decision).unwrap();
    assert_eq!(escalated.decided_by, Some(u.analyst.id));
    let decided = entries(&mut conn, seen.id);
    assert_eq!(decided.len(), 2);
    assert_eq!(
        (
            decided[1].action,
            decided[1].actor,
            decided[1].old_status,
            decided[1].new_status,
            decided[1].entity_id.as_ref().map(|e| e.as_str())
        ),
        (
            AuditAction::StatusChanged,
            u.analyst.id,
            Some(CheckStatus::Pending),
            Some(CheckStatus::Escalated),
            Some("us-fund-001")
        )
    );

    // Both announced to the services that act on them, in order, without the amount.
    let announced = compliance_persistence::repo::events::for_entity(
        &mut conn,
        &compliance_domain::EntityId::parse("us-fund-001").unwrap(),
        0,
        10,
    )
    .unwrap();
    let tail: Vec<_> = announced
        .iter()
        .rev()
        .take(2)
        .rev()
        .map(|e| {
            (
                e.event_type.as_str(),
                e.data["status"].clone(),
                e.data["transaction_id"].clone(),
            )
        })
        .collect();
    assert_eq!(
        tail,
        [
            (
                "transaction.recorded",
                "PENDING".into(),
                serde_json::json!(seen.id)
            ),
            (
                "transaction.status_changed",
                "ESCALATED".into(),
                serde_json::json!(seen.id)
            ),
        ]
    );
    assert_eq!(announced.last().unwrap().data["previous_status"], "PENDING");
    let jurisdiction = text(
        &mut conn,
        "SELECT jurisdiction AS value FROM kyc_checks WHERE entity_id = 'us-fund-001'",
    );
    assert_eq!(announced.last().unwrap().data["jurisdiction"], jurisdiction);

    // Ids, codes and kinds; never the address, the counterparty, the hash or the amount.
    let all = text(
        &mut conn,
        "SELECT string_agg(details::text, ' ') || (SELECT string_agg(data::text, ' ') FROM events) AS value FROM audit_logs",
    );
    for secret in [ADDRESS, "0xfeedfacecafebeef0001", "0x88df0164", "73.125"] {
        assert!(!all.contains(secret), "{secret} in {all}");
    }
    assert_eq!(
        audit_logs::verify_chain(&mut conn).unwrap().first_break,
        None
    );
}

#[test]
fn a_refused_wallet_or_transaction_write_leaves_no_audit_entry() {
    let (_db, mut conn, u, wallet) = watched();
    let kyc_check_id = wallet.kyc_check_id;
    let seen =
        blockchain::record_transaction(&mut conn, wallet.id, &observed(), u.system.id).unwrap();
    let before = audit_logs::count(&mut conn).unwrap();
    assert!(
        blockchain::watch_wallet(&mut conn, kyc_check_id, &watch(), u.officer.id)
            .unwrap_err()
            .is_conflict()
    );
    assert!(
        blockchain::record_transaction(&mut conn, wallet.id, &observed(), u.system.id)
            .unwrap_err()
            .is_conflict()
    );
    let decision = TransactionDecision::new(
        &reviewer(&u.officer),
        CheckStatus::Pending,
        CheckStatus::Rejected,
    )
    .unwrap();
    assert!(
        blockchain::change_transaction_status(&mut conn, seen.id, 7, &decision)
            .unwrap_err()
            .is_stale()
    );
    // An officer deactivated since the decision was planned: the guard refuses the decider.
    users_repo::set_active(&mut conn, u.officer.id, false, u.second_officer.id).unwrap();
    let after_deactivation = audit_logs::count(&mut conn).unwrap();
    let err = blockchain::change_transaction_status(&mut conn, seen.id, 1, &decision).unwrap_err();
    assert_eq!(
        err.refused_by(),
        Some("blockchain_transactions_decider"),
        "{err}"
    );
    assert_eq!(
        after_deactivation,
        before + 1,
        "only the deactivation was audited"
    );
    assert_eq!(audit_logs::count(&mut conn).unwrap(), after_deactivation);
    assert_eq!(
        blockchain::find_transaction(&mut conn, seen.id)
            .unwrap()
            .status,
        CheckStatus::Pending
    );
}

#[test]
fn every_transaction_status_change_names_an_active_decider_whose_role_may_decide() {
    let (_db, mut conn, u, wallet) = watched();
    let guard = "blockchain_transactions_decider";
    refused(
        &mut conn,
        &format!(
            "INSERT INTO blockchain_transactions (monitoring_id, tx_hash, direction, amount, asset, observed_at, decided_by)
             VALUES ('{}', '0xabc12345', 'incoming', 1, 'ETH', now(), {OFFICER})",
            wallet.id
        ),
        "blockchain_transactions_new",
    );
    blockchain::record_transaction(&mut conn, wallet.id, &observed(), u.system.id).unwrap();
    let change = |to: &str, by: &str| {
        format!(
            "UPDATE blockchain_transactions SET compliance_status = '{to}', decided_by = {by}, revision = revision + 1"
        )
    };
    refused(&mut conn, &change("ESCALATED", "NULL"), guard);
    refused(&mut conn, &change("ESCALATED", SYSTEM), guard);
    refused(&mut conn, &change("ESCALATED", "gen_random_uuid()"), guard);
    raw(
        &mut conn,
        &format!("UPDATE users SET active = false WHERE id = {OFFICER}"),
    )
    .unwrap();
    refused(&mut conn, &change("ESCALATED", OFFICER), guard);
    raw(
        &mut conn,
        &format!("UPDATE users SET active = true WHERE id = {OFFICER}"),
    )
    .unwrap();
    raw(&mut conn, &change("ESCALATED", ANALYST)).unwrap();
    // An analyst decides PENDING transactions only.
    refused(&mut conn, &change("REJECTED", ANALYST), guard);
    // The decider changes with the status, never alone.
    refused(
        &mut conn,
        &format!(
            "UPDATE blockchain_transactions SET decided_by = {OFFICER}, revision = revision + 1"
        ),
        guard,
    );
    raw(&mut conn, &change("REJECTED", OFFICER)).unwrap();
    assert_eq!(
        text(
            &mut conn,
            "SELECT compliance_status || ' ' || (decided_by = (SELECT id FROM users WHERE username = 'officer.one'))::text AS value FROM blockchain_transactions"
        ),
        "REJECTED true"
    );
}

fn user_updates(conn: &mut PgConnection, user: UserId) -> Vec<AuditEntry> {
    entries(conn, user.as_uuid())
        .into_iter()
        .filter(|e| e.action == AuditAction::UserUpdated)
        .collect()
}

#[test]
fn the_repositorys_deactivation_is_audited_once_with_its_actor() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let before = audit_logs::count(&mut conn).unwrap();
    let user = users_repo::set_active(&mut conn, u.analyst.id, false, u.officer.id).unwrap();
    assert!(!user.active);
    assert_eq!(
        audit_logs::count(&mut conn).unwrap(),
        before + 1,
        "one entry, not two"
    );
    let entry = user_updates(&mut conn, u.analyst.id).pop().unwrap();
    assert_eq!(entry.actor, u.officer.id);
    assert_eq!(entry.details["attribution"], "compliance.actor");
    assert_eq!(
        (&entry.details["active"], &entry.details["previous_active"]),
        (&serde_json::json!(false), &serde_json::json!(true))
    );
    // The actor was set for that update only: a later raw change is not attributed to it.
    assert_eq!(
        text(
            &mut conn,
            "SELECT coalesce(current_setting('compliance.actor', true), '') AS value"
        ),
        ""
    );
    // Setting what is already set changes nothing and records nothing.
    let updated_at = |conn: &mut PgConnection| {
        text(
            conn,
            &format!(
                "SELECT updated_at::text AS value FROM users WHERE id = '{}'",
                u.analyst.id
            ),
        )
    };
    let last_change = updated_at(&mut conn);
    let same = users_repo::set_active(&mut conn, u.analyst.id, false, u.officer.id).unwrap();
    assert_eq!(same, user);
    assert_eq!(audit_logs::count(&mut conn).unwrap(), before + 1);
    assert_eq!(updated_at(&mut conn), last_change);
    assert!(
        users_repo::set_active(
            &mut conn,
            UserId::from_uuid(uuid::Uuid::nil()),
            true,
            u.officer.id
        )
        .unwrap_err()
        .to_string()
        .contains("not found")
    );
    // An officer who deactivates themself is a valid actor.
    users_repo::set_active(&mut conn, u.officer.id, false, u.officer.id).unwrap();
    assert_eq!(
        user_updates(&mut conn, u.officer.id).pop().unwrap().actor,
        u.officer.id
    );
}

#[test]
fn a_role_or_activation_changed_by_raw_sql_is_audited_and_chained() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    // No actor named: the user changed is recorded as the actor, marked unattributed.
    raw(
        &mut conn,
        "UPDATE users SET role = 'admin' WHERE username = 'analyst'",
    )
    .unwrap();
    let entry = user_updates(&mut conn, u.analyst.id).pop().unwrap();
    assert_eq!(entry.actor, u.analyst.id);
    assert_eq!(entry.details["attribution"], "unattributed");
    assert_eq!(
        (&entry.details["role"], &entry.details["previous_role"]),
        (&serde_json::json!("admin"), &serde_json::json!("analyst"))
    );
    assert_eq!(entry.details["database_user"], "postgres");
    // An actor named for the session.
    raw(
        &mut conn,
        &format!("SELECT set_config('compliance.actor', {OFFICER}::text, false)"),
    )
    .unwrap();
    raw(
        &mut conn,
        "UPDATE users SET active = false WHERE username = 'officer.two'",
    )
    .unwrap();
    let entry = user_updates(&mut conn, u.second_officer.id).pop().unwrap();
    assert_eq!(
        (entry.actor, &entry.details["attribution"]),
        (u.officer.id, &serde_json::json!("compliance.actor"))
    );
    // A change of neither role nor activation is not a user_updated.
    raw(
        &mut conn,
        "UPDATE users SET email = 'new.address@example.com' WHERE username = 'analyst'",
    )
    .unwrap();
    assert_eq!(user_updates(&mut conn, u.analyst.id).len(), 1);
    assert_eq!(
        audit_logs::verify_chain(&mut conn).unwrap().first_break,
        None,
        "trigger-written entries are chained like the others"
    );
}

#[test]
fn a_change_claiming_an_actor_that_is_not_an_active_user_is_refused() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    users_repo::set_active(&mut conn, u.second_officer.id, false, u.officer.id).unwrap();
    let before = audit_logs::count(&mut conn).unwrap();
    for claimed in [
        "'not-a-uuid'".to_owned(),
        "gen_random_uuid()::text".to_owned(),
        format!("'{}'", u.second_officer.id),
    ] {
        raw(
            &mut conn,
            &format!("SELECT set_config('compliance.actor', {claimed}, false)"),
        )
        .unwrap();
        refused(
            &mut conn,
            "UPDATE users SET role = 'admin' WHERE username = 'analyst'",
            "users_audit_actor",
        );
    }
    assert_eq!(audit_logs::count(&mut conn).unwrap(), before);
    assert_eq!(
        users_repo::find(&mut conn, u.analyst.id).unwrap().role,
        Role::Analyst
    );
}

#[test]
fn the_audit_checks_list_exactly_the_domains_actions_and_subject_kinds() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    users(&mut conn);
    let audit = |action: &str, kind: &str| {
        let statuses = if action == "status_changed" {
            "'PENDING', 'APPROVED'"
        } else {
            "NULL, NULL"
        };
        format!(
            "INSERT INTO audit_logs (actor_id, action, subject_kind, subject_id, old_status, new_status)
             VALUES ({SYSTEM}, '{action}', '{kind}', gen_random_uuid(), {statuses})"
        )
    };
    for action in AuditAction::VARIANTS {
        if *action == AuditAction::ScreeningJobCompleted {
            // The check lets it through; its own guard then wants a finished job.
            refused(
                &mut conn,
                &audit(action.as_str(), "screening_job"),
                "audit_logs_screening_job_done",
            );
            continue;
        }
        raw(&mut conn, &audit(action.as_str(), "user")).unwrap();
    }
    for kind in SubjectKind::VARIANTS {
        raw(&mut conn, &audit("kyc_recorded", kind.as_str())).unwrap();
    }
    refused(
        &mut conn,
        &audit("Wallet_Watched", "user"),
        "ck_audit_logs_action",
    );
    refused(
        &mut conn,
        &audit("kyc_recorded", "wallet"),
        "ck_audit_logs_subject_kind",
    );
}
