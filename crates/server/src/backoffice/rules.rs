//! `GET /office/rules`: the rule versions in force in a jurisdiction at an instant (default
//! now), each with the regulation it implements, its effective dates and parameters.
//! Read-only: rules are published through the rules crate, not here.
//!
//! Must not: write.

use super::Office;
use super::pages::{Asked, app_error_page, error_page, render};
use super::session::Officer;
use super::views::{Choice, Chrome, RuleView, RulesPage, when};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, SecondsFormat, Utc};
use compliance_domain::Jurisdiction;
use serde::Deserialize;
use strum::VariantNames;

/// The page's query.
#[derive(Debug, Default, Deserialize)]
pub(super) struct RulesParams {
    #[serde(default)]
    jurisdiction: String,
    #[serde(default)]
    at: String,
}

/// `GET /office/rules`.
pub(super) async fn page(
    State(office): State<Office>,
    officer: Officer,
    Asked(p): Asked<RulesParams>,
) -> Response {
    let session = &officer.session;
    let jurisdiction = if p.jurisdiction.is_empty() {
        Jurisdiction::Ae
    } else {
        match p.jurisdiction.parse::<Jurisdiction>() {
            Ok(j) => j,
            Err(e) => {
                let message = format!("The jurisdiction is not understood: {e}.");
                return error_page(
                    Some(session),
                    StatusCode::BAD_REQUEST,
                    "Not understood",
                    &message,
                );
            }
        }
    };
    let at = if p.at.trim().is_empty() {
        Utc::now()
    } else {
        match p.at.trim().parse::<DateTime<Utc>>() {
            Ok(at) => at,
            Err(e) => {
                let message = format!(
                    "The instant is not understood ({e}): write it as RFC 3339, e.g. 2026-06-01T00:00:00Z."
                );
                return error_page(
                    Some(session),
                    StatusCode::BAD_REQUEST,
                    "Not understood",
                    &message,
                );
            }
        }
    };
    let caller = session.caller;
    let rules = match office
        .compliance
        .call(move |c| c.rules_in_force(&caller, jurisdiction, at))
        .await
    {
        Ok(rules) => rules,
        Err(e) => return app_error_page(Some(session), &e),
    };
    let current = jurisdiction.to_string();
    let view = RulesPage {
        chrome: Chrome::new("Rules in force", Some(session)),
        jurisdictions: Choice::list(Jurisdiction::VARIANTS, Some(&current))
            .into_iter()
            .filter(|c| !c.value.is_empty())
            .collect(),
        jurisdiction: current,
        at: at.to_rfc3339_opts(SecondsFormat::Secs, true),
        rules: rules
            .into_iter()
            .map(|r| RuleView {
                code: r.code.to_string(),
                version: r.version.to_string(),
                regulation: r.regulation,
                description: r.description,
                effective_from: when(r.effective_from),
                effective_to: r.effective_to.map_or_else(|| "open".to_owned(), when),
                parameters: r.in_words,
            })
            .collect(),
    };
    render(StatusCode::OK, &view)
}
