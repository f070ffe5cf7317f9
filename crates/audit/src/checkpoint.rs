//! Signed checkpoints of the audit log, after Certificate Transparency's signed tree heads
//! (RFC 9162): the heads of the sixteen chains and, per chain, the size and root of its Merkle
//! tree ([`crate::merkle`], leaves the entries' chained hashes in position order), signed with
//! an Ed25519 key held outside the database, written to a file an operator keeps elsewhere
//! (WORM storage, a ticket, another system). Version 1 files (heads only) still check.
//!
//! This module is the file format: what is signed ([`statement`]), signing a statement built
//! from a walk of the log, and checking a file's signature. Reading the log and comparing it
//! with a checkpoint is `compliance-ops`'s (it needs the database).
//!
//! Must not: accept a checkpoint whose signature does not verify, or a file whose parts
//! disagree (a tree for a chain it names no head of, a root that is not the statement's).

use crate::hex::{hex, unhex};
use crate::log::{ChainHeads, Head};
use crate::merkle::Hash;
use crate::{AuditError, Result};
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

/// The first line of every signed statement (its format and version): what [`sign`] writes.
pub const FORMAT: &str = "compliance-db audit checkpoint v2";

/// The first version's first line: heads only, no trees. Such files still check.
pub const FORMAT_V1: &str = "compliance-db audit checkpoint v1";

/// A checkpoint as written to its file: what was signed, and the signature.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedCheckpoint {
    /// [`FORMAT`].
    pub format: String,
    /// The database signed (`host:port/name`, never a password).
    pub database: String,
    /// When.
    pub signed_at: DateTime<Utc>,
    /// How many entries the log held.
    pub entries: i64,
    /// Every chain's head then, `CHAIN.POSITION:HASH`.
    pub heads: Vec<String>,
    /// Version 2: every chain's Merkle tree then, `CHAIN.SIZE:ROOT` (the size is the head's
    /// position, the root 64 hex digits). Absent from version 1 files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trees: Vec<String>,
    /// SHA-256 of the signed statement, hex: one value to quote in a ticket.
    pub root: String,
    /// The signer's Ed25519 public key, hex.
    pub public_key: String,
    /// The Ed25519 signature of the statement, hex.
    pub signature: String,
}

/// One chain's Merkle tree as a checkpoint signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    /// The chain.
    pub chain: i16,
    /// How many of its entries the tree holds (positions 1 to `size`).
    pub size: i64,
    /// Its root.
    pub root: Hash,
}

/// What a walk of the log found, to be signed: its entries and each chain's head and tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogState {
    /// The database walked (`host:port/name`).
    pub database: String,
    /// When the walk's snapshot was taken.
    pub at: DateTime<Utc>,
    /// How many entries the log held.
    pub entries: i64,
    /// Each chain's head, in chain order.
    pub heads: Vec<Head>,
    /// Each chain's tree, of its head's size, in chain order.
    pub trees: Vec<Tree>,
}

/// Signs `state` with `key`: the statement's SHA-256 as the file's root, the Ed25519 signature
/// of the statement. Refuses a state whose trees are not one per head, of the head's size.
pub fn sign(state: &LogState, key: &SigningKey) -> Result<SignedCheckpoint> {
    let sizes: Vec<(i16, i64)> = state.trees.iter().map(|t| (t.chain, t.size)).collect();
    let heads: Vec<(i16, i64)> = state.heads.iter().map(|h| (h.chain, h.position)).collect();
    if sizes != heads {
        return Err(AuditError::malformed(
            "the log's trees",
            "expected one tree per head, of the head's size",
        ));
    }
    let mut checkpoint = SignedCheckpoint {
        format: FORMAT.into(),
        database: state.database.clone(),
        signed_at: chrono::SubsecRound::trunc_subsecs(state.at, 6),
        entries: state.entries,
        heads: state.heads.iter().map(Head::to_string).collect(),
        trees: state
            .trees
            .iter()
            .map(|t| format!("{}.{}:{}", t.chain, t.size, hex(&t.root)))
            .collect(),
        root: String::new(),
        public_key: hex(key.verifying_key().as_bytes()),
        signature: String::new(),
    };
    let statement = statement(&checkpoint);
    checkpoint.root = hex(&Sha256::digest(statement.as_bytes()));
    checkpoint.signature = hex(&key.sign(statement.as_bytes()).to_bytes());
    Ok(checkpoint)
}

/// Checks a checkpoint's signature with `public_key` (the one the operator trusts, not the one
/// the file names), its format (version 1 or 2) and its root, and that a version 2 file has one
/// tree per head, of the head's size.
pub fn verify_signature(checkpoint: &SignedCheckpoint, public_key: &VerifyingKey) -> Result<()> {
    let known = checkpoint.format == FORMAT
        || (checkpoint.format == FORMAT_V1 && checkpoint.trees.is_empty());
    let statement = statement(checkpoint);
    let signature: [u8; 64] = unhex(&checkpoint.signature, "the signature")?;
    public_key
        .verify(statement.as_bytes(), &Signature::from_bytes(&signature))
        .map_err(|_| AuditError::BadSignature)?;
    if !known || hex(&Sha256::digest(statement.as_bytes())) != checkpoint.root {
        return Err(AuditError::BadSignature);
    }
    if checkpoint.format == FORMAT {
        let sizes: Vec<(i16, i64)> = trees(checkpoint)?
            .iter()
            .map(|t| (t.chain, t.size))
            .collect();
        let heads: Vec<(i16, i64)> = heads(checkpoint)?
            .heads
            .iter()
            .map(|h| (h.chain, h.position))
            .collect();
        if sizes != heads {
            return Err(AuditError::malformed(
                "the checkpoint's trees",
                "expected one tree per head, of the head's size",
            ));
        }
    }
    Ok(())
}

/// The trees of a checkpoint file (none in a version 1 file), in chain order.
pub fn trees(checkpoint: &SignedCheckpoint) -> Result<Vec<Tree>> {
    let bad = || {
        AuditError::malformed(
            "the checkpoint's trees",
            "expected CHAIN.SIZE:ROOT, the root 64 hex digits",
        )
    };
    let mut trees = Vec::new();
    for text in &checkpoint.trees {
        let (at, root) = text.split_once(':').ok_or_else(bad)?;
        let (chain, size) = at.split_once('.').ok_or_else(bad)?;
        let chain: i16 = chain.parse().map_err(|_| bad())?;
        let size: i64 = size.parse().map_err(|_| bad())?;
        let root: Hash = unhex(root, "a tree's root")?;
        trees.push(Tree { chain, size, root });
    }
    trees.sort_by_key(|t| t.chain);
    Ok(trees)
}

/// The heads of a checkpoint file.
pub fn heads(checkpoint: &SignedCheckpoint) -> Result<ChainHeads> {
    checkpoint
        .heads
        .join(",")
        .parse()
        .map_err(|e: String| AuditError::malformed("the checkpoint's heads", e))
}

/// The exact text signed: one field a line, the heads, then (version 2) the trees.
pub fn statement(c: &SignedCheckpoint) -> String {
    let format = if c.format == FORMAT_V1 {
        FORMAT_V1
    } else {
        FORMAT
    };
    let mut text = format!(
        "{format}\ndatabase: {}\nsigned_at: {}\nentries: {}\n",
        c.database,
        c.signed_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        c.entries
    );
    for head in &c.heads {
        text.push_str("head: ");
        text.push_str(head);
        text.push('\n');
    }
    if format == FORMAT {
        for tree in &c.trees {
            text.push_str("tree: ");
            text.push_str(tree);
            text.push('\n');
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{generate_key, signing_key, verifying_key};

    fn state() -> LogState {
        LogState {
            database: "127.0.0.1:5432/compliance_db".into(),
            at: Utc::now(),
            entries: 3,
            heads: vec![Head {
                chain: 0,
                position: 3,
                hash: "ab".repeat(32),
            }],
            trees: vec![Tree {
                chain: 0,
                size: 3,
                root: [0xcd; 32],
            }],
        }
    }

    #[test]
    fn a_statement_signed_verifies_and_a_changed_one_does_not() {
        let (secret, public) = generate_key().unwrap();
        let key = signing_key(&secret).unwrap();
        let public = verifying_key(&public).unwrap();
        let signed = sign(&state(), &key).unwrap();
        assert_eq!(verify_signature(&signed, &public), Ok(()));
        assert_eq!(trees(&signed).unwrap(), state().trees);
        assert_eq!(heads(&signed).unwrap().heads, state().heads);

        let mut changed = signed.clone();
        changed.entries = 2;
        assert_eq!(
            verify_signature(&changed, &public),
            Err(AuditError::BadSignature)
        );
        let mut changed = signed.clone();
        changed.trees[0] = format!("0.3:{}", "ce".repeat(32));
        assert_eq!(
            verify_signature(&changed, &public),
            Err(AuditError::BadSignature)
        );
        let (_, other) = generate_key().unwrap();
        assert_eq!(
            verify_signature(&signed, &verifying_key(&other).unwrap()),
            Err(AuditError::BadSignature)
        );
    }

    #[test]
    fn a_state_whose_trees_do_not_match_its_heads_is_not_signed() {
        let (secret, _) = generate_key().unwrap();
        let mut bad = state();
        bad.trees[0].size = 2;
        assert!(matches!(
            sign(&bad, &signing_key(&secret).unwrap()),
            Err(AuditError::Malformed { .. })
        ));
    }
}
