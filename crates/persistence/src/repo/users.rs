//! `users`: the people and the system agent that submit and review.
//!
//! Must not: log or return an e-mail address in an error: errors name the user id or username.
//! Nor audit an update itself: the database's trigger on `users` does (see [`set_active`]).

use crate::convert::{domain, text};
use crate::error::found;
use crate::repo::audit_logs;
use crate::schema::users;
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::input::NewUser;
use compliance_domain::{
    AuditAction, AuditEvent, Email, Role, SubjectKind, User, UserId, Username,
};
use diesel::QueryableByName;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use uuid::Uuid;

/// A row of `users`, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(Pg))]
pub struct UserRow {
    /// The id.
    pub id: Uuid,
    /// The login name.
    pub username: String,
    /// The e-mail address (personal data).
    pub email: String,
    /// The role, canonical text.
    pub role: String,
    /// Whether the user may act.
    pub active: bool,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct NewUserRow<'a> {
    username: &'a str,
    email: &'a str,
    role: &'static str,
}

const TABLE: &str = "users";

impl TryFrom<UserRow> for User {
    type Error = PersistenceError;
    fn try_from(row: UserRow) -> Result<Self> {
        let id = row.id;
        Ok(User {
            id: UserId::from_uuid(id),
            username: domain(TABLE, id, Username::parse(&row.username))?,
            email: domain(TABLE, id, Email::parse(&row.email))?,
            role: text(TABLE, id, &row.role)?,
            active: row.active,
        })
    }
}

/// Creates a user; `actor` is who creates it (`None` when a user creates itself, as the first
/// system agent does). Writes a `user_created` audit entry in the same transaction.
pub fn insert(conn: &mut PgConnection, user: &NewUser, actor: Option<UserId>) -> Result<User> {
    crate::convert::atomic(conn, |conn| {
        let row = NewUserRow {
            username: user.username.as_str(),
            email: user.email.as_str(),
            role: user.role.into(),
        };
        let created: User = diesel::insert_into(users::table)
            .values(&row)
            .returning(UserRow::as_returning())
            .get_result(conn)
            .map_err(|e| conflict_on_username(e, &user.username))?
            .try_into()?;
        let event = AuditEvent::new(
            actor.unwrap_or(created.id),
            AuditAction::UserCreated,
            SubjectKind::User,
            created.id.as_uuid(),
        )
        .and_then(|e| {
            e.with_details(
                serde_json::json!({ "username": created.username.as_str(), "role": created.role }),
            )
        })
        .map_err(|e| PersistenceError::invalid(TABLE, created.id, e))?;
        audit_logs::append(conn, &event)?;
        Ok(created)
    })
}

fn conflict_on_username(error: diesel::result::Error, username: &Username) -> PersistenceError {
    match PersistenceError::from(error) {
        PersistenceError::Conflict { key, .. } => PersistenceError::Conflict {
            what: "user",
            key: username.as_str().to_owned(),
            reason: format!("a user with this username or e-mail address already exists ({key})"),
        },
        other => other,
    }
}

/// The user with this id.
pub fn find(conn: &mut PgConnection, id: UserId) -> Result<User> {
    let row = users::table
        .find(id.as_uuid())
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    found(row, "user", id)?.try_into()
}

/// The user with this username (the natural key).
pub fn find_by_username(conn: &mut PgConnection, username: &Username) -> Result<User> {
    let row = users::table
        .filter(users::username.eq(username.as_str()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    found(row, "user", username.as_str())?.try_into()
}

/// The usernames of the users with these ids (those that exist), by id: what a page that names
/// a few users reads, instead of the whole table.
pub fn usernames(conn: &mut PgConnection, ids: &[UserId]) -> Result<Vec<(UserId, Username)>> {
    let ids: Vec<uuid::Uuid> = ids.iter().map(|id| id.as_uuid()).collect();
    users::table
        .filter(users::id.eq_any(ids))
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|row| User::try_from(row).map(|u| (u.id, u.username)))
        .collect()
}

/// Which users to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct UserFilter {
    /// Only this role.
    pub role: Option<Role>,
    /// Only active (or only inactive) users.
    pub active: Option<bool>,
}

/// Users matching the filter, by username.
pub fn list(conn: &mut PgConnection, filter: UserFilter) -> Result<Vec<User>> {
    let mut query = users::table.select(UserRow::as_select()).into_boxed();
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(<&str>::from(role)));
    }
    if let Some(active) = filter.active {
        query = query.filter(users::active.eq(active));
    }
    query
        .order(users::username.asc())
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Deactivates or reactivates a user; the `user_updated` audit entry by `actor` is written in
/// the same transaction by the database's trigger on `users` (`users_audit_change()`), which
/// audits every role or activation change, raw SQL included. This function names the actor to
/// it through the transaction-local setting `compliance.actor`, set for the update only and put
/// back after, and writes no entry itself, so a change is audited once. Asking for the state the
/// user is already in changes nothing and records nothing.
pub fn set_active(
    conn: &mut PgConnection,
    id: UserId,
    active: bool,
    actor: UserId,
) -> Result<User> {
    crate::convert::atomic(conn, |conn| {
        let before = setting(conn, None)?;
        setting(conn, Some(&actor.to_string()))?;
        let row = diesel::update(
            users::table
                .filter(users::id.eq(id.as_uuid()))
                .filter(users::active.ne(active)),
        )
        .set(users::active.eq(active))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .optional()?;
        setting(conn, Some(&before))?;
        match row {
            Some(row) => row.try_into(),
            None => find(conn, id),
        }
    })
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

/// Reads `compliance.actor` (`None`), or sets it for the rest of the transaction; returns the
/// value it holds after ('' when unset).
fn setting(conn: &mut PgConnection, value: Option<&str>) -> Result<String> {
    let query = match value {
        None => diesel::sql_query(
            "SELECT coalesce(current_setting('compliance.actor', true), '') AS value",
        )
        .into_boxed(),
        Some(value) => {
            diesel::sql_query("SELECT set_config('compliance.actor', $1, true) AS value")
                .into_boxed()
                .bind::<diesel::sql_types::Text, _>(value.to_owned())
        }
    };
    Ok(query.get_result::<Setting>(conn)?.value)
}
