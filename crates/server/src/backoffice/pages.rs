//! Rendering: a template into an HTML response, and the error pages (an application error as
//! its status and a message in words; a failure of ours as a 500 that says nothing of its
//! cause).
//!
//! Must not: show a database's or a driver's text, or anything of a 5xx error's cause.

use super::views::{Chrome, ErrorPage};
use crate::http::problem::classify;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use compliance_app::{AppError, OfficeSession};

/// `template` as a `status` page; a template that fails to render is a 500 page.
pub(super) fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!("a back-office page failed to render: {e}");
            failure_page()
        }
    }
}

/// A page saying what went wrong, with the navigation when someone is signed in.
pub(super) fn error_page(
    session: Option<&OfficeSession>,
    status: StatusCode,
    title: &str,
    detail: &str,
) -> Response {
    let page = ErrorPage {
        chrome: Chrome::new(title, session),
        status: status.as_u16(),
        title: title.to_owned(),
        detail: detail.to_owned(),
    };
    match page.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the page could not be rendered",
        )
            .into_response(),
    }
}

/// The page for an application error: its status, and its message unless it is ours (5xx).
pub(super) fn app_error_page(session: Option<&OfficeSession>, error: &AppError) -> Response {
    let (status, kind, _) = classify(error);
    if status.is_server_error() {
        if status == StatusCode::SERVICE_UNAVAILABLE {
            tracing::warn!(kind, "back office: {error}");
            return error_page(
                session,
                status,
                "Busy",
                "The database is busy or unreachable. Nothing was changed: try again in a moment.",
            );
        }
        tracing::error!(kind, "back office: {error}");
        return failure_page();
    }
    error_page(
        session,
        status,
        title_of(status),
        &capitalised(&error.to_string()),
    )
}

/// A 500 page that says only that nothing was changed.
pub(super) fn failure_page() -> Response {
    error_page(
        None,
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The request failed on our side and nothing was changed. The failure is in the service's log.",
    )
}

/// A heading for an error status.
pub(super) fn title_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Request not understood",
        401 => "Sign-in needed",
        403 => "Not allowed",
        404 => "Not found",
        409 => "Not possible now",
        412 => "The case has changed",
        413 => "Too large",
        422 => "Check the form",
        429 => "Too many attempts",
        _ => "Refused",
    }
}

/// `text` with its first letter upper-case, ending with a full stop.
pub(super) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// A posted form; one that cannot be read (not a form, a field of the wrong shape, too large)
/// is a 400 or 413 page, and nothing is done.
pub(super) struct Posted<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for Posted<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Response> {
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(Posted(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(error_page(
                    None,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Too large",
                    "The form is larger than the back office accepts. Nothing was changed.",
                ))
            }
            Err(_) => Err(error_page(
                None,
                StatusCode::BAD_REQUEST,
                "Form not understood",
                "The form's fields could not be read. Nothing was changed: reload the page and try again.",
            )),
        }
    }
}

/// A page's query; one that cannot be read (a malformed encoding) is a 400 page. Fields the
/// page does not know are ignored, as a browser's bookmarks may carry them.
pub(super) struct Asked<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Asked<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Response> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Asked(q.0))
            .map_err(|_| {
                error_page(
                    None,
                    StatusCode::BAD_REQUEST,
                    "Address not understood",
                    "The page's query could not be read. Open the page from the back office's links.",
                )
            })
    }
}
