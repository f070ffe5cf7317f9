//! A browser stand-in for the back office's server-side tests: the router called directly
//! (`tower::ServiceExt::oneshot`) on a seeded database whose people have passwords, one cookie
//! jar per person, and the CSRF token read off each page's forms.

use crate::support::{Seeded, second_officer, seeded};
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use compliance_domain::{Password, User};
use compliance_server::api;
use compliance_server::backoffice::OfficeConfig;
use std::collections::BTreeMap;
use std::sync::Mutex;
use tower::ServiceExt;

/// Every test person's password.
pub const PASSWORD: &str = "correct horse battery staple";

pub struct OfficeApp {
    pub s: Seeded,
    pub router: axum::Router,
    /// A second compliance officer (four eyes).
    pub officer2: User,
}

/// A response: status, headers, body as text.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// The `Location` header of a redirect.
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The first hidden `csrf` field's value on the page.
    pub fn csrf(&self) -> String {
        field_value(&self.body, "csrf")
            .unwrap_or_else(|| panic!("no csrf field on the page: {}", self.body))
    }
}

/// The value of the first `<input name="NAME" value="...">` in `html`.
pub fn field_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// Sets `user`'s password as the seed admin.
pub fn set_password(s: &Seeded, user: &User) {
    compliance_ops::admin::set_password(
        &mut s.db.conn(),
        &user.username,
        &Password::parse(PASSWORD).unwrap(),
        &s.users.admin.username,
    )
    .unwrap();
}

impl OfficeApp {
    pub fn new() -> Self {
        Self::with(OfficeConfig::default())
    }

    pub fn with(config: OfficeConfig) -> Self {
        let s = seeded();
        let officer2 = second_officer(&s);
        for user in [
            &s.users.admin,
            &s.users.officer,
            &s.users.analyst,
            &officer2,
        ] {
            set_password(&s, user);
        }
        let router = api::router_with(s.compliance.clone(), config);
        Self {
            s,
            router,
            officer2,
        }
    }

    /// A new browser with an empty cookie jar.
    pub fn browser(&self) -> Browser<'_> {
        Browser {
            app: self,
            cookies: Mutex::new(BTreeMap::new()),
        }
    }

    /// A browser signed in as `username`.
    pub async fn signed_in(&self, username: &str) -> Browser<'_> {
        let b = self.browser();
        let page = b.sign_in(username, PASSWORD).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        b
    }

    /// Rows in a table (to prove that nothing was written).
    pub fn rows(&self, table: &str) -> i64 {
        crate::support::count(
            &mut self.s.db.conn(),
            &format!("SELECT count(*) AS n FROM {table}"),
        )
    }

    /// The id, status and revision of a seed entity's current case.
    pub fn case_of(&self, entity: &str) -> (String, String, i64) {
        #[derive(compliance_persistence::diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = compliance_persistence::diesel::sql_types::Text)]
            id: String,
            #[diesel(sql_type = compliance_persistence::diesel::sql_types::Text)]
            status: String,
            #[diesel(sql_type = compliance_persistence::diesel::sql_types::BigInt)]
            revision: i64,
        }
        use compliance_persistence::diesel::RunQueryDsl;
        let row: Row = compliance_persistence::diesel::sql_query(format!(
            "SELECT c.id::text AS id, c.status, c.revision::bigint AS revision FROM compliance_checks c
               JOIN kyc_checks k ON k.id = c.kyc_check_id
              WHERE k.entity_id = '{entity}' ORDER BY c.created_at DESC LIMIT 1"
        ))
        .get_result(&mut self.s.db.conn())
        .unwrap();
        (row.id, row.status, row.revision)
    }
}

/// One browser: its cookies.
pub struct Browser<'a> {
    pub app: &'a OfficeApp,
    pub cookies: Mutex<BTreeMap<String, String>>,
}

impl Browser<'_> {
    pub async fn request(&self, method: Method, uri: &str, form: Option<&[(&str, &str)]>) -> Page {
        let mut builder = Request::builder().method(method).uri(uri);
        let jar = self
            .cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        if !jar.is_empty() {
            builder = builder.header(header::COOKIE, jar);
        }
        let body = match form {
            Some(fields) => {
                builder = builder.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(encode_form(fields))
            }
            None => Body::empty(),
        };
        let response = self
            .app
            .router
            .clone()
            .oneshot(builder.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        for set in headers.get_all(header::SET_COOKIE) {
            let text = set.to_str().unwrap();
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            let mut jar = self.cookies.lock().unwrap();
            if value.is_empty() || attributes.contains("Max-Age=0") {
                jar.remove(name);
            } else {
                jar.insert(name.to_owned(), value.to_owned());
            }
        }
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = String::from_utf8(bytes.to_vec()).unwrap();
        assert!(!status.is_server_error(), "{status}: {body}");
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> Page {
        self.request(Method::GET, uri, None).await
    }

    pub async fn post(&self, uri: &str, form: &[(&str, &str)]) -> Page {
        self.request(Method::POST, uri, Some(form)).await
    }

    /// Posts the decide form of `case` as read on `page` (its CSRF token) at `revision`.
    pub async fn decide(
        &self,
        case: &str,
        page: &Page,
        revision: i64,
        verdict: &str,
        reason: &str,
    ) -> Page {
        self.post(
            &format!("/office/cases/{case}/decide"),
            &[
                ("csrf", &page.csrf()),
                ("revision", &revision.to_string()),
                ("verdict", verdict),
                ("reason", reason),
            ],
        )
        .await
    }

    /// Opens the sign-in page and signs in.
    pub async fn sign_in(&self, username: &str, password: &str) -> Page {
        let form = self.get("/office/sign-in").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = form.csrf();
        self.post(
            "/office/sign-in",
            &[
                ("csrf", &csrf),
                ("username", username),
                ("password", password),
                ("next", "/office/queue"),
            ],
        )
        .await
    }
}

fn encode_form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
