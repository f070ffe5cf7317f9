//! Verification: all checks pass on a seeded database, and a deliberate fault fails exactly the
//! check that should find it.

use crate::support::*;
use compliance_ops::verify::{Outcome, VerifyOptions, verify};

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
        (1..=22).collect::<Vec<_>>()
    );
    let replay = report.checks.iter().find(|c| c.number == 18).unwrap();
    assert!(replay.detail.contains("all 9"), "{}", replay.detail);
}

#[test]
fn a_case_claimed_assigned_released_and_noted_still_passes_every_check() {
    let s = seeded();
    let case = s.current("us-fund-pending-003");
    let (officer, analyst) = (s.officer(), s.analyst());
    let claimed = s
        .compliance
        .claim(&officer, case.id, case.revision)
        .unwrap();
    let assigned = s
        .compliance
        .assign(&officer, case.id, s.users.analyst.id, claimed.revision)
        .unwrap();
    let released = s
        .compliance
        .release(&analyst, case.id, assigned.revision)
        .unwrap();
    assert_eq!(released.revision, case.revision + 3);
    let note = compliance_domain::ReviewReason::parse("called the fund's administrator").unwrap();
    s.compliance.note_case(&analyst, case.id, &note).unwrap();
    let report = verify(s.db.config(), &VerifyOptions::default()).unwrap();
    assert_eq!(report.count(Outcome::Fail), 0, "{:#?}", report.checks);
    let revisions = report.checks.iter().find(|c| c.number == 20).unwrap();
    assert!(
        revisions.detail.contains("case_claimed"),
        "{}",
        revisions.detail
    );
}

#[test]
fn seed_only_expectations_fail_on_other_data_and_hold_without_them() {
    let s = seeded();
    let mut case = scenario("ae-ind-clean-001");
    case.kyc.entity_id = entity("ae-ind-extra-004");
    s.compliance.submit(&s.agent(), &case, None).unwrap();
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
    // The rewrite went around the counting triggers too: the dashboard's counts no longer
    // match a recount.
    assert_eq!(failing(&s), [6, 18, 22]);
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
fn a_case_revision_without_its_audit_entry_fails_the_coverage_check() {
    let s = seeded();
    // A case update that went around the service (and its audit entry): triggers off.
    behind_the_triggers(
        &mut s.db.conn(),
        "UPDATE compliance_checks SET revision = revision + 1, updated_at = now()
          WHERE kyc_check_id = (SELECT id FROM kyc_checks WHERE entity_id = 'ae-corp-pending-002')",
    );
    assert_eq!(failing(&s), [20]);
    let case = count(
        &mut s.db.conn(),
        "SELECT count(*) AS n FROM compliance_checks WHERE revision = 2",
    );
    assert_eq!(case, 1);
    let report = verify(s.db.config(), &VerifyOptions::default()).unwrap();
    let coverage = &report.checks[19];
    assert!(
        coverage
            .detail
            .starts_with("1 case(s) whose audit entries do not match")
            && coverage
                .detail
                .contains("at revision 2 has 1 decision_recorded and 0 of the 1 revision entries"),
        "{}",
        coverage.detail
    );
}

#[test]
fn re_screened_cases_have_an_audit_entry_for_each_revision() {
    let s = seeded();
    for id in ["ae-ind-clean-001", "ae-corp-pending-002"] {
        // The same result against a newer version of the lists: a re-screening of its own.
        let mut screening = scenario(id).aml;
        screening.watchlist_version =
            compliance_domain::WatchlistVersion::parse("2026-12-06").unwrap();
        s.compliance
            .rescreen(&s.agent(), &entity(id), &screening)
            .unwrap();
    }
    let raised = count(
        &mut s.db.conn(),
        "SELECT count(*) AS n FROM compliance_checks WHERE revision > 1",
    );
    assert_eq!(raised, 2, "each re-screening raised a revision");
    let report = verify(s.db.config(), &VerifyOptions::default()).unwrap();
    let coverage = &report.checks[19];
    assert_eq!(coverage.outcome, Outcome::Pass, "{}", coverage.detail);
    assert!(
        coverage.detail.starts_with("9 case(s)"),
        "{}",
        coverage.detail
    );
}

/// A list match proposed and confirmed as a false positive raises the case's revision twice;
/// check 20 counts those entries (they name their case and the revision they raised) and
/// passes, and fails when one of them is missing.
#[test]
fn false_positive_steps_are_revisions_with_their_entries() {
    let s = seeded();
    let escalated = sanctions_hit_on_the_escalation(&s);
    let (list, entry) = sdn();
    let second = compliance_persistence::repo::users::insert(
        &mut s.db.conn(),
        &compliance_domain::input::NewUser {
            username: compliance_domain::Username::parse("second.officer").unwrap(),
            email: compliance_domain::Email::parse("second.officer@compliance.example").unwrap(),
            role: compliance_domain::Role::ComplianceOfficer,
        },
        Some(s.users.admin.id),
    )
    .unwrap();
    let proposed = s
        .compliance
        .clear_match(
            &s.officer(),
            escalated.id,
            &list,
            &entry,
            &reason("another person: date of birth differs"),
            escalated.revision,
        )
        .unwrap();
    assert_eq!(proposed.revision, escalated.revision + 1);
    let confirmed = s
        .compliance
        .clear_match(
            &s.caller(&second),
            escalated.id,
            &list,
            &entry,
            &reason("agreed: not the listed person"),
            proposed.revision,
        )
        .unwrap();
    assert_eq!(confirmed.revision, escalated.revision + 2);
    let report = verify(s.db.config(), &VerifyOptions::default()).unwrap();
    let coverage = &report.checks[19];
    assert_eq!(coverage.outcome, Outcome::Pass, "{}", coverage.detail);
    // An entry removed behind the triggers: the revision it raised is unaccounted for.
    behind_the_triggers(
        &mut s.db.conn(),
        "DELETE FROM audit_logs WHERE action = 'false_positive_confirmed'",
    );
    let report = verify(s.db.config(), &VerifyOptions::default()).unwrap();
    assert_eq!(report.checks[19].outcome, Outcome::Fail);
}

#[test]
fn a_dropped_index_fails_the_index_check() {
    let s = seeded();
    exec(&mut s.db.conn(), "DROP INDEX idx_compliance_checks_queue");
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

/// Waits until `n` sessions on the database wait for a lock.
fn until_waiting(conn: &mut compliance_persistence::diesel::PgConnection, db: &str, n: i64) {
    let started = std::time::Instant::now();
    while count(
        conn,
        &format!(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '{db}' AND wait_event_type = 'Lock'"
        ),
    ) < n
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "verify's sessions never waited for the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A connection holding an exclusive lock on a table that no submission touches, and that
/// checks 5 and 8 read (before the counts of check 4 and the distributions).
fn locked(s: &Seeded) -> compliance_persistence::diesel::PgConnection {
    use compliance_persistence::diesel::connection::SimpleConnection;
    let mut locker = s.db.conn();
    locker
        .batch_execute("BEGIN; LOCK TABLE blockchain_transactions IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    locker
}

#[test]
fn verify_reads_one_snapshot_while_a_case_commits_half_way_through() {
    use compliance_persistence::diesel::connection::SimpleConnection;
    let s = seeded();
    // Both of verify's connections stop at the locked table; meanwhile a case commits.
    let mut locker = locked(&s);
    let config = s.db.config().clone();
    let running = std::thread::spawn(move || {
        let options = VerifyOptions {
            expect_seed: true,
            ..VerifyOptions::default()
        };
        verify(&config, &options).unwrap()
    });
    until_waiting(&mut s.db.conn(), s.db.name(), 2);
    let mut case = scenario("ae-ind-clean-001");
    case.kyc.entity_id = entity("ae-ind-late-009");
    s.compliance.submit(&s.agent(), &case, None).unwrap();
    locker.batch_execute("ROLLBACK").unwrap();
    let report = running.join().unwrap();
    assert_eq!(
        report.failures().map(|c| c.number).collect::<Vec<_>>(),
        Vec::<u8>::new(),
        "a case committed during the run is not in its snapshot: {:#?}",
        report.checks
    );
    // The case did commit: a run that starts now sees it, and the seed's counts no longer hold.
    assert_eq!(failing(&s), [4, 6, 7, 14, 15]);
}

#[test]
fn a_statement_over_the_timeout_fails_its_check_and_the_others_still_run() {
    use compliance_persistence::diesel::connection::SimpleConnection;
    let s = seeded();
    let mut locker = locked(&s);
    // Without a statement timeout, verify would wait for this lock until it is released.
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(15));
        let _ = locker.batch_execute("ROLLBACK");
    });
    let mut config = s.db.config().clone();
    config.session.lock_timeout = std::time::Duration::ZERO;
    let started = std::time::Instant::now();
    let report = verify(
        &config,
        &VerifyOptions {
            statement_timeout: std::time::Duration::from_millis(500),
            ..VerifyOptions::default()
        },
    )
    .unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let failed: Vec<u8> = report.failures().map(|c| c.number).collect();
    assert!(failed.contains(&5) && failed.contains(&8), "{failed:?}");
    for check in report.failures() {
        assert!(
            check.detail.contains("statement timeout"),
            "{}: {}",
            check.number,
            check.detail
        );
    }
    // The failed statements were rolled back to their savepoints: the rest ran and passed.
    assert_eq!(report.checks.len(), compliance_ops::verify::checks().len());
    for number in [1u8, 13, 16, 18, 19] {
        let check = &report.checks[usize::from(number) - 1];
        assert_eq!(check.outcome, Outcome::Pass, "{}: {}", number, check.detail);
    }
    release.join().unwrap();
}

#[test]
fn a_table_the_role_may_not_read_is_permission_denied_not_missing() {
    let s = seeded();
    let role = crate::support::ReadOnlyRole::create(&s.db);
    exec(
        &mut s.db.conn(),
        &format!("REVOKE SELECT ON kyc_checks FROM {}", role.name),
    );
    let report = verify(&role.config(), &VerifyOptions::default()).unwrap();
    let denied = format!(
        "permission denied on kyc_checks (grant SELECT ON kyc_checks TO {})",
        role.name
    );
    let tables = &report.checks[0];
    assert_eq!(tables.outcome, Outcome::Fail);
    assert_eq!(tables.detail, denied);
    // Every other check that reads the table says the same.
    let counts = &report.checks[3];
    assert_eq!(
        (counts.outcome, counts.detail.as_str()),
        (Outcome::Fail, denied.as_str())
    );
    assert!(
        report.checks.iter().all(|c| !c.detail.contains("missing")),
        "{:#?}",
        report.checks
    );
}

#[test]
fn a_database_name_over_63_bytes_is_refused_as_provision_refuses_it() {
    use compliance_ops::provision::{ProvisionOptions, provision};
    let long = compliance_persistence::testing::server().with_database(&"x".repeat(64));
    let by_verify = verify(&long, &VerifyOptions::default()).unwrap_err();
    assert!(
        matches!(by_verify, compliance_ops::verify::VerifyError::Config(_)),
        "{by_verify}"
    );
    let by_provision = provision(&long, ProvisionOptions::default(), |_| {}).unwrap_err();
    assert_eq!(by_verify.to_string(), by_provision.to_string());
    assert!(
        by_verify.to_string().contains("at most 63 bytes"),
        "{by_verify}"
    );
}

#[test]
fn verify_is_not_cut_short_by_the_services_idle_in_transaction_limit() {
    let s = seeded();
    // A service limit far below any pause between verify's statements (its helper's connect,
    // replay's evaluation): verify's own sessions must not inherit it.
    let mut config = s.db.config().clone();
    config.session.idle_in_transaction_timeout = std::time::Duration::from_millis(1);
    let report = verify(&config, &VerifyOptions::default()).unwrap();
    assert_eq!(report.count(Outcome::Fail), 0, "{:#?}", report.checks);
}
