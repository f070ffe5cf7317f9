//! Back-office passwords: Argon2id (version 19, OWASP's parameters: 19 MiB, two passes, one
//! lane) with a 128-bit salt from the operating system's generator, stored as a PHC string
//! (`repo::passwords`; setting one is an administrator's, `compliance_ops::admin`).
//!
//! Must not: log, print or put in an error a password or a hash; take a different time to
//! refuse an unknown user than a wrong password ([`verify_nothing`] spends the same work).

use crate::{AppError, Result};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use compliance_domain::Password;
use std::sync::OnceLock;

fn hasher() -> Argon2<'static> {
    // OWASP's password storage cheat sheet: m = 19456 KiB, t = 2, p = 1. The database's CHECK
    // refuses anything weaker.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The Argon2id PHC string of `password`, with a fresh salt.
pub fn hash(password: &Password) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| {
        AppError::Internal(format!(
            "the operating system's random generator failed: {e}"
        ))
    })?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| hashing_failed())?;
    hasher()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| hashing_failed())
}

fn hashing_failed() -> AppError {
    AppError::Internal("the password could not be hashed".into())
}

/// True when `typed` is the password `stored` (a PHC string) was made from. A malformed stored
/// hash matches nothing.
pub fn verify(stored: &str, typed: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher().verify_password(typed.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Spends the work of one [`verify`] and refuses: what a sign-in for an unknown user, or one
/// without a password, does, so that timing does not tell which usernames exist.
pub fn verify_nothing(typed: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        Password::parse("no one's password, only work")
            .ok()
            .and_then(|p| hash(&p).ok())
    });
    if let Some(dummy) = dummy {
        let _ = verify(dummy, typed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only_and_is_argon2id_at_owasp_strength() {
        let password = Password::parse("correct horse battery staple").unwrap();
        let stored = hash(&password).unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(!stored.contains("correct horse"));
        assert!(verify(&stored, password.expose()));
        assert!(!verify(&stored, "correct horse battery stapl"));
        assert!(!verify("not a phc string", password.expose()));
        // A fresh salt each time.
        assert_ne!(hash(&password).unwrap(), stored);
    }
}
