//! `watchlist_versions` and `watchlist_entries`: each import of a list is a new version, written
//! once with all its entries and its audit entry in one transaction, and never changed; a
//! version supersedes its list's latest (the database refuses a fork, a gap, and an entry count
//! that fell by more than `watchlist_max_drop_percent()` without an admin's forced reason).
//!
//! Must not: update or delete a version or an entry, or read entries as anything but JSON (the
//! screening crate owns their shape; this crate only keeps them).

use crate::error::found;
use crate::repo::audit_chain::hex;
use crate::repo::audit_logs;
use crate::schema::{watchlist_entries, watchlist_versions};
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::{
    AuditAction, AuditEvent, ListName, SubjectKind, TextForm, UserId, WatchlistKind,
};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use uuid::Uuid;

const TABLE: &str = "watchlist_versions";

/// A row of `watchlist_versions`, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = watchlist_versions, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct WatchlistVersionRow {
    pub id: Uuid,
    pub list_name: String,
    pub list_kind: String,
    pub format: String,
    pub source: String,
    pub content_hash: Vec<u8>,
    pub label: String,
    pub entry_count: i32,
    pub previous_version_id: Option<Uuid>,
    pub forced_reason: Option<String>,
    pub imported_by: Uuid,
    pub imported_at: DateTime<Utc>,
}

/// A stored list version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredVersion {
    /// Its id.
    pub id: Uuid,
    /// The list, e.g. `OFAC-SDN`.
    pub list: ListName,
    /// Sanctions, PEP or adverse media.
    pub kind: WatchlistKind,
    /// The format it was read from, e.g. `ofac-sdn-csv`.
    pub format: String,
    /// What was read.
    pub source: String,
    /// SHA-256 of the files, hex.
    pub content_hash: String,
    /// How a screening names it: `LIST@` and the hash's first twelve hex digits.
    pub label: String,
    /// How many entries it holds.
    pub entry_count: i32,
    /// The version it superseded.
    pub previous: Option<Uuid>,
    /// Why an admin forced it past the entry-count guard, if they did.
    pub forced_reason: Option<String>,
    /// Who imported it.
    pub imported_by: UserId,
    /// When.
    pub imported_at: DateTime<Utc>,
}

impl TryFrom<WatchlistVersionRow> for StoredVersion {
    type Error = PersistenceError;
    fn try_from(row: WatchlistVersionRow) -> Result<Self> {
        let invalid = |e: &dyn std::fmt::Display| PersistenceError::invalid(TABLE, row.id, e);
        Ok(Self {
            list: ListName::parse(&row.list_name).map_err(|e| invalid(&e))?,
            kind: WatchlistKind::parse_text(&row.list_kind).map_err(|e| invalid(&e))?,
            content_hash: hex(&row.content_hash),
            imported_by: UserId::from_uuid(row.imported_by),
            id: row.id,
            format: row.format,
            source: row.source,
            label: row.label,
            entry_count: row.entry_count,
            previous: row.previous_version_id,
            forced_reason: row.forced_reason,
            imported_at: row.imported_at,
        })
    }
}

/// A list version to write.
pub struct NewVersion<'a> {
    /// The list.
    pub list: &'a ListName,
    /// Its kind.
    pub kind: WatchlistKind,
    /// The format's text form.
    pub format: &'a str,
    /// What was read.
    pub source: &'a str,
    /// SHA-256 of the files.
    pub content_hash: &'a [u8; 32],
    /// Each entry's reference and JSON, sorted by reference.
    pub entries: &'a [(String, serde_json::Value)],
    /// The admin's reason for passing the entry-count guard.
    pub forced_reason: Option<&'a str>,
    /// The admin importing it.
    pub imported_by: UserId,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// A new version, superseding the list's latest (if any).
    New(StoredVersion),
    /// The same files were imported before: that version, unchanged.
    Existing(StoredVersion),
}

#[derive(Insertable)]
#[diesel(table_name = watchlist_versions)]
struct NewVersionRow<'a> {
    list_name: &'a str,
    list_kind: &'a str,
    format: &'a str,
    source: &'a str,
    content_hash: &'a [u8],
    label: &'a str,
    entry_count: i32,
    previous_version_id: Option<Uuid>,
    forced_reason: Option<&'a str>,
    imported_by: Uuid,
}

#[derive(Insertable)]
#[diesel(table_name = watchlist_entries)]
struct NewEntryRow<'a> {
    version_id: Uuid,
    entry_ref: &'a str,
    entry: &'a serde_json::Value,
}

/// The label a version of `list` with this hash has.
pub fn label(list: &ListName, content_hash: &[u8; 32]) -> String {
    format!("{list}@{}", &hex(content_hash)[..12])
}

/// Writes a new version of a list with its entries and its audit entry, in one transaction
/// (the caller's, or one of its own). The same files imported again give the existing version.
pub fn import(conn: &mut PgConnection, new: &NewVersion<'_>) -> Result<Imported> {
    conn.transaction(|conn| {
        let existing = watchlist_versions::table
            .filter(watchlist_versions::list_name.eq(new.list.as_str()))
            .filter(watchlist_versions::content_hash.eq(new.content_hash.as_slice()))
            .select(WatchlistVersionRow::as_select())
            .first(conn)
            .optional()?;
        if let Some(row) = existing {
            return Ok(Imported::Existing(row.try_into()?));
        }
        let previous = latest(conn, new.list)?.map(|v| v.id);
        let count = i32::try_from(new.entries.len()).map_err(|_| PersistenceError::Refused {
            constraint: "ck_watchlist_versions_entry_count".into(),
            message: "a list version holds at most 2^31 entries".into(),
        })?;
        let label = label(new.list, new.content_hash);
        let row: WatchlistVersionRow = diesel::insert_into(watchlist_versions::table)
            .values(&NewVersionRow {
                list_name: new.list.as_str(),
                list_kind: new.kind.as_str(),
                format: new.format,
                source: new.source,
                content_hash: new.content_hash,
                label: &label,
                entry_count: count,
                previous_version_id: previous,
                forced_reason: new.forced_reason,
                imported_by: new.imported_by.as_uuid(),
            })
            .returning(WatchlistVersionRow::as_returning())
            .get_result(conn)?;
        // Three columns a row: well under the 65,535 parameters of one statement.
        for chunk in new.entries.chunks(5_000) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|(entry_ref, entry)| NewEntryRow {
                    version_id: row.id,
                    entry_ref,
                    entry,
                })
                .collect();
            diesel::insert_into(watchlist_entries::table)
                .values(&rows)
                .execute(conn)?;
        }
        let version: StoredVersion = row.try_into()?;
        let details = serde_json::json!({
            "list": version.list, "kind": version.kind, "label": version.label,
            "content_hash": version.content_hash, "entry_count": version.entry_count,
            "previous_version_id": version.previous, "forced": version.forced_reason.is_some(),
        });
        let event = AuditEvent::new(
            new.imported_by,
            AuditAction::WatchlistImported,
            SubjectKind::WatchlistVersion,
            version.id,
        )
        .and_then(|e| e.with_details(details))
        .map_err(|e| PersistenceError::invalid(TABLE, version.id, e))?;
        audit_logs::append(conn, &event)?;
        Ok(Imported::New(version))
    })
}

/// The latest version of `list` (the one no version supersedes), if it has any.
pub fn latest(conn: &mut PgConnection, list: &ListName) -> Result<Option<StoredVersion>> {
    let next = diesel::alias!(watchlist_versions as next);
    watchlist_versions::table
        .filter(watchlist_versions::list_name.eq(list.as_str()))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            next.filter(
                next.field(watchlist_versions::previous_version_id)
                    .eq(watchlist_versions::id.nullable()),
            ),
        )))
        .select(WatchlistVersionRow::as_select())
        .first(conn)
        .optional()?
        .map(TryInto::try_into)
        .transpose()
}

/// The latest version of every list, by list name: what a screening runs against now.
pub fn current_versions(conn: &mut PgConnection) -> Result<Vec<StoredVersion>> {
    let next = diesel::alias!(watchlist_versions as next);
    watchlist_versions::table
        .filter(diesel::dsl::not(diesel::dsl::exists(
            next.filter(
                next.field(watchlist_versions::previous_version_id)
                    .eq(watchlist_versions::id.nullable()),
            ),
        )))
        .order(watchlist_versions::list_name)
        .select(WatchlistVersionRow::as_select())
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Every version of every list, newest first.
pub fn versions(conn: &mut PgConnection) -> Result<Vec<StoredVersion>> {
    watchlist_versions::table
        .order((
            watchlist_versions::imported_at.desc(),
            watchlist_versions::id,
        ))
        .select(WatchlistVersionRow::as_select())
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// The version with this id.
pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<StoredVersion> {
    let row = watchlist_versions::table
        .find(id)
        .select(WatchlistVersionRow::as_select())
        .first(conn)
        .optional()?;
    found(row, "watchlist version", id)?.try_into()
}

/// The entries of a version, as JSON, by reference.
pub fn entries(conn: &mut PgConnection, version: Uuid) -> Result<Vec<serde_json::Value>> {
    Ok(watchlist_entries::table
        .filter(watchlist_entries::version_id.eq(version))
        .order(watchlist_entries::entry_ref)
        .select(watchlist_entries::entry)
        .load(conn)?)
}
