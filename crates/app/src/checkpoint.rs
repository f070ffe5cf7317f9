//! Signed checkpoints of the audit log, after Certificate Transparency's signed tree heads
//! (RFC 9162): the heads of the sixteen chains, signed with an Ed25519 key held outside the
//! database, written to a file an operator keeps elsewhere (WORM storage, a ticket, another
//! system). A later check given that file proves the log still extends it, whoever owns the
//! database: a superuser who rewrites a chain consistently (every hash recomputed) passes the
//! chain's own check, not the checkpoint's.
//!
//! Must not: sign a log whose chains are broken, accept a checkpoint whose signature does not
//! verify, or ever read or print a secret key from or to the database.

use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::audit_logs::{self, ChainReport, Checkpoint, Head};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

/// The first line of every signed statement (its format and version).
pub const FORMAT: &str = "compliance-db audit checkpoint v1";

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

/// Signs the log's current heads, after checking every chain from its first entry.
pub fn sign(conn: &mut PgConnection, database: &str, key: &SigningKey) -> Result<SignedCheckpoint> {
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
        root: String::new(),
        public_key: hex(key.verifying_key().as_bytes()),
        signature: String::new(),
    };
    let statement = statement(&checkpoint);
    checkpoint.root = hex(&Sha256::digest(statement.as_bytes()));
    checkpoint.signature = hex(&key.sign(statement.as_bytes()).to_bytes());
    Ok(checkpoint)
}

/// Checks a checkpoint: its signature with `public_key` (the one the operator trusts, not the
/// one the file names), then every chain from the head it recorded.
pub fn check(
    conn: &mut PgConnection,
    checkpoint: &SignedCheckpoint,
    public_key: &VerifyingKey,
) -> Result<CheckOutcome> {
    let statement = statement(checkpoint);
    let signature: [u8; 64] = unhex(&checkpoint.signature, "the signature")?;
    public_key
        .verify(statement.as_bytes(), &Signature::from_bytes(&signature))
        .map_err(|_| CheckpointError::BadSignature)?;
    if checkpoint.format != FORMAT || hex(&Sha256::digest(statement.as_bytes())) != checkpoint.root
    {
        return Err(CheckpointError::BadSignature.into());
    }
    let heads: Checkpoint = checkpoint
        .heads
        .join(",")
        .parse()
        .map_err(|e: String| malformed("the checkpoint's heads", e))?;
    let report = audit_logs::verify_chain_from(conn, Some(&heads))?;
    Ok(CheckOutcome { report })
}

/// The exact text signed: one field a line, the heads last.
fn statement(c: &SignedCheckpoint) -> String {
    let mut text = format!(
        "{FORMAT}\ndatabase: {}\nsigned_at: {}\nentries: {}\n",
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(text: &str, what: &'static str) -> Result<[u8; N]> {
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
