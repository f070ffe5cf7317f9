#![doc = include_str!("../README.md")]

pub mod address;
pub mod attempt;
pub mod dispatcher;
pub mod nats;
pub mod resolver;
pub mod retry;
pub mod signature;
pub mod tls;
pub mod webhook;

pub use address::{AddressClass, AddressError, EndpointPolicy, check_url, classify};
pub use attempt::{Attempt, Failure, FailureKind, Outcome};
pub use dispatcher::{Dispatcher, DispatcherConfig, Round};
pub use nats::{
    Ack, NatsConfig, NatsError, NatsPublisher, Publication, Subject, SubjectError, SubjectPrefix,
    subject_for,
};
pub use resolver::GuardedResolver;
pub use retry::{CircuitPolicy, PolicyError, RetryPolicy, random_jitter};
pub use signature::{SecretError, VerifyError, WebhookSecret, sign, verify, verify_now};
pub use tls::TlsError;
pub use webhook::{Message, WebhookClient, WebhookConfig};
