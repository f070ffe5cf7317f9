//! Which address a request comes from, for the failed-authentication and sign-in limits: the
//! socket's peer, or, when that peer is a proxy the operator named (`--trusted-proxy`), the
//! address that proxy saw, read from `X-Forwarded-For` from the right past every trusted hop.
//!
//! Must not: believe `X-Forwarded-For` from anyone but a trusted proxy (a client could then
//! pick a fresh address for every guess), or log the header.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// The proxies whose `X-Forwarded-For` the server believes (none by default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Arc<[IpAddr]>);

impl TrustedProxies {
    /// These addresses, as given (IPv4-mapped IPv6 addresses are compared as IPv4).
    pub fn new(addresses: impl IntoIterator<Item = IpAddr>) -> Self {
        Self(addresses.into_iter().map(|a| a.to_canonical()).collect())
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.contains(&address.to_canonical())
    }

    /// The client of a request from `peer` with `headers`: `peer` itself unless it is trusted;
    /// then the right-most `X-Forwarded-For` entry that is not a trusted proxy (each proxy
    /// appends the address it saw, so entries to its left are whatever the client sent). An
    /// entry that is not an address stops the walk at the hop that appended it: a malformed
    /// header never lets the client choose.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        let entries: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        for entry in entries.into_iter().rev() {
            // Some proxies write the port too (`203.0.113.5:4711`, `[2001:db8::1]:443`).
            let entry = entry.trim();
            let parsed = entry
                .parse::<IpAddr>()
                .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()));
            match parsed {
                Ok(address) => {
                    client = address.to_canonical();
                    if !self.trusts(client) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        client
    }
}

/// The client's address as an extractor: the socket's peer, seen through the trusted proxies
/// that [`crate::api::serve`] puts in the request's extensions.
pub(crate) struct ClientAddress(pub(crate) IpAddr);

impl ClientAddress {
    pub(crate) fn of(parts: &Parts) -> IpAddr {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        match parts.extensions.get::<TrustedProxies>() {
            Some(proxies) => proxies.client(peer, &parts.headers),
            None => peer.to_canonical(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(Self::of(parts)))
    }
}

#[cfg(test)]
mod tests {
    use super::TrustedProxies;
    use axum::http::{HeaderMap, HeaderValue};
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    #[test]
    fn only_a_trusted_peer_is_seen_through() {
        let proxies = TrustedProxies::new([ip("10.0.0.1"), ip("10.0.0.2")]);
        let spoofed = forwarded(&["198.51.100.9"]);
        // An untrusted peer is the client, whatever it claims.
        assert_eq!(
            proxies.client(ip("203.0.113.5"), &spoofed),
            ip("203.0.113.5")
        );
        assert_eq!(
            TrustedProxies::default().client(ip("10.0.0.1"), &spoofed),
            ip("10.0.0.1")
        );
        // Through two trusted hops, the address the outer one saw; what the client wrote to
        // the left of it is ignored.
        let chain = forwarded(&["1.2.3.4, 198.51.100.9", "10.0.0.2"]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &chain), ip("198.51.100.9"));
        // No header: the proxy itself.
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &HeaderMap::new()),
            ip("10.0.0.1")
        );
        // Garbage appended by the client stops the walk before it.
        let garbage = forwarded(&["not-an-address, 198.51.100.9"]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &garbage), ip("198.51.100.9"));
        let only_garbage = forwarded(&["1.2.3.4, junk"]);
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &only_garbage),
            ip("10.0.0.1")
        );
        // An entry with its port names the same client.
        let ported = forwarded(&["198.51.100.9:4711", "[2001:db8::1]:443"]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &ported), ip("2001:db8::1"));
        let ported = forwarded(&["198.51.100.9:4711"]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &ported), ip("198.51.100.9"));
        // IPv4-mapped IPv6 peers are the same proxy.
        assert_eq!(
            proxies.client(ip("::ffff:10.0.0.1"), &spoofed),
            ip("198.51.100.9")
        );
    }
}
