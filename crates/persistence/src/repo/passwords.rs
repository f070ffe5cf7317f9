//! `user_passwords`: each person's Argon2id hash (a PHC string), who set it and when, and the
//! failed sign-ins that lock the account for a while. Setting a password writes its
//! `password_set` audit entry in the same transaction.
//!
//! Must not: see a password (only its hash, made by the app), put a hash in an error or an
//! audit entry, or give a system agent a password (the database refuses it too).

use crate::repo::{audit_logs, users};
use crate::schema::user_passwords;
use crate::{PersistenceError, Result};
use chrono::{DateTime, Duration, Utc};
use compliance_domain::{AuditAction, AuditEvent, Role, SubjectKind, User, UserId, Username};
use diesel::pg::PgConnection;
use diesel::prelude::*;

/// What a sign-in checks the typed password against.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredPassword {
    /// The Argon2id PHC string.
    pub hash: String,
    /// Failed sign-ins since the last success.
    pub failed_attempts: i32,
    /// Until when sign-in is refused, if locked.
    pub locked_until: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for StoredPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredPassword")
            .field("hash", &"<redacted>")
            .field("failed_attempts", &self.failed_attempts)
            .field("locked_until", &self.locked_until)
            .finish()
    }
}

/// Sets (or replaces) `user`'s password hash, by `by`, unlocking the account, and writes
/// `password_set` in the same transaction. A system agent gets no password.
pub fn set(conn: &mut PgConnection, user: UserId, hash: &str, by: UserId) -> Result<()> {
    conn.transaction(|conn| {
        let owner = users::find(conn, user)?;
        if owner.role == Role::System {
            return Err(PersistenceError::Conflict {
                what: "user",
                key: owner.username.as_str().to_owned(),
                reason: "a system agent authenticates with an API token, not a password".into(),
            });
        }
        diesel::insert_into(user_passwords::table)
            .values((
                user_passwords::user_id.eq(user.as_uuid()),
                user_passwords::password_hash.eq(hash),
                user_passwords::set_by.eq(by.as_uuid()),
            ))
            .on_conflict(user_passwords::user_id)
            .do_update()
            .set((
                user_passwords::password_hash.eq(hash),
                user_passwords::set_by.eq(by.as_uuid()),
                user_passwords::failed_attempts.eq(0),
                user_passwords::locked_until.eq(None::<DateTime<Utc>>),
            ))
            .execute(conn)?;
        let details = serde_json::json!({ "user_id": user, "role": owner.role });
        let event = AuditEvent::new(
            by,
            AuditAction::PasswordSet,
            SubjectKind::User,
            user.as_uuid(),
        )
        .and_then(|e| e.with_details(details))
        .map_err(|e| PersistenceError::invalid("user_passwords", user.as_uuid(), e))?;
        audit_logs::append(conn, &event)?;
        Ok(())
    })
}

/// The user called `username` and their stored password, or `None` when there is no such user
/// or they have no password.
pub fn for_sign_in(
    conn: &mut PgConnection,
    username: &Username,
) -> Result<Option<(User, StoredPassword)>> {
    let user = match users::find_by_username(conn, username) {
        Ok(user) => user,
        Err(PersistenceError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let stored = user_passwords::table
        .find(user.id.as_uuid())
        .select((
            user_passwords::password_hash,
            user_passwords::failed_attempts,
            user_passwords::locked_until,
        ))
        .first::<(String, i32, Option<DateTime<Utc>>)>(conn)
        .optional()?;
    Ok(stored.map(|(hash, failed_attempts, locked_until)| {
        (
            user,
            StoredPassword {
                hash,
                failed_attempts,
                locked_until,
            },
        )
    }))
}

/// A sign-in attempt counted before its password is checked: the stored hash to check it
/// against, and the count of failures this attempt made (it counts as one until it succeeds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The stored Argon2id PHC string.
    pub hash: String,
    /// `failed_attempts` after this attempt was counted.
    pub attempts: i32,
}

/// Counts a sign-in attempt of `user` at `now` as a failure, in one statement, before anyone
/// checks its password: the `max_failures`-th in a row locks the account for `lock_for` (after
/// a lock has passed, counting starts again). `None` when the account was locked already (or
/// has no password): then no password is checked at all. Parallel attempts each take one
/// count, in the order the row lock grants them, so a burst cannot get more than
/// `max_failures` guesses checked. [`record_success`] takes the count back.
pub fn claim(
    conn: &mut PgConnection,
    user: UserId,
    now: DateTime<Utc>,
    max_failures: i32,
    lock_for: Duration,
) -> Result<Option<Claim>> {
    use diesel::sql_types::{Integer, Text, Timestamptz, Uuid as SqlUuid};
    #[derive(QueryableByName)]
    struct Claimed {
        #[diesel(sql_type = Text)]
        password_hash: String,
        #[diesel(sql_type = Integer)]
        failed_attempts: i32,
    }
    let claimed: Option<Claimed> = diesel::sql_query(CLAIM_SQL)
        .bind::<SqlUuid, _>(user.as_uuid())
        .bind::<Timestamptz, _>(now)
        .bind::<Integer, _>(max_failures)
        .bind::<Timestamptz, _>(now + lock_for)
        .get_result(conn)
        .optional()?;
    Ok(claimed.map(|c| Claim {
        hash: c.password_hash,
        attempts: c.failed_attempts,
    }))
}

/// `$1` the user, `$2` now, `$3` the failures that lock, `$4` until when. Only an account that
/// is not locked now is counted; a lock that has passed starts the count again.
const CLAIM_SQL: &str = "
UPDATE user_passwords
   SET failed_attempts = CASE WHEN locked_until <= $2 THEN 1 ELSE failed_attempts + 1 END,
       locked_until = CASE
           WHEN (CASE WHEN locked_until <= $2 THEN 1 ELSE failed_attempts + 1 END) >= $3 THEN $4
           WHEN locked_until <= $2 THEN NULL
           ELSE locked_until END
 WHERE user_id = $1 AND (locked_until IS NULL OR locked_until <= $2)
RETURNING password_hash, failed_attempts
";

/// Takes back the count of an attempt whose password was right ([`claim`]), clearing the
/// account's failures: `true` unless the account was locked meanwhile by other attempts (a
/// lock that this attempt's own count set, with none after it, does not stand in its way). On
/// `false` the sign-in is refused: a right password guessed in a burst that locked the account
/// does not sign in.
pub fn record_success(
    conn: &mut PgConnection,
    user: UserId,
    now: DateTime<Utc>,
    claimed: &Claim,
) -> Result<bool> {
    let cleared = diesel::update(
        user_passwords::table.find(user.as_uuid()).filter(
            user_passwords::locked_until
                .is_null()
                .or(user_passwords::locked_until.le(now))
                .or(user_passwords::failed_attempts.eq(claimed.attempts)),
        ),
    )
    .set((
        user_passwords::failed_attempts.eq(0),
        user_passwords::locked_until.eq(None::<DateTime<Utc>>),
    ))
    .execute(conn)?;
    Ok(cleared == 1)
}
