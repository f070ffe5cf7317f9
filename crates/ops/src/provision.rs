//! Provisioning: from a PostgreSQL server to a migrated, seeded, verified compliance database.
//! Create the database if missing (or drop and recreate it with `reset`), run pending
//! migrations, give the service role its privileges (when asked: see [`roles`]), seed,
//! verify. Idempotent: a second run changes nothing.
//!
//! Must not: drop a database on another machine unless told to (`force`), or print the
//! password. Each step reports its duration through the caller's callback.

use crate::seed;
use crate::verify::{VerifyError, VerifyOptions, VerifyReport, verify};
use compliance_app::AppError;
use compliance_persistence::diesel::{PgConnection, RunQueryDsl, sql_query};
use compliance_persistence::{ConfigError, DatabaseConfig, PersistenceError, connect, migrations};
use std::time::{Duration, Instant};

pub mod roles;
mod standbys;

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionOptions {
    /// Seed the data set (users, default rules, the nine scenarios).
    pub seed: bool,
    /// Drop and recreate the database first.
    pub reset: bool,
    /// Allow `reset` on a server that is not local.
    pub force: bool,
    /// Verify with the seed data set's exact counts and distributions, which only hold on a
    /// database that holds nothing else (a fresh one, a test): a database with real cases
    /// besides the seed fails them.
    pub expect_seed: bool,
    /// Create this login role if missing (without a password) and give it exactly the
    /// service's privileges: see [`roles::apply`].
    pub service_role: Option<String>,
    /// Create this login role if missing (without a password) and give it exactly an
    /// administrator's privileges (users, rules, tokens, passwords): see [`roles::apply`].
    pub admin_role: Option<String>,
}

impl Default for ProvisionOptions {
    fn default() -> Self {
        Self {
            seed: true,
            reset: false,
            force: false,
            expect_seed: false,
            service_role: None,
            admin_role: None,
        }
    }
}

/// Why provisioning stopped.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    /// The server could not be reached.
    #[error(transparent)]
    Unavailable(PersistenceError),
    /// `reset` on a server that is not local, without `force`.
    #[error(
        "refusing to drop {target}: it is not a local server; pass --force if you really mean to drop it"
    )]
    ResetRefused {
        /// `host:port/database`.
        target: String,
    },
    /// The user may not create databases.
    #[error(
        "{source}. The user {user} may not create databases: create it first (createdb), or grant CREATEDB (ALTER ROLE ... CREATEDB)"
    )]
    NoCreateDb {
        /// The user.
        user: String,
        /// The refusal.
        source: Box<ProvisionError>,
    },
    /// The configuration cannot be used (e.g. a database name over 63 bytes).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A role's name is not usable, or the existing role of that name must not be a
    /// deployment's (nothing was written to the role).
    #[error("{kind} {role:?} refused: {reason}")]
    ServiceRole {
        /// Which role: `service role` or `administration role`.
        kind: &'static str,
        /// The name given.
        role: String,
        /// Why.
        reason: String,
    },
    /// A step did not hand on what the next needs (a defect of this code, not of the database).
    #[error("internal error: {0}")]
    Internal(&'static str),
    /// A step failed.
    #[error("{step} failed: {source}")]
    Step {
        /// The step.
        step: &'static str,
        /// Why.
        source: Box<AppError>,
    },
}

/// One finished step.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StepReport {
    /// What it did, e.g. `migrate`.
    pub step: &'static str,
    /// What came of it, e.g. `applied 2 migrations`.
    pub detail: String,
    /// How long it took.
    #[serde(serialize_with = "micros")]
    pub duration: Duration,
}

fn micros<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u128(d.as_micros())
}

/// Progress, as it happens.
#[derive(Debug, Clone)]
pub enum Progress<'a> {
    /// A step started.
    Started(&'static str),
    /// A step finished.
    Finished(&'a StepReport),
}

/// Everything provisioning did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProvisionReport {
    /// The database, as `host:port/database`.
    pub target: String,
    /// The steps, in order.
    pub steps: Vec<StepReport>,
    /// True when the database was created by this run.
    pub created: bool,
    /// The migrations this run applied.
    pub migrations_applied: Vec<String>,
    /// The service role given its privileges, and whether this run created it.
    pub service_role: Option<ServiceRoleReport>,
    /// The administration role given its privileges, and whether this run created it.
    pub admin_role: Option<ServiceRoleReport>,
    /// What seeding wrote (`None` with `--no-seed`).
    pub seeded: Option<seed::SeedReport>,
    /// The verification report.
    pub verify: VerifyReport,
    /// Total time.
    #[serde(serialize_with = "micros")]
    pub total: Duration,
}

/// A role's step.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServiceRoleReport {
    /// The role.
    pub name: String,
    /// True when this run created it.
    pub created: bool,
}

impl ProvisionReport {
    /// True when the run wrote nothing (the database was already provisioned; re-applying the
    /// service role's grants to a role that has exactly them changes nothing).
    pub fn changed_nothing(&self) -> bool {
        !self.created
            && self.migrations_applied.is_empty()
            && self.service_role.as_ref().is_none_or(|r| !r.created)
            && self.admin_role.as_ref().is_none_or(|r| !r.created)
            && self.seeded.is_none_or(|s| s.is_empty())
    }
}

/// `"name"`, with any `"` doubled: a PostgreSQL quoted identifier.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Provisions the database named by `config`, reporting each step to `progress`.
pub fn provision(
    config: &DatabaseConfig,
    options: ProvisionOptions,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<ProvisionReport, ProvisionError> {
    let started = Instant::now();
    config.check_name()?;
    for (kind, role) in [
        (roles::Kind::Service, &options.service_role),
        (roles::Kind::Administration, &options.admin_role),
    ] {
        if let Some(role) = role
            && let Some(reason) = roles::invalid_role_name(role)
        {
            return Err(ProvisionError::ServiceRole {
                kind: kind.name(),
                role: role.clone(),
                reason: reason.to_owned(),
            });
        }
    }
    if options.service_role.is_some() && options.service_role == options.admin_role {
        return Err(ProvisionError::ServiceRole {
            kind: roles::Kind::Administration.name(),
            role: options.admin_role.clone().unwrap_or_default(),
            reason: "the service and administration roles must be two roles".into(),
        });
    }
    let name = config.database();
    if options.reset && !options.force && !config.is_local() {
        return Err(ProvisionError::ResetRefused {
            target: config.target(),
        });
    }
    let mut steps = Vec::new();
    let mut step = |name: &'static str, f: &mut dyn FnMut() -> Result<String, ProvisionError>| {
        progress(Progress::Started(name));
        let t = Instant::now();
        let detail = f()?;
        steps.push(StepReport {
            step: name,
            detail,
            duration: t.elapsed(),
        });
        if let Some(last) = steps.last() {
            progress(Progress::Finished(last));
        }
        Ok::<(), ProvisionError>(())
    };

    let mut admin: Option<PgConnection> = None;
    step("connect", &mut || {
        let server = config.with_database("postgres");
        let conn = connect(&server).map_err(|e| match e {
            // Say which database we meant, not the maintenance one we used to get there.
            PersistenceError::Unavailable { reason, .. } => {
                ProvisionError::Unavailable(PersistenceError::Unavailable {
                    target: config.target(),
                    reason,
                })
            }
            other => ProvisionError::Unavailable(other),
        })?;
        let mut conn = conn;
        let reached = standbys::reached(&mut conn)
            .map_err(ProvisionError::Unavailable)?
            .unwrap_or_else(|| format!("{}:{}", config.host(), config.port()));
        admin = Some(conn);
        Ok(if config.servers().len() > 1 {
            format!(
                "server {reached} (the writable one of {}) as {}",
                config.servers().join(","),
                config.user()
            )
        } else {
            format!("server {reached} as {}", config.user())
        })
    })?;
    let Some(mut admin) = admin else {
        return Err(ProvisionError::Internal("no server connection"));
    };

    let quoted = quote_ident(&name);
    let admin_step = |step: &'static str| {
        move |e: PersistenceError| ProvisionError::Step {
            step,
            source: Box::new(e.into()),
        }
    };
    if options.reset {
        step("reset", &mut || {
            let existed = database_exists(&mut admin, &name).map_err(admin_step("reset"))?;
            sql_query(format!("DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
                .execute(&mut admin)
                .map_err(|e| admin_step("reset")(e.into()))?;
            Ok(if existed {
                format!("dropped {name}")
            } else {
                format!("{name} did not exist")
            })
        })?;
    }

    let mut created = false;
    step("create database", &mut || {
        created = create_if_missing(&mut admin, &name, &quoted).map_err(|e| {
            let hint = e
                .to_string()
                .contains("permission denied to create database");
            let e = admin_step("create database")(e);
            if hint {
                ProvisionError::NoCreateDb {
                    user: config.user(),
                    source: Box::new(e),
                }
            } else {
                e
            }
        })?;
        if !created {
            return Ok(format!("{name} exists"));
        }
        // Standbys must have it before the next connection, which may reach one of them first.
        Ok(
            match standbys::wait_for_replay(&mut admin).map_err(admin_step("create database"))? {
                0 => format!("created {name}"),
                n => format!("created {name} (replayed by {n} standby(s))"),
            },
        )
    })?;
    drop(admin);

    let mut migrations_applied = Vec::new();
    step("migrate", &mut || {
        let mut conn = connect(config).map_err(ProvisionError::Unavailable)?;
        // Only a database behind needs the migrator (which needs CREATE on the schema); one
        // that is up to date is left alone, so that a service role can provision it too.
        if !migrations::status(&mut conn)
            .map_err(admin_step("migrate"))?
            .pending
            .is_empty()
        {
            migrations_applied =
                migrations::run_pending(&mut conn).map_err(admin_step("migrate"))?;
        }
        let status = migrations::status(&mut conn).map_err(admin_step("migrate"))?;
        Ok(format!(
            "applied {} migration(s); {} applied in all, {} pending",
            migrations_applied.len(),
            status.applied.len(),
            status.pending.len()
        ))
    })?;

    let mut role_reports = [None, None];
    for (report, kind, role) in [
        (0, roles::Kind::Service, &options.service_role),
        (1, roles::Kind::Administration, &options.admin_role),
    ] {
        let Some(role) = role else { continue };
        step(kind.name(), &mut || {
            let mut conn = connect(config).map_err(ProvisionError::Unavailable)?;
            match roles::apply(&mut conn, role, &name, kind).map_err(admin_step(kind.name()))? {
                roles::Applied::Refused(reason) => Err(ProvisionError::ServiceRole {
                    kind: kind.name(),
                    role: role.clone(),
                    reason,
                }),
                roles::Applied::Done { created } => {
                    role_reports[report] = Some(ServiceRoleReport {
                        name: role.clone(),
                        created,
                    });
                    Ok(format!(
                        "{} {role}; its grants applied",
                        if created { "created" } else { "kept" }
                    ))
                }
            }
        })?;
    }
    let [service_role, admin_role] = role_reports;

    // Seeding submits through a small pool of its own, whatever DATABASE_POOL_MAX says for the
    // services.
    let mut small = config.clone();
    small.pool_max = 2;
    let mut seeded = None;
    if options.seed {
        step("seed", &mut || {
            let report = seed::seed(&small).map_err(|source| ProvisionError::Step {
                step: "seed",
                source: Box::new(source),
            })?;
            seeded = Some(report);
            Ok(format!(
                "{} user(s), {} rule version(s), {} case(s) added",
                report.users, report.rules, report.cases
            ))
        })?;
    }

    let mut verified = None;
    step("verify", &mut || {
        let options = VerifyOptions {
            expect_seed: options.expect_seed,
            pool_max: config.pool_max,
            ..VerifyOptions::default()
        };
        let report = verify(config, &options).map_err(|e| match e {
            VerifyError::Config(e) => ProvisionError::Config(e),
            VerifyError::Unavailable(e) => ProvisionError::Unavailable(e),
        })?;
        let detail = report.summary();
        verified = Some(report);
        Ok(detail)
    })?;
    let Some(verify) = verified else {
        return Err(ProvisionError::Internal("verification did not run"));
    };

    Ok(ProvisionReport {
        target: config.target(),
        steps,
        created,
        migrations_applied,
        service_role,
        admin_role,
        seeded,
        verify,
        total: started.elapsed(),
    })
}

/// Creates the database unless it exists; true when it created it. An advisory lock keeps two
/// provisions from racing on the same name.
fn create_if_missing(
    admin: &mut PgConnection,
    name: &str,
    quoted: &str,
) -> Result<bool, PersistenceError> {
    use diesel::sql_types::Text;
    sql_query("SELECT pg_advisory_lock(hashtext('compliance-db provision ' || $1))")
        .bind::<Text, _>(name)
        .execute(admin)?;
    let result = (|| {
        if database_exists(admin, name)? {
            return Ok(false);
        }
        sql_query(format!("CREATE DATABASE {quoted}")).execute(admin)?;
        Ok(true)
    })();
    let _ = sql_query("SELECT pg_advisory_unlock(hashtext('compliance-db provision ' || $1))")
        .bind::<Text, _>(name)
        .execute(admin);
    result
}

/// True when the server has a database of this name.
fn database_exists(admin: &mut PgConnection, name: &str) -> Result<bool, PersistenceError> {
    #[derive(diesel::QueryableByName)]
    struct Exists {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        exists: bool,
    }
    let found: Exists =
        sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<diesel::sql_types::Text, _>(name)
            .get_result(admin)?;
    Ok(found.exists)
}

#[cfg(test)]
mod tests {
    use super::quote_ident;

    #[test]
    fn identifiers_are_quoted_whatever_they_contain() {
        assert_eq!(quote_ident("compliance_db"), r#""compliance_db""#);
        assert_eq!(quote_ident(r#"we"ird; DROP"#), r#""we""ird; DROP""#);
        assert_eq!(quote_ident("Ünïcode db"), r#""Ünïcode db""#);
    }
}
