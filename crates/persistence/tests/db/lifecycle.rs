//! The case lifecycle migration on a database that already holds cases: nothing lost, nothing
//! rewritten, every existing case its entity's first and current one.

use crate::support::*;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::migrations;
use compliance_persistence::testing::TestDatabase;
use diesel::connection::SimpleConnection;
use diesel_migrations::MigrationHarness;

/// Every row of the tables that existed before, with where it lies and which transaction wrote
/// it: a rewritten row moves (`ctid`) or gets a new `xmin`.
fn rows(conn: &mut PgConnection) -> String {
    let tables = [
        "users",
        "compliance_rules",
        "kyc_checks",
        "aml_checks",
        "compliance_checks",
        "audit_logs",
    ];
    let parts: Vec<String> = tables
        .iter()
        // The columns the later migrations add are left out of the content compared (the
        // lifecycle migration's, and issue 24's nullable facts and unweighed signals, which
        // rewrite no row either: ctid and xmin stay; so do issue 23's assignment columns).
        .map(|t| format!("SELECT '{t}' || ctid::text || xmin::text || md5((to_jsonb(t) - 'review_note_id' - 'approval_note_id' - 'engine_decided_at' - 'chain' - 'chain_position' - 'assessed_on' - 'accreditation' - 'unweighed_signals' - 'assigned_to' - 'assigned_by' - 'assigned_at')::text) AS line FROM {t} t"))
        .collect();
    text(
        conn,
        &format!(
            "SELECT string_agg(line, ' ' ORDER BY line) AS value FROM ({}) rows",
            parts.join(" UNION ALL ")
        ),
    )
}

#[test]
fn existing_cases_become_first_cases_without_a_row_rewritten() {
    let db = TestDatabase::empty();
    let mut conn = db.conn();
    // Up to the migration before the lifecycle one.
    while let Some(next) = conn
        .pending_migrations(migrations::MIGRATIONS)
        .unwrap()
        .into_iter()
        .next()
    {
        if next.name().version().to_string().as_str() >= "20260410000000" {
            break;
        }
        conn.run_migration(&next).unwrap();
    }
    // Cases written by the schema of that time, through its triggers.
    conn.batch_execute(
        "INSERT INTO users (username, email, role) VALUES ('kyc-agent', 'agent@example.com', 'system');
         INSERT INTO kyc_checks (entity_id, entity_type, jurisdiction, status, verification_score, submitted_by)
              SELECT e, 'individual', 'AE', 'APPROVED', 90, (SELECT id FROM users) FROM unnest(ARRAY['ae-one', 'ae-two']) e;
         INSERT INTO aml_checks (kyc_check_id, risk_score, risk_level, sanctions_match, pep_match, screening_provider, watchlist_version, submitted_by)
              SELECT id, 10, 'LOW', false, false, 'provider', 'v1', submitted_by FROM kyc_checks;
         INSERT INTO compliance_checks (kyc_check_id, aml_check_id, jurisdiction, status, engine_status, risk_score, risk_level, rule_versions, decided_by)
              SELECT k.id, a.id, 'AE', 'APPROVED', 'APPROVED', 10, 'LOW', '[]', k.submitted_by FROM kyc_checks k JOIN aml_checks a ON a.kyc_check_id = k.id;
         INSERT INTO audit_logs (actor_id, action, subject_kind, subject_id) SELECT decided_by, 'decision_recorded', 'compliance_check', id FROM compliance_checks;",
    )
    .unwrap();
    let before = rows(&mut conn);
    migrations::run_pending(&mut conn).unwrap();
    assert_eq!(rows(&mut conn), before, "a row was rewritten or lost");
    assert_eq!(
        text(
            &mut conn,
            "SELECT string_agg(s.entity_id || ':' || s.sequence, ' ' ORDER BY s.entity_id) AS value
               FROM case_submissions s JOIN current_cases c USING (compliance_check_id)"
        ),
        "ae-one:1 ae-two:1"
    );
    assert_eq!(
        text(
            &mut conn,
            "SELECT count(*)::text AS value FROM compliance_checks WHERE engine_decided_at IS NULL AND review_note_id IS NULL"
        ),
        "2"
    );
}
