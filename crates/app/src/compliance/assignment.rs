//! Who works which case: a reviewer claims a case of the review queue or releases their own; an
//! admin or compliance officer assigns one to a reviewer, reassigns or releases anyone's. Each
//! change names the revision the caller saw and is audited as the caller.
//!
//! Must not: let an assignment stand in for a decision's rules. Four eyes and the role table
//! hold whoever works the case.

use super::{Caller, Compliance};
use crate::Result;
use crate::records::AssignmentRecord;
use crate::service::assignment::Ask;
use compliance_domain::{CaseId, Permission, Role, UserId, Username};
use compliance_persistence::repo::users::{self, UserFilter};

impl Compliance {
    /// The caller takes the case at the revision they saw (an analyst only an unassigned
    /// PENDING case; an officer or admin any case of the queue, taking it over).
    pub fn claim(&self, caller: &Caller, case: CaseId, revision: i32) -> Result<AssignmentRecord> {
        caller.require(Permission::ClaimCases, "claim cases")?;
        self.service
            .assign(case, caller.user(), Ask::Claim, revision)
    }

    /// An admin or compliance officer gives the case to `assignee`, a reviewer whose role may
    /// decide the case's status, at the revision they saw.
    pub fn assign(
        &self,
        caller: &Caller,
        case: CaseId,
        assignee: UserId,
        revision: i32,
    ) -> Result<AssignmentRecord> {
        caller.require(Permission::AssignCases, "assign cases")?;
        self.service
            .assign(case, caller.user(), Ask::Assign(assignee), revision)
    }

    /// Leaves the case unassigned, at the revision the caller saw: an analyst their own case,
    /// an officer or admin anyone's.
    pub fn release(
        &self,
        caller: &Caller,
        case: CaseId,
        revision: i32,
    ) -> Result<AssignmentRecord> {
        caller.require(Permission::ClaimCases, "release cases")?;
        self.service
            .assign(case, caller.user(), Ask::Release, revision)
    }

    /// The active people who review (analysts, compliance officers, admins), by username: whom
    /// a case may be assigned to.
    pub fn reviewers(&self, caller: &Caller) -> Result<Vec<(UserId, Username, Role)>> {
        caller.require(Permission::AssignCases, "assign cases")?;
        self.service.read(|conn| {
            let people = users::list(
                conn,
                UserFilter {
                    active: Some(true),
                    ..UserFilter::default()
                },
            )?;
            Ok(people
                .into_iter()
                .filter(|u| u.role.is_human())
                .map(|u| (u.id, u.username, u.role))
                .collect())
        })
    }
}
