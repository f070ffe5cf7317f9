//! The dispatcher: the loop that moves committed events out. Each round copies new events into
//! deliveries (the fan-out), claims the deliveries that are due (`FOR UPDATE SKIP LOCKED`, so
//! several dispatchers share the work and none sends a delivery another holds), sends them at
//! once (each entity's events one at a time, in order: the claim holds back an entity's next
//! event until its earlier one is done), and records every attempt with its retry or the
//! circuit's pause. A crash between a send and its record loses nothing: the lease lapses,
//! another round sends the event again with the same id, and the receiver deduplicates.
//!
//! Must not: log a secret, a body or a URL (only ids, kinds and statuses), or block the
//! runtime (the database calls run on tokio's blocking pool).

use crate::attempt::{Attempt, Failure, FailureKind, Outcome};
use crate::nats::{NatsConfig, NatsPublisher, SubjectPrefix};
use crate::retry::{CircuitPolicy, RetryPolicy, random_jitter};
use crate::signature::WebhookSecret;
use crate::webhook::{Message, WebhookClient, WebhookConfig};
use crate::{EndpointPolicy, TlsError};
use chrono::Utc;
use compliance_app::events::{Attempted, CircuitSettings, Claim, Destination};
use compliance_app::{AppError, Outbox};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use url::Url;

/// How a dispatcher works.
#[derive(Debug, Clone)]
pub struct DispatcherConfig {
    /// Events copied into deliveries per round.
    pub fan_out_batch: u32,
    /// Deliveries claimed per round.
    pub claim_batch: u32,
    /// Loops that claim, send and record at once (beside the one that fans out): while one
    /// waits for the network, another works in the database.
    pub workers: usize,
    /// How long a claim is held before another dispatcher may take it over: longer than the
    /// slowest send (the webhook timeout) and its record.
    pub lease: Duration,
    /// The pause after a round that found nothing to do.
    pub idle_poll: Duration,
    /// Retries after a failed attempt.
    pub retry: RetryPolicy,
    /// When a failing endpoint is paused.
    pub circuit: CircuitPolicy,
    /// The webhook client's timeouts.
    pub webhook: WebhookConfig,
    /// The broker's stream settings.
    pub nats: NatsConfig,
}

impl Default for DispatcherConfig {
    fn default() -> Self {
        Self {
            fan_out_batch: 2000,
            claim_batch: 500,
            workers: 3,
            lease: Duration::from_secs(30),
            idle_poll: Duration::from_millis(25),
            retry: RetryPolicy::default(),
            circuit: CircuitPolicy::default(),
            webhook: WebhookConfig::default(),
            nats: NatsConfig::default(),
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Events copied into deliveries.
    pub fanned_out: u64,
    /// Deliveries claimed and attempted.
    pub attempted: usize,
    /// Of those, delivered.
    pub delivered: usize,
}

/// The dispatcher over an outbox.
pub struct Dispatcher {
    outbox: Outbox,
    config: DispatcherConfig,
    webhooks: WebhookClient,
    brokers: Mutex<HashMap<(String, String), Arc<NatsPublisher>>>,
}

impl Dispatcher {
    /// A dispatcher over `outbox` (from `Compliance::in_process().outbox()`).
    pub fn new(outbox: Outbox, config: DispatcherConfig) -> Result<Self, TlsError> {
        Ok(Self {
            webhooks: WebhookClient::new(config.webhook.clone())?,
            outbox,
            config,
            brokers: Mutex::new(HashMap::new()),
        })
    }

    /// Runs until `stop` completes: one loop fans events out, and `workers` loops claim, send
    /// and record, each at once again after busy work, woken by a fan-out that copied events,
    /// else after `idle_poll`; while the database fails (a restart, a failover) each pauses
    /// longer, to 5 s, logging each failure.
    pub async fn run(&self, stop: impl std::future::Future<Output = ()>) {
        let woken = tokio::sync::Notify::new();
        let fan_out = self.keep_going(&woken, |woken| async move {
            let copied = self
                .blocking({
                    let batch = self.config.fan_out_batch;
                    move |outbox| outbox.fan_out(batch)
                })
                .await?;
            if copied > 0 {
                woken.notify_waiters();
            }
            Ok(copied > 0)
        });
        let workers = (0..self.config.workers.max(1)).map(|_| {
            self.keep_going(&woken, |_| async move {
                Ok(self.claim_and_send().await?.attempted > 0)
            })
        });
        tokio::select! {
            () = stop => {},
            _ = futures_util::future::join(fan_out, futures_util::future::join_all(workers)) => {},
        }
    }

    /// Runs `work` forever: again at once when it did something, after `idle_poll` (or a
    /// wake-up) when it did nothing, after a growing pause when it failed.
    async fn keep_going<'a, F, Fut>(&'a self, woken: &'a tokio::sync::Notify, work: F)
    where
        F: Fn(&'a tokio::sync::Notify) -> Fut,
        Fut: std::future::Future<Output = Result<bool, AppError>>,
    {
        let mut failing = 0u32;
        loop {
            match work(woken).await {
                Ok(true) => failing = 0,
                Ok(false) => {
                    failing = 0;
                    let _ = tokio::time::timeout(self.config.idle_poll, woken.notified()).await;
                }
                Err(e) => {
                    failing = failing.saturating_add(1);
                    tracing::warn!(error = %e, rounds_failed = failing, "dispatcher round failed; retrying");
                    let pause = Duration::from_millis(100u64 << failing.min(6));
                    tokio::time::sleep(pause.min(Duration::from_secs(5))).await;
                }
            }
        }
    }

    /// One round, in turn: fan out, claim, send, record (what tests and benchmarks step
    /// through; [`Dispatcher::run`] does the same concurrently).
    pub async fn round(&self) -> Result<Round, AppError> {
        let fanned_out = self
            .blocking({
                let batch = self.config.fan_out_batch;
                move |outbox| outbox.fan_out(batch)
            })
            .await?;
        Ok(Round {
            fanned_out,
            ..self.claim_and_send().await?
        })
    }

    /// Claims what is due, sends it all at once, and records every attempt.
    async fn claim_and_send(&self) -> Result<Round, AppError> {
        let began = std::time::Instant::now();
        let claims = self
            .blocking({
                let (batch, lease) = (self.config.claim_batch, self.config.lease);
                move |outbox| outbox.claim(batch, lease)
            })
            .await?;
        if claims.is_empty() {
            return Ok(Round::default());
        }
        let claimed = began.elapsed();
        let sends = claims.iter().map(|claim| self.attempt(claim));
        let results: Vec<Attempted> = futures_util::future::join_all(sends).await;
        let sent = began.elapsed();
        let delivered = results.iter().filter(|r| r.delivered).count();
        let attempted = results.len();
        let circuit = CircuitSettings {
            failures_to_open: self.config.circuit.failures_to_open(),
            open_for: self.config.circuit.open_for(),
            max_open_for: self.config.circuit.max_open_for(),
        };
        self.blocking(move |outbox| outbox.complete(&results, circuit))
            .await?;
        tracing::debug!(
            attempted,
            delivered,
            claim_ms = claimed.as_millis(),
            send_ms = (sent - claimed).as_millis(),
            record_ms = (began.elapsed() - sent).as_millis(),
            "dispatcher round"
        );
        Ok(Round {
            fanned_out: 0,
            attempted,
            delivered,
        })
    }

    /// Runs `f` on the outbox on tokio's blocking pool.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Outbox) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let outbox = self.outbox.clone();
        tokio::task::spawn_blocking(move || f(&outbox))
            .await
            .map_err(|e| {
                AppError::Internal(format!("the dispatcher's database task failed: {e}"))
            })?
    }

    /// Sends one claim and says what it came to, with its retry.
    async fn attempt(&self, claim: &Claim) -> Attempted {
        let attempted_at = Utc::now();
        let attempt = match &claim.destination {
            Destination::Webhook {
                url,
                allow_private,
                secrets,
            } => self.send_webhook(claim, url, *allow_private, secrets).await,
            Destination::Nats {
                url,
                prefix,
                subject,
            } => self.publish(claim, url, prefix, subject).await,
        };
        let failure = attempt.failure().cloned();
        let retry_at = failure.as_ref().and_then(|f| {
            let attempts = u32::try_from(claim.attempt).unwrap_or(u32::MAX);
            f.kind
                .is_retryable()
                .then(|| self.config.retry.next_delay(attempts, random_jitter()))
                .flatten()
                .and_then(|d| chrono::Duration::from_std(d).ok())
                .map(|d| Utc::now() + d)
        });
        if let Some(f) = &failure {
            tracing::info!(
                delivery = claim.delivery_id,
                event = %claim.event_id,
                endpoint = %claim.endpoint_id,
                attempt = claim.attempt,
                kind = f.kind.as_str(),
                status = attempt.status,
                retry = retry_at.is_some(),
                "delivery attempt failed"
            );
        }
        Attempted {
            delivery_id: claim.delivery_id,
            attempt: claim.attempt,
            attempted_at,
            delivered: attempt.is_delivered(),
            status_code: attempt.status,
            latency: attempt.latency,
            error: failure.map(|f| format!("{}: {}", f.kind, f.reason)),
            retry_at,
        }
    }

    async fn send_webhook(
        &self,
        claim: &Claim,
        url: &str,
        allow_private: bool,
        secrets: &[String],
    ) -> Attempt {
        let parsed: Result<Vec<WebhookSecret>, _> =
            secrets.iter().map(|s| WebhookSecret::parse(s)).collect();
        let (Ok(url), Ok(secrets)) = (Url::parse(url), parsed) else {
            return failed(
                FailureKind::InvalidMessage,
                "the endpoint's URL or secret is unreadable",
            );
        };
        let refs: Vec<&WebhookSecret> = secrets.iter().collect();
        let msg = Message {
            id: claim.event_id.to_string(),
            timestamp: Utc::now().timestamp(),
            body: claim.body.clone().into(),
        };
        self.webhooks
            .send(&url, EndpointPolicy { allow_private }, &refs, &msg)
            .await
    }

    async fn publish(&self, claim: &Claim, url: &str, prefix: &str, subject: &str) -> Attempt {
        let publisher = match self.broker(url, prefix).await {
            Ok(publisher) => publisher,
            Err(failure) => {
                return Attempt {
                    outcome: Outcome::Failed(failure),
                    status: None,
                    latency: Duration::ZERO,
                };
            }
        };
        let subject = match crate::nats::subject_for(
            publisher.prefix(),
            claim.event_type.into(),
            claim.jurisdiction,
        ) {
            Ok(s) if s.as_str() == subject => s,
            _ => {
                return failed(
                    FailureKind::InvalidMessage,
                    "the event's subject is malformed",
                );
            }
        };
        let publication = publisher
            .publish(
                &subject,
                &claim.event_id.to_string(),
                claim.body.clone().into(),
            )
            .await;
        Attempt {
            outcome: publication.outcome,
            status: None,
            latency: publication.latency,
        }
    }

    /// The publisher for a broker and prefix, connected once and kept (the client reconnects
    /// by itself; a publish while it is away fails and is retried).
    async fn broker(&self, url: &str, prefix: &str) -> Result<Arc<NatsPublisher>, Failure> {
        let key = (url.to_owned(), prefix.to_owned());
        let mut brokers = self.brokers.lock().await;
        if let Some(publisher) = brokers.get(&key) {
            return Ok(publisher.clone());
        }
        let prefix = SubjectPrefix::parse(prefix)
            .map_err(|e| Failure::new(FailureKind::InvalidMessage, e.to_string()))?;
        let publisher = NatsPublisher::connect(url, prefix, &self.config.nats)
            .await
            .map_err(|e| Failure::new(FailureKind::Broker, e.to_string()))?;
        let publisher = Arc::new(publisher);
        brokers.insert(key, publisher.clone());
        Ok(publisher)
    }
}

fn failed(kind: FailureKind, reason: &str) -> Attempt {
    Attempt {
        outcome: Outcome::Failed(Failure::new(kind, reason)),
        status: None,
        latency: Duration::ZERO,
    }
}
