//! Who is being onboarded: the entity's identifier and its type.
//!
//! Must not: hold personal data. An [`EntityId`] is an opaque reference that may appear in logs
//! and error messages; names and document numbers never do.

use std::fmt;

crate::text_enum! {
    /// The legal form of an investor.
    ///
    /// ```
    /// use compliance_domain::{EntityType, TextForm};
    /// assert_eq!("fund".parse::<EntityType>()?, EntityType::Fund);
    /// assert_eq!(EntityType::Corporate.as_str(), "corporate");
    /// assert!("Fund".parse::<EntityType>().is_err());
    /// # Ok::<(), compliance_domain::UnknownVariant>(())
    /// ```
    #[strum(serialize_all = "lowercase")]
    pub enum EntityType as "entity type" {
        /// A natural person.
        Individual,
        /// A company or other body corporate.
        Corporate,
        /// An investment fund or other collective vehicle.
        Fund,
    }
}

impl EntityType {
    /// True for legal persons (companies and funds), whose KYC covers owners and constitution.
    pub fn is_legal_person(self) -> bool {
        !matches!(self, EntityType::Individual)
    }
}

/// Why a text is not an [`EntityId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntityIdError {
    /// Shorter than [`EntityId::MIN_LEN`] or longer than [`EntityId::MAX_LEN`].
    #[error("entity id must be {min} to {max} characters long, got {len}", min = EntityId::MIN_LEN, max = EntityId::MAX_LEN)]
    Length {
        /// The length that was given, in characters.
        len: usize,
    },
    /// A character other than `a-z`, `0-9` or `-`, or a misplaced hyphen. The text itself is
    /// not repeated: what was sent in its place may be anything, a name included.
    #[error(
        "entity id is malformed at character {position}: use lower-case letters, digits and single hyphens, starting with a letter and ending with a letter or digit (e.g. ae-ind-clean-001)"
    )]
    Malformed {
        /// The first offending character's position, from 1.
        position: usize,
    },
}

/// The platform's reference for an onboarded entity, e.g. `ae-ind-clean-001`.
///
/// Lower-case ASCII letters, digits and single hyphens; starts with a letter, ends with a letter
/// or digit; 3 to 64 characters. The natural key of a KYC check.
///
/// ```
/// use compliance_domain::EntityId;
/// let id = EntityId::parse("ae-ind-clean-001")?;
/// assert_eq!(id.as_str(), "ae-ind-clean-001");
/// assert!(EntityId::parse("AE-IND-001").is_err());
/// assert!(EntityId::parse("ae--001").is_err());
/// # Ok::<(), compliance_domain::EntityIdError>(())
/// ```
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct EntityId(String);

impl EntityId {
    /// The shortest accepted id.
    pub const MIN_LEN: usize = 3;
    /// The longest accepted id (the database column is `VARCHAR(64)`).
    pub const MAX_LEN: usize = 64;

    /// Parses an id, refusing anything outside the format above.
    pub fn parse(text: &str) -> Result<Self, EntityIdError> {
        let len = text.chars().count();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(EntityIdError::Length { len });
        }
        let bytes = text.as_bytes();
        let allowed = bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
        let starts_with_letter = bytes.first().is_some_and(u8::is_ascii_lowercase);
        let ends_alphanumeric = bytes.last().is_some_and(|b| *b != b'-');
        if allowed && starts_with_letter && ends_alphanumeric && !text.contains("--") {
            Ok(Self(text.to_owned()))
        } else {
            Err(EntityIdError::Malformed {
                position: first_offence(text),
            })
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for EntityId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EntityId {
    type Error = EntityIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EntityId> for String {
    fn from(id: EntityId) -> Self {
        id.0
    }
}

impl std::str::FromStr for EntityId {
    type Err = EntityIdError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// The position (from 1, in characters) of the first character that makes `text` not an
/// entity id: a character outside `a-z0-9-`, a first character that is not a letter, a second
/// hyphen in a row, or a trailing hyphen.
fn first_offence(text: &str) -> usize {
    let mut previous = None;
    let count = text.chars().count();
    for (i, c) in text.chars().enumerate() {
        let allowed = c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        let misplaced = (i == 0 && !c.is_ascii_lowercase())
            || (c == '-' && (previous == Some('-') || i + 1 == count));
        if !allowed || misplaced {
            return i + 1;
        }
        previous = Some(c);
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_seed_ids() {
        for id in [
            "ae-ind-clean-001",
            "in-corp-pep-002",
            "us-fund-pending-003",
            "abc",
        ] {
            assert_eq!(EntityId::parse(id).unwrap().as_str(), id);
        }
    }

    #[test]
    fn refuses_bad_shapes() {
        for bad in [
            "ab", "-abc", "abc-", "1abc", "a--b", "ab c", "abç", "ABC", "a_b",
        ] {
            assert!(EntityId::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(
            EntityId::parse(&"a".repeat(65)),
            Err(EntityIdError::Length { len: 65 })
        );
        assert!(EntityId::parse(&"a".repeat(64)).is_ok());
    }

    /// Issue 17, defect 9: a refused id is not echoed (what was sent may be anything, a name
    /// included); the error says where it went wrong.
    #[test]
    fn a_refused_id_is_not_echoed() {
        for (bad, at) in [
            ("john smith", 5),
            ("-abc", 1),
            ("1abc", 1),
            ("abc-", 4),
            ("a--b", 3),
            ("abç", 3),
            ("Mary", 1),
        ] {
            let err = EntityId::parse(bad).unwrap_err();
            assert_eq!(err, EntityIdError::Malformed { position: at }, "{bad:?}");
            assert!(!err.to_string().contains(bad), "{err}");
        }
    }

    #[test]
    fn serde_refuses_what_parse_refuses() {
        assert!(serde_json::from_str::<EntityId>(r#""a--b""#).is_err());
        let id: EntityId = serde_json::from_str(r#""us-ind-standard-002""#).unwrap();
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            r#""us-ind-standard-002""#
        );
    }

    #[test]
    fn legal_persons() {
        assert!(!EntityType::Individual.is_legal_person());
        assert!(EntityType::Corporate.is_legal_person());
        assert!(EntityType::Fund.is_legal_person());
    }
}
