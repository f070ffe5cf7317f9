//! The bodies of beneficial owners: who owns a corporate or a fund, how much, recorded by whom
//! and when, and each side's current case (ids, statuses and risk levels only).
//!
//! Must not: be built from anything but the library's records.

use crate::http::schemas as S;
use chrono::{DateTime, Utc};
use compliance_app::records as R;
use compliance_domain::{CaseId, CheckStatus, EntityId, OwnershipShare, RiskLevel, UserId};
use serde::Serialize;

/// An entity's current case, in brief.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CaseBrief {
    /// The case.
    #[schema(value_type = S::CaseId)]
    pub id: CaseId,
    /// Its status.
    #[schema(value_type = S::CheckStatus, example = "APPROVED")]
    pub status: CheckStatus,
    /// Its risk level.
    #[schema(value_type = S::RiskLevel, example = "LOW")]
    pub risk_level: RiskLevel,
}

impl From<R::CurrentCase> for CaseBrief {
    fn from(record: R::CurrentCase) -> Self {
        let R::CurrentCase {
            id,
            status,
            risk_level,
        } = record;
        Self {
            id,
            status,
            risk_level,
        }
    }
}

/// A recorded beneficial owner of a corporate or a fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Owner {
    /// The corporate or fund owned.
    #[schema(value_type = S::EntityId)]
    pub entity_id: EntityId,
    /// The owner, an entity of its own.
    #[schema(value_type = S::EntityId)]
    pub owner_id: EntityId,
    /// The share of ownership declared, in percent, as text (e.g. `"12.5"`).
    #[schema(value_type = S::OwnershipShare)]
    pub share: OwnershipShare,
    /// Who recorded it.
    #[schema(value_type = uuid::Uuid)]
    pub recorded_by: UserId,
    /// When.
    pub recorded_at: DateTime<Utc>,
    /// The owner's current case; `null` when it has none yet.
    pub owner_case: Option<CaseBrief>,
    /// The owned entity's current case.
    pub entity_case: Option<CaseBrief>,
}

impl From<R::OwnerRecord> for Owner {
    fn from(record: R::OwnerRecord) -> Self {
        let R::OwnerRecord {
            entity_id,
            owner_id,
            share,
            recorded_by,
            recorded_at,
            owner_case,
            entity_case,
        } = record;
        Self {
            entity_id,
            owner_id,
            share,
            recorded_by,
            recorded_at,
            owner_case: owner_case.map(Into::into),
            entity_case: entity_case.map(Into::into),
        }
    }
}

/// An entity's recorded ownership: its owners, and what it owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Ownership {
    /// The entity.
    #[schema(value_type = S::EntityId)]
    pub entity_id: EntityId,
    /// Its recorded owners (a corporate's or a fund's), in the order recorded.
    pub owners: Vec<Owner>,
    /// The entities it is recorded as owning (an individual's), in the order recorded.
    pub owns: Vec<Owner>,
}

impl From<R::OwnershipRecord> for Ownership {
    fn from(record: R::OwnershipRecord) -> Self {
        let R::OwnershipRecord {
            entity_id,
            owners,
            owns,
        } = record;
        Self {
            entity_id,
            owners: owners.into_iter().map(Into::into).collect(),
            owns: owns.into_iter().map(Into::into).collect(),
        }
    }
}
