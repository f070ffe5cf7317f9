//! `service_levels`: how long a case may wait in a status, per jurisdiction, each target with
//! its effective period (as rule versions have), at most one in force at a time.
//!
//! A compliance officer or admin publishes a new target ([`publish`]): in force from now or
//! later, closing the one it replaces at that instant, audited (`service_level_published`).
//!
//! Must not: edit or delete a target. Targets are policy and kept (the guards
//! `service_levels_guard()` and `service_levels_publish_guard()` refuse the rest).

use crate::convert::text;
use crate::repo::audit_logs;
use crate::schema::service_levels;
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{
    AuditAction, AuditEvent, CheckStatus, Jurisdiction, SubjectKind, TextForm, UserId,
};
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

/// Every target in force at `at` or later (the ones scheduled to start), by jurisdiction,
/// status and start.
pub fn from(conn: &mut PgConnection, at: DateTime<Utc>) -> Result<Vec<ServiceLevel>> {
    use service_levels::dsl as s;
    s::service_levels
        .filter(s::effective_to.is_null().or(s::effective_to.gt(at)))
        .order((s::jurisdiction, s::status, s::effective_from))
        .select(ServiceLevelRow::as_select())
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Publishes `target_hours` for `jurisdiction` and `status`, by `publisher` (an active
/// compliance officer or admin: the database checks), in force from `from` or, when that
/// instant has passed by the database's clock, from now; the target in force then is closed at
/// that instant. Audited (`service_level_published`), in one transaction. A target already
/// scheduled to start later is a conflict (`ex_service_levels_one_in_force`).
pub fn publish(
    conn: &mut PgConnection,
    jurisdiction: Jurisdiction,
    status: CheckStatus,
    target_hours: u16,
    from: Option<DateTime<Utc>>,
    publisher: UserId,
) -> Result<ServiceLevel> {
    use service_levels::dsl as s;
    crate::convert::atomic(conn, |conn| {
        let now: DateTime<Utc> =
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Timestamptz>("now()"))
                .get_result(conn)?;
        let start = from.filter(|f| *f > now).unwrap_or(now);
        let replaced: Option<Uuid> = s::service_levels
            .filter(s::jurisdiction.eq(jurisdiction.as_str()))
            .filter(s::status.eq(status.as_str()))
            .filter(s::effective_from.le(start))
            .filter(s::effective_to.is_null().or(s::effective_to.gt(start)))
            .select(s::id)
            .for_update()
            .first(conn)
            .optional()?;
        if let Some(id) = replaced {
            diesel::update(s::service_levels.find(id))
                .set(s::effective_to.eq(Some(start)))
                .execute(conn)?;
        }
        let row: ServiceLevelRow = diesel::insert_into(s::service_levels)
            .values((
                s::jurisdiction.eq(jurisdiction.as_str()),
                s::status.eq(status.as_str()),
                s::target_hours.eq(i32::from(target_hours)),
                s::effective_from.eq(start),
                s::published_by.eq(Some(publisher.as_uuid())),
            ))
            .returning(ServiceLevelRow::as_returning())
            .get_result(conn)?;
        let id = row.id;
        let event = AuditEvent::new(
            publisher,
            AuditAction::ServiceLevelPublished,
            SubjectKind::ServiceLevel,
            id,
        )
        .and_then(|e| {
            e.with_details(serde_json::json!({
                "jurisdiction": jurisdiction.as_str(),
                "status": status.as_str(),
                "target_hours": target_hours,
                "effective_from": start,
                "replaces": replaced,
            }))
        })
        .map_err(|e| PersistenceError::invalid(TABLE, id, e))?;
        audit_logs::append(conn, &event)?;
        row.try_into()
    })
}
