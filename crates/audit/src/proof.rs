//! Inclusion proofs of audit entries against a signed checkpoint (RFC 9162 2.1.3): one entry
//! shown to a regulator without the rest of the log. [`prove`] builds a proof from a chain's
//! entry hashes (which `compliance-ops` reads from the database); [`check_proof`] needs only
//! the proof file and the signer's public key.
//!
//! The leaf input is the entry's chained hash (32 bytes), so a chain's tree has one leaf per
//! entry in position order. A verifier holding the entry's fields as the proof shows them
//! recomputes that hash ([`entry_hash`]), then the root from the audit path, and compares it
//! with the root the checkpoint signed for that chain and size. The chained hash is chosen over
//! the raw fields because it already is the entry's one canonical encoding, covering its chain,
//! position and predecessor; a tree then costs 32 bytes read per entry.
//!
//! Must not: do I/O, or accept a proof whose checkpoint's signature does not verify with the
//! key the caller trusts.

use crate::checkpoint::{self, FORMAT_V1, SignedCheckpoint};
use crate::hex::{hex, unhex};
use crate::log::{HashedEntry, entry_hash};
use crate::merkle::{self, Hash};
use crate::{AuditError, Result};
use ed25519_dalek::VerifyingKey;

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

/// The size of the tree `checkpoint` signed for `chain` (0 when it signed none), or
/// [`AuditError::NoTrees`] for a version 1 checkpoint.
pub fn signed_size(checkpoint: &SignedCheckpoint, chain: i16) -> Result<i64> {
    if checkpoint.format == FORMAT_V1 {
        return Err(AuditError::NoTrees);
    }
    Ok(checkpoint::trees(checkpoint)?
        .iter()
        .find(|t| t.chain == chain)
        .map_or(0, |t| t.size))
}

/// A proof that `entry` is in the tree `checkpoint` signed for its chain, from `chain_hashes`:
/// the stored hashes of the chain's entries at positions 1 to the signed size, in order. It is
/// not checked here: hashes that differ from what was signed give a proof [`check_proof`]
/// refuses.
pub fn prove(
    entry: HashedEntry,
    chain_hashes: &[Hash],
    checkpoint: &SignedCheckpoint,
) -> Result<InclusionProof> {
    let size = signed_size(checkpoint, entry.chain)?;
    if usize::try_from(size).ok() != Some(chain_hashes.len()) {
        return Err(AuditError::fails(format!(
            "chain {} holds {} of the first {size} positions the checkpoint signed: entries were removed",
            entry.chain,
            chain_hashes.len()
        )));
    }
    let index = usize::try_from(entry.position - 1)
        .ok()
        .filter(|i| *i < chain_hashes.len())
        .ok_or_else(|| {
            AuditError::fails(format!(
                "position {} is not in the tree of {size} entries",
                entry.position
            ))
        })?;
    let path = merkle::inclusion_proof(chain_hashes, index).unwrap_or_default();
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
        return Err(AuditError::fails(format!("its format is not {FORMAT:?}")));
    }
    checkpoint::verify_signature(&proof.checkpoint, public_key)?;
    if proof.checkpoint.format == FORMAT_V1 {
        return Err(AuditError::NoTrees);
    }
    let entry = &proof.entry;
    if proof.chain != entry.chain {
        return Err(AuditError::fails(format!(
            "the proof is for chain {}, the entry is on chain {}",
            proof.chain, entry.chain
        )));
    }
    let tree = checkpoint::trees(&proof.checkpoint)?
        .into_iter()
        .find(|t| t.chain == entry.chain)
        .ok_or_else(|| {
            AuditError::fails(format!(
                "the checkpoint signs no tree of chain {}",
                entry.chain
            ))
        })?;
    if u64::try_from(tree.size).ok() != Some(proof.tree_size) {
        return Err(AuditError::fails(format!(
            "the proof's tree size {} is not the size {} signed for chain {}",
            proof.tree_size, tree.size, entry.chain
        )));
    }
    if entry.position < 1 || u64::try_from(entry.position - 1).ok() != Some(proof.leaf_index) {
        return Err(AuditError::fails(format!(
            "leaf index {} is not the entry's position {} - 1",
            proof.leaf_index, entry.position
        )));
    }
    let hash = entry_hash(entry);
    if hex(&hash) != entry.hash {
        return Err(AuditError::fails(format!(
            "the fields of entry {} do not give its hash: the entry was changed",
            entry.id
        )));
    }
    let path = audit_path(&proof.audit_path)?;
    if !merkle::verify_inclusion(proof.leaf_index, proof.tree_size, &hash, &path, &tree.root) {
        return Err(AuditError::fails(format!(
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

/// An audit path as a proof file writes it (hex nodes), read back.
pub(crate) fn audit_path(nodes: &[String]) -> Result<Vec<Hash>> {
    nodes
        .iter()
        .map(|h| unhex::<32>(h, "an audit path node"))
        .collect()
}

/// The sentence both `compliance-proof check` and `cargo xtask checkpoint check-proof` print
/// for a proof that holds.
pub fn holds_sentence(proof: &InclusionProof, proven: &Proven) -> String {
    format!(
        "the proof holds: the entry at chain {}, position {} is in the tree of chain {}'s first {} entries, whose root the checkpoint of {} (root {}) signed (the file calls it entry {}; an id is not hashed, its chain and position are)",
        proven.chain,
        proven.position,
        proven.chain,
        proven.tree_size,
        proof.checkpoint.signed_at,
        proof.checkpoint.root,
        proof.entry.id
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::{LogState, Tree, sign};
    use crate::keys::{generate_key, signing_key, verifying_key};
    use crate::log::Head;

    /// A chain of `n` entries on chain 3, each hashed over its fields and its predecessor.
    fn chain(n: i64) -> Vec<HashedEntry> {
        let mut entries: Vec<HashedEntry> = Vec::new();
        for position in 1..=n {
            let mut e = HashedEntry {
                id: 100 + position,
                chain: 3,
                position,
                prev_hash: entries.last().map(|p| p.hash.clone()),
                actor_id: "00000000-0000-0000-0000-000000000001".into(),
                action: "decision_recorded".into(),
                subject_kind: "compliance_check".into(),
                subject_id: format!("00000000-0000-0000-0000-{position:012}"),
                entity_id: Some("ae-ind-clean-001".into()),
                old_status: None,
                new_status: Some("APPROVED".into()),
                details: format!("{{\"n\": {position}}}"),
                created_at: "2026-12-06T10:00:00.000000Z".into(),
                hash: String::new(),
            };
            e.hash = hex(&entry_hash(&e));
            entries.push(e);
        }
        entries
    }

    fn signed(entries: &[HashedEntry], secret: &str) -> SignedCheckpoint {
        let leaves: Vec<Hash> = entries
            .iter()
            .map(|e| unhex(&e.hash, "hash").unwrap())
            .collect();
        let last = entries.last().unwrap();
        let state = LogState {
            database: "127.0.0.1:5432/compliance_db".into(),
            at: chrono::Utc::now(),
            entries: entries.len() as i64,
            heads: vec![Head {
                chain: 3,
                position: last.position,
                hash: last.hash.clone(),
            }],
            trees: vec![Tree {
                chain: 3,
                size: last.position,
                root: merkle::root(&leaves),
            }],
        };
        sign(&state, &signing_key(secret).unwrap()).unwrap()
    }

    #[test]
    fn every_entry_proves_offline_and_a_changed_one_does_not() {
        let (secret, public) = generate_key().unwrap();
        let public = verifying_key(&public).unwrap();
        let entries = chain(7);
        let checkpoint = signed(&entries, &secret);
        let leaves: Vec<Hash> = entries
            .iter()
            .map(|e| unhex(&e.hash, "hash").unwrap())
            .collect();
        for entry in &entries {
            let proof = prove(entry.clone(), &leaves, &checkpoint).unwrap();
            let proven = check_proof(&proof, &public).unwrap();
            assert_eq!((proven.chain, proven.position), (3, entry.position));
            assert!(holds_sentence(&proof, &proven).contains("position"));
        }
        let proof = prove(entries[2].clone(), &leaves, &checkpoint).unwrap();

        let mut altered = proof.clone();
        altered.entry.details = "{\"n\": 99}".into();
        assert!(matches!(
            check_proof(&altered, &public),
            Err(AuditError::ProofFails { .. })
        ));
        // Rehashed consistently, the entry no longer leads to the signed root.
        altered.entry.hash = hex(&entry_hash(&altered.entry));
        assert!(matches!(
            check_proof(&altered, &public),
            Err(AuditError::ProofFails { .. })
        ));

        let mut moved = proof.clone();
        moved.leaf_index += 1;
        assert!(matches!(
            check_proof(&moved, &public),
            Err(AuditError::ProofFails { .. })
        ));

        let mut bad_path = proof.clone();
        bad_path.audit_path[0] = "00".repeat(32);
        assert!(matches!(
            check_proof(&bad_path, &public),
            Err(AuditError::ProofFails { .. })
        ));

        let (_, other) = generate_key().unwrap();
        assert_eq!(
            check_proof(&proof, &verifying_key(&other).unwrap()),
            Err(AuditError::BadSignature)
        );

        // Fewer hashes than the signed size: entries were removed.
        assert!(matches!(
            prove(entries[0].clone(), &leaves[..6], &checkpoint),
            Err(AuditError::ProofFails { .. })
        ));
    }
}
