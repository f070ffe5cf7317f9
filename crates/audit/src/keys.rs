//! Ed25519 keys of signed checkpoints: a new pair, and either half read from hex.
//!
//! Must not: print, log or put in an error a secret key.

use crate::hex::{hex, unhex};
use crate::{AuditError, Result};
pub use ed25519_dalek::{Signer, SigningKey, VerifyingKey};

/// A new signing key: its secret (hex, to keep outside the database) and public key (hex).
pub fn generate_key() -> Result<(String, String)> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)
        .map_err(|e| AuditError::malformed("random bytes", e.to_string()))?;
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
    VerifyingKey::from_bytes(&bytes)
        .map_err(|e| AuditError::malformed("the public key", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_pair_reads_back_and_garbage_does_not() {
        let (secret, public) = generate_key().unwrap();
        let key = signing_key(&secret).unwrap();
        assert_eq!(hex(key.verifying_key().as_bytes()), public);
        assert_eq!(verifying_key(&public).unwrap(), key.verifying_key());
        assert!(signing_key("00").is_err());
        assert!(verifying_key(&"zz".repeat(32)).is_err());
    }
}
