//! Signing in and out. The sign-in form carries a token matched against its own cookie (there
//! is no session yet to bind it to); failures are limited per address and per account, and all
//! get the same message.
//!
//! Must not: say which of username and password was wrong, log either, or keep a password
//! beyond the request.

use super::pages::{Asked, Posted, render};
use super::session::{Jar, Officer, cookie, csrf_matches, safe_next, set_cookie};
use super::views::{Chrome, Notice, SignInPage};
use super::{Office, PREFIX};
use crate::http::client_address::ClientAddress;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use compliance_app::AppError;
use serde::Deserialize;

/// The sign-in page's query.
#[derive(Debug, Default, Deserialize)]
pub(super) struct SignInQuery {
    next: Option<String>,
    ended: Option<String>,
}

/// The sign-in form.
#[derive(Deserialize)]
pub(super) struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// The form with a fresh sign-in token (and its cookie).
fn sign_in_page(
    office: &Office,
    status: StatusCode,
    next: &str,
    username: &str,
    notice: Option<Notice>,
) -> Response {
    let Ok((token, _)) = compliance_app::tokens::random_secret("") else {
        return super::pages::failure_page();
    };
    let page = SignInPage {
        chrome: Chrome::new("Sign in", None),
        csrf: token.clone(),
        next: safe_next(Some(next)),
        username: username.chars().take(32).collect(),
        notice,
    };
    let mut response = render(status, &page);
    response.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(Jar::SignIn, &token, 3600, office.config.secure_cookies),
    );
    response
}

/// `GET /office/sign-in`.
pub(super) async fn form(
    State(office): State<Office>,
    Asked(query): Asked<SignInQuery>,
) -> Response {
    let (next, ended) = (query.next, query.ended.is_some());
    let notice = ended.then(|| Notice {
        kind: "error",
        text: "Your session has ended (signed out, expired or idle too long): sign in again."
            .into(),
    });
    sign_in_page(
        &office,
        StatusCode::OK,
        next.as_deref().unwrap_or(""),
        "",
        notice,
    )
}

/// `POST /office/sign-in`.
pub(super) async fn submit(
    State(office): State<Office>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Posted(form): Posted<SignInForm>,
) -> Response {
    let secure = office.config.secure_cookies;
    let expected = cookie(&headers, Jar::SignIn.name(secure)).unwrap_or_default();
    if !csrf_matches(&expected, &form.csrf) {
        let notice = Notice {
            kind: "error",
            text: "The sign-in form had expired or did not come from this site. Nothing was sent: sign in again.".into(),
        };
        return sign_in_page(
            &office,
            StatusCode::FORBIDDEN,
            &form.next,
            &form.username,
            Some(notice),
        );
    }
    // Counted before the password is checked, whatever comes of it.
    if let Err(wait) = office.attempts.attempt(address) {
        let notice = Notice {
            kind: "error",
            text: format!(
                "Too many sign-ins from this address: wait {wait} seconds and try again."
            ),
        };
        let mut page = sign_in_page(
            &office,
            StatusCode::TOO_MANY_REQUESTS,
            &form.next,
            &form.username,
            Some(notice),
        );
        if let Ok(value) = axum::http::HeaderValue::from_str(&wait.to_string()) {
            page.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return page;
    }
    let policy = office.config.policy;
    let (username, password) = (form.username.clone(), form.password);
    let outcome = office
        .compliance
        .call(move |c| c.sign_in(&username, &password, &policy))
        .await;
    match outcome {
        Ok(signed_in) => {
            let max_age = (signed_in.expires_at - chrono::Utc::now())
                .num_seconds()
                .max(1);
            let mut response = (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, safe_next(Some(&form.next)))],
            )
                .into_response();
            let headers = response.headers_mut();
            headers.append(
                header::SET_COOKIE,
                set_cookie(Jar::Session, &signed_in.secret, max_age, secure),
            );
            headers.append(header::SET_COOKIE, set_cookie(Jar::SignIn, "", 0, secure));
            response
        }
        Err(AppError::Unauthenticated(message)) => {
            let notice = Notice {
                kind: "error",
                text: super::pages::capitalised(message),
            };
            sign_in_page(
                &office,
                StatusCode::UNAUTHORIZED,
                &form.next,
                &form.username,
                Some(notice),
            )
        }
        Err(other) => super::pages::app_error_page(None, &other),
    }
}

/// The sign-out form: its token only.
#[derive(Deserialize)]
pub(super) struct TokenForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /office/sign-out`.
pub(super) async fn sign_out(
    State(office): State<Office>,
    officer: Officer,
    Posted(form): Posted<TokenForm>,
) -> Response {
    if let Some(refused) = officer.csrf_refusal(&form.csrf) {
        return refused;
    }
    let secret = officer.secret.clone();
    if let Err(e) = office.compliance.call(move |c| c.sign_out(&secret)).await {
        return super::pages::app_error_page(Some(&officer.session), &e);
    }
    let mut response = (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("{PREFIX}/sign-in"))],
    )
        .into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(Jar::Session, "", 0, office.config.secure_cookies),
    );
    response
}
