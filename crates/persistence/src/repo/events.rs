//! `events`: the transactional outbox. The database writes each event itself, from the audit
//! entry it announces (`audit_logs_events()`), so this module only reads them.
//!
//! Must not: write an event (no login role may) or read one before its transaction ended.

use crate::convert::text;
use crate::schema::events;
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{EntityId, EventType, Jurisdiction};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use uuid::Uuid;

const TABLE: &str = "events";

/// A row of `events`, as a receiver sees it (without the writing transaction's id).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct EventRow {
    pub id: Uuid,
    pub position: i64,
    pub event_type: String,
    pub entity_id: String,
    pub entity_sequence: i64,
    pub jurisdiction: String,
    pub case_id: Option<Uuid>,
    pub audit_log_id: i64,
    pub data: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// One event.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Its id: a receiver's deduplication key, the broker's message id.
    pub id: Uuid,
    /// Where it stands in the outbox (not the order of commits).
    pub position: i64,
    /// What it announces.
    pub event_type: EventType,
    /// The entity.
    pub entity_id: EntityId,
    /// Its number among the entity's events, from 1: a receiver applies them in this order.
    pub entity_sequence: i64,
    /// The jurisdiction of the entity's case.
    pub jurisdiction: Jurisdiction,
    /// The case, for case and match events.
    pub case_id: Option<Uuid>,
    /// The audit entry it announces.
    pub audit_log_id: i64,
    /// What a receiver reads: ids, codes and statuses.
    pub data: serde_json::Value,
    /// When the announced write happened (its audit entry's time).
    pub created_at: DateTime<Utc>,
}

impl TryFrom<EventRow> for StoredEvent {
    type Error = PersistenceError;
    fn try_from(row: EventRow) -> Result<Self> {
        let id = row.id;
        Ok(Self {
            id,
            position: row.position,
            event_type: text(TABLE, id, &row.event_type)?,
            entity_id: EntityId::parse(&row.entity_id)
                .map_err(|e| PersistenceError::invalid(TABLE, id, e))?,
            entity_sequence: row.entity_sequence,
            jurisdiction: text(TABLE, id, &row.jurisdiction)?,
            case_id: row.case_id,
            audit_log_id: row.audit_log_id,
            data: row.data,
            created_at: row.created_at,
        })
    }
}

/// The entity's events in their order, from the one after `after_sequence`, at most `limit`.
pub fn for_entity(
    conn: &mut PgConnection,
    entity: &EntityId,
    after_sequence: i64,
    limit: i64,
) -> Result<Vec<StoredEvent>> {
    events::table
        .filter(events::entity_id.eq(entity.as_str()))
        .filter(events::entity_sequence.gt(after_sequence))
        .order(events::entity_sequence)
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// The event with this id.
pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<StoredEvent> {
    let row = events::table
        .find(id)
        .select(EventRow::as_select())
        .first(conn)
        .optional()?;
    crate::error::found(row, "event", id)?.try_into()
}
