//! The two login roles a deployment runs under, each with exactly what its work needs:
//!
//! - the **service** role (`compliance-api`, a linked `Compliance`): append cases, evidence,
//!   notes, dispositions and audit entries; update the columns its repositories update; read
//!   everything. No users, rule versions, tokens or passwords: no route needs them.
//! - the **administration** role (`cargo xtask token | user`, publishing rules): users, rule
//!   versions, API tokens, passwords, decision vectors, and their audit entries; read
//!   everything. No case, evidence or review.
//!
//! Neither may UPDATE evidence or audit rows, DELETE, TRUNCATE, CREATE on the schema, or own
//! anything (so no `ALTER TABLE ... DISABLE TRIGGER`); the triggers check again what each write
//! may do.
//!
//! Must not: set or print a password (the operator sets one with `ALTER ROLE`), or touch a
//! role that is a superuser or could act as the tables' owner.

use compliance_persistence::PersistenceError;
use compliance_persistence::diesel::sql_types::{Nullable, Text};
use compliance_persistence::diesel::{Connection, PgConnection, RunQueryDsl, sql_query};

/// Which of the two roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// What the service does.
    Service,
    /// What an administrator does.
    Administration,
}

impl Kind {
    /// The tables this role appends rows to.
    pub fn insert_tables(self) -> &'static [&'static str] {
        match self {
            Kind::Service => SERVICE_INSERT_TABLES,
            Kind::Administration => ADMIN_INSERT_TABLES,
        }
    }

    /// The columns this role updates, per table.
    pub fn update_columns(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Kind::Service => SERVICE_UPDATE_COLUMNS,
            Kind::Administration => ADMIN_UPDATE_COLUMNS,
        }
    }

    /// What a report calls it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Service => "service role",
            Kind::Administration => "admin role",
        }
    }
}

/// The tables the service appends rows to.
pub const SERVICE_INSERT_TABLES: &[&str] = &[
    "kyc_checks",
    "aml_checks",
    "compliance_checks",
    "case_submissions",
    "review_notes",
    "false_positives",
    "audit_logs",
    "blockchain_monitoring",
    "blockchain_transactions",
    "web_sessions",
    "screening_subjects",
    "aml_check_watchlist_versions",
    "screening_explanations",
    // An admin imports a list version through the API, which connects as the service.
    "watchlist_versions",
    "watchlist_entries",
    // Events out: an admin manages endpoints and replays through the API; the dispatcher in
    // `compliance-api` fans events out and records each attempt.
    "event_endpoints",
    "event_deliveries",
    "delivery_attempts",
    // Ongoing monitoring: the monitor in `compliance-api` records each batch of a screening
    // job and the entities it flags.
    "screening_job_batches",
    "screening_flags",
    // ... and each periodic review it screens.
    "review_screenings",
    // Requests for information, asked and closed through the API and the back office.
    "information_requests",
    // A delisting flag's review, by a compliance officer or admin.
    "screening_flag_reviews",
    // Beneficial owners, recorded by the onboarding service (the system agent) or an officer.
    "beneficial_owners",
];

/// The tables an administrator appends rows to (each write audited in its transaction).
pub const ADMIN_INSERT_TABLES: &[&str] = &[
    "users",
    "compliance_rules",
    "api_tokens",
    "user_passwords",
    "decision_vectors",
    "audit_logs",
    "watchlist_versions",
    "watchlist_entries",
    "event_endpoints",
    "event_deliveries",
    // Service levels are policy, published as rule versions are (`cargo xtask sla publish`).
    "service_levels",
];

/// The tables neither role inserts into: the rules' change counter, the outbox (`events`,
/// `event_streams`) and the screening jobs (one per list version) are written by
/// `SECURITY DEFINER` triggers, the fan-out's cursor is one row that is only moved, the
/// migrations' table is the migrator's.
pub const NO_INSERT_TABLES: &[&str] = &[
    "compliance_rules_state",
    "events",
    "event_streams",
    "screening_jobs",
    "event_fanout",
    // The dashboard's counts are kept by the case tables' triggers (SECURITY DEFINER) only.
    "case_counts",
    "__diesel_schema_migrations",
];

/// The columns an administrator updates, per table.
pub const ADMIN_UPDATE_COLUMNS: &[(&str, &str)] = &[
    ("users", "active"),
    ("compliance_rules", "effective_to"),
    ("service_levels", "effective_to"),
    ("api_tokens", "revoked_at, revoked_by"),
    (
        "user_passwords",
        "password_hash, set_at, set_by, failed_attempts, locked_until",
    ),
    (
        "event_endpoints",
        "event_types, description, secret, previous_secret, previous_secret_until, active, \
         updated_by, revision",
    ),
    (
        "event_deliveries",
        "state, next_attempt_at, delivered_at, replayed_by, replayed_at",
    ),
];

/// The columns the service updates, per table (from the repositories). Evidence
/// (`kyc_checks`, `aml_checks`, `audit_logs`) is absent: it is never updated.
pub const SERVICE_UPDATE_COLUMNS: &[(&str, &str)] = &[
    (
        "compliance_checks",
        "status, engine_status, decided_by, decided_at, review_reason, review_note_id, \
         approval_proposed_by, approval_proposed_at, approval_proposal_reason, approval_note_id, \
         aml_check_id, risk_score, risk_level, rule_versions, reasons, unweighed_signals, revision, \
         assigned_to, assigned_by, assigned_at",
    ),
    ("review_notes", "body, salt, erased_by"),
    (
        "false_positives",
        "confirmed_by, confirmed_at, confirmation_note_id",
    ),
    ("blockchain_monitoring", "active"),
    (
        "blockchain_transactions",
        "compliance_status, revision, decided_by",
    ),
    ("api_tokens", "last_used_at"),
    ("user_passwords", "failed_attempts, locked_until"),
    ("web_sessions", "last_seen_at, ended_at"),
    ("screening_subjects", "subject, salt, erased_by"),
    ("screening_explanations", "explanation"),
    (
        "event_endpoints",
        "event_types, description, secret, previous_secret, previous_secret_until, active, \
         consecutive_failures, paused_until, updated_by, revision",
    ),
    (
        "event_deliveries",
        "state, attempts, next_attempt_at, lease_until, delivered_at, replayed_by, replayed_at",
    ),
    ("event_fanout", "txid, position"),
    (
        "screening_jobs",
        "state, added, removed, cursor_entity, batches, screened, matched, rescreened, \
         escalated, rejected, delisted, busy_ms, agent_id, lease_token, lease_until, root",
    ),
    (
        "information_requests",
        "outcome, closed_by, closed_at, closing_note_id",
    ),
];

/// Why a name cannot be a deployment role's, or `None` when it can: a lowercase PostgreSQL
/// identifier (`^[a-z_][a-z0-9_]{0,62}$`) that the server does not reserve.
pub fn invalid_role_name(name: &str) -> Option<&'static str> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !first_ok || !rest_ok || name.len() > 63 {
        Some("expected a lowercase identifier: a letter or _, then up to 62 letters, digits or _")
    } else if name.starts_with("pg_") || name == "public" || name == "none" {
        Some("the server reserves it")
    } else {
        None
    }
}

/// Why this existing role must not become a role of the deployment (a superuser, one that bypasses
/// row security, or one that is or acts as the owner of the tables), or `None`.
fn unsafe_role(conn: &mut PgConnection, name: &str) -> Result<Option<String>, PersistenceError> {
    #[derive(diesel::QueryableByName)]
    struct Why {
        #[diesel(sql_type = Nullable<Text>)]
        why: Option<String>,
    }
    let found: Why = sql_query(
        "SELECT CASE
                  WHEN r.rolsuper THEN 'it is a superuser'
                  WHEN r.rolbypassrls THEN 'it bypasses row-level security'
                  WHEN pg_has_role(r.oid, c.relowner, 'MEMBER')
                    THEN 'it is, or is a member of, ' || pg_get_userbyid(c.relowner)
                         || ', the owner of the tables'
                  WHEN pg_has_role(r.oid, d.datdba, 'MEMBER')
                    THEN 'it is, or is a member of, the owner of the database'
                END AS why
           FROM pg_roles r, pg_class c, pg_database d
          WHERE r.rolname = $1 AND c.oid = 'public.audit_logs'::regclass
            AND d.datname = current_database()",
    )
    .bind::<Text, _>(name)
    .get_result(conn)?;
    Ok(found.why)
}

/// What [`apply`] found or did.
pub enum Applied {
    /// The grants hold; `created` when this run created the role.
    Done {
        /// True when the role did not exist before.
        created: bool,
    },
    /// The role exists and must not be a deployment role; nothing was written.
    Refused(String),
}

/// Creates the role (`LOGIN`, no password) unless it exists, then gives it exactly the
/// privileges of its `kind` on this database: every earlier grant on the schema's tables and
/// sequences is revoked first, all in one transaction, so a second run changes nothing and a
/// privilege granted by hand is taken back.
pub fn apply(
    conn: &mut PgConnection,
    name: &str,
    database: &str,
    kind: Kind,
) -> Result<Applied, PersistenceError> {
    let role = super::quote_ident(name);
    let database = super::quote_ident(database);
    conn.transaction(|conn| {
        #[derive(diesel::QueryableByName)]
        struct Exists {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            exists: bool,
        }
        // Two provisions at once would race on CREATE ROLE: the second waits here.
        sql_query("SELECT pg_advisory_xact_lock(hashtext('compliance-db role ' || $1))")
            .bind::<Text, _>(name)
            .execute(conn)?;
        let exists =
            sql_query("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS exists")
                .bind::<Text, _>(name)
                .get_result::<Exists>(conn)?
                .exists;
        if exists {
            if let Some(why) = unsafe_role(conn, name)? {
                return Ok(Applied::Refused(why));
            }
        } else {
            sql_query(format!(
                "CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS"
            ))
            .execute(conn)?;
        }
        for sql in statements(&role, &database, kind) {
            sql_query(sql).execute(conn)?;
        }
        Ok(Applied::Done { created: !exists })
    })
}

/// The REVOKEs and GRANTs, in order (docs/operations.md, "Database roles", shows them).
fn statements(role: &str, database: &str, kind: Kind) -> Vec<String> {
    let mut sql = vec![
        format!("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}"),
        format!("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}"),
        format!("REVOKE CREATE ON SCHEMA public FROM {role}"),
        format!("GRANT CONNECT ON DATABASE {database} TO {role}"),
        format!("GRANT USAGE ON SCHEMA public TO {role}"),
        format!("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"),
        format!("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {role}"),
        format!(
            "GRANT INSERT ON {} TO {role}",
            kind.insert_tables().join(", ")
        ),
        format!("GRANT USAGE ON SEQUENCE audit_logs_id_seq TO {role}"),
    ];
    sql.extend(
        kind.update_columns()
            .iter()
            .map(|(table, columns)| format!("GRANT UPDATE ({columns}) ON {table} TO {role}")),
    );
    sql
}

#[cfg(test)]
mod tests {
    use super::{Kind, invalid_role_name, statements};

    #[test]
    fn role_names_are_lowercase_identifiers_the_server_does_not_reserve() {
        for ok in ["compliance_service", "_svc", "svc2", &"a".repeat(63)] {
            assert_eq!(invalid_role_name(ok), None, "{ok}");
        }
        for bad in [
            "",
            "Compliance",
            "2svc",
            "svc-role",
            "svc role",
            "svc\"; DROP ROLE postgres; --",
            "ü",
            &"a".repeat(64),
            "pg_service",
            "public",
            "none",
        ] {
            assert!(invalid_role_name(bad).is_some(), "{bad:?}");
        }
    }

    /// docs/operations.md shows each role's grants as SQL an operator can run by hand; they are
    /// the statements `apply` runs, word for word (whitespace aside).
    #[test]
    fn the_operations_guide_shows_the_grants_provision_applies() {
        let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let guide = squash(include_str!("../../../../docs/operations.md"));
        for (role, kind) in [
            ("compliance_service", Kind::Service),
            ("compliance_admin", Kind::Administration),
        ] {
            let wanted = statements(role, "compliance_db", kind)
                .iter()
                .map(|sql| format!("{sql};"))
                .collect::<Vec<_>>()
                .join("\n");
            assert!(
                guide.contains(&squash(&wanted)),
                "docs/operations.md must show the {} grants, in this order:\n{wanted}",
                kind.name()
            );
        }
    }
}
