//! A case: one entity's KYC check and the AML screening it is decided with.
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
