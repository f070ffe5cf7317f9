//! The two roles `provision` creates (`--service-role`, `--admin-role`): each does its work end
//! to end through the crates, the database refuses each write it must never make (by SQLSTATE
//! 42501, insufficient privilege, not by a message), a second run changes nothing and takes back
//! what was granted by hand, and names or roles that must not be a deployment's are refused.

use crate::support::{count, entity, exec, reason, refusal, sanctions_hit, scenario};
use compliance_app::Caller;
use compliance_app::records::ReviewStepTaken;
use compliance_domain::*;
use compliance_ops::provision::{
    ProvisionError, ProvisionOptions, ProvisionReport, provision, quote_ident, roles,
};
use compliance_ops::seed::{self, SeedReport, SeedUsers};
use compliance_persistence::diesel::{PgConnection, RunQueryDsl, sql_query};
use compliance_persistence::repo::compliance_rules as stored_rules;
use compliance_persistence::testing::{TestDatabase, server};
use compliance_persistence::{DatabaseConfig, connect};

/// A migrated test database and two roles of names no other test uses (roles are the whole
/// server's), dropped with `DROP OWNED BY` + `DROP ROLE` even when the test fails.
struct RoleDb {
    db: TestDatabase,
    service: String,
    admin: String,
}

impl RoleDb {
    fn new() -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        RoleDb {
            db: TestDatabase::new(),
            service: format!("compliance_svc_{id}"),
            admin: format!("compliance_adm_{id}"),
        }
    }

    fn provision(&self) -> Result<ProvisionReport, ProvisionError> {
        let options = ProvisionOptions {
            seed: false,
            service_role: Some(self.service.clone()),
            admin_role: Some(self.admin.clone()),
            ..Default::default()
        };
        provision(self.db.config(), options, |_| {})
    }

    /// The test database, connecting as `role` (the local server trusts it).
    fn as_role(&self, role: &str) -> DatabaseConfig {
        let c = self.db.config();
        DatabaseConfig::from_parts(&c.host(), c.port(), &c.database(), role, None).unwrap()
    }

    fn conn(&self, role: &str) -> PgConnection {
        connect(&self.as_role(role)).unwrap()
    }

    /// Every privilege `role` holds here: table, column and schema, sorted.
    fn privileges(&self, role: &str) -> Vec<String> {
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
            .bind::<diesel::sql_types::Text, _>(role)
            .load::<Row>(&mut self.db.conn())
            .unwrap()
            .into_iter()
            .map(|r| r.p)
            .collect()
    }

    /// The seed's users and default rules, written as the administration role.
    fn users_and_rules(&self) -> SeedUsers {
        let mut conn = self.conn(&self.admin);
        let mut report = SeedReport::default();
        let users = seed::seed_users(&mut conn, &mut report).unwrap();
        assert_eq!(report.users, 4);
        for rule in compliance_rules::default_rules() {
            stored_rules::insert(
                &mut conn,
                &compliance_ops::rules::new_rule(&rule),
                users.officer.id,
            )
            .unwrap();
        }
        users
    }
}

impl Drop for RoleDb {
    fn drop(&mut self) {
        // Best effort: a failed clean-up must not hide the test's own result.
        for role in [&self.service, &self.admin] {
            let quoted = quote_ident(role);
            if let Ok(mut conn) = connect(self.db.config()) {
                let _ = sql_query(format!("DROP OWNED BY {quoted}")).execute(&mut conn);
            }
            if let Ok(mut conn) = connect(&server().with_database("postgres")) {
                let _ = sql_query(format!("DROP ROLE IF EXISTS {quoted}")).execute(&mut conn);
            }
        }
    }
}

/// SQLSTATE 42501: insufficient privilege (the grants refused it, not a guard).
const DENIED: &str = "42501";

#[test]
fn each_role_does_its_own_work_through_the_crates() {
    let r = RoleDb::new();
    r.provision().unwrap();
    let users = r.users_and_rules();
    // The service, connected as the service role.
    let service = compliance_ops::compliance_over(&r.as_role(&r.service)).unwrap();
    let as_user = |u: &User| -> Caller { service.in_process().user(&u.username).unwrap() };
    for scenario in compliance_rules::scenarios::scenarios() {
        service
            .submit(&as_user(&users.agent), &scenario.case, None)
            .unwrap();
    }
    let mut case = scenario("us-ind-standard-002");
    case.kyc.entity_id = entity("us-ind-standard-302");
    let submitted = service.submit(&as_user(&users.agent), &case, None).unwrap();
    assert_eq!(submitted.case.status, CheckStatus::Approved);

    // A second officer, added by the administration role.
    let mut admin = r.conn(&r.admin);
    let second = compliance_persistence::repo::users::insert(
        &mut admin,
        &compliance_domain::input::NewUser {
            username: Username::parse("second.officer").unwrap(),
            email: Email::parse("second.officer@compliance.example").unwrap(),
            role: Role::ComplianceOfficer,
        },
        Some(users.admin.id),
    )
    .unwrap();
    // An escalation, cleared by two officers, through the service role.
    let officer = as_user(&users.officer);
    let escalated = service
        .current_case(&officer, &entity("in-corp-pep-002"))
        .unwrap();
    assert_eq!(escalated.status, CheckStatus::Escalated);
    let first = service
        .review(
            &officer,
            escalated.id,
            Verdict::Approve,
            &reason("EDD complete: source of wealth verified"),
            escalated.revision,
        )
        .unwrap();
    assert_eq!(first.outcome, ReviewStepTaken::ApprovalProposed);
    let confirmed = service
        .review(
            &as_user(&second),
            escalated.id,
            Verdict::Approve,
            &reason("second review agrees"),
            first.case.revision,
        )
        .unwrap();
    assert_eq!(confirmed.case.status, CheckStatus::Approved);
    let rescreened = service
        .rescreen(
            &as_user(&users.agent),
            &entity("us-ind-standard-302"),
            &sanctions_hit(),
        )
        .unwrap();
    assert_eq!(rescreened.case.status, CheckStatus::Rejected);
    // The views, through the role.
    let size = compliance_app::ListSize::default();
    assert!(
        !service
            .queue(&officer, &Default::default())
            .unwrap()
            .items
            .is_empty()
    );
    assert!(!service.high_risk(&officer, None, size).unwrap().is_empty());
    assert!(!service.summary(&officer).unwrap().is_empty());
    service.reviews_due(&officer, None, size).unwrap();

    // The administration role's own work: a token, a password, a rule version.
    let expires = chrono::Utc::now() + chrono::Duration::days(1);
    let (_, secret) = compliance_ops::admin::create_token(
        &mut admin,
        &users.agent.username,
        &TokenName::parse("onboarding").unwrap(),
        expires,
        &users.admin.username,
    )
    .unwrap();
    assert_eq!(
        service.authenticate(secret.expose()).unwrap().user(),
        users.agent.id
    );
    compliance_ops::admin::set_password(
        &mut admin,
        &users.analyst.username,
        &Password::parse("correct horse battery staple").unwrap(),
        &users.admin.username,
    )
    .unwrap();
    // And the chain trigger, running as either role, wrote every entry.
    assert!(count(&mut r.db.conn(), "SELECT count(*) AS n FROM audit_logs") > 30);
}

/// Issue 17, defect 7: the service role may not write users, rule versions, decision vectors,
/// tokens or passwords, nor deactivate a user or close a rule version; the administration role
/// may not write a case, evidence or a review. Each refusal is the grants' (SQLSTATE 42501).
#[test]
fn each_role_is_refused_the_other_ones_writes() {
    let r = RoleDb::new();
    r.provision().unwrap();
    let users = r.users_and_rules();
    seed::seed(r.db.config()).unwrap();
    let officer = users.officer.id;
    let mut service = r.conn(&r.service);
    for sql in [
        "INSERT INTO users (username, email, role) VALUES ('mallory', 'mallory@x.example', 'admin')"
            .to_owned(),
        format!(
            "INSERT INTO compliance_rules (jurisdiction, code, version, parameters, effective_from, regulation, description, published_by)
             VALUES ('AE', 'AE-FORGED', 1, '{{\"kind\": \"pep_match\"}}', now(), 'x', 'x', '{officer}')"
        ),
        "INSERT INTO decision_vectors (compliance_check_id, model, embedding) SELECT id, 'm', '{}' FROM compliance_checks LIMIT 1".to_owned(),
        format!("INSERT INTO api_tokens (user_id, name, token_hash, expires_at) VALUES ('{officer}', 'x', sha256('x'), now() + interval '1 day')"),
        format!("INSERT INTO user_passwords (user_id, password_hash, set_by) VALUES ('{officer}', 'x', '{officer}')"),
        "UPDATE users SET active = false".to_owned(),
        "UPDATE compliance_rules SET effective_to = now() + interval '1 day'".to_owned(),
        "UPDATE user_passwords SET password_hash = 'x'".to_owned(),
        "UPDATE api_tokens SET revoked_at = now()".to_owned(),
    ] {
        assert_eq!(refusal(&mut service, &sql).0, DENIED, "{sql}");
    }
    let mut admin = r.conn(&r.admin);
    for sql in [
        "INSERT INTO kyc_checks (entity_id) VALUES ('ae-forged-001')",
        "INSERT INTO review_notes (entity_id) VALUES ('ae-forged-001')",
        "UPDATE compliance_checks SET status = 'APPROVED'",
        "UPDATE review_notes SET body = NULL",
        "DELETE FROM kyc_checks",
        "DELETE FROM audit_logs",
        "DELETE FROM users",
        "TRUNCATE web_sessions",
    ] {
        assert_eq!(refusal(&mut admin, sql).0, DENIED, "{sql}");
    }
}

#[test]
fn neither_role_can_change_evidence_or_audit_rows_the_schema_or_the_triggers() {
    let r = RoleDb::new();
    r.provision().unwrap();
    // Rows to aim at, written by the owner.
    seed::seed(r.db.config()).unwrap();
    let mut owner = r.db.conn();
    let audit = count(&mut owner, "SELECT count(*) AS n FROM audit_logs");
    for role in [&r.service, &r.admin] {
        let mut conn = r.conn(role);
        for table in [
            "kyc_checks",
            "aml_checks",
            "audit_logs",
            "compliance_checks",
        ] {
            for sql in [
                format!("UPDATE {table} SET id = id"),
                format!("DELETE FROM {table}"),
                format!("TRUNCATE {table}"),
            ] {
                assert_eq!(refusal(&mut conn, &sql).0, DENIED, "{role}: {sql}");
            }
            // Not the owner: 42501 too ("must be owner of table").
            let disable = format!("ALTER TABLE {table} DISABLE TRIGGER ALL");
            assert_eq!(refusal(&mut conn, &disable).0, DENIED, "{role}: {disable}");
        }
        for sql in [
            // A column no repository updates.
            "UPDATE compliance_checks SET kyc_check_id = kyc_check_id",
            "DROP TABLE audit_logs",
            "CREATE TABLE public.forged (id int)",
            "SET session_replication_role = replica",
        ] {
            assert_eq!(refusal(&mut conn, sql).0, DENIED, "{role}: {sql}");
        }
    }
    assert_eq!(
        count(&mut owner, "SELECT count(*) AS n FROM audit_logs"),
        audit
    );
    assert_eq!(count(&mut owner, "SELECT count(*) AS n FROM kyc_checks"), 9);
    // Neither is a superuser, and neither owns anything here.
    for role in [&r.service, &r.admin] {
        let mut check = |sql: &str| count(&mut owner, &sql.replace("ROLE", role));
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
}

#[test]
fn provisioning_the_roles_again_changes_nothing_and_takes_back_what_was_granted_by_hand() {
    let r = RoleDb::new();
    let first = r.provision().unwrap();
    assert_eq!(first.service_role.as_ref().map(|s| s.created), Some(true));
    assert_eq!(first.admin_role.as_ref().map(|s| s.created), Some(true));
    assert!(!first.changed_nothing());
    let service = r.privileges(&r.service);
    let admin = r.privileges(&r.admin);
    let has = |granted: &[String], p: &str| granted.contains(&p.to_owned());
    assert!(has(&service, "audit_logs INSERT"), "{service:?}");
    assert!(has(&service, "api_tokens.last_used_at UPDATE"));
    assert!(!has(&service, "users INSERT") && !has(&service, "compliance_rules INSERT"));
    assert!(!has(&service, "users.active UPDATE"));
    assert!(!service.iter().any(|p| p.starts_with("kyc_checks.")));
    assert!(has(&admin, "users INSERT") && has(&admin, "api_tokens INSERT"));
    assert!(has(&admin, "compliance_rules.effective_to UPDATE"));
    assert!(!has(&admin, "kyc_checks INSERT") && !has(&admin, "compliance_checks INSERT"));

    let second = r.provision().unwrap();
    assert_eq!(second.service_role.as_ref().map(|s| s.created), Some(false));
    assert_eq!(second.admin_role.as_ref().map(|s| s.created), Some(false));
    assert!(second.changed_nothing(), "{second:#?}");
    assert_eq!(r.privileges(&r.service), service);
    assert_eq!(r.privileges(&r.admin), admin);

    let mut owner = r.db.conn();
    for role in [&r.service, &r.admin] {
        let role = quote_ident(role);
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
    }
    assert_ne!(r.privileges(&r.service), service);
    r.provision().unwrap();
    assert_eq!(r.privileges(&r.service), service);
    assert_eq!(r.privileges(&r.admin), admin);
    assert_eq!(
        refusal(&mut r.conn(&r.service), "DELETE FROM kyc_checks").0,
        DENIED
    );

    // Every table takes one role's INSERT but those neither writes: a new table without its
    // grant fails here (add it to a role's insert tables, or to roles::NO_INSERT_TABLES).
    let missing: Vec<String> = {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            relname: String,
        }
        sql_query(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace
               AND relkind = 'r' AND NOT has_table_privilege($1, oid, 'INSERT')
               AND NOT has_table_privilege($2, oid, 'INSERT') ORDER BY 1",
        )
        .bind::<diesel::sql_types::Text, _>(&r.service)
        .bind::<diesel::sql_types::Text, _>(&r.admin)
        .load::<Row>(&mut owner)
        .unwrap()
        .into_iter()
        .map(|r| r.relname)
        .filter(|t| !roles::NO_INSERT_TABLES.contains(&t.as_str()))
        .collect()
    };
    assert!(
        missing.is_empty(),
        "tables without either role's INSERT: {missing:?}"
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
        for (service_role, admin_role) in
            [(Some(bad.to_owned()), None), (None, Some(bad.to_owned()))]
        {
            let options = ProvisionOptions {
                seed: false,
                service_role,
                admin_role,
                ..Default::default()
            };
            let err = provision(r.db.config(), options, |_| {}).unwrap_err();
            assert!(
                matches!(err, ProvisionError::ServiceRole { ref role, .. } if role == bad),
                "{err}"
            );
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
    }
    // One role cannot be both.
    let options = ProvisionOptions {
        seed: false,
        service_role: Some(r.service.clone()),
        admin_role: Some(r.service.clone()),
        ..Default::default()
    };
    let err = provision(r.db.config(), options, |_| {}).unwrap_err();
    assert!(err.to_string().contains("two roles"), "{err}");
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
        &format!("CREATE ROLE {} LOGIN", quote_ident(&r.service)),
    );
    exec(
        &mut conn,
        &format!(
            "GRANT {} TO {}",
            quote_ident(&owner),
            quote_ident(&r.service)
        ),
    );
    let err = r.provision().unwrap_err();
    assert!(
        matches!(err, ProvisionError::ServiceRole { ref reason, .. } if reason.contains("owner")),
        "{err}"
    );
    assert_eq!(r.privileges(&r.service), Vec::<String>::new());
}
