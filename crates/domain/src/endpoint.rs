//! Where events may be sent: an endpoint's URL, checked against server-side request forgery
//! (https, except on loopback; never a private, link-local or shared address unless an admin
//! allows it), and a broker's subject prefix.
//!
//! Must not: resolve a name (no I/O): a host name is checked again, on the addresses it
//! resolves to, by the dispatcher when it connects. The database repeats the literal checks
//! (`ck_event_endpoints_url`, `endpoint_host_private()`).

use crate::EndpointKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What kind of address an IP address is, for the forgery guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    /// Reachable on the internet.
    Public,
    /// This machine (127.0.0.0/8, ::1).
    Loopback,
    /// A private network (10/8, 172.16/12, 192.168/16, fc00::/7).
    Private,
    /// Link-local (169.254/16, fe80::/10): where cloud metadata services answer.
    LinkLocal,
    /// Carrier-grade NAT's shared space (100.64/10).
    Shared,
    /// 0.0.0.0, ::, 0/8, multicast, broadcast and the documentation ranges: never a receiver.
    Unusable,
}

impl AddressClass {
    /// The class of `ip` (an IPv4-mapped IPv6 address is its IPv4 address's).
    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => Self::of_v4(v4),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self::of_v4(v4),
                None => Self::of_v6(v6),
            },
        }
    }

    fn of_v4(ip: Ipv4Addr) -> Self {
        let [a, b, c, _] = ip.octets();
        if ip.is_loopback() {
            Self::Loopback
        } else if ip.is_private() {
            Self::Private
        } else if ip.is_link_local() {
            Self::LinkLocal
        } else if a == 100 && (64..128).contains(&b) {
            Self::Shared
        } else if a == 0
            || ip.is_multicast()
            || ip.is_broadcast()
            || a >= 240
            || (a, b, c) == (192, 0, 2)
            || (a, b, c) == (198, 51, 100)
            || (a, b, c) == (203, 0, 113)
        {
            Self::Unusable
        } else {
            Self::Public
        }
    }

    fn of_v6(ip: Ipv6Addr) -> Self {
        let first = ip.segments()[0];
        if ip.is_loopback() {
            Self::Loopback
        } else if first & 0xfe00 == 0xfc00 {
            Self::Private
        } else if first & 0xffc0 == 0xfe80 {
            Self::LinkLocal
        } else if ip.is_unspecified()
            || ip.is_multicast()
            || first == 0x2001 && ip.segments()[1] == 0xdb8
        {
            Self::Unusable
        } else {
            Self::Public
        }
    }

    /// Whether an endpoint may be reached at this address: public and loopback addresses
    /// always, private, link-local and shared ones only when an admin allowed it, the others
    /// never.
    pub fn allowed(self, allow_private: bool) -> bool {
        match self {
            Self::Public | Self::Loopback => true,
            Self::Private | Self::LinkLocal | Self::Shared => allow_private,
            Self::Unusable => false,
        }
    }
}

/// Why a URL cannot be an endpoint's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointUrlError {
    /// Not `scheme://host...`, too long, or with spaces.
    #[error("the URL must be an absolute URL of at most 2000 characters, without spaces")]
    Malformed,
    /// A webhook's URL that is not https (http only on loopback), or a broker's not nats://.
    #[error("{0}")]
    Scheme(&'static str),
    /// Credentials in the URL (they would be stored and shown).
    #[error("the URL must not carry a user name or password")]
    Credentials,
    /// A literal address the guard refuses.
    #[error(
        "the URL's address is private, link-local, shared or unusable: an admin must allow private addresses for this endpoint"
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
        if text.len() > 2000 || text.chars().any(char::is_whitespace) {
            return Err(EndpointUrlError::Malformed);
        }
        let (scheme, rest) = text.split_once("://").ok_or(EndpointUrlError::Malformed)?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return Err(EndpointUrlError::Credentials);
        }
        let host = host_of(authority).ok_or(EndpointUrlError::Malformed)?;
        let literal = host.parse::<IpAddr>().ok();
        let loopback = host == "localhost"
            || literal.is_some_and(|ip| AddressClass::of(ip) == AddressClass::Loopback);
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
        if literal.is_some_and(|ip| !AddressClass::of(ip).allowed(allow_private)) {
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
    fn classes() {
        let class = |s: &str| AddressClass::of(s.parse().unwrap());
        assert_eq!(class("8.8.8.8"), AddressClass::Public);
        assert_eq!(class("127.0.0.2"), AddressClass::Loopback);
        assert_eq!(class("10.1.2.3"), AddressClass::Private);
        assert_eq!(class("172.31.0.1"), AddressClass::Private);
        assert_eq!(class("172.32.0.1"), AddressClass::Public);
        assert_eq!(class("169.254.169.254"), AddressClass::LinkLocal);
        assert_eq!(class("100.64.0.1"), AddressClass::Shared);
        assert_eq!(class("0.0.0.0"), AddressClass::Unusable);
        assert_eq!(class("255.255.255.255"), AddressClass::Unusable);
        assert_eq!(class("::1"), AddressClass::Loopback);
        assert_eq!(class("fd00::1"), AddressClass::Private);
        assert_eq!(class("fe80::1"), AddressClass::LinkLocal);
        assert_eq!(class("::ffff:10.0.0.1"), AddressClass::Private);
        assert_eq!(class("::ffff:169.254.169.254"), AddressClass::LinkLocal);
        assert_eq!(class("2606:4700::1111"), AddressClass::Public);
        assert!(!AddressClass::Private.allowed(false) && AddressClass::Private.allowed(true));
        assert!(!AddressClass::Unusable.allowed(true));
    }

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
            EndpointUrl::parse(Webhook, "https://169.254.169.254/latest", true).map(|_| ()),
            Ok(())
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
