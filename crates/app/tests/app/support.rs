//! Shared set-up: a provisioned test database (migrated by the template, seeded through the
//! service) and raw SQL helpers.

use compliance_app::ComplianceService;
use compliance_app::seed::{self, SeedUsers};
use compliance_domain::{Case, EntityId};
use compliance_persistence::diesel::{PgConnection, RunQueryDsl, sql_query};
use compliance_persistence::testing::TestDatabase;
use compliance_rules::scenarios::scenarios;

pub struct Seeded {
    pub db: TestDatabase,
    pub service: ComplianceService,
    pub users: SeedUsers,
}

/// A migrated database with the seed data set.
pub fn seeded() -> Seeded {
    let db = TestDatabase::new();
    let service = ComplianceService::new(db.database());
    seed::seed(&service).unwrap();
    let mut report = seed::SeedReport::default();
    let users = seed::seed_users(&mut db.conn(), &mut report).unwrap();
    assert!(report.is_empty());
    Seeded { db, service, users }
}

/// A migrated database with the seed users and the default rules, but no cases.
pub fn with_rules() -> Seeded {
    use compliance_persistence::repo::compliance_rules as stored_rules;
    let db = TestDatabase::new();
    let service = ComplianceService::new(db.database());
    let mut conn = db.conn();
    let mut report = seed::SeedReport::default();
    let users = seed::seed_users(&mut conn, &mut report).unwrap();
    for rule in compliance_rules::default_rules() {
        stored_rules::insert(
            &mut conn,
            &compliance_app::new_rule(&rule),
            users.officer.id,
        )
        .unwrap();
    }
    Seeded { db, service, users }
}

/// How many migrations this build embeds (each test that counts them says so through this).
pub fn migrations_known() -> usize {
    compliance_persistence::migrations::known().unwrap().len()
}

/// The seed scenario with this id.
pub fn scenario(id: &str) -> Case {
    scenarios().into_iter().find(|s| s.id == id).unwrap().case
}

pub fn entity(id: &str) -> EntityId {
    EntityId::parse(id).unwrap()
}

/// A single number from a query.
pub fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    sql_query(sql).get_result::<Row>(conn).unwrap().n
}

pub fn exec(conn: &mut PgConnection, sql: &str) {
    sql_query(sql)
        .execute(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Runs SQL with triggers (and so foreign keys) off, as only a superuser can.
pub fn behind_the_triggers(conn: &mut PgConnection, sql: &str) {
    exec(conn, "SET session_replication_role = replica");
    exec(conn, sql);
    exec(conn, "SET session_replication_role = DEFAULT");
}
