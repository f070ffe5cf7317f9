//! Verification: all checks pass on a seeded database, and a deliberate fault fails exactly the
//! check that should find it.

use crate::support::*;
use compliance_app::verify::{Outcome, VerifyOptions, verify};

fn failing(s: &Seeded) -> Vec<u8> {
    let options = VerifyOptions {
        expect_seed: true,
        ..VerifyOptions::default()
    };
    let report = verify(s.db.config(), &options).unwrap();
    report.failures().map(|c| c.number).collect()
}

#[test]
fn a_seeded_database_passes_every_check() {
    let s = seeded();
    let report = verify(
        s.db.config(),
        &VerifyOptions {
            expect_seed: true,
            ..VerifyOptions::default()
        },
    )
    .unwrap();
    assert_eq!(report.count(Outcome::Fail), 0, "{:#?}", report.checks);
    assert_eq!(
        report.checks.iter().map(|c| c.number).collect::<Vec<_>>(),
        (1..=19).collect::<Vec<_>>()
    );
    let replay = report.checks.iter().find(|c| c.number == 18).unwrap();
    assert!(replay.detail.contains("all 9"), "{}", replay.detail);
}

#[test]
fn seed_only_expectations_fail_on_other_data_and_hold_without_them() {
    let s = seeded();
    let mut case = scenario("ae-ind-clean-001");
    case.kyc.entity_id = entity("ae-ind-extra-004");
    s.service.submit(&case, s.users.agent.id).unwrap();
    let with_seed = failing(&s);
    assert_eq!(
        with_seed,
        [4, 6, 7, 14, 15],
        "counts and distributions no longer match the seed"
    );
    let without = verify(s.db.config(), &VerifyOptions::default()).unwrap();
    assert_eq!(without.count(Outcome::Fail), 0, "{:#?}", without.checks);
}

#[test]
fn an_orphan_row_fails_the_foreign_key_check() {
    let s = seeded();
    behind_the_triggers(
        &mut s.db.conn(),
        "INSERT INTO aml_checks (kyc_check_id, risk_score, risk_level, sanctions_match, pep_match, screening_provider,
                                 watchlist_version, submitted_by)
         SELECT gen_random_uuid(), 10, 'LOW', false, false, 'p', 'v', id FROM users WHERE username = 'kyc-agent'",
    );
    let failed = failing(&s);
    assert!(failed.contains(&5), "{failed:?}");
    let report = verify(s.db.config(), &VerifyOptions::default()).unwrap();
    let fk = report.checks.iter().find(|c| c.number == 5).unwrap();
    assert!(
        fk.detail.contains("aml_checks") && fk.detail.contains("1 orphan"),
        "{}",
        fk.detail
    );
}

#[test]
fn a_status_that_disagrees_with_the_engine_fails_the_replay_check() {
    let s = seeded();
    behind_the_triggers(
        &mut s.db.conn(),
        "UPDATE compliance_checks SET status = 'APPROVED'
          WHERE kyc_check_id = (SELECT id FROM kyc_checks WHERE entity_id = 'ae-ind-flagged-003')",
    );
    assert_eq!(failing(&s), [6, 18]);
}

#[test]
fn a_decision_whose_reasons_were_rewritten_fails_the_replay_check() {
    let s = seeded();
    behind_the_triggers(
        &mut s.db.conn(),
        "UPDATE compliance_checks SET status = 'APPROVED', engine_status = 'APPROVED', reasons = '[]'
          WHERE kyc_check_id = (SELECT id FROM kyc_checks WHERE entity_id = 'in-ind-rejected-003')",
    );
    let report = verify(s.db.config(), &VerifyOptions::default()).unwrap();
    let replay = report.checks.iter().find(|c| c.number == 18).unwrap();
    assert_eq!(replay.outcome, Outcome::Fail);
    assert!(
        replay.detail.contains("stored APPROVED, engine REJECTED"),
        "{}",
        replay.detail
    );
}

#[test]
fn an_altered_audit_row_fails_the_chain_check() {
    let s = seeded();
    behind_the_triggers(
        &mut s.db.conn(),
        r#"UPDATE audit_logs SET details = '{"note": "nothing happened"}' WHERE id = 10"#,
    );
    assert_eq!(failing(&s), [19]);
    let report = verify(s.db.config(), &VerifyOptions::default()).unwrap();
    assert!(report.checks[18].detail.contains("altered"));
    assert!(
        report.checks[18]
            .detail
            .contains("broken at entry 10 (chain "),
        "{}",
        report.checks[18].detail
    );
}

#[test]
fn a_dropped_index_fails_the_index_check() {
    let s = seeded();
    exec(
        &mut s.db.conn(),
        "DROP INDEX idx_compliance_checks_review_queue",
    );
    assert_eq!(failing(&s), [3]);
}

#[test]
fn a_pending_migration_fails_the_migration_check() {
    let s = seeded();
    exec(
        &mut s.db.conn(),
        "DELETE FROM __diesel_schema_migrations WHERE version = '20260310000000'",
    );
    assert_eq!(failing(&s), [16]);
}

#[test]
fn an_unreachable_database_is_an_error_not_a_report() {
    let closed = compliance_persistence::DatabaseConfig::from_url(
        "postgres://app:pw@127.0.0.1:1/compliance_db",
    )
    .unwrap();
    let err = verify(&closed, &VerifyOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("127.0.0.1:1/compliance_db"),
        "{err}"
    );
}
