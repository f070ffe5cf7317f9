//! The audit log as the Merkle trees of its chains read it (the tree itself is
//! `compliance_audit::merkle`): a chain's entry hashes in position order, and one entry's fields
//! in exactly the text forms its chained hash covers, so that a proof can carry them and a
//! verifier without the database can recompute that hash.
//!
//! Must not: write, or compute a hash here (the caller recomputes; the stored hash is only
//! read, to be compared).

use crate::Result;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bytea, Nullable, SmallInt, Text};

pub use compliance_audit::HashedEntry;

/// One entry's fields as its hash covers them, as read ([`HashedEntry`] says how they are
/// hashed).
#[derive(QueryableByName)]
struct HashedEntryRow {
    /// The entry's id (not hashed: it orders entries across chains).
    #[diesel(sql_type = BigInt)]
    id: i64,
    /// Its chain.
    #[diesel(sql_type = SmallInt)]
    chain: i16,
    /// Its position in the chain, from 1.
    #[diesel(sql_type = BigInt)]
    position: i64,
    /// The previous entry's hash (hex), none for a chain's first entry.
    #[diesel(sql_type = Nullable<Text>)]
    prev_hash: Option<String>,
    /// Who acted (a user id).
    #[diesel(sql_type = Text)]
    actor_id: String,
    /// What happened.
    #[diesel(sql_type = Text)]
    action: String,
    /// The kind of record concerned.
    #[diesel(sql_type = Text)]
    subject_kind: String,
    /// Its id.
    #[diesel(sql_type = Text)]
    subject_id: String,
    /// The onboarded entity concerned, if any.
    #[diesel(sql_type = Nullable<Text>)]
    entity_id: Option<String>,
    /// Status before, for a status change.
    #[diesel(sql_type = Nullable<Text>)]
    old_status: Option<String>,
    /// Status after, for a status change.
    #[diesel(sql_type = Nullable<Text>)]
    new_status: Option<String>,
    /// The details, byte for byte as PostgreSQL prints the JSONB value (`details::text`),
    /// which is what the hash covers.
    #[diesel(sql_type = Text)]
    details: String,
    /// When, as the hash covers it: UTC, microseconds, `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    #[diesel(sql_type = Text)]
    created_at: String,
    /// The hash stored with the entry (hex).
    #[diesel(sql_type = Text)]
    hash: String,
}

#[derive(QueryableByName)]
struct ChainHash {
    #[diesel(sql_type = Bytea)]
    hash: Vec<u8>,
}

/// The entry with this id, in the text forms its hash covers; `None` when there is none.
pub fn hashed_entry(conn: &mut PgConnection, id: i64) -> Result<Option<HashedEntry>> {
    let row: Option<HashedEntryRow> = diesel::sql_query(HASHED_ENTRY_SQL)
        .bind::<BigInt, _>(id)
        .get_result(conn)
        .optional()?;
    Ok(row.map(|r| HashedEntry {
        id: r.id,
        chain: r.chain,
        position: r.position,
        prev_hash: r.prev_hash,
        actor_id: r.actor_id,
        action: r.action,
        subject_kind: r.subject_kind,
        subject_id: r.subject_id,
        entity_id: r.entity_id,
        old_status: r.old_status,
        new_status: r.new_status,
        details: r.details,
        created_at: r.created_at,
        hash: r.hash,
    }))
}

/// The stored hashes of the first `size` entries of `chain`, in position order (fewer when
/// the chain has fewer, or when positions are missing: the caller compares the count).
pub fn chain_hashes(conn: &mut PgConnection, chain: i16, size: i64) -> Result<Vec<Vec<u8>>> {
    let rows: Vec<ChainHash> = diesel::sql_query(CHAIN_HASHES_SQL)
        .bind::<SmallInt, _>(chain)
        .bind::<BigInt, _>(size)
        .load(conn)?;
    Ok(rows.into_iter().map(|r| r.hash).collect())
}

const HASHED_ENTRY_SQL: &str = r#"
SELECT id, chain, coalesce(chain_position, id) AS position, encode(prev_hash, 'hex') AS prev_hash,
       actor_id::text AS actor_id, action, subject_kind, subject_id::text AS subject_id, entity_id,
       old_status, new_status, details::text AS details,
       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at,
       encode(hash, 'hex') AS hash
  FROM audit_logs
 WHERE id = $1
"#;

/// By the index of `(chain, coalesce(chain_position, id))`.
const CHAIN_HASHES_SQL: &str = "
SELECT hash FROM audit_logs
 WHERE chain = $1 AND coalesce(chain_position, id) BETWEEN 1 AND $2
 ORDER BY coalesce(chain_position, id)
";
