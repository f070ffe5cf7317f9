//! A claim, an assignment or a release of a case, in one transaction: the case locked, the
//! revision the caller saw compared, the domain's `plan_assignment`, then the change and its
//! audit entry (`repo::case_assignment`).
//!
//! Must not: change an assignment the caller did not see (a moved revision is a conflict), or
//! write anything when the request changes nothing.

use super::ComplianceService;
use super::review::{require_current, stale};
use crate::records::AssignmentRecord;
use crate::{AppError, Result};
use compliance_domain::{
    AssignmentError, AssignmentRequest, CaseId, CheckStatus, Reviewer, UserId, plan_assignment,
};
use compliance_persistence::PersistenceError;
use compliance_persistence::repo::compliance_checks::{self, StoredComplianceCheck};
use compliance_persistence::repo::{case_assignment, kyc_checks, users};

/// What the caller asks, before the assignee is read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ask {
    /// Take the case.
    Claim,
    /// Give it to this user.
    Assign(UserId),
    /// Leave it unassigned.
    Release,
}

fn record(
    case: &StoredComplianceCheck,
    action: Option<compliance_domain::AssignmentAction>,
) -> AssignmentRecord {
    AssignmentRecord {
        case_id: CaseId::from_uuid(case.id),
        action,
        assignee: case.assigned_to,
        assigned_at: case.assigned_at,
        revision: case.revision,
    }
}

impl ComplianceService {
    /// Changes who works `case_id` as `actor` asks, if the case is still at
    /// `expected_revision`.
    pub(crate) fn assign(
        &self,
        case_id: CaseId,
        actor: UserId,
        ask: Ask,
        expected_revision: i32,
    ) -> Result<AssignmentRecord> {
        self.run(actor, |conn| {
            let case = compliance_checks::lock(conn, case_id.as_uuid())?;
            if case.revision != expected_revision {
                return Err(stale(&case, expected_revision).into());
            }
            let actor = Reviewer::try_from(&users::find(conn, actor)?)?;
            let request = match ask {
                Ask::Claim => AssignmentRequest::Claim,
                Ask::Release => AssignmentRequest::Release,
                Ask::Assign(id) => {
                    let user = users::find(conn, id).map_err(|e| match e {
                        PersistenceError::NotFound { .. } => {
                            AppError::Assignment(AssignmentError::UnknownAssignee(id))
                        }
                        other => other.into(),
                    })?;
                    AssignmentRequest::Assign(
                        Reviewer::try_from(&user).map_err(AssignmentError::NotAReviewer)?,
                    )
                }
            };
            let kyc = kyc_checks::find(conn, case.kyc_check_id)?;
            let entity = &kyc.check.entity_id;
            require_current(conn, &case, entity)?;
            let in_queue = matches!(case.status, CheckStatus::Pending | CheckStatus::Escalated)
                || case.engine_stricter();
            let Some(change) =
                plan_assignment(&actor, case.assigned_to, case.status, in_queue, request)?
            else {
                return Ok(record(&case, None));
            };
            let after =
                case_assignment::change(conn, case.id, case.revision, entity, actor.id(), &change)?;
            tracing::info!(case = %case.id, actor = %actor.id(), action = %change.action, "case assignment changed");
            Ok(record(&after, Some(change.action)))
        })
    }
}
