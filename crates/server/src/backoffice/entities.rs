//! Finding an entity and seeing it whole: `GET /office/entities` (the search form),
//! `POST /office/entities` (a search: an exact id leads to the entity's page; a name, for the
//! roles that may read subjects, lists the entities whose subject carries it) and
//! `GET /office/entities/{id}` (its cases, screenings, audit history a page at a time,
//! wallets' flags and beneficial owners).
//!
//! The search posts its text with the session's CSRF token, so that a name never travels in an
//! address (addresses end up in browser histories and proxies' logs).
//!
//! Must not: log or echo into an address what was typed, write anything, or page the audit
//! history by offset.

use super::entity_view::{entity_page, search_page};
use super::pages::{Asked, Posted, app_error_page, capitalised, error_page, render};
use super::session::{Officer, encode};
use super::views::Notice;
use super::{Office, PREFIX};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use compliance_app::{AppError, AuditQuery, EntitySearch, ListSize};
use compliance_domain::EntityId;
use serde::Deserialize;

/// Audit entries per page of the entity page.
fn audit_page_size() -> ListSize {
    ListSize::new(50).unwrap_or_default()
}

/// `GET /office/entities`.
pub(super) async fn form(officer: Officer) -> Response {
    render(
        StatusCode::OK,
        &search_page(&officer.session, "", None, &[], false),
    )
}

/// The search form.
#[derive(Deserialize)]
pub(super) struct SearchForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    q: String,
}

/// `POST /office/entities`.
pub(super) async fn search(
    State(office): State<Office>,
    officer: Officer,
    Posted(form): Posted<SearchForm>,
) -> Response {
    if let Some(refusal) = officer.csrf_refusal(&form.csrf) {
        return refusal;
    }
    let session = &officer.session;
    let caller = session.caller;
    let typed = form.q.clone();
    let found = office
        .compliance
        .call(move |c| c.find_entities(&caller, &typed))
        .await;
    let notice = |text: String| {
        Some(Notice {
            kind: "error",
            text,
        })
    };
    // What was typed goes back into the field, cut to what the field accepts.
    let shown: String = form
        .q
        .trim()
        .chars()
        .take(compliance_app::SEARCH_CHARS)
        .collect();
    let (status, page) = match found {
        Ok(EntitySearch::Entity(id)) => {
            return (
                StatusCode::SEE_OTHER,
                [(
                    header::LOCATION,
                    format!("{PREFIX}/entities/{}", encode(id.as_str())),
                )],
            )
                .into_response();
        }
        Ok(EntitySearch::NoSuchId(id)) => (
            StatusCode::NOT_FOUND,
            search_page(
                session,
                &shown,
                notice(format!(
                    "No entity has the id {id}: no case was ever submitted for it. Check the id; a name search is for compliance officers and admins."
                )),
                &[],
                false,
            ),
        ),
        Ok(EntitySearch::NotAnId) => (
            StatusCode::NOT_FOUND,
            search_page(
                session,
                &shown,
                notice("That is not an entity id (lower-case letters and digits, parts joined by '-', e.g. inv-1001). Your role searches by id only.".to_owned()),
                &[],
                false,
            ),
        ),
        Ok(EntitySearch::Names { matches, more }) => {
            let notice = if matches.is_empty() {
                notice("No entity has that id, and no current screening subject carries every word of that name (erased subjects are never found).".to_owned())
            } else {
                None
            };
            let status = if matches.is_empty() {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::OK
            };
            (
                status,
                search_page(session, &shown, notice, &matches, more),
            )
        }
        Err(AppError::Input(e)) => (
            StatusCode::BAD_REQUEST,
            search_page(
                session,
                &shown,
                notice(format!(
                    "Nothing searched. {}",
                    e.fields
                        .iter()
                        .map(|f| capitalised(&f.message))
                        .collect::<Vec<_>>()
                        .join(" ")
                )),
                &[],
                false,
            ),
        ),
        Err(e) => return app_error_page(Some(session), &e),
    };
    render(status, &page)
}

/// The entity page's query: which page of the audit history.
#[derive(Debug, Default, Deserialize)]
pub(super) struct EntityParams {
    #[serde(default)]
    after: String,
    #[serde(default)]
    order: String,
}

/// `GET /office/entities/{id}`.
pub(super) async fn page(
    State(office): State<Office>,
    officer: Officer,
    Path(segment): Path<String>,
    Asked(p): Asked<EntityParams>,
) -> Response {
    let session = &officer.session;
    let Ok(entity) = EntityId::parse(&segment) else {
        return error_page(
            Some(session),
            StatusCode::NOT_FOUND,
            "No such entity",
            "The address does not name an entity (an entity id is lower-case letters and digits, parts joined by '-'). Find one from the search page.",
        );
    };
    let after = match p.after.as_str() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                return error_page(
                    Some(session),
                    StatusCode::BAD_REQUEST,
                    "Page not understood",
                    "The audit history's page is not understood. Open the page from its links.",
                );
            }
        },
    };
    let oldest_first = match p.order.as_str() {
        "" | "newest" => false,
        "oldest" => true,
        _ => {
            return error_page(
                Some(session),
                StatusCode::BAD_REQUEST,
                "Order not understood",
                "The audit history is shown newest first or oldest first.",
            );
        }
    };
    let query = AuditQuery {
        limit: audit_page_size(),
        cursor: after,
        oldest_first,
    };
    let caller = session.caller;
    let id = entity.clone();
    match office
        .compliance
        .call(move |c| c.entity_overview(&caller, &id, &query))
        .await
    {
        Ok(overview) => render(
            StatusCode::OK,
            &entity_page(&overview, session, after, oldest_first),
        ),
        Err(AppError::NotFound { .. }) => error_page(
            Some(session),
            StatusCode::NOT_FOUND,
            "No such entity",
            &format!("No case was ever submitted for an entity {entity}."),
        ),
        Err(e) => app_error_page(Some(session), &e),
    }
}
