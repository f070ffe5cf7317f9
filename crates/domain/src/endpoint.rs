//! Where events may be sent: an endpoint's URL, checked against server-side request forgery
//! (https, except on loopback; a literal address as `address.rs` allows it), and a broker's
//! subject prefix.
//!
//! Must not: resolve a name (no I/O): a host name is checked again, on the addresses it
//! resolves to, by the dispatcher when it connects. The database repeats the literal checks
//! (`ck_event_endpoints_url`, `endpoint_host_refused()`).

use crate::EndpointKind;
use crate::address::{AddressClass, classify, is_loopback_name};
use std::net::IpAddr;

/// Why a URL cannot be an endpoint's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointUrlError {
    /// Not `scheme://host...`, too long, or with spaces or control characters.
    #[error(
        "the URL must be an absolute URL of at most 2000 characters, without spaces or control characters"
    )]
    Malformed,
    /// A webhook's URL that is not https (http only on loopback), or a broker's not nats://.
    #[error("{0}")]
    Scheme(&'static str),
    /// Credentials in the URL (they would be stored and shown).
    #[error("the URL must not carry a user name or password")]
    Credentials,
    /// A literal address the guard refuses.
    #[error(
        "the URL's address is private or shared (an admin may allow private addresses for this endpoint) or link-local, reserved or unusable (never allowed)"
    )]
    Forbidden,
}

/// An endpoint's URL, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointUrl(String);

impl EndpointUrl {
    /// Checks `text` as the URL of an endpoint of `kind`: a webhook's is `https://` (`http://`
    /// only on loopback), a broker's `nats://host[:port]`; no credentials; a literal address
    /// must be [`AddressClass::allowed`].
    pub fn parse(
        kind: EndpointKind,
        text: &str,
        allow_private: bool,
    ) -> Result<Self, EndpointUrlError> {
        if text.len() > 2000 || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EndpointUrlError::Malformed);
        }
        let (scheme, rest) = text.split_once("://").ok_or(EndpointUrlError::Malformed)?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return Err(EndpointUrlError::Credentials);
        }
        let host = host_of(authority).ok_or(EndpointUrlError::Malformed)?;
        let literal = host.parse::<IpAddr>().ok();
        let loopback = is_loopback_name(host)
            || literal.is_some_and(|ip| classify(ip) == AddressClass::Loopback);
        match (kind, scheme) {
            (EndpointKind::Webhook, "https") => {}
            (EndpointKind::Webhook, "http") if loopback => {}
            (EndpointKind::Webhook, _) => {
                return Err(EndpointUrlError::Scheme(
                    "a webhook's URL must be https:// (http:// only on loopback)",
                ));
            }
            (EndpointKind::Nats, "nats") if authority.len() + 1 >= rest.len() => {}
            (EndpointKind::Nats, _) => {
                return Err(EndpointUrlError::Scheme(
                    "a broker's URL must be nats://host[:port], without a path",
                ));
            }
        }
        if literal.is_some_and(|ip| !classify(ip).allowed(allow_private, true)) {
            return Err(EndpointUrlError::Forbidden);
        }
        Ok(Self(text.to_owned()))
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The host of `host[:port]` or `[v6][:port]`, brackets removed; `None` when empty or when the
/// port is not a number.
fn host_of(authority: &str) -> Option<&str> {
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']')?;
            (host, after.strip_prefix(':'))
        }
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    (!host.is_empty() && port_ok).then_some(host)
}

/// A broker's subject prefix: one to four dot-separated tokens of letters, digits, `_` and `-`
/// (`compliance.events`); subjects are `<prefix>.<event type>.<jurisdiction>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectPrefix(String);

/// A text that is not a subject prefix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a subject prefix is one to four dot-separated tokens of 1 to 32 letters, digits, '_' or '-'"
)]
pub struct SubjectPrefixError;

impl SubjectPrefix {
    /// Parses a prefix.
    pub fn parse(text: &str) -> Result<Self, SubjectPrefixError> {
        let tokens: Vec<&str> = text.split('.').collect();
        let ok = (1..=4).contains(&tokens.len())
            && tokens.iter().all(|t| {
                (1..=32).contains(&t.len())
                    && t.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            });
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(SubjectPrefixError)
        }
    }

    /// The prefix.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EndpointKind::{Nats, Webhook};

    #[test]
    fn webhook_urls() {
        let ok = |s: &str| EndpointUrl::parse(Webhook, s, false).is_ok();
        assert!(ok("https://hooks.example.com/compliance"));
        assert!(ok("http://127.0.0.1:8080/hook"));
        assert!(ok("http://localhost:9/x"));
        assert!(ok("http://[::1]:9/x"));
        assert!(!ok("http://hooks.example.com/compliance"));
        assert!(!ok("ftp://hooks.example.com/"));
        assert_eq!(
            EndpointUrl::parse(Webhook, "https://10.0.0.5/hook", false),
            Err(EndpointUrlError::Forbidden)
        );
        assert!(EndpointUrl::parse(Webhook, "https://10.0.0.5/hook", true).is_ok());
        assert_eq!(
            EndpointUrl::parse(Webhook, "https://169.254.169.254/latest", true),
            Err(EndpointUrlError::Forbidden)
        );
        assert_eq!(
            EndpointUrl::parse(Webhook, "https://[fe80::1]/x", false),
            Err(EndpointUrlError::Forbidden)
        );
        assert_eq!(
            EndpointUrl::parse(Webhook, "https://user:pw@example.com/", false),
            Err(EndpointUrlError::Credentials)
        );
        assert_eq!(
            EndpointUrl::parse(Webhook, "https://", false),
            Err(EndpointUrlError::Malformed)
        );
        assert_eq!(
            EndpointUrl::parse(Webhook, "https://example.com:port/", false),
            Err(EndpointUrlError::Malformed)
        );
        assert!(!ok("https://exa mple.com/"));
        assert!(!ok("https://example.com/\u{0}"));
    }

    #[test]
    fn broker_urls_and_prefixes() {
        assert!(EndpointUrl::parse(Nats, "nats://127.0.0.1:4222", false).is_ok());
        assert!(EndpointUrl::parse(Nats, "nats://127.0.0.1:4222/", false).is_ok());
        assert!(EndpointUrl::parse(Nats, "nats://nats.internal:4222/x", false).is_err());
        assert!(EndpointUrl::parse(Nats, "https://example.com", false).is_err());
        assert!(SubjectPrefix::parse("compliance.events").is_ok());
        assert!(SubjectPrefix::parse("a.b.c.d.e").is_err());
        assert!(SubjectPrefix::parse("compliance.>").is_err());
        assert!(SubjectPrefix::parse("").is_err());
    }
}
