//! Defense in depth: every rule the domain enforces, the database enforces too. Each bad row is
//! sent as raw SQL, skipping the domain, and must be refused by the named constraint or guard.

use crate::support::*;
use compliance_persistence::testing::TestDatabase;

/// An insert into kyc_checks of a valid row with some columns overridden (or added).
fn kyc_row(overrides: &[(&str, &str)]) -> String {
    let mut columns = vec![
        ("entity_id", "'x-entity-1'"),
        ("entity_type", "'individual'"),
        ("jurisdiction", "'AE'"),
        ("status", "'APPROVED'"),
        ("verification_score", "90"),
        ("submitted_by", SYSTEM),
    ];
    for (column, value) in overrides {
        match columns.iter_mut().find(|(c, _)| c == column) {
            Some(slot) => slot.1 = value,
            None => columns.push((column, value)),
        }
    }
    let names: Vec<_> = columns.iter().map(|(c, _)| *c).collect();
    let values: Vec<_> = columns.iter().map(|(_, v)| *v).collect();
    format!(
        "INSERT INTO kyc_checks ({}) VALUES ({})",
        names.join(", "),
        values.join(", ")
    )
}

fn aml_insert(
    score: &str,
    level: &str,
    sanctions: &str,
    pep: &str,
    entries: &str,
    provider: &str,
) -> String {
    format!(
        "INSERT INTO aml_checks (kyc_check_id, risk_score, risk_level, sanctions_match, pep_match, matched_entries,
                                 screening_provider, watchlist_version, submitted_by)
         VALUES ((SELECT id FROM kyc_checks WHERE entity_id = 'in-corp-pep-002'), {score}, '{level}', {sanctions}, {pep},
                 '{entries}', '{provider}', 'v1', {SYSTEM})"
    )
}

#[test]
fn bad_users_are_refused() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    users(&mut conn);
    let insert = |u: &str, e: &str, r: &str| {
        format!("INSERT INTO users (username, email, role) VALUES ('{u}', '{e}', '{r}')")
    };
    refused(
        &mut conn,
        &insert("Bad Name", "b@x.io", "analyst"),
        "ck_users_username",
    );
    refused(
        &mut conn,
        &insert("bad.email", "not-an-email", "analyst"),
        "ck_users_email",
    );
    refused(
        &mut conn,
        &insert("bad.role", "r@x.io", "auditor"),
        "ck_users_role",
    );
    refused(
        &mut conn,
        &insert("analyst", "other@x.io", "analyst"),
        "uq_users_username",
    );
}

#[test]
fn bad_kyc_checks_are_refused_and_stored_ones_never_change() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    case(&mut conn, &u.system, "in-corp-pep-002", vec![pep_reason()]);
    refused(
        &mut conn,
        &kyc_row(&[("entity_id", "'Bad--Id'")]),
        "ck_kyc_checks_entity_id",
    );
    refused(
        &mut conn,
        &kyc_row(&[("entity_type", "'person'")]),
        "ck_kyc_checks_entity_type",
    );
    refused(
        &mut conn,
        &kyc_row(&[("jurisdiction", "'UK'")]),
        "ck_kyc_checks_jurisdiction",
    );
    refused(
        &mut conn,
        &kyc_row(&[("status", "'approved'")]),
        "ck_kyc_checks_status",
    );
    refused(
        &mut conn,
        &kyc_row(&[("verification_score", "101")]),
        "ck_kyc_checks_verification_score",
    );
    refused(
        &mut conn,
        &kyc_row(&[("verification_score", "-1")]),
        "ck_kyc_checks_verification_score",
    );
    refused(
        &mut conn,
        &kyc_row(&[("documents", r#"'["selfie"]'"#)]),
        "ck_kyc_checks_documents",
    );
    refused(
        &mut conn,
        &kyc_row(&[("documents", r#"'{"passport": true}'"#)]),
        "ck_kyc_checks_documents",
    );
    refused(
        &mut conn,
        &kyc_row(&[("red_flags", r#"'["suspicious"]'"#)]),
        "ck_kyc_checks_red_flags",
    );
    refused(
        &mut conn,
        &kyc_row(&[("net_worth", r#"1000"#)]),
        "ck_kyc_checks_net_worth",
    );
    refused(
        &mut conn,
        &kyc_row(&[("net_worth", r#"-1"#), ("net_worth_currency", r#"'USD'"#)]),
        "ck_kyc_checks_net_worth",
    );
    refused(
        &mut conn,
        &kyc_row(&[
            ("annual_income", r#"1"#),
            ("annual_income_currency", r#"'usd'"#),
        ]),
        "ck_kyc_checks_annual_income",
    );
    refused(
        &mut conn,
        &kyc_row(&[("total_assets_currency", r#"'USD'"#)]),
        "ck_kyc_checks_total_assets",
    );
    // A second KYC check of an entity is how its next case starts (case_submissions decides
    // when one may open): the check itself is accepted.
    raw(&mut conn, &kyc_row(&[("entity_id", "'in-corp-pep-002'")])).unwrap();
    refused(
        &mut conn,
        "UPDATE kyc_checks SET verification_score = 99",
        "kyc_checks_append_only",
    );
    refused(
        &mut conn,
        "DELETE FROM kyc_checks",
        "kyc_checks_append_only",
    );
    // The valid form of the same row is accepted: the refusals above are about the bad field.
    raw(
        &mut conn,
        &kyc_row(&[
            ("net_worth", r#"1000.5"#),
            ("net_worth_currency", r#"'USD'"#),
        ]),
    )
    .unwrap();
}

#[test]
fn bad_screenings_are_refused_and_stored_ones_never_change() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    case(&mut conn, &u.system, "in-corp-pep-002", vec![pep_reason()]);
    let sanctions = r#"[{"kind": "sanctions", "list": "OFAC-SDN", "entry": "SDN-1"}]"#;
    refused(
        &mut conn,
        &aml_insert("101", "CRITICAL", "false", "false", "[]", "p"),
        "ck_aml_checks_risk_score",
    );
    refused(
        &mut conn,
        &aml_insert("30", "MEDIUM", "false", "false", "[]", "p"),
        "ck_aml_checks_risk_level",
    );
    refused(
        &mut conn,
        &aml_insert("85", "HIGH", "false", "false", "[]", "p"),
        "ck_aml_checks_risk_level",
    );
    refused(
        &mut conn,
        &aml_insert("95", "CRITICAL", "true", "false", "[]", "p"),
        "ck_aml_checks_sanctions_match",
    );
    refused(
        &mut conn,
        &aml_insert("95", "CRITICAL", "false", "false", sanctions, "p"),
        "ck_aml_checks_sanctions_match",
    );
    refused(
        &mut conn,
        &aml_insert("50", "MEDIUM", "false", "true", "[]", "p"),
        "ck_aml_checks_pep_match",
    );
    refused(
        &mut conn,
        &aml_insert(
            "50",
            "MEDIUM",
            "false",
            "false",
            r#"[{"kind": "rumour", "list": "X", "entry": "Y"}]"#,
            "p",
        ),
        "ck_aml_checks_matched_entries",
    );
    refused(
        &mut conn,
        &aml_insert(
            "50",
            "MEDIUM",
            "false",
            "false",
            r#"[{"kind": "adverse_media", "list": 1, "entry": "Y"}]"#,
            "p",
        ),
        "ck_aml_checks_matched_entries",
    );
    refused(
        &mut conn,
        &aml_insert("50", "MEDIUM", "false", "false", "[]", "two words"),
        "ck_aml_checks_provider",
    );
    raw(
        &mut conn,
        &aml_insert("95", "CRITICAL", "true", "false", sanctions, "p"),
    )
    .unwrap();
    refused(
        &mut conn,
        "UPDATE aml_checks SET risk_score = 10, risk_level = 'LOW'",
        "aml_checks_append_only",
    );
    refused(
        &mut conn,
        "DELETE FROM aml_checks",
        "aml_checks_append_only",
    );
}

fn case_insert(
    status: &str,
    engine: &str,
    score: &str,
    level: &str,
    reasons: &str,
    decided_by: &str,
) -> String {
    format!(
        "INSERT INTO compliance_checks (kyc_check_id, aml_check_id, jurisdiction, status, engine_status, risk_score, risk_level,
                                        rule_versions, reasons, decided_by)
         SELECT k.id, a.id, k.jurisdiction, '{status}', '{engine}', {score}, '{level}', '[{{\"code\": \"IN-PEP-EDD\", \"version\": 1}}]',
                '{reasons}', {decided_by}
           FROM kyc_checks k JOIN aml_checks a ON a.kyc_check_id = k.id WHERE k.entity_id = 'in-new-001'"
    )
}

#[test]
fn bad_cases_are_refused() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    case(&mut conn, &u.system, "in-corp-pep-002", vec![pep_reason()]);
    raw(
        &mut conn,
        &kyc_row(&[("entity_id", "'in-new-001'"), ("jurisdiction", "'IN'")]),
    )
    .unwrap();
    raw(
        &mut conn,
        &aml_insert("68", "HIGH", "false", "false", "[]", "p")
            .replace("in-corp-pep-002", "in-new-001"),
    )
    .unwrap();
    let pep = r#"[{"rule": {"code": "IN-PEP-EDD", "version": 1}, "stage": "AML", "outcome": "ESCALATED", "explanation": "pep"}]"#;
    refused(
        &mut conn,
        &case_insert("APPROVED", "ESCALATED", "68", "HIGH", pep, SYSTEM),
        "compliance_checks_new_case",
    );
    refused(
        &mut conn,
        &case_insert("APPROVED", "APPROVED", "68", "HIGH", pep, SYSTEM),
        "ck_compliance_checks_engine_status",
    );
    refused(
        &mut conn,
        &case_insert("ESCALATED", "ESCALATED", "68", "MEDIUM", pep, SYSTEM),
        "ck_compliance_checks_risk_level",
    );
    // The copy of the score must be the screening's own.
    refused(
        &mut conn,
        &case_insert("ESCALATED", "ESCALATED", "70", "HIGH", pep, SYSTEM),
        "fk_compliance_checks_aml_link",
    );
    refused(
        &mut conn,
        &case_insert("ESCALATED", "ESCALATED", "68", "HIGH", pep, OFFICER),
        "compliance_checks_new_case",
    );
    refused(
        &mut conn,
        &case_insert(
            "APPROVED",
            "APPROVED",
            "68",
            "HIGH",
            &pep.replace("ESCALATED", "MAYBE"),
            SYSTEM,
        ),
        "ck_compliance_checks_reasons",
    );
    refused(
        &mut conn,
        &case_insert("ESCALATED", "ESCALATED", "68", "HIGH", pep, SYSTEM)
            .replace("k.jurisdiction", "'US'"),
        "fk_compliance_checks_kyc_jurisdiction",
    );
    // A screening of another entity cannot back this case.
    refused(
        &mut conn,
        &case_insert("ESCALATED", "ESCALATED", "68", "HIGH", pep, SYSTEM).replace(
            "JOIN aml_checks a ON a.kyc_check_id = k.id",
            "JOIN aml_checks a ON a.kyc_check_id <> k.id",
        ),
        "fk_compliance_checks_aml_link",
    );
    raw(
        &mut conn,
        &case_insert("ESCALATED", "ESCALATED", "68", "HIGH", pep, SYSTEM),
    )
    .unwrap();
    refused(
        &mut conn,
        &case_insert("ESCALATED", "ESCALATED", "68", "HIGH", pep, SYSTEM),
        "uq_compliance_checks_kyc_check_id",
    );
}

#[test]
fn case_updates_follow_the_status_table_roles_and_four_eyes() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    case(&mut conn, &u.system, "in-corp-pep-002", vec![pep_reason()]);
    notes_by_everyone(&mut conn);
    let set = |assignments: &str| {
        format!("UPDATE compliance_checks SET {assignments}, revision = revision + 1")
    };
    let decide = |status: &str, by: &str| {
        set(&format!(
            "status = '{status}', decided_by = {by}, review_note_id = {}",
            note_of(by)
        ))
    };
    refused(
        &mut conn,
        &format!(
            "UPDATE compliance_checks SET status = 'REJECTED', decided_by = {OFFICER}, review_note_id = {}",
            note_of(OFFICER)
        ),
        "compliance_checks_revision",
    );
    refused(
        &mut conn,
        &set(&format!(
            "status = 'REJECTED', decided_by = {OFFICER}, review_reason = 'free text'"
        )),
        "compliance_checks_review_reason",
    );
    refused(
        &mut conn,
        &decide("PENDING", OFFICER),
        "compliance_checks_status_transition",
    );
    refused(
        &mut conn,
        &decide("APPROVED", SYSTEM),
        "compliance_checks_status_transition",
    );
    refused(
        &mut conn,
        &decide("REJECTED", ANALYST),
        "compliance_checks_reviewer_role",
    );
    refused(
        &mut conn,
        &set(&format!("status = 'REJECTED', decided_by = {OFFICER}")),
        "compliance_checks_review_reason",
    );
    refused(
        &mut conn,
        &decide("APPROVED", OFFICER),
        "compliance_checks_four_eyes",
    );
    refused(
        &mut conn,
        &set("jurisdiction = 'US'"),
        "compliance_checks_identity",
    );
    refused(
        &mut conn,
        &set(&format!("decided_by = {OFFICER}")),
        "compliance_checks_decider",
    );
    let propose = |by: &str| {
        set(&format!(
            "approval_proposed_by = {by}, approval_proposed_at = now(), approval_note_id = {}",
            note_of(by)
        ))
    };
    refused(&mut conn, &propose(ANALYST), "compliance_checks_four_eyes");
    raw(&mut conn, &propose(OFFICER)).unwrap();
    refused(&mut conn, &propose(OFFICER2), "compliance_checks_four_eyes");
    refused(
        &mut conn,
        &decide("APPROVED", OFFICER),
        "ck_compliance_checks_four_eyes",
    );
    raw(&mut conn, &decide("APPROVED", OFFICER2)).unwrap();
    refused(
        &mut conn,
        "DELETE FROM compliance_checks",
        "compliance_checks_kept",
    );
    // Once rejected, final.
    raw(&mut conn, &set(&format!("status = 'REJECTED', decided_by = {SYSTEM}, review_note_id = NULL, approval_proposed_by = NULL, approval_proposed_at = NULL, approval_note_id = NULL"))).unwrap();
    refused(
        &mut conn,
        &decide("APPROVED", OFFICER),
        "compliance_checks_status_transition",
    );
}

#[test]
fn inactive_users_decide_nothing() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    case(&mut conn, &u.system, "in-corp-pep-002", vec![pep_reason()]);
    notes_by_everyone(&mut conn);
    raw(
        &mut conn,
        "UPDATE users SET active = false WHERE username = 'officer.one'",
    )
    .unwrap();
    refused(
        &mut conn,
        &format!(
            "UPDATE compliance_checks SET status = 'REJECTED', decided_by = {OFFICER}, review_note_id = {}, revision = revision + 1",
            note_of(OFFICER)
        ),
        "compliance_checks_decider",
    );
}

#[test]
fn published_rules_are_never_edited_and_never_overlap() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    users(&mut conn);
    let rule = |code: &str, version: i32, params: &str, from: &str, to: &str| {
        format!(
            "INSERT INTO compliance_rules (jurisdiction, code, version, parameters, effective_from, effective_to, regulation, description, published_by)
             VALUES ('AE', '{code}', {version}, '{params}', '{from}', {to}, 'UAE FDL 20/2018', 'd', {SYSTEM})"
        )
    };
    let ok = r#"{"kind": "sanctions_match"}"#;
    refused(
        &mut conn,
        &rule("ae-lower", 1, ok, "2026-01-01", "NULL"),
        "ck_compliance_rules_code",
    );
    refused(
        &mut conn,
        &rule("AE-X", 0, ok, "2026-01-01", "NULL"),
        "ck_compliance_rules_version",
    );
    refused(
        &mut conn,
        &rule("AE-X", 1, "[]", "2026-01-01", "NULL"),
        "ck_compliance_rules_parameters",
    );
    refused(
        &mut conn,
        &rule("AE-X", 1, r#"{"threshold": 1}"#, "2026-01-01", "NULL"),
        "ck_compliance_rules_parameters",
    );
    refused(
        &mut conn,
        &rule("AE-X", 1, ok, "2026-01-01", "'2026-01-01'"),
        "ck_compliance_rules_period",
    );
    refused(
        &mut conn,
        &rule("AE-X", 1, ok, "2026-01-01", "NULL").replace("'UAE FDL 20/2018'", "' '"),
        "ck_compliance_rules_regulation",
    );
    refused(
        &mut conn,
        &rule("AE-X", 1, ok, "2026-01-01", "NULL").replace("'AE'", "'EU'"),
        "ck_compliance_rules_jurisdiction",
    );
    raw(&mut conn, &rule("AE-X", 1, ok, "2026-01-01", "NULL")).unwrap();
    refused(
        &mut conn,
        &rule("AE-X", 2, ok, "2026-06-01", "NULL"),
        "ex_compliance_rules_one_version_in_force",
    );
    refused(
        &mut conn,
        &rule("AE-X", 1, ok, "2027-06-01", "NULL"),
        "uq_compliance_rules_version",
    );
    refused(
        &mut conn,
        r#"UPDATE compliance_rules SET parameters = '{"kind": "pep_match"}'"#,
        "compliance_rules_immutable",
    );
    refused(
        &mut conn,
        "DELETE FROM compliance_rules",
        "compliance_rules_immutable",
    );
    // Closed in the future (never in the past: see rules_state.rs), then the next version.
    raw(
        &mut conn,
        "UPDATE compliance_rules SET effective_to = '2099-06-01'",
    )
    .unwrap();
    raw(&mut conn, &rule("AE-X", 2, ok, "2099-06-01", "NULL")).unwrap();
    refused(
        &mut conn,
        "UPDATE compliance_rules SET effective_to = NULL WHERE version = 1",
        "compliance_rules_immutable",
    );
    refused(
        &mut conn,
        "UPDATE compliance_rules SET effective_to = '2099-07-01' WHERE version = 1",
        "compliance_rules_immutable",
    );
}

#[test]
fn bad_vectors_audit_rows_and_blockchain_rows_are_refused() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let c = case(&mut conn, &u.system, "in-corp-pep-002", vec![pep_reason()]);
    let vector = |dim: i32, bytes: usize| {
        format!(
            "INSERT INTO decision_vectors (compliance_check_id, model, dimension, embedding) VALUES ('{}', 'm', {dim}, '\\x{}')",
            c.case.id,
            "00".repeat(bytes)
        )
    };
    refused(&mut conn, &vector(2, 4), "ck_decision_vectors_embedding");
    refused(&mut conn, &vector(0, 0), "ck_decision_vectors_dimension");
    raw(&mut conn, &vector(2, 8)).unwrap();

    let audit = |action: &str, old: &str, new: &str, details: &str| {
        format!(
            "INSERT INTO audit_logs (actor_id, action, subject_kind, subject_id, old_status, new_status, details)
             VALUES ({SYSTEM}, '{action}', 'compliance_check', '{}', {old}, {new}, '{details}')",
            c.case.id
        )
    };
    refused(
        &mut conn,
        &audit("status_changed", "NULL", "NULL", "{}"),
        "ck_audit_logs_status_change",
    );
    refused(
        &mut conn,
        &audit("status_changed", "'PENDING'", "'PENDING'", "{}"),
        "ck_audit_logs_status_change",
    );
    refused(
        &mut conn,
        &audit("kyc_recorded", "'PENDING'", "'APPROVED'", "{}"),
        "ck_audit_logs_status_change",
    );
    refused(
        &mut conn,
        &audit("deleted", "NULL", "NULL", "{}"),
        "ck_audit_logs_action",
    );
    refused(
        &mut conn,
        &audit("kyc_recorded", "NULL", "NULL", "[]"),
        "ck_audit_logs_details",
    );

    let wallet = |chain: &str, watch: &str| {
        format!(
            "INSERT INTO blockchain_monitoring (kyc_check_id, chain, address, watch, created_by)
             VALUES ('{}', '{chain}', '0x52908400098527886E0F7030069857D2E4169EE7', {watch}, {SYSTEM})",
            c.kyc.id
        )
    };
    refused(
        &mut conn,
        &wallet("Ethereum", "ARRAY['incoming']"),
        "ck_blockchain_monitoring_chain",
    );
    refused(
        &mut conn,
        &wallet("ethereum", "ARRAY[]::text[]"),
        "ck_blockchain_monitoring_watch",
    );
    refused(
        &mut conn,
        &wallet("ethereum", "ARRAY['everything']"),
        "ck_blockchain_monitoring_watch",
    );
    refused(
        &mut conn,
        &wallet("ethereum", "ARRAY['incoming', NULL]"),
        "ck_blockchain_monitoring_watch",
    );
    raw(
        &mut conn,
        &wallet("ethereum", "ARRAY['incoming', 'outgoing']"),
    )
    .unwrap();
    let tx = |amount: &str| {
        format!(
            "INSERT INTO blockchain_transactions (monitoring_id, tx_hash, direction, amount, asset, observed_at)
             VALUES ((SELECT id FROM blockchain_monitoring), '0xabc12345', 'incoming', {amount}, 'ETH', now())"
        )
    };
    refused(&mut conn, &tx("-1"), "ck_blockchain_transactions_amount");
    raw(&mut conn, &tx("1.000000000000000001")).unwrap();
    refused(
        &mut conn,
        "UPDATE blockchain_transactions SET amount = 2, revision = revision + 1",
        "blockchain_transactions_observed",
    );
    raw(&mut conn, &format!("UPDATE blockchain_transactions SET compliance_status = 'REJECTED', decided_by = {OFFICER}, revision = revision + 1")).unwrap();
    refused(
        &mut conn,
        "UPDATE blockchain_transactions SET compliance_status = 'APPROVED', revision = revision + 1",
        "blockchain_transactions_status_transition",
    );
}

#[test]
fn what_the_domain_refuses_in_users_and_amounts_the_database_refuses_too() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    users(&mut conn);
    // The domain's e-mail rule: HTML5, ASCII, no IP literal.
    for bad in [
        "odd@-bad-",
        "a@bücher.de",
        "a@[127.0.0.1]",
        "two@@x.io",
        "sp ace@x.io",
    ] {
        let sql = format!(
            "INSERT INTO users (username, email, role) VALUES ('odd.user', '{bad}', 'analyst')"
        );
        refused(&mut conn, &sql, "ck_users_email");
        assert!(compliance_domain::Email::parse(bad).is_err(), "{bad}");
    }
    // Amounts are refused, not rounded, past four decimal places, at 10^15, or in a currency
    // that is not ISO 4217, as the domain's Money refuses them.
    refused(
        &mut conn,
        &kyc_row(&[("net_worth", "1.23456"), ("net_worth_currency", "'USD'")]),
        "ck_kyc_checks_net_worth",
    );
    refused(
        &mut conn,
        &kyc_row(&[("net_worth", "1e15"), ("net_worth_currency", "'USD'")]),
        "ck_kyc_checks_net_worth",
    );
    refused(
        &mut conn,
        &kyc_row(&[("net_worth", "1"), ("net_worth_currency", "'XYZ'")]),
        "ck_kyc_checks_net_worth",
    );
    raw(
        &mut conn,
        &kyc_row(&[("net_worth", "1.50000"), ("net_worth_currency", "'USD'")]),
    )
    .unwrap();
}

#[test]
fn truncate_is_refused_on_every_table_of_evidence_and_decisions() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    case(&mut conn, &u.system, "in-corp-pep-002", vec![pep_reason()]);
    for table in [
        "users",
        "compliance_rules",
        "kyc_checks",
        "aml_checks",
        "compliance_checks",
        "audit_logs",
        "blockchain_monitoring",
        "blockchain_transactions",
    ] {
        refused(
            &mut conn,
            &format!("TRUNCATE {table} CASCADE"),
            &format!("{table}_append_only"),
        );
    }
    assert_eq!(
        text(&mut conn, "SELECT count(*)::text AS value FROM kyc_checks"),
        "1"
    );
}

#[test]
fn watched_wallets_and_observed_transactions_keep_what_was_observed() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let c = case(&mut conn, &u.system, "in-corp-pep-002", vec![pep_reason()]);
    raw(
        &mut conn,
        &format!(
            "INSERT INTO blockchain_monitoring (kyc_check_id, chain, address, watch, created_by)
             VALUES ('{}', 'ethereum', '0x52908400098527886E0F7030069857D2E4169EE7', ARRAY['incoming'], {SYSTEM})",
            c.kyc.id
        ),
    )
    .unwrap();
    refused(
        &mut conn,
        "UPDATE blockchain_monitoring SET address = '0x0000000000000000000000000000000000000001'",
        "blockchain_monitoring_wallet",
    );
    refused(
        &mut conn,
        "DELETE FROM blockchain_monitoring",
        "blockchain_monitoring_kept",
    );
    raw(
        &mut conn,
        "UPDATE blockchain_monitoring SET active = false, watch = ARRAY['outgoing']",
    )
    .unwrap();
    let tx = |hash: &str, amount: &str, extra_columns: &str, extra_values: &str| {
        format!(
            "INSERT INTO blockchain_transactions (monitoring_id, tx_hash, direction, amount, asset, observed_at{extra_columns})
             VALUES ((SELECT id FROM blockchain_monitoring), '{hash}', 'incoming', {amount}, 'ETH', now(){extra_values})"
        )
    };
    refused(
        &mut conn,
        &tx("0xabc12345", "0.0000000000000000001", "", ""),
        "ck_blockchain_transactions_amount",
    );
    refused(
        &mut conn,
        &tx("0xabc12345", "1", ", compliance_status", ", 'APPROVED'"),
        "blockchain_transactions_new",
    );
    refused(
        &mut conn,
        &tx("0xabc12345", "1", ", revision", ", 5"),
        "blockchain_transactions_new",
    );
    // The hash characters the domain's OnChainRef accepts are accepted here too.
    raw(
        &mut conn,
        &tx(
            "0xabc-123_45.6",
            "1.000000000000000001",
            ", risk_score",
            ", 40",
        ),
    )
    .unwrap();
    refused(
        &mut conn,
        "UPDATE blockchain_transactions SET risk_score = 5, revision = revision + 1",
        "blockchain_transactions_observed",
    );
}

#[test]
fn an_audit_entry_names_a_well_formed_entity_or_none() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    users(&mut conn);
    let audit = |entity: &str| {
        format!(
            "INSERT INTO audit_logs (actor_id, action, subject_kind, subject_id, entity_id)
             VALUES ({SYSTEM}, 'kyc_recorded', 'kyc_check', gen_random_uuid(), {entity})"
        )
    };
    refused(&mut conn, &audit("''"), "ck_audit_logs_entity_id");
    refused(&mut conn, &audit("'Not An Id'"), "ck_audit_logs_entity_id");
    raw(&mut conn, &audit("'ae-ind-clean-001'")).unwrap();
    raw(&mut conn, &audit("NULL")).unwrap();
}
