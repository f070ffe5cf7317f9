//! The case page's note and request forms: `POST /office/cases/{id}/notes` (a note without a
//! decision), `POST /office/cases/{id}/information-requests` (ask the customer), and
//! `POST /office/cases/{id}/information-requests/{request}/close` (record the answer, or
//! withdraw), each with the session's CSRF token. None moves the case, so none carries its
//! revision.
//!
//! Must not: decide anything itself: each form goes to the same `Compliance` method the API
//! calls, and a refusal is shown over the case as it is now.

use super::Office;
use super::case::{act, input_error};
use super::pages::Posted;
use super::session::Officer;
use axum::extract::{Path, State};
use axum::response::Response;
use compliance_app::AppError;
use compliance_domain::{Addressee, InformationAsk, RequestedItem, ReviewReason};
use serde::Deserialize;

/// The note form.
#[derive(Deserialize)]
pub(super) struct NoteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
}

/// `POST /office/cases/{id}/notes`.
pub(super) async fn note(
    State(office): State<Office>,
    officer: Officer,
    Path(segment): Path<String>,
    Posted(form): Posted<NoteForm>,
) -> Response {
    let parse = || ReviewReason::parse(&form.text).map_err(|e| input_error("note", e));
    act(
        &office,
        &officer,
        &segment,
        &form.csrf,
        parse,
        |c, caller, id, text| c.note_case(caller, id, &text).map(|_| "noted"),
    )
    .await
}

/// An optional text field: blank is none.
fn optional_words(field: &str, text: &str) -> Result<Option<ReviewReason>, AppError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    ReviewReason::parse(text)
        .map(Some)
        .map_err(|e| input_error(field, e))
}

/// What the request form asks: its fields as posted (each ticked item is an `item` pair).
fn ask(pairs: &[(String, String)]) -> Result<InformationAsk, AppError> {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let addressee = field("addressee")
        .parse::<Addressee>()
        .map_err(|_| input_error("addressee", "choose of whom to ask"))?;
    let items = pairs
        .iter()
        .filter(|(k, _)| k == "item")
        .map(|(_, v)| {
            v.parse::<RequestedItem>()
                .map_err(|_| input_error("item", "tick what to ask for"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let days = field("respond_within_days")
        .trim()
        .parse::<i64>()
        .map_err(|_| input_error("respond_within_days", "give a number of days, 1 to 90"))?;
    let message = optional_words("message", field("message"))?;
    InformationAsk::new(addressee, items, days, message).map_err(|e| input_error("request", e))
}

/// `POST /office/cases/{id}/information-requests`.
pub(super) async fn request(
    State(office): State<Office>,
    officer: Officer,
    Path(segment): Path<String>,
    Posted(pairs): Posted<Vec<(String, String)>>,
) -> Response {
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    act(
        &office,
        &officer,
        &segment,
        &csrf,
        || ask(&pairs),
        |c, caller, id, ask| c.request_information(caller, id, &ask).map(|_| "requested"),
    )
    .await
}

/// The closing form: `outcome` is `answered` or `withdrawn`.
#[derive(Deserialize)]
pub(super) struct CloseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    note: String,
}

/// `POST /office/cases/{id}/information-requests/{request}/close`.
pub(super) async fn close(
    State(office): State<Office>,
    officer: Officer,
    Path((segment, request)): Path<(String, String)>,
    Posted(form): Posted<CloseForm>,
) -> Response {
    let parse = || {
        let request = request
            .parse::<uuid::Uuid>()
            .map_err(|_| input_error("request", "the address does not name a request"))?;
        let answered = match form.outcome.as_str() {
            "answered" => true,
            "withdrawn" => false,
            _ => return Err(input_error("outcome", "choose answered or withdrawn")),
        };
        Ok((request, answered, optional_words("note", &form.note)?))
    };
    act(
        &office,
        &officer,
        &segment,
        &form.csrf,
        parse,
        |c, caller, case, (request, answered, note)| {
            // The request must be this case's: the page returned to is the case's.
            if !c
                .information_requests(caller, case)?
                .iter()
                .any(|r| r.id == request)
            {
                return Err(AppError::NotFound {
                    what: "information request",
                    key: request.to_string(),
                });
            }
            if answered {
                c.record_answer(caller, request, note.as_ref())
                    .map(|_| "answered")
            } else {
                c.withdraw_request(caller, request, note.as_ref())
                    .map(|_| "withdrawn")
            }
        },
    )
    .await
}
