//! Administration, as `cargo xtask token`, `user` and `sla` run it with an administrator's
//! database credentials (the service's role may do none of it): API tokens, passwords, rule
//! versions, service-level targets. Each acts as a named, active user whose role the role table
//! lets do it ([`Role::may`]); the database checks again and writes each change's audit entry in
//! the same transaction.
//!
//! Must not: print, log or put in an error a token's secret, a password or a hash.

use crate::rules::new_rule;
use chrono::{DateTime, Utc};
use compliance_app::tokens::{self, TokenSecret};
use compliance_app::{AppError, Result, passwords};
use compliance_domain::input::InputError;
use compliance_domain::{Password, Permission, Role, TokenName, User, Username};
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::api_tokens::{self, StoredToken};
use compliance_persistence::repo::compliance_rules::{self as stored_rules, RuleRow};
use compliance_persistence::repo::{passwords as stored_passwords, service_levels, users};
use compliance_rules::Rule;
use uuid::Uuid;

/// The active user `by`, when their role may do `what` (`doing` names it in the refusal).
fn acting(
    conn: &mut PgConnection,
    by: &Username,
    what: Permission,
    doing: &'static str,
) -> Result<User> {
    let user = users::find_by_username(conn, by)?;
    if !user.active {
        return Err(AppError::Unauthenticated("the acting user is inactive"));
    }
    if !user.role.may(what) {
        return Err(AppError::Forbidden {
            role: user.role,
            what: doing,
        });
    }
    Ok(user)
}

/// Creates an API token for `user`, named `name`, working until `expires_at`, by `by`: the
/// user for themselves, or an admin for anyone. Gives back the stored token and, once, its
/// secret. Audited (`api_token_created`).
pub fn create_token(
    conn: &mut PgConnection,
    user: &Username,
    name: &TokenName,
    expires_at: DateTime<Utc>,
    by: &Username,
) -> Result<(StoredToken, TokenSecret)> {
    if expires_at <= Utc::now() {
        return Err(AppError::Input(InputError::field(
            "expires_at",
            format!("{expires_at} is not in the future"),
        )));
    }
    let owner = users::find_by_username(conn, user)?;
    let actor = if by == user {
        owner.clone()
    } else {
        acting(
            conn,
            by,
            Permission::ManageTokens,
            "create tokens for others",
        )?
    };
    let (secret, hash) = tokens::generate()?;
    let token = api_tokens::insert(conn, owner.id, name, &hash, expires_at, actor.id)?;
    Ok((token, secret))
}

/// Revokes token `id`, by `by`: its owner, or an admin. Audited (`api_token_revoked`); a second
/// revocation is refused and writes nothing.
pub fn revoke_token(conn: &mut PgConnection, id: Uuid, by: &Username) -> Result<StoredToken> {
    let token = api_tokens::find(conn, id)?;
    let actor = users::find_by_username(conn, by)?;
    let actor = if actor.id == token.user && actor.active {
        actor
    } else {
        acting(conn, by, Permission::ManageTokens, "revoke others' tokens")?
    };
    Ok(api_tokens::revoke(conn, id, actor.id)?)
}

/// The tokens of `user` (or of everyone), as an admin lists them (never a secret or a hash).
pub fn list_tokens(
    conn: &mut PgConnection,
    user: Option<&Username>,
    by: &Username,
) -> Result<Vec<StoredToken>> {
    acting(conn, by, Permission::ManageTokens, "list tokens")?;
    let user = user
        .map(|u| users::find_by_username(conn, u).map(|u| u.id))
        .transpose()?;
    Ok(api_tokens::list(conn, user)?)
}

/// Sets `username`'s back-office password, by the admin `by` (recorded in the audit trail),
/// unlocking the account; every session of that user ends (the database does it in the same
/// transaction). A system agent gets no password.
pub fn set_password(
    conn: &mut PgConnection,
    username: &Username,
    password: &Password,
    by: &Username,
) -> Result<()> {
    let admin = acting(conn, by, Permission::ManageUsers, "set passwords")?;
    let user = users::find_by_username(conn, username)?;
    if user.role == Role::System {
        return Err(AppError::Input(InputError::field(
            "user",
            "a system agent authenticates with an API token, not a password",
        )));
    }
    let hash = passwords::hash(password)?;
    stored_passwords::set(conn, user.id, &hash, admin.id)?;
    Ok(())
}

/// Publishes a rule version, by `by` (a compliance officer or an admin): in force from its
/// `effective_from`, closing the version in force before it from then on (never in the past).
/// Audited (`rule_published`).
pub fn publish_rule(conn: &mut PgConnection, rule: &Rule, by: &Username) -> Result<RuleRow> {
    let publisher = acting(conn, by, Permission::PublishRules, "publish rules")?;
    Ok(stored_rules::publish(conn, &new_rule(rule), publisher.id)?)
}

/// Publishes a service-level target, by `by` (a compliance officer or an admin): a case of
/// `jurisdiction` waits at most `target_hours` (1 to 8,760) in `status` (PENDING or
/// ESCALATED), from `from` (now when absent or past), replacing the target in force then.
/// Audited (`service_level_published`).
pub fn publish_service_level(
    conn: &mut PgConnection,
    jurisdiction: compliance_domain::Jurisdiction,
    status: compliance_domain::CheckStatus,
    target_hours: u16,
    from: Option<DateTime<Utc>>,
    by: &Username,
) -> Result<service_levels::ServiceLevel> {
    use compliance_domain::CheckStatus;
    let publisher = acting(conn, by, Permission::PublishRules, "publish service levels")?;
    if !matches!(status, CheckStatus::Pending | CheckStatus::Escalated) {
        return Err(AppError::Input(InputError::field(
            "status",
            "a case waits for a review only as PENDING or ESCALATED",
        )));
    }
    if !(1..=8_760).contains(&target_hours) {
        return Err(AppError::Input(InputError::field(
            "hours",
            "a target is 1 to 8,760 hours (a year)",
        )));
    }
    Ok(service_levels::publish(
        conn,
        jurisdiction,
        status,
        target_hours,
        from,
        publisher.id,
    )?)
}
