//! `service_levels`: how long a case may wait in a status, per jurisdiction, each target with
//! its effective period (as rule versions have), at most one in force at a time.
//!
//! Must not: write. Targets are policy, published by migrations and kept (the guard
//! `service_levels_guard()` refuses edits and deletions).

use crate::convert::text;
use crate::schema::service_levels;
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{CheckStatus, Jurisdiction};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use uuid::Uuid;

#[derive(Queryable, Selectable)]
#[diesel(table_name = service_levels, check_for_backend(Pg))]
struct ServiceLevelRow {
    id: Uuid,
    jurisdiction: String,
    status: String,
    target_hours: i32,
    effective_from: DateTime<Utc>,
    effective_to: Option<DateTime<Utc>>,
}

/// A service level: a case of this jurisdiction waits at most this long in this status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceLevel {
    /// The jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The status waited in.
    pub status: CheckStatus,
    /// The longest wait, in hours (1 to 8,760).
    pub target_hours: u16,
    /// In force from.
    pub effective_from: DateTime<Utc>,
    /// Until (open when `None`).
    pub effective_to: Option<DateTime<Utc>>,
}

const TABLE: &str = "service_levels";

impl TryFrom<ServiceLevelRow> for ServiceLevel {
    type Error = PersistenceError;
    fn try_from(row: ServiceLevelRow) -> Result<Self> {
        let id = row.id;
        Ok(Self {
            jurisdiction: text(TABLE, id, &row.jurisdiction)?,
            status: text(TABLE, id, &row.status)?,
            target_hours: u16::try_from(row.target_hours)
                .map_err(|_| PersistenceError::invalid(TABLE, id, "target out of range"))?,
            effective_from: row.effective_from,
            effective_to: row.effective_to,
        })
    }
}

/// The targets in force at `at`, by jurisdiction and status.
pub fn in_force(conn: &mut PgConnection, at: DateTime<Utc>) -> Result<Vec<ServiceLevel>> {
    use service_levels::dsl as s;
    s::service_levels
        .filter(s::effective_from.le(at))
        .filter(s::effective_to.is_null().or(s::effective_to.gt(at)))
        .order((s::jurisdiction, s::status))
        .select(ServiceLevelRow::as_select())
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}
