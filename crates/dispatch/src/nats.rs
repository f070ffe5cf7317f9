//! Publishing events to NATS JetStream: subjects per event type and jurisdiction under one
//! prefix (`compliance.events.case.decided.AE`), one stream holding `<prefix>.>`, and each
//! message carrying the event id as `Nats-Msg-Id`, so that a republished event is dropped by the
//! broker within the stream's duplicate window (the acknowledgement says `duplicate`).
//!
//! Must not: put the broker URL (it may carry a user and password or a token) in an error, or
//! change or delete an existing stream: an operator owns it once it exists.

use std::fmt;
use std::time::Duration;

use async_nats::jetstream::{self, message::PublishMessage, stream};
use bytes::Bytes;
use compliance_domain::{Jurisdiction, TextForm as _};
use tokio::time::Instant;

use crate::attempt::{Failure, FailureKind, Outcome};
use crate::tls::client_config;

/// The prefix of every subject the publisher writes, e.g. `compliance.events`: dot-separated
/// tokens of letters, digits, `_` and `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubjectPrefix(String);

/// A full subject, `<prefix>.<event type>.<jurisdiction>`, built by [`subject_for`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Subject(String);

/// Why a prefix or an event type cannot be part of a subject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubjectError {
    /// The prefix has an empty token, a wildcard, whitespace or another character NATS
    /// subjects should not hold.
    #[error("subject prefix {0:?} must be dot-separated tokens of letters, digits, `_` and `-`")]
    BadPrefix(String),
    /// The event type is not dot-separated lowercase tokens (`case.decided`).
    #[error("event type {0:?} must be dot-separated tokens of a-z, 0-9 and `_`")]
    BadEventType(String),
}

fn tokens_match(text: &str, allowed: impl Fn(u8) -> bool) -> bool {
    !text.is_empty()
        && text
            .split('.')
            .all(|token| !token.is_empty() && token.bytes().all(&allowed))
}

impl SubjectPrefix {
    /// Parses a prefix such as `compliance.events`.
    pub fn parse(text: &str) -> Result<Self, SubjectError> {
        if tokens_match(text, |b| {
            b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
        }) {
            Ok(Self(text.to_owned()))
        } else {
            Err(SubjectError::BadPrefix(text.to_owned()))
        }
    }

    /// The prefix as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name of the stream that holds the prefix's subjects: upper case, dots as `_`
    /// (`compliance.events` is `COMPLIANCE_EVENTS`).
    pub fn stream_name(&self) -> String {
        self.0.to_ascii_uppercase().replace('.', "_")
    }

    /// The stream's subject filter, `<prefix>.>`.
    pub fn filter(&self) -> String {
        format!("{}.>", self.0)
    }
}

impl fmt::Display for SubjectPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Subject {
    /// The subject as NATS sees it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The subject of an event: `<prefix>.<event type>.<jurisdiction>`, e.g.
/// `compliance.events.case.decided.AE`. A consumer takes one jurisdiction's decisions with
/// `compliance.events.case.decided.AE`, every decision with `compliance.events.case.decided.*`,
/// and everything about cases with `compliance.events.case.>`.
pub fn subject_for(
    prefix: &SubjectPrefix,
    event_type: &str,
    jurisdiction: Jurisdiction,
) -> Result<Subject, SubjectError> {
    if !tokens_match(event_type, |b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
    }) {
        return Err(SubjectError::BadEventType(event_type.to_owned()));
    }
    Ok(Subject(format!(
        "{prefix}.{event_type}.{}",
        jurisdiction.as_str()
    )))
}

/// How the publisher connects and what stream it makes when there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatsConfig {
    /// Longest wait for the connection to the broker.
    pub connect_timeout: Duration,
    /// Longest wait for JetStream's acknowledgement of one message (and for stream requests).
    pub ack_timeout: Duration,
    /// How long the broker remembers a message id to drop a republished copy: longer than the
    /// time a dispatcher can take between publishing and recording that it did.
    pub duplicate_window: Duration,
    /// How long the stream keeps a message; `None` keeps it until limits an operator sets.
    pub max_age: Option<Duration>,
    /// Copies of the stream in a cluster (1 on a single broker).
    pub replicas: usize,
}

impl Default for NatsConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            ack_timeout: Duration::from_secs(5),
            duplicate_window: Duration::from_secs(120),
            max_age: None,
            replicas: 1,
        }
    }
}

/// Why the publisher could not start.
#[derive(Debug, thiserror::Error)]
pub enum NatsError {
    /// No connection to the broker (the URL is not repeated here: it may hold credentials).
    #[error("cannot connect to the NATS broker: {0}")]
    Connect(String),
    /// The stream could not be found or made.
    #[error("cannot find or make stream {stream}: {reason}")]
    Stream {
        /// The stream's name.
        stream: String,
        /// What the broker said, in its own words.
        reason: String,
    },
    /// A stream of that name exists and does not hold the prefix's subjects.
    #[error("stream {stream} exists but does not take {filter}; fix it or choose another prefix")]
    StreamMismatch {
        /// The stream's name.
        stream: String,
        /// The subject filter it should hold.
        filter: String,
    },
}

/// The broker's acknowledgement of a stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// The stream that holds it.
    pub stream: String,
    /// Its sequence number in the stream (the first copy's, for a duplicate).
    pub sequence: u64,
    /// The broker already had a message with this id within the duplicate window and dropped
    /// this one: the event is delivered, once.
    pub duplicate: bool,
}

/// One publication attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    /// Delivered (stored or already stored) or failed.
    pub outcome: Outcome,
    /// The acknowledgement, when the broker gave one.
    pub ack: Option<Ack>,
    /// From the start of the publish to the acknowledgement or the failure.
    pub latency: Duration,
}

impl Publication {
    /// Whether the broker holds the message.
    pub fn is_delivered(&self) -> bool {
        self.outcome == Outcome::Delivered
    }

    /// The failure, if the publication failed.
    pub fn failure(&self) -> Option<&Failure> {
        match &self.outcome {
            Outcome::Delivered => None,
            Outcome::Failed(failure) => Some(failure),
        }
    }
}

/// Publishes events to one JetStream stream. Cheap to clone; one per process.
#[derive(Debug, Clone)]
pub struct NatsPublisher {
    jetstream: jetstream::Context,
    prefix: SubjectPrefix,
    stream: String,
}

impl NatsPublisher {
    /// Connects to the broker at `url` (`nats://127.0.0.1:4222` in development; `tls://` for
    /// TLS with the system's roots) and makes the prefix's stream if there is none: file
    /// storage, subjects `<prefix>.>`, the configured duplicate window. An existing stream is
    /// used as it is, if it takes the prefix's subjects.
    pub async fn connect(
        url: &str,
        prefix: SubjectPrefix,
        config: &NatsConfig,
    ) -> Result<Self, NatsError> {
        let mut options = async_nats::ConnectOptions::new()
            .name("compliance-dispatch")
            .connection_timeout(config.connect_timeout)
            .request_timeout(Some(config.ack_timeout));
        // Without system roots, plain `nats://` still works; async-nats then reports a TLS
        // broker's failure itself.
        if let Ok(tls) = client_config(&[]) {
            options = options.tls_client_config(tls);
        }
        let client = options
            .connect(url)
            .await
            .map_err(|e| NatsError::Connect(e.kind().to_string()))?;
        let mut jetstream = jetstream::new(client);
        jetstream.set_timeout(config.ack_timeout);
        let name = prefix.stream_name();
        let filter = prefix.filter();
        let mut wanted = stream::Config {
            name: name.clone(),
            subjects: vec![filter.clone()],
            duplicate_window: config.duplicate_window,
            storage: stream::StorageType::File,
            num_replicas: config.replicas,
            ..Default::default()
        };
        if let Some(max_age) = config.max_age {
            wanted.max_age = max_age;
        }
        let stream =
            jetstream
                .get_or_create_stream(wanted)
                .await
                .map_err(|e| NatsError::Stream {
                    stream: name.clone(),
                    reason: e.to_string(),
                })?;
        if !stream.cached_info().config.subjects.contains(&filter) {
            return Err(NatsError::StreamMismatch {
                stream: name,
                filter,
            });
        }
        Ok(Self {
            jetstream,
            prefix,
            stream: name,
        })
    }

    /// The stream's name.
    pub fn stream_name(&self) -> &str {
        &self.stream
    }

    /// The prefix every subject must start with.
    pub fn prefix(&self) -> &SubjectPrefix {
        &self.prefix
    }

    /// Publishes `body` on `subject` with `Nats-Msg-Id: msg_id` (the event id) and waits for
    /// JetStream's acknowledgement. Delivered once stored, or once the broker reports it a
    /// duplicate of a message it stored within its window (`ack.duplicate`).
    pub async fn publish(&self, subject: &Subject, msg_id: &str, body: Bytes) -> Publication {
        let started = Instant::now();
        let (outcome, ack) = if !subject.as_str().starts_with(&format!("{}.", self.prefix)) {
            let reason = format!(
                "subject {subject} is outside the stream's {}",
                self.prefix.filter()
            );
            (
                Outcome::Failed(Failure::new(FailureKind::InvalidMessage, reason)),
                None,
            )
        } else {
            self.send(subject, msg_id, body).await
        };
        Publication {
            outcome,
            ack,
            latency: started.elapsed(),
        }
    }

    async fn send(&self, subject: &Subject, msg_id: &str, body: Bytes) -> (Outcome, Option<Ack>) {
        let message = PublishMessage::build().message_id(msg_id).payload(body);
        let acked = match self
            .jetstream
            .send_publish(subject.as_str().to_owned(), message)
            .await
        {
            Ok(pending) => pending.await,
            Err(e) => Err(e),
        };
        match acked {
            Ok(ack) => (
                Outcome::Delivered,
                Some(Ack {
                    stream: ack.stream,
                    sequence: ack.sequence,
                    duplicate: ack.duplicate,
                }),
            ),
            Err(e) => {
                use async_nats::jetstream::context::PublishErrorKind as K;
                let kind = match e.kind() {
                    K::TimedOut => FailureKind::Timeout,
                    K::BrokenPipe => FailureKind::Connect,
                    K::MaxPayloadExceeded => FailureKind::InvalidMessage,
                    _ => FailureKind::Broker,
                };
                (
                    Outcome::Failed(Failure::new(kind, e.kind().to_string())),
                    None,
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_prefix_event_type_and_jurisdiction() {
        let prefix = SubjectPrefix::parse("compliance.events").unwrap();
        let cases = [
            (
                "case.decided",
                Jurisdiction::Ae,
                "compliance.events.case.decided.AE",
            ),
            (
                "case.status_changed",
                Jurisdiction::In,
                "compliance.events.case.status_changed.IN",
            ),
            (
                "transaction.recorded",
                Jurisdiction::Us,
                "compliance.events.transaction.recorded.US",
            ),
        ];
        for (event_type, jurisdiction, expected) in cases {
            assert_eq!(
                subject_for(&prefix, event_type, jurisdiction)
                    .unwrap()
                    .as_str(),
                expected
            );
        }
        assert_eq!(prefix.stream_name(), "COMPLIANCE_EVENTS");
        assert_eq!(prefix.filter(), "compliance.events.>");
    }

    #[test]
    fn wildcards_and_empty_tokens_are_refused() {
        for bad in [
            "", ".", "a.", ".a", "a..b", "a.*", "a.>", "a b", "a\tb", "ä",
        ] {
            assert_eq!(
                SubjectPrefix::parse(bad),
                Err(SubjectError::BadPrefix(bad.to_owned())),
                "{bad:?}"
            );
        }
        let prefix = SubjectPrefix::parse("compliance.events").unwrap();
        for bad in [
            "",
            "case.",
            "case.*",
            "case.>",
            "Case.decided",
            "case decided",
            "case-decided",
        ] {
            assert_eq!(
                subject_for(&prefix, bad, Jurisdiction::Ae),
                Err(SubjectError::BadEventType(bad.to_owned())),
                "{bad:?}"
            );
        }
        assert!(SubjectPrefix::parse("compliance-test_1.events").is_ok());
    }
}
