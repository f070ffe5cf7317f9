//! Proofs of screening: that one entity was screened against one list version by a monitoring
//! job, when, and with what outcome, shown without the rest of the base.
//!
//! A job's tree (RFC 9162, as [`crate::merkle`]) has one leaf per entity it screened, in entity
//! order; a leaf's input is [`leaf_hash`] of the entity's [`ScreeningLeaf`] (the same as
//! `screening_leaf()` in the migration `2026-12-08-100000_ongoing_monitoring`, which writes the
//! leaves). When the job is done, its root and size go into the details of a
//! `screening_job_completed` audit entry, which a signed checkpoint then covers. A
//! [`ScreeningProof`] therefore holds two paths: the leaf's to the job's root, and the completion
//! entry's to the checkpoint ([`crate::InclusionProof`]).
//!
//! Must not: do I/O, or accept a proof whose checkpoint's signature does not verify with the key
//! the caller trusts.

use crate::hex::{hex, unhex};
use crate::merkle::{self, Hash};
use crate::proof::{InclusionProof, audit_path, check_proof};
use crate::{AuditError, Result};
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};

/// The `format` of a screening proof file.
pub const FORMAT: &str = "compliance-db screening proof v1";

/// What the first field of every leaf says (the leaf's own format).
pub const LEAF_TAG: &str = "compliance-db screening leaf v1";

/// The audit action that records a job's completion with its root.
pub const COMPLETED: &str = "screening_job_completed";

/// One entity's leaf in a job's tree: ids and codes only (the subject is a salted commitment).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreeningLeaf {
    /// The job (a UUID).
    pub job: String,
    /// The list version screened against (a UUID).
    pub version: String,
    /// The entity.
    pub entity: String,
    /// The commitment of the subject revision screened (hex): SHA-256 over a random salt and
    /// the subject, so it names the data screened without showing it.
    pub commitment: String,
    /// `clear` (nothing the version added or changed matched), `known` (matched, nothing new
    /// or stronger than the entity's screening held), `match` (a new or stronger match: the
    /// case was re-screened) or `delisted` (an entry the entity matched left the list: flagged
    /// for review).
    pub outcome: String,
    /// When its batch was screened: UTC, microseconds, `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub screened_at: String,
}

/// The leaf's input in the job's tree: SHA-256 over [`LEAF_TAG`] and the fields in declaration
/// order, joined by the unit separator 0x1f.
pub fn leaf_hash(leaf: &ScreeningLeaf) -> Hash {
    let fields = [
        LEAF_TAG,
        &leaf.job,
        &leaf.version,
        &leaf.entity,
        &leaf.commitment,
        &leaf.outcome,
        &leaf.screened_at,
    ];
    Sha256::digest(fields.join("\u{1f}").as_bytes()).into()
}

/// A proof file: the leaf, where it stands in its job's tree, the path to the job's root, and
/// the inclusion proof of the audit entry that recorded that root.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreeningProof {
    /// [`FORMAT`].
    pub format: String,
    /// The entity's leaf.
    pub leaf: ScreeningLeaf,
    /// Its index in the job's tree.
    pub leaf_index: u64,
    /// The tree's size: the entities the job screened.
    pub tree_size: u64,
    /// The path from the leaf's sibling up to the root's child, hex.
    pub audit_path: Vec<String>,
    /// The job's root, hex.
    pub root: String,
    /// The `screening_job_completed` entry, proven against a signed checkpoint.
    pub completion: InclusionProof,
}

/// What a proof that holds proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenScreening {
    /// The entity screened.
    pub entity: String,
    /// The list version.
    pub version: String,
    /// The job.
    pub job: String,
    /// Its outcome for the entity.
    pub outcome: String,
    /// When.
    pub screened_at: String,
    /// How many entities the job screened.
    pub tree_size: u64,
}

/// The path of leaf `index` among `leaves` (each a [`leaf_hash`]) and their root, for a
/// prover holding a job's leaves; `None` when `index` is not a leaf.
pub fn prove_leaf(leaves: &[Hash], index: usize) -> Option<(Vec<Hash>, Hash)> {
    let path = merkle::inclusion_proof(leaves, index)?;
    Some((path, merkle::root(leaves)))
}

/// The details a completion entry carries that a proof relies on.
#[derive(serde::Deserialize)]
struct Completion {
    root: String,
    size: u64,
    version_id: String,
}

/// Checks a screening proof without the database: the completion entry's proof against the
/// checkpoint signed with `public_key` ([`check_proof`]), that the entry records this job's
/// completion with this root, size and version, and that the leaf's path leads to that root.
pub fn check_screening_proof(
    proof: &ScreeningProof,
    public_key: &VerifyingKey,
) -> Result<ProvenScreening> {
    if proof.format != FORMAT {
        return Err(AuditError::fails(format!("its format is not {FORMAT:?}")));
    }
    check_proof(&proof.completion, public_key)?;
    let entry = &proof.completion.entry;
    if entry.action != COMPLETED || entry.subject_kind != "screening_job" {
        return Err(AuditError::fails(format!(
            "the proven entry is a {} of a {}, not the completion of a screening job",
            entry.action, entry.subject_kind
        )));
    }
    if entry.subject_id != proof.leaf.job {
        return Err(AuditError::fails(format!(
            "the proven entry completes job {}, the leaf is of job {}",
            entry.subject_id, proof.leaf.job
        )));
    }
    let recorded: Completion = serde_json::from_str(&entry.details).map_err(|e| {
        AuditError::fails(format!(
            "the completion entry's details do not name a root, size and version: {e}"
        ))
    })?;
    if recorded.root != proof.root
        || recorded.size != proof.tree_size
        || recorded.version_id != proof.leaf.version
    {
        return Err(AuditError::fails(format!(
            "the proof's root {} of {} entities for version {} is not what the completion entry recorded (root {} of {} for version {})",
            proof.root,
            proof.tree_size,
            proof.leaf.version,
            recorded.root,
            recorded.size,
            recorded.version_id
        )));
    }
    let root = unhex::<32>(&proof.root, "the job's root")?;
    let path = audit_path(&proof.audit_path)?;
    let leaf = leaf_hash(&proof.leaf);
    if !merkle::verify_inclusion(proof.leaf_index, proof.tree_size, &leaf, &path, &root) {
        return Err(AuditError::fails(format!(
            "the path of entity {}'s leaf (hash {}) does not lead to job {}'s root: the leaf or the path differs from what the job recorded",
            proof.leaf.entity,
            hex(&leaf),
            proof.leaf.job
        )));
    }
    Ok(ProvenScreening {
        entity: proof.leaf.entity.clone(),
        version: proof.leaf.version.clone(),
        job: proof.leaf.job.clone(),
        outcome: proof.leaf.outcome.clone(),
        screened_at: proof.leaf.screened_at.clone(),
        tree_size: proof.tree_size,
    })
}

/// The sentence a proof that holds is reported with.
pub fn holds_sentence(proof: &ScreeningProof, proven: &ProvenScreening) -> String {
    format!(
        "the proof holds: entity {} was screened against list version {} by job {} at {} (outcome: {}), one of {} entities whose root the job's completion entry (chain {}, position {}) recorded, which the checkpoint of {} signed",
        proven.entity,
        proven.version,
        proven.job,
        proven.screened_at,
        proven.outcome,
        proven.tree_size,
        proof.completion.entry.chain,
        proof.completion.entry.position,
        proof.completion.checkpoint.signed_at
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(entity: &str) -> ScreeningLeaf {
        ScreeningLeaf {
            job: "5f0c1d4e-0000-4000-8000-000000000001".into(),
            version: "5f0c1d4e-0000-4000-8000-000000000002".into(),
            entity: entity.into(),
            commitment: "ab".repeat(32),
            outcome: "clear".into(),
            screened_at: "2026-12-08T09:00:00.000001Z".into(),
        }
    }

    #[test]
    fn a_leaf_hash_covers_every_field() {
        let base = leaf_hash(&leaf("inv-1"));
        let mut other = leaf("inv-1");
        other.outcome = "match".into();
        assert_ne!(leaf_hash(&other), base);
        let mut other = leaf("inv-1");
        other.screened_at = "2026-12-08T09:00:00.000002Z".into();
        assert_ne!(leaf_hash(&other), base);
        assert_ne!(leaf_hash(&leaf("inv-2")), base);
        // The separator keeps fields apart: moving a character across a boundary changes it.
        let mut shifted = leaf("inv-1");
        shifted.entity = "inv-1a".into();
        shifted.commitment = shifted.commitment[1..].to_owned();
        assert_ne!(leaf_hash(&shifted), base);
    }

    #[test]
    fn every_leaf_path_leads_to_the_root_and_no_other_leaf_does() {
        let leaves: Vec<Hash> = (0..7)
            .map(|i| leaf_hash(&leaf(&format!("inv-{i}"))))
            .collect();
        for (i, l) in leaves.iter().enumerate() {
            let (path, root) = prove_leaf(&leaves, i).unwrap();
            assert!(merkle::verify_inclusion(i as u64, 7, l, &path, &root));
            let other = &leaves[(i + 1) % 7];
            assert!(!merkle::verify_inclusion(i as u64, 7, other, &path, &root));
        }
        assert!(prove_leaf(&leaves, 7).is_none());
    }
}
