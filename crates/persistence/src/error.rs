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
    /// The row changed since it was read (an update naming an old revision, a step someone
    /// else took first): nothing was written; read it again.
    #[error("{what} {key} {reason}")]
    Stale {
        /// The kind of row.
        what: &'static str,
        /// Its key.
        key: String,
        /// What changed, and what to do.
        reason: String,
    },
    /// A row with the same key already exists (a unique or exclusion constraint): nothing was
    /// written. Not a lost race: reading again does not help.
    #[error("conflict on {what} {key}: {reason}")]
    Conflict {
        /// The kind of row (`row` when only the constraint is known).
        what: &'static str,
        /// Its key, or the constraint's name.
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
    /// The database could not be reached, or the server refused the login (the message says
    /// which, and what to check).
    #[error("{}", unavailable(target, reason))]
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
        let DieselError::DatabaseError(kind, info) = &error else {
            return PersistenceError::Database(error);
        };
        let constraint = info
            .constraint_name()
            .unwrap_or("unnamed constraint")
            .to_owned();
        let message = info.message().to_owned();
        // Transient failures by their SQLSTATE, whatever language the server speaks.
        if let Some(reason) = info.sqlstate().and_then(transient) {
            return PersistenceError::Transient {
                reason: reason.into(),
            };
        }
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
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
                PersistenceError::Transient {
                    reason: "the connection to the database was lost".into(),
                }
            }
            DatabaseErrorKind::CheckViolation
            | DatabaseErrorKind::ForeignKeyViolation
            | DatabaseErrorKind::NotNullViolation
            | DatabaseErrorKind::RestrictViolation => PersistenceError::Refused {
                constraint,
                message,
            },
            // Our guard triggers raise integrity_constraint_violation (23000), which Diesel
            // reports as Unknown, with the guard's name as the constraint.
            _ if info.constraint_name().is_some() => PersistenceError::Refused {
                constraint,
                message,
            },
            _ => PersistenceError::Database(error),
        }
    }
}

/// What a transient SQLSTATE means, or `None` when retrying would not help: a deadlock, a
/// serialization failure, a lock wait past `lock_timeout`, a backend ended by an administrator
/// or a restart, a server not yet accepting connections or no longer accepting writes, a
/// connection lost.
fn transient(state: diesel::result::SqlState) -> Option<&'static str> {
    use diesel::pg::sql_state as s;
    Some(match state {
        s::T_R_DEADLOCK_DETECTED => "deadlock detected",
        s::T_R_SERIALIZATION_FAILURE => "a concurrent transaction changed the same rows",
        s::LOCK_NOT_AVAILABLE => "a lock wait passed lock_timeout",
        s::ADMIN_SHUTDOWN | s::CRASH_SHUTDOWN => "the server ended the connection",
        s::CANNOT_CONNECT_NOW => "the server is starting up or shutting down",
        // The service never writes in a read-only transaction of its own: a server refusing a
        // write is a standby, or a primary being demoted in a failover.
        s::READ_ONLY_SQL_TRANSACTION => "the server accepts no writes now (a failover under way)",
        s::CONNECTION_EXCEPTION
        | s::CONNECTION_FAILURE
        | s::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION
        | s::SQLSERVER_REJECTED_ESTABLISHMENT_OF_SQLCONNECTION => {
            "the connection to the database was lost"
        }
        _ => return None,
    })
}

impl PersistenceError {
    /// The constraint or guard that refused a write, if that is what happened.
    pub fn refused_by(&self) -> Option<&str> {
        match self {
            PersistenceError::Refused { constraint, .. } => Some(constraint),
            _ => None,
        }
    }

    /// True for a conflict (a duplicate key): nothing was written.
    pub fn is_conflict(&self) -> bool {
        matches!(self, PersistenceError::Conflict { .. })
    }

    /// True when the row changed since it was read: nothing was written.
    pub fn is_stale(&self) -> bool {
        matches!(self, PersistenceError::Stale { .. })
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

/// Turns `Ok(None)` from an optional lookup into [`PersistenceError::NotFound`].
pub(crate) fn found<T>(row: Option<T>, what: &'static str, key: impl ToString) -> Result<T> {
    row.ok_or_else(|| PersistenceError::not_found(what, key))
}

/// What a failed connection attempt says, on one line (libpq's messages span several and never
/// contain the password).
pub(crate) fn connection_reason(error: &diesel::ConnectionError) -> String {
    one_line(&error.to_string())
}

/// The message of [`PersistenceError::Unavailable`]: a server that answered and refused the
/// login (a password, a role, pg_hba.conf) or lacks the database is not told to be started.
/// libpq gives no SQLSTATE for a failed connection: its (English) text is all there is.
fn unavailable(target: &str, reason: &str) -> String {
    let refused =
        |what: &str| format!("the server at {target} refused the connection: {reason} ({what})");
    if reason.contains("authentication failed")
        || reason.contains("no password supplied")
        || reason.contains("no pg_hba.conf entry")
    {
        refused(
            "it runs, and refused the login: check the user and password, DATABASE_USER and DATABASE_PASSWORD or DATABASE_URL's, and the server's pg_hba.conf",
        )
    } else if reason.contains("role \"") && reason.contains("does not exist") {
        refused(
            "it runs, and has no such role: set DATABASE_USER (or DATABASE_URL's user) to one it has, or create that role",
        )
    } else if reason.contains("database \"") && reason.contains("does not exist") {
        refused(
            "it runs, and has no such database: `cargo xtask provision` creates it, or set DATABASE_NAME to one it has",
        )
    } else {
        format!(
            "cannot reach the database at {target}: {reason} (check that PostgreSQL is running there and that DATABASE_URL, or DATABASE_HOST/PORT/NAME/USER/PASSWORD, is right)"
        )
    }
}

/// A message on one line: libpq's span several.
pub(crate) fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_login_is_not_reported_as_a_server_to_start() {
        let message = |reason: &str| {
            PersistenceError::Unavailable {
                target: "127.0.0.1:5432/compliance_db".into(),
                reason: reason.into(),
            }
            .to_string()
        };
        let refused = message("FATAL:  password authentication failed for user \"app\"");
        assert!(
            refused.contains("refused the login") && !refused.contains("is running"),
            "{refused}"
        );
        let role = message("FATAL:  role \"nobody\" does not exist");
        assert!(
            role.contains("no such role") && !role.contains("is running"),
            "{role}"
        );
        let database = message("FATAL:  database \"compliance_db\" does not exist");
        assert!(database.contains("cargo xtask provision"), "{database}");
        let down =
            message("connection to server at \"127.0.0.1\", port 5432 failed: Connection refused");
        assert!(
            down.starts_with("cannot reach the database at")
                && down.contains("PostgreSQL is running"),
            "{down}"
        );
    }
    use diesel::result::{DatabaseErrorInformation, SqlState};

    /// A server's error as Diesel hands it over: a code, a message in the server's language.
    struct ServerError {
        code: SqlState,
        message: &'static str,
        constraint: Option<&'static str>,
    }

    impl DatabaseErrorInformation for ServerError {
        fn message(&self) -> &str {
            self.message
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            self.constraint
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
        fn sqlstate(&self) -> Option<SqlState> {
            Some(self.code)
        }
    }

    fn from_server(
        kind: DatabaseErrorKind,
        code: SqlState,
        message: &'static str,
        constraint: Option<&'static str>,
    ) -> PersistenceError {
        DieselError::DatabaseError(
            kind,
            Box::new(ServerError {
                code,
                message,
                constraint,
            }),
        )
        .into()
    }

    /// Issue 17, defect 3: a server whose `lc_messages` is not English still gets its
    /// deadlocks, lock timeouts and terminated backends retried: they are recognised by code.
    #[test]
    fn transient_failures_are_recognised_by_sqlstate_in_any_language() {
        use diesel::pg::sql_state as s;
        for (code, message) in [
            (s::T_R_DEADLOCK_DETECTED, "interblocage détecté"),
            (
                s::LOCK_NOT_AVAILABLE,
                "annulation de la requête à cause du délai",
            ),
            (
                s::ADMIN_SHUTDOWN,
                "arrêt de la connexion à la demande de l'administrateur",
            ),
            (
                s::CANNOT_CONNECT_NOW,
                "le système de bases de données se lance",
            ),
        ] {
            let error = from_server(DatabaseErrorKind::Unknown, code, message, None);
            assert!(error.is_transient(), "{code:?}: {error:?}");
            assert!(!error.to_string().contains(message), "{error}");
        }
        // An English message without its code is not taken for one: the code decides.
        let error = from_server(
            DatabaseErrorKind::Unknown,
            s::RAISE_EXCEPTION,
            "deadlock detected",
            None,
        );
        assert!(!error.is_transient(), "{error:?}");
    }

    /// Issue 17, defect 3: a duplicate key names its constraint and is not a stale revision.
    #[test]
    fn a_duplicate_names_its_constraint() {
        let error = from_server(
            DatabaseErrorKind::UniqueViolation,
            diesel::pg::sql_state::UNIQUE_VIOLATION,
            "la valeur d'une clé dupliquée rompt la contrainte unique",
            Some("uq_users_username"),
        );
        match error {
            PersistenceError::Conflict { key, .. } => assert_eq!(key, "uq_users_username"),
            other => panic!("{other:?}"),
        }
    }
}
