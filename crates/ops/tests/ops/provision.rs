//! Provisioning end to end: an empty server to a verified database, idempotent, with its
//! refusals.

use crate::support::{count, migrations_known};
use compliance_ops::provision::{ProvisionError, ProvisionOptions, provision};
use compliance_ops::verify::Outcome;
use compliance_persistence::testing::server;
use compliance_persistence::{DatabaseConfig, connect};

/// A database name that does not exist yet, dropped at the end.
struct Fresh(DatabaseConfig);

impl Fresh {
    fn new(name: &str) -> Self {
        let fresh = Fresh(server().with_database(name));
        fresh.drop_it();
        fresh
    }

    fn drop_it(&self) {
        let mut admin = connect(&server().with_database("postgres")).unwrap();
        let quoted = compliance_ops::provision::quote_ident(&self.0.database());
        crate::support::exec(
            &mut admin,
            &format!("DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"),
        );
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        self.drop_it();
    }
}

#[test]
fn provision_creates_migrates_seeds_and_verifies_then_changes_nothing_the_second_time() {
    // A name that must be quoted: spaces, a double quote, a semicolon, non-ASCII.
    let name = format!("compliance test \"{}\"; ü", std::process::id());
    let fresh = Fresh::new(&name);
    // The smallest pool a service may configure is enough to provision.
    let mut config = fresh.0.clone();
    config.pool_max = 1;
    let mut steps = Vec::new();
    let options = ProvisionOptions {
        expect_seed: true,
        ..Default::default()
    };
    let first = provision(&config, options, |p| {
        if let compliance_ops::provision::Progress::Finished(step) = p {
            steps.push(step.step);
        }
    })
    .unwrap();
    assert_eq!(
        steps,
        ["connect", "create database", "migrate", "seed", "verify"]
    );
    assert!(first.created);
    assert_eq!(first.migrations_applied.len(), migrations_known());
    let seeded = first.seeded.unwrap();
    assert_eq!((seeded.users, seeded.cases), (4, 9));
    assert_eq!(
        first.verify.outcome,
        Outcome::Pass,
        "{:#?}",
        first.verify.failures().collect::<Vec<_>>()
    );
    assert!(first.verify.checks.len() >= 19);

    let mut conn = connect(&fresh.0).unwrap();
    let audit_before = count(&mut conn, "SELECT count(*) AS n FROM audit_logs");
    let second = provision(&fresh.0, ProvisionOptions::default(), |_| {}).unwrap();
    assert!(second.changed_nothing(), "{second:#?}");
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM audit_logs"),
        audit_before
    );
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM kyc_checks"), 9);
    assert_eq!(second.verify.outcome, Outcome::Pass);
}

#[test]
fn provision_without_seed_leaves_an_empty_verified_schema_and_reset_starts_over() {
    let fresh = Fresh::new(&format!("compliance_noseed_{}", std::process::id()));
    let nothing = provision(
        &fresh.0,
        ProvisionOptions {
            reset: true,
            seed: false,
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    let reset = nothing.steps.iter().find(|s| s.step == "reset").unwrap();
    assert!(reset.detail.ends_with("did not exist"), "{}", reset.detail);
    fresh.drop_it();
    let report = provision(
        &fresh.0,
        ProvisionOptions {
            seed: false,
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    assert!(report.seeded.is_none());
    assert_eq!(
        report.verify.count(Outcome::Fail),
        0,
        "{:#?}",
        report.verify.checks
    );
    let counts = report.verify.checks.iter().find(|c| c.number == 4).unwrap();
    assert_eq!(counts.outcome, Outcome::Warn, "{}", counts.detail);

    provision(&fresh.0, ProvisionOptions::default(), |_| {}).unwrap();
    let reset = provision(
        &fresh.0,
        ProvisionOptions {
            reset: true,
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    assert!(reset.created && reset.steps.iter().any(|s| s.step == "reset"));
    assert_eq!(reset.seeded.unwrap().cases, 9);
}

#[test]
fn reset_is_refused_on_a_server_that_is_not_local() {
    let remote =
        DatabaseConfig::from_url("postgres://app:secret@db.prod.example:5432/compliance_db")
            .unwrap();
    let err = provision(
        &remote,
        ProvisionOptions {
            reset: true,
            ..Default::default()
        },
        |_| {},
    )
    .unwrap_err();
    assert!(matches!(err, ProvisionError::ResetRefused { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("db.prod.example:5432/compliance_db")
            && err.to_string().contains("--force")
    );
    assert!(!err.to_string().contains("secret"));
}

#[test]
fn an_unreachable_server_names_host_port_and_database_and_a_too_long_name_is_refused() {
    let closed =
        DatabaseConfig::from_url("postgres://app:secret@127.0.0.1:1/compliance_db").unwrap();
    let err = provision(&closed, ProvisionOptions::default(), |_| {}).unwrap_err();
    assert!(matches!(err, ProvisionError::Unavailable(_)), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("127.0.0.1:1/compliance_db") && !text.contains("secret"),
        "{text}"
    );
    let long = server().with_database(&"x".repeat(64));
    assert!(matches!(
        provision(&long, ProvisionOptions::default(), |_| {}),
        Err(ProvisionError::Config(_))
    ));
}

#[test]
fn provision_again_on_a_database_with_real_cases_besides_the_seed_changes_nothing() {
    use crate::support::{entity, scenario, seeded};
    let s = seeded();
    for (i, id) in ["us-ind-standard-002", "in-ind-rejected-003"]
        .iter()
        .enumerate()
    {
        let mut case = scenario(id);
        case.kyc.entity_id = entity(&format!("real-customer-{i:03}"));
        s.compliance.submit(&s.agent(), &case, None).unwrap();
    }
    let mut conn = s.db.conn();
    let before = count(&mut conn, "SELECT count(*) AS n FROM audit_logs");
    let again = provision(s.db.config(), ProvisionOptions::default(), |_| {}).unwrap();
    assert!(again.changed_nothing(), "{again:#?}");
    assert_eq!(
        again.verify.count(Outcome::Fail),
        0,
        "{:#?}",
        again.verify.failures().collect::<Vec<_>>()
    );
    assert!(!again.verify.expect_seed);
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM audit_logs"),
        before
    );
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM kyc_checks"), 11);
    // The seed's exact counts are asked for explicitly, and then do not hold.
    let strict = provision(
        s.db.config(),
        ProvisionOptions {
            expect_seed: true,
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    assert_eq!(
        strict
            .verify
            .failures()
            .map(|c| c.number)
            .collect::<Vec<_>>(),
        [4, 6, 7, 14, 15]
    );
}

#[test]
fn a_service_statement_timeout_does_not_cut_provisioning_short() {
    let fresh = Fresh::new(&format!("compliance_timeouts_{}", std::process::id()));
    // A limit no real statement fits in: for the services' sessions, not for deploy-time work.
    let mut config = fresh.0.clone();
    config.session.statement_timeout = std::time::Duration::from_millis(1);
    let report = provision(&config, ProvisionOptions::default(), |_| {}).unwrap();
    assert_eq!(report.seeded.unwrap().cases, 9);
    assert_eq!(
        report.verify.count(Outcome::Fail),
        0,
        "{:#?}",
        report.verify.checks
    );
}

/// A database provisioned with the first default rules (open-ended, as they were published
/// before issue 24) and cases decided with them before the engine listed unweighed signals:
/// provisioning again adds the four versions of 2027, closes the two they replace exactly where
/// they begin (never in the past), changes no case, and verify still replays every old decision.
#[test]
fn provision_on_a_database_seeded_with_the_first_defaults_adds_the_later_versions_only() {
    use chrono::Utc;
    use compliance_ops::{rules::new_rule, seed};
    use compliance_persistence::repo::compliance_rules as stored_rules;
    use compliance_rules::{accreditation_effective_from, default_effective_from, default_rules};

    let fresh = Fresh::new(&format!("compliance_upgrade_{}", std::process::id()));
    let options = || ProvisionOptions {
        seed: false,
        ..Default::default()
    };
    provision(&fresh.0, options(), |_| {}).unwrap();
    let mut conn = connect(&fresh.0).unwrap();
    // The state the earlier release left: the 19 first versions, open-ended.
    let mut report = seed::SeedReport::default();
    let people = seed::seed_users(&mut conn, &mut report).unwrap();
    for rule in default_rules() {
        if rule.period().from() == default_effective_from() && rule.version().get() == 1 {
            let mut row = new_rule(&rule);
            row.effective_to = None;
            stored_rules::insert(&mut conn, &row, people.officer.id).unwrap();
        }
    }
    // The nine cases, without the facts of 2027, decided when the seed plan says.
    let compliance = compliance_ops::compliance_over(&fresh.0).unwrap();
    let agent = compliance.in_process().system_agent().unwrap();
    for s in compliance_rules::scenarios::scenarios() {
        let mut case = s.case;
        case.kyc.investor.assessed_on = None;
        case.kyc.investor.reg_d = None;
        case.kyc.investor.sebi = None;
        case.kyc.investor.classification = None;
        let at = compliance_rules::scenarios::decided_at();
        compliance.submit_at(&agent, &case, None, at).unwrap();
    }
    // ... and recorded before the engine listed unweighed signals (as the migration found them).
    for sql in [
        "SET session_replication_role = replica",
        "UPDATE compliance_checks SET unweighed_signals = NULL",
        "SET session_replication_role = DEFAULT",
    ] {
        crate::support::exec(&mut conn, sql);
    }
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM compliance_checks WHERE unweighed_signals IS NULL"
        ),
        9
    );
    let digest = |conn: &mut compliance_persistence::diesel::PgConnection| {
        let mut out = String::new();
        for table in ["compliance_checks", "kyc_checks", "aml_checks"] {
            let sql = format!(
                "SELECT md5(string_agg(t::text, ',' ORDER BY id))::text AS value FROM {table} t"
            );
            #[derive(diesel::QueryableByName)]
            struct Row {
                #[diesel(sql_type = diesel::sql_types::Text)]
                value: String,
            }
            use compliance_persistence::diesel::RunQueryDsl;
            let row: Row = compliance_persistence::diesel::sql_query(sql)
                .get_result(conn)
                .unwrap();
            out.push_str(&row.value);
        }
        out
    };
    let cases_before = digest(&mut conn);
    let audit_before = count(&mut conn, "SELECT count(*) AS n FROM audit_logs");

    let started = Utc::now();
    let upgraded = provision(&fresh.0, ProvisionOptions::default(), |_| {}).unwrap();
    let seeded = upgraded.seeded.unwrap();
    // The four versions of 2027 and the six of the screening bands (issue 18: each sanctions
    // rule's version 2 and a review rule per jurisdiction).
    assert_eq!((seeded.users, seeded.rules, seeded.cases), (0, 10, 0));
    assert_eq!(
        upgraded.verify.outcome,
        Outcome::Pass,
        "{:#?}",
        upgraded.verify.failures().collect::<Vec<_>>()
    );
    assert_eq!(
        digest(&mut conn),
        cases_before,
        "no case, check or screening changed"
    );
    // Ten versions published, five closed (two accreditation, three sanctions versions 1):
    // fifteen audit entries, nothing else.
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM audit_logs"),
        audit_before + 15
    );
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM compliance_rules"),
        29
    );
    // Each replaced version ends where its successor begins: at the stated date, or now if that
    // has passed; never in the past.
    for (code, jurisdiction) in [
        ("US-506C-ACCREDITATION", compliance_domain::Jurisdiction::Us),
        (
            "IN-ACCREDITED-INVESTOR",
            compliance_domain::Jurisdiction::In,
        ),
    ] {
        let filter = stored_rules::RuleFilter {
            jurisdiction: Some(jurisdiction),
            code: Some(compliance_domain::RuleCode::parse(code).unwrap()),
        };
        let versions = stored_rules::list(&mut conn, &filter).unwrap();
        assert_eq!(versions.len(), 2, "{code}");
        let (v1, v2) = (&versions[0], &versions[1]);
        assert_eq!(v1.effective_to, Some(v2.effective_from), "{code}");
        let stated = accreditation_effective_from();
        if started < stated {
            assert_eq!(v2.effective_from, stated, "{code}");
        } else {
            assert!(
                v2.effective_from >= started - chrono::Duration::seconds(1),
                "{code}"
            );
        }
        assert_eq!(v2.effective_to, None, "{code}");
    }
    let second = provision(&fresh.0, ProvisionOptions::default(), |_| {}).unwrap();
    assert!(second.changed_nothing(), "{second:#?}");
    assert_eq!(second.verify.outcome, Outcome::Pass);
}
