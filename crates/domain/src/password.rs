//! A person's sign-in password, in memory only: checked for length (NIST SP 800-63B: at least
//! 12 characters here, at most 128) and never printed. Hashing it is the app's (Argon2id); this
//! crate does no I/O and no cryptography.

use std::fmt;

/// Why a text cannot be a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Shorter than [`Password::MIN_LEN`] or longer than [`Password::MAX_LEN`] characters.
    #[error("a password has {min} to {max} characters, got {len}", min = Password::MIN_LEN, max = Password::MAX_LEN)]
    Length {
        /// Its length, in characters.
        len: usize,
    },
    /// It holds a control character (a pasted newline, say).
    #[error("a password holds no control characters")]
    Control,
}

/// A password as typed. `Debug` and `Display` never show it; [`Password::expose`] gives it to
/// the hasher.
///
/// ```
/// use compliance_domain::Password;
/// let p = Password::parse("correct horse battery")?;
/// assert_eq!(format!("{p:?}"), "Password(<redacted>)");
/// assert!(Password::parse("short").is_err());
/// # Ok::<(), compliance_domain::PasswordError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// The shortest password, in characters.
    pub const MIN_LEN: usize = 12;
    /// The longest, in characters (Argon2 takes any length; this bounds the work per attempt).
    pub const MAX_LEN: usize = 128;

    /// Takes a password as typed (not trimmed: spaces are part of it).
    pub fn parse(text: &str) -> Result<Self, PasswordError> {
        let len = text.chars().count();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(PasswordError::Length { len });
        }
        if text.chars().any(char::is_control) {
            return Err(PasswordError::Control);
        }
        Ok(Self(text.to_owned()))
    }

    /// The password, for the hasher. Nothing else shows it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn lengths_outside_the_bounds_are_refused(len in 0usize..200) {
            let text = "é".repeat(len);
            let parsed = Password::parse(&text);
            prop_assert_eq!(parsed.is_ok(), (Password::MIN_LEN..=Password::MAX_LEN).contains(&len));
            if let Ok(p) = parsed {
                let shown = format!("{p:?}");
                prop_assert!(!shown.contains('é'));
            }
        }
    }

    #[test]
    fn control_characters_are_refused() {
        assert_eq!(
            Password::parse("twelve chars\n"),
            Err(PasswordError::Control)
        );
        assert!(Password::parse("  twelve  chars  ").is_ok());
    }
}
