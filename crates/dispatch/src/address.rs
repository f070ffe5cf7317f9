//! The guard against server-side request forgery, as pure decisions: which addresses an endpoint
//! may reach ([`EndpointPolicy`], over the domain's [`classify`] and [`AddressClass::allowed`]),
//! and which webhook URLs are acceptable at all ([`check_url`]: https, or http on loopback only).
//!
//! Must not: resolve names or open connections (`resolver.rs` resolves, then asks this module),
//! or put a URL's user information, path or query in an error (they may carry a token).

use std::net::IpAddr;

pub use compliance_domain::{AddressClass, classify, is_loopback_name};

use url::{Host, Url};

/// Which addresses an endpoint may reach.
///
/// Public addresses always; loopback when the URL names it (a loopback literal or `localhost`:
/// development and the tests' receivers); a private network (10/8, 172.16/12, 192.168/16,
/// fc00::/7, carrier-grade NAT) or loopback reached through another name only when an admin
/// allowed it for the endpoint (`allow_private`). Never: link-local (169.254/16 holds the
/// clouds' metadata and credentials endpoints, so allowing a private receiver must not open
/// it), unspecified, multicast, broadcast, documentation or reserved addresses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct EndpointPolicy {
    /// An admin allowed this endpoint to be on a private network.
    pub allow_private: bool,
}

impl EndpointPolicy {
    /// No private network: the default, for every endpoint an admin has not said otherwise of.
    pub const STRICT: EndpointPolicy = EndpointPolicy {
        allow_private: false,
    };
    /// Private networks allowed (an admin's explicit choice for one endpoint).
    pub const ALLOW_PRIVATE: EndpointPolicy = EndpointPolicy {
        allow_private: true,
    };

    /// Whether `ip` may be connected to when the URL's host is `ip` itself.
    pub fn permits_literal(self, ip: IpAddr) -> Result<(), AddressError> {
        self.permits(ip, true)
    }

    /// Whether `ip` may be connected to when it is what the URL's host name `host` resolved
    /// to. Loopback counts as a private network unless the name is `localhost`: a public name
    /// that resolves to 127.0.0.1 is how an attacker reaches the platform's own services.
    pub fn permits_resolved(self, host: &str, ip: IpAddr) -> Result<(), AddressError> {
        self.permits(ip, is_loopback_name(host))
    }

    fn permits(self, ip: IpAddr, loopback_named: bool) -> Result<(), AddressError> {
        let class = classify(ip);
        if class.allowed(self.allow_private, loopback_named) {
            Ok(())
        } else {
            Err(AddressError::Forbidden { address: ip, class })
        }
    }
}

/// Why a webhook URL, or an address it resolved to, is refused. Names the scheme or the address,
/// never the URL's user information, path or query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Not `https` or `http`.
    #[error("a webhook URL is https (or http on loopback), not {scheme}")]
    UnsupportedScheme {
        /// The URL's scheme.
        scheme: String,
    },
    /// `http` to a host that is not loopback.
    #[error("a webhook URL is https unless its host is loopback (127.0.0.0/8, ::1, localhost)")]
    HttpsRequired,
    /// The URL has no host.
    #[error("a webhook URL needs a host")]
    NoHost,
    /// The address is of a class the endpoint may not reach.
    #[error("address {address} is {class}, which this endpoint may not reach")]
    Forbidden {
        /// The address refused.
        address: IpAddr,
        /// Its class.
        class: AddressClass,
    },
    /// The host name did not resolve.
    #[error("the host name did not resolve ({kind})")]
    Unresolved {
        /// The resolver's error kind.
        kind: std::io::ErrorKind,
    },
    /// The host name resolved to no address.
    #[error("the host name resolved to no address")]
    NoAddress,
}

/// Checks a webhook URL before anything is sent to it (and when an admin registers it): https,
/// or http on a loopback host; a host; and, when the host is a literal address, an address the
/// policy permits. A host name is checked again on the addresses it resolves to, at each
/// connection (`resolver.rs`), since what it resolves to may change.
pub fn check_url(url: &Url, policy: EndpointPolicy) -> Result<(), AddressError> {
    let host = url.host().ok_or(AddressError::NoHost)?;
    let literal = match host {
        Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        Host::Domain(_) => None,
    };
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match (literal, &host) {
                (Some(ip), _) => classify(ip) == AddressClass::Loopback,
                (None, Host::Domain(name)) => is_loopback_name(name),
                (None, _) => false,
            };
            if !loopback {
                return Err(AddressError::HttpsRequired);
            }
        }
        other => {
            return Err(AddressError::UnsupportedScheme {
                scheme: other.to_owned(),
            });
        }
    }
    match literal {
        Some(ip) => policy.permits_literal(ip),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AddressClass::*;

    #[test]
    fn the_policy_allows_public_and_named_loopback_and_private_only_when_allowed() {
        let ip = |t: &str| -> IpAddr { t.parse().unwrap() };
        let strict = EndpointPolicy::STRICT;
        let open = EndpointPolicy::ALLOW_PRIVATE;
        for policy in [strict, open] {
            assert_eq!(policy.permits_literal(ip("93.184.215.14")), Ok(()));
            assert_eq!(policy.permits_literal(ip("127.0.0.1")), Ok(()));
            assert_eq!(policy.permits_resolved("localhost", ip("::1")), Ok(()));
            assert_eq!(
                policy.permits_resolved("api.Localhost", ip("127.0.0.1")),
                Ok(())
            );
            // Never, whatever an admin allowed.
            for never in [
                "169.254.169.254",
                "fe80::1",
                "0.0.0.0",
                "224.0.0.1",
                "255.255.255.255",
                "192.0.2.1",
            ] {
                assert!(policy.permits_literal(ip(never)).is_err(), "{never}");
                assert!(
                    policy
                        .permits_resolved("hooks.example.com", ip(never))
                        .is_err(),
                    "{never}"
                );
            }
        }
        for private in [
            "10.0.0.1",
            "172.16.0.1",
            "192.168.0.1",
            "fd00::1",
            "100.64.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert_eq!(
                strict.permits_literal(ip(private)),
                Err(AddressError::Forbidden {
                    address: ip(private),
                    class: classify(ip(private))
                })
            );
            assert_eq!(open.permits_literal(ip(private)), Ok(()));
        }
        // DNS rebinding to this machine: a public name answering 127.0.0.1.
        assert_eq!(
            strict.permits_resolved("hooks.example.com", ip("127.0.0.1")),
            Err(AddressError::Forbidden {
                address: ip("127.0.0.1"),
                class: Loopback
            })
        );
        assert_eq!(
            open.permits_resolved("hooks.example.com", ip("127.0.0.1")),
            Ok(())
        );
        // `localhost` names loopback only: resolved elsewhere, it is judged as any other name.
        assert!(
            strict
                .permits_resolved("localhost", ip("10.0.0.1"))
                .is_err()
        );
    }

    #[test]
    fn urls_are_https_or_http_on_loopback() {
        let check = |u: &str, p| check_url(&Url::parse(u).unwrap(), p);
        let strict = EndpointPolicy::STRICT;
        assert_eq!(
            check("https://hooks.example.com/in?token=x", strict),
            Ok(())
        );
        assert_eq!(check("https://93.184.215.14/in", strict), Ok(()));
        assert_eq!(check("http://127.0.0.1:8080/in", strict), Ok(()));
        assert_eq!(check("http://127.1.2.3/in", strict), Ok(()));
        assert_eq!(check("http://[::1]:8080/in", strict), Ok(()));
        assert_eq!(check("http://localhost:8080/in", strict), Ok(()));
        assert_eq!(check("http://LOCALHOST/in", strict), Ok(()));
        // The WHATWG parser normalises odd IPv4 forms before anyone looks at them.
        assert_eq!(check("http://0x7f.1/in", strict), Ok(()));
        assert_eq!(
            check("http://hooks.example.com/in", strict),
            Err(AddressError::HttpsRequired)
        );
        assert_eq!(
            check("http://10.0.0.1/in", EndpointPolicy::ALLOW_PRIVATE),
            Err(AddressError::HttpsRequired)
        );
        assert_eq!(
            check("ftp://hooks.example.com/in", strict),
            Err(AddressError::UnsupportedScheme {
                scheme: "ftp".into()
            })
        );
        assert_eq!(
            check(
                "https://169.254.169.254/latest/meta-data",
                EndpointPolicy::ALLOW_PRIVATE
            ),
            Err(AddressError::Forbidden {
                address: "169.254.169.254".parse().unwrap(),
                class: LinkLocal
            })
        );
        assert_eq!(
            check("https://0xa000001/in", strict),
            Err(AddressError::Forbidden {
                address: "10.0.0.1".parse().unwrap(),
                class: Private
            })
        );
        assert_eq!(
            check("https://10.0.0.1/in", EndpointPolicy::ALLOW_PRIVATE),
            Ok(())
        );
        assert!(check("https://[::ffff:a9fe:a9fe]/", EndpointPolicy::ALLOW_PRIVATE).is_err());
        assert_eq!(
            check("data:text/plain,hi", strict).err(),
            Some(AddressError::NoHost)
        );
    }

    #[test]
    fn errors_never_carry_user_information_path_or_query() {
        let url = Url::parse("http://user:s3cret@hooks.example.com/p4th?token=t0ken").unwrap();
        let shown = check_url(&url, EndpointPolicy::STRICT)
            .unwrap_err()
            .to_string();
        for hidden in ["user", "s3cret", "p4th", "t0ken"] {
            assert!(!shown.contains(hidden), "{shown}");
        }
    }
}
