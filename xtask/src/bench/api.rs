//! `cargo xtask bench --api`: case submissions per second through the decision API over HTTP
//! against the same submissions through the library (`compliance_app::Compliance`), with 1 and
//! 8 clients, in the same run on one throwaway database. The server is the `compliance-api`
//! binary of the same build profile as this xtask; the HTTP client is a minimal keep-alive
//! HTTP/1.1 one over `std::net` (xtask builds no HTTP stack).
//!
//! Must not: touch any database but the `compliance_bench_api_*` one it creates and drops, or
//! print the connection URL or the token.

use anyhow::{Context, Result, bail};
use compliance_app::Compliance;
use compliance_app::domain::TokenName;
use compliance_app::domain::input::CaseInput;
use compliance_ops::provision::{ProvisionOptions, provision};
use compliance_persistence::DatabaseConfig;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One configuration's result.
struct Rate {
    clients: usize,
    library: f64,
    http: f64,
}

/// A clean AE case for a new entity.
fn case_body(entity: &str) -> String {
    format!(
        r#"{{"kyc": {{"entity_id": "{entity}", "entity_type": "individual", "jurisdiction": "AE",
  "verification_score": 95, "documents": ["passport", "proof_of_address", "liveness_check"]}},
  "aml": {{"risk_score": 10, "provider": "refinitiv-world-check", "watchlist_version": "2026-11-24"}}}}"#
    )
}

/// Runs the comparison with `cases` submissions per configuration and prints the table.
pub fn run(cases: usize) -> Result<()> {
    let server = DatabaseConfig::from_env()?;
    let name = format!("compliance_bench_api_{}", std::process::id());
    let config = server.with_database(&name);
    super::drop_database(&server, &name)?;
    let result = measure(&config, cases.max(8));
    let dropped = super::drop_database(&server, &name);
    let rates = result?;
    dropped?;
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!("\n==> submissions: HTTP against the library ({cases} cases each, {profile} build)");
    println!("| clients | library (cases/s) | HTTP (cases/s) | HTTP / library |");
    println!("|---|---|---|---|");
    for r in &rates {
        println!(
            "| {} | {:.0} | {:.0} | {:.2} |",
            r.clients,
            r.library,
            r.http,
            ratio(r.http, r.library)
        );
    }
    Ok(())
}

#[allow(clippy::float_arithmetic)] // Rates and their ratio are reporting, not money.
fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

#[allow(clippy::float_arithmetic)]
fn per_second(count: usize, elapsed: Duration) -> f64 {
    let count = u32::try_from(count).unwrap_or(u32::MAX);
    f64::from(count) / elapsed.as_secs_f64().max(1e-9)
}

/// The entry point on `config`'s database, its system agent, and an hour's API token for the
/// agent (what the HTTP benchmarks send).
pub(crate) fn agent_token(
    config: &DatabaseConfig,
) -> Result<(
    Compliance,
    compliance_app::Caller,
    compliance_app::tokens::TokenSecret,
)> {
    let compliance = compliance_ops::compliance_over(config)?;
    let agent = compliance.in_process().system_agent()?;
    let mut conn = compliance_persistence::connect(config)?;
    let username = compliance_app::domain::Username::parse("kyc-agent")?;
    let (_, secret) = compliance_ops::admin::create_token(
        &mut conn,
        &username,
        &TokenName::parse("bench")?,
        chrono::Utc::now() + chrono::Duration::hours(1),
        &username,
    )?;
    Ok((compliance, agent, secret))
}

fn measure(config: &DatabaseConfig, cases: usize) -> Result<Vec<Rate>> {
    provision(config, ProvisionOptions::default(), |_| {})?;
    let (compliance, agent, secret) = agent_token(config)?;
    let mut server = Server::start(config)?;
    let outcome = (|| {
        let mut rates = Vec::new();
        for clients in [1usize, 8] {
            let library = timed(clients, cases, |client, i| {
                let entity = format!("bench-lib-{clients}-{client}-{i}");
                let input: CaseInput = serde_json::from_str(&case_body(&entity))?;
                let submitted = compliance.submit(&agent, &input.parse()?, None)?;
                if submitted.replayed {
                    bail!("a new entity's case was answered as a replay");
                }
                Ok(())
            })?;
            let http = timed_http(&server, secret.expose(), clients, cases)?;
            rates.push(Rate {
                clients,
                library,
                http,
            });
        }
        Ok(rates)
    })();
    server.stop();
    outcome
}

/// Runs `cases` calls of `work(client, i)` spread over `clients` threads; the rate.
fn timed(
    clients: usize,
    cases: usize,
    work: impl Fn(usize, usize) -> Result<()> + Sync,
) -> Result<f64> {
    let per_client = cases / clients;
    let started = Instant::now();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|client| {
                let work = &work;
                scope.spawn(move || (0..per_client).try_for_each(|i| work(client, i)))
            })
            .collect();
        join_all(handles)
    })?;
    Ok(per_second(per_client * clients, started.elapsed()))
}

/// Waits for every client; the first failure, if any.
fn join_all(handles: Vec<std::thread::ScopedJoinHandle<'_, Result<()>>>) -> Result<()> {
    handles.into_iter().try_for_each(|h| {
        h.join()
            .map_err(|_| anyhow::anyhow!("a bench client panicked"))?
    })
}

fn timed_http(server: &Server, token: &str, clients: usize, cases: usize) -> Result<f64> {
    let per_client = cases / clients;
    let started = Instant::now();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|client| {
                scope.spawn(move || -> Result<()> {
                    let mut http = Client::connect(server.port)?;
                    for i in 0..per_client {
                        let body = case_body(&format!("bench-http-{clients}-{client}-{i}"));
                        let status = http.post("/api/v1/cases", token, &body)?;
                        if status != 201 {
                            bail!("POST /api/v1/cases answered {status}, expected 201");
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        join_all(handles)
    })?;
    Ok(per_second(per_client * clients, started.elapsed()))
}

/// `compliance-api` on a free local port, stopped on drop.
pub(crate) struct Server {
    child: Child,
    pub(crate) port: u16,
}

impl Server {
    pub(crate) fn start(config: &DatabaseConfig) -> Result<Self> {
        let release = !cfg!(debug_assertions);
        let mut build = Command::new(env!("CARGO"));
        build.args([
            "build",
            "--quiet",
            "-p",
            "compliance-server",
            "--bin",
            "compliance-api",
        ]);
        if release {
            build.arg("--release");
        }
        if !build.current_dir(super::root()).status()?.success() {
            bail!("building compliance-api failed");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        // Where cargo put it: CARGO_TARGET_DIR when set (relative to the workspace), else target/.
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| "target".into(), std::path::PathBuf::from);
        let binary = super::root()
            .join(target)
            .join(if release { "release" } else { "debug" })
            .join("compliance-api");
        let child = Command::new(binary)
            .env("DATABASE_URL", config.connection_url())
            .env("API_HOST", "127.0.0.1")
            .env("API_PORT", port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting compliance-api")?;
        let mut server = Self { child, port };
        for _ in 0..200 {
            if let Ok(mut c) = Client::connect(port)
                && c.get("/api/v1/health").is_ok_and(|s| s == 200)
            {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        server.stop();
        bail!("compliance-api did not become healthy on port {port}")
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A keep-alive HTTP/1.1 connection.
pub(crate) struct Client {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Client {
    pub(crate) fn connect(port: u16) -> Result<Self> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Self {
            reader: BufReader::new(stream.try_clone()?),
            writer: stream,
        })
    }

    fn get(&mut self, path: &str) -> Result<u16> {
        self.get_as(path, None)
    }

    /// A GET, with the token when given; the status (the body is read and dropped).
    pub(crate) fn get_as(&mut self, path: &str, token: Option<&str>) -> Result<u16> {
        let authorization = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let request = format!("GET {path} HTTP/1.1\r\nHost: bench\r\n{authorization}\r\n");
        self.writer.write_all(request.as_bytes())?;
        self.response()
    }

    /// A POST of a JSON body with the token; the status (the body is read and dropped).
    pub(crate) fn post(&mut self, path: &str, token: &str, body: &str) -> Result<u16> {
        // One write per request: several small ones would meet Nagle and delayed ACKs.
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.writer.write_all(request.as_bytes())?;
        self.response()
    }

    /// Reads one response; its status (the body is read and dropped).
    fn response(&mut self) -> Result<u16> {
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("not an HTTP status line: {line:?}"))?;
        let mut length = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse()?;
            }
        }
        let mut body = vec![0u8; length];
        self.reader.read_exact(&mut body)?;
        Ok(status)
    }
}
