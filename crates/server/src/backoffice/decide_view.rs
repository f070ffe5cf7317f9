//! The case page's decision section: the buttons the signed-in person is offered (from the
//! domain's role table and four eyes), and, when a section offers nothing, why: who may decide
//! an escalation, who must confirm a proposal, why a rejected case is final, who clears matches.
//!
//! Must not: decide whether a decision is allowed (the service does, whatever was offered).

use super::views::{DecideView, named};
use compliance_app::{CaseDetail, OfficeSession};
use compliance_domain::{CheckStatus, UserId};

fn name(detail: &CaseDetail, user: UserId) -> String {
    named(&detail.usernames, user)
}

/// The decision buttons `me` is offered on this case, from the role table.
pub(super) fn decide_view(detail: &CaseDetail, me: &OfficeSession) -> Option<DecideView> {
    let case = &detail.case;
    let role = me.caller.role();
    if !role.may_review(case.status) || detail.superseded_by.is_some() {
        return None;
    }
    let proposer = case.approval_proposed_by;
    let engine_rejects = detail.review_verdict == CheckStatus::Rejected;
    let held = case.status == CheckStatus::Pending && detail.review_verdict == CheckStatus::Pending;
    let mut approve_verdict = "approve";
    let (approve, hint) = match case.status {
        _ if engine_rejects => (
            None,
            Some("The engine rejects this case: nobody approves it until its matches are confirmed as false positives.".to_owned()),
        ),
        CheckStatus::Pending if held => {
            approve_verdict = "waive";
            match proposer {
                None => (
                    Some("Propose a waiver".to_owned()),
                    Some("The engine holds this case PENDING: evidence it needs is missing. The new KYC result lets the engine decide again; or propose a waiver of what is missing, with your reason: a compliance officer or admin who is someone else confirms it.".to_owned()),
                ),
                // The proposer gets the button only where their role may confirm at all (the
                // refusal then says four eyes); an analyst proposer gets none.
                Some(p) if p == me.caller.user() => (
                    role.may_clear_matches().then(|| "Confirm the waiver".to_owned()),
                    Some("You proposed this waiver: a different compliance officer or admin must confirm it.".to_owned()),
                ),
                Some(p) if role.may_clear_matches() => (
                    Some("Confirm the waiver".to_owned()),
                    Some(format!("Waiver proposed by {}: confirming it approves the case although the engine still holds it PENDING, and the record says so.", name(detail, p))),
                ),
                Some(p) => (
                    None,
                    Some(format!("Waiver proposed by {}: a compliance officer or admin confirms it.", name(detail, p))),
                ),
            }
        }
        CheckStatus::Pending => (Some("Approve".to_owned()), None),
        CheckStatus::Escalated => match proposer {
            None => (
                Some("Propose approval".to_owned()),
                Some("Four eyes: your approval is a proposal; a second compliance officer or admin confirms it.".to_owned()),
            ),
            Some(p) if p == me.caller.user() => (
                Some("Confirm approval".to_owned()),
                Some("You proposed this approval: a different compliance officer or admin must confirm it.".to_owned()),
            ),
            Some(p) => (
                Some("Confirm approval".to_owned()),
                Some(format!("Approval proposed by {}: confirming it approves the case.", name(detail, p))),
            ),
        },
        _ => (None, None),
    };
    let reject = Some(
        if case.status == CheckStatus::Approved {
            "Revoke approval (reject)"
        } else {
            "Reject"
        }
        .to_owned(),
    );
    Some(DecideView {
        approve,
        approve_verdict,
        reject,
        hint,
    })
}

/// Why `me` is offered no decision on this case, when they are not (a case that is history says
/// so on its own).
pub(super) fn decide_absent(detail: &CaseDetail, me: &OfficeSession) -> Option<String> {
    let case = &detail.case;
    if detail.superseded_by.is_some() || me.caller.role().may_review(case.status) {
        return None;
    }
    Some(match case.status {
        CheckStatus::Rejected => "Nobody decides this case: a REJECTED case is final. A new application opens a new case for the entity.".to_owned(),
        CheckStatus::Escalated => match case.approval_proposed_by {
            Some(p) => format!(
                "You cannot decide this escalation: approval was proposed by {}, and a compliance officer or admin other than {} must confirm it (or reject the case). Analysts decide PENDING cases.",
                name(detail, p),
                name(detail, p)
            ),
            None => "You cannot decide this escalation: escalated cases are decided by compliance officers and admins, under four eyes (one proposes approval, a second confirms it; either may reject). Analysts decide PENDING cases.".to_owned(),
        },
        CheckStatus::Approved => "An approval is revoked only by a compliance officer or admin.".to_owned(),
        CheckStatus::Pending => "Your role does not decide cases.".to_owned(),
    })
}

/// Why the current screening's matches offer no false-positive form, when they do not.
pub(super) fn clear_absent(detail: &CaseDetail, me: &OfficeSession) -> Option<String> {
    let has_matches = detail
        .screenings
        .iter()
        .any(|s| s.current && !s.screening.matches.is_empty());
    if !has_matches || detail.superseded_by.is_some() {
        return None;
    }
    if detail.case.status == CheckStatus::Rejected {
        return Some("A REJECTED case is final: its matches are no longer cleared.".to_owned());
    }
    (!me.caller.role().may_clear_matches()).then(|| {
        "Matches are cleared as false positives by compliance officers and admins, under four eyes (one proposes, a second confirms): your role reads them.".to_owned()
    })
}
