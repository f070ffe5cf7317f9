//! The audit log's shape as the database writes it: sixteen hash chains, each entry's chained
//! hash over its fields ([`entry_hash`], the same as `audit_log_hash_at()` in the migration
//! `2026-04-15-000000_audit_chains`), and the chains' heads as an operator records them
//! ([`ChainHeads`], `CHAIN.POSITION:HASH` joined by commas).
//!
//! Must not: do I/O. The database computes the same hash in SQL; `verify` and the checkpoint
//! check recompute it there, and a proof's checker recomputes it here.

use crate::merkle::Hash;
use sha2::{Digest, Sha256};

/// How many chains the log has (`audit_chain_count()` in the database).
pub const CHAINS: i16 = 16;

/// The last entry of one chain: its chain, position and hash (hex).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Head {
    /// The chain, 0 to [`CHAINS`] - 1.
    pub chain: i16,
    /// The entry's position in it, from 1.
    pub position: i64,
    /// Its hash, 64 lower-case hex digits.
    pub hash: String,
}

/// Points of the chains trusted from outside the database: one head per chain that had entries,
/// as `verify` printed them on an earlier day and someone recorded them (a ticket, an object
/// store, a signed checkpoint file). Written `CHAIN.POSITION:HASH` joined by commas; a lone
/// `ID:HASH` (the form of the single chain the log had first) means chain 0.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChainHeads {
    /// The heads, one per chain, in chain order.
    pub heads: Vec<Head>,
}

impl std::fmt::Display for ChainHeads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let heads: Vec<String> = self.heads.iter().map(Head::to_string).collect();
        f.write_str(&heads.join(","))
    }
}

impl std::fmt::Display for Head {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}:{}", self.chain, self.position, self.hash)
    }
}

impl std::str::FromStr for ChainHeads {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!(
                "a checkpoint is CHAIN.POSITION:HASH[,CHAIN.POSITION:HASH...], e.g. 0.47:{}, as verify prints the heads",
                "ab".repeat(32)
            )
        };
        let mut heads = Vec::new();
        for part in text.split(',') {
            let (at, hash) = part.trim().split_once(':').ok_or_else(bad)?;
            let (chain, position) = match at.split_once('.') {
                Some((chain, position)) => (chain.parse::<i16>().ok(), position),
                None => (Some(0), at),
            };
            let chain = chain.filter(|c| (0..CHAINS).contains(c)).ok_or_else(bad)?;
            let position: i64 = position.parse().ok().filter(|p| *p >= 1).ok_or_else(bad)?;
            let hash = hash.to_ascii_lowercase();
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad());
            }
            heads.push(Head {
                chain,
                position,
                hash,
            });
        }
        heads.sort();
        if heads.windows(2).any(|w| w[0].chain == w[1].chain) {
            return Err("a checkpoint names each chain at most once".into());
        }
        Ok(Self { heads })
    }
}

/// One entry's fields as its hash covers them: the hash is SHA-256 over these, in this order,
/// joined by the unit separator 0x1f, with `prev_hash` as `genesis` on a chain's first entry,
/// the position as `POSITION` on chain 0 and `CHAIN.POSITION` on the others, and a missing
/// entity or status as the empty string.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HashedEntry {
    /// The entry's id (not hashed: it orders entries across chains).
    pub id: i64,
    /// Its chain.
    pub chain: i16,
    /// Its position in the chain, from 1.
    pub position: i64,
    /// The previous entry's hash (hex), none for a chain's first entry.
    pub prev_hash: Option<String>,
    /// Who acted (a user id).
    pub actor_id: String,
    /// What happened.
    pub action: String,
    /// The kind of record concerned.
    pub subject_kind: String,
    /// Its id.
    pub subject_id: String,
    /// The onboarded entity concerned, if any.
    pub entity_id: Option<String>,
    /// Status before, for a status change.
    pub old_status: Option<String>,
    /// Status after, for a status change.
    pub new_status: Option<String>,
    /// The details, byte for byte as PostgreSQL prints the JSONB value (`details::text`),
    /// which is what the hash covers.
    pub details: String,
    /// When, as the hash covers it: UTC, microseconds, `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub created_at: String,
    /// The hash stored with the entry (hex).
    pub hash: String,
}

/// The chained hash of an entry, recomputed from its fields exactly as the database computes
/// it (`audit_log_hash_at()`).
pub fn entry_hash(e: &HashedEntry) -> Hash {
    let position = if e.chain == 0 {
        e.position.to_string()
    } else {
        format!("{}.{}", e.chain, e.position)
    };
    let fields = [
        e.prev_hash.as_deref().unwrap_or("genesis"),
        &position,
        &e.actor_id,
        &e.action,
        &e.subject_kind,
        &e.subject_id,
        e.entity_id.as_deref().unwrap_or(""),
        e.old_status.as_deref().unwrap_or(""),
        e.new_status.as_deref().unwrap_or(""),
        &e.details,
        &e.created_at,
    ];
    Sha256::digest(fields.join("\u{1f}").as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_read_both_forms_and_print_the_new_one() {
        let hash = "ab".repeat(32);
        let old: ChainHeads = format!("47:{hash}").parse().unwrap();
        assert_eq!(
            old.heads,
            [Head {
                chain: 0,
                position: 47,
                hash: hash.clone()
            }]
        );
        let two: ChainHeads = format!("3.9:{hash},0.47:{}", hash.to_uppercase())
            .parse()
            .unwrap();
        assert_eq!(two.to_string(), format!("0.47:{hash},3.9:{hash}"));
        assert_eq!(two.to_string().parse::<ChainHeads>().unwrap(), two);
        for bad in [
            "",
            "47",
            &format!("0:{hash}"),
            &format!("16.1:{hash}"),
            &format!("0.0:{hash}"),
            &format!("1.1:{}", "ab".repeat(31)),
            &format!("1.1:{hash},1.2:{hash}"),
            &format!("x.1:{hash}"),
        ] {
            assert!(bad.parse::<ChainHeads>().is_err(), "{bad}");
        }
    }
}
