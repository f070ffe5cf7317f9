//! `beneficial_owners`: a corporate's or a fund's owners recorded as entities of their own, each
//! with its share, its recorder and time, and an `owner_recorded` audit entry in the same
//! transaction. The guard trigger repeats every rule (`beneficial_owners_guard()`).
//!
//! Must not: update or delete a row (the table is evidence; the database refuses both), or
//! record an owner without first taking [`lock`] when it read the shares recorded.

use crate::repo::audit_logs;
use crate::schema::beneficial_owners;
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{
    AuditAction, AuditEvent, EntityId, EntityType, OwnershipShare, SubjectKind, UserId,
};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

/// A recorded owner, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = beneficial_owners, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct OwnerRow {
    pub id: Uuid,
    pub entity_id: String,
    pub owner_id: String,
    pub share: Decimal,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

/// A recorded owner, read into domain values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOwner {
    /// The row's id (the audit entry's subject).
    pub id: Uuid,
    /// The corporate or fund owned.
    pub entity_id: EntityId,
    /// The owner.
    pub owner_id: EntityId,
    /// The share of ownership.
    pub share: OwnershipShare,
    /// Who recorded it.
    pub recorded_by: UserId,
    /// When (the database's clock).
    pub recorded_at: DateTime<Utc>,
}

impl TryFrom<OwnerRow> for StoredOwner {
    type Error = PersistenceError;

    fn try_from(row: OwnerRow) -> Result<Self> {
        let invalid = |e: &dyn std::fmt::Display| {
            PersistenceError::invalid("beneficial_owners", row.id, e.to_string())
        };
        Ok(StoredOwner {
            id: row.id,
            entity_id: EntityId::parse(&row.entity_id).map_err(|e| invalid(&e))?,
            owner_id: EntityId::parse(&row.owner_id).map_err(|e| invalid(&e))?,
            share: OwnershipShare::new(row.share).map_err(|e| invalid(&e))?,
            recorded_by: UserId::from_uuid(row.recorded_by),
            recorded_at: row.recorded_at,
        })
    }
}

/// Takes the lock under which `entity`'s owners are recorded (until the transaction ends), so
/// that the shares read next stay what they are until this transaction records its own.
pub fn lock(conn: &mut PgConnection, entity: &EntityId) -> Result<()> {
    diesel::sql_query("SELECT lock_beneficial_owners($1)")
        .bind::<diesel::sql_types::Text, _>(entity.as_str())
        .execute(conn)?;
    Ok(())
}

/// The type of `entity`'s current case (its latest submission's KYC check), `None` without one.
pub fn current_type(conn: &mut PgConnection, entity: &EntityId) -> Result<Option<EntityType>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        entity_type: Option<String>,
    }
    let row: Row = diesel::sql_query("SELECT current_entity_type($1) AS entity_type")
        .bind::<diesel::sql_types::Text, _>(entity.as_str())
        .get_result(conn)?;
    crate::convert::text_opt("kyc_checks", entity, row.entity_type.as_deref())
}

/// What `entity`'s recorded owners hold, in percent (0 when none is recorded).
pub fn recorded_share(conn: &mut PgConnection, entity: &EntityId) -> Result<Decimal> {
    let total: Option<Decimal> = beneficial_owners::table
        .filter(beneficial_owners::entity_id.eq(entity.as_str()))
        .select(diesel::dsl::sum(beneficial_owners::share))
        .first(conn)?;
    Ok(total.unwrap_or(Decimal::ZERO))
}

/// The record of `owner` as an owner of `entity`, if there is one.
pub fn find(
    conn: &mut PgConnection,
    entity: &EntityId,
    owner: &EntityId,
) -> Result<Option<StoredOwner>> {
    beneficial_owners::table
        .filter(beneficial_owners::entity_id.eq(entity.as_str()))
        .filter(beneficial_owners::owner_id.eq(owner.as_str()))
        .select(OwnerRow::as_select())
        .first(conn)
        .optional()?
        .map(StoredOwner::try_from)
        .transpose()
}

/// Records `owner` as an owner of `entity` with `share`, by `by`, with its `owner_recorded`
/// audit entry, in one transaction. A pair recorded already is a conflict on
/// `uq_beneficial_owners_pair`; every other rule the guard refuses is `Refused`, naming it.
pub fn record(
    conn: &mut PgConnection,
    entity: &EntityId,
    owner: &EntityId,
    share: OwnershipShare,
    by: UserId,
) -> Result<StoredOwner> {
    crate::convert::atomic(conn, |conn| {
        let row: OwnerRow = diesel::insert_into(beneficial_owners::table)
            .values((
                beneficial_owners::entity_id.eq(entity.as_str()),
                beneficial_owners::owner_id.eq(owner.as_str()),
                beneficial_owners::share.eq(share.percent()),
                beneficial_owners::recorded_by.eq(by.as_uuid()),
            ))
            .returning(OwnerRow::as_returning())
            .get_result(conn)?;
        let details = serde_json::json!({
            "owner": owner.as_str(),
            "share": share.to_string(),
        });
        let event = AuditEvent::new(
            by,
            AuditAction::OwnerRecorded,
            SubjectKind::BeneficialOwner,
            row.id,
        )
        .map(|e| e.with_entity(entity.clone()))
        .and_then(|e| e.with_details(details))
        .map_err(|e| PersistenceError::invalid("beneficial_owners", row.id, e))?;
        audit_logs::append(conn, &event)?;
        StoredOwner::try_from(row)
    })
}

/// The owners recorded for `entity`, in the order recorded.
pub fn owners_of(conn: &mut PgConnection, entity: &EntityId) -> Result<Vec<StoredOwner>> {
    beneficial_owners::table
        .filter(beneficial_owners::entity_id.eq(entity.as_str()))
        .order((beneficial_owners::recorded_at, beneficial_owners::id))
        .select(OwnerRow::as_select())
        .load(conn)?
        .into_iter()
        .map(StoredOwner::try_from)
        .collect()
}

/// The entities `owner` is recorded as owning, in the order recorded (through
/// `idx_beneficial_owners_owner`).
pub fn owned_by(conn: &mut PgConnection, owner: &EntityId) -> Result<Vec<StoredOwner>> {
    beneficial_owners::table
        .filter(beneficial_owners::owner_id.eq(owner.as_str()))
        .order((beneficial_owners::recorded_at, beneficial_owners::id))
        .select(OwnerRow::as_select())
        .load(conn)?
        .into_iter()
        .map(StoredOwner::try_from)
        .collect()
}
