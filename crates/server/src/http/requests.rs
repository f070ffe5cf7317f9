//! `/api/v1/cases/{id}/notes`, `/api/v1/cases/{id}/information-requests` and
//! `/api/v1/information-requests/{id}/answer|withdraw`: a note on a case without a decision, and
//! requests for information: asked by a person who reviews, answered (the onboarding service
//! says so with the system agent's token, or a reviewer) or withdrawn. None moves the case: no
//! `If-Match`, and the case's revision stays as it was.
//!
//! Must not: decide who may do what: each handler parses, calls one method of
//! [`compliance_app::Compliance`] as the authenticated caller, and maps the answer.

use super::bodies::{CaseNote, InformationRequest};
use super::schemas as S;
use super::{AppState, Body, Problem, Segment, call, case_id};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use compliance_app::{AppError, Caller};
use compliance_domain::input::InputError;
use compliance_domain::{
    Addressee, InformationAsk, RequestError, RequestOutcome, RequestedItem, ReviewReason,
};
use serde::Deserialize;

/// A note on a case.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    /// The note: kept as a review note, outside the hash chain (which keeps its commitment),
    /// erasable on an erasure request.
    #[schema(value_type = S::ReviewReason)]
    pub text: String,
}

/// What to ask, of whom, and within how many days.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// Of whom.
    #[schema(value_type = S::Addressee)]
    pub addressee: String,
    /// What: one to eight kinds, each once (`other` needs a `message`).
    #[schema(value_type = Vec<S::RequestedItem>, min_items = 1, max_items = 8)]
    pub items: Vec<String>,
    /// Within how many days the customer is to answer.
    #[schema(minimum = 1, maximum = 90)]
    pub respond_within_days: i64,
    /// The words sent with it: a review note (erasable; never in an event).
    #[schema(value_type = Option<S::ReviewReason>)]
    #[serde(default)]
    pub message: Option<String>,
}

/// How a request ended, in words if any.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    /// What was received, or why it is no longer needed: a review note (erasable).
    #[schema(value_type = Option<S::ReviewReason>)]
    #[serde(default)]
    pub note: Option<String>,
}

/// A field's text as a review note, its error under the field's name.
fn words(field: &str, text: Option<&str>) -> Result<Option<ReviewReason>, InputError> {
    text.map(|t| ReviewReason::parse(t).map_err(|e| InputError::field(field, e)))
        .transpose()
}

impl RequestInput {
    fn parse(&self) -> Result<InformationAsk, InputError> {
        let mut errors = Vec::new();
        let addressee = self
            .addressee
            .parse::<Addressee>()
            .map_err(|e| errors.push(InputError::field("addressee", e)));
        let items: Vec<RequestedItem> = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                item.parse::<RequestedItem>()
                    .map_err(|e| errors.push(InputError::field(format!("items[{i}]"), e)))
                    .ok()
            })
            .collect();
        let message = words("message", self.message.as_deref()).map_err(|e| errors.push(e));
        if let (Ok(addressee), Ok(message), true) = (addressee, message, errors.is_empty()) {
            return InformationAsk::new(addressee, items, self.respond_within_days, message)
                .map_err(|e| {
                    let field = match e {
                        RequestError::Days { .. } => "respond_within_days",
                        RequestError::OtherWithoutMessage => "message",
                        _ => "items",
                    };
                    InputError::field(field, e)
                });
        }
        Err(InputError {
            fields: errors.into_iter().flat_map(|e| e.fields).collect(),
        })
    }
}

/// A request id from the path: a malformed one is a 400 (it cannot name a request).
fn request_id(segment: &str) -> Result<uuid::Uuid, Problem> {
    segment
        .parse()
        .map_err(|_| Problem::bad_request("the request id is not a UUID"))
}

/// What both closing routes do: the request id and the words read, the closing run as the
/// caller, the request as it ends.
async fn close(
    state: &AppState,
    caller: Caller,
    segment: &str,
    input: &CloseInput,
    outcome: RequestOutcome,
) -> Result<Json<InformationRequest>, Problem> {
    let id = request_id(segment)?;
    let note = words("note", input.note.as_deref()).map_err(AppError::Input)?;
    let request = call(&state.compliance, move |c| match outcome {
        RequestOutcome::Answered => c.record_answer(&caller, id, note.as_ref()),
        RequestOutcome::Withdrawn => c.withdraw_request(&caller, id, note.as_ref()),
    })
    .await?;
    Ok(Json(request.into()))
}

/// Write a note on a case without deciding it (people who review).
///
/// The text is kept as a review note: the back office shows it on the case page, the audit
/// chain keeps its commitment (`case_noted`), and an erasure request removes it. The case does
/// not change: no `If-Match`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", tag = "cases",
    request_body = NoteInput,
    params(("id" = S::CaseId, Path, description = "The case's id")),
    responses((status = 201, body = CaseNote),
        (status = 403, description = "People who review only", body = Problem),
        (status = 404, description = "No such case", body = Problem)),
    security(("bearer" = [])))]
pub async fn note_case(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
    Body(input): Body<NoteInput>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    let text = ReviewReason::parse(&input.text)
        .map_err(|e| AppError::Input(InputError::field("text", e)))?;
    let note: CaseNote = call(&state.compliance, move |c| c.note_case(&caller, id, &text))
        .await?
        .into();
    Ok((StatusCode::CREATED, Json(note)).into_response())
}

/// Ask for information the case waits on (people who review).
///
/// The entity's current case, PENDING or ESCALATED, with no request open (409 otherwise). The
/// case keeps its status and revision; it shows as waiting on the customer until the request is
/// answered or withdrawn, and `case.information_requested` carries the request to the services
/// subscribed.
#[utoipa::path(post, path = "/api/v1/cases/{id}/information-requests", tag = "cases",
    request_body = RequestInput,
    params(("id" = S::CaseId, Path, description = "The case's id")),
    responses((status = 201, body = InformationRequest),
        (status = 403, description = "People who review only", body = Problem),
        (status = 404, description = "No such case", body = Problem),
        (status = 409, description = "Not waiting for a review, history, or a request is open \
            already", body = Problem),
        (status = 422, description = "A field is invalid (each is listed in `errors`)", body = Problem)),
    security(("bearer" = [])))]
pub async fn request_information(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
    Body(input): Body<RequestInput>,
) -> Result<Response, Problem> {
    let id = case_id(&id)?;
    let ask = input.parse().map_err(AppError::Input)?;
    let request: InformationRequest = call(&state.compliance, move |c| {
        c.request_information(&caller, id, &ask)
    })
    .await?
    .into();
    Ok((StatusCode::CREATED, Json(request)).into_response())
}

/// The requests for information on a case, oldest first (every role that reads cases).
#[utoipa::path(get, path = "/api/v1/cases/{id}/information-requests", tag = "cases",
    params(("id" = S::CaseId, Path, description = "The case's id")),
    responses((status = 200, body = Vec<InformationRequest>),
        (status = 404, description = "No such case", body = Problem)),
    security(("bearer" = [])))]
pub async fn information_requests(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
) -> Result<Json<Vec<InformationRequest>>, Problem> {
    let id = case_id(&id)?;
    let requests = call(&state.compliance, move |c| {
        c.information_requests(&caller, id)
    })
    .await?;
    Ok(Json(requests.into_iter().map(Into::into).collect()))
}

/// Record that the customer answered a request (people who review, and the system agent for
/// the onboarding service).
///
/// A request closed already is 409. The case keeps its status: a reviewer decides it on what
/// arrived.
#[utoipa::path(post, path = "/api/v1/information-requests/{id}/answer", tag = "cases",
    request_body = CloseInput,
    params(("id" = uuid::Uuid, Path, description = "The request's id")),
    responses((status = 200, body = InformationRequest),
        (status = 403, description = "This role may not record answers", body = Problem),
        (status = 404, description = "No such request", body = Problem),
        (status = 409, description = "Closed already", body = Problem)),
    security(("bearer" = [])))]
pub async fn answer(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
    Body(input): Body<CloseInput>,
) -> Result<Json<InformationRequest>, Problem> {
    close(&state, caller, &id, &input, RequestOutcome::Answered).await
}

/// Withdraw a request no longer needed (people who review).
#[utoipa::path(post, path = "/api/v1/information-requests/{id}/withdraw", tag = "cases",
    request_body = CloseInput,
    params(("id" = uuid::Uuid, Path, description = "The request's id")),
    responses((status = 200, body = InformationRequest),
        (status = 403, description = "People who review only", body = Problem),
        (status = 404, description = "No such request", body = Problem),
        (status = 409, description = "Closed already", body = Problem)),
    security(("bearer" = [])))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
    Body(input): Body<CloseInput>,
) -> Result<Json<InformationRequest>, Problem> {
    close(&state, caller, &id, &input, RequestOutcome::Withdrawn).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use compliance_domain::TextForm;

    fn input(items: &[&str], days: i64, message: Option<&str>) -> RequestInput {
        RequestInput {
            addressee: "investor".into(),
            items: items.iter().map(|s| (*s).to_owned()).collect(),
            respond_within_days: days,
            message: message.map(str::to_owned),
        }
    }

    #[test]
    fn each_bad_field_is_named() {
        let paths = |e: InputError| e.fields.into_iter().map(|f| f.path).collect::<Vec<_>>();
        let e = input(&["proof_of_address", "passport"], 7, None)
            .parse()
            .unwrap_err();
        assert_eq!(paths(e), ["items[1]"]);
        let e = input(&["proof_of_address"], 0, None).parse().unwrap_err();
        assert_eq!(paths(e), ["respond_within_days"]);
        let e = input(&["other"], 7, None).parse().unwrap_err();
        assert_eq!(paths(e), ["message"]);
        let e = input(&[], 7, Some(" ")).parse().unwrap_err();
        assert_eq!(paths(e), ["message"]);
        let mut bad = input(&["x"], 7, None);
        bad.addressee = "neighbour".into();
        assert_eq!(paths(bad.parse().unwrap_err()), ["addressee", "items[0]"]);
        let ask = input(&["source_of_funds", "identity_document"], 14, None)
            .parse()
            .unwrap();
        assert_eq!(
            ask.items().iter().map(|i| i.as_str()).collect::<Vec<_>>(),
            ["identity_document", "source_of_funds"]
        );
    }
}
