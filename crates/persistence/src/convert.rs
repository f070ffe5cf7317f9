//! Conversions between column values and domain values, shared by the repositories: every one
//! that can fail names the table and row, so that corrupt data is reported, never passed on.
//!
//! Must not: default a value it cannot read.

use crate::{PersistenceError, Result};
use compliance_domain::TextForm;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Reads a text column in its canonical form.
pub(crate) fn text<T: TextForm>(table: &'static str, id: impl ToString, value: &str) -> Result<T> {
    T::parse_text(value).map_err(|e| PersistenceError::invalid(table, id, e))
}

/// Reads an optional text column in its canonical form.
pub(crate) fn text_opt<T: TextForm>(
    table: &'static str,
    id: impl ToString,
    value: Option<&str>,
) -> Result<Option<T>> {
    value.map(|v| text(table, id, v)).transpose()
}

/// Reads a JSONB column into a domain value.
pub(crate) fn json<T: DeserializeOwned>(
    table: &'static str,
    id: impl ToString,
    column: &str,
    value: &serde_json::Value,
) -> Result<T> {
    T::deserialize(value)
        .map_err(|e| PersistenceError::invalid(table, id, format!("{column}: {e}")))
}

/// Writes a domain value as JSONB.
pub(crate) fn to_json<T: Serialize>(value: &T) -> serde_json::Value {
    // Domain values serialise to JSON without fail (no maps with non-string keys, no floats
    // that are not finite); `Null` would be refused by the columns' CHECK constraints anyway.
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// Reads any value through a fallible domain constructor.
pub(crate) fn domain<T, E: std::fmt::Display>(
    table: &'static str,
    id: impl ToString,
    result: std::result::Result<T, E>,
) -> Result<T> {
    result.map_err(|e| PersistenceError::invalid(table, id, e))
}

/// Turns [`PersistenceError::NotFound`] into `Ok(None)`, like Diesel's `OptionalExtension`.
pub trait OptionalExt<T> {
    /// `Ok(Some(v))`, `Ok(None)` when not found, or the other error.
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExt<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(PersistenceError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Runs `f` as one unit: inside the caller's transaction when there is one (which then is the
/// unit: the caller rolls it back on the error `f` returns, as `ComplianceService` does), or in a
/// transaction of its own. A savepoint inside the caller's transaction would cost two round
/// trips for nothing: no caller goes on after a failed write.
pub(crate) fn atomic<T>(
    conn: &mut diesel::pg::PgConnection,
    f: impl FnOnce(&mut diesel::pg::PgConnection) -> Result<T>,
) -> Result<T> {
    use diesel::Connection;
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let depth = <AnsiTransactionManager as TransactionManager<diesel::pg::PgConnection>>::transaction_manager_status_mut(conn)
        .transaction_depth();
    match depth {
        Ok(Some(_)) => f(conn),
        _ => conn.transaction(f),
    }
}
