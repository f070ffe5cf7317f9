//! The guarded resolver: resolves a webhook's host name for hyper-util's `HttpConnector` and
//! refuses the whole name if any address it resolved to is one the endpoint may not reach, so
//! the addresses checked are the addresses connected to (DNS rebinding gains nothing).
//!
//! Must not: connect anywhere (the connector does, to what this returns), or decide what is
//! allowed (`address.rs` does). Literal addresses never reach a resolver: `check_url` judges them.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::Name;

use crate::address::{AddressError, EndpointPolicy};

/// A `tower::Service<Name>` resolver for [`HttpConnector::new_with_resolver`]: the system
/// resolver (or a pinned answer), then [`screen`] with the endpoint's policy.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    policy: EndpointPolicy,
    pinned: Arc<[(String, IpAddr)]>,
}

impl GuardedResolver {
    /// A resolver that lets through only what `policy` permits.
    pub fn new(policy: EndpointPolicy) -> Self {
        Self::with_pinned(policy, Vec::new())
    }

    /// Like [`GuardedResolver::new`], answering for the names in `pinned` (lowercase) with their
    /// addresses instead of asking DNS, as curl's `--resolve` does. Pinned answers are screened
    /// like any other: pinning cannot open the private network.
    pub fn with_pinned(policy: EndpointPolicy, pinned: Vec<(String, IpAddr)>) -> Self {
        Self {
            policy,
            pinned: pinned.into(),
        }
    }

    /// An HTTP connector that resolves through this resolver (connect timeout and keep-alive
    /// are the caller's to set). It connects to `https` URLs too, as the TCP layer under TLS.
    pub fn connector(self) -> HttpConnector<GuardedResolver> {
        let mut http = HttpConnector::new_with_resolver(self);
        http.enforce_http(false);
        http
    }
}

/// The addresses a host name resolved to, if the policy permits every one of them; the first
/// it does not permit otherwise. One forbidden address condemns the name: a resolver that
/// answers a public and a private address is an attacker's way in whichever is tried first.
pub fn screen(
    host: &str,
    addresses: impl IntoIterator<Item = SocketAddr>,
    policy: EndpointPolicy,
) -> Result<Vec<SocketAddr>, AddressError> {
    let addresses: Vec<SocketAddr> = addresses.into_iter().collect();
    if addresses.is_empty() {
        return Err(AddressError::NoAddress);
    }
    for address in &addresses {
        policy.permits_resolved(host, address.ip())?;
    }
    Ok(addresses)
}

/// Resolves `host` with the system resolver and screens the answer.
pub async fn resolve(host: &str, policy: EndpointPolicy) -> Result<Vec<SocketAddr>, AddressError> {
    // The port is the connector's to set; 0 only satisfies the lookup's signature.
    let found = tokio::net::lookup_host((host, 0))
        .await
        .map_err(|e| AddressError::Unresolved { kind: e.kind() })?;
    screen(host, found, policy)
}

impl tower::Service<Name> for GuardedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = AddressError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, AddressError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let policy = self.policy;
        let host = name.as_str().to_ascii_lowercase();
        let pinned: Vec<SocketAddr> = self
            .pinned
            .iter()
            .filter(|(pinned, _)| *pinned == host)
            .map(|(_, ip)| SocketAddr::new(*ip, 0))
            .collect();
        Box::pin(async move {
            let screened = if pinned.is_empty() {
                resolve(&host, policy).await
            } else {
                screen(&host, pinned, policy)
            };
            screened.map(Vec::into_iter)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::AddressClass;

    fn addr(text: &str) -> SocketAddr {
        SocketAddr::new(text.parse().unwrap(), 443)
    }

    #[test]
    fn one_forbidden_address_condemns_the_name() {
        let strict = EndpointPolicy::STRICT;
        let public = [
            addr("93.184.215.14"),
            addr("2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
        ];
        assert_eq!(
            screen("hooks.example.com", public, strict),
            Ok(public.to_vec())
        );
        assert_eq!(
            screen(
                "hooks.example.com",
                [addr("93.184.215.14"), addr("10.1.2.3")],
                strict
            ),
            Err(AddressError::Forbidden {
                address: "10.1.2.3".parse().unwrap(),
                class: AddressClass::Private
            })
        );
        assert_eq!(
            screen(
                "hooks.example.com",
                [addr("169.254.169.254")],
                EndpointPolicy::ALLOW_PRIVATE
            ),
            Err(AddressError::Forbidden {
                address: "169.254.169.254".parse().unwrap(),
                class: AddressClass::LinkLocal
            })
        );
        assert_eq!(
            screen("hooks.example.com", [addr("127.0.0.1")], strict).err(),
            Some(AddressError::Forbidden {
                address: "127.0.0.1".parse().unwrap(),
                class: AddressClass::Loopback
            })
        );
        assert_eq!(
            screen("hooks.example.com", [], strict),
            Err(AddressError::NoAddress)
        );
    }

    #[tokio::test]
    async fn localhost_resolves_to_loopback_and_passes() {
        let found = resolve("localhost", EndpointPolicy::STRICT).await.unwrap();
        assert!(!found.is_empty());
        assert!(found.iter().all(|a| a.ip().is_loopback()), "{found:?}");
    }

    #[tokio::test]
    async fn a_name_that_does_not_resolve_is_unresolved() {
        // `.invalid` is reserved never to resolve (RFC 6761).
        let err = resolve("no-such-host.invalid", EndpointPolicy::STRICT)
            .await
            .unwrap_err();
        assert!(matches!(err, AddressError::Unresolved { .. }), "{err:?}");
    }
}
