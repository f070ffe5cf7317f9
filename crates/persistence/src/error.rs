//! The errors of the persistence layer: what callers act on (not found, conflict, refused by a
//! constraint, invalid stored data, database unavailable) and the rest.
//!
//! Must not: carry a password or a row's data. PostgreSQL's DETAIL lines repeat the offending
//! row (names, e-mail addresses, amounts), so only the constraint name and the server's main
//! message, which our triggers write with ids only, are kept.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// A persistence failure.
#[derive(Debug, thiserror::Error)]
pub enum PersistenceError {
    /// No row with that key.
    #[error("{what} {key} not found")]
    NotFound {
        /// What was looked for, e.g. `compliance check`.
        what: &'static str,
        /// The key that was looked for (an id, an entity id, a rule code).
        key: String,
    },
    /// The row changed since it was read, or already exists: nothing was written.
    #[error("conflict on {what} {key}: {reason}")]
    Conflict {
        /// The kind of row.
        what: &'static str,
        /// Its key.
        key: String,
        /// What conflicted, and what to do.
        reason: String,
    },
    /// A constraint or trigger of the database refused the write: nothing was written.
    #[error("the database refused the write ({constraint}): {message}")]
    Refused {
        /// The constraint or guard that refused, e.g. `ck_aml_checks_risk_level`.
        constraint: String,
        /// The server's message (ids and codes only; the row's data is not repeated).
        message: String,
    },
    /// A stored row that the domain would reject: corrupt or tampered data.
    #[error("invalid data in {table} row {id}: {reason}")]
    InvalidData {
        /// The table.
        table: &'static str,
        /// The row's id.
        id: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The database could not be reached.
    #[error(
        "cannot reach the database at {target}: {reason} (check that PostgreSQL is running there and that DATABASE_URL, or DATABASE_HOST/PORT/NAME/USER/PASSWORD, is right)"
    )]
    Unavailable {
        /// `host:port/database` (never the password).
        target: String,
        /// What failed.
        reason: String,
    },
    /// Every pooled connection was in use for the whole wait: the database is reachable, the
    /// service holds too many connections too long.
    #[error(
        "all {size} pooled connections to {target} stayed in use for {waited_secs}s: raise DATABASE_POOL_MAX (within the server's max_connections) or find what holds connections this long"
    )]
    PoolExhausted {
        /// `host:port/database`.
        target: String,
        /// The pool size.
        size: u32,
        /// How long the request waited.
        waited_secs: u64,
    },
    /// A transient failure that retrying the whole transaction resolves: a serialization
    /// failure, a deadlock, a lock wait past `lock_timeout`, or the connection lost mid-way.
    /// Nothing was committed.
    #[error("transient database failure: {reason}; nothing was written, retry")]
    Transient {
        /// What happened, e.g. `deadlock detected`.
        reason: String,
    },
    /// A migration failed to run or to be listed.
    #[error("migration failed: {0}")]
    Migration(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(DieselError),
}

/// A persistence result.
pub type Result<T, E = PersistenceError> = std::result::Result<T, E>;

impl From<DieselError> for PersistenceError {
    fn from(error: DieselError) -> Self {
        match &error {
            DieselError::DatabaseError(kind, info) => {
                let constraint = info
                    .constraint_name()
                    .unwrap_or("unnamed constraint")
                    .to_owned();
                let message = info.message().to_owned();
                match kind {
                    DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::ExclusionViolation => {
                        PersistenceError::Conflict {
                            what: "row",
                            key: constraint,
                            reason: "a row with the same key already exists".into(),
                        }
                    }
                    DatabaseErrorKind::SerializationFailure => PersistenceError::Transient {
                        reason: "a concurrent transaction changed the same rows".into(),
                    },
                    DatabaseErrorKind::ClosedConnection
                    | DatabaseErrorKind::UnableToSendCommand => PersistenceError::Transient {
                        reason: "the connection to the database was lost".into(),
                    },
                    // Diesel has no kind for 40P01 (deadlock) or 55P03 (lock timeout); the
                    // server's messages name them (lc_messages is English unless a superuser
                    // changed it: docs/operations.md).
                    _ if is_transient_message(&message) => PersistenceError::Transient {
                        reason: one_line(&message),
                    },
                    DatabaseErrorKind::CheckViolation
                    | DatabaseErrorKind::ForeignKeyViolation
                    | DatabaseErrorKind::NotNullViolation
                    | DatabaseErrorKind::RestrictViolation => PersistenceError::Refused {
                        constraint,
                        message,
                    },
                    // Our guard triggers raise integrity_constraint_violation (23000), which
                    // Diesel reports as Unknown, with the guard's name as the constraint.
                    _ if info.constraint_name().is_some() => PersistenceError::Refused {
                        constraint,
                        message,
                    },
                    _ => PersistenceError::Database(error),
                }
            }
            _ => PersistenceError::Database(error),
        }
    }
}

impl PersistenceError {
    /// The constraint or guard that refused a write, if that is what happened.
    pub fn refused_by(&self) -> Option<&str> {
        match self {
            PersistenceError::Refused { constraint, .. } => Some(constraint),
            _ => None,
        }
    }

    /// True for a conflict (a lost race, a duplicate key): nothing was written.
    pub fn is_conflict(&self) -> bool {
        matches!(self, PersistenceError::Conflict { .. })
    }

    /// True for a transient failure: retrying the whole transaction may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, PersistenceError::Transient { .. })
    }

    pub(crate) fn invalid(table: &'static str, id: impl ToString, reason: impl ToString) -> Self {
        PersistenceError::InvalidData {
            table,
            id: id.to_string(),
            reason: reason.to_string(),
        }
    }

    pub(crate) fn not_found(what: &'static str, key: impl ToString) -> Self {
        PersistenceError::NotFound {
            what,
            key: key.to_string(),
        }
    }
}

/// The server's messages for a deadlock, a lock wait past `lock_timeout`, and a backend ended
/// by an administrator (`pg_terminate_backend`).
fn is_transient_message(message: &str) -> bool {
    message.starts_with("deadlock detected")
        || message.starts_with("canceling statement due to lock timeout")
        || message.starts_with("terminating connection due to administrator command")
        || message.starts_with("server closed the connection unexpectedly")
}

/// Turns `Ok(None)` from an optional lookup into [`PersistenceError::NotFound`].
pub(crate) fn found<T>(row: Option<T>, what: &'static str, key: impl ToString) -> Result<T> {
    row.ok_or_else(|| PersistenceError::not_found(what, key))
}

/// What a failed connection attempt says, on one line (libpq's messages span several and never
/// contain the password).
pub(crate) fn connection_reason(error: &diesel::ConnectionError) -> String {
    one_line(&error.to_string())
}

/// A message on one line: libpq's span several.
pub(crate) fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}
