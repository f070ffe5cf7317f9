//! A beneficial owner recorded, in one transaction: the recorder read again (active, and of a
//! role that records owners), the owned entity's owners locked, the rules of
//! [`compliance_domain::plan_owner`] checked against the current cases and the shares recorded
//! under that lock, then the row with its `owner_recorded` audit entry
//! (`repo::beneficial_owners`). The guard trigger checks every rule a third time.
//!
//! Must not: change a record (there is no such operation: a record is evidence), or move any
//! case.

use super::ComplianceService;
use crate::records::{CurrentCase, OwnerRecord, OwnershipRecord};
use crate::{AppError, Result};
use compliance_domain::{CaseId, EntityId, OwnershipError, OwnershipShare, Permission, UserId};
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::beneficial_owners::{self, StoredOwner};
use compliance_persistence::repo::{case_submissions, compliance_checks, users};

/// `entity`'s current case, if it has one: two primary-key reads (its latest submission, then
/// that case).
pub(crate) fn current_case(
    conn: &mut PgConnection,
    entity: &EntityId,
) -> Result<Option<CurrentCase>> {
    let Some(current) = case_submissions::current(conn, entity)? else {
        return Ok(None);
    };
    let stored = compliance_checks::find(conn, current.compliance_check_id)?;
    Ok(Some(CurrentCase {
        id: CaseId::from_uuid(stored.id),
        status: stored.status,
        risk_level: stored.decision.risk_level(),
    }))
}

/// A stored owner with both sides' current cases.
fn owner_record(conn: &mut PgConnection, stored: StoredOwner) -> Result<OwnerRecord> {
    Ok(OwnerRecord {
        owner_case: current_case(conn, &stored.owner_id)?,
        entity_case: current_case(conn, &stored.entity_id)?,
        entity_id: stored.entity_id,
        owner_id: stored.owner_id,
        share: stored.share,
        recorded_by: stored.recorded_by,
        recorded_at: stored.recorded_at,
    })
}

/// `entity`'s owners and what it owns, each with both sides' current cases.
pub(crate) fn ownership(conn: &mut PgConnection, entity: &EntityId) -> Result<OwnershipRecord> {
    let owners = beneficial_owners::owners_of(conn, entity)?
        .into_iter()
        .map(|s| owner_record(conn, s))
        .collect::<Result<Vec<_>>>()?;
    let owns = beneficial_owners::owned_by(conn, entity)?
        .into_iter()
        .map(|s| owner_record(conn, s))
        .collect::<Result<Vec<_>>>()?;
    Ok(OwnershipRecord {
        entity_id: entity.clone(),
        owners,
        owns,
    })
}

impl ComplianceService {
    /// Records `owner` as a beneficial owner of `entity` with `share`, by `by`.
    pub(crate) fn record_owner(
        &self,
        by: UserId,
        entity: &EntityId,
        owner: &EntityId,
        share: OwnershipShare,
    ) -> Result<OwnerRecord> {
        self.run(by, |conn| {
            let user = users::find(conn, by)?;
            if !user.active {
                return Err(AppError::Unauthenticated("the user is inactive"));
            }
            if !user.role.may(Permission::RecordOwners) {
                return Err(AppError::Forbidden {
                    role: user.role,
                    what: "record beneficial owners",
                });
            }
            if entity == owner {
                return Err(OwnershipError::OwnsItself(entity.clone()).into());
            }
            // Before the shares are read: a concurrent record of the same entity's owners waits
            // here until this transaction ends, then reads them with this one's included.
            beneficial_owners::lock(conn, entity)?;
            let entity_type =
                beneficial_owners::current_type(conn, entity)?.ok_or_else(|| AppError::NotFound {
                    what: "entity",
                    key: entity.to_string(),
                })?;
            if let Some(recorded) = beneficial_owners::find(conn, entity, owner)? {
                return Err(AppError::Conflict {
                    what: "beneficial owner",
                    key: format!("{entity}/{owner}"),
                    reason: format!(
                        "it was recorded already, at {} (a record is never changed)",
                        recorded.recorded_at
                    ),
                });
            }
            let owner_type = beneficial_owners::current_type(conn, owner)?;
            let recorded = beneficial_owners::recorded_share(conn, entity)?;
            compliance_domain::plan_owner(entity, entity_type, owner, owner_type, recorded, share)?;
            let stored = beneficial_owners::record(conn, entity, owner, share, by)?;
            tracing::info!(entity = %entity, owner = %owner, actor = %by, "beneficial owner recorded");
            owner_record(conn, stored)
        })
    }
}
