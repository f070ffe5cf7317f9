//! `audit_logs`: appending audit events and reading them back, and the check that the hash
//! chain is intact.
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
use uuid::Uuid;

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
    /// Position in the chain.
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
            hash: hex(&row.hash),
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

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
    /// At most this many (default 100, at most 10,000).
    pub limit: Option<i64>,
}

/// Entries matching the filter, oldest first.
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
    query
        .order(audit_logs::id.asc())
        .limit(filter.limit.unwrap_or(100).clamp(1, 10_000))
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

/// The result of walking the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChainReport {
    /// Entries checked.
    pub entries: i64,
    /// The last entry's position and hash (hex): record it elsewhere to detect a removed tail.
    pub head: Option<(i64, String)>,
    /// The first entry where the chain breaks, and why.
    pub first_break: Option<ChainBreak>,
}

/// Where and how the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChainBreak {
    /// The entry's position.
    pub id: i64,
    /// `altered` (its hash does not match its content), `unlinked` (its previous hash is not the
    /// previous entry's hash) or `gap` (an entry before it is missing).
    pub kind: String,
}

#[derive(QueryableByName)]
struct LinkRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    entries: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    head_id: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Bytea>)]
    head_hash: Option<Vec<u8>>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    gap: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    unlinked: Option<i64>,
}

#[derive(QueryableByName)]
struct AlteredRow {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    altered: Option<i64>,
}

/// A point of the chain trusted from outside the database: an entry's position and its hash
/// (hex), as `verify` printed it on an earlier day and someone recorded it (a ticket, an object
/// store). Written `ID:HASH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The entry's position.
    pub id: i64,
    /// Its hash, 64 lower-case hex digits.
    pub hash: String,
}

impl std::str::FromStr for Checkpoint {
    type Err = String;
    fn from_str(text: &str) -> std::result::Result<Self, Self::Err> {
        let bad = || {
            format!(
                "a checkpoint is ID:HASH, e.g. 47:{}, as verify prints the head",
                "ab".repeat(32)
            )
        };
        let (id, hash) = text.split_once(':').ok_or_else(bad)?;
        let id: i64 = id.parse().ok().filter(|id| *id >= 1).ok_or_else(bad)?;
        let hash = hash.to_ascii_lowercase();
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        Ok(Self { id, hash })
    }
}

/// Walks the whole chain in the database and reports the first break: see [`verify_chain_from`].
pub fn verify_chain(conn: &mut PgConnection) -> Result<ChainReport> {
    verify_chain_from(conn, None)
}

/// Walks the chain from `checkpoint` (or from the first entry) and reports the first break.
///
/// From a checkpoint, the entry there must still have the recorded hash (`checkpoint`
/// otherwise, or `missing` when it is gone, which is how a removed tail shows), and the chain
/// is checked from it onwards: cheap on a large log, and as strong as the record is trusted.
///
/// Two passes: one over the links (ids without gaps, each `prev_hash` equal to the previous
/// row's `hash`), one recomputing every row's hash, which PostgreSQL may spread over parallel
/// workers since it needs no ordering. The hash is recomputed in this query's own SQL, not by
/// calling the function the insert trigger uses: a tampered function cannot vouch for tampered
/// rows.
pub fn verify_chain_from(
    conn: &mut PgConnection,
    checkpoint: Option<&Checkpoint>,
) -> Result<ChainReport> {
    use diesel::sql_types::BigInt;
    let from = checkpoint.map_or(1, |c| c.id);
    let links: LinkRow = diesel::sql_query(LINKS_SQL)
        .bind::<BigInt, _>(from)
        .get_result(conn)?;
    let altered: AlteredRow = diesel::sql_query(ALTERED_SQL)
        .bind::<BigInt, _>(from)
        .get_result(conn)?;
    let mut breaks = vec![
        (links.gap, "gap"),
        (links.unlinked, "unlinked"),
        (altered.altered, "altered"),
    ];
    if let Some(checkpoint) = checkpoint {
        let anchored = audit_logs::table
            .find(checkpoint.id)
            .select(audit_logs::hash)
            .first::<Vec<u8>>(conn)
            .optional()?;
        match anchored {
            None => breaks.insert(0, (Some(checkpoint.id), "missing")),
            Some(hash) if hex(&hash) != checkpoint.hash => {
                breaks.insert(0, (Some(checkpoint.id), "checkpoint"))
            }
            Some(_) => {}
        }
    }
    // The earliest entry wins; at one entry the order above breaks ties (a missing or changed
    // anchor, then a gap, which explains a broken link, which explains a wrong hash).
    let first_break = breaks
        .into_iter()
        .filter_map(|(id, kind)| {
            id.map(|id| ChainBreak {
                id,
                kind: kind.to_owned(),
            })
        })
        .min_by_key(|b| b.id);
    Ok(ChainReport {
        entries: links.entries,
        head: links.head_id.zip(links.head_hash.as_deref().map(hex)),
        first_break,
    })
}

/// `$1` is the first position checked: its own link lies before the range (and, from a
/// checkpoint, is vouched for by the recorded hash).
const LINKS_SQL: &str = "
SELECT count(*) AS entries,
       max(id) AS head_id,
       (SELECT hash FROM audit_logs ORDER BY id DESC LIMIT 1) AS head_hash,
       min(id) FILTER (WHERE id <> coalesce(previous_id, $1 - 1) + 1) AS gap,
       min(id) FILTER (WHERE id > $1 AND prev_hash IS DISTINCT FROM previous_hash
                          OR id = 1 AND prev_hash IS NOT NULL) AS unlinked
  FROM (SELECT id, prev_hash, lag(id) OVER w AS previous_id, lag(hash) OVER w AS previous_hash
          FROM audit_logs WHERE id >= $1 WINDOW w AS (ORDER BY id)) links
";

const ALTERED_SQL: &str = r#"
SELECT min(id) AS altered
  FROM audit_logs
 WHERE id >= $1 AND hash <> sha256(convert_to(concat_ws(E'\x1f',
           coalesce(encode(prev_hash, 'hex'), 'genesis'), id::text, actor_id::text, action, subject_kind,
           subject_id::text, coalesce(entity_id, ''), coalesce(old_status, ''), coalesce(new_status, ''),
           details::text, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')), 'UTF8'))
"#;
