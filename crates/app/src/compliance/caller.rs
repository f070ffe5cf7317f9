//! Who is calling: an authenticated user, the role that says what they may do, and how they
//! proved it.
//!
//! Must not: be constructible from a user id taken from a request body. A [`Caller`] comes only
//! from a verified API token ([`crate::Compliance::authenticate`]), a live back-office session
//! ([`crate::Compliance::office_session`]), or, for a service that links the crates and holds
//! the database's credentials, from [`crate::Compliance::in_process`], which names that trust.

use super::Compliance;
use crate::{AppError, Result};
use compliance_domain::{Permission, Role, User, UserId, Username};
use compliance_persistence::repo::users;

/// How a caller proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A live API token of an active user.
    ApiToken,
    /// A live back-office session of an active person.
    OfficeSession,
    /// Code running in-process with the database's credentials, naming the user it acts as.
    InProcess,
}

/// An authenticated caller: the user every operation acts as, its role, and its credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    user: UserId,
    role: Role,
    credential: Credential,
}

impl Caller {
    /// The caller for an active user; an inactive one cannot act.
    pub(crate) fn from_user(user: &User, credential: Credential) -> Result<Self> {
        if !user.active {
            return Err(AppError::Unauthenticated("the user is inactive"));
        }
        Ok(Self {
            user: user.id,
            role: user.role,
            credential,
        })
    }

    /// The user.
    pub fn user(&self) -> UserId {
        self.user
    }

    /// Its role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// How it proved who it is.
    pub fn credential(&self) -> Credential {
        self.credential
    }

    /// True when the role table lets this caller do `what` (see [`Role::may`]).
    pub fn may(&self, what: Permission) -> bool {
        self.role.may(what)
    }

    /// `Ok` when the role table lets this caller do `what`, else [`AppError::Forbidden`]
    /// naming `doing` ("submit cases").
    pub(crate) fn require(&self, what: Permission, doing: &'static str) -> Result<()> {
        if self.may(what) {
            Ok(())
        } else {
            Err(AppError::Forbidden {
                role: self.role,
                what: doing,
            })
        }
    }
}

/// In-process callers, for code that links the crates and holds the database's credentials.
///
/// Such code could write the database directly as anyone, so this crate does not pretend to
/// authenticate it: it names the user it acts as, and each operation then checks that user's
/// role and four eyes exactly as for a token. A network client never gets here; it presents a
/// token ([`Compliance::authenticate`]) or a session.
pub struct InProcess<'a> {
    pub(super) compliance: &'a Compliance,
}

impl InProcess<'_> {
    /// The active system agent: what a service that submits cases acts as.
    pub fn system_agent(&self) -> Result<Caller> {
        self.compliance
            .service
            .read(|conn| match crate::service::active_agent(conn)? {
                Some(agent) => Caller::from_user(&agent, Credential::InProcess),
                None => Err(AppError::Unauthenticated(
                    "no active system agent: provision the database first (cargo xtask provision)",
                )),
            })
    }

    /// The active user named `username`.
    pub fn user(&self, username: &Username) -> Result<Caller> {
        self.compliance
            .service
            .read(|conn| match users::find_by_username(conn, username) {
                Ok(user) => Caller::from_user(&user, Credential::InProcess),
                Err(compliance_persistence::PersistenceError::NotFound { .. }) => {
                    Err(AppError::Unauthenticated("no user has that username"))
                }
                Err(e) => Err(e.into()),
            })
    }
}
