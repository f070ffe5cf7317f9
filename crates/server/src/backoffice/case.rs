//! A case's page and the forms on it: decide (approve, reject, propose and confirm an approval
//! under four eyes) and propose or confirm a matched list entry as a false positive, each with
//! a reason, each guarded by the revision the page showed.
//!
//! What a page offers comes from the domain's role table ([`Role::may_review`],
//! [`Role::may_clear_matches`]); the service and the database check again, so a form built by
//! hand gets the same refusal as the API would give.
//!
//! Must not: decide anything itself, or overwrite a case that moved on since the page was read.

use super::pages::{Asked, Posted, app_error_page, capitalised, error_page, render};
use super::session::Officer;
use super::views::Notice;
use super::{Office, PREFIX};
use crate::metrics::Metrics;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use compliance_app::records::{DispositionState, ReviewStepTaken};
use compliance_app::{AppError, Caller, Compliance, OfficeSession};
use compliance_domain::{
    CaseId, DispositionError, ListEntryRef, ListName, Permission, ReviewError, ReviewReason,
    Verdict,
};
use serde::Deserialize;

/// The page for a path whose case id is not a UUID: a 404 (it names no case).
fn no_such_case(officer: &Officer) -> Response {
    error_page(
        Some(&officer.session),
        StatusCode::NOT_FOUND,
        "No such case",
        "The address does not name a case (a case id is a UUID).",
    )
}

/// `?done=` after a decision: what the notice says.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Done {
    done: Option<String>,
}

fn done_notice(done: Option<&str>) -> Option<Notice> {
    let text = match done? {
        "decided" => "Decision recorded.",
        "approval_proposed" => {
            "Approval proposed: a second compliance officer or admin must confirm it."
        }
        "waiver_proposed" => {
            "Waiver proposed: a compliance officer or admin who is someone else must confirm it."
        }
        "match_proposed" => {
            "False positive proposed: a second compliance officer or admin must confirm it."
        }
        "match_confirmed" => "False positive confirmed.",
        "claimed" => "You work this case now.",
        "assigned" => "Case assigned.",
        "released" => "Case released: nobody works it now.",
        "unchanged" => "Nothing changed: the case was already so assigned.",
        "noted" => "Note added. The case is unchanged.",
        "requested" => {
            "Information requested: the case shows as waiting on the customer until the answer is recorded."
        }
        "answered" => "Answer recorded. Decide the case on what arrived.",
        "withdrawn" => "Request withdrawn.",
        _ => return None,
    };
    Some(Notice {
        kind: "ok",
        text: text.to_owned(),
    })
}

/// `GET /office/cases/{id}`.
pub(super) async fn page(
    State(office): State<Office>,
    officer: Officer,
    Path(segment): Path<String>,
    Asked(done): Asked<Done>,
) -> Response {
    let Ok(id) = segment.parse::<CaseId>() else {
        return no_such_case(&officer);
    };
    let notice = done_notice(done.done.as_deref());
    show(&office, &officer.session, id, StatusCode::OK, notice).await
}

/// The case page, as `status`, with `notice` on top.
async fn show(
    office: &Office,
    session: &OfficeSession,
    id: CaseId,
    status: StatusCode,
    notice: Option<Notice>,
) -> Response {
    let caller = session.caller;
    match office
        .compliance
        .call(move |c| {
            let detail = c.case_detail(&caller, id)?;
            // Whom the case may be assigned to: read only for those who may assign.
            let reviewers = if caller.may(Permission::AssignCases) {
                c.reviewers(&caller)?
            } else {
                Vec::new()
            };
            Ok((detail, reviewers))
        })
        .await
    {
        Ok((detail, reviewers)) => render(
            status,
            &super::case_view::case_page(&detail, session, notice, &reviewers),
        ),
        Err(e) => app_error_page(Some(session), &e),
    }
}

/// The decision form.
#[derive(Deserialize)]
pub(super) struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    revision: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    reason: String,
}

/// 303 back to the case page with `done`.
fn done(id: CaseId, what: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("{PREFIX}/cases/{id}?done={what}"))],
    )
        .into_response()
}

/// What a refused form shows: the case as it is now, with the refusal on top, as the
/// refusal's status (a stale page is 409 with the fresh case below).
async fn refused(office: &Office, officer: &Officer, id: CaseId, error: &AppError) -> Response {
    let (status, _, _) = crate::http::problem::classify(error);
    if status.is_server_error() || status == StatusCode::NOT_FOUND {
        return app_error_page(Some(&officer.session), error);
    }
    let text = match error {
        AppError::StaleRevision { .. } => "This case changed since you opened the page: nothing was recorded. It is shown below as it is now; decide on that.".to_owned(),
        AppError::Review(ReviewError::SameReviewer { .. })
        | AppError::Disposition(DispositionError::SameReviewer { .. }) => "Nothing was recorded. You proposed this yourself: four eyes means a different compliance officer or admin confirms it.".to_owned(),
        other => format!("Nothing was recorded. {}", capitalised(&other.to_string())),
    };
    let status = if status == StatusCode::PRECONDITION_FAILED {
        StatusCode::CONFLICT
    } else {
        status
    };
    show(
        office,
        &officer.session,
        id,
        status,
        Some(Notice {
            kind: "error",
            text,
        }),
    )
    .await
}

/// The revision a form carries (the page's), or the refusal that says to reload it.
pub(super) fn form_revision(text: &str) -> Result<i32, AppError> {
    text.parse()
        .map_err(|_| input_error("revision", "the page's revision is missing: reload it"))
}

pub(super) fn input_error(field: &str, message: impl std::fmt::Display) -> AppError {
    AppError::Input(compliance_domain::input::InputError::field(
        field,
        message.to_string(),
    ))
}

/// What both forms do: check the token and the case id, parse the fields (a bad one is the
/// case page with the refusal), run `work` as the signed-in person, and go back to the case
/// page with what was done (or show the refusal over the case as it is now).
pub(super) async fn act<P: Send + 'static>(
    office: &Office,
    officer: &Officer,
    segment: &str,
    csrf: &str,
    parse: impl FnOnce() -> Result<P, AppError>,
    work: impl FnOnce(&Compliance, &Caller, CaseId, P) -> compliance_app::Result<&'static str>
    + Send
    + 'static,
) -> Response {
    if let Some(refusal) = officer.csrf_refusal(csrf) {
        return refusal;
    }
    let Ok(id) = segment.parse::<CaseId>() else {
        return no_such_case(officer);
    };
    let input = match parse() {
        Ok(input) => input,
        Err(e) => return refused(office, officer, id, &e).await,
    };
    let caller = officer.session.caller;
    match office
        .compliance
        .call(move |c| work(c, &caller, id, input))
        .await
    {
        Ok(what) => done(id, what),
        Err(e) => refused(office, officer, id, &e).await,
    }
}

/// `POST /office/cases/{id}/decide`.
pub(super) async fn decide(
    State(office): State<Office>,
    Extension(metrics): Extension<Metrics>,
    officer: Officer,
    Path(segment): Path<String>,
    Posted(form): Posted<DecideForm>,
) -> Response {
    let parse = || {
        let verdict: Verdict = form
            .verdict
            .parse()
            .map_err(|_| input_error("verdict", "choose approve, waive or reject"))?;
        let revision = form_revision(&form.revision)?;
        let reason = ReviewReason::parse(&form.reason).map_err(|e| input_error("reason", e))?;
        Ok((verdict, revision, reason))
    };
    act(
        &office,
        &officer,
        &segment,
        &form.csrf,
        parse,
        move |c, caller, id, (verdict, revision, reason)| {
            c.review(caller, id, verdict, &reason, revision)
                // Counted once the review committed (the call returned it).
                .inspect(|o| metrics.reviewed(o))
                .map(|o| match o.outcome {
                    ReviewStepTaken::Decided => "decided",
                    ReviewStepTaken::ApprovalProposed => "approval_proposed",
                    ReviewStepTaken::WaiverProposed => "waiver_proposed",
                })
        },
    )
    .await
}

/// The false-positive form.
#[derive(Deserialize)]
pub(super) struct ClearForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    revision: String,
    #[serde(default)]
    list: String,
    #[serde(default)]
    entry: String,
    #[serde(default)]
    reason: String,
}

/// `POST /office/cases/{id}/clear-match`.
pub(super) async fn clear_match(
    State(office): State<Office>,
    officer: Officer,
    Path(segment): Path<String>,
    Posted(form): Posted<ClearForm>,
) -> Response {
    let parse = || {
        let list = ListName::parse(&form.list).map_err(|e| input_error("list", e))?;
        let entry = ListEntryRef::parse(&form.entry).map_err(|e| input_error("entry", e))?;
        let reason = ReviewReason::parse(&form.reason).map_err(|e| input_error("reason", e))?;
        let revision = form_revision(&form.revision)?;
        Ok((list, entry, reason, revision))
    };
    act(
        &office,
        &officer,
        &segment,
        &form.csrf,
        parse,
        |c, caller, id, (list, entry, reason, revision)| {
            let cleared = c.clear_match(caller, id, &list, &entry, &reason, revision)?;
            Ok(match cleared.disposition {
                DispositionState::Confirmed => "match_confirmed",
                DispositionState::Proposed => "match_proposed",
            })
        },
    )
    .await
}
