//! Cookies and who is signed in: the session cookie (HttpOnly, SameSite=Strict, Secure when
//! configured) read into an [`Officer`], the sign-in form's own CSRF cookie, the CSRF check of
//! every form, and the redirect to the sign-in page.
//!
//! Must not: log or echo a cookie's value, or redirect anywhere but a back-office path (no
//! open redirect through `next`).

use super::{Office, PREFIX, pages};
use crate::http::RequestUser;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use compliance_app::{AppError, OfficeSession};

/// The back office's two cookies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Jar {
    /// The session's secret.
    Session,
    /// The sign-in form's CSRF token (before there is a session).
    SignIn,
}

impl Jar {
    /// The cookie's name. Over TLS (`secure`) it carries the `__Host-` prefix, which a browser
    /// accepts only from a secure origin, with `Path=/` and no `Domain`: no other host, and no
    /// page over plain HTTP, can set or shadow it.
    pub(super) fn name(self, secure: bool) -> &'static str {
        match (self, secure) {
            (Jar::Session, false) => "cdb_session",
            (Jar::Session, true) => "__Host-cdb_session",
            (Jar::SignIn, false) => "cdb_signin",
            (Jar::SignIn, true) => "__Host-cdb_signin",
        }
    }

    /// Where the browser sends it: the back office (the sign-in form for its token), or `/`
    /// for a `__Host-` cookie, which must be.
    fn path(self, secure: bool) -> String {
        match (self, secure) {
            (_, true) => "/".to_owned(),
            (Jar::Session, false) => PREFIX.to_owned(),
            (Jar::SignIn, false) => format!("{PREFIX}/sign-in"),
        }
    }
}

/// The value of cookie `name`, if the request carries it.
pub(super) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim().to_owned())
}

/// A `Set-Cookie` value of `jar`: `value` for `max_age` seconds (0 removes it).
pub(super) fn set_cookie(jar: Jar, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let (name, path) = (jar.name(secure), jar.path(secure));
    let flag = if secure { "; Secure" } else { "" };
    let text =
        format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Strict{flag}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// True when `given` is the expected CSRF token, compared in constant time.
pub(super) fn csrf_matches(expected: &str, given: &str) -> bool {
    expected.len() == given.len()
        && !expected.is_empty()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The signed-in person of a request, with their session's secret (to sign out).
pub(super) struct Officer {
    /// The session: caller, username, CSRF token.
    pub session: OfficeSession,
    /// The cookie's value.
    pub secret: String,
}

impl Officer {
    /// `None` when a form carries this session's CSRF token; the 403 page otherwise.
    pub fn csrf_refusal(&self, given: &str) -> Option<Response> {
        if csrf_matches(&self.session.csrf, given) {
            None
        } else {
            tracing::warn!(user = %self.session.caller.user(), "back-office form refused: CSRF token missing or wrong");
            Some(pages::error_page(
                Some(&self.session),
                StatusCode::FORBIDDEN,
                "Form refused",
                "This form was not sent by a page of this back office, or the page is from an earlier session (its security token is missing or wrong). Nothing was changed: reload the page and try again.",
            ))
        }
    }
}

impl FromRequestParts<Office> for Officer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, office: &Office) -> Result<Self, Response> {
        let secure = office.config.secure_cookies;
        let Some(secret) = cookie(&parts.headers, Jar::Session.name(secure)) else {
            return Err(to_sign_in(parts, false, office.config.secure_cookies));
        };
        let policy = office.config.policy;
        let presented = secret.clone();
        let found = office
            .compliance
            .call(move |c| c.office_session(&presented, &policy))
            .await;
        match found {
            Ok(session) => {
                if let Some(slot) = parts.extensions.get::<RequestUser>() {
                    let _ = slot.0.set(session.caller.user());
                }
                Ok(Officer { session, secret })
            }
            Err(AppError::Unauthenticated(_)) => {
                Err(to_sign_in(parts, true, office.config.secure_cookies))
            }
            Err(other) => Err(pages::app_error_page(None, &other)),
        }
    }
}

/// 303 to the sign-in page, coming back to this page afterwards (for a form, the page it was
/// on); `ended` when a session cookie was there but its session is over (the cookie goes).
fn to_sign_in(parts: &Parts, ended: bool, secure: bool) -> Response {
    // Nested under PREFIX, the request's own URI has lost it; the original has it.
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |o| &o.0);
    let back = if parts.method == Method::GET {
        uri.path_and_query()
            .map_or(PREFIX, |p| p.as_str())
            .to_owned()
    } else {
        // POST /office/cases/{id}/decide comes back to /office/cases/{id}.
        let path = uri.path();
        path.rsplit_once('/')
            .map_or(path, |(page, _)| page)
            .to_owned()
    };
    let mut location = format!("{PREFIX}/sign-in?next={}", encode(&back));
    if ended {
        location.push_str("&ended=1");
    }
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
    if ended {
        response
            .headers_mut()
            .insert(header::SET_COOKIE, set_cookie(Jar::Session, "", 0, secure));
    }
    response
}

/// `next` when it is a back-office page (a path under [`PREFIX`], no scheme, host or `//`),
/// else the queue: the sign-in page never sends anyone elsewhere.
pub(super) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with("/office/")
                && !n.contains("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_owned()
        }
        _ => format!("{PREFIX}/queue"),
    }
}

/// Percent-encodes everything but unreserved characters and `/` (for a query parameter).
pub(super) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_csrf_and_next() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; cdb_session=cds_x ; b=2"),
        );
        assert_eq!(
            cookie(&headers, Jar::Session.name(false)).as_deref(),
            Some("cds_x")
        );
        assert_eq!(cookie(&headers, Jar::Session.name(true)), None);
        // Over TLS: the __Host- prefix, Secure, Path=/ and no Domain, as the prefix requires.
        let set = set_cookie(Jar::Session, "cds_y", 60, true);
        let set = set.to_str().unwrap();
        assert!(
            set.starts_with("__Host-cdb_session=cds_y; Path=/;"),
            "{set}"
        );
        assert!(set.contains("; Secure") && !set.contains("Domain"), "{set}");
        let plain = set_cookie(Jar::SignIn, "t", 60, false);
        assert!(
            plain
                .to_str()
                .unwrap()
                .starts_with("cdb_signin=t; Path=/office/sign-in;")
        );
        assert_eq!(cookie(&headers, "cdb"), None);
        assert!(csrf_matches("abc", "abc"));
        assert!(!csrf_matches("abc", "abd"));
        assert!(!csrf_matches("", ""));
        assert!(!csrf_matches("abc", "ab"));
        for evil in [
            "https://evil.example/",
            "//evil.example",
            "/office//evil",
            "/\\evil",
            "/queue",
        ] {
            assert_eq!(safe_next(Some(evil)), "/office/queue", "{evil}");
        }
        assert_eq!(
            safe_next(Some("/office/cases/1?x=2")),
            "/office/cases/1?x=2"
        );
        assert_eq!(encode("/office/queue?a=b&c"), "/office/queue%3Fa%3Db%26c");
    }
}
