//! Signed checkpoints against the database: [`sign`] walks every chain from its first entry and
//! signs their heads and Merkle roots (the format and the signature are `compliance_audit`'s);
//! [`check`] tells whether the log still holds what a checkpoint signed; [`prove`] gives one
//! entry's inclusion proof against a checkpoint, which `compliance_audit::check_proof` checks
//! without the database.
//!
//! Must not: sign a log whose chains are broken, call a checkpoint intact without recomputing
//! what it signed (unless asked for the cheaper [`CheckMode::ExtendsOnly`]), or ever read or
//! print a secret key from or to the database.

use chrono::Utc;
use compliance_audit::checkpoint::{self as format, LogState, SignedCheckpoint, Tree};
use compliance_audit::keys::{SigningKey, VerifyingKey};
use compliance_audit::merkle::{self, Hash};
use compliance_audit::{AuditError, InclusionProof};
use compliance_persistence::PersistenceError;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::audit_logs::{self, ChainReport, Head};
use compliance_persistence::repo::audit_tree;

/// Why a checkpoint cannot be made, checked or proven against.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The file is malformed, its signature does not verify, or a proof does not hold.
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// The database refused or could not be reached.
    #[error(transparent)]
    Persistence(#[from] PersistenceError),
    /// The log's chains are broken now: nothing to sign.
    #[error("the audit log's chains are broken at entry {id} ({kind}): a broken log is not signed")]
    Broken {
        /// The entry.
        id: i64,
        /// How.
        kind: String,
    },
    /// No audit entry has this id.
    #[error("no audit entry has id {id}")]
    NoSuchEntry {
        /// The id asked for.
        id: i64,
    },
    /// The entry was written after the checkpoint: a later checkpoint can prove it.
    #[error(
        "audit entry {id} (chain {chain}, position {position}) was written after the checkpoint, whose tree of chain {chain} holds {size} entries: sign a new checkpoint and prove against it"
    )]
    AfterCheckpoint {
        /// The entry.
        id: i64,
        /// Its chain.
        chain: i16,
        /// Its position.
        position: i64,
        /// The size of the checkpoint's tree of that chain (0: none).
        size: i64,
    },
    /// The entity has no leaf in the list version's job, or the job is not done: why, and
    /// what proves its screening instead.
    #[error("{0}")]
    NotScreened(String),
}

type Result<T, E = CheckpointError> = std::result::Result<T, E>;

/// How much of the log [`check`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CheckMode {
    /// Everything the checkpoint signed, recomputed: every chain walked from its first entry
    /// (each entry's hash against its content), and each chain's Merkle root at its signed size
    /// rebuilt from those hashes and compared with the signed root. Any entry the checkpoint
    /// covers that changed fails the check, however it was changed.
    #[default]
    Signed,
    /// Only what was written since: each chain walked from the head the checkpoint recorded.
    /// Cheaper; it proves the log extends the checkpoint, not that the entries before the
    /// heads are still what was signed.
    ExtendsOnly,
}

/// What a check of a checkpoint found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOutcome {
    /// How the log was read.
    pub mode: CheckMode,
    /// The walk of the chains (from their first entries, or from the checkpoint's heads).
    pub report: ChainReport,
    /// The chains whose tree at the signed size no longer has the signed root (mode
    /// [`CheckMode::Signed`], version 2 files), with how many of the signed entries are there.
    pub trees_differ: Vec<TreeDiffers>,
}

/// A chain whose tree at the size a checkpoint signed is not the tree signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeDiffers {
    /// The chain.
    pub chain: i16,
    /// The size signed.
    pub size: i64,
    /// How many of its first `size` positions the log holds now.
    pub present: i64,
}

impl CheckOutcome {
    /// True when nothing the checkpoint signed changed (or, extends-only, when every recorded
    /// head is still there and every chain extends it unbroken).
    pub fn holds(&self) -> bool {
        self.report.first_break.is_none() && self.trees_differ.is_empty()
    }
}

/// Signs the log's current heads and the roots of its chains' Merkle trees, after checking
/// every chain from its first entry, all in one snapshot, so that the trees are over exactly
/// the entries checked.
pub fn sign(conn: &mut PgConnection, database: &str, key: &SigningKey) -> Result<SignedCheckpoint> {
    compliance_persistence::in_snapshot(conn, |conn| {
        let report = audit_logs::verify_chain(conn)?;
        if let Some(broken) = report.first_break {
            return Err(CheckpointError::Broken {
                id: broken.id,
                kind: broken.kind,
            });
        }
        let trees = report
            .heads
            .iter()
            .map(|head| tree_now(conn, head))
            .collect::<Result<Vec<_>>>()?;
        let state = LogState {
            database: database.into(),
            at: Utc::now(),
            entries: report.entries,
            heads: report.heads,
            trees,
        };
        Ok(format::sign(&state, key)?)
    })
}

/// The stored hashes of `chain`'s first `size` entries, in position order (fewer when
/// positions are missing).
fn chain_hashes(conn: &mut PgConnection, chain: i16, size: i64) -> Result<Vec<Hash>> {
    audit_tree::chain_hashes(conn, chain, size)?
        .iter()
        .map(|h| {
            Hash::try_from(h.as_slice()).map_err(|_| {
                PersistenceError::InvalidData {
                    table: "audit_logs",
                    id: format!("chain {chain}"),
                    reason: "a stored hash is not 32 bytes".into(),
                }
                .into()
            })
        })
        .collect()
}

fn tree_now(conn: &mut PgConnection, head: &Head) -> Result<Tree> {
    let leaves = chain_hashes(conn, head.chain, head.position)?;
    Ok(Tree {
        chain: head.chain,
        size: head.position,
        root: merkle::root(&leaves),
    })
}

/// Checks a checkpoint: its signature with `public_key` (the one the operator trusts, not the
/// one the file names), then the log as `mode` says, in one snapshot.
pub fn check(
    conn: &mut PgConnection,
    checkpoint: &SignedCheckpoint,
    public_key: &VerifyingKey,
    mode: CheckMode,
) -> Result<CheckOutcome> {
    format::verify_signature(checkpoint, public_key)?;
    let heads = format::heads(checkpoint)?;
    let trees = format::trees(checkpoint)?;
    compliance_persistence::in_snapshot(conn, |conn| match mode {
        CheckMode::ExtendsOnly => Ok(CheckOutcome {
            mode,
            report: audit_logs::verify_chain_from(conn, Some(&heads))?,
            trees_differ: Vec::new(),
        }),
        CheckMode::Signed => {
            // Every entry against its content; then, from those hashes, what was signed. A
            // version 1 file signs heads only: each must still be there with its hash.
            let mut report = audit_logs::verify_chain(conn)?;
            if trees.is_empty() && report.first_break.is_none() {
                report = audit_logs::verify_chain_from(conn, Some(&heads))?;
            }
            let mut trees_differ = Vec::new();
            for tree in &trees {
                let leaves = chain_hashes(conn, tree.chain, tree.size)?;
                let present = i64::try_from(leaves.len()).unwrap_or(i64::MAX);
                if present != tree.size || merkle::root(&leaves) != tree.root {
                    trees_differ.push(TreeDiffers {
                        chain: tree.chain,
                        size: tree.size,
                        present,
                    });
                }
            }
            Ok(CheckOutcome {
                mode,
                report,
                trees_differ,
            })
        }
    })
}

/// A proof that entry `id` is in the tree `checkpoint` signed for its chain, built from the
/// database as it is now. It is not checked here: a database rewritten since the checkpoint
/// gives a proof that `compliance_audit::check_proof` refuses.
pub fn prove(
    conn: &mut PgConnection,
    id: i64,
    checkpoint: &SignedCheckpoint,
) -> Result<InclusionProof> {
    let entry = audit_tree::hashed_entry(conn, id)?.ok_or(CheckpointError::NoSuchEntry { id })?;
    let size = compliance_audit::proof::signed_size(checkpoint, entry.chain)?;
    if entry.position > size {
        return Err(CheckpointError::AfterCheckpoint {
            id,
            chain: entry.chain,
            position: entry.position,
            size,
        });
    }
    let leaves = chain_hashes(conn, entry.chain, size)?;
    Ok(compliance_audit::proof::prove(entry, &leaves, checkpoint)?)
}
