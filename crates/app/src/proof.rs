//! Inclusion proofs of audit entries against a signed checkpoint (RFC 9162 2.1.3): one entry
//! shown to a regulator without the rest of the log. `prove` reads the entry and its chain's
//! hashes from the database; `check_proof` needs no database, only the proof file and the
//! signer's public key.
//!
//! The leaf input is the entry's chained hash (32 bytes, `audit_log_hash_at()`), so a chain's
//! tree has one leaf per entry in position order, leaf hash SHA-256(0x00 || entry hash). A
//! verifier holding the entry's fields as the proof shows them recomputes that hash
//! ([`entry_hash`]: SHA-256 over the fields joined by 0x1f, see `HashedEntry`), then the leaf,
//! then the root from the audit path, and compares it with the root the checkpoint signed for
//! that chain and size. The chained hash is chosen over the raw fields because it already is
//! the entry's one canonical encoding, covering its chain, position and predecessor; `sign`
//! checks every stored hash against its entry's content before building the trees from them,
//! and a tree then costs 32 bytes read per entry.
//!
//! Must not: write, trust the database when checking (`check_proof` takes no connection), or
//! accept a proof whose checkpoint's signature does not verify with the key the caller trusts.

use crate::checkpoint::{self, CheckpointError, FORMAT_V1, SignedCheckpoint, hex, unhex};
use crate::merkle::{self, Hash};
use crate::{AppError, Result};
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::audit_tree;
pub use compliance_persistence::repo::audit_tree::HashedEntry;
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};

/// The `format` of a proof file.
pub const FORMAT: &str = "compliance-db audit inclusion proof v1";

/// A proof file: the entry, where it stands in its chain's tree, the audit path and the signed
/// checkpoint whose root it leads to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    /// [`FORMAT`].
    pub format: String,
    /// The entry's fields, as its hash covers them.
    pub entry: HashedEntry,
    /// Its chain (the tree's).
    pub chain: i16,
    /// Its leaf's index in the tree: its position - 1.
    pub leaf_index: u64,
    /// The tree's size, as the checkpoint signed it.
    pub tree_size: u64,
    /// The audit path, from the leaf's sibling up, hex.
    pub audit_path: Vec<String>,
    /// The checkpoint proven against, as signed.
    pub checkpoint: SignedCheckpoint,
}

/// What a proof that holds proves: the entry at this place of this chain, with the fields the
/// proof shows. Not its row id, which the chained hash does not cover (a proof file's `id` is
/// the prover's word).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proven {
    /// The entry's chain.
    pub chain: i16,
    /// Its position there.
    pub position: i64,
    /// The size of the chain's tree signed.
    pub tree_size: u64,
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

/// The leaf hashes of the tree of `chain`'s first `size` entries, from their stored hashes.
pub fn leaves(conn: &mut PgConnection, chain: i16, size: i64) -> Result<Vec<Hash>> {
    let hashes = audit_tree::chain_hashes(conn, chain, size)?;
    if hashes.len() as i64 != size {
        return Err(fails(format!(
            "chain {chain} holds {} of the first {size} positions the checkpoint signed: entries were removed",
            hashes.len()
        )));
    }
    hashes
        .iter()
        .map(|h| {
            <[u8; 32]>::try_from(h.as_slice())
                .map(|h| merkle::leaf_hash(&h))
                .map_err(|_| fails(format!("a stored hash of chain {chain} is not 32 bytes")))
        })
        .collect()
}

/// A proof that entry `id` is in the tree `checkpoint` signed for its chain, built from the
/// database as it is now. It is not checked here: a database rewritten since the checkpoint
/// gives a proof that [`check_proof`] refuses.
pub fn prove(
    conn: &mut PgConnection,
    id: i64,
    checkpoint: &SignedCheckpoint,
) -> Result<InclusionProof> {
    if checkpoint.format == FORMAT_V1 {
        return Err(CheckpointError::NoTrees.into());
    }
    let entry = audit_tree::hashed_entry(conn, id)?.ok_or(CheckpointError::NoSuchEntry { id })?;
    let size = checkpoint::trees(checkpoint)?
        .iter()
        .find(|t| t.chain == entry.chain)
        .map_or(0, |t| t.size);
    if entry.position > size {
        return Err(CheckpointError::AfterCheckpoint {
            id,
            chain: entry.chain,
            position: entry.position,
            size,
        }
        .into());
    }
    let leaves = leaves(conn, entry.chain, size)?;
    let index = (entry.position - 1) as usize;
    let path = merkle::inclusion_proof(&leaves, index)
        .ok_or_else(|| fails(format!("position {} is not in the tree", entry.position)))?;
    Ok(InclusionProof {
        format: FORMAT.into(),
        chain: entry.chain,
        leaf_index: index as u64,
        tree_size: size as u64,
        audit_path: path.iter().map(|h| hex(h)).collect(),
        checkpoint: checkpoint.clone(),
        entry,
    })
}

/// Checks a proof without the database: the checkpoint's signature with `public_key` (the
/// one the caller trusts, not the one the file names), that the proof's tree is the one signed
/// for the entry's chain, that the entry's fields give its hash, and that the audit path leads
/// from that leaf to the signed root.
pub fn check_proof(proof: &InclusionProof, public_key: &VerifyingKey) -> Result<Proven> {
    if proof.format != FORMAT {
        return Err(fails(format!("its format is not {FORMAT:?}")));
    }
    checkpoint::verify_signature(&proof.checkpoint, public_key)?;
    if proof.checkpoint.format == FORMAT_V1 {
        return Err(CheckpointError::NoTrees.into());
    }
    let entry = &proof.entry;
    if proof.chain != entry.chain {
        return Err(fails(format!(
            "the proof is for chain {}, the entry is on chain {}",
            proof.chain, entry.chain
        )));
    }
    let tree = checkpoint::trees(&proof.checkpoint)?
        .into_iter()
        .find(|t| t.chain == entry.chain)
        .ok_or_else(|| {
            fails(format!(
                "the checkpoint signs no tree of chain {}",
                entry.chain
            ))
        })?;
    if tree.size as u64 != proof.tree_size {
        return Err(fails(format!(
            "the proof's tree size {} is not the size {} signed for chain {}",
            proof.tree_size, tree.size, entry.chain
        )));
    }
    if entry.position < 1 || proof.leaf_index != (entry.position - 1) as u64 {
        return Err(fails(format!(
            "leaf index {} is not the entry's position {} - 1",
            proof.leaf_index, entry.position
        )));
    }
    let hash = entry_hash(entry);
    if hex(&hash) != entry.hash {
        return Err(fails(format!(
            "the fields of entry {} do not give its hash: the entry was changed",
            entry.id
        )));
    }
    let path = proof
        .audit_path
        .iter()
        .map(|h| unhex::<32>(h, "an audit path node"))
        .collect::<Result<Vec<_>>>()?;
    let leaf = merkle::leaf_hash(&hash);
    if !merkle::verify_inclusion(proof.leaf_index, proof.tree_size, &leaf, &path, &tree.root) {
        return Err(fails(format!(
            "the audit path of entry {} does not lead to the root signed for chain {}: the entry, its place or the path differs from what was signed (a log rewritten since the checkpoint gives such a proof)",
            entry.id, entry.chain
        )));
    }
    Ok(Proven {
        chain: entry.chain,
        position: entry.position,
        tree_size: proof.tree_size,
    })
}

fn fails(why: String) -> AppError {
    CheckpointError::ProofFails { why }.into()
}
