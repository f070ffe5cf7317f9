//! Publishing to the real NATS broker at 127.0.0.1:4222 (JetStream on): the stream made for a
//! prefix, deduplication by the event id (one message stored, the second acknowledgement a
//! duplicate), a consumer reading the message with its id, subjects per jurisdiction, and the
//! errors of a broker that is not there or a stream that does not fit.
//!
//! Must not: touch another test's stream. Each test has a prefix of its own (a random suffix)
//! and deletes its stream when it ends, pass or fail.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use bytes::Bytes;
use compliance_dispatch::{
    FailureKind, NatsConfig, NatsError, NatsPublisher, Outcome, SubjectPrefix, subject_for,
};
use compliance_domain::Jurisdiction;
use futures_util::{FutureExt as _, StreamExt as _};

use crate::needs::{BROKER, answers};

fn unique_prefix() -> SubjectPrefix {
    let suffix = format!("{:016x}", compliance_dispatch::random_jitter());
    SubjectPrefix::parse(&format!("dispatchtest{suffix}.events")).unwrap()
}

async fn admin() -> jetstream::Context {
    jetstream::new(async_nats::connect(BROKER).await.unwrap())
}

/// Runs `test` against a publisher on a fresh stream, then deletes the stream whatever
/// happened, then lets a failure fail the test.
async fn with_publisher<F, Fut>(test: F)
where
    F: FnOnce(NatsPublisher) -> Fut,
    Fut: Future<Output = ()>,
{
    if !answers("publishing to the broker") {
        return;
    }
    let prefix = unique_prefix();
    let stream = prefix.stream_name();
    let publisher = NatsPublisher::connect(BROKER, prefix, &NatsConfig::default())
        .await
        .expect("the broker runs at 127.0.0.1:4222 with JetStream on");
    let outcome = AssertUnwindSafe(test(publisher)).catch_unwind().await;
    admin().await.delete_stream(&stream).await.unwrap();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[tokio::test]
async fn the_stream_is_made_with_the_prefixs_subjects_and_the_duplicate_window() {
    with_publisher(|publisher| async move {
        let mut stream = admin()
            .await
            .get_stream(publisher.stream_name())
            .await
            .unwrap();
        let info = stream.info().await.unwrap();
        assert_eq!(info.config.subjects, [publisher.prefix().filter()]);
        assert_eq!(info.config.duplicate_window, Duration::from_secs(120));
        assert_eq!(info.config.storage, stream::StorageType::File);
        assert_eq!(info.state.messages, 0);
    })
    .await;
}

#[tokio::test]
async fn a_republished_event_is_stored_once_and_acknowledged_as_a_duplicate() {
    with_publisher(|publisher| async move {
        let subject = subject_for(publisher.prefix(), "case.decided", Jurisdiction::Ae).unwrap();
        let id = "7d1c6c3e-2f4b-4c1a-9a63-0e5d8c1b2a10";
        let body = Bytes::from_static(br#"{"type":"case.decided","status":"APPROVED"}"#);

        let first = publisher.publish(&subject, id, body.clone()).await;
        let second = publisher.publish(&subject, id, body.clone()).await;

        assert_eq!(first.outcome, Outcome::Delivered, "{first:?}");
        assert_eq!(second.outcome, Outcome::Delivered, "{second:?}");
        let (first, second) = (first.ack.unwrap(), second.ack.unwrap());
        assert!(!first.duplicate);
        assert!(second.duplicate);
        assert_eq!(first.sequence, 1);
        assert_eq!(first.stream, publisher.stream_name());

        let mut stream = admin()
            .await
            .get_stream(publisher.stream_name())
            .await
            .unwrap();
        assert_eq!(stream.info().await.unwrap().state.messages, 1);

        // A consumer reads it once, with the event id as its message id.
        let consumer = stream
            .create_consumer(consumer::pull::Config::default())
            .await
            .unwrap();
        let mut messages = consumer
            .fetch()
            .max_messages(10)
            .expires(Duration::from_millis(500))
            .messages()
            .await
            .unwrap();
        let message = messages.next().await.unwrap().unwrap();
        assert_eq!(message.subject.as_str(), subject.as_str());
        assert_eq!(message.payload, body);
        let headers = message.headers.as_ref().unwrap();
        assert_eq!(headers.get("Nats-Msg-Id").unwrap().as_str(), id);
        message.ack().await.unwrap();
        assert!(messages.next().await.is_none());
    })
    .await;
}

#[tokio::test]
async fn a_consumer_takes_one_jurisdiction_by_its_subject() {
    with_publisher(|publisher| async move {
        let prefix = publisher.prefix().clone();
        for (id, jurisdiction) in [
            ("e-ae", Jurisdiction::Ae),
            ("e-in", Jurisdiction::In),
            ("e-us", Jurisdiction::Us),
        ] {
            let subject = subject_for(&prefix, "case.status_changed", jurisdiction).unwrap();
            let published = publisher
                .publish(&subject, id, Bytes::from_static(b"{}"))
                .await;
            assert_eq!(published.outcome, Outcome::Delivered, "{published:?}");
        }
        let stream = admin()
            .await
            .get_stream(publisher.stream_name())
            .await
            .unwrap();
        let consumer = stream
            .create_consumer(consumer::pull::Config {
                filter_subject: format!("{prefix}.case.status_changed.IN"),
                ..Default::default()
            })
            .await
            .unwrap();
        let ids: Vec<String> = consumer
            .fetch()
            .max_messages(10)
            .expires(Duration::from_millis(500))
            .messages()
            .await
            .unwrap()
            .map(|m| {
                let m = m.unwrap();
                m.headers
                    .as_ref()
                    .unwrap()
                    .get("Nats-Msg-Id")
                    .unwrap()
                    .as_str()
                    .to_owned()
            })
            .collect()
            .await;
        assert_eq!(ids, ["e-in"]);
    })
    .await;
}

#[tokio::test]
async fn a_subject_outside_the_prefix_is_refused_without_publishing() {
    with_publisher(|publisher| async move {
        let other = unique_prefix();
        let subject = subject_for(&other, "case.decided", Jurisdiction::Us).unwrap();
        let published = publisher
            .publish(&subject, "e-1", Bytes::from_static(b"{}"))
            .await;
        assert_eq!(
            published.failure().map(|f| f.kind),
            Some(FailureKind::InvalidMessage),
            "{published:?}"
        );
        assert_eq!(published.ack, None);
        let mut stream = admin()
            .await
            .get_stream(publisher.stream_name())
            .await
            .unwrap();
        assert_eq!(stream.info().await.unwrap().state.messages, 0);
    })
    .await;
}

#[tokio::test]
async fn no_broker_is_a_connect_error_that_does_not_repeat_the_credentials() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let config = NatsConfig {
        connect_timeout: Duration::from_secs(2),
        ..NatsConfig::default()
    };
    let url = format!("nats://us3r:pa55w0rd@{closed}");
    let err = NatsPublisher::connect(&url, unique_prefix(), &config)
        .await
        .unwrap_err();
    assert!(matches!(err, NatsError::Connect(_)), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("pa55w0rd") && !shown.contains("us3r"),
        "{shown}"
    );
}

#[tokio::test]
async fn an_existing_stream_that_does_not_take_the_prefix_is_refused() {
    if !answers("a stream that does not take the prefix") {
        return;
    }
    let prefix = unique_prefix();
    let name = prefix.stream_name();
    let admin = admin().await;
    admin
        .create_stream(stream::Config {
            name: name.clone(),
            subjects: vec![format!("elsewhere{}.>", &name[12..28])],
            ..Default::default()
        })
        .await
        .unwrap();
    let result = NatsPublisher::connect(BROKER, prefix.clone(), &NatsConfig::default()).await;
    admin.delete_stream(&name).await.unwrap();
    match result {
        Err(NatsError::StreamMismatch { stream, filter }) => {
            assert_eq!(stream, name);
            assert_eq!(filter, prefix.filter());
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
}
