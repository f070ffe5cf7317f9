//! Who works a case: a reviewer claims it, an admin or compliance officer assigns it to a
//! reviewer, either releases it; and what an assignment means for a reviewer's step on the case.
//!
//! Must not: decide a case or weaken four eyes. An assignment says who works a case, never who
//! may decide it: [`plan_review`](crate::plan_review) is unchanged by it, and an officer or
//! admin is never blocked by someone else's assignment (the step records it instead).

use crate::{CheckStatus, NotAReviewer, Reviewer, Role, UserId};

/// What is asked of a case's assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentRequest {
    /// The caller takes the case.
    Claim,
    /// The caller gives the case to this reviewer (admins and compliance officers).
    Assign(Reviewer),
    /// Nobody works the case any more.
    Release,
}

crate::text_enum! {
    /// What an assignment change was, as the audit log names it.
    #[strum(serialize_all = "snake_case")]
    pub enum AssignmentAction as "assignment action" {
        /// A reviewer took the case for themselves.
        Claimed,
        /// An admin or compliance officer gave the case to a reviewer.
        Assigned,
        /// The case was left unassigned.
        Released,
    }
}

impl From<AssignmentAction> for crate::AuditAction {
    fn from(action: AssignmentAction) -> Self {
        match action {
            AssignmentAction::Claimed => Self::CaseClaimed,
            AssignmentAction::Assigned => Self::CaseAssigned,
            AssignmentAction::Released => Self::CaseReleased,
        }
    }
}

/// An assignment change the rules allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssignmentChange {
    /// What it is.
    pub action: AssignmentAction,
    /// Who works the case after it (`None` once released).
    pub assignee: Option<UserId>,
    /// Who worked it before.
    pub previous: Option<UserId>,
}

/// Why an assignment change, or a step on an assigned case, is not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentError {
    /// Only a case in the review queue is assigned.
    #[error(
        "the case is {status} and not in the review queue: only a case awaiting review is assigned"
    )]
    NotInQueue {
        /// Its status.
        status: CheckStatus,
    },
    /// An analyst asked to assign a case to someone.
    #[error(
        "a {role} claims an unassigned case or releases their own; assigning is for compliance officers and admins"
    )]
    MayNotAssign {
        /// The caller's role.
        role: Role,
    },
    /// The case is someone else's, and the caller (an analyst) may not take it over.
    #[error(
        "the case is assigned to user {assignee}: an analyst leaves it to them (a compliance officer or admin may reassign it)"
    )]
    AssignedToOther {
        /// Who works it.
        assignee: UserId,
    },
    /// The assignee's role may not decide a case of this status.
    #[error(
        "user {user} is a {role} and may not decide a {status} case: assign it to someone who may"
    )]
    MayNotDecide {
        /// The would-be assignee.
        user: UserId,
        /// Their role.
        role: Role,
        /// The case's status.
        status: CheckStatus,
    },
    /// The assignee is inactive or the system agent.
    #[error("the assignee may not work cases: {0}")]
    NotAReviewer(NotAReviewer),
    /// No user has the assignee's id.
    #[error("user {0} not found: assign the case to an existing reviewer")]
    UnknownAssignee(UserId),
}

/// The change `request` makes to a case of `status` (in the queue or not) that `current` works,
/// asked by `actor`; `None` when it changes nothing (a claim of one's own case, a release of an
/// unassigned one), which is written nowhere.
pub fn plan_assignment(
    actor: &Reviewer,
    current: Option<UserId>,
    status: CheckStatus,
    in_queue: bool,
    request: AssignmentRequest,
) -> Result<Option<AssignmentChange>, AssignmentError> {
    if !in_queue {
        return Err(AssignmentError::NotInQueue { status });
    }
    let officer = matches!(actor.role(), Role::Admin | Role::ComplianceOfficer);
    let (action, assignee) = match request {
        AssignmentRequest::Claim => (AssignmentAction::Claimed, Some(*actor)),
        AssignmentRequest::Assign(_) if !officer => {
            return Err(AssignmentError::MayNotAssign { role: actor.role() });
        }
        AssignmentRequest::Assign(to) => (AssignmentAction::Assigned, Some(to)),
        AssignmentRequest::Release => (AssignmentAction::Released, None),
    };
    if let Some(other) = current.filter(|&c| c != actor.id() && !officer) {
        return Err(AssignmentError::AssignedToOther { assignee: other });
    }
    if let Some(to) = assignee
        && !to.role().may_review(status)
    {
        return Err(AssignmentError::MayNotDecide {
            user: to.id(),
            role: to.role(),
            status,
        });
    }
    let assignee = assignee.map(|a| a.id());
    if assignee == current {
        return Ok(None);
    }
    Ok(Some(AssignmentChange {
        action,
        assignee,
        previous: current,
    }))
}

/// Whether `reviewer` may take a step (decide, propose) on a case that `assignee` works, and
/// whose assignment they act over: `Some(assignee)` when it is someone else's and the reviewer
/// is an admin or compliance officer, who is never blocked (the step records it); an analyst
/// leaves someone else's case to them.
pub fn act_on_assigned(
    reviewer: &Reviewer,
    assignee: Option<UserId>,
) -> Result<Option<UserId>, AssignmentError> {
    match assignee {
        Some(other) if other != reviewer.id() => match reviewer.role() {
            Role::Admin | Role::ComplianceOfficer => Ok(Some(other)),
            _ => Err(AssignmentError::AssignedToOther { assignee: other }),
        },
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Email, User, Username};

    fn reviewer(role: Role) -> Reviewer {
        let user = User {
            id: UserId::from_uuid(uuid::Uuid::new_v4()),
            username: Username::parse("someone").unwrap(),
            email: Email::parse("someone@example.com").unwrap(),
            role,
            active: true,
        };
        Reviewer::try_from(&user).unwrap()
    }

    use AssignmentRequest::{Assign, Claim, Release};
    use CheckStatus::{Escalated, Pending};

    #[test]
    fn an_analyst_claims_an_unassigned_pending_case_and_releases_it() {
        let analyst = reviewer(Role::Analyst);
        let claim = plan_assignment(&analyst, None, Pending, true, Claim).unwrap();
        assert_eq!(claim.map(|c| c.assignee), Some(Some(analyst.id())));
        assert_eq!(
            plan_assignment(&analyst, Some(analyst.id()), Pending, true, Claim),
            Ok(None),
            "a second claim changes nothing"
        );
        let release = plan_assignment(&analyst, Some(analyst.id()), Pending, true, Release);
        assert_eq!(
            release.unwrap().map(|c| c.action),
            Some(AssignmentAction::Released)
        );
    }

    #[test]
    fn an_analyst_neither_assigns_nor_takes_over_nor_claims_an_escalation() {
        let analyst = reviewer(Role::Analyst);
        let other = reviewer(Role::Analyst);
        assert!(matches!(
            plan_assignment(&analyst, None, Pending, true, Assign(other)),
            Err(AssignmentError::MayNotAssign { .. })
        ));
        for request in [Claim, Release] {
            assert!(matches!(
                plan_assignment(&analyst, Some(other.id()), Pending, true, request),
                Err(AssignmentError::AssignedToOther { .. })
            ));
        }
        assert!(matches!(
            plan_assignment(&analyst, None, Escalated, true, Claim),
            Err(AssignmentError::MayNotDecide { .. })
        ));
    }

    #[test]
    fn an_officer_reassigns_to_a_reviewer_who_may_decide_the_status() {
        let officer = reviewer(Role::ComplianceOfficer);
        let analyst = reviewer(Role::Analyst);
        let other = reviewer(Role::Admin);
        let change = plan_assignment(&officer, Some(other.id()), Pending, true, Assign(analyst))
            .unwrap()
            .unwrap();
        assert_eq!(change.previous, Some(other.id()));
        assert_eq!(change.assignee, Some(analyst.id()));
        assert!(matches!(
            plan_assignment(&officer, None, Escalated, true, Assign(analyst)),
            Err(AssignmentError::MayNotDecide { .. })
        ));
        assert!(matches!(
            plan_assignment(&officer, None, CheckStatus::Approved, false, Claim),
            Err(AssignmentError::NotInQueue { .. })
        ));
    }

    #[test]
    fn only_an_officer_acts_over_someone_elses_assignment_and_it_is_named() {
        let officer = reviewer(Role::ComplianceOfficer);
        let analyst = reviewer(Role::Analyst);
        assert_eq!(
            act_on_assigned(&officer, Some(analyst.id())),
            Ok(Some(analyst.id()))
        );
        assert_eq!(act_on_assigned(&officer, Some(officer.id())), Ok(None));
        assert_eq!(act_on_assigned(&analyst, None), Ok(None));
        assert!(act_on_assigned(&analyst, Some(officer.id())).is_err());
    }
}
