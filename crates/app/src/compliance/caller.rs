//! Who is calling: an authenticated user and the role that says what they may do.
//!
//! Must not: be constructible from a user id taken from a request body. A [`Caller`] comes only
//! from a verified API token ([`crate::Compliance::authenticate`]) or, for a service that links
//! the crates and holds the database's credentials, from an active user looked up by
//! [`crate::Compliance::system_agent`] or [`crate::Compliance::trusted_caller`].

use crate::{AppError, Result};
use compliance_domain::{Role, User, UserId};

/// An authenticated caller: the user every write acts as, and its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    user: UserId,
    role: Role,
}

impl Caller {
    /// The caller for an active user; an inactive one cannot act.
    pub(crate) fn from_user(user: &User) -> Result<Self> {
        if !user.active {
            return Err(AppError::Unauthenticated("the user is inactive"));
        }
        Ok(Self {
            user: user.id,
            role: user.role,
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

    /// `Ok` when the caller is the system agent (which submits and re-screens), else
    /// [`AppError::Forbidden`] naming `what`.
    pub(crate) fn require_system(&self, what: &'static str) -> Result<()> {
        self.require(self.role == Role::System, what)
    }

    /// `Ok` when the caller is a person (who reviews), else [`AppError::Forbidden`].
    pub(crate) fn require_human(&self, what: &'static str) -> Result<()> {
        self.require(self.role.is_human(), what)
    }

    /// `Ok` when the caller may clear list matches (admins and compliance officers).
    pub(crate) fn require_match_clearer(&self, what: &'static str) -> Result<()> {
        self.require(self.role.may_clear_matches(), what)
    }

    fn require(&self, allowed: bool, what: &'static str) -> Result<()> {
        if allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden {
                role: self.role,
                what,
            })
        }
    }
}
