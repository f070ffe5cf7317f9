//! Beneficial owners: recording one (the system agent, relaying the onboarding service's
//! ownership declaration, or an admin or compliance officer) and reading an entity's recorded
//! ownership. The rules are the domain's ([`compliance_domain::plan_owner`]); the service
//! checks them in its transaction, the database a third time.
//!
//! Must not: change or remove a record: recorded owners are evidence.

use super::{Caller, Compliance};
use crate::Result;
use crate::records::{OwnerRecord, OwnershipRecord};
use compliance_domain::{EntityId, OwnershipShare, Permission};

impl Compliance {
    /// The caller records `owner` as a beneficial owner of `entity` with `share` percent.
    /// Refused: an entity with no case (not found); `owner` the entity itself, an entity whose
    /// current case is not a corporate's or a fund's, an owner whose current case is not an
    /// individual's, shares over 100 in all ([`crate::AppError::Ownership`]); a pair recorded
    /// already (a conflict). Nothing is written when refused.
    pub fn record_owner(
        &self,
        caller: &Caller,
        entity: &EntityId,
        owner: &EntityId,
        share: OwnershipShare,
    ) -> Result<OwnerRecord> {
        caller.require(Permission::RecordOwners, "record beneficial owners")?;
        self.service
            .record_owner(caller.user(), entity, owner, share)
    }

    /// The entity's recorded owners and what it is recorded as owning, each with both sides'
    /// current cases (empty lists when nothing is recorded): ids, shares and statuses, for
    /// every role that reads cases.
    pub fn ownership(&self, caller: &Caller, entity: &EntityId) -> Result<OwnershipRecord> {
        caller.require(Permission::ReadCases, "read cases")?;
        self.service
            .read_snapshot(|conn| crate::service::owners::ownership(conn, entity))
    }
}
