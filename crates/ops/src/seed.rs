//! The seed data set: four users, the default rules and the nine scenarios of the rules crate,
//! submitted through the same service code as real cases. A second run adds nothing.
//!
//! Must not: write a user, rule or case that exists already, invent data (the cases are
//! `compliance_rules::scenarios()`, the rules `compliance_rules::default_rules()`), or close a
//! rule version in the past of a database that already decides cases.

use crate::rules::new_rule;
use compliance_app::Result;
use compliance_domain::input::{InputError, NewUser};
use compliance_domain::{Email, Jurisdiction, Role, User, UserId, Username};
use compliance_persistence::DatabaseConfig;
use compliance_persistence::diesel::{PgConnection, RunQueryDsl, sql_query};
use compliance_persistence::repo::compliance_rules as stored_rules;
use compliance_persistence::repo::{kyc_checks, users};
use compliance_persistence::{OptionalExt, PersistenceError};

/// The seed users: who they are stands for the roles, not for real people.
pub const USERS: [(&str, &str, Role); 4] = [
    ("admin", "admin@compliance.example", Role::Admin),
    (
        "compliance.officer",
        "compliance.officer@compliance.example",
        Role::ComplianceOfficer,
    ),
    ("analyst", "analyst@compliance.example", Role::Analyst),
    ("kyc-agent", "kyc-agent@compliance.example", Role::System),
];

/// The seed users, as stored.
#[derive(Debug, Clone)]
pub struct SeedUsers {
    /// Administers the platform.
    pub admin: User,
    /// Publishes the rules; reviews escalations.
    pub officer: User,
    /// Works the PENDING queue.
    pub analyst: User,
    /// The automated agent that submits cases.
    pub agent: User,
}

/// What a seeding run wrote (all zero on a second run).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct SeedReport {
    /// Users created.
    pub users: usize,
    /// Rule versions published.
    pub rules: usize,
    /// Cases submitted.
    pub cases: usize,
}

impl SeedReport {
    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        *self == SeedReport::default()
    }
}

/// The key of the advisory lock held while seeding, so that two provisions at once seed once.
const LOCK_KEY: i64 = 0x636f_6d70_7365_6564;

/// Seeds the database `config` names: users, default rules, then the nine scenarios,
/// submitted through [`compliance_app::Compliance`] as the system agent.
pub fn seed(config: &DatabaseConfig) -> Result<SeedReport> {
    // A connection of its own, outside the pool, so that the session lock ends with it.
    let mut lock = compliance_persistence::connect(config)?;
    sql_query(format!("SELECT pg_advisory_lock({LOCK_KEY})"))
        .execute(&mut lock)
        .map_err(PersistenceError::from)?;
    let result = seed_locked(config);
    // The lock ends with the session anyway; unlocking early lets a waiting run go on.
    let _ = sql_query(format!("SELECT pg_advisory_unlock({LOCK_KEY})")).execute(&mut lock);
    result
}

fn seed_locked(config: &DatabaseConfig) -> Result<SeedReport> {
    let mut report = SeedReport::default();
    let mut conn = compliance_persistence::connect(config)?;
    let people = seed_users(&mut conn, &mut report)?;
    // The jurisdictions that already hold rules: their databases may have decided cases, so a
    // default version missing there is published, not inserted as written (below).
    let mut deciding = Vec::new();
    for jurisdiction in [Jurisdiction::Ae, Jurisdiction::In, Jurisdiction::Us] {
        let filter = stored_rules::RuleFilter {
            jurisdiction: Some(jurisdiction),
            code: None,
        };
        if !stored_rules::list(&mut conn, &filter)?.is_empty() {
            deciding.push(jurisdiction);
        }
    }
    for rule in compliance_rules::default_rules() {
        let published = stored_rules::find_version(&mut conn, rule.jurisdiction(), rule.rule_ref())
            .optional()?
            .is_some();
        if published {
            continue;
        }
        if deciding.contains(&rule.jurisdiction()) {
            // A later default version on a database provisioned with the earlier ones (issue
            // 24's, from 2027-01-01): it closes the version it replaces at its start, and if
            // that start has passed, both happen now instead: a version is never closed, nor
            // another begun, in the past of a database that decided cases with them.
            stored_rules::publish_from_now_at_earliest(
                &mut conn,
                &new_rule(&rule),
                people.officer.id,
            )?;
        } else {
            // A new database has no past: every version as written, history included.
            stored_rules::insert(&mut conn, &new_rule(&rule), people.officer.id)?;
        }
        report.rules += 1;
    }
    let compliance = crate::compliance_over(config)?;
    let mut agent = None;
    for scenario in compliance_rules::scenarios::scenarios() {
        let submitted = kyc_checks::find_by_entity_id(&mut conn, &scenario.case.kyc.entity_id)
            .optional()?
            .is_some();
        if !submitted {
            // Seeding holds the database's credentials: it acts as the agent it created.
            let agent = match agent {
                Some(agent) => agent,
                None => *agent.insert(compliance.in_process().user(&people.agent.username)?),
            };
            compliance.submit(&agent, &scenario.case, None)?;
            report.cases += 1;
        }
    }
    Ok(report)
}

/// Finds or creates the four seed users (the admin creates itself, then the others).
pub fn seed_users(conn: &mut PgConnection, report: &mut SeedReport) -> Result<SeedUsers> {
    let mut found = Vec::with_capacity(USERS.len());
    let mut admin: Option<UserId> = None;
    for (username, email, role) in USERS {
        let name = Username::parse(username).map_err(|e| InputError::field("seed username", e))?;
        let user = match users::find_by_username(conn, &name).optional()? {
            Some(user) => user,
            None => {
                let new = NewUser {
                    username: name,
                    email: Email::parse(email).map_err(|e| InputError::field("seed email", e))?,
                    role,
                };
                report.users += 1;
                users::insert(conn, &new, admin)?
            }
        };
        admin.get_or_insert(user.id);
        found.push(user);
    }
    match <[User; 4]>::try_from(found) {
        Ok([admin, officer, analyst, agent]) => Ok(SeedUsers {
            admin,
            officer,
            analyst,
            agent,
        }),
        Err(_) => Err(InputError::field("seed users", "four seed users expected").into()),
    }
}
