//! The case page's assignment section: who works the case, how long it has waited in its status
//! against its service level, and the claim, release and assignment forms the signed-in person
//! is offered, from the domain's role table.
//!
//! Must not: decide whether an assignment is allowed (the service does, whatever was offered).

use super::views::{AssignmentView, Choice, waited, when};
use compliance_app::{CaseDetail, OfficeSession};
use compliance_domain::{CheckStatus, Permission, Role, UserId, Username};

/// The section for `detail` as `me` sees it; `reviewers` are the people a case may be
/// assigned to (read only for those who may assign).
pub(super) fn assignment_view(
    detail: &CaseDetail,
    me: &OfficeSession,
    reviewers: &[(UserId, Username, Role)],
) -> AssignmentView {
    let case = &detail.case;
    let now = chrono::Utc::now();
    let name = |user: UserId| {
        detail
            .usernames
            .get(&user)
            .map_or_else(|| user.to_string(), |n| n.as_str().to_owned())
    };
    let queued = detail.superseded_by.is_none()
        && (matches!(case.status, CheckStatus::Pending | CheckStatus::Escalated)
            || case.engine_stricter);
    let caller = me.caller;
    let mine = case.assigned_to == Some(caller.user());
    let assigns = caller.may(Permission::AssignCases);
    let claim = (queued
        && !mine
        && caller.may(Permission::ClaimCases)
        && caller.role().may_review(case.status)
        && (case.assigned_to.is_none() || assigns))
        .then_some(if case.assigned_to.is_some() {
            "Take over"
        } else {
            "Claim"
        });
    let assign_to = if queued && assigns {
        reviewers
            .iter()
            .filter(|(id, _, role)| role.may_review(case.status) && Some(*id) != case.assigned_to)
            .map(|(id, username, _)| Choice {
                value: id.to_string(),
                label: username.as_str().to_owned(),
                selected: false,
            })
            .collect()
    } else {
        Vec::new()
    };
    let absent = if !queued {
        Some(if detail.superseded_by.is_some() {
            "This case is history: nobody works it.".to_owned()
        } else {
            format!(
                "A {} case is not in the review queue: nobody works it.",
                case.status
            )
        })
    } else if claim.is_none() && !mine && !caller.role().may_review(case.status) {
        Some(format!(
            "Your role does not decide {} cases, so it does not claim them: compliance officers and admins do.",
            case.status
        ))
    } else if claim.is_none() && !mine {
        case.assigned_to.map(|a| {
            format!(
                "{} works it: only they, a compliance officer or an admin may release it or take it over.",
                name(a)
            )
        })
    } else {
        None
    };
    AssignmentView {
        absent,
        assignee: case.assigned_to.map(name),
        waited: format!("{} for {}", case.status, waited(case.decided_at, now)),
        due: detail.due_at.map(when),
        overdue: detail.due_at.is_some_and(|due| due <= now),
        claim,
        release: queued && case.assigned_to.is_some() && (mine || assigns),
        assign_to,
    }
}
