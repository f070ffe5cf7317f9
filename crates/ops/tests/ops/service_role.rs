//! The service role `provision` creates (`service_role`): the service works through it end to
//! end, the database refuses each write it must never make, a second run changes nothing, and
//! names or roles that must not be the service's are refused.

use crate::support::{count, entity, exec, scenario, try_exec};
use crate::support::{reason, sanctions_hit};
use compliance_app::{ComplianceService, Reviewed};
use compliance_domain::*;
use compliance_ops::provision::{
    ProvisionError, ProvisionOptions, ProvisionReport, provision, quote_ident, roles,
};
use compliance_ops::seed::{self, SeedReport};
use compliance_persistence::diesel::{PgConnection, RunQueryDsl, sql_query};
use compliance_persistence::testing::{TestDatabase, server};
use compliance_persistence::{Database, DatabaseConfig, connect};

/// A migrated test database and a role of a name no other test uses (roles are the whole
/// server's), dropped with `DROP OWNED BY` + `DROP ROLE` even when the test fails.
struct RoleDb {
    db: TestDatabase,
    role: String,
}

impl RoleDb {
    fn new() -> Self {
        RoleDb {
            db: TestDatabase::new(),
            role: format!("compliance_svc_{}", uuid::Uuid::new_v4().simple()),
        }
    }

    fn provision(&self) -> Result<ProvisionReport, ProvisionError> {
        let options = ProvisionOptions {
            seed: false,
            service_role: Some(self.role.clone()),
            ..Default::default()
        };
        provision(self.db.config(), options, |_| {})
    }

    /// The test database, connecting as the role (the local server trusts it).
    fn as_role(&self) -> DatabaseConfig {
        let c = self.db.config();
        DatabaseConfig::from_parts(&c.host(), c.port(), &c.database(), &self.role, None).unwrap()
    }

    fn role_conn(&self) -> PgConnection {
        connect(&self.as_role()).unwrap()
    }

    /// Every privilege the role holds here: table, column and schema, sorted.
    fn privileges(&self) -> Vec<String> {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            p: String,
        }
        let sql = "WITH r AS (SELECT oid FROM pg_roles WHERE rolname = $1)
            SELECT c.relname || ' ' || a.privilege_type AS p
              FROM pg_class c, aclexplode(c.relacl) a, r WHERE a.grantee = r.oid
            UNION ALL
            SELECT c.relname || '.' || t.attname || ' ' || a.privilege_type
              FROM pg_attribute t JOIN pg_class c ON c.oid = t.attrelid,
                   aclexplode(t.attacl) a, r WHERE a.grantee = r.oid
            UNION ALL
            SELECT 'schema ' || n.nspname || ' ' || a.privilege_type
              FROM pg_namespace n, aclexplode(n.nspacl) a, r WHERE a.grantee = r.oid
            ORDER BY 1";
        sql_query(sql)
            .bind::<diesel::sql_types::Text, _>(&self.role)
            .load::<Row>(&mut self.db.conn())
            .unwrap()
            .into_iter()
            .map(|r| r.p)
            .collect()
    }
}

impl Drop for RoleDb {
    fn drop(&mut self) {
        // Best effort: a failed clean-up must not hide the test's own result.
        let quoted = quote_ident(&self.role);
        if let Ok(mut conn) = connect(self.db.config()) {
            let _ = sql_query(format!("DROP OWNED BY {quoted}")).execute(&mut conn);
        }
        if let Ok(mut conn) = connect(&server().with_database("postgres")) {
            let _ = sql_query(format!("DROP ROLE IF EXISTS {quoted}")).execute(&mut conn);
        }
    }
}

#[test]
fn the_service_role_seeds_submits_reviews_rescreens_and_reads_the_views() {
    let r = RoleDb::new();
    r.provision().unwrap();
    let service = ComplianceService::new(Database::new(r.as_role()));
    // Seeding is the service's own writes: users, rule versions, the nine submissions.
    let seeded = seed::seed(&service).unwrap();
    assert_eq!((seeded.users, seeded.cases), (4, 9));
    let mut conn = r.role_conn();
    let mut again = SeedReport::default();
    let users = seed::seed_users(&mut conn, &mut again).unwrap();

    let mut case = scenario("us-ind-standard-002");
    case.kyc.entity_id = entity("us-ind-standard-302");
    let submitted = service.submit(&case, users.agent.id).unwrap();
    assert_eq!(submitted.case.status, CheckStatus::Approved);

    // An escalation, cleared by two officers (the second one added through the role).
    let second = compliance_persistence::repo::users::insert(
        &mut conn,
        &compliance_domain::input::NewUser {
            username: Username::parse("second.officer").unwrap(),
            email: Email::parse("second.officer@compliance.example").unwrap(),
            role: Role::ComplianceOfficer,
        },
        Some(users.admin.id),
    )
    .unwrap();
    let find = |id: &str| {
        compliance_persistence::repo::compliance_checks::find_by_entity_id(
            &mut r.role_conn(),
            &entity(id),
        )
        .unwrap()
    };
    let escalated = find("in-corp-pep-002");
    assert_eq!(escalated.status, CheckStatus::Escalated);
    let first = service
        .review(
            escalated.id,
            users.officer.id,
            Verdict::Approve,
            &reason("EDD complete: source of wealth verified"),
            escalated.revision,
        )
        .unwrap();
    assert!(matches!(first, Reviewed::ApprovalProposed(_)), "{first:?}");
    let confirmed = service
        .review(
            escalated.id,
            second.id,
            Verdict::Approve,
            &reason("second review agrees"),
            first.case().revision,
        )
        .unwrap();
    assert_eq!(confirmed.case().status, CheckStatus::Approved);

    let rescreened = service
        .rescreen(
            &entity("us-ind-standard-302"),
            &sanctions_hit(),
            users.agent.id,
        )
        .unwrap();
    assert_eq!(rescreened.case.status, CheckStatus::Rejected);

    // The views, through the role.
    assert!(!service.queue(None, 100).unwrap().is_empty());
    assert!(!service.high_risk(None, 100).unwrap().is_empty());
    assert!(!service.summary().unwrap().is_empty());
    service.reviews_due(None, 100).unwrap();
    // And the chain trigger, running as the role, wrote every entry.
    assert!(count(&mut conn, "SELECT count(*) AS n FROM audit_logs") > 9);
}

#[test]
fn the_service_role_cannot_change_evidence_or_audit_rows_the_schema_or_the_triggers() {
    let r = RoleDb::new();
    r.provision().unwrap();
    // Rows to aim at, written by the owner.
    seed::seed(&ComplianceService::new(r.db.database())).unwrap();
    let mut owner = r.db.conn();
    let audit = count(&mut owner, "SELECT count(*) AS n FROM audit_logs");
    let mut conn = r.role_conn();
    let refused = |conn: &mut PgConnection, sql: &str, expected: &str| {
        let err = try_exec(conn, sql).expect_err(sql);
        assert!(err.starts_with(expected), "{sql}: {err}");
    };
    for table in ["kyc_checks", "aml_checks", "audit_logs"] {
        let denied = format!("permission denied for table {table}");
        refused(&mut conn, &format!("UPDATE {table} SET id = id"), &denied);
        refused(&mut conn, &format!("DELETE FROM {table}"), &denied);
        refused(&mut conn, &format!("TRUNCATE {table}"), &denied);
        refused(
            &mut conn,
            &format!("ALTER TABLE {table} DISABLE TRIGGER ALL"),
            &format!("must be owner of table {table}"),
        );
    }
    let denied = "permission denied for table compliance_checks";
    refused(&mut conn, "DELETE FROM compliance_checks", denied);
    refused(&mut conn, "TRUNCATE compliance_checks", denied);
    // A column no repository updates.
    refused(
        &mut conn,
        "UPDATE compliance_checks SET kyc_check_id = kyc_check_id",
        denied,
    );
    refused(
        &mut conn,
        "DROP TABLE audit_logs",
        "must be owner of table audit_logs",
    );
    refused(
        &mut conn,
        "CREATE TABLE public.forged (id int)",
        "permission denied for schema public",
    );
    refused(
        &mut conn,
        "SET session_replication_role = replica",
        "permission denied to set parameter \"session_replication_role\"",
    );
    assert_eq!(
        count(&mut owner, "SELECT count(*) AS n FROM audit_logs"),
        audit
    );
    assert_eq!(count(&mut owner, "SELECT count(*) AS n FROM kyc_checks"), 9);
    // Not a superuser, and owns nothing here.
    let mut check = |sql: &str| count(&mut owner, &sql.replace("ROLE", &r.role));
    assert_eq!(
        check("SELECT count(*) AS n FROM pg_roles WHERE rolname = 'ROLE' AND NOT rolsuper"),
        1
    );
    assert_eq!(
        check(
            "SELECT count(*) AS n FROM pg_class
              WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = 'ROLE')"
        ),
        0
    );
}

#[test]
fn provisioning_the_service_role_again_changes_nothing_and_takes_back_what_was_granted_by_hand() {
    let r = RoleDb::new();
    let first = r.provision().unwrap();
    assert_eq!(first.service_role.as_ref().map(|s| s.created), Some(true));
    assert!(!first.changed_nothing());
    let granted = r.privileges();
    assert!(
        granted.contains(&"audit_logs INSERT".to_owned()),
        "{granted:?}"
    );
    assert!(granted.contains(&"api_tokens.last_used_at UPDATE".to_owned()));
    assert!(!granted.iter().any(|p| p.starts_with("kyc_checks.")));

    let second = r.provision().unwrap();
    assert_eq!(second.service_role.as_ref().map(|s| s.created), Some(false));
    assert!(second.changed_nothing(), "{second:#?}");
    assert_eq!(r.privileges(), granted);

    let mut owner = r.db.conn();
    let role = quote_ident(&r.role);
    exec(
        &mut owner,
        &format!("GRANT UPDATE, DELETE ON kyc_checks TO {role}"),
    );
    exec(
        &mut owner,
        &format!("GRANT UPDATE (kyc_check_id) ON compliance_checks TO {role}"),
    );
    exec(
        &mut owner,
        &format!("GRANT CREATE ON SCHEMA public TO {role}"),
    );
    assert_ne!(r.privileges(), granted);
    r.provision().unwrap();
    assert_eq!(r.privileges(), granted);
    assert!(try_exec(&mut r.role_conn(), "DELETE FROM kyc_checks").is_err());

    // Every table takes the role's INSERT but those it must not write: a new table without its
    // grant fails here (add it to roles::INSERT_TABLES or roles::NO_INSERT_TABLES).
    let missing: Vec<String> = {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            relname: String,
        }
        sql_query(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace
               AND relkind = 'r' AND NOT has_table_privilege($1, oid, 'INSERT') ORDER BY 1",
        )
        .bind::<diesel::sql_types::Text, _>(&r.role)
        .load::<Row>(&mut owner)
        .unwrap()
        .into_iter()
        .map(|r| r.relname)
        .filter(|t| !roles::NO_INSERT_TABLES.contains(&t.as_str()))
        .collect()
    };
    assert!(
        missing.is_empty(),
        "tables without the role's INSERT: {missing:?}"
    );
}

#[test]
fn a_bad_name_or_a_role_that_could_act_as_the_owner_is_refused_and_given_nothing() {
    let r = RoleDb::new();
    for bad in [
        "Compliance-Service",
        "pg_service",
        "svc\"; DROP ROLE postgres; --",
    ] {
        let options = ProvisionOptions {
            seed: false,
            service_role: Some(bad.to_owned()),
            ..Default::default()
        };
        let err = provision(r.db.config(), options, |_| {}).unwrap_err();
        assert!(
            matches!(err, ProvisionError::ServiceRole { ref role, .. } if role == bad),
            "{err}"
        );
        assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
    }
    // The user provisioning (the tables' owner, here a superuser) is refused.
    let owner = server().user();
    let options = ProvisionOptions {
        seed: false,
        service_role: Some(owner.clone()),
        ..Default::default()
    };
    let err = provision(r.db.config(), options, |_| {}).unwrap_err();
    assert!(err.to_string().contains("superuser"), "{err}");
    // So is a role that is a member of the owner: it could disable the triggers.
    let mut conn = r.db.conn();
    exec(
        &mut conn,
        &format!("CREATE ROLE {} LOGIN", quote_ident(&r.role)),
    );
    exec(
        &mut conn,
        &format!("GRANT {} TO {}", quote_ident(&owner), quote_ident(&r.role)),
    );
    let err = r.provision().unwrap_err();
    assert!(
        matches!(err, ProvisionError::ServiceRole { ref reason, .. } if reason.contains("owner")),
        "{err}"
    );
    assert_eq!(r.privileges(), Vec::<String>::new());
}
