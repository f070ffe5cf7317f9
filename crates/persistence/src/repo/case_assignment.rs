//! Who works a case: `compliance_checks.assigned_to`, with who last changed it and when, and a
//! `case_claimed`, `case_assigned` or `case_released` audit entry for every change.
//!
//! Must not: decide who may change an assignment (the domain's `plan_assignment` does, and
//! `compliance_checks_assignment_guard()` again), or change one the caller did not see: every
//! change names the case's revision, so that two claims at once are a lost race, not an
//! overwrite.

use crate::Result;
use crate::repo::audit_logs;
use crate::repo::compliance_checks::{
    ComplianceCheckRow, StoredComplianceCheck, event, lost_update,
};
use crate::schema::compliance_checks;
use compliance_domain::{AssignmentChange, EntityId, UserId};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

/// Makes an assignment change on case `id` if it is still at `expected_revision` (else
/// [`crate::PersistenceError::Stale`]), as `actor`, with its audit entry, in one transaction.
/// The database dates it (`assigned_at`).
pub fn change(
    conn: &mut PgConnection,
    id: Uuid,
    expected_revision: i32,
    entity_id: &EntityId,
    actor: UserId,
    change: &AssignmentChange,
) -> Result<StoredComplianceCheck> {
    crate::convert::atomic(conn, |conn| {
        let row = diesel::update(
            compliance_checks::table
                .filter(compliance_checks::id.eq(id))
                .filter(compliance_checks::revision.eq(expected_revision)),
        )
        .set((
            compliance_checks::assigned_to.eq(change.assignee.map(|u| u.as_uuid())),
            compliance_checks::assigned_by.eq(Some(actor.as_uuid())),
            // The guard sets the database's time; this only says the column changes.
            compliance_checks::assigned_at.eq(Some(chrono::Utc::now())),
            compliance_checks::revision.eq(compliance_checks::revision + 1),
        ))
        .returning(ComplianceCheckRow::as_returning())
        .get_result(conn)
        .optional()?;
        let Some(row) = row else {
            return Err(lost_update(conn, id, expected_revision));
        };
        let stored: StoredComplianceCheck = row.try_into()?;
        let details = serde_json::json!({
            "revision": stored.revision,
            "assignee": change.assignee,
            "previous_assignee": change.previous,
        });
        let audit = event(
            actor,
            change.action.into(),
            &stored,
            entity_id,
            None,
            details,
        )?;
        audit_logs::append(conn, &audit)?;
        Ok(stored)
    })
}
