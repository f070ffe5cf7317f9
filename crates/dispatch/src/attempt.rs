//! What one delivery attempt came to, the same shape for a webhook and for the broker: delivered,
//! or failed with a kind (for the delivery table and the retry decision) and a short reason.
//!
//! Must not: hold a message body, a secret, or a URL's user information or query. Reasons are
//! written by this crate from fixed words, status codes, addresses and error kinds.

use std::fmt;
use std::time::Duration;

/// Why an attempt failed, as a stable code (`as_str`) a delivery record can store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// The request-forgery guard refused the URL or an address it resolved to: nothing was
    /// sent, and nothing will be until the endpoint changes.
    Forbidden,
    /// The host name did not resolve.
    Unresolved,
    /// No connection: refused, unreachable, reset.
    Connect,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// No answer in time (connect, whole request, or the broker's acknowledgement).
    Timeout,
    /// The receiver answered with a status other than 2xx or 3xx.
    Status,
    /// The receiver answered with a redirect, which is never followed (it could point into the
    /// private network).
    Redirect,
    /// The exchange broke off or was malformed (connection closed before a response, not HTTP).
    Protocol,
    /// The message cannot be sent as it is (no signing secret, an id that is not a header
    /// value): a fault on this side, not the receiver's.
    InvalidMessage,
    /// The broker refused or lost the message (no stream for the subject, not connected).
    Broker,
}

impl FailureKind {
    /// The kind's stable code, e.g. `timeout`.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Forbidden => "forbidden",
            FailureKind::Unresolved => "unresolved",
            FailureKind::Connect => "connect",
            FailureKind::Tls => "tls",
            FailureKind::Timeout => "timeout",
            FailureKind::Status => "status",
            FailureKind::Redirect => "redirect",
            FailureKind::Protocol => "protocol",
            FailureKind::InvalidMessage => "invalid_message",
            FailureKind::Broker => "broker",
        }
    }

    /// Whether trying the same message again later may succeed. Forbidden addresses and
    /// invalid messages will not change by waiting; everything else may.
    pub fn is_retryable(self) -> bool {
        !matches!(self, FailureKind::Forbidden | FailureKind::InvalidMessage)
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed attempt: its kind and a short reason, e.g. `connection refused`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The kind, for storing and deciding.
    pub kind: FailureKind,
    /// A short reason for people, without body, secret, user information or query.
    pub reason: String,
}

impl Failure {
    /// A failure of `kind`, with a short reason (no body, secret or URL query in it).
    pub fn new(kind: FailureKind, reason: impl Into<String>) -> Self {
        Self {
            kind,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.reason)
    }
}

/// Delivered, or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver answered 2xx, or the broker stored the message (or already had it).
    Delivered,
    /// Not delivered.
    Failed(Failure),
}

/// One webhook delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// Delivered or failed.
    pub outcome: Outcome,
    /// The receiver's HTTP status, when it answered at all.
    pub status: Option<u16>,
    /// From the start of the attempt to its end (the response read, or the failure).
    pub latency: Duration,
}

impl Attempt {
    /// Whether the receiver took the message.
    pub fn is_delivered(&self) -> bool {
        self.outcome == Outcome::Delivered
    }

    /// The failure, if the attempt failed.
    pub fn failure(&self) -> Option<&Failure> {
        match &self.outcome {
            Outcome::Delivered => None,
            Outcome::Failed(failure) => Some(failure),
        }
    }
}
