//! `compliance-api`: the HTTP service (the decision API and the back office). Parses its
//! command line (clap: `--help`, `--version`, `--host`/`API_HOST`, `--port`/`API_PORT`, the
//! back office's cookie and session settings, `--trusted-proxy`, `--no-dispatcher`,
//! `--no-monitor`, `--monitor-duty`, `--metrics-addr`), runs the events dispatcher and the screening monitor
//! (ongoing monitoring: each imported list version re-screens the base) unless told not to,
//! reads the database
//! configuration from the environment (`DATABASE_URL` or `DATABASE_*`), and serves
//! `GET /api/v1/health` on `127.0.0.1:3000` unless told otherwise, and `GET /metrics` on a
//! listener of its own when `--metrics-addr` / `METRICS_ADDR` names one. Stops cleanly on
//! Ctrl-C or SIGTERM.
//!
//! Must not: listen on every interface unless asked (a container asks, with API_HOST=0.0.0.0),
//! or print the password.

use clap::Parser;
use compliance_app::{Compliance, Config, MonitorSettings, SessionPolicy};
use compliance_dispatch::{Dispatcher, DispatcherConfig};
use compliance_server::api;
use compliance_server::backoffice::OfficeConfig;
use compliance_server::http::client_address::TrustedProxies;
use std::process::ExitCode;

/// Exit statuses, as `--help` and docs/setup.md list them.
mod exit {
    /// The server stopped with an error.
    pub const FAILED: u8 = 1;
    /// The database configuration is invalid, or the address cannot be listened on.
    pub const CONFIG: u8 = 2;
    /// The command line (or API_HOST / API_PORT) was not understood.
    pub const USAGE: u8 = 64;
}

/// The compliance database's HTTP service: the decision API under /api/v1 and the back office
/// under /office.
///
/// The database is the one named by DATABASE_URL, or else by DATABASE_HOST (default
/// 127.0.0.1), DATABASE_PORT (5432), DATABASE_NAME (compliance_db), DATABASE_USER (postgres)
/// and DATABASE_PASSWORD (none); DATABASE_POOL_MAX, DATABASE_CONNECT_TIMEOUT and the session
/// limits (DATABASE_LOCK_TIMEOUT, DATABASE_STATEMENT_TIMEOUT,
/// DATABASE_IDLE_IN_TRANSACTION_TIMEOUT) apply too. A .env file is not read: export the
/// variables. Logs go to stderr, filtered by RUST_LOG (default info), without colours when
/// NO_COLOR is set or stderr is not a terminal.
#[derive(Debug, Parser)]
#[command(
    name = "compliance-api",
    version,
    after_help = "Exit status: 0 stopped by Ctrl-C or SIGTERM, 1 the server stopped with an error, 2 the database configuration is invalid or the address cannot be listened on, 64 the command line (or API_HOST / API_PORT) was not understood."
)]
struct Args {
    /// The address to listen on: 127.0.0.1 serves this machine only; 0.0.0.0 every interface
    /// (what a container needs).
    #[arg(
        long,
        env = "API_HOST",
        default_value = "127.0.0.1",
        value_name = "ADDRESS"
    )]
    host: String,
    /// The port to listen on (0: any free port, printed when listening).
    #[arg(long, env = "API_PORT", default_value_t = 3000)]
    port: u16,
    /// Mark the back office's cookies Secure: set it when browsers reach the service over TLS
    /// (a proxy in front that terminates it).
    #[arg(long, env = "OFFICE_SECURE_COOKIES")]
    secure_cookies: bool,
    /// How long a back-office session lives after sign-in, in hours (1 to 12).
    #[arg(long, env = "OFFICE_SESSION_HOURS", default_value_t = 8,
        value_parser = clap::value_parser!(u8).range(1..=12))]
    session_hours: u8,
    /// A back-office session unused this many minutes has ended (1 to 720).
    #[arg(long, env = "OFFICE_IDLE_MINUTES", default_value_t = 30,
        value_parser = clap::value_parser!(u16).range(1..=720))]
    idle_minutes: u16,
    /// A proxy in front of the service whose X-Forwarded-For names the client, for the
    /// per-address limits on failed authentications and sign-ins (repeat it, or list them
    /// comma-separated in API_TRUSTED_PROXIES). Without it the socket's peer is the client.
    #[arg(
        long = "trusted-proxy",
        env = "API_TRUSTED_PROXIES",
        value_name = "ADDRESS",
        value_delimiter = ',',
        value_parser = proxy_entry
    )]
    trusted_proxies: Vec<ProxyEntry>,
    /// Do not deliver events from this process (run `compliance-dispatch` apart instead). By
    /// default the service runs a dispatcher; several instances share the work.
    #[arg(long, env = "API_NO_DISPATCHER")]
    no_dispatcher: bool,
    /// Do not run screening jobs from this process. By default the service screens the base
    /// against each newly imported list version; several instances share the jobs.
    #[arg(long, env = "API_NO_MONITOR")]
    no_monitor: bool,
    /// The share of time a screening job may work, in percent, 5 to 100: it pauses between
    /// batches (and lets this process's live writes pass first) so that live submissions keep
    /// their latency.
    #[arg(long, env = "API_MONITOR_DUTY", default_value_t = 50,
        value_parser = clap::value_parser!(u8).range(5..=100), value_name = "PERCENT")]
    monitor_duty: u8,
    /// Serve GET /metrics (Prometheus text) on this address, e.g. 127.0.0.1:9187: a listener of
    /// its own, never the API's, so that the figures are not exposed with the API. Off when
    /// unset (or empty).
    #[arg(long, env = "METRICS_ADDR", value_name = "ADDRESS", value_parser = metrics_address)]
    metrics_addr: Option<MetricsAddress>,
}

/// One entry of `--trusted-proxy` / `API_TRUSTED_PROXIES`: an address, or nothing (an empty
/// variable, as compose passes an unset one, trusts no proxy).
#[derive(Debug, Clone, Copy)]
struct ProxyEntry(Option<std::net::IpAddr>);

fn proxy_entry(text: &str) -> Result<ProxyEntry, String> {
    optional(
        text,
        "an IP address (give a proxy's address, such as 10.0.0.1)",
    )
    .map(ProxyEntry)
}

/// A value of an option or its variable, or nothing when it is empty (as compose passes an
/// unset variable); anything else is refused, naming what was expected.
fn optional<T: std::str::FromStr>(text: &str, expected: &str) -> Result<Option<T>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| format!("{text:?} is not {expected}"))
}

/// `--metrics-addr` / `METRICS_ADDR`: an address and port, or nothing (an empty variable, as
/// compose passes an unset one, serves no metrics).
#[derive(Debug, Clone, Copy)]
struct MetricsAddress(Option<std::net::SocketAddr>);

fn metrics_address(text: &str) -> Result<MetricsAddress, String> {
    optional(
        text,
        "an address and port (give one such as 127.0.0.1:9187)",
    )
    .map(MetricsAddress)
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            // `--help` and `--version` print and exit 0; anything else not understood is
            // EX_USAGE, as with cargo xtask.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::USAGE } else { 0 });
        }
    };
    tracing_subscriber::fmt()
        // Colours only on a terminal, and never with NO_COLOR set (no-color.org): a container's
        // log collector gets plain text.
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none(),
        )
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::from(exit::CONFIG);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!("cannot start the runtime: {e}");
            return ExitCode::from(exit::FAILED);
        }
    };
    ExitCode::from(runtime.block_on(serve(args, config)))
}

async fn serve(args: Args, config: Config) -> u8 {
    let Args {
        host,
        port,
        secure_cookies,
        session_hours,
        idle_minutes,
        trusted_proxies,
        no_dispatcher,
        no_monitor,
        monitor_duty,
        metrics_addr,
    } = args;
    let office = OfficeConfig {
        policy: SessionPolicy {
            lifetime: chrono::Duration::hours(i64::from(session_hours)),
            idle: chrono::Duration::minutes(i64::from(idle_minutes)),
            ..SessionPolicy::default()
        },
        secure_cookies,
    };
    let options = api::ServeOptions {
        office,
        trusted_proxies: TrustedProxies::new(trusted_proxies.into_iter().filter_map(|p| p.0)),
        metrics: compliance_server::metrics::Metrics::new(),
    };
    let listener = match tokio::net::TcpListener::bind((host.as_str(), port)).await {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!(
                "cannot listen on {host}:{port}: {e} (is the port taken? set --port or API_PORT)"
            );
            return exit::CONFIG;
        }
    };
    let metrics = match metrics_addr.and_then(|m| m.0) {
        None => None,
        Some(addr) => match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => {
                let bound = listener.local_addr().map_or(addr, |a| a);
                tracing::info!("metrics on http://{bound}/metrics");
                Some(listener)
            }
            Err(e) => {
                tracing::error!(
                    "cannot listen on {addr} for metrics: {e} (is the port taken? set --metrics-addr or METRICS_ADDR)"
                );
                return exit::CONFIG;
            }
        },
    };
    let stop = shutdown();
    // The address actually bound: with port 0, the one the system chose.
    let bound = listener
        .local_addr()
        .map_or_else(|_| format!("{host}:{port}"), |a| a.to_string());
    tracing::info!(database = %config, "compliance-api listening on http://{bound}/api/v1/health; back office on http://{bound}/office/");
    let compliance = Compliance::new(&config);
    // The dispatcher stops when the server does: `stopping` is raised once `stop` completes.
    let (stopping, stopped) = tokio::sync::watch::channel(false);
    let dispatcher = if no_dispatcher {
        None
    } else {
        match Dispatcher::new(
            compliance.in_process().outbox(),
            DispatcherConfig::default(),
        ) {
            Ok(dispatcher) => {
                tracing::info!(
                    "delivering events (--no-dispatcher to leave it to compliance-dispatch)"
                );
                let mut stopped = stopped;
                Some(tokio::spawn(async move {
                    dispatcher
                        .run(async move {
                            let _ = stopped.wait_for(|stop| *stop).await;
                        })
                        .await;
                }))
            }
            Err(e) => {
                tracing::error!("cannot start the dispatcher: {e}");
                return exit::FAILED;
            }
        }
    };
    // The monitor runs on a thread of its own (its work is blocking), asked between batches
    // whether to stop; a job left mid-way resumes at its cursor.
    let halt = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let monitor = (!no_monitor).then(|| {
        tracing::info!("screening the base against new list versions (--no-monitor to leave it to another instance)");
        let monitor = compliance.in_process().monitor(MonitorSettings {
            duty_percent: monitor_duty,
            ..MonitorSettings::default()
        });
        let halt = halt.clone();
        std::thread::spawn(move || {
            monitor.run(&|| halt.load(std::sync::atomic::Ordering::Relaxed));
        })
    });
    let stop = async move {
        stop.await;
        let _ = stopping.send(true);
        halt.store(true, std::sync::atomic::Ordering::Relaxed);
    };
    let served = api::serve_with_metrics(listener, metrics, compliance, options, stop).await;
    if let Some(dispatcher) = dispatcher {
        let _ = dispatcher.await;
    }
    if let Some(monitor) = monitor {
        let _ = tokio::task::spawn_blocking(move || monitor.join()).await;
    }
    match served {
        Ok(()) => 0,
        Err(e) => {
            tracing::error!("server stopped: {e}");
            exit::FAILED
        }
    }
}

/// Completes on Ctrl-C or SIGTERM. The handlers are installed when this is called, not when the
/// future is first polled, so a signal that arrives right after "listening" is a clean stop
/// rather than the default action (killed).
#[cfg(unix)]
fn shutdown() -> impl std::future::Future<Output = ()> + Send + 'static {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate()).ok();
    let interrupt = signal(SignalKind::interrupt()).ok();
    async move {
        tokio::select! {
            () = received(term) => {},
            () = received(interrupt) => {},
        }
        tracing::info!("shutting down");
    }
}

/// The next delivery of a signal (never, if its handler could not be installed).
#[cfg(unix)]
async fn received(signal: Option<tokio::signal::unix::Signal>) {
    match signal {
        Some(mut signal) => {
            signal.recv().await;
        }
        None => std::future::pending().await,
    }
}

#[cfg(not(unix))]
fn shutdown() -> impl std::future::Future<Output = ()> + Send + 'static {
    async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    }
}
