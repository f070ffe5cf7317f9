//! An API token's label, as an operator names it (`ci-onboarding`, `back office, alice`).
//!
//! Must not: hold the token's secret: secrets live only in the caller's hands and, hashed, in
//! the database; this crate never sees one.

use std::fmt;

/// Why a text is not a token name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenNameError {
    /// Blank, or longer than [`TokenName::MAX_LEN`] characters.
    #[error("a token name has 1 to {max} characters, got {len}", max = TokenName::MAX_LEN)]
    Length {
        /// Its length after trimming.
        len: usize,
    },
    /// A control character.
    #[error("a token name has no control characters")]
    Control,
}

/// A token's label: trimmed, 1 to 64 characters, no control character.
///
/// ```
/// use compliance_domain::TokenName;
/// assert_eq!(TokenName::parse("  onboarding-service ")?.as_str(), "onboarding-service");
/// assert!(TokenName::parse(" ").is_err());
/// assert!(TokenName::parse("a\nb").is_err());
/// # Ok::<(), compliance_domain::TokenNameError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct TokenName(String);

impl TokenName {
    /// The longest name, in characters.
    pub const MAX_LEN: usize = 64;

    /// Parses a name, trimming it first.
    pub fn parse(text: &str) -> Result<Self, TokenNameError> {
        let text = text.trim();
        let len = text.chars().count();
        if !(1..=Self::MAX_LEN).contains(&len) {
            return Err(TokenNameError::Length { len });
        }
        if text.chars().any(char::is_control) {
            return Err(TokenNameError::Control);
        }
        Ok(Self(text.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TokenName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
