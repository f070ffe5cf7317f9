//! What kind of address an IP address is, and which kinds an endpoint of events may reach: the
//! one table the service (when an admin registers an endpoint), the dispatcher (on every
//! address it connects to) and, mirrored in SQL, the database (`endpoint_host_refused()`)
//! follow against server-side request forgery.
//!
//! Must not: resolve names or open connections (no I/O).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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

impl AddressClass {
    /// Whether an endpoint may be reached at an address of this class. Public always; loopback
    /// when the URL names it (a loopback literal, `localhost`), or through another name only
    /// when an admin allowed private addresses (a public name resolving to 127.0.0.1 is how an
    /// attacker reaches the platform's own services); a private network or carrier-grade NAT
    /// only when allowed; never link-local (169.254.169.254 serves clouds' credentials, so
    /// allowing a private receiver must not open it), unspecified, multicast, broadcast,
    /// documentation or reserved addresses.
    pub fn allowed(self, allow_private: bool, loopback_named: bool) -> bool {
        match self {
            AddressClass::Public => true,
            AddressClass::Loopback => loopback_named || allow_private,
            AddressClass::Private | AddressClass::SharedAddressSpace => allow_private,
            AddressClass::LinkLocal
            | AddressClass::Unspecified
            | AddressClass::Multicast
            | AddressClass::Broadcast
            | AddressClass::Documentation
            | AddressClass::Reserved => false,
        }
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
    fn link_local_is_never_allowed_and_private_only_when_an_admin_allowed_it() {
        assert!(!LinkLocal.allowed(true, false));
        assert!(Private.allowed(true, false) && !Private.allowed(false, false));
        assert!(Loopback.allowed(false, true) && !Loopback.allowed(false, false));
        assert!(Public.allowed(false, false) && !Reserved.allowed(true, true));
    }
}
