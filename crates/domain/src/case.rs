//! A case: one entity's KYC check and the AML screening it is decided with, and a case's id.
//!
//! Must not: combine a KYC check and a screening of different entities; the types do not carry
//! the entity twice, so they cannot disagree.

use crate::{AmlScreening, KycCheck};

/// What the rules engine decides on: a KYC check and an AML screening of the same entity.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The KYC check (which names the entity, its type and jurisdiction).
    pub kyc: KycCheck,
    /// The AML screening of that entity.
    pub aml: AmlScreening,
}

/// A case's id (a UUID): what the API's paths, the audit trail and logs name a case by.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct CaseId(uuid::Uuid);

impl CaseId {
    /// Wraps a UUID.
    pub fn from_uuid(id: uuid::Uuid) -> Self {
        Self(id)
    }

    /// The UUID.
    pub fn as_uuid(self) -> uuid::Uuid {
        self.0
    }
}

impl std::fmt::Display for CaseId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Why a text is not a case id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a case id is a UUID: 32 hex digits in groups of 8-4-4-4-12")]
pub struct CaseIdError;

impl std::str::FromStr for CaseId {
    type Err = CaseIdError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::parse_str(text)
            .map(Self)
            .map_err(|_| CaseIdError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_id_reads_and_prints_a_uuid_and_nothing_else() {
        let text = "4c1d7a2e-5b6f-4e8a-9c0d-1e2f3a4b5c6d";
        let id: CaseId = text.parse().unwrap();
        assert_eq!(id.to_string(), text);
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{text}\""));
        for bad in ["", "4c1d", "not-a-uuid", "'; DROP TABLE x; --"] {
            let err = bad.parse::<CaseId>().unwrap_err();
            assert!(bad.is_empty() || !err.to_string().contains(bad));
        }
    }
}
