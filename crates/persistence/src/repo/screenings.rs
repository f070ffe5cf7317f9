//! `aml_check_watchlist_versions` and `screening_explanations`: what one of this project's own
//! screenings ran against (the exact list versions), and its matches explained feature by
//! feature, pointing at the subject revision screened.
//!
//! Must not: write an explanation anywhere else: it names the subject, which is personal data,
//! and is erased with it.

use crate::Result;
use crate::schema::{aml_check_watchlist_versions, screening_explanations};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

/// Records, in the screening's transaction, the versions it used and its explanation.
pub fn record(
    conn: &mut PgConnection,
    aml_check: Uuid,
    versions: &[Uuid],
    subject: Uuid,
    explanation: &serde_json::Value,
) -> Result<()> {
    let rows: Vec<_> = versions
        .iter()
        .map(|v| {
            (
                aml_check_watchlist_versions::aml_check_id.eq(aml_check),
                aml_check_watchlist_versions::version_id.eq(*v),
            )
        })
        .collect();
    diesel::insert_into(aml_check_watchlist_versions::table)
        .values(&rows)
        .execute(conn)?;
    diesel::insert_into(screening_explanations::table)
        .values((
            screening_explanations::aml_check_id.eq(aml_check),
            screening_explanations::subject_id.eq(subject),
            screening_explanations::explanation.eq(Some(explanation)),
        ))
        .execute(conn)?;
    Ok(())
}

/// A screening's explanation and the subject revision it screened: `None` when the screening
/// was not this project's; the explanation is `None` once erased.
pub fn explanation(
    conn: &mut PgConnection,
    aml_check: Uuid,
) -> Result<Option<(Uuid, Option<serde_json::Value>)>> {
    Ok(screening_explanations::table
        .find(aml_check)
        .select((
            screening_explanations::subject_id,
            screening_explanations::explanation,
        ))
        .first(conn)
        .optional()?)
}

/// The list versions a screening ran against.
pub fn versions(conn: &mut PgConnection, aml_check: Uuid) -> Result<Vec<Uuid>> {
    Ok(aml_check_watchlist_versions::table
        .filter(aml_check_watchlist_versions::aml_check_id.eq(aml_check))
        .order(aml_check_watchlist_versions::version_id)
        .select(aml_check_watchlist_versions::version_id)
        .load(conn)?)
}
