//! Webhook delivery against the real loopback HTTP receiver: delivered and verifiable on 200,
//! failed on 500, on timeout, on a refused connection, on a redirect (not followed), refused
//! before connecting for addresses the policy forbids, and no secret, credential or query in any
//! reason.
//!
//! Must not: use a mock; every attempt goes over a real socket or is refused before one.

use std::time::Duration;

use bytes::Bytes;
use compliance_dispatch::signature::{self, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP};
use compliance_dispatch::{
    EndpointPolicy, FailureKind, Message, Outcome, WebhookClient, WebhookConfig, WebhookSecret,
    verify_now,
};
use url::Url;

use crate::receiver;

pub fn message(id: &str) -> Message {
    Message {
        id: id.to_owned(),
        timestamp: signature::unix_now(),
        body: Bytes::from_static(br#"{"type":"case.decided","case_id":"c-1","status":"APPROVED"}"#),
    }
}

fn client() -> WebhookClient {
    WebhookClient::new(WebhookConfig::default()).unwrap()
}

const STRICT: EndpointPolicy = EndpointPolicy::STRICT;

#[tokio::test]
async fn delivered_on_200_with_headers_and_a_signature_the_receiver_verifies() {
    let receiver = receiver::http().await;
    let current = WebhookSecret::generate().unwrap();
    let previous = WebhookSecret::generate().unwrap();
    let msg = message("0b5a2a0e-5d0c-4c8e-9a51-3b1f0c4e7d21");

    let attempt = client()
        .send(&receiver.url("/ok"), STRICT, &[&current, &previous], &msg)
        .await;

    assert_eq!(attempt.outcome, Outcome::Delivered, "{attempt:?}");
    assert_eq!(attempt.status, Some(200));
    let got = receiver.received_on("/ok");
    assert_eq!(got.len(), 1);
    let got = &got[0];
    assert_eq!(got.body, msg.body);
    assert_eq!(got.header(HEADER_ID), msg.id);
    assert_eq!(got.header(HEADER_TIMESTAMP), msg.timestamp.to_string());
    assert_eq!(got.header("content-type"), "application/json");
    assert_eq!(
        got.header("user-agent"),
        format!("compliance-db/{}", env!("CARGO_PKG_VERSION"))
    );
    assert!(got.header("authorization").is_empty());
    // Either secret verifies (a rotation), a third does not.
    let verify = |secret: &WebhookSecret| {
        verify_now(
            got.header(HEADER_ID),
            got.header(HEADER_TIMESTAMP),
            &got.body,
            got.header(HEADER_SIGNATURE),
            &[secret],
        )
    };
    assert_eq!(verify(&current), Ok(()));
    assert_eq!(verify(&previous), Ok(()));
    assert!(verify(&WebhookSecret::generate().unwrap()).is_err());
}

#[tokio::test]
async fn connections_are_kept_alive_between_deliveries() {
    let receiver = receiver::http().await;
    let secret = WebhookSecret::generate().unwrap();
    let client = client();
    for id in ["e-1", "e-2", "e-3"] {
        let attempt = client
            .send(&receiver.url("/ok"), STRICT, &[&secret], &message(id))
            .await;
        assert!(attempt.is_delivered(), "{attempt:?}");
    }
    let peers: Vec<_> = receiver.received().iter().map(|r| r.peer).collect();
    assert_eq!(peers.len(), 3);
    assert!(peers.iter().all(|p| *p == peers[0]), "{peers:?}");
}

#[tokio::test]
async fn failed_on_500_with_the_status() {
    let receiver = receiver::http().await;
    let secret = WebhookSecret::generate().unwrap();
    let attempt = client()
        .send(
            &receiver.url("/fail"),
            STRICT,
            &[&secret],
            &message("e-500"),
        )
        .await;
    let failure = attempt.failure().expect("a 500 is a failure");
    assert_eq!(failure.kind, FailureKind::Status);
    assert_eq!(failure.reason, "status 500");
    assert_eq!(attempt.status, Some(500));
    assert_eq!(receiver.received_on("/fail").len(), 1);
}

#[tokio::test]
async fn failed_on_timeout_when_the_receiver_answers_too_late() {
    let receiver = receiver::http().await;
    let secret = WebhookSecret::generate().unwrap();
    let client = WebhookClient::new(WebhookConfig {
        request_timeout: Duration::from_millis(300),
        ..WebhookConfig::default()
    })
    .unwrap();
    let attempt = client
        .send(
            &receiver.url("/slow"),
            STRICT,
            &[&secret],
            &message("e-slow"),
        )
        .await;
    assert_eq!(
        attempt.failure().map(|f| f.kind),
        Some(FailureKind::Timeout),
        "{attempt:?}"
    );
    assert_eq!(attempt.status, None);
    // It gave up at its deadline, not when the receiver answered (5 s).
    assert!(attempt.latency >= Duration::from_millis(300), "{attempt:?}");
    assert!(attempt.latency < Duration::from_secs(3), "{attempt:?}");
    assert_eq!(receiver.received_on("/slow").len(), 1);
}

#[tokio::test]
async fn failed_when_nothing_listens() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let secret = WebhookSecret::generate().unwrap();
    let url = Url::parse(&format!("http://{addr}/ok")).unwrap();
    let attempt = client()
        .send(&url, STRICT, &[&secret], &message("e-closed"))
        .await;
    let failure = attempt.failure().expect("nothing listens");
    assert_eq!(failure.kind, FailureKind::Connect);
    assert_eq!(failure.reason, "connection refused");
    assert_eq!(attempt.status, None);
}

#[tokio::test]
async fn a_redirect_is_a_failure_and_is_not_followed() {
    let receiver = receiver::http().await;
    let secret = WebhookSecret::generate().unwrap();
    let attempt = client()
        .send(
            &receiver.url("/redirect"),
            STRICT,
            &[&secret],
            &message("e-307"),
        )
        .await;
    assert_eq!(
        attempt.failure().map(|f| f.kind),
        Some(FailureKind::Redirect)
    );
    assert_eq!(attempt.status, Some(307));
    assert_eq!(receiver.received_on("/redirect").len(), 1);
    assert!(receiver.received_on("/ok").is_empty());
}

#[tokio::test]
async fn forbidden_addresses_fail_before_any_connection() {
    let secret = WebhookSecret::generate().unwrap();
    let client = client();
    let cases = [
        ("https://10.0.0.1/hook", STRICT),
        ("https://192.168.1.20/hook", STRICT),
        ("https://[::ffff:10.0.0.1]/hook", STRICT),
        ("https://100.64.0.1/hook", STRICT),
        ("https://169.254.169.254/latest/meta-data/", STRICT),
        // Link-local stays closed even for an endpoint allowed onto a private network.
        (
            "https://169.254.169.254/latest/meta-data/",
            EndpointPolicy::ALLOW_PRIVATE,
        ),
        ("https://0.0.0.0:8080/hook", EndpointPolicy::ALLOW_PRIVATE),
        // http only on loopback, whatever the policy.
        ("http://10.0.0.1/hook", EndpointPolicy::ALLOW_PRIVATE),
        ("http://hooks.example.com/hook", STRICT),
    ];
    for (url, policy) in cases {
        let attempt = client
            .send(
                &Url::parse(url).unwrap(),
                policy,
                &[&secret],
                &message("e-f"),
            )
            .await;
        assert_eq!(
            attempt.failure().map(|f| f.kind),
            Some(FailureKind::Forbidden),
            "{url}: {attempt:?}"
        );
        assert_eq!(attempt.status, None);
        // Refused by the check, not by a network that happens to be unreachable here: a
        // connection attempt to these would take until the connect timeout or fail otherwise.
        assert!(
            attempt.latency < Duration::from_millis(100),
            "{url}: {attempt:?}"
        );
    }
}

#[tokio::test]
async fn no_reason_carries_the_body_the_secret_the_credentials_or_the_query() {
    let receiver = receiver::http().await;
    let secret = WebhookSecret::generate().unwrap();
    let revealed = secret.reveal();
    let msg = message("e-private");
    let client = client();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let urls = [
        format!("http://us3r:pa55w0rd@{}/fail?token=t0k3n", receiver.addr),
        format!(
            "http://us3r:pa55w0rd@{}/redirect?token=t0k3n",
            receiver.addr
        ),
        format!("http://us3r:pa55w0rd@{closed}/ok?token=t0k3n"),
        "https://us3r:pa55w0rd@10.9.9.9/ok?token=t0k3n".to_owned(),
        "http://us3r:pa55w0rd@hooks.example.com/ok?token=t0k3n".to_owned(),
    ];
    for url in &urls {
        let attempt = client
            .send(&Url::parse(url).unwrap(), STRICT, &[&secret], &msg)
            .await;
        let shown = format!("{attempt:?} {}", attempt.failure().unwrap());
        for hidden in ["us3r", "pa55w0rd", "t0k3n", "case_id", &revealed[6..]] {
            assert!(!shown.contains(hidden), "{hidden} in {shown}");
        }
    }
    // The credentials went as Basic authorization, the query as it was, the user information
    // nowhere else.
    let got = receiver.received_on("/fail");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].uri.query(), Some("token=t0k3n"));
    assert_eq!(got[0].header("authorization"), "Basic dXMzcjpwYTU1dzByZA==");
    assert_eq!(got[0].header("host"), receiver.addr.to_string());
}

#[tokio::test]
async fn an_unsendable_message_is_refused_before_sending() {
    let receiver = receiver::http().await;
    let secret = WebhookSecret::generate().unwrap();
    let client = client();
    let attempt = client
        .send(&receiver.url("/ok"), STRICT, &[], &message("e-1"))
        .await;
    assert_eq!(
        attempt.failure().map(|f| (f.kind, f.reason.as_str())),
        Some((FailureKind::InvalidMessage, "no signing secret"))
    );
    let attempt = client
        .send(
            &receiver.url("/ok"),
            STRICT,
            &[&secret],
            &message("e-1\r\nx-injected: 1"),
        )
        .await;
    assert_eq!(
        attempt.failure().map(|f| f.kind),
        Some(FailureKind::InvalidMessage)
    );
    assert!(receiver.received().is_empty());
}
