//! `web_sessions`: the back office's browser sessions, by the SHA-256 of their random secret
//! (the cookie's value is never stored). A session is used until it expires, goes idle or is
//! ended; it is never deleted, so the table records who was signed in when.
//!
//! Must not: receive or log a session's secret (only its hash), or answer for a session of an
//! inactive user.

use crate::Result;
use crate::repo::users;
use crate::schema::{users as users_table, web_sessions};
use chrono::{DateTime, Utc};
use compliance_domain::{User, UserId};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

/// Opens a session for `user`, known by `hash`, ending at `expires_at` at the latest; returns
/// its id. The database refuses a system agent or an inactive user.
pub fn start(
    conn: &mut PgConnection,
    user: UserId,
    hash: &[u8; 32],
    expires_at: DateTime<Utc>,
) -> Result<Uuid> {
    Ok(diesel::insert_into(web_sessions::table)
        .values((
            web_sessions::user_id.eq(user.as_uuid()),
            web_sessions::token_hash.eq(&hash[..]),
            web_sessions::expires_at.eq(expires_at),
        ))
        .returning(web_sessions::id)
        .get_result(conn)?)
}

/// The live session known by `hash` at `now` (open, not expired, seen within `idle` seconds,
/// of an active user), marked seen now; `None` otherwise.
pub fn touch(
    conn: &mut PgConnection,
    hash: &[u8; 32],
    now: DateTime<Utc>,
    idle: chrono::Duration,
) -> Result<Option<(Uuid, User)>> {
    let active_users = users_table::table
        .filter(users_table::active.eq(true))
        .select(users_table::id);
    let touched: Option<(Uuid, Uuid)> = diesel::update(
        web_sessions::table
            .filter(web_sessions::token_hash.eq(&hash[..]))
            .filter(web_sessions::ended_at.is_null())
            .filter(web_sessions::expires_at.gt(now))
            .filter(web_sessions::last_seen_at.gt(now - idle))
            .filter(web_sessions::user_id.eq_any(active_users)),
    )
    .set(web_sessions::last_seen_at.eq(now))
    .returning((web_sessions::id, web_sessions::user_id))
    .get_result(conn)
    .optional()?;
    match touched {
        Some((id, user)) => Ok(Some((id, users::find(conn, UserId::from_uuid(user))?))),
        None => Ok(None),
    }
}

/// Ends the session known by `hash` (sign-out); true when an open one was ended.
pub fn end(conn: &mut PgConnection, hash: &[u8; 32]) -> Result<bool> {
    let ended = diesel::update(
        web_sessions::table
            .filter(web_sessions::token_hash.eq(&hash[..]))
            .filter(web_sessions::ended_at.is_null()),
    )
    .set(web_sessions::ended_at.eq(diesel::dsl::now))
    .execute(conn)?;
    Ok(ended == 1)
}
