//! The schema as a whole: migrations go up, down and up again; every down.sql restores exactly
//! the schema its up.sql found; the database's copies of the domain's rules agree with it.

use crate::support::*;
use compliance_domain::*;
use compliance_persistence::diesel::{PgConnection, RunQueryDsl, sql_query};
use compliance_persistence::migrations;
use compliance_persistence::testing::TestDatabase;
use diesel::QueryableByName;
use strum::VariantArray;

/// Everything in the public schema that a migration may create, as sorted lines.
fn schema_snapshot(conn: &mut PgConnection) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text)]
        line: String,
    }
    let sql = r#"
        SELECT 'relation ' || c.relname || ' ' || c.relkind::text AS line
          FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relname <> '__diesel_schema_migrations'
                           AND c.relname NOT LIKE '__diesel_schema_migrations%'
        UNION ALL
        SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
          FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'
        UNION ALL
        SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
          FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '__diesel_schema_migrations'
        UNION ALL
        SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '__diesel_schema_migrations'
        UNION ALL
        SELECT 'function ' || p.oid::regprocedure::text || ' ' || md5(p.prosrc) FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
        UNION ALL
        SELECT 'trigger ' || tgrelid::regclass::text || ' ' || tgname || ' ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
        UNION ALL
        SELECT 'view ' || viewname || ' ' || md5(definition) FROM pg_views WHERE schemaname = 'public'
        UNION ALL
        SELECT 'extension ' || extname FROM pg_extension
        ORDER BY 1
    "#;
    sql_query(sql)
        .load::<Line>(conn)
        .unwrap()
        .into_iter()
        .map(|l| l.line)
        .collect()
}

/// The migrations in the top-level folder: each is embedded and pending on an empty database.
fn migration_folders() -> usize {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("up.sql").is_file())
        .count()
}

#[test]
fn migrations_go_up_down_and_up_again_and_each_down_restores_the_schema_before_it() {
    let db = TestDatabase::empty();
    let mut conn = db.conn();
    let before = schema_snapshot(&mut conn);

    let status = migrations::status(&mut conn).unwrap();
    assert!(status.applied.is_empty());
    assert_eq!(status.pending.len(), migration_folders(), "{status:?}");

    // Up one at a time, snapshotting the schema before each.
    use diesel_migrations::MigrationHarness;
    let mut snapshots = vec![before.clone()];
    while let Some(next) = conn
        .pending_migrations(migrations::MIGRATIONS)
        .unwrap()
        .into_iter()
        .next()
    {
        conn.run_migration(&next).unwrap();
        snapshots.push(schema_snapshot(&mut conn));
    }
    let up = snapshots.last().unwrap().clone();
    assert_ne!(up, before);
    assert!(migrations::status(&mut conn).unwrap().pending.is_empty());

    // Down one at a time: each must give back exactly the snapshot taken before its up.
    for expected in snapshots.iter().rev().skip(1) {
        conn.revert_last_migration(migrations::MIGRATIONS).unwrap();
        let now = schema_snapshot(&mut conn);
        let added: Vec<_> = now.iter().filter(|l| !expected.contains(l)).collect();
        let missing: Vec<_> = expected.iter().filter(|l| !now.contains(l)).collect();
        assert!(
            added.is_empty() && missing.is_empty(),
            "left behind: {added:#?}\nnot restored: {missing:#?}"
        );
    }

    // And up again, to the same schema.
    assert_eq!(
        migrations::run_pending(&mut conn).unwrap().len(),
        migration_folders()
    );
    assert_eq!(schema_snapshot(&mut conn), up);
    assert_eq!(
        migrations::run_pending(&mut conn).unwrap(),
        Vec::<String>::new()
    );
}

#[test]
fn the_schema_has_its_tables_views_and_named_indexes() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let lines = schema_snapshot(&mut conn);
    let has = |prefix: &str| lines.iter().filter(|l| l.starts_with(prefix)).count();
    for table in [
        "users",
        "kyc_checks",
        "aml_checks",
        "compliance_checks",
        "compliance_rules",
        "decision_vectors",
        "audit_logs",
        "blockchain_monitoring",
        "blockchain_transactions",
    ] {
        assert_eq!(has(&format!("relation {table} r")), 1, "table {table}");
    }
    for view in [
        "pending_approvals",
        "high_risk_entities",
        "compliance_summary",
    ] {
        assert_eq!(has(&format!("relation {view} v")), 1, "view {view}");
    }
    let named = lines.iter().filter(|l| l.starts_with("index idx_")).count();
    assert!(named >= 15, "only {named} named idx_ indexes");
}

#[test]
fn every_foreign_key_has_an_index_that_leads_with_its_first_column() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let unindexed = text(
        &mut conn,
        r#"SELECT coalesce(string_agg(c.conrelid::regclass || '.' || c.conname, ', '), '') AS value
             FROM pg_constraint c
            WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
              AND NOT EXISTS (SELECT 1 FROM pg_index i
                               WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])"#,
    );
    assert_eq!(unindexed, "", "foreign keys without an index");
}

#[test]
fn the_database_risk_bands_agree_with_the_domain_for_every_score() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let stored = text(
        &mut conn,
        "SELECT string_agg(risk_level_for(s::smallint), ',' ORDER BY s) AS value FROM generate_series(0, 100) s",
    );
    let domain: Vec<&str> = (0..=100)
        .map(|s| RiskScore::new(s).unwrap().level().as_str())
        .collect();
    assert_eq!(stored, domain.join(","));
}

#[test]
fn the_database_status_table_agrees_with_the_domain_for_every_pair() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    for from in CheckStatus::VARIANTS {
        for to in CheckStatus::VARIANTS {
            for (by, reviewer) in [(Trigger::Engine, false), (Trigger::Reviewer, true)] {
                let allowed = text(
                    &mut conn,
                    &format!(
                        "SELECT status_transition_allowed('{from}', '{to}', {reviewer})::text AS value"
                    ),
                );
                let expected = from.transition_to(*to, by).is_ok();
                assert_eq!(allowed, expected.to_string(), "{from} -> {to} by {by:?}");
            }
        }
    }
}

#[test]
fn the_database_strictest_outcome_agrees_with_the_domain_decision() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let outcomes = [
        CheckStatus::Approved,
        CheckStatus::Pending,
        CheckStatus::Escalated,
        CheckStatus::Rejected,
    ];
    // Every subset of outcomes, as the reasons of a decision.
    for mask in 0u8..16 {
        let reasons: Vec<Reason> = outcomes
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, o)| Reason {
                outcome: *o,
                ..pep_reason()
            })
            .collect();
        let decision = Decision::new(RiskLevel::Low, reasons.clone());
        let json = serde_json::to_string(&reasons).unwrap().replace('\'', "''");
        let stored = text(
            &mut conn,
            &format!("SELECT strictest_outcome('{json}'::jsonb) AS value"),
        );
        assert_eq!(stored, decision.status().as_str(), "reasons {mask:04b}");
    }
}

#[test]
fn the_database_check_constraints_list_exactly_the_domain_text_forms() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    // Every canonical form is accepted and a near miss is refused, column by column.
    let system = user(&mut conn, "kyc-agent", Role::System);
    for role in Role::VARIANTS {
        let name = format!("user-{}", role.as_str().replace('_', "-"));
        raw(&mut conn, &format!("INSERT INTO users (username, email, role) VALUES ('{name}', '{name}@x.io', '{role}')")).unwrap();
    }
    refused(
        &mut conn,
        "INSERT INTO users (username, email, role) VALUES ('x-user', 'x@x.io', 'Analyst')",
        "ck_users_role",
    );
    for (i, kind) in DocumentKind::VARIANTS.iter().enumerate() {
        raw(
            &mut conn,
            &format!(
                "INSERT INTO kyc_checks (entity_id, entity_type, jurisdiction, status, verification_score, documents, submitted_by)
                 VALUES ('doc-{i}', 'fund', 'US', 'PENDING', 50, '[\"{kind}\"]', '{}')",
                system.id
            ),
        )
        .unwrap();
    }
    for (i, flag) in RedFlag::VARIANTS.iter().enumerate() {
        raw(
            &mut conn,
            &format!(
                "INSERT INTO kyc_checks (entity_id, entity_type, jurisdiction, status, verification_score, red_flags, submitted_by)
                 VALUES ('flag-{i}', 'fund', 'US', 'PENDING', 50, '[\"{flag}\"]', '{}')",
                system.id
            ),
        )
        .unwrap();
    }
    for (i, (entity_type, jurisdiction)) in EntityType::VARIANTS
        .iter()
        .zip(Jurisdiction::VARIANTS)
        .enumerate()
    {
        for status in CheckStatus::VARIANTS {
            raw(
                &mut conn,
                &format!(
                    "INSERT INTO kyc_checks (entity_id, entity_type, jurisdiction, status, verification_score, submitted_by)
                     VALUES ('forms-{i}-{}', '{entity_type}', '{jurisdiction}', '{status}', 50, '{}')",
                    status.as_str().to_lowercase(),
                    system.id
                ),
            )
            .unwrap();
        }
    }
}

#[test]
fn the_catalog_describes_exactly_the_migrated_schema() {
    use compliance_persistence::catalog;
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let columns = text(
        &mut conn,
        r#"SELECT string_agg(table_name || '.' || column_name || ':' || udt_name, ' ' ORDER BY table_name, ordinal_position) AS value
             FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name NOT LIKE '\_\_%'
              AND table_name NOT IN (SELECT viewname FROM pg_views WHERE schemaname = 'public')"#,
    );
    let mut expected: Vec<(&str, usize, &str, &str)> = catalog::TABLES
        .iter()
        .flat_map(|(t, cols)| {
            cols.iter()
                .enumerate()
                .map(move |(i, (c, ty))| (*t, i, *c, *ty))
        })
        .collect();
    expected.sort_by_key(|(t, i, _, _)| (*t, *i));
    let expected: Vec<String> = expected
        .iter()
        .map(|(t, _, c, ty)| format!("{t}.{c}:{ty}"))
        .collect();
    assert_eq!(columns, expected.join(" "));
    let indexes = text(
        &mut conn,
        r"SELECT string_agg(indexname, ' ' ORDER BY indexname) AS value FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'idx\_%'",
    );
    let mut names = catalog::INDEXES.to_vec();
    names.sort();
    assert_eq!(indexes, names.join(" "));
    let views = text(
        &mut conn,
        "SELECT string_agg(viewname, ' ' ORDER BY viewname) AS value FROM pg_views WHERE schemaname = 'public'",
    );
    let mut expected_views = catalog::VIEWS.to_vec();
    expected_views.sort();
    assert_eq!(views, expected_views.join(" "));
}

#[test]
fn the_database_currency_list_agrees_with_the_domain() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let codes: Vec<&str> = Currency::all().map(Currency::as_str).collect();
    let accepted = text(
        &mut conn,
        &format!(
            "SELECT string_agg(c, ',' ORDER BY c) AS value FROM unnest('{{{}}}'::text[]) c WHERE is_iso_4217(c)",
            codes.join(",")
        ),
    );
    assert_eq!(accepted, codes.join(","));
    for near_miss in ["usd", "XYZ", "US", "USDD", "ANG", "HRK"] {
        assert!(Currency::parse(near_miss).is_err());
        let db_says = text(
            &mut conn,
            &format!("SELECT is_iso_4217('{near_miss}')::text AS value"),
        );
        assert_eq!(db_says, "false", "{near_miss}");
    }
}

#[test]
fn docs_data_model_names_every_constraint_index_trigger_function_and_view() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let names = text(
        &mut conn,
        r#"SELECT string_agg(name, ' ' ORDER BY name) AS value FROM (
               SELECT conname::text AS name FROM pg_constraint WHERE connamespace = 'public'::regnamespace
                  AND conrelid::regclass::text NOT LIKE '\_\_diesel%'
               UNION SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE '\_\_diesel%'
               UNION SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal
               UNION SELECT proname::text FROM pg_proc p WHERE pronamespace = 'public'::regnamespace
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
               UNION SELECT viewname::text FROM pg_views WHERE schemaname = 'public'
           ) n"#,
    );
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/data-model.md"
    ))
    .expect("docs/data-model.md exists");
    let missing: Vec<&str> = names
        .split(' ')
        .filter(|name| !doc.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/data-model.md does not mention: {missing:?}"
    );
}
