//! Beneficial owners as a caller sees them: who owns a corporate or a fund, how much, recorded
//! by whom and when, and where each side's current case stands.

use chrono::{DateTime, Utc};
use compliance_domain::{CaseId, CheckStatus, EntityId, OwnershipShare, RiskLevel, UserId};
use serde::Serialize;

/// An entity's current case, as a search result or an owners list names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CurrentCase {
    /// The case.
    pub id: CaseId,
    /// Its status.
    pub status: CheckStatus,
    /// Its risk level.
    pub risk_level: RiskLevel,
}

/// One recorded beneficial owner of a corporate or a fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerRecord {
    /// The corporate or fund owned.
    pub entity_id: EntityId,
    /// The owner, an entity of its own.
    pub owner_id: EntityId,
    /// The share of ownership declared, in percent.
    pub share: OwnershipShare,
    /// Who recorded it (the system agent for the onboarding service, or an officer).
    pub recorded_by: UserId,
    /// When (the database's clock).
    pub recorded_at: DateTime<Utc>,
    /// The owner's current case, or `None` when it has none yet.
    pub owner_case: Option<CurrentCase>,
    /// The owned entity's current case.
    pub entity_case: Option<CurrentCase>,
}

/// An entity's place in the recorded ownership: its owners (a corporate's or a fund's) and what
/// it owns (an individual's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnershipRecord {
    /// The entity.
    pub entity_id: EntityId,
    /// Its recorded owners, in the order recorded.
    pub owners: Vec<OwnerRecord>,
    /// The entities it is recorded as owning, in the order recorded.
    pub owns: Vec<OwnerRecord>,
}
