//! `compliance-dispatch`: the dispatcher as a process of its own, for a deployment that runs it
//! apart from `compliance-api` (which runs one itself unless told `--no-dispatcher`). Reads the
//! database configuration from the environment (`DATABASE_URL` or `DATABASE_*`), runs rounds
//! until Ctrl-C or SIGTERM. Several may run at once: they share the work.
//!
//! Must not: print the password, a secret, a body or an endpoint's URL.

use clap::Parser;
use compliance_app::{Compliance, Config};
use compliance_dispatch::{Dispatcher, DispatcherConfig};
use std::process::ExitCode;
use std::time::Duration;

/// Delivers the compliance database's events to its webhook endpoints and brokers.
///
/// The database is the one named by DATABASE_URL, or else by DATABASE_HOST, DATABASE_PORT,
/// DATABASE_NAME, DATABASE_USER and DATABASE_PASSWORD (as compliance-api reads them). Logs go
/// to stderr, filtered by RUST_LOG (default info).
#[derive(Debug, Parser)]
#[command(
    name = "compliance-dispatch",
    version,
    after_help = "Exit status: 0 stopped by Ctrl-C or SIGTERM, 1 could not start, 2 the database configuration is invalid, 64 the command line was not understood."
)]
struct Args {
    /// How long a claimed delivery is held before another dispatcher may send it again, in
    /// seconds (longer than the webhook timeout, 10 s).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    lease_seconds: u64,
    /// The pause after a round that found nothing to do, in milliseconds.
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u64).range(1..=60000))]
    poll_ms: u64,
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 64 } else { 0 });
        }
    };
    tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!("cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let compliance = Compliance::new(&config);
    let settings = DispatcherConfig {
        lease: Duration::from_secs(args.lease_seconds),
        idle_poll: Duration::from_millis(args.poll_ms),
        ..DispatcherConfig::default()
    };
    let dispatcher = match Dispatcher::new(compliance.in_process().outbox(), settings) {
        Ok(dispatcher) => dispatcher,
        Err(e) => {
            tracing::error!("cannot start the dispatcher: {e}");
            return ExitCode::from(1);
        }
    };
    tracing::info!(database = %config, "compliance-dispatch running");
    runtime.block_on(async {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(term) => term,
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                return;
            }
        };
        dispatcher
            .run(async move {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {},
                    _ = term.recv() => {},
                }
            })
            .await;
    });
    tracing::info!("compliance-dispatch stopped");
    ExitCode::SUCCESS
}
