//! API token secrets: drawn from the operating system's generator (256 bits), shown once as
//! `cdb_` and 64 hex digits, stored only as their SHA-256 (`repo::api_tokens`; creating one is
//! an administrator's, `compliance_ops::admin`). The same generator draws the back office's
//! session secrets (`cds_`, [`crate::SESSION_PREFIX`]) and its sign-in form tokens.
//!
//! Must not: log, print in `Debug`, or put in an error a secret; only [`TokenSecret::expose`]
//! gives it out, for the one time it is shown.

use crate::{AppError, Result};
use sha2::{Digest, Sha256};
use std::fmt;

/// What every secret starts with, so that a leaked one is recognisable (secret scanners).
pub const PREFIX: &str = "cdb_";

/// A token's secret, in the hands of the one who created it.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    /// The secret, to show once. Nothing else prints it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret(<redacted>)")
    }
}

/// A new random secret and its hash.
pub fn generate() -> Result<(TokenSecret, [u8; 32])> {
    let (secret, hash) = random_secret(PREFIX)?;
    Ok((TokenSecret(secret), hash))
}

/// The hash to look a presented secret up by, or `None` when it is not shaped like one of
/// ours (then no query is needed to refuse it).
pub fn hash_presented(secret: &str) -> Option<[u8; 32]> {
    hash_with_prefix(PREFIX, secret)
}

/// `prefix` and 256 random bits in hex, and the SHA-256 of the whole (API tokens and
/// back-office sessions).
pub fn random_secret(prefix: &str) -> Result<(String, [u8; 32])> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        AppError::Internal(format!(
            "the operating system's random generator failed: {e}"
        ))
    })?;
    let mut secret = String::with_capacity(prefix.len() + 64);
    secret.push_str(prefix);
    for b in bytes {
        secret.push_str(&format!("{b:02x}"));
    }
    let hash = digest(&secret);
    Ok((secret, hash))
}

/// The SHA-256 of `secret` when it is `prefix` and 64 lower-case hex digits, else `None`.
pub(crate) fn hash_with_prefix(prefix: &str, secret: &str) -> Option<[u8; 32]> {
    let hex = secret.strip_prefix(prefix)?;
    (hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .then(|| digest(secret))
}

pub(crate) fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_well_formed_and_never_printed() {
        let (a, hash_a) = generate().unwrap();
        let (b, _) = generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 68);
        assert_eq!(hash_presented(a.expose()), Some(hash_a));
        assert!(!format!("{a:?}").contains(&a.expose()[4..]));
        for bad in [
            "",
            "cdb_",
            "Bearer x",
            &a.expose().to_uppercase(),
            &a.expose()[..67],
        ] {
            assert_eq!(hash_presented(bad), None, "{bad}");
        }
    }
}
