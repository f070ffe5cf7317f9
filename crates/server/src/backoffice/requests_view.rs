//! The case page's notes and requests section: the reviewers' notes, the form to write one, the
//! requests for information (the open one with the customer's clock, and the past ones), and the
//! forms the signed-in person is offered, from the domain's role table; when a form is absent,
//! the section says why.
//!
//! Must not: decide whether a note or a request is allowed (the service does, whatever was
//! offered).

use super::views::{AskView, Choice, NoteView, RequestView, RequestsView, when};
use compliance_app::records::InformationRequestRecord;
use compliance_app::{CaseDetail, OfficeSession};
use compliance_domain::{
    Addressee, CheckStatus, Permission, RequestOutcome, RequestedItem, TextForm, UserId,
};
use strum::VariantArray;
use uuid::Uuid;

/// A kind's text form in words: `source_of_funds` is "source of funds".
fn words(text: &str) -> String {
    text.replace('_', " ")
}

fn addressee(a: Addressee) -> &'static str {
    match a {
        Addressee::Investor => "the investor",
        Addressee::Representative => "their authorised representative",
        Addressee::Introducer => "the introducer",
    }
}

/// The section for `detail` as `me` sees it; `name` gives a user's username.
pub(super) fn requests_view(
    detail: &CaseDetail,
    me: &OfficeSession,
    name: impl Fn(UserId) -> String,
) -> RequestsView {
    let now = chrono::Utc::now();
    let caller = me.caller;
    let note_text = |id: Option<Uuid>| {
        let id = id?;
        Some(
            detail
                .notes
                .iter()
                .find(|n| n.id == id)
                .and_then(|n| n.text.as_ref())
                .map_or_else(|| "(erased)".to_owned(), |t| t.as_str().to_owned()),
        )
    };
    let view = |r: &InformationRequestRecord| {
        let state = match (r.outcome, r.closed_by, r.closed_at) {
            (Some(outcome), Some(by), Some(at)) => {
                let how = match outcome {
                    RequestOutcome::Answered => "answered",
                    RequestOutcome::Withdrawn => "withdrawn",
                };
                format!("{how} {} by {}", when(at), name(by))
            }
            _ => format!(
                "waiting on {} for {}",
                addressee(r.addressee),
                super::views::waited(r.requested_at, now)
            ),
        };
        RequestView {
            id: r.id.to_string(),
            addressee: addressee(r.addressee),
            items: r
                .items
                .iter()
                .map(|i| words(i.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
            asked: when(r.requested_at),
            asked_by: name(r.requested_by),
            message: note_text(r.note_id),
            respond_by: when(r.respond_by),
            state,
            late: r.outcome.is_none() && r.respond_by <= now,
            open: r.outcome.is_none(),
            closing_note: note_text(r.closing_note_id),
        }
    };
    let open = detail.requests.iter().any(|r| r.outcome.is_none());
    let waiting = matches!(
        detail.case.status,
        CheckStatus::Pending | CheckStatus::Escalated
    );
    let request_refused = if !caller.may(Permission::RequestInformation) {
        Some(format!(
            "A {} may not ask for information: people who review do.",
            caller.role()
        ))
    } else if detail.superseded_by.is_some() {
        Some("This case is history: ask on the entity's current case.".to_owned())
    } else if !waiting {
        Some(format!(
            "The case is {}: information is asked only while a case waits for a review (PENDING or ESCALATED).",
            detail.case.status
        ))
    } else if open {
        Some("A request is open: record its answer or withdraw it before asking again.".to_owned())
    } else {
        None
    };
    let ask = request_refused.is_none().then(|| AskView {
        addressees: Addressee::VARIANTS
            .iter()
            .map(|a| Choice {
                value: a.as_str().to_owned(),
                label: addressee(*a).to_owned(),
                selected: *a == Addressee::Investor,
            })
            .collect(),
        items: RequestedItem::VARIANTS
            .iter()
            .map(|i| Choice {
                value: i.as_str().to_owned(),
                label: words(i.as_str()),
                selected: false,
            })
            .collect(),
    });
    RequestsView {
        notes: detail
            .notes
            .iter()
            .map(|n| NoteView {
                at: when(n.written_at),
                author: name(n.author),
                text: n
                    .text
                    .as_ref()
                    .map_or_else(|| "(erased)".to_owned(), |t| t.as_str().to_owned()),
            })
            .collect(),
        note_refused: (!caller.may(Permission::NoteCases))
            .then_some("Your role may read notes but not write them."),
        requests: detail.requests.iter().rev().map(view).collect(),
        may_answer: open && caller.may(Permission::RecordAnswers),
        may_withdraw: open && caller.may(Permission::RequestInformation),
        ask,
        request_refused,
    }
}
