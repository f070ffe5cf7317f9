//! The guard against server-side request forgery, as pure decisions: what kind of address an IP
//! address is ([`classify`]), which an endpoint may reach ([`EndpointPolicy`]), and which webhook
//! URLs are acceptable at all ([`check_url`]: https, or http on loopback only).
//!
//! Must not: resolve names or open connections (`resolver.rs` resolves, then asks this module),
//! or put a URL's user information, path or query in an error (they may carry a token).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// What kind of address an IP address is, for deciding whether a webhook may be sent to it.
/// IPv6 addresses that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, NAT64
/// `64:ff9b::a.b.c.d`, 6to4 `2002:aabb:ccdd::`) are the class of the IPv4 address they reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressClass {
    /// Globally routable unicast.
    Public,
    /// This machine: 127.0.0.0/8, ::1.
    Loopback,
    /// A private network: 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10, 64:ff9b:1::/48.
    Private,
    /// Link-local: 169.254/16 (where clouds serve instance metadata and credentials, at
    /// 169.254.169.254), fe80::/10.
    LinkLocal,
    /// Carrier-grade NAT, RFC 6598's shared address space: 100.64/10.
    SharedAddressSpace,
    /// No address: 0.0.0.0/8 (Linux connects 0.0.0.0 to this machine), ::.
    Unspecified,
    /// Multicast: 224/4, ff00::/8.
    Multicast,
    /// The limited broadcast address 255.255.255.255.
    Broadcast,
    /// Documentation examples: 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20.
    Documentation,
    /// Reserved or special-purpose and never a webhook receiver: 240/4, 192.0.0/24, 198.18/15,
    /// IPv4-compatible `::a.b.c.d`, Teredo, ORCHID, discard-only and benchmarking ranges, and
    /// every IPv6 address outside 2000::/3.
    Reserved,
}

impl AddressClass {
    /// The class's name in messages, e.g. `link-local`.
    pub fn as_str(self) -> &'static str {
        match self {
            AddressClass::Public => "public",
            AddressClass::Loopback => "loopback",
            AddressClass::Private => "private",
            AddressClass::LinkLocal => "link-local",
            AddressClass::SharedAddressSpace => "shared (carrier-grade NAT)",
            AddressClass::Unspecified => "unspecified",
            AddressClass::Multicast => "multicast",
            AddressClass::Broadcast => "broadcast",
            AddressClass::Documentation => "documentation",
            AddressClass::Reserved => "reserved",
        }
    }
}

impl fmt::Display for AddressClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The class of an address (see [`AddressClass`]).
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    use AddressClass::*;
    match ip.octets() {
        [0, ..] => Unspecified,
        [127, ..] => Loopback,
        [10, ..] | [172, 16..=31, ..] | [192, 168, ..] => Private,
        [169, 254, ..] => LinkLocal,
        [100, 64..=127, ..] => SharedAddressSpace,
        [255, 255, 255, 255] => Broadcast,
        [224..=239, ..] => Multicast,
        [240..=255, ..] => Reserved,
        [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _] => Documentation,
        // IETF protocol assignments (NAT64 discovery, DS-Lite, ...), benchmarking, and the
        // deprecated 6to4 relay anycast.
        [192, 0, 0, _] | [198, 18..=19, ..] | [192, 88, 99, _] => Reserved,
        _ => Public,
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    use AddressClass::*;
    if ip.is_unspecified() {
        return Unspecified;
    }
    if ip.is_loopback() {
        return Loopback;
    }
    if let Some(v4) = embedded_v4(ip) {
        return classify_v4(v4);
    }
    let s = ip.segments();
    match s {
        // IPv4-compatible (::a.b.c.d, deprecated) and the discard-only prefix 100::/64.
        [0, 0, 0, 0, 0, 0, _, _] | [0x100, 0, 0, 0, ..] => Reserved,
        [0x64, 0xff9b, 1, ..] => Private,
        [0xfc00..=0xfdff, ..] | [0xfec0..=0xfeff, ..] => Private,
        [0xfe80..=0xfebf, ..] => LinkLocal,
        [0xff00..=0xffff, ..] => Multicast,
        [0x2001, 0x0db8, ..] | [0x3fff, 0x0000..=0x0fff, ..] => Documentation,
        // Teredo (2001::/32), benchmarking (2001:2::/48), ORCHID and ORCHIDv2 (2001:10::/28,
        // 2001:20::/28).
        [0x2001, 0, ..] | [0x2001, 2, 0, ..] | [0x2001, 0x10..=0x2f, ..] => Reserved,
        [0x2000..=0x3fff, ..] => Public,
        _ => Reserved,
    }
}

/// The IPv4 address an IPv6 address reaches, where it carries one: IPv4-mapped, NAT64's
/// well-known prefix, 6to4.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let s = ip.segments();
    let v4 = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    match s {
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(v4(hi, lo)),
        [0x2002, hi, lo, ..] => Some(v4(hi, lo)),
        _ => None,
    }
}

/// Whether a host name is this machine by definition: `localhost` and names under
/// `.localhost` (RFC 6761).
pub fn is_loopback_name(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

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
        let allowed = match class {
            AddressClass::Public => true,
            AddressClass::Loopback => loopback_named || self.allow_private,
            AddressClass::Private | AddressClass::SharedAddressSpace => self.allow_private,
            AddressClass::LinkLocal
            | AddressClass::Unspecified
            | AddressClass::Multicast
            | AddressClass::Broadcast
            | AddressClass::Documentation
            | AddressClass::Reserved => false,
        };
        if allowed {
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

    fn class(text: &str) -> AddressClass {
        classify(text.parse().unwrap())
    }

    #[test]
    fn classifies_the_ranges_at_and_around_their_edges() {
        let cases = [
            ("8.8.8.8", Public),
            ("1.1.1.1", Public),
            ("127.0.0.1", Loopback),
            ("127.255.255.254", Loopback),
            ("126.255.255.255", Public),
            ("128.0.0.1", Public),
            ("10.0.0.1", Private),
            ("10.255.255.255", Private),
            ("11.0.0.0", Public),
            ("172.15.255.255", Public),
            ("172.16.0.0", Private),
            ("172.31.255.255", Private),
            ("172.32.0.0", Public),
            ("192.168.1.1", Private),
            ("192.169.0.1", Public),
            ("169.254.169.254", LinkLocal),
            ("169.254.0.1", LinkLocal),
            ("169.255.0.1", Public),
            ("100.63.255.255", Public),
            ("100.64.0.0", SharedAddressSpace),
            ("100.127.255.255", SharedAddressSpace),
            ("100.128.0.0", Public),
            ("0.0.0.0", Unspecified),
            ("0.1.2.3", Unspecified),
            ("224.0.0.1", Multicast),
            ("239.255.255.255", Multicast),
            ("255.255.255.255", Broadcast),
            ("240.0.0.1", Reserved),
            ("192.0.2.10", Documentation),
            ("198.51.100.10", Documentation),
            ("203.0.113.10", Documentation),
            ("192.0.0.170", Reserved),
            ("198.18.0.1", Reserved),
            ("198.20.0.1", Public),
            ("2606:4700:4700::1111", Public),
            ("::1", Loopback),
            ("::", Unspecified),
            ("fc00::1", Private),
            ("fd12:3456::1", Private),
            ("fe80::1", LinkLocal),
            ("febf::1", LinkLocal),
            ("fec0::1", Private),
            ("ff02::1", Multicast),
            ("2001:db8::1", Documentation),
            ("3fff::1", Documentation),
            ("2001::1", Reserved),
            ("100::1", Reserved),
            ("::127.0.0.1", Reserved),
            ("4000::1", Reserved),
            ("64:ff9b:1::1", Private),
        ];
        for (text, expected) in cases {
            assert_eq!(class(text), expected, "{text}");
        }
    }

    #[test]
    fn an_ipv6_address_carrying_an_ipv4_one_is_the_ipv4_ones_class() {
        let cases = [
            ("::ffff:127.0.0.1", Loopback),
            ("::ffff:10.0.0.1", Private),
            ("::ffff:169.254.169.254", LinkLocal),
            ("::ffff:8.8.8.8", Public),
            ("64:ff9b::a9fe:a9fe", LinkLocal),
            ("64:ff9b::808:808", Public),
            ("2002:0a00:0001::1", Private),
            ("2002:7f00:0001::", Loopback),
            ("2002:0808:0808::1", Public),
        ];
        for (text, expected) in cases {
            assert_eq!(class(text), expected, "{text}");
        }
    }

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
