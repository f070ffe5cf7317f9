//! `cargo xtask bench --only events`: events out (issue 20), each figure beside a plain
//! reference measured in the same run.
//!
//! - Latency from a submission's commit to the receiver, with 1 and with 10 webhook endpoints on
//!   loopback, beside the bare HTTP round trip to the same receiver (the dispatcher's client,
//!   no database).
//! - The outbox's cost to submissions: 4 writers with the outbox trigger on and off
//!   (`ALTER TABLE audit_logs DISABLE TRIGGER trg_audit_logs_event`), alternated.
//! - A backlog of queued events drained to a loopback receiver, beside the same number of
//!   requests sent straight from the client at the same concurrency.
//!
//! Must not: touch any database but the `compliance_bench_events*` ones it creates and drops,
//! or print the connection URL or a secret.

// Rates, percentiles and ratios of measured times: floating point is what they are.
#![allow(clippy::float_arithmetic)]

use anyhow::{Context, Result, bail};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::post;
use compliance_app::domain::{Case, EndpointKind, EntityId};
use compliance_app::events::NewEndpoint;
use compliance_app::{Caller, Compliance};
use compliance_dispatch::{
    Dispatcher, DispatcherConfig, EndpointPolicy, Message, WebhookClient, WebhookConfig,
    WebhookSecret,
};
use compliance_ops::provision::{ProvisionOptions, provision};
use compliance_persistence::DatabaseConfig;
use std::collections::HashMap;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the receiver saw: when each (path, entity) arrived, and how many requests in all.
#[derive(Clone, Default)]
struct Seen {
    at: Arc<Mutex<HashMap<(String, String), Instant>>>,
    count: Arc<AtomicU64>,
}

async fn receive(State(seen): State<Seen>, Path(path): Path<String>, body: Bytes) -> &'static str {
    let now = Instant::now();
    seen.count.fetch_add(1, Ordering::Relaxed);
    let entity = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|b| b["data"]["entity_id"].as_str().map(str::to_owned))
        .unwrap_or_default();
    if let Ok(mut at) = seen.at.lock() {
        at.entry((path, entity)).or_insert(now);
    }
    "ok"
}

/// Runs the three measurements; `backlog` events for the drain.
pub fn run(backlog: u64) -> Result<()> {
    // RUST_LOG=compliance_dispatch=debug shows each round's claim, send and record times.
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .try_init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(measure(backlog))
}

async fn measure(backlog: u64) -> Result<()> {
    let server = DatabaseConfig::from_env()?;
    let seen = Seen::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = Router::new()
        .route("/{path}", post(receive))
        .with_state(seen.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    println!("\n==> events out: latency, the outbox's cost, a backlog drained");
    if std::env::var_os("EVENTS_BENCH_DRAIN_ONLY").is_some() {
        return drain(&server, &base, &seen, backlog).await;
    }
    let name = "compliance_bench_events";
    super::drop_database(&server, name)?;
    let config = server.with_database(name);
    provision(&config, ProvisionOptions::default(), |_| {})?;
    let service = compliance_ops::compliance_over(&config)?;
    let admin = service.in_process().user(&admin_name())?;
    let agent = service.in_process().system_agent()?;

    let floor = round_trips(&base, 300).await?;
    println!(
        "bare HTTP round trip to the receiver (the client alone): p50 {} p99 {}",
        ms(percentile(&floor, 0.5)),
        ms(percentile(&floor, 0.99))
    );
    endpoint(&service, &admin, &format!("{base}/e0"))?;
    let dispatcher = Arc::new(Dispatcher::new(
        service.in_process().outbox(),
        DispatcherConfig::default(),
    )?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = {
        let dispatcher = dispatcher.clone();
        tokio::spawn(async move {
            dispatcher
                .run(async {
                    let _ = stopped.await;
                })
                .await;
        })
    };
    let one = latency(&service, &agent, &seen, "one", &["e0"], 300).await?;
    let paths: Vec<String> = (0..10).map(|i| format!("e{i}")).collect();
    for path in &paths[1..] {
        endpoint(&service, &admin, &format!("{base}/{path}"))?;
    }
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let ten = latency(&service, &agent, &seen, "ten", &refs, 100).await?;
    let _ = stop.send(());
    running.await?;
    for (what, times) in [("1 endpoint", &one), ("10 endpoints", &ten)] {
        println!(
            "commit to receiver, {what}: {} deliveries, p50 {} p90 {} p99 {} max {}",
            times.len(),
            ms(percentile(times, 0.5)),
            ms(percentile(times, 0.9)),
            ms(percentile(times, 0.99)),
            ms(percentile(times, 1.0))
        );
    }

    cost(&service, &agent, &config).await?;
    super::drop_database(&server, name)?;
    if backlog > 0 {
        drain(&server, &base, &seen, backlog).await?;
    }
    Ok(())
}

fn admin_name() -> compliance_app::domain::Username {
    compliance_app::domain::Username::parse("admin").unwrap_or_else(|_| unreachable!())
}

fn endpoint(service: &Compliance, admin: &Caller, url: &str) -> Result<()> {
    service.create_endpoint(
        admin,
        &NewEndpoint {
            kind: EndpointKind::Webhook,
            url: url.to_owned(),
            subject_prefix: None,
            event_types: vec![],
            description: "benchmark receiver".into(),
            allow_private: false,
        },
    )?;
    Ok(())
}

fn template() -> Result<Case> {
    Ok(compliance_rules::scenarios::scenarios()
        .into_iter()
        .find(|s| s.id == "ae-ind-clean-001")
        .context("the seed scenario ae-ind-clean-001")?
        .case)
}

/// Submits `count` cases one every 20 ms, and answers each delivery's time from the commit
/// (the submission's return) to its arrival at each of `paths`.
async fn latency(
    service: &Compliance,
    agent: &Caller,
    seen: &Seen,
    tag: &str,
    paths: &[&str],
    count: usize,
) -> Result<Vec<Duration>> {
    let mut committed = Vec::with_capacity(count);
    for i in 0..count {
        let mut case = template()?;
        let entity = format!("lat-{tag}-{i}");
        case.kyc.entity_id = EntityId::parse(&entity)?;
        let (service, agent) = (service.clone(), *agent);
        tokio::task::spawn_blocking(move || service.submit(&agent, &case, None)).await??;
        committed.push((entity, Instant::now()));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let expected = count * paths.len();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut times = Vec::with_capacity(expected);
    loop {
        times.clear();
        if let Ok(at) = seen.at.lock() {
            for (entity, commit) in &committed {
                for path in paths {
                    if let Some(arrived) = at.get(&((*path).to_owned(), entity.clone())) {
                        times.push(arrived.saturating_duration_since(*commit));
                    }
                }
            }
        }
        if times.len() == expected {
            return Ok(times);
        }
        if Instant::now() > deadline {
            bail!("{} of {expected} deliveries arrived in 60 s", times.len());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `count` bare round trips through the dispatcher's client to the receiver, one at a time.
async fn round_trips(base: &str, count: usize) -> Result<Vec<Duration>> {
    let client = WebhookClient::new(WebhookConfig::default())?;
    let url = url::Url::parse(&format!("{base}/floor"))?;
    let secret = WebhookSecret::generate()?;
    let mut times = Vec::with_capacity(count);
    for i in 0..count {
        let started = Instant::now();
        let attempt = client
            .send(&url, EndpointPolicy::STRICT, &[&secret], &message(i))
            .await;
        if !attempt.is_delivered() {
            bail!("the receiver refused a bare request");
        }
        times.push(started.elapsed());
    }
    Ok(times)
}

fn message(i: usize) -> Message {
    Message {
        id: format!("msg-{i}"),
        timestamp: chrono::Utc::now().timestamp(),
        body: Bytes::from(format!(
            r#"{{"data":{{"entity_id":"floor-{i}","status":"APPROVED"}},"id":"msg-{i}","type":"case.decided"}}"#
        )),
    }
}

/// Submissions per second with 4 writers, the outbox trigger on and off, alternated twice.
async fn cost(service: &Compliance, agent: &Caller, config: &DatabaseConfig) -> Result<()> {
    let seconds = 8;
    let mut on = Vec::new();
    let mut off = Vec::new();
    for round in 0..2 {
        for enabled in [true, false] {
            toggle(config, enabled)?;
            let rate = submissions(service, agent, &format!("cost-{round}-{enabled}"), seconds)?;
            if enabled {
                on.push(rate)
            } else {
                off.push(rate)
            }
        }
    }
    toggle(config, true)?;
    let (with, without) = (mean(&on), mean(&off));
    println!(
        "submissions, 4 writers, {seconds} s each: with events {with:.0}/s ({on:.0?}), without {without:.0}/s ({off:.0?}); the outbox costs {:.1}%",
        (1.0 - with / without) * 100.0
    );
    Ok(())
}

fn toggle(config: &DatabaseConfig, enabled: bool) -> Result<()> {
    let verb = if enabled { "ENABLE" } else { "DISABLE" };
    super::run_quiet(
        Command::new("psql")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(config.connection_url())
            .args([
                "-c",
                &format!("ALTER TABLE audit_logs {verb} TRIGGER trg_audit_logs_event"),
            ]),
        "psql (the outbox trigger)",
    )
}

fn submissions(service: &Compliance, agent: &Caller, tag: &str, seconds: u64) -> Result<f64> {
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Duration::from_secs(seconds);
    let started = Instant::now();
    let threads: Vec<_> = (0..4)
        .map(|w| {
            let (service, agent, done, tag) =
                (service.clone(), *agent, done.clone(), tag.to_owned());
            std::thread::spawn(move || -> Result<()> {
                let template = template()?;
                let mut n = 0u64;
                while started.elapsed() < deadline {
                    let mut case = template.clone();
                    case.kyc.entity_id = EntityId::parse(&format!("{tag}-{w}-{n}"))?;
                    service.submit(&agent, &case, None)?;
                    done.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                }
                Ok(())
            })
        })
        .collect();
    for t in threads {
        match t.join() {
            Ok(result) => result?,
            Err(_) => bail!("a writer thread panicked"),
        }
    }
    Ok(done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}

/// `backlog` events queued (cloned cases, each announcing its decision) drained by one
/// dispatcher, beside as many requests sent straight from the client, 500 at a time.
async fn drain(server: &DatabaseConfig, base: &str, seen: &Seen, backlog: u64) -> Result<()> {
    let name = "compliance_bench_events_drain";
    super::drop_database(server, name)?;
    let config = server.with_database(name);
    provision(&config, ProvisionOptions::default(), |_| {})?;
    let service = compliance_ops::compliance_over(&config)?;
    let admin = service.in_process().user(&admin_name())?;
    endpoint(&service, &admin, &format!("{base}/drain"))?;
    let built = Instant::now();
    // Each cloned case's decision queues its events, as a submission's does.
    super::clone_cases(&config, backlog)?;
    println!("{backlog} events queued in {} s", built.elapsed().as_secs());

    let client = Arc::new(WebhookClient::new(WebhookConfig::default())?);
    let secret = Arc::new(WebhookSecret::generate()?);
    let url = url::Url::parse(&format!("{base}/plain"))?;
    let started = Instant::now();
    let total = usize::try_from(backlog)?;
    let mut sent = 0;
    while sent < total {
        let batch: Vec<_> = (sent..(sent + 500).min(total))
            .map(|i| {
                let (client, secret, url) = (client.clone(), secret.clone(), url.clone());
                async move {
                    client
                        .send(&url, EndpointPolicy::STRICT, &[&secret], &message(i))
                        .await
                }
            })
            .collect();
        sent += batch.len();
        futures_util::future::join_all(batch).await;
    }
    let plain = backlog as f64 / started.elapsed().as_secs_f64();

    let before = seen.count.load(Ordering::Relaxed);
    let dispatcher = Dispatcher::new(service.in_process().outbox(), DispatcherConfig::default())?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(600);
    let watch = async {
        while seen.count.load(Ordering::Relaxed) - before < backlog && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let _ = stop.send(());
        seen.count.load(Ordering::Relaxed) - before >= backlog
    };
    let (drained, ()) = tokio::join!(
        watch,
        dispatcher.run(async {
            let _ = stopped.await;
        })
    );
    if !drained {
        bail!("the backlog did not drain in 10 minutes");
    }
    let rate = backlog as f64 / started.elapsed().as_secs_f64();
    println!(
        "{backlog} queued events drained: {rate:.0}/s in {:.1} s; the client alone {plain:.0}/s; ratio {:.2}",
        started.elapsed().as_secs_f64(),
        rate / plain
    );
    super::drop_database(server, name)?;
    Ok(())
}

fn percentile(times: &[Duration], p: f64) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied().unwrap_or_default()
}

fn mean(rates: &[f64]) -> f64 {
    rates.iter().sum::<f64>() / rates.len().max(1) as f64
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}
