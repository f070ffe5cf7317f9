//! `POST /office/cases/{id}/assignment`: claim, release or assign a case from its page, at the
//! revision the page showed, with the session's CSRF token.
//!
//! Must not: decide anything itself: the form goes to the same `Compliance` methods the API
//! calls, and a refusal is shown over the case as it is now.

use super::Office;
use super::case::{act, form_revision, input_error};
use super::pages::Posted;
use super::session::Officer;
use axum::extract::{Path, State};
use axum::response::Response;
use compliance_domain::UserId;
use serde::Deserialize;

/// The assignment form: `action` is `claim`, `release` or `assign` (with `assignee`).
#[derive(Deserialize)]
pub(super) struct AssignmentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    revision: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    assignee: String,
}

/// What the form asks.
enum Asked {
    Claim,
    Release,
    Assign(UserId),
}

/// `POST /office/cases/{id}/assignment`.
pub(super) async fn submit(
    State(office): State<Office>,
    officer: Officer,
    Path(segment): Path<String>,
    Posted(form): Posted<AssignmentForm>,
) -> Response {
    let parse = || {
        let revision = form_revision(&form.revision)?;
        let asked = match form.action.as_str() {
            "claim" => Asked::Claim,
            "release" => Asked::Release,
            "assign" => Asked::Assign(
                form.assignee
                    .parse::<uuid::Uuid>()
                    .map(UserId::from_uuid)
                    .map_err(|_| input_error("assignee", "choose a reviewer"))?,
            ),
            _ => return Err(input_error("action", "choose claim, release or assign")),
        };
        Ok((asked, revision))
    };
    act(
        &office,
        &officer,
        &segment,
        &form.csrf,
        parse,
        |c, caller, id, (asked, revision)| {
            let record = match asked {
                Asked::Claim => c.claim(caller, id, revision)?,
                Asked::Release => c.release(caller, id, revision)?,
                Asked::Assign(to) => c.assign(caller, id, to, revision)?,
            };
            Ok(match record.action {
                Some(compliance_domain::AssignmentAction::Claimed) => "claimed",
                Some(compliance_domain::AssignmentAction::Assigned) => "assigned",
                Some(compliance_domain::AssignmentAction::Released) => "released",
                None => "unchanged",
            })
        },
    )
    .await
}
