//! Webhook delivery over TLS against a real loopback HTTPS receiver (hyper over rustls, with a
//! certificate made for the test and trusted through `extra_roots`): delivered when trusted,
//! refused when not, and the guarded resolver's decision on a name that resolves to loopback,
//! seen from the receiver (which counts the connections it accepts).
//!
//! Must not: turn certificate verification off anywhere.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use compliance_dispatch::signature::{HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP};
use compliance_dispatch::{
    AddressClass, EndpointPolicy, FailureKind, Outcome, WebhookClient, WebhookConfig,
    WebhookSecret, verify_now,
};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::{HeaderMap, Request, Response};
use hyper_util::rt::TokioIo;
use url::Url;

use crate::webhook::message;

/// The name the receiver's certificate holds besides `localhost`; no DNS knows it, so the
/// tests pin it to 127.0.0.1.
const PINNED_NAME: &str = "receiver.example";

struct HttpsReceiver {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    accepted: Arc<AtomicUsize>,
    root: Vec<u8>,
}

impl HttpsReceiver {
    fn url(&self, host: &str) -> Url {
        Url::parse(&format!("https://{host}:{}/hook", self.addr.port())).unwrap()
    }
}

async fn https() -> HttpsReceiver {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), PINNED_NAME.to_owned()])
            .unwrap();
    let cert = certified.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    // The same provider the client uses (see src/tls.rs for why ring).
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log: Arc<Mutex<Vec<(HeaderMap, Bytes)>>> = Arc::default();
    let accepted = Arc::new(AtomicUsize::new(0));
    let (server_log, server_accepted) = (log.clone(), accepted.clone());
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            server_accepted.fetch_add(1, Ordering::SeqCst);
            let (acceptor, log) = (acceptor.clone(), server_log.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                    let log = log.clone();
                    async move {
                        let (parts, body) = request.into_parts();
                        let body = body.collect().await?.to_bytes();
                        log.lock().unwrap().push((parts.headers, body));
                        Ok::<_, hyper::Error>(Response::new(Full::new(Bytes::from_static(b"ok"))))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    HttpsReceiver {
        addr,
        log,
        accepted,
        root: cert.to_vec(),
    }
}

fn trusting(receiver: &HttpsReceiver) -> WebhookConfig {
    WebhookConfig {
        extra_roots: vec![receiver.root.clone()],
        pinned: vec![(PINNED_NAME.to_owned(), IpAddr::V4(Ipv4Addr::LOCALHOST))],
        ..WebhookConfig::default()
    }
}

#[tokio::test]
async fn delivered_over_tls_to_a_trusted_receiver() {
    let receiver = https().await;
    let client = WebhookClient::new(trusting(&receiver)).unwrap();
    let secret = WebhookSecret::generate().unwrap();
    let msg = message("e-tls");
    let attempt = client
        .send(
            &receiver.url("localhost"),
            EndpointPolicy::STRICT,
            &[&secret],
            &msg,
        )
        .await;
    assert_eq!(attempt.outcome, Outcome::Delivered, "{attempt:?}");
    assert_eq!(attempt.status, Some(200));
    let log = receiver.log.lock().unwrap().clone();
    assert_eq!(log.len(), 1);
    let (headers, body) = &log[0];
    let header = |name: &str| headers.get(name).unwrap().to_str().unwrap();
    assert_eq!(body, &msg.body);
    assert_eq!(
        verify_now(
            header(HEADER_ID),
            header(HEADER_TIMESTAMP),
            body,
            header(HEADER_SIGNATURE),
            &[&secret]
        ),
        Ok(())
    );
}

#[tokio::test]
async fn an_untrusted_certificate_fails_the_handshake_and_nothing_is_sent() {
    let receiver = https().await;
    let client = WebhookClient::new(WebhookConfig::default()).unwrap();
    let secret = WebhookSecret::generate().unwrap();
    let attempt = client
        .send(
            &receiver.url("localhost"),
            EndpointPolicy::STRICT,
            &[&secret],
            &message("e-1"),
        )
        .await;
    let failure = attempt.failure().expect("an unknown issuer is refused");
    assert_eq!(failure.kind, FailureKind::Tls, "{failure}");
    assert!(failure.reason.contains("UnknownIssuer"), "{failure}");
    assert_eq!(receiver.accepted.load(Ordering::SeqCst), 1);
    assert!(receiver.log.lock().unwrap().is_empty());
}

#[tokio::test]
async fn https_to_a_plain_http_receiver_fails_in_the_handshake() {
    let plain = crate::receiver::http().await;
    let client = WebhookClient::new(WebhookConfig::default()).unwrap();
    let secret = WebhookSecret::generate().unwrap();
    let url = Url::parse(&format!("https://localhost:{}/ok", plain.addr.port())).unwrap();
    let attempt = client
        .send(&url, EndpointPolicy::STRICT, &[&secret], &message("e-1"))
        .await;
    assert_eq!(
        attempt.failure().map(|f| f.kind),
        Some(FailureKind::Tls),
        "{attempt:?}"
    );
    assert!(plain.received().is_empty());
}

#[tokio::test]
async fn a_name_resolving_to_loopback_is_refused_unless_private_networks_are_allowed() {
    let receiver = https().await;
    let client = WebhookClient::new(trusting(&receiver)).unwrap();
    let secret = WebhookSecret::generate().unwrap();
    let url = receiver.url(PINNED_NAME);

    // A public-looking name answering 127.0.0.1 (DNS rebinding onto the platform itself): the
    // resolver refuses it before any connection.
    let refused = client
        .send(&url, EndpointPolicy::STRICT, &[&secret], &message("e-1"))
        .await;
    let failure = refused.failure().expect("refused");
    assert_eq!(failure.kind, FailureKind::Forbidden, "{failure}");
    assert!(
        failure.reason.contains(AddressClass::Loopback.as_str()),
        "{failure}"
    );
    assert_eq!(receiver.accepted.load(Ordering::SeqCst), 0);

    // The same endpoint, allowed onto a private network by an admin: delivered.
    let allowed = client
        .send(
            &url,
            EndpointPolicy::ALLOW_PRIVATE,
            &[&secret],
            &message("e-2"),
        )
        .await;
    assert_eq!(allowed.outcome, Outcome::Delivered, "{allowed:?}");
    assert_eq!(receiver.accepted.load(Ordering::SeqCst), 1);
    assert_eq!(receiver.log.lock().unwrap().len(), 1);
}
