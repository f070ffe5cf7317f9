//! `audit_logs`: appending audit events and reading them back (the chains' checks are in
//! `audit_chain.rs`).
//!
//! Must not: update or delete (the database refuses both). The repositories call
//! [`append`] inside the same transaction as the write it records.

use crate::convert::{domain, text, text_opt, to_json};
use crate::error::found;
use crate::schema::audit_logs;
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{AuditAction, AuditEvent, CheckStatus, EntityId, SubjectKind, UserId};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use uuid::Uuid;

pub use crate::repo::audit_chain::{
    CHAINS, ChainBreak, ChainHeads, ChainReport, Head, verify_chain, verify_chain_from,
};

/// A row of `audit_logs`, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_logs, check_for_backend(Pg))]
pub struct AuditRow {
    /// Position in the chain, from 1, without gaps.
    pub id: i64,
    /// Who acted.
    pub actor_id: Uuid,
    /// What happened.
    pub action: String,
    /// The kind of record concerned.
    pub subject_kind: String,
    /// Its id.
    pub subject_id: Uuid,
    /// The onboarded entity concerned.
    pub entity_id: Option<String>,
    /// Status before (status changes only).
    pub old_status: Option<String>,
    /// Status after (status changes only).
    pub new_status: Option<String>,
    /// Details (ids, codes, reasons).
    pub details: serde_json::Value,
    /// When.
    pub created_at: DateTime<Utc>,
    /// The previous row's hash (none for the first).
    pub prev_hash: Option<Vec<u8>>,
    /// SHA-256 over this row and `prev_hash`.
    pub hash: Vec<u8>,
    /// The chain (0 for entries written before the log had several).
    pub chain: i16,
    /// The position in the chain (NULL for entries written before: their id).
    pub chain_position: Option<i64>,
}

#[derive(Insertable)]
#[diesel(table_name = audit_logs)]
struct NewAuditRow<'a> {
    actor_id: Uuid,
    action: &'static str,
    subject_kind: &'static str,
    subject_id: Uuid,
    entity_id: Option<&'a str>,
    old_status: Option<&'static str>,
    new_status: Option<&'static str>,
    details: serde_json::Value,
}

/// A stored audit entry, typed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    /// The row's id: it orders entries across chains (the chained hash does not cover it).
    pub id: i64,
    /// Who acted.
    pub actor: UserId,
    /// What happened.
    pub action: AuditAction,
    /// The kind of record concerned.
    pub subject_kind: SubjectKind,
    /// Its id.
    pub subject_id: Uuid,
    /// The onboarded entity concerned.
    pub entity_id: Option<EntityId>,
    /// Status before, for a status change.
    pub old_status: Option<CheckStatus>,
    /// Status after, for a status change.
    pub new_status: Option<CheckStatus>,
    /// Details.
    pub details: serde_json::Value,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Its chain.
    pub chain: i16,
    /// Its position in the chain, from 1.
    pub position: i64,
    /// The row's hash, hex.
    pub hash: String,
}

const TABLE: &str = "audit_logs";

impl TryFrom<AuditRow> for AuditEntry {
    type Error = PersistenceError;
    fn try_from(row: AuditRow) -> Result<Self> {
        let id = row.id;
        Ok(Self {
            id,
            actor: UserId::from_uuid(row.actor_id),
            action: text(TABLE, id, &row.action)?,
            subject_kind: text(TABLE, id, &row.subject_kind)?,
            subject_id: row.subject_id,
            entity_id: row
                .entity_id
                .as_deref()
                .map(|e| domain(TABLE, id, EntityId::parse(e)))
                .transpose()?,
            old_status: text_opt(TABLE, id, row.old_status.as_deref())?,
            new_status: text_opt(TABLE, id, row.new_status.as_deref())?,
            details: row.details,
            created_at: row.created_at,
            chain: row.chain,
            position: row.chain_position.unwrap_or(id),
            hash: hex(&row.hash),
        })
    }
}

use crate::repo::audit_chain::hex;

/// Appends an event; the database assigns its position and chained hash.
pub fn append(conn: &mut PgConnection, event: &AuditEvent) -> Result<AuditEntry> {
    let row = NewAuditRow {
        actor_id: event.actor().as_uuid(),
        action: event.action().into(),
        subject_kind: event.subject_kind().into(),
        subject_id: event.subject_id(),
        entity_id: event.entity_id().map(EntityId::as_str),
        old_status: event.old_status().map(Into::into),
        new_status: event.new_status().map(Into::into),
        details: to_json(event.details()),
    };
    diesel::insert_into(audit_logs::table)
        .values(&row)
        .returning(AuditRow::as_returning())
        .get_result(conn)?
        .try_into()
}

/// Several events, for one multi-row INSERT: a [`QueryFragment`] that writes
/// `INSERT INTO audit_logs (...) SELECT ... FROM unnest(...)` with one array bind per column, so
/// that a statement (and its prepared form) is the same whatever the number of events. The rows
/// go in the order given; the chain trigger, which runs per row, chains each after the one
/// before (it sees the rows the statement wrote earlier).
pub(crate) struct AuditBatch<'a> {
    actor: Vec<Uuid>,
    action: Vec<&'static str>,
    subject_kind: Vec<&'static str>,
    subject_id: Vec<Uuid>,
    entity_id: Vec<Option<&'a str>>,
    old_status: Vec<Option<&'static str>>,
    new_status: Vec<Option<&'static str>>,
    details: Vec<serde_json::Value>,
}

impl<'a> AuditBatch<'a> {
    /// The events, in the order they are to be chained.
    pub(crate) fn new(events: &'a [AuditEvent]) -> Self {
        Self {
            actor: events.iter().map(|e| e.actor().as_uuid()).collect(),
            action: events.iter().map(|e| e.action().into()).collect(),
            subject_kind: events.iter().map(|e| e.subject_kind().into()).collect(),
            subject_id: events.iter().map(AuditEvent::subject_id).collect(),
            entity_id: events
                .iter()
                .map(|e| e.entity_id().map(EntityId::as_str))
                .collect(),
            old_status: events
                .iter()
                .map(|e| e.old_status().map(Into::into))
                .collect(),
            new_status: events
                .iter()
                .map(|e| e.new_status().map(Into::into))
                .collect(),
            details: events.iter().map(|e| to_json(e.details())).collect(),
        }
    }
}

impl QueryFragment<Pg> for AuditBatch<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        use diesel::sql_types::{Array, Jsonb, Nullable, Text, Uuid as SqlUuid};
        out.push_sql(
            "INSERT INTO audit_logs (actor_id, action, subject_kind, subject_id, entity_id, \
             old_status, new_status, details) \
             SELECT e.actor_id, e.action, e.subject_kind, e.subject_id, e.entity_id, \
             e.old_status, e.new_status, e.details FROM unnest(",
        );
        out.push_bind_param::<Array<SqlUuid>, _>(&self.actor)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.action)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.subject_kind)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<SqlUuid>, _>(&self.subject_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.entity_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.old_status)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.new_status)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Jsonb>, _>(&self.details)?;
        out.push_sql(
            ") WITH ORDINALITY AS e (actor_id, action, subject_kind, subject_id, entity_id, \
             old_status, new_status, details, n) ORDER BY e.n",
        );
        Ok(())
    }
}

impl QueryId for AuditBatch<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl RunQueryDsl<PgConnection> for AuditBatch<'_> {}

/// Appends several entries in one statement, chained in the order given; none writes nothing.
/// The caller runs it in the transaction of the writes the entries record.
pub fn append_all(conn: &mut PgConnection, events: &[AuditEvent]) -> Result<usize> {
    if events.is_empty() {
        return Ok(0);
    }
    Ok(AuditBatch::new(events).execute(conn)?)
}

/// The entry at a position.
pub fn find(conn: &mut PgConnection, id: i64) -> Result<AuditEntry> {
    let row = audit_logs::table
        .find(id)
        .select(AuditRow::as_select())
        .first(conn)
        .optional()?;
    found(row, "audit entry", id)?.try_into()
}

/// Which entries to list; every field narrows the list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entries about this record.
    pub subject_id: Option<Uuid>,
    /// Entries about this entity.
    pub entity_id: Option<EntityId>,
    /// Entries of this action.
    pub action: Option<AuditAction>,
    /// Entries by this actor.
    pub actor: Option<UserId>,
    /// At most this many (default 100, at most 10,001: a page of 10,000 and one to tell
    /// whether another follows).
    pub limit: Option<i64>,
    /// Newest first (by id) instead of oldest first.
    pub newest_first: bool,
    /// Only entries beyond this id in the order asked for (a page's cursor: below it newest
    /// first, above it oldest first).
    pub beyond: Option<i64>,
}

/// Entries matching the filter, oldest first (or newest first, as the filter says).
pub fn list(conn: &mut PgConnection, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let mut query = audit_logs::table.select(AuditRow::as_select()).into_boxed();
    if let Some(subject) = filter.subject_id {
        query = query.filter(audit_logs::subject_id.eq(subject));
    }
    if let Some(entity) = &filter.entity_id {
        query = query.filter(audit_logs::entity_id.eq(entity.as_str().to_owned()));
    }
    if let Some(action) = filter.action {
        query = query.filter(audit_logs::action.eq(<&str>::from(action)));
    }
    if let Some(actor) = filter.actor {
        query = query.filter(audit_logs::actor_id.eq(actor.as_uuid()));
    }
    query = match (filter.newest_first, filter.beyond) {
        (false, None) => query.order(audit_logs::id.asc()),
        (false, Some(after)) => query
            .filter(audit_logs::id.gt(after))
            .order(audit_logs::id.asc()),
        (true, None) => query.order(audit_logs::id.desc()),
        (true, Some(before)) => query
            .filter(audit_logs::id.lt(before))
            .order(audit_logs::id.desc()),
    };
    query
        .limit(filter.limit.unwrap_or(100).clamp(1, 10_001))
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Entries written in `[from, to)`, oldest first (served by the BRIN index on `created_at`,
/// which rises with `id`).
pub fn between(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<AuditEntry>> {
    audit_logs::table
        .filter(audit_logs::created_at.ge(from))
        .filter(audit_logs::created_at.lt(to))
        .order(audit_logs::id.asc())
        .limit(limit.clamp(1, 10_000))
        .select(AuditRow::as_select())
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// The number of entries.
pub fn count(conn: &mut PgConnection) -> Result<i64> {
    Ok(audit_logs::table.count().get_result(conn)?)
}
