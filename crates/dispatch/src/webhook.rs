//! The webhook client: one signed POST per attempt (Standard Webhooks headers), over hyper's
//! HTTP/1.1 client with keep-alive, rustls for https, and the guarded resolver, with a connect
//! timeout and a whole-request timeout. Returns an [`Attempt`], never an error.
//!
//! Must not: follow a redirect, read more than a few KiB of a response, or put a body, a secret,
//! or a URL's user information or query into an attempt's reason. No database, no retries (the
//! dispatcher decides those with `retry.rs`).

use std::error::Error as StdError;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, USER_AGENT};
use hyper::{Request, Response};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tokio::time::{Instant, timeout_at};
use url::Url;

use crate::address::{AddressError, EndpointPolicy, check_url};
use crate::attempt::{Attempt, Failure, FailureKind, Outcome};
use crate::resolver::GuardedResolver;
use crate::signature::{HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, WebhookSecret, sign};
use crate::tls::{TlsError, client_config};

/// The `user-agent` every delivery carries.
pub const USER_AGENT_VALUE: &str = concat!("compliance-db/", env!("CARGO_PKG_VERSION"));

/// One event as a webhook carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The event id: `webhook-id`, the receiver's deduplication key. Stable across retries and
    /// replays.
    pub id: String,
    /// When it is signed, in seconds since the Unix epoch (`webhook-timestamp`): the time of
    /// this attempt, since receivers refuse signatures more than five minutes old.
    pub timestamp: i64,
    /// The JSON body, sent and signed byte for byte.
    pub body: Bytes,
}

/// The client's timeouts and limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// Longest wait for a TCP connection (per address tried).
    pub connect_timeout: Duration,
    /// Longest wait for the whole attempt: resolving, connecting, TLS, sending, the response's
    /// status line and headers. Reading the (capped) response body shares the same deadline.
    pub request_timeout: Duration,
    /// How long an idle keep-alive connection is kept for reuse.
    pub pool_idle_timeout: Duration,
    /// Most idle connections kept per host.
    pub max_idle_per_host: usize,
    /// Most bytes of a response body read (then dropped unread).
    pub max_response_bytes: usize,
    /// Extra trusted root certificates (DER), besides the operating system's: a private CA that
    /// receivers inside the organisation use.
    pub extra_roots: Vec<Vec<u8>>,
    /// Host names answered without DNS (lowercase name, address), as curl's `--resolve`; the
    /// answers are screened like DNS answers.
    pub pinned: Vec<(String, IpAddr)>,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(10),
            pool_idle_timeout: Duration::from_secs(90),
            max_idle_per_host: 8,
            max_response_bytes: 4 * 1024,
            extra_roots: Vec::new(),
            pinned: Vec::new(),
        }
    }
}

type Connector = HttpsConnector<HttpConnector<GuardedResolver>>;
type HyperClient = Client<Connector, Full<Bytes>>;

/// Sends signed webhooks. Cheap to clone (the connection pools are shared); build one per
/// process and use it from every task.
#[derive(Debug, Clone)]
pub struct WebhookClient {
    /// For endpoints under [`EndpointPolicy::STRICT`].
    strict: HyperClient,
    /// For endpoints an admin allowed onto a private network: a pool of its own, so that a
    /// connection made under one policy is never reused under the other.
    private: HyperClient,
    config: Arc<WebhookConfig>,
}

impl WebhookClient {
    /// A client with the system's root certificates (and `config.extra_roots`), TLS 1.2 and 1.3
    /// on ring, HTTP/1.1 only.
    pub fn new(config: WebhookConfig) -> Result<Self, TlsError> {
        let tls = client_config(&config.extra_roots)?;
        let client = |policy| {
            let mut http = GuardedResolver::with_pinned(policy, config.pinned.clone()).connector();
            http.set_connect_timeout(Some(config.connect_timeout));
            http.set_nodelay(true);
            let https = hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(tls.clone())
                .https_or_http()
                .enable_http1()
                .wrap_connector(http);
            Client::builder(TokioExecutor::new())
                .pool_timer(TokioTimer::new())
                .pool_idle_timeout(config.pool_idle_timeout)
                .pool_max_idle_per_host(config.max_idle_per_host)
                .build(https)
        };
        Ok(Self {
            strict: client(EndpointPolicy::STRICT),
            private: client(EndpointPolicy::ALLOW_PRIVATE),
            config: Arc::new(config),
        })
    }

    /// Delivers `msg` to `endpoint` once, signed with every secret in `secrets` (two during a
    /// rotation). A 2xx answer is delivered; anything else is a failure with its kind. The URL
    /// is checked against `policy` first, and the addresses its host resolves to again at
    /// connection time: a forbidden one fails the attempt before anything is sent. A user and
    /// password in the URL are sent as HTTP Basic authorization, not in the request line.
    pub async fn send(
        &self,
        endpoint: &Url,
        policy: EndpointPolicy,
        secrets: &[&WebhookSecret],
        msg: &Message,
    ) -> Attempt {
        let started = Instant::now();
        let (outcome, status) = match self.prepare(endpoint, policy, secrets, msg) {
            Err(failure) => (Outcome::Failed(failure), None),
            Ok(request) => {
                let client = if policy.allow_private {
                    &self.private
                } else {
                    &self.strict
                };
                let deadline = started + self.config.request_timeout;
                match timeout_at(deadline, client.request(request)).await {
                    Err(_) => (Outcome::Failed(self.timed_out()), None),
                    Ok(Err(error)) => (Outcome::Failed(classify(&error)), None),
                    Ok(Ok(response)) => {
                        let status = response.status().as_u16();
                        // The answer is the status; the body is read only so that the
                        // connection can be reused, and only as much as the limit allows.
                        drain(response, self.config.max_response_bytes, deadline).await;
                        (judge(status), Some(status))
                    }
                }
            }
        };
        Attempt {
            outcome,
            status,
            latency: started.elapsed(),
        }
    }

    fn prepare(
        &self,
        endpoint: &Url,
        policy: EndpointPolicy,
        secrets: &[&WebhookSecret],
        msg: &Message,
    ) -> Result<Request<Full<Bytes>>, Failure> {
        check_url(endpoint, policy)
            .map_err(|e| Failure::new(FailureKind::Forbidden, e.to_string()))?;
        if secrets.is_empty() {
            return Err(Failure::new(
                FailureKind::InvalidMessage,
                "no signing secret",
            ));
        }
        let mut target = endpoint.clone();
        let authorization = basic_authorization(&target);
        // Neither the user information nor the fragment goes on the request line.
        let _ = target.set_username("");
        let _ = target.set_password(None);
        target.set_fragment(None);
        let uri: hyper::Uri = target.as_str().parse().map_err(|_| {
            Failure::new(
                FailureKind::InvalidMessage,
                "the URL is not a valid request target",
            )
        })?;
        let header = |value: String, what: &str| {
            HeaderValue::try_from(value).map_err(|_| {
                Failure::new(
                    FailureKind::InvalidMessage,
                    format!("{what} is not a valid header value"),
                )
            })
        };
        let mut request = Request::post(uri)
            .header(HEADER_ID, header(msg.id.clone(), "the message id")?)
            .header(HEADER_TIMESTAMP, msg.timestamp)
            .header(
                HEADER_SIGNATURE,
                header(
                    sign(&msg.id, msg.timestamp, &msg.body, secrets),
                    "the signature",
                )?,
            )
            .header(CONTENT_TYPE, "application/json")
            .header(USER_AGENT, USER_AGENT_VALUE);
        if let Some(credentials) = authorization {
            let mut value = header(credentials, "the URL's credentials")?;
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        request.body(Full::new(msg.body.clone())).map_err(|_| {
            Failure::new(
                FailureKind::InvalidMessage,
                "the request could not be built",
            )
        })
    }

    fn timed_out(&self) -> Failure {
        Failure::new(
            FailureKind::Timeout,
            format!(
                "no answer within {} ms",
                self.config.request_timeout.as_millis()
            ),
        )
    }
}

/// `Basic <base64(user:password)>` from the URL's user information, percent-decoded.
fn basic_authorization(url: &Url) -> Option<String> {
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    let decode = |s: &str| percent_encoding::percent_decode_str(s).collect::<Vec<u8>>();
    let mut pair = decode(url.username());
    pair.push(b':');
    pair.extend(decode(url.password().unwrap_or_default()));
    Some(format!("Basic {}", BASE64.encode(pair)))
}

/// Reads at most `limit` bytes of the body before the deadline, and drops the rest.
async fn drain(response: Response<Incoming>, limit: usize, deadline: Instant) {
    let mut body = response.into_body();
    let mut read = 0_usize;
    while read < limit {
        match timeout_at(deadline, body.frame()).await {
            Ok(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    read += data.len();
                }
            }
            _ => break,
        }
    }
}

/// 2xx is delivered; 3xx a redirect not followed; anything else a status failure.
fn judge(status: u16) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        300..=399 => Outcome::Failed(Failure::new(
            FailureKind::Redirect,
            format!("status {status}: a redirect, not followed"),
        )),
        _ => Outcome::Failed(Failure::new(
            FailureKind::Status,
            format!("status {status}"),
        )),
    }
}

/// Names a client error by what is in its chain of causes, in this crate's own words.
fn classify(error: &hyper_util::client::legacy::Error) -> Failure {
    let mut timed_out = false;
    let mut io_kind = None;
    let mut hyper_error = None;
    for cause in causes(error) {
        if let Some(address) = cause.downcast_ref::<AddressError>() {
            let kind = match address {
                AddressError::Unresolved { .. } | AddressError::NoAddress => {
                    FailureKind::Unresolved
                }
                _ => FailureKind::Forbidden,
            };
            return Failure::new(kind, address.to_string());
        }
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            return Failure::new(FailureKind::Tls, tls.to_string());
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            timed_out |= io.kind() == std::io::ErrorKind::TimedOut;
            io_kind.get_or_insert(io.kind());
        }
        if let Some(h) = cause.downcast_ref::<hyper::Error>() {
            hyper_error.get_or_insert(h);
        }
    }
    if timed_out {
        return Failure::new(FailureKind::Timeout, "connect timed out");
    }
    if error.is_connect() {
        let reason = match io_kind {
            Some(std::io::ErrorKind::ConnectionRefused) => "connection refused".to_owned(),
            Some(kind) => format!("connect failed ({kind})"),
            None => "connect failed".to_owned(),
        };
        return Failure::new(FailureKind::Connect, reason);
    }
    let reason = match hyper_error {
        Some(h) if h.is_incomplete_message() => "the connection closed before a complete response",
        Some(h) if h.is_parse() || h.is_parse_status() => "the response is not HTTP/1.1",
        Some(h) if h.is_canceled() || h.is_closed() => "the connection closed",
        _ => "the exchange failed",
    };
    Failure::new(FailureKind::Protocol, reason)
}

/// `error` and its causes, looking inside `std::io::Error`s too (whose `source` skips the error
/// they wrap; TLS failures arrive as a rustls error inside one or two of them).
fn causes<'a>(error: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = Vec::new();
    let mut next = Some(error);
    while let Some(cause) = next {
        out.push(cause);
        next = match cause
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => cause.source(),
        };
    }
    out
}
