//! Signed checkpoints of the audit log, after Certificate Transparency's signed tree heads
//! (RFC 9162): the heads of the sixteen chains, signed with an Ed25519 key held outside the
//! database, written to a file an operator keeps elsewhere (WORM storage, a ticket, another
//! system). A later check given that file proves the log still extends it, whoever owns the
//! database: a superuser who rewrites a chain consistently (every hash recomputed) passes the
//! chain's own check, not the checkpoint's.
//!
//! Version 2 (the `format` line) also signs, per chain, the size and root of its RFC 9162
//! Merkle tree (`crate::merkle`, leaves the entries' chained hashes in position order), against
//! which `crate::proof` proves one entry's inclusion. Version 1 files (heads only) still check.
//!
//! Must not: sign a log whose chains are broken, accept a checkpoint whose signature does not
//! verify, or ever read or print a secret key from or to the database.

use crate::{AppError, Result, merkle};
use chrono::{DateTime, Utc};
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::audit_logs::{self, ChainReport, Checkpoint, Head};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

/// The first line of every signed statement (its format and version): what `sign` writes.
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

/// Why a checkpoint cannot be made or does not hold.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// A key or signature that is not 32 / 64 bytes of hex.
    #[error("{what} is not valid: {why}")]
    Malformed {
        /// Which value.
        what: &'static str,
        /// What is wrong.
        why: String,
    },
    /// The signature does not verify with the given public key: the file was changed, or
    /// signed by another key.
    #[error(
        "the checkpoint's signature does not verify with the public key given: it was changed, or signed by another key"
    )]
    BadSignature,
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
    /// A version 1 checkpoint signs no Merkle trees: nothing can be proven against it.
    #[error(
        "the checkpoint is version 1 and signs no Merkle trees: sign a new checkpoint to prove entries"
    )]
    NoTrees,
    /// An inclusion proof does not hold.
    #[error("the inclusion proof does not hold: {why}")]
    ProofFails {
        /// Why.
        why: String,
    },
    /// The log's chains are broken now: nothing to sign.
    #[error("the audit log's chains are broken at entry {id} ({kind}): a broken log is not signed")]
    Broken {
        /// The entry.
        id: i64,
        /// How.
        kind: String,
    },
}

/// What a check of a checkpoint found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOutcome {
    /// The walk of the chains from the checkpoint's heads.
    pub report: ChainReport,
}

impl CheckOutcome {
    /// True when every recorded head is still there and every chain extends it unbroken.
    pub fn holds(&self) -> bool {
        self.report.first_break.is_none()
    }
}

/// A new signing key: its secret (hex, to keep outside the database) and public key (hex).
pub fn generate_key() -> Result<(String, String)> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| malformed("random bytes", e.to_string()))?;
    let key = SigningKey::from_bytes(&secret);
    Ok((hex(&secret), hex(key.verifying_key().as_bytes())))
}

/// Reads a secret key (64 hex digits).
pub fn signing_key(secret_hex: &str) -> Result<SigningKey> {
    let bytes: [u8; 32] = unhex(secret_hex.trim(), "the secret key")?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// Reads a public key (64 hex digits).
pub fn verifying_key(public_hex: &str) -> Result<VerifyingKey> {
    let bytes: [u8; 32] = unhex(public_hex.trim(), "the public key")?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| malformed("the public key", e.to_string()))
}

/// Signs the log's current heads and the roots of its chains' Merkle trees, after checking
/// every chain from its first entry, all in one snapshot (a read-only REPEATABLE READ
/// transaction), so that the trees are over exactly the entries checked.
pub fn sign(conn: &mut PgConnection, database: &str, key: &SigningKey) -> Result<SignedCheckpoint> {
    let mut signed = None;
    let ran = conn
        .build_transaction()
        .repeatable_read()
        .read_only()
        .run(|conn| {
            let result = sign_in_snapshot(conn, database, key);
            let failed = result.is_err();
            signed = Some(result);
            if failed {
                Err(diesel::result::Error::RollbackTransaction)
            } else {
                Ok(())
            }
        });
    signed.unwrap_or_else(|| {
        let e = ran
            .err()
            .unwrap_or(diesel::result::Error::RollbackTransaction);
        Err(compliance_persistence::PersistenceError::from(e).into())
    })
}

fn sign_in_snapshot(
    conn: &mut PgConnection,
    database: &str,
    key: &SigningKey,
) -> Result<SignedCheckpoint> {
    let report = audit_logs::verify_chain(conn)?;
    if let Some(broken) = report.first_break {
        return Err(CheckpointError::Broken {
            id: broken.id,
            kind: broken.kind,
        }
        .into());
    }
    let mut checkpoint = SignedCheckpoint {
        format: FORMAT.into(),
        database: database.into(),
        signed_at: chrono::SubsecRound::trunc_subsecs(Utc::now(), 6),
        entries: report.entries,
        heads: report
            .heads
            .iter()
            .map(|h| format!("{}.{}:{}", h.chain, h.position, h.hash))
            .collect(),
        trees: trees_now(conn, &report.heads)?,
        root: String::new(),
        public_key: hex(key.verifying_key().as_bytes()),
        signature: String::new(),
    };
    let statement = statement(&checkpoint);
    checkpoint.root = hex(&Sha256::digest(statement.as_bytes()));
    checkpoint.signature = hex(&key.sign(statement.as_bytes()).to_bytes());
    Ok(checkpoint)
}

/// Each chain's Merkle tree over its entries up to its head, `CHAIN.SIZE:ROOT`.
fn trees_now(conn: &mut PgConnection, heads: &[Head]) -> Result<Vec<String>> {
    heads
        .iter()
        .map(|head| {
            let leaves = crate::proof::leaves(conn, head.chain, head.position)?;
            Ok(format!(
                "{}.{}:{}",
                head.chain,
                head.position,
                hex(&merkle::root(&leaves))
            ))
        })
        .collect()
}

/// Checks a checkpoint: its signature with `public_key` (the one the operator trusts, not the
/// one the file names), then every chain from the head it recorded.
pub fn check(
    conn: &mut PgConnection,
    checkpoint: &SignedCheckpoint,
    public_key: &VerifyingKey,
) -> Result<CheckOutcome> {
    verify_signature(checkpoint, public_key)?;
    let heads: Checkpoint = checkpoint
        .heads
        .join(",")
        .parse()
        .map_err(|e: String| malformed("the checkpoint's heads", e))?;
    let report = audit_logs::verify_chain_from(conn, Some(&heads))?;
    Ok(CheckOutcome { report })
}

/// Checks a checkpoint's signature with `public_key`, its format (version 1 or 2) and its
/// root, and that a version 2 file has one tree per head, of the head's size. Needs no
/// database.
pub fn verify_signature(checkpoint: &SignedCheckpoint, public_key: &VerifyingKey) -> Result<()> {
    let known = checkpoint.format == FORMAT
        || (checkpoint.format == FORMAT_V1 && checkpoint.trees.is_empty());
    let statement = statement(checkpoint);
    let signature: [u8; 64] = unhex(&checkpoint.signature, "the signature")?;
    public_key
        .verify(statement.as_bytes(), &Signature::from_bytes(&signature))
        .map_err(|_| CheckpointError::BadSignature)?;
    if !known || hex(&Sha256::digest(statement.as_bytes())) != checkpoint.root {
        return Err(CheckpointError::BadSignature.into());
    }
    if checkpoint.format == FORMAT {
        let sizes: Vec<(i16, i64)> = trees(checkpoint)?
            .iter()
            .map(|t| (t.chain, t.size))
            .collect();
        let heads: Vec<(i16, i64)> = heads(checkpoint)?
            .iter()
            .map(|h| (h.chain, h.position))
            .collect();
        if sizes != heads {
            return Err(malformed(
                "the checkpoint's trees",
                "expected one tree per head, of the head's size".into(),
            ));
        }
    }
    Ok(())
}

/// One chain's Merkle tree as a checkpoint signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    /// The chain.
    pub chain: i16,
    /// How many of its entries the tree holds (positions 1 to `size`).
    pub size: i64,
    /// Its root.
    pub root: merkle::Hash,
}

/// The trees of a checkpoint file (none in a version 1 file), in chain order.
pub fn trees(checkpoint: &SignedCheckpoint) -> Result<Vec<Tree>> {
    let bad = || {
        malformed(
            "the checkpoint's trees",
            "expected CHAIN.SIZE:ROOT, the root 64 hex digits".into(),
        )
    };
    let mut trees = Vec::new();
    for text in &checkpoint.trees {
        let (at, root) = text.split_once(':').ok_or_else(bad)?;
        let (chain, size) = at.split_once('.').ok_or_else(bad)?;
        let chain: i16 = chain.parse().map_err(|_| bad())?;
        let size: i64 = size.parse().map_err(|_| bad())?;
        let root: [u8; 32] = unhex(root, "a tree's root")?;
        trees.push(Tree { chain, size, root });
    }
    trees.sort_by_key(|t| t.chain);
    Ok(trees)
}

/// The exact text signed: one field a line, the heads, then (version 2) the trees.
fn statement(c: &SignedCheckpoint) -> String {
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

/// The heads of a checkpoint file, as the chain walk takes them.
pub fn heads(checkpoint: &SignedCheckpoint) -> Result<Vec<Head>> {
    let parsed: Checkpoint = checkpoint
        .heads
        .join(",")
        .parse()
        .map_err(|e: String| malformed("the checkpoint's heads", e))?;
    Ok(parsed.heads)
}

fn malformed(what: &'static str, why: String) -> AppError {
    CheckpointError::Malformed { what, why }.into()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex<const N: usize>(text: &str, what: &'static str) -> Result<[u8; N]> {
    if text.len() != 2 * N || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(malformed(what, format!("expected {} hex digits", 2 * N)));
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)
            .map_err(|e| malformed(what, e.to_string()))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_signed_verifies_and_a_changed_one_does_not() {
        let (secret, public) = generate_key().unwrap();
        let key = signing_key(&secret).unwrap();
        let mut c = SignedCheckpoint {
            format: FORMAT.into(),
            database: "127.0.0.1:5432/compliance_db".into(),
            signed_at: Utc::now(),
            entries: 3,
            heads: vec![format!("0.3:{}", "ab".repeat(32))],
            trees: vec![format!("0.3:{}", "cd".repeat(32))],
            root: String::new(),
            public_key: public.clone(),
            signature: String::new(),
        };
        c.signature = hex(&key.sign(statement(&c).as_bytes()).to_bytes());
        let public = verifying_key(&public).unwrap();
        let sig: [u8; 64] = unhex(&c.signature, "s").unwrap();
        assert!(
            public
                .verify(statement(&c).as_bytes(), &Signature::from_bytes(&sig))
                .is_ok()
        );
        c.entries = 2;
        assert!(
            public
                .verify(statement(&c).as_bytes(), &Signature::from_bytes(&sig))
                .is_err()
        );
        assert!(signing_key("00").is_err());
        assert!(verifying_key(&"zz".repeat(32)).is_err());
    }
}
