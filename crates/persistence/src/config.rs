//! Where the database is: `DATABASE_URL`, or else `DATABASE_HOST`, `DATABASE_PORT`,
//! `DATABASE_NAME`, `DATABASE_USER`, `DATABASE_PASSWORD`, plus `DATABASE_POOL_MAX` and
//! `DATABASE_CONNECT_TIMEOUT`, with the local server as the default.
//!
//! Must not: print the password. `Display` and `Debug` show `host:port/database` and the user;
//! the URL with the password is only handed to the driver.

use std::fmt;
use std::time::Duration;
use url::Url;

/// The defaults: the local server, database `compliance_db`, user `postgres`, pool of 20.
pub mod defaults {
    /// `DATABASE_HOST`.
    pub const HOST: &str = "127.0.0.1";
    /// `DATABASE_PORT`.
    pub const PORT: u16 = 5432;
    /// `DATABASE_NAME`.
    pub const NAME: &str = "compliance_db";
    /// `DATABASE_USER`.
    pub const USER: &str = "postgres";
    /// `DATABASE_POOL_MAX`.
    pub const POOL_MAX: u32 = 20;
    /// `DATABASE_CONNECT_TIMEOUT`, in seconds.
    pub const CONNECT_TIMEOUT_SECS: u64 = 5;
}

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
    password: Option<Secret>,
    /// Largest number of pooled connections (`DATABASE_POOL_MAX`).
    pub pool_max: u32,
    /// How long to wait for a connection (`DATABASE_CONNECT_TIMEOUT`).
    pub connect_timeout: Duration,
}

impl DatabaseConfig {
    /// Reads the environment: `DATABASE_URL` if set, else the `DATABASE_*` parts, else defaults.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Like [`DatabaseConfig::from_env`], reading variables through `lookup` (for tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut config =
            match lookup("DATABASE_URL") {
                Some(url) => Self::from_url(&url)?,
                None => {
                    let port =
                        match lookup("DATABASE_PORT") {
                            Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or(
                                ConfigError::Number {
                                    name: "DATABASE_PORT",
                                    expected: "a port number from 1 to 65535",
                                    value: p,
                                },
                            )?,
                            None => defaults::PORT,
                        };
                    Self::from_parts(
                        &lookup("DATABASE_HOST").unwrap_or_else(|| defaults::HOST.into()),
                        port,
                        &lookup("DATABASE_NAME").unwrap_or_else(|| defaults::NAME.into()),
                        &lookup("DATABASE_USER").unwrap_or_else(|| defaults::USER.into()),
                        lookup("DATABASE_PASSWORD").as_deref(),
                    )?
                }
            };
        if let Some(max) = lookup("DATABASE_POOL_MAX") {
            config.pool_max = max
                .parse::<u32>()
                .ok()
                .filter(|m| (1..=1000).contains(m))
                .ok_or(ConfigError::Number {
                    name: "DATABASE_POOL_MAX",
                    expected: "a whole number from 1 to 1000",
                    value: max,
                })?;
        }
        if let Some(secs) = lookup("DATABASE_CONNECT_TIMEOUT") {
            let secs = secs
                .parse::<u64>()
                .ok()
                .filter(|s| (1..=300).contains(s))
                .ok_or(ConfigError::Number {
                    name: "DATABASE_CONNECT_TIMEOUT",
                    expected: "a number of seconds from 1 to 300",
                    value: secs,
                })?;
            config.connect_timeout = Duration::from_secs(secs);
        }
        Ok(config)
    }

    /// From a `postgres://user:password@host:port/database?params` URL.
    pub fn from_url(text: &str) -> Result<Self, ConfigError> {
        // The parser's own message may quote the input; say only what is wrong in general.
        let mut url = Url::parse(text).map_err(|e| ConfigError::Url(e.to_string()))?;
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
        let password = url.password().map(|p| Secret(decode(p)));
        // The password lives apart from the URL, so that printing the URL can never show it.
        let _ = url.set_password(None);
        Ok(Self {
            url,
            password,
            pool_max: defaults::POOL_MAX,
            connect_timeout: Duration::from_secs(defaults::CONNECT_TIMEOUT_SECS),
        })
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
        url.set_username(user)
            .map_err(|()| ConfigError::Url("DATABASE_USER cannot be used in a URL".into()))?;
        url.path_segments_mut()
            .map_err(|()| ConfigError::Url("the URL cannot take a database name".into()))?
            .clear()
            .push(database);
        Ok(Self {
            url,
            password: password.map(|p| Secret(p.to_owned())),
            pool_max: defaults::POOL_MAX,
            connect_timeout: Duration::from_secs(defaults::CONNECT_TIMEOUT_SECS),
        })
    }

    /// The host name or address.
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

    /// The port.
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

    /// True when the server is on this machine (a loopback address, `localhost` or a socket).
    pub fn is_local(&self) -> bool {
        let host = self.host();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        matches!(host, "localhost" | "127.0.0.1" | "::1") || host.starts_with('/')
    }

    /// `host:port/database`, for messages: no user, no password.
    pub fn target(&self) -> String {
        format!("{}:{}/{}", self.host(), self.port(), self.database())
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
            // `set_password` percent-encodes what a URL cannot hold as is.
            let _ = url.set_password(Some(password));
        }
        url.to_string()
    }
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
            "{} as {} (password {}, pool max {}, connect timeout {}s)",
            self.target(),
            self.user(),
            if self.password.is_some() {
                "set"
            } else {
                "not set"
            },
            self.pool_max,
            self.connect_timeout.as_secs()
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
            .finish()
    }
}

#[cfg(test)]
mod tests;
