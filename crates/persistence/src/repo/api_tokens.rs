//! `api_tokens`: each token's SHA-256 (never the secret), its user, name, expiry and revocation.
//! Creating and revoking a token write their audit entries in the same transaction.
//!
//! Must not: receive, store or log a token's secret: this module sees only its hash, and no
//! error or audit entry carries even that.

use crate::convert::domain;
use crate::error::found;
use crate::repo::{audit_logs, users};
use crate::schema::{self, api_tokens};
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{AuditAction, AuditEvent, SubjectKind, TokenName, User, UserId};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use uuid::Uuid;

/// A row of `api_tokens`, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct ApiTokenRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub token_hash: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<Uuid>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A stored token, without its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredToken {
    /// The token's id (what `revoke` names).
    pub id: Uuid,
    /// The user it acts as.
    pub user: UserId,
    /// Its label.
    pub name: TokenName,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When revoked, and by whom.
    pub revoked: Option<(DateTime<Utc>, UserId)>,
    /// When last used (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
}

impl StoredToken {
    /// True when the token authenticates at `now`: not revoked and not expired.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked.is_none() && self.expires_at > now
    }
}

const TABLE: &str = "api_tokens";

impl TryFrom<ApiTokenRow> for StoredToken {
    type Error = PersistenceError;
    fn try_from(row: ApiTokenRow) -> Result<Self> {
        let id = row.id;
        let revoked = match (row.revoked_at, row.revoked_by) {
            (None, None) => None,
            (Some(at), Some(by)) => Some((at, UserId::from_uuid(by))),
            _ => {
                return Err(PersistenceError::invalid(
                    TABLE,
                    id,
                    "a half-recorded revocation",
                ));
            }
        };
        Ok(Self {
            id,
            user: UserId::from_uuid(row.user_id),
            name: domain(TABLE, id, TokenName::parse(&row.name))?,
            created_at: row.created_at,
            expires_at: row.expires_at,
            revoked,
            last_used_at: row.last_used_at,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = api_tokens)]
struct NewTokenRow<'a> {
    user_id: Uuid,
    name: &'a str,
    token_hash: &'a [u8],
    expires_at: DateTime<Utc>,
}

/// Stores a token by its SHA-256 for `user`, and writes `api_token_created` (actor: `by`) in
/// the same transaction. Only an active user gets a token.
pub fn insert(
    conn: &mut PgConnection,
    user: UserId,
    name: &TokenName,
    hash: &[u8; 32],
    expires_at: DateTime<Utc>,
    by: UserId,
) -> Result<StoredToken> {
    conn.transaction(|conn| {
        let owner = users::find(conn, user)?;
        if !owner.active {
            return Err(PersistenceError::Conflict {
                what: "user",
                key: user.to_string(),
                reason: "the user is inactive: an inactive user gets no token".into(),
            });
        }
        let token: StoredToken = diesel::insert_into(api_tokens::table)
            .values(&NewTokenRow {
                user_id: user.as_uuid(),
                name: name.as_str(),
                token_hash: hash,
                expires_at,
            })
            .returning(ApiTokenRow::as_returning())
            .get_result(conn)?
            .try_into()?;
        let details = serde_json::json!({
            "user_id": user, "role": owner.role, "expires_at": expires_at,
        });
        audit(conn, by, AuditAction::ApiTokenCreated, token.id, details)?;
        Ok(token)
    })
}

fn audit(
    conn: &mut PgConnection,
    actor: UserId,
    action: AuditAction,
    token: Uuid,
    details: serde_json::Value,
) -> Result<()> {
    let event = AuditEvent::new(actor, action, SubjectKind::ApiToken, token)
        .and_then(|e| e.with_details(details))
        .map_err(|e| PersistenceError::invalid(TABLE, token, e))?;
    audit_logs::append(conn, &event)?;
    Ok(())
}

/// The token with this id.
pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<StoredToken> {
    let row = api_tokens::table
        .find(id)
        .select(ApiTokenRow::as_select())
        .first(conn)
        .optional()?;
    found(row, "api token", id)?.try_into()
}

/// Every token, or one user's, newest first.
pub fn list(conn: &mut PgConnection, user: Option<UserId>) -> Result<Vec<StoredToken>> {
    let mut query = api_tokens::table
        .select(ApiTokenRow::as_select())
        .into_boxed();
    if let Some(user) = user {
        query = query.filter(api_tokens::user_id.eq(user.as_uuid()));
    }
    query
        .order((api_tokens::created_at.desc(), api_tokens::id))
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Revokes a token, by `by`, and writes `api_token_revoked` in the same transaction. A token
/// already revoked is a conflict, and nothing is written.
pub fn revoke(conn: &mut PgConnection, id: Uuid, by: UserId) -> Result<StoredToken> {
    conn.transaction(|conn| {
        let updated: Option<ApiTokenRow> = diesel::update(
            api_tokens::table
                .find(id)
                .filter(api_tokens::revoked_at.is_null()),
        )
        .set((
            api_tokens::revoked_at.eq(diesel::dsl::now),
            api_tokens::revoked_by.eq(by.as_uuid()),
        ))
        .returning(ApiTokenRow::as_returning())
        .get_result(conn)
        .optional()?;
        let Some(row) = updated else {
            find(conn, id)?;
            return Err(PersistenceError::Conflict {
                what: "api token",
                key: id.to_string(),
                reason: "it is already revoked".into(),
            });
        };
        let token: StoredToken = row.try_into()?;
        audit(
            conn,
            by,
            AuditAction::ApiTokenRevoked,
            id,
            serde_json::json!({ "user_id": token.user }),
        )?;
        Ok(token)
    })
}

/// The live token with this hash and its user, if there is one: not revoked, not expired, and
/// its user active; marks it used (at most once a minute, so that reads stay cheap). `None`
/// for anything else, without saying which.
pub fn authenticate(
    conn: &mut PgConnection,
    hash: &[u8; 32],
    now: DateTime<Utc>,
) -> Result<Option<(StoredToken, User)>> {
    // The token and its user in one round trip: this runs on every API request.
    let row: Option<(ApiTokenRow, users::UserRow)> = api_tokens::table
        .inner_join(schema::users::table.on(schema::users::id.eq(api_tokens::user_id)))
        .filter(api_tokens::token_hash.eq(&hash[..]))
        .select((ApiTokenRow::as_select(), users::UserRow::as_select()))
        .first(conn)
        .optional()?;
    let Some((token, user)) = row else {
        return Ok(None);
    };
    let token: StoredToken = token.try_into()?;
    if !token.is_live(now) {
        return Ok(None);
    }
    let user: User = user.try_into()?;
    if !user.active {
        return Ok(None);
    }
    if token
        .last_used_at
        .is_none_or(|used| now - used > chrono::Duration::minutes(1))
    {
        diesel::update(api_tokens::table.find(token.id))
            .set(api_tokens::last_used_at.eq(now))
            .execute(conn)?;
    }
    Ok(Some((token, user)))
}
