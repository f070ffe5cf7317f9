//! Signing people in to the back office: username and password (Argon2id, with a lock after
//! repeated failures) open a browser session known by a random secret; the secret, presented
//! again, gives back the [`Caller`] and the session's CSRF token.
//!
//! Must not: say why a sign-in failed (unknown user, wrong password, locked, inactive and
//! system agent all get the same answer, after the same work), or log or return a password,
//! a hash or a session secret anywhere but the one [`SignedIn::secret`]. Must not check a
//! password before the attempt is counted, or run more than [`SessionPolicy::verifications`]
//! password checks at once (each costs 19 MiB of Argon2).

use super::{Caller, Compliance, Credential};
use crate::{AppError, Result, passwords, tokens};
use chrono::{DateTime, Duration, Utc};
use compliance_domain::{Role, Username};
use compliance_persistence::repo::{passwords as stored_passwords, users, web_sessions};
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What every session secret starts with.
pub const SESSION_PREFIX: &str = "cds_";

/// How long sessions live and how sign-in failures are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session ends this long after sign-in at the latest (the database caps it at 12 hours).
    pub lifetime: Duration,
    /// A session unused this long has ended.
    pub idle: Duration,
    /// Failed sign-ins in a row that lock an account.
    pub max_failures: i32,
    /// How long the lock lasts.
    pub lock_for: Duration,
    /// Password checks that may run at once; a sign-in past them is refused as
    /// [`AppError::Overloaded`] at once, without a check (memory stays bounded: Argon2 takes
    /// 19 MiB a check).
    pub verifications: usize,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            lifetime: Duration::hours(8),
            idle: Duration::minutes(30),
            max_failures: 5,
            lock_for: Duration::minutes(15),
            verifications: 4,
        }
    }
}

/// The password checks running now, shared by every clone of a [`Compliance`].
#[derive(Debug, Default)]
pub(super) struct SignInGate {
    running: AtomicUsize,
}

/// One running password check; the gate's count falls when it is dropped.
struct Slot<'a>(&'a SignInGate);

impl SignInGate {
    /// A slot for one password check, or `None` when `limit` are running.
    fn enter(&self, limit: usize) -> Option<Slot<'_>> {
        self.running
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(self))
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A live back-office session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeSession {
    /// Who is signed in.
    pub caller: Caller,
    /// Their username (to greet them).
    pub username: Username,
    /// The token every form of this session carries (derived from the secret; it changes with
    /// every sign-in).
    pub csrf: String,
}

/// A session just opened: its secret, for the cookie, and the session.
pub struct SignedIn {
    /// The cookie's value. Nothing else shows it.
    pub secret: String,
    /// When it ends at the latest.
    pub expires_at: DateTime<Utc>,
    /// The session.
    pub session: OfficeSession,
}

impl fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedIn")
            .field("secret", &"<redacted>")
            .field("session", &self.session)
            .finish()
    }
}

/// The one answer to every failed sign-in.
const REFUSED: &str = "the username or password is wrong, or the account is locked after repeated failures: try again in a few minutes";

/// The CSRF token of the session whose secret is `secret`: hex SHA-256 of a label and the
/// secret, so that it needs no storage and cannot be guessed without the cookie.
pub fn csrf_token(secret: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"compliance-db back office csrf\x1f")
        .chain_update(secret.as_bytes())
        .finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Compliance {
    /// Signs a person in: the right password of an active, unlocked person opens a session.
    /// Anything else is [`AppError::Unauthenticated`] with one message for every cause. The
    /// attempt is counted towards the account's lock before its password is checked (so a
    /// burst of parallel guesses gets no more checks than the lock allows), and a right
    /// password whose account was locked meanwhile by other attempts does not sign in. Past
    /// [`SessionPolicy::verifications`] checks at once, [`AppError::Overloaded`].
    pub fn sign_in(
        &self,
        username: &str,
        password: &str,
        policy: &SessionPolicy,
    ) -> Result<SignedIn> {
        let refused = || AppError::Unauthenticated(REFUSED);
        let Some(_slot) = self.sign_ins.enter(policy.verifications.max(1)) else {
            return Err(AppError::Overloaded { what: "sign-ins" });
        };
        let Ok(name) = Username::parse(username) else {
            passwords::verify_nothing(password);
            return Err(refused());
        };
        let mut conn = self.service.database().conn()?;
        let now = Utc::now();
        let user = match users::find_by_username(&mut conn, &name) {
            Ok(user) if user.active && user.role != Role::System => user,
            Ok(_) | Err(compliance_persistence::PersistenceError::NotFound { .. }) => {
                passwords::verify_nothing(password);
                return Err(refused());
            }
            Err(e) => return Err(e.into()),
        };
        let Some(claim) = stored_passwords::claim(
            &mut conn,
            user.id,
            now,
            policy.max_failures,
            policy.lock_for,
        )?
        else {
            // Locked, or no password set: the same work as a check, and the same answer.
            passwords::verify_nothing(password);
            return Err(refused());
        };
        if !passwords::verify(&claim.hash, password) {
            if claim.attempts >= policy.max_failures {
                tracing::warn!(user = %user.id, "back-office account locked after failed sign-ins");
            }
            return Err(refused());
        }
        if !stored_passwords::record_success(&mut conn, user.id, Utc::now(), &claim)? {
            tracing::warn!(user = %user.id, "a right password refused: the account was locked by other attempts meanwhile");
            return Err(refused());
        }
        let (secret, hash) = tokens::random_secret(SESSION_PREFIX)?;
        let expires_at = now + policy.lifetime.min(Duration::hours(12));
        web_sessions::start(&mut conn, user.id, &hash, expires_at)?;
        tracing::info!(user = %user.id, "signed in to the back office");
        let csrf = csrf_token(&secret);
        Ok(SignedIn {
            secret,
            expires_at,
            session: OfficeSession {
                caller: Caller::from_user(&user, Credential::OfficeSession)?,
                username: user.username,
                csrf,
            },
        })
    }

    /// The live session a presented secret stands for (and marks it used); an unknown, ended,
    /// expired or idle one, or one of a user since deactivated, is
    /// [`AppError::Unauthenticated`].
    pub fn office_session(&self, secret: &str, policy: &SessionPolicy) -> Result<OfficeSession> {
        let refused = || AppError::Unauthenticated("the session has ended: sign in again");
        let hash = tokens::hash_with_prefix(SESSION_PREFIX, secret).ok_or_else(refused)?;
        let mut conn = self.service.database().conn()?;
        let (_, user) =
            web_sessions::touch(&mut conn, &hash, Utc::now(), policy.idle)?.ok_or_else(refused)?;
        Ok(OfficeSession {
            caller: Caller::from_user(&user, Credential::OfficeSession)?,
            username: user.username,
            csrf: csrf_token(secret),
        })
    }

    /// Ends the session a presented secret stands for (signing out twice is not an error).
    pub fn sign_out(&self, secret: &str) -> Result<()> {
        if let Some(hash) = tokens::hash_with_prefix(SESSION_PREFIX, secret) {
            let mut conn = self.service.database().conn()?;
            if web_sessions::end(&mut conn, &hash)? {
                tracing::info!("signed out of the back office");
            }
        }
        Ok(())
    }
}
