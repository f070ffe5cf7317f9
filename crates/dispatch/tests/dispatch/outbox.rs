//! The dispatcher end to end, over a real database, a real loopback receiver and the real NATS
//! broker: every event delivered, signed and in each entity's order; the broker deduplicating a
//! republished event; a receiver that is down getting the event once it is back; and a
//! dispatcher killed between the send and its record, whose event a second dispatcher sends
//! again with the same id.
//!
//! Must not: leave a stream behind on the broker or a dispatcher process running.

use crate::receiver::Received;
use async_nats::jetstream::{self, consumer};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use compliance_app::events::{EndpointWithSecret, NewEndpoint};
use compliance_dispatch::{
    CircuitPolicy, Dispatcher, DispatcherConfig, RetryPolicy, WebhookSecret, verify_now,
};
use compliance_domain::{EndpointKind, EventType};
use compliance_ops::testing::{Seeded, entity, sanctions_hit, scenario, with_rules};
use futures_util::StreamExt as _;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the receiver answers: 200, 503, or (for a crash test) nothing for a minute.
const OK: u8 = 0;
const DOWN: u8 = 1;
const HOLD: u8 = 2;

#[derive(Clone, Default)]
struct Receiver {
    log: Arc<Mutex<Vec<Received>>>,
    mode: Arc<AtomicU8>,
}

async fn hook(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    r.log.lock().unwrap().push(Received {
        uri: "/hook".parse().unwrap(),
        headers,
        body,
        peer: ([127, 0, 0, 1], 0).into(),
    });
    match r.mode.load(Ordering::SeqCst) {
        OK => StatusCode::NO_CONTENT,
        DOWN => StatusCode::SERVICE_UNAVAILABLE,
        _ => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            StatusCode::NO_CONTENT
        }
    }
}

impl Receiver {
    async fn start() -> (Self, String) {
        let receiver = Receiver::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let app = Router::new()
            .route("/hook", post(hook))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (receiver, url)
    }

    fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }
}

fn webhook(s: &Seeded, url: &str) -> EndpointWithSecret {
    s.compliance
        .create_endpoint(
            &s.admin(),
            &NewEndpoint {
                kind: EndpointKind::Webhook,
                url: url.into(),
                subject_prefix: None,
                event_types: vec![],
                description: "test receiver".into(),
                allow_private: false,
            },
        )
        .unwrap()
}

fn quick() -> DispatcherConfig {
    DispatcherConfig {
        idle_poll: Duration::from_millis(10),
        retry: RetryPolicy::new(50, Duration::from_millis(50), Duration::from_millis(200)).unwrap(),
        circuit: CircuitPolicy::new(1000, Duration::from_secs(1), Duration::from_secs(1)).unwrap(),
        ..DispatcherConfig::default()
    }
}

/// Runs rounds until `done` holds (at most 30 s).
async fn until(dispatcher: &Dispatcher, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "not delivered in 30 s");
        dispatcher.round().await.unwrap();
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The receivers' examples of docs/events.md, on a real delivery: the Rust one's `verify` and
/// the Python one as a process; both refuse the same delivery with its body changed.
fn receivers_examples_verify(secret: &str, delivery: &Received) {
    let (id, timestamp, signature) = (
        delivery.header("webhook-id"),
        delivery.header("webhook-timestamp"),
        delivery.header("webhook-signature"),
    );
    let now = chrono::Utc::now().timestamp();
    let mut tampered = delivery.body.to_vec();
    tampered[0] = b' ';
    assert!(crate::verify_example::verify(
        secret,
        id,
        timestamp,
        &delivery.body,
        signature,
        now
    ));
    assert!(!crate::verify_example::verify(
        secret, id, timestamp, &tampered, signature, now
    ));
    assert!(!crate::verify_example::verify(
        secret,
        id,
        timestamp,
        &delivery.body,
        signature,
        now + 301
    ));

    if !crate::needs::python("the receivers' Python example on a real delivery") {
        return;
    }
    let dir = std::env::temp_dir().join(format!(
        "verify-example-{}",
        compliance_dispatch::random_jitter()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let headers = serde_json::json!({
        "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature,
    });
    std::fs::write(dir.join("headers.json"), headers.to_string()).unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/examples/verify_webhook.py"
    );
    let run = |body: &[u8]| {
        std::fs::write(dir.join("body"), body).unwrap();
        std::process::Command::new("python3")
            .arg(script)
            .arg(dir.join("headers.json"))
            .arg(dir.join("body"))
            .env("WEBHOOK_SECRET", secret)
            .output()
            .expect("python3 runs the receivers' example")
    };
    let valid = run(&delivery.body);
    assert!(
        valid.status.success(),
        "{}",
        String::from_utf8_lossy(&valid.stdout)
    );
    assert_eq!(
        String::from_utf8_lossy(&valid.stdout).trim(),
        format!("valid {id}")
    );
    assert_eq!(run(&tampered).status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

fn body(r: &Received) -> serde_json::Value {
    serde_json::from_slice(&r.body).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_reaches_the_webhook_signed_in_order_and_the_broker_once() {
    if !crate::needs::answers("every event reaches the webhook and the broker") {
        return;
    }
    let s = with_rules();
    let (receiver, url) = Receiver::start().await;
    let secret = webhook(&s, &url).secret.unwrap();
    let prefix = format!(
        "outboxtest{:016x}.events",
        compliance_dispatch::random_jitter()
    );
    s.compliance
        .create_endpoint(
            &s.admin(),
            &NewEndpoint {
                kind: EndpointKind::Nats,
                url: crate::needs::BROKER.into(),
                subject_prefix: Some(prefix.clone()),
                event_types: vec![EventType::CaseDecided],
                description: String::new(),
                allow_private: false,
            },
        )
        .unwrap();
    let agent = s.agent();
    for id in ["ae-ind-clean-001", "us-ind-standard-002"] {
        s.compliance.submit(&agent, &scenario(id), None).unwrap();
    }
    s.compliance
        .rescreen(&agent, &entity("ae-ind-clean-001"), &sanctions_hit())
        .unwrap();

    let dispatcher = Dispatcher::new(s.compliance.in_process().outbox(), quick()).unwrap();
    let delivered = |s: &Seeded| {
        s.compliance
            .endpoints(&s.admin())
            .unwrap()
            .iter()
            .map(|e| e.deliveries.delivered)
            .sum::<i64>()
    };
    until(&dispatcher, || delivered(&s) == 5).await;

    let got = receiver.received();
    assert_eq!(got.len(), 3, "each event once");
    let key = WebhookSecret::parse(secret.expose()).unwrap();
    for r in &got {
        verify_now(
            r.header("webhook-id"),
            r.header("webhook-timestamp"),
            &r.body,
            r.header("webhook-signature"),
            &[&key],
        )
        .unwrap();
        assert_eq!(body(r)["id"].as_str(), Some(r.header("webhook-id")));
    }
    receivers_examples_verify(secret.expose(), &got[0]);
    let first_entity: Vec<i64> = got
        .iter()
        .map(body)
        .filter(|b| b["data"]["entity_id"] == "ae-ind-clean-001")
        .map(|b| b["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(first_entity, [1, 2], "an entity's events arrive in order");

    // The broker holds each decision once, its message id the event id; replayed, the same
    // events are deduplicated by the broker.
    let js = jetstream::new(async_nats::connect(crate::needs::BROKER).await.unwrap());
    let stream_name = prefix.replace('.', "_").to_uppercase();
    let check = async {
        let broker = s
            .compliance
            .endpoints(&s.admin())
            .unwrap()
            .into_iter()
            .find(|e| e.kind == EndpointKind::Nats)
            .unwrap();
        let all = compliance_app::ReplaySelection::Range {
            from: chrono::Utc::now() - chrono::Duration::hours(1),
            to: chrono::Utc::now() + chrono::Duration::hours(1),
        };
        assert_eq!(
            s.compliance
                .replay_deliveries(&s.admin(), broker.id, all)
                .unwrap(),
            2
        );
        until(&dispatcher, || delivered(&s) == 5).await;
        let mut stream = js.get_stream(&stream_name).await.unwrap();
        assert_eq!(
            stream.info().await.unwrap().state.messages,
            2,
            "republished, not stored twice"
        );
        let consumer = stream
            .create_consumer(consumer::pull::Config::default())
            .await
            .unwrap();
        let mut messages = consumer
            .fetch()
            .max_messages(10)
            .expires(Duration::from_secs(1))
            .messages()
            .await
            .unwrap();
        let mut subjects = Vec::new();
        while let Some(message) = messages.next().await {
            let message = message.unwrap();
            let event: serde_json::Value = serde_json::from_slice(&message.payload).unwrap();
            let id = message
                .headers
                .as_ref()
                .and_then(|h| h.get("Nats-Msg-Id"))
                .map(|v| v.to_string());
            assert_eq!(id.as_deref(), event["id"].as_str());
            subjects.push(message.subject.to_string());
        }
        subjects.sort();
        assert_eq!(
            subjects,
            [
                format!("{prefix}.case.decided.AE"),
                format!("{prefix}.case.decided.US")
            ]
        );
    };
    let outcome = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(check)).await;
    let _ = js.delete_stream(&stream_name).await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_is_down_gets_the_event_once_it_is_back() {
    let s = with_rules();
    let (receiver, url) = Receiver::start().await;
    let endpoint = webhook(&s, &url).endpoint.id;
    receiver.mode.store(DOWN, Ordering::SeqCst);
    s.compliance
        .submit(&s.agent(), &scenario("ae-ind-clean-001"), None)
        .unwrap();
    let dispatcher = Dispatcher::new(s.compliance.in_process().outbox(), quick()).unwrap();
    until(&dispatcher, || receiver.received().len() >= 3).await;
    receiver.mode.store(OK, Ordering::SeqCst);
    let delivered = || {
        s.compliance
            .endpoint(&s.admin(), endpoint)
            .unwrap()
            .deliveries
            .delivered
            == 1
    };
    until(&dispatcher, delivered).await;
    let ids: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| r.header("webhook-id").to_owned())
        .collect();
    assert!(
        ids.len() >= 4 && ids.iter().all(|id| *id == ids[0]),
        "one event, the same id: {ids:?}"
    );
    let delivery = s
        .compliance
        .deliveries(&s.admin(), endpoint, None, 10)
        .unwrap();
    let attempts = s.compliance.attempts(&s.admin(), delivery[0].id).unwrap();
    assert!(attempts.len() >= 4);
    assert!(
        attempts[..attempts.len() - 1]
            .iter()
            .all(|a| !a.delivered && a.status_code == Some(503))
    );
    assert!(attempts.last().unwrap().delivered);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispatcher_killed_between_send_and_record_loses_nothing() {
    let s = with_rules();
    let (receiver, url) = Receiver::start().await;
    let endpoint = webhook(&s, &url).endpoint.id;
    receiver.mode.store(HOLD, Ordering::SeqCst);
    s.compliance
        .submit(&s.agent(), &scenario("ae-ind-clean-001"), None)
        .unwrap();

    // A dispatcher process sends the event and waits for the receiver's answer ...
    let config = s.db.config();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_compliance-dispatch"))
        .args(["--lease-seconds", "1", "--poll-ms", "10"])
        .env_remove("DATABASE_URL")
        .env("DATABASE_HOST", config.host())
        .env("DATABASE_PORT", config.port().to_string())
        .env("DATABASE_NAME", config.database())
        .env("DATABASE_USER", config.user())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while receiver.received().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the dispatcher process sent nothing"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // ... and is killed before it could record anything.
    child.kill().unwrap();
    child.wait().unwrap();
    let before = s
        .compliance
        .deliveries(&s.admin(), endpoint, None, 10)
        .unwrap();
    assert_eq!((before[0].attempts, before[0].delivered_at), (1, None));

    // Another dispatcher takes the lapsed lease over; the receiver sees the same event again.
    receiver.mode.store(OK, Ordering::SeqCst);
    let dispatcher = Dispatcher::new(s.compliance.in_process().outbox(), quick()).unwrap();
    let delivered = || {
        s.compliance
            .endpoint(&s.admin(), endpoint)
            .unwrap()
            .deliveries
            .delivered
            == 1
    };
    until(&dispatcher, delivered).await;
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
    assert_eq!(got[0].body, got[1].body);
    let after = s
        .compliance
        .deliveries(&s.admin(), endpoint, None, 10)
        .unwrap();
    assert_eq!(after[0].attempts, 2);
}

#[test]
fn the_receivers_page_shows_the_examples_the_tests_run() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let page = std::fs::read_to_string(format!("{root}/docs/events.md")).unwrap();
    let python =
        std::fs::read_to_string(format!("{root}/docs/examples/verify_webhook.py")).unwrap();
    let rust =
        std::fs::read_to_string(format!("{root}/crates/dispatch/examples/verify_webhook.rs"))
            .unwrap();
    let between = |text: &str, from: &str, to: &str| {
        let start = text.find(from).unwrap();
        let end = start + text[start..].find(to).unwrap() + to.len();
        text[start..end].to_owned()
    };
    for shown in [
        between(&python, "def verify(", "\n    )\n"),
        between(&rust, "/// True when one of", "\n        })\n}\n"),
    ] {
        assert!(
            page.contains(&shown),
            "docs/events.md must show, word for word:\n{shown}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_restarts_loses_no_event() {
    use compliance_ops::embedded::{launch, stop_state};
    use compliance_ops::provision::{ProvisionOptions, provision};
    use compliance_persistence::DatabaseConfig;
    let home = std::env::temp_dir().join(format!(
        "compliance-restart-{:016x}",
        compliance_dispatch::random_jitter()
    ));
    let (state, _) = {
        let home = home.clone();
        tokio::task::spawn_blocking(move || launch(&home, None))
            .await
            .unwrap()
            .expect("a private server starts (PostgreSQL's binaries: installed, or `cargo xtask db fetch`; a test never downloads)")
    };
    let config =
        DatabaseConfig::from_parts("127.0.0.1", state.port, "compliance_db", "postgres", None)
            .unwrap();
    let story = async {
        {
            let config = config.clone();
            tokio::task::spawn_blocking(move || {
                provision(&config, ProvisionOptions::default(), |_| {})
            })
            .await
            .unwrap()
            .unwrap();
        }
        let compliance = compliance_ops::compliance_over(&config).unwrap();
        let (admin, agent) = (
            compliance
                .in_process()
                .user(&compliance_domain::Username::parse("admin").unwrap())
                .unwrap(),
            compliance.in_process().system_agent().unwrap(),
        );
        let (receiver, url) = Receiver::start().await;
        receiver.mode.store(DOWN, Ordering::SeqCst);
        let endpoint = compliance
            .create_endpoint(
                &admin,
                &NewEndpoint {
                    kind: EndpointKind::Webhook,
                    url,
                    subject_prefix: None,
                    event_types: vec![],
                    description: String::new(),
                    allow_private: false,
                },
            )
            .unwrap()
            .endpoint
            .id;
        let mut case = scenario("ae-ind-clean-001");
        case.kyc.entity_id = compliance_domain::EntityId::parse("restart-before").unwrap();
        compliance.submit(&agent, &case, None).unwrap();

        let dispatcher =
            Arc::new(Dispatcher::new(compliance.in_process().outbox(), quick()).unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = {
            let dispatcher = dispatcher.clone();
            tokio::spawn(async move {
                dispatcher
                    .run(async {
                        let _ = stopped.await;
                    })
                    .await
            })
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while receiver.received().is_empty() {
            assert!(Instant::now() < deadline, "no attempt before the restart");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // The server stops (its sessions ended, the dispatcher's included) and starts again.
        let restarted = {
            let state = state.clone();
            let home = home.clone();
            tokio::task::spawn_blocking(move || {
                stop_state(&state).unwrap();
                std::thread::sleep(Duration::from_millis(500));
                launch(&home, Some(state.port)).unwrap().0
            })
            .await
            .unwrap()
        };
        assert_eq!(restarted.port, state.port);
        receiver.mode.store(OK, Ordering::SeqCst);
        case.kyc.entity_id = compliance_domain::EntityId::parse("restart-after").unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while compliance.submit(&agent, &case, None).is_err() {
            assert!(Instant::now() < deadline, "the service never came back");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while compliance
            .endpoint(&admin, endpoint)
            .map(|e| e.deliveries.delivered)
            .unwrap_or(0)
            < 2
        {
            assert!(
                Instant::now() < deadline,
                "not both delivered after the restart"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = stop.send(());
        running.await.unwrap();
        let entities: Vec<String> = receiver
            .received()
            .iter()
            .filter(|r| !r.header("webhook-id").is_empty())
            .map(|r| {
                body(r)["data"]["entity_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        assert!(
            entities.contains(&"restart-before".to_owned())
                && entities.contains(&"restart-after".to_owned())
        );
    };
    let outcome = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(story)).await;
    let _ = tokio::task::spawn_blocking(move || {
        let _ = stop_state(&state);
        let _ = std::fs::remove_dir_all(&home);
    })
    .await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
