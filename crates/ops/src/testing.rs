//! Test fixtures for the crates' integration tests (feature `testing`): a database per test,
//! seeded as `provision` seeds it, the seed's scenarios and users, and raw SQL helpers that
//! act as a superuser would. Never for production code.
//!
//! Must not: be compiled into a release binary (only the tests of this workspace turn the
//! feature on).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use crate::seed::{self, SeedUsers};
use compliance_app::records::CaseRecord;
use compliance_app::{Caller, Compliance};
use compliance_domain::{Case, EntityId};
use compliance_persistence::diesel::{PgConnection, RunQueryDsl, sql_query};
use compliance_persistence::testing::TestDatabase;
use compliance_rules::scenarios::scenarios;

pub struct Seeded {
    pub db: TestDatabase,
    pub compliance: Compliance,
    pub users: SeedUsers,
}

impl Seeded {
    /// The seed user `user`, as an in-process caller (the tests hold the database's
    /// credentials).
    pub fn caller(&self, user: &compliance_domain::User) -> Caller {
        self.compliance.in_process().user(&user.username).unwrap()
    }

    /// The system agent, `kyc-agent`.
    pub fn agent(&self) -> Caller {
        self.caller(&self.users.agent)
    }

    /// The compliance officer.
    pub fn officer(&self) -> Caller {
        self.caller(&self.users.officer)
    }

    /// The analyst.
    pub fn analyst(&self) -> Caller {
        self.caller(&self.users.analyst)
    }

    /// The admin.
    pub fn admin(&self) -> Caller {
        self.caller(&self.users.admin)
    }

    /// The entity's current case.
    pub fn current(&self, entity_id: &str) -> CaseRecord {
        self.compliance
            .current_case(&self.officer(), &entity(entity_id))
            .unwrap()
    }
}

/// A [`Compliance`] over a test database.
pub fn compliance_for(db: &TestDatabase) -> Compliance {
    crate::compliance_over(db.config()).unwrap()
}

/// A migrated database with the seed data set.
pub fn seeded() -> Seeded {
    let db = TestDatabase::new();
    seed::seed(db.config()).unwrap();
    let mut report = seed::SeedReport::default();
    let users = seed::seed_users(&mut db.conn(), &mut report).unwrap();
    assert!(report.is_empty());
    let compliance = compliance_for(&db);
    Seeded {
        db,
        compliance,
        users,
    }
}

/// A migrated database with the seed users and the default rules, but no cases.
pub fn with_rules() -> Seeded {
    use compliance_persistence::repo::compliance_rules as stored_rules;
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let mut report = seed::SeedReport::default();
    let users = seed::seed_users(&mut conn, &mut report).unwrap();
    for rule in compliance_rules::default_rules() {
        stored_rules::insert(&mut conn, &crate::rules::new_rule(&rule), users.officer.id).unwrap();
    }
    let compliance = compliance_for(&db);
    Seeded {
        db,
        compliance,
        users,
    }
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

/// Runs a statement that returns one number (`AS n`) with triggers off, as only a superuser
/// can.
pub fn behind_the_triggers_returning(conn: &mut PgConnection, sql: &str) -> i64 {
    exec(conn, "SET session_replication_role = replica");
    let n = count(conn, sql);
    exec(conn, "SET session_replication_role = DEFAULT");
    n
}

/// What the database answered a refused statement: its SQLSTATE (e.g. `42501`,
/// insufficient privilege; `23000`, one of our guards) and its constraint (or `none`). Panics
/// when the statement went through.
pub fn refusal(conn: &mut PgConnection, sql: &str) -> (String, String) {
    match sql_query(sql).execute(conn) {
        Ok(n) => panic!("{sql} was allowed ({n} row(s))"),
        Err(diesel::result::Error::DatabaseError(_, info)) => (
            info.sqlstate()
                .map_or_else(|| "none".to_owned(), |s| s.to_string()),
            info.constraint_name().unwrap_or("none").to_owned(),
        ),
        Err(other) => panic!("{sql}: {other}"),
    }
}

/// Runs SQL, giving back the database's message and constraint name when it refuses.
pub fn try_exec(conn: &mut PgConnection, sql: &str) -> Result<usize, String> {
    sql_query(sql).execute(conn).map_err(|e| match &e {
        diesel::result::Error::DatabaseError(_, info) => format!(
            "{} [constraint: {}]",
            info.message(),
            info.constraint_name().unwrap_or("none")
        ),
        other => other.to_string(),
    })
}

/// Publishes version 2 of the default rule `code`, its parameters changed by `edit`, in force
/// from a moment ahead (a version is never closed in the past), and waits until it is.
pub fn publish_next_version(s: &Seeded, code: &str, edit: impl FnOnce(&mut serde_json::Value)) {
    use compliance_persistence::repo::compliance_rules as stored_rules;
    let current = compliance_rules::default_rules()
        .into_iter()
        .find(|r| r.code().as_str() == code)
        .unwrap();
    let mut stored = current.to_stored();
    stored.version = 2;
    edit(&mut stored.parameters);
    stored.effective_from = chrono::SubsecRound::trunc_subsecs(
        chrono::Utc::now() + chrono::Duration::milliseconds(300),
        6,
    );
    let starts = stored.effective_from;
    let v2 = compliance_rules::Rule::try_from(stored).unwrap();
    stored_rules::publish(
        &mut s.db.conn(),
        &crate::rules::new_rule(&v2),
        s.users.officer.id,
    )
    .unwrap();
    while chrono::Utc::now() <= starts {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

pub fn sdn() -> (compliance_domain::ListName, compliance_domain::ListEntryRef) {
    (
        compliance_domain::ListName::parse("OFAC-SDN").unwrap(),
        compliance_domain::ListEntryRef::parse("SDN-99001").unwrap(),
    )
}

/// The seed's PEP screening of in-corp-pep-002, with a sanctions match added.
pub fn pep_and_sanctions() -> compliance_domain::AmlScreening {
    let mut screening = scenario("in-corp-pep-002").aml;
    let (list, entry) = sdn();
    screening.matches.push(compliance_domain::WatchlistMatch {
        kind: compliance_domain::WatchlistKind::Sanctions,
        list,
        entry,
        score: None,
    });
    screening
}

/// in-corp-pep-002 (ESCALATED on a PEP match) re-screened onto a sanctions list: the case after.
pub fn sanctions_hit_on_the_escalation(s: &Seeded) -> CaseRecord {
    s.compliance
        .rescreen(&s.agent(), &entity("in-corp-pep-002"), &pep_and_sanctions())
        .unwrap()
        .case
}

/// A reviewer's reason.
pub fn reason(text: &str) -> compliance_domain::ReviewReason {
    compliance_domain::ReviewReason::parse(text).unwrap()
}

/// A screening that matches the OFAC SDN list (risk 97).
pub fn sanctions_hit() -> compliance_domain::AmlScreening {
    use compliance_domain::*;
    AmlScreening {
        risk_score: RiskScore::new(97).unwrap(),
        matches: vec![WatchlistMatch {
            kind: WatchlistKind::Sanctions,
            list: ListName::parse("OFAC-SDN").unwrap(),
            entry: ListEntryRef::parse("SDN-99001").unwrap(),
            score: None,
        }],
        provider: ScreeningProvider::parse("refinitiv-world-check").unwrap(),
        watchlist_version: WatchlistVersion::parse("ofac-2026-11-24").unwrap(),
    }
}

/// A login role that may only read, dropped at the end.
pub struct ReadOnlyRole {
    pub name: String,
    db: String,
}

impl ReadOnlyRole {
    pub fn create(db: &TestDatabase) -> Self {
        let name = format!("compliance_ro_{}", uuid::Uuid::new_v4().simple());
        let mut conn = db.conn();
        for sql in [
            format!("CREATE ROLE {name} LOGIN"),
            format!("GRANT CONNECT ON DATABASE \"{}\" TO {name}", db.name()),
            format!("GRANT USAGE ON SCHEMA public TO {name}"),
            format!("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {name}"),
        ] {
            exec(&mut conn, &sql);
        }
        Self {
            name,
            db: db.name().to_owned(),
        }
    }

    pub fn config(&self) -> compliance_persistence::DatabaseConfig {
        let server = compliance_persistence::testing::server();
        compliance_persistence::DatabaseConfig::from_parts(
            &server.host(),
            server.port(),
            &self.db,
            &self.name,
            None,
        )
        .unwrap()
    }
}

impl Drop for ReadOnlyRole {
    fn drop(&mut self) {
        let server = compliance_persistence::testing::server().with_database(&self.db);
        if let Ok(mut conn) = compliance_persistence::connect(&server) {
            let _ = sql_query(format!("DROP OWNED BY {}", self.name)).execute(&mut conn);
            let _ = sql_query(format!("DROP ROLE {}", self.name)).execute(&mut conn);
        }
    }
}

/// A new API token's secret for `user` (created by themselves), working for `expires_in`.
pub fn token_for(
    s: &Seeded,
    user: &compliance_domain::User,
    expires_in: chrono::Duration,
) -> String {
    let (_, secret) = crate::admin::create_token(
        &mut s.db.conn(),
        &user.username,
        &compliance_domain::TokenName::parse("test").unwrap(),
        chrono::Utc::now() + expires_in,
        &user.username,
    )
    .unwrap();
    secret.expose().to_owned()
}

/// OFAC's fixture list files (`crates/screening/fixtures/ofac`), without the rows of the
/// entries in `without` (their ent_num): an earlier or later version of the list.
pub fn ofac_fixture_without(without: &[&str]) -> Vec<compliance_app::screening::formats::ListFile> {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../screening/fixtures/ofac");
    ["sdn.csv", "alt.csv", "add.csv"]
        .iter()
        .map(|name| {
            let bytes = std::fs::read(format!("{folder}/{name}")).unwrap();
            let kept: Vec<&[u8]> = bytes
                .split_inclusive(|b| *b == b'\n')
                .filter(|line| {
                    !without
                        .iter()
                        .any(|e| line.starts_with(format!("{e},").as_bytes()))
                })
                .collect();
            compliance_app::screening::formats::ListFile::new((*name).to_owned(), kept.concat())
        })
        .collect()
}

/// A UAE individual's case whose subject this service screens: one name, a birth year, a
/// country.
pub fn screened_case(
    entity: &str,
    name: &str,
    birth: u16,
    country: &str,
) -> compliance_domain::input::CaseInput {
    serde_json::from_value(serde_json::json!({
        "kyc": {"entity_id": entity, "entity_type": "individual", "jurisdiction": "AE",
                "verification_score": 95, "documents": ["passport", "proof_of_address", "liveness_check"],
                "investor": {}},
        "subject": {"names": [name], "birth_year": birth, "countries": [country]}
    }))
    .unwrap()
}

/// Imports OFAC's fixture without `without` as the admin; the new version's id.
pub fn import_ofac_without(s: &Seeded, without: &[&str]) -> uuid::Uuid {
    match s
        .compliance
        .import_watchlist(
            &s.admin(),
            compliance_app::screening::formats::Format::OfacSdnCsv,
            &ofac_fixture_without(without),
            None,
        )
        .unwrap()
    {
        compliance_app::watchlists::Imported::New(v) => v.id,
        compliance_app::watchlists::Imported::Existing(_) => panic!("a new version was expected"),
    }
}
