//! Where the database is: `DATABASE_URL`, or else `DATABASE_HOST`, `DATABASE_PORT`,
//! `DATABASE_NAME`, `DATABASE_USER`, `DATABASE_PASSWORD`, plus `DATABASE_POOL_MAX`,
//! `DATABASE_CONNECT_TIMEOUT` and the session limits (`DATABASE_LOCK_TIMEOUT`,
//! `DATABASE_STATEMENT_TIMEOUT`, `DATABASE_IDLE_IN_TRANSACTION_TIMEOUT`), with the local server
//! as the default, or the embedded server when nothing is configured and nothing answers at
//! 127.0.0.1:5432 ([`crate::embedded`] decides).
//!
//! Must not: print the password. `Display` and `Debug` show `host:port/database` and the user;
//! the URL with the password is only handed to the driver, with every character of the user and
//! the password that a URL could misread percent-encoded (`%` included), so that libpq receives
//! them exactly as given.

use crate::embedded::{self, Resolution};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use std::fmt;
use std::time::Duration;
use url::Url;

/// The defaults: the local server, database `compliance_db`, user `postgres`, pool of 20.
pub mod defaults {
    /// `DATABASE_HOST`.
    pub const HOST: &str = "127.0.0.1";
    /// `DATABASE_PORT`.
    pub const PORT: u16 = crate::embedded::LOCAL_PORT;
    /// `DATABASE_NAME`.
    pub const NAME: &str = "compliance_db";
    /// `DATABASE_USER`.
    pub const USER: &str = "postgres";
    /// `DATABASE_POOL_MAX`.
    pub const POOL_MAX: u32 = 20;
    /// `DATABASE_CONNECT_TIMEOUT`, in seconds.
    pub const CONNECT_TIMEOUT_SECS: u64 = 5;
    /// `DATABASE_LOCK_TIMEOUT`, in seconds: a write that waits longer for a row or the audit
    /// lock gives up instead of queueing behind a stuck writer.
    pub const LOCK_TIMEOUT_SECS: u64 = 5;
    /// `DATABASE_STATEMENT_TIMEOUT`, in seconds.
    pub const STATEMENT_TIMEOUT_SECS: u64 = 30;
    /// `DATABASE_IDLE_IN_TRANSACTION_TIMEOUT`, in seconds: a session that holds a transaction
    /// open doing nothing for longer is ended by the server, and its locks with it.
    pub const IDLE_IN_TRANSACTION_TIMEOUT_SECS: u64 = 60;
}

/// The longest database name PostgreSQL keeps (`NAMEDATALEN - 1`), in bytes.
pub const MAX_NAME_BYTES: usize = 63;

/// Why a database name cannot be used, if it cannot: PostgreSQL would silently shorten a name
/// longer than 63 bytes, and so connect to (or create) another database than the one named.
pub fn database_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() || name.contains('\0') {
        Some("it is empty or contains a NUL character")
    } else if name.len() > MAX_NAME_BYTES {
        Some("PostgreSQL keeps at most 63 bytes of a name and would silently shorten it")
    } else {
        None
    }
}

/// Limits set on every session of the service's pool (zero turns one off), so that one stuck
/// writer cannot stall every other: a lock wait, a statement and an idle open transaction all
/// end after their limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// `lock_timeout` (`DATABASE_LOCK_TIMEOUT`).
    pub lock_timeout: Duration,
    /// `statement_timeout` (`DATABASE_STATEMENT_TIMEOUT`).
    pub statement_timeout: Duration,
    /// `idle_in_transaction_session_timeout` (`DATABASE_IDLE_IN_TRANSACTION_TIMEOUT`).
    pub idle_in_transaction_timeout: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            lock_timeout: Duration::from_secs(defaults::LOCK_TIMEOUT_SECS),
            statement_timeout: Duration::from_secs(defaults::STATEMENT_TIMEOUT_SECS),
            idle_in_transaction_timeout: Duration::from_secs(
                defaults::IDLE_IN_TRANSACTION_TIMEOUT_SECS,
            ),
        }
    }
}

impl SessionLimits {
    /// The `SET` statements that apply the limits to a session.
    pub fn sql(&self) -> String {
        format!(
            "SET lock_timeout = {}; SET statement_timeout = {}; SET idle_in_transaction_session_timeout = {}",
            millis(self.lock_timeout),
            millis(self.statement_timeout),
            millis(self.idle_in_transaction_timeout)
        )
    }
}

/// Whole milliseconds for PostgreSQL, rounded up so that a short limit never becomes 0 (off),
/// and capped at the largest value it accepts.
fn millis(d: Duration) -> u128 {
    let ms = d.as_millis() + u128::from(!d.subsec_nanos().is_multiple_of(1_000_000));
    ms.min(i32::MAX as u128)
}

/// `5s`, `250ms` or `off`, for messages.
fn shown(d: Duration) -> String {
    match millis(d) {
        0 => "off".into(),
        ms if ms % 1000 == 0 => format!("{}s", ms / 1000),
        ms => format!("{ms}ms"),
    }
}

/// What a user name or password may hold as is in a URL's user information: the unreserved
/// characters. Everything else, `%` included, is percent-encoded, so that libpq decodes back
/// exactly the text given.
const USERINFO: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `DATABASE_URL` is not a `postgres://` or `postgresql://` URL.
    #[error("DATABASE_URL is not a valid postgres:// URL: {0}")]
    Url(String),
    /// A variable that should be a number is not one, or is out of range.
    #[error("{name} must be {expected}, got {value:?}")]
    Number {
        /// The variable.
        name: &'static str,
        /// What it must be.
        expected: &'static str,
        /// What it was.
        value: String,
    },
    /// A part of `DATABASE_URL` is not correctly percent-encoded.
    #[error("DATABASE_URL is not a valid postgres:// URL: {0}")]
    Encoding(String),
    /// `DATABASE_READ_URL` is not a usable `postgres://` URL.
    #[error("DATABASE_READ_URL is not a valid postgres:// URL: {0}")]
    ReadUrl(String),
    /// The database name cannot be used.
    #[error("database name {name:?} is not usable: {reason}")]
    DatabaseName {
        /// The name.
        name: String,
        /// Why.
        reason: &'static str,
    },
}

/// A password: `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How to reach the database.
///
/// ```
/// use compliance_persistence::DatabaseConfig;
/// let config = DatabaseConfig::from_url("postgres://app:s3cret@db.internal:6432/compliance_db")?;
/// assert_eq!(config.target(), "db.internal:6432/compliance_db");
/// assert!(!format!("{config} {config:?}").contains("s3cret"));
/// # Ok::<(), compliance_persistence::ConfigError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseConfig {
    url: Url,
    /// Every server as `host:port` when the URL names several (the URL keeps the first).
    servers: Option<Vec<String>>,
    password: Option<Secret>,
    /// Largest number of pooled connections (`DATABASE_POOL_MAX`).
    pub pool_max: u32,
    /// How long to wait for a connection (`DATABASE_CONNECT_TIMEOUT`).
    pub connect_timeout: Duration,
    /// The limits set on each pooled session.
    pub session: SessionLimits,
}

impl DatabaseConfig {
    /// Reads the environment: `DATABASE_URL` if set, else the `DATABASE_*` parts, else defaults;
    /// except that when no server is configured and nothing answers at 127.0.0.1:5432, the
    /// embedded server of this checkout is used if it runs (see [`crate::embedded`]), and a
    /// line on stderr says so.
    pub fn from_env() -> Result<Self, ConfigError> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        match embedded::resolve(env) {
            Resolution::Embedded(state) => {
                let port = state.port.to_string();
                let config = Self::from_lookup(|name| match name {
                    "DATABASE_HOST" => Some(defaults::HOST.to_owned()),
                    "DATABASE_PORT" => Some(port.clone()),
                    _ => env(name),
                })?;
                embedded::announce(&state);
                Ok(config)
            }
            _ => Self::from_lookup(env),
        }
    }

    /// Like [`DatabaseConfig::from_env`], reading variables through `lookup` (for tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let number = |name: &'static str, range: std::ops::RangeInclusive<u64>, expected| {
            number_var(&lookup, name, range, expected)
        };
        let mut config = match lookup("DATABASE_URL") {
            Some(url) => Self::from_url(&url)?,
            None => {
                let port = number("DATABASE_PORT", 1..=65535, "a port number from 1 to 65535")?
                    .map_or(defaults::PORT, |p| {
                        u16::try_from(p).unwrap_or(defaults::PORT)
                    });
                Self::from_parts(
                    &lookup("DATABASE_HOST").unwrap_or_else(|| defaults::HOST.into()),
                    port,
                    &lookup("DATABASE_NAME").unwrap_or_else(|| defaults::NAME.into()),
                    &lookup("DATABASE_USER").unwrap_or_else(|| defaults::USER.into()),
                    lookup("DATABASE_PASSWORD").as_deref(),
                )?
            }
        };
        if let Some(max) = number(
            "DATABASE_POOL_MAX",
            1..=1000,
            "a whole number from 1 to 1000",
        )? {
            config.pool_max = u32::try_from(max).unwrap_or(defaults::POOL_MAX);
        }
        if let Some(secs) = number(
            "DATABASE_CONNECT_TIMEOUT",
            1..=300,
            "a number of seconds from 1 to 300",
        )? {
            config.connect_timeout = Duration::from_secs(secs);
        }
        let limit = |name| {
            number(
                name,
                0..=86_400,
                "a number of seconds from 0 (off) to 86400",
            )
        };
        let session = &mut config.session;
        for (name, value) in [
            ("DATABASE_LOCK_TIMEOUT", &mut session.lock_timeout),
            ("DATABASE_STATEMENT_TIMEOUT", &mut session.statement_timeout),
            (
                "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT",
                &mut session.idle_in_transaction_timeout,
            ),
        ] {
            if let Some(secs) = limit(name)? {
                *value = Duration::from_secs(secs);
            }
        }
        Ok(config)
    }

    /// From a `postgres://user:password@host:port/database?params` URL, or one naming several
    /// servers (`host-a:5432,host-b:5432`, with `target_session_attrs=read-write` to reach the
    /// primary among them).
    pub fn from_url(text: &str) -> Result<Self, ConfigError> {
        let (text, servers) = hosts::split(text)?;
        // The parser's own message may quote the input; say only what is wrong in general.
        let mut url = Url::parse(&text).map_err(|e| ConfigError::Url(e.to_string()))?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(ConfigError::Url(format!(
                "the scheme must be postgres:// or postgresql://, not {}://",
                url.scheme()
            )));
        }
        let socket = url
            .query_pairs()
            .any(|(k, v)| k == "host" && v.starts_with('/'));
        if url.host_str().is_none_or(str::is_empty) && !socket {
            return Err(ConfigError::Url(
                "the URL names no host (for a Unix socket, add ?host=/path/to/socket/dir)".into(),
            ));
        }
        // A `%` that does not begin an escape would reach libpq, which refuses it quoting the
        // text around it: for the password, that is the password. Say what is wrong, not what
        // was written.
        let password = match url.password() {
            Some(p) => Some(Secret(decode_strict(p).ok_or_else(|| {
                ConfigError::Encoding(
                    "the password is not correctly percent-encoded (a % must begin an escape: %25 for % itself, %40 for @, %2F for /); or leave it out and set DATABASE_PASSWORD, which is taken as it is".into(),
                )
            })?)),
            None => None,
        };
        for (part, text) in [
            ("user name", url.username()),
            ("database name", url.path().trim_start_matches('/')),
        ] {
            if decode_strict(text).is_none() {
                return Err(ConfigError::Encoding(format!(
                    "the {part} {text:?} is not correctly percent-encoded (a % must begin an escape such as %25, and the text must be UTF-8)"
                )));
            }
        }
        // The password lives apart from the URL, so that printing the URL can never show it.
        let _ = url.set_password(None);
        Self::checked(Self {
            url,
            servers,
            password,
            pool_max: defaults::POOL_MAX,
            connect_timeout: Duration::from_secs(defaults::CONNECT_TIMEOUT_SECS),
            session: SessionLimits::default(),
        })
    }

    /// Refuses a database name that PostgreSQL would not keep as it is.
    fn checked(self) -> Result<Self, ConfigError> {
        self.check_name().map(|()| self)
    }

    /// An error when the database name is one PostgreSQL would not keep as it is (see
    /// [`database_name_problem`]): for a configuration made by [`DatabaseConfig::with_database`].
    pub fn check_name(&self) -> Result<(), ConfigError> {
        let name = self.database();
        match database_name_problem(&name) {
            Some(reason) => Err(ConfigError::DatabaseName { name, reason }),
            None => Ok(()),
        }
    }

    /// From its parts; the password may be absent (trust or peer authentication, `.pgpass`).
    pub fn from_parts(
        host: &str,
        port: u16,
        database: &str,
        user: &str,
        password: Option<&str>,
    ) -> Result<Self, ConfigError> {
        // A Unix socket directory is passed to libpq as the `host` parameter.
        let socket = host.starts_with('/');
        let url_host = if socket {
            "localhost".to_owned()
        } else if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]")
        } else {
            host.to_owned()
        };
        let mut url = Url::parse(&format!("postgres://{url_host}:{port}/")).map_err(|e| {
            ConfigError::Url(format!("DATABASE_HOST is not a valid host name: {e}"))
        })?;
        if socket {
            url.query_pairs_mut().append_pair("host", host);
        }
        url.set_username(&utf8_percent_encode(user, USERINFO).to_string())
            .map_err(|()| ConfigError::Url("DATABASE_USER cannot be used in a URL".into()))?;
        url.path_segments_mut()
            .map_err(|()| ConfigError::Url("the URL cannot take a database name".into()))?
            .clear()
            .push(database);
        Self::checked(Self {
            url,
            servers: None,
            password: password.map(|p| Secret(p.to_owned())),
            pool_max: defaults::POOL_MAX,
            connect_timeout: Duration::from_secs(defaults::CONNECT_TIMEOUT_SECS),
            session: SessionLimits::default(),
        })
    }

    /// The host name or address (the first, when the URL names several servers).
    pub fn host(&self) -> String {
        self.url
            .query_pairs()
            .find(|(k, _)| k == "host")
            .map(|(_, v)| v.into_owned())
            .or_else(|| {
                self.url
                    .host_str()
                    .filter(|h| !h.is_empty())
                    // libpq also takes a socket directory percent-encoded in the host part.
                    .map(decode)
            })
            .unwrap_or_else(|| defaults::HOST.to_owned())
    }

    /// The port (the first server's).
    pub fn port(&self) -> u16 {
        self.url.port().unwrap_or(defaults::PORT)
    }

    /// The database name.
    pub fn database(&self) -> String {
        self.url
            .path_segments()
            .and_then(|mut s| s.next())
            .filter(|s| !s.is_empty())
            .map(decode)
            .unwrap_or_else(|| self.user())
    }

    /// The user name.
    pub fn user(&self) -> String {
        match self.url.username() {
            "" => defaults::USER.to_owned(),
            user => decode(user),
        }
    }

    /// Every server as `host:port`, in the order libpq tries them (one when the URL names one).
    pub fn servers(&self) -> Vec<String> {
        self.servers
            .clone()
            .unwrap_or_else(|| vec![format!("{}:{}", self.host(), self.port())])
    }

    /// True when every server is on this machine (a loopback address, `localhost` or a socket).
    pub fn is_local(&self) -> bool {
        let local = |host: &str| {
            let host = host.trim_start_matches('[').trim_end_matches(']');
            matches!(host, "localhost" | "127.0.0.1" | "::1") || host.starts_with('/')
        };
        match &self.servers {
            Some(servers) => servers
                .iter()
                .all(|s| local(s.rsplit_once(':').map_or(s.as_str(), |(host, _)| host))),
            None => local(&self.host()),
        }
    }

    /// `host:port/database` (`host-a:5432,host-b:5432/database` for several servers), for
    /// messages: no user, no password.
    pub fn target(&self) -> String {
        match &self.servers {
            Some(servers) => format!("{}/{}", servers.join(","), self.database()),
            None => format!("{}:{}/{}", self.host(), self.port(), self.database()),
        }
    }

    /// The same server with another database (e.g. `postgres` to create this one).
    pub fn with_database(&self, database: &str) -> Self {
        let mut other = self.clone();
        if let Ok(mut segments) = other.url.path_segments_mut() {
            segments.clear().push(database);
        }
        other
    }

    /// The connection URL for the driver, password included, with `connect_timeout` and
    /// `application_name` added unless given. Never log it.
    pub fn connection_url(&self) -> String {
        let mut url = self.url.clone();
        let has = |key: &str| url.query_pairs().any(|(k, _)| k == key);
        let (timeout, name) = (has("connect_timeout"), has("application_name"));
        {
            let mut query = url.query_pairs_mut();
            if !timeout {
                // libpq counts whole seconds and treats values below 2 as 2.
                query.append_pair(
                    "connect_timeout",
                    &self.connect_timeout.as_secs().max(2).to_string(),
                );
            }
            if !name {
                query.append_pair("application_name", "compliance-db");
            }
        }
        if let Some(Secret(password)) = &self.password {
            // Encoded here, `%` included: `set_password` alone leaves a `%` as it is, and libpq
            // would then decode `pa%41ss` to `paAss`.
            let _ = url.set_password(Some(&utf8_percent_encode(password, USERINFO).to_string()));
        }
        match &self.servers {
            Some(servers) => hosts::join(&url, servers),
            None => url.to_string(),
        }
    }

    /// `text` with the password, as given or percent-encoded, replaced by `<redacted>`: for a
    /// driver's message before it is shown. A password that is also the user, host or database
    /// name is left, since those are shown anyway and hiding them would garble the message.
    pub fn redact(&self, text: &str) -> String {
        let Some(Secret(password)) = &self.password else {
            return text.to_owned();
        };
        if password.is_empty() || [self.user(), self.host(), self.database()].contains(password) {
            return text.to_owned();
        }
        let encoded = utf8_percent_encode(password, USERINFO).to_string();
        text.replace(password.as_str(), "<redacted>")
            .replace(&encoded, "<redacted>")
    }
}

/// Percent-decodes a URL component, or `None` when a `%` does not begin an escape of two hex
/// digits or the bytes are not UTF-8 (libpq would refuse the first and misread the second).
fn decode_strict(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let escapes_ok = bytes.iter().enumerate().all(|(i, b)| {
        *b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    if !escapes_ok {
        return None;
    }
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

/// Percent-decodes a URL component (`compliance%20db` is `compliance db`).
fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

impl fmt::Display for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} as {} (password {}, pool max {}, connect timeout {}s, lock timeout {}, statement timeout {}, idle in transaction {})",
            self.target(),
            self.user(),
            if self.password.is_some() {
                "set"
            } else {
                "not set"
            },
            self.pool_max,
            self.connect_timeout.as_secs(),
            shown(self.session.lock_timeout),
            shown(self.session.statement_timeout),
            shown(self.session.idle_in_transaction_timeout)
        )
    }
}

impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("target", &self.target())
            .field("user", &self.user())
            .field("password", &self.password)
            .field("pool_max", &self.pool_max)
            .field("connect_timeout", &self.connect_timeout)
            .field("session", &self.session)
            .finish()
    }
}

mod hosts;
mod replica;
pub use replica::{READ_WAIT_MS, ReplicaConfig};
#[cfg(test)]
mod tests;

/// The variable `name` read through `lookup` as a whole number in `range` (`None` when unset);
/// otherwise a [`ConfigError::Number`] naming it and what was `expected`.
fn number_var(
    lookup: impl Fn(&str) -> Option<String>,
    name: &'static str,
    range: std::ops::RangeInclusive<u64>,
    expected: &'static str,
) -> Result<Option<u64>, ConfigError> {
    lookup(name)
        .map(|value| {
            value
                .parse::<u64>()
                .ok()
                .filter(|n| range.contains(n))
                .ok_or(ConfigError::Number {
                    name,
                    expected,
                    value,
                })
        })
        .transpose()
}
