//! `compliance-api`: the HTTP service. Reads the database configuration from the environment
//! (`DATABASE_URL` or `DATABASE_*`), listens on `API_HOST:API_PORT` (default `0.0.0.0:3000`),
//! and serves `GET /api/v1/health`. Stops cleanly on Ctrl-C or SIGTERM.

use compliance_app::api;
use compliance_persistence::{Database, DatabaseConfig};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
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
    let config = match DatabaseConfig::from_env() {
        Ok(config) => config,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::from(2);
        }
    };
    let host = std::env::var("API_HOST").unwrap_or_else(|_| "0.0.0.0".into());
    let port = match std::env::var("API_PORT").map(|p| p.parse::<u16>()) {
        Err(_) => 3000,
        Ok(Ok(port)) => port,
        Ok(Err(_)) => {
            let value = std::env::var("API_PORT").unwrap_or_default();
            tracing::error!("API_PORT must be a port number from 0 to 65535, got {value:?}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind((host.as_str(), port)).await {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!(
                "cannot listen on {host}:{port}: {e} (is the port taken? set API_PORT)"
            );
            return ExitCode::from(2);
        }
    };
    tracing::info!(database = %config, "compliance-api listening on http://{host}:{port}/api/v1/health");
    let db = Database::new(config);
    match api::serve(listener, db, shutdown()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("server stopped: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
