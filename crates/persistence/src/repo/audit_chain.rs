//! The audit log's hash chains: walking them, their heads, and checkpoints recorded outside the
//! database.
//!
//! The log is [`CHAINS`] chains. A transaction writes its entries to one of them (the insert
//! trigger picks it from the transaction id); within a chain, positions rise from 1 without
//! gaps and each entry's hash covers its chain, position and the previous entry's hash. Entries
//! written before the chains existed are chain 0, position = id.
//!
//! Must not: trust the database's own hash function. The hashes are recomputed in this module's
//! SQL, so that a tampered function cannot vouch for tampered rows.

use crate::Result;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bytea, SmallInt, Text};

pub use compliance_audit::{CHAINS, ChainHeads, Head};

/// The result of walking the chains.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChainReport {
    /// Entries checked.
    pub entries: i64,
    /// Each chain's last entry: record them elsewhere (as [`ChainHeads`]) to detect a removed
    /// tail later.
    pub heads: Vec<Head>,
    /// The first entry (lowest id) where a chain breaks, and why.
    pub first_break: Option<ChainBreak>,
}

impl ChainReport {
    /// The heads as a checkpoint, or `None` for an empty log.
    pub fn checkpoint(&self) -> Option<ChainHeads> {
        (!self.heads.is_empty()).then(|| ChainHeads {
            heads: self.heads.clone(),
        })
    }
}

/// Where and how a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChainBreak {
    /// The entry's id (for a missing checkpoint entry: its position).
    pub id: i64,
    /// Its chain.
    pub chain: i16,
    /// Its position there.
    pub position: i64,
    /// `altered` (its hash does not match its content), `unlinked` (its previous hash is not the
    /// previous entry's hash), `gap` (an entry before it is missing), `checkpoint` (the entry a
    /// checkpoint names has another hash) or `missing` (that entry is gone: a removed tail).
    pub kind: String,
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = SmallInt)]
    chain: i16,
    #[diesel(sql_type = BigInt)]
    position: i64,
    #[diesel(sql_type = Text)]
    kind: String,
}

#[derive(QueryableByName)]
struct HeadRow {
    #[diesel(sql_type = SmallInt)]
    chain: i16,
    #[diesel(sql_type = BigInt)]
    position: i64,
    #[diesel(sql_type = Bytea)]
    hash: Vec<u8>,
}

#[derive(QueryableByName)]
struct Entries {
    #[diesel(sql_type = BigInt)]
    entries: i64,
}

/// Walks every chain from its first entry: see [`verify_chain_from`].
pub fn verify_chain(conn: &mut PgConnection) -> Result<ChainReport> {
    verify_chain_from(conn, None)
}

/// Walks every chain from `checkpoint` (each chain from the head it recorded; a chain it does
/// not name from its first entry) and reports the first break.
///
/// Each recorded head must still be there with the recorded hash (`checkpoint` otherwise, or
/// `missing` when it is gone, which is how a removed tail shows); each chain is checked from it
/// onwards, so the cost is that of the entries after the checkpoint. Links (positions without
/// gaps, each `prev_hash` equal to the previous entry's hash) and hashes are checked in one pass
/// over the index of `(chain, position)`.
pub fn verify_chain_from(
    conn: &mut PgConnection,
    checkpoint: Option<&ChainHeads>,
) -> Result<ChainReport> {
    let heads = checkpoint.map(|c| c.heads.as_slice()).unwrap_or_default();
    let chains: Vec<i16> = heads.iter().map(|h| h.chain).collect();
    let positions: Vec<i64> = heads.iter().map(|h| h.position).collect();
    let hashes: Vec<Vec<u8>> = heads.iter().map(|h| unhex(&h.hash)).collect();
    let breaks: Vec<Found> = diesel::sql_query(BREAKS_SQL)
        .bind::<Array<SmallInt>, _>(&chains)
        .bind::<Array<BigInt>, _>(&positions)
        .bind::<Array<Bytea>, _>(&hashes)
        .load(conn)?;
    let entries: Entries = diesel::sql_query(ENTRIES_SQL)
        .bind::<Array<SmallInt>, _>(&chains)
        .bind::<Array<BigInt>, _>(&positions)
        .get_result(conn)?;
    let heads = heads_now(conn)?;
    // The earliest entry wins; at one entry the order of BREAKS_SQL's kinds breaks ties (a
    // missing or changed anchor, then a gap, which explains a broken link, which explains a
    // wrong hash).
    let first_break = breaks
        .into_iter()
        .min_by_key(|b| (b.id, rank(&b.kind)))
        .map(|b| ChainBreak {
            id: b.id,
            chain: b.chain,
            position: b.position,
            kind: b.kind,
        });
    Ok(ChainReport {
        entries: entries.entries,
        heads,
        first_break,
    })
}

/// Each chain's last entry now.
pub fn heads_now(conn: &mut PgConnection) -> Result<Vec<Head>> {
    let rows: Vec<HeadRow> = diesel::sql_query(HEADS_SQL).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| Head {
            chain: r.chain,
            position: r.position,
            hash: hex(&r.hash),
        })
        .collect())
}

/// The chain's verdict on each of these entries (by id): `None` when the entry is intact and
/// linked to the one before it, else `altered`, `gap` or `unlinked` (see [`ChainBreak::kind`]).
/// What this cannot see alone, a removed tail, takes a checkpoint ([`verify_chain_from`]).
pub fn entries_verdict(conn: &mut PgConnection, ids: &[i64]) -> Result<Vec<(i64, Option<String>)>> {
    #[derive(QueryableByName)]
    struct Verdict {
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        kind: Option<String>,
    }
    let rows: Vec<Verdict> = diesel::sql_query(ENTRIES_VERDICT_SQL)
        .bind::<Array<BigInt>, _>(ids)
        .load(conn)?;
    Ok(rows.into_iter().map(|v| (v.id, v.kind)).collect())
}

fn rank(kind: &str) -> u8 {
    match kind {
        "missing" => 0,
        "checkpoint" => 1,
        "gap" => 2,
        "unlinked" => 3,
        _ => 4,
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .filter_map(|i| u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

/// `$1`/`$2`: the chains and positions a checkpoint starts from (a chain not named starts at 1).
const ENTRIES_SQL: &str = "
SELECT count(*) AS entries
  FROM audit_logs a
  LEFT JOIN unnest($1::smallint[], $2::bigint[]) AS s(chain, from_position) ON s.chain = a.chain
 WHERE coalesce(a.chain_position, a.id) >= coalesce(s.from_position, 1)
";

const HEADS_SQL: &str = "
SELECT DISTINCT ON (chain) chain, coalesce(chain_position, id) AS position, hash
  FROM audit_logs
 ORDER BY chain, coalesce(chain_position, id) DESC
";

/// The hash an entry `a` should have, recomputed from its content here rather than by the
/// database's own function (which could have been replaced).
macro_rules! recomputed_hash {
    () => {
        r#"sha256(convert_to(concat_ws(E'\x1f',
               coalesce(encode(a.prev_hash, 'hex'), 'genesis'),
               CASE WHEN a.chain = 0 THEN coalesce(a.chain_position, a.id)::text
                    ELSE a.chain::text || '.' || coalesce(a.chain_position, a.id)::text END,
               a.actor_id::text, a.action, a.subject_kind,
               a.subject_id::text, coalesce(a.entity_id, ''), coalesce(a.old_status, ''), coalesce(a.new_status, ''),
               a.details::text, to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')), 'UTF8'))"#
    };
}

/// Every break, at most one of each kind per chain: `$1`, `$2`, `$3` are the checkpoint's
/// chains, positions and hashes.
const BREAKS_SQL: &str = concat!(
    r#"
WITH start AS (
    SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[]) AS s(chain, from_position, hash)
), walked AS (
    SELECT a.id, a.chain, coalesce(a.chain_position, a.id) AS position, a.prev_hash, a.hash,
           coalesce(s.from_position, 1) AS from_position,
           lag(coalesce(a.chain_position, a.id)) OVER w AS previous_position,
           lag(a.hash) OVER w AS previous_hash,
           a.hash <> "#,
    recomputed_hash!(),
    r#" AS altered
      FROM audit_logs a
      LEFT JOIN start s ON s.chain = a.chain
     WHERE coalesce(a.chain_position, a.id) >= coalesce(s.from_position, 1)
    WINDOW w AS (PARTITION BY a.chain ORDER BY coalesce(a.chain_position, a.id))
), found AS (
    SELECT id, chain, position, 'gap' AS kind FROM walked
     WHERE position <> coalesce(previous_position, from_position - 1) + 1
    UNION ALL
    SELECT id, chain, position, 'unlinked' FROM walked
     WHERE position > from_position AND prev_hash IS DISTINCT FROM previous_hash
        OR position = 1 AND prev_hash IS NOT NULL
    UNION ALL
    SELECT id, chain, position, 'altered' FROM walked WHERE altered
    UNION ALL
    SELECT coalesce(a.id, s.from_position), s.chain, s.from_position,
           CASE WHEN a.id IS NULL THEN 'missing' ELSE 'checkpoint' END
      FROM start s
      LEFT JOIN audit_logs a ON a.chain = s.chain AND coalesce(a.chain_position, a.id) = s.from_position
     WHERE a.id IS NULL OR a.hash <> s.hash
)
SELECT DISTINCT ON (chain, kind) id, chain, position, kind FROM found ORDER BY chain, kind, id
"#
);

/// `$1`: entry ids. For each, `altered` when its hash does not match its content, `gap` when
/// the entry before it in its chain is missing, `unlinked` when its previous hash is not that
/// entry's hash, or NULL when it is intact. Each predecessor is found by the chain's index.
const ENTRIES_VERDICT_SQL: &str = concat!(
    r#"
SELECT a.id,
       CASE WHEN a.hash <> "#,
    recomputed_hash!(),
    r#" THEN 'altered'
            WHEN coalesce(a.chain_position, a.id) = 1 THEN
                 CASE WHEN a.prev_hash IS NOT NULL THEN 'unlinked' END
            WHEN p.hash IS NULL THEN 'gap'
            WHEN a.prev_hash IS DISTINCT FROM p.hash THEN 'unlinked'
       END AS kind
  FROM audit_logs a
  LEFT JOIN LATERAL (
        SELECT q.hash FROM audit_logs q
         WHERE q.chain = a.chain AND q.chain_position = coalesce(a.chain_position, a.id) - 1
        UNION ALL
        SELECT q.hash FROM audit_logs q
         WHERE a.chain = 0 AND q.id = coalesce(a.chain_position, a.id) - 1
           AND q.chain = 0 AND q.chain_position IS NULL
         LIMIT 1) p ON true
 WHERE a.id = ANY($1)
"#
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_read_from_hex() {
        assert_eq!(unhex(&"ab".repeat(32)), vec![0xab; 32]);
    }
}
