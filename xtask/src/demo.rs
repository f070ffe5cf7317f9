//! `cargo xtask demo`: provision (the embedded PostgreSQL if nothing is configured), give the
//! seed's people demo passwords and the agent a token, start `compliance-api`, submit three
//! cases through the API so the queue has work, print where to look, and stop everything on
//! Ctrl-C or SIGTERM.
//!
//! Must not: touch a database that holds users but not the seed (a real one: its passwords
//! are not ours to replace), or print a password or a token anywhere but the one block of demo
//! credentials.

use crate::cli::{DemoArgs, Format, ProvisionArgs};
use crate::exit;
use anyhow::{Context, Result, bail};
use chrono::{Duration as Days, Utc};
use compliance_app::domain::{Password, TokenName, Username, Uuid};
use compliance_ops::seed::USERS;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::{kyc_checks, users};
use compliance_persistence::{DatabaseConfig, OptionalExt};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The people who get a back-office password, in the order they are printed.
const PEOPLE: [&str; 3] = ["compliance.officer", "analyst", "admin"];
/// The system agent that gets the API token.
const AGENT: &str = "kyc-agent";

/// Runs `demo`; returns the exit status.
pub fn run(args: &DemoArgs) -> u8 {
    if let Err(code) = crate::db::start_if_nothing_answers() {
        return code;
    }
    let config = match DatabaseConfig::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::UNREACHABLE;
        }
    };
    // Before provisioning: a database that already has users must be the seed's.
    if let Err(e) = seed_check(&config, false) {
        eprintln!("error: {e}");
        return exit::FAILED;
    }
    let provisioned = crate::provision::run(&ProvisionArgs {
        no_seed: false,
        reset: false,
        force: false,
        expect_seed: false,
        service_role: None,
        admin_role: None,
        format: Format::Table,
    });
    if provisioned != exit::OK {
        return provisioned;
    }
    if let Err(e) = seed_check(&config, true) {
        eprintln!("error: {e}");
        return exit::FAILED;
    }
    match demo(args, &config) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::FAILED
        }
    }
}

/// Refuses a database that holds users but not the seed's: its users with their roles, and
/// (`complete`) every scenario case or (before provisioning, which adds a newer scenario) at
/// least one. A database that cannot be read yet (missing, not migrated) or has no users is
/// new: provisioning seeds it.
fn seed_check(config: &DatabaseConfig, complete: bool) -> Result<()> {
    let refuse = |what: String| {
        anyhow::anyhow!(
            "{} was not provisioned with the seed ({what}): `cargo xtask demo` gives demo passwords only to the seed's users; use a database of its own (e.g. DATABASE_NAME=compliance_demo)",
            config.target()
        )
    };
    let mut conn = match compliance_persistence::connect(config) {
        Ok(conn) => conn,
        Err(e) if complete => return Err(e.into()),
        Err(_) => return Ok(()),
    };
    let all = match users::list(&mut conn, Default::default()) {
        Ok(all) => all,
        Err(e) if complete => return Err(e.into()),
        Err(_) => return Ok(()),
    };
    for (name, _, role) in USERS {
        match all.iter().find(|u| u.username.as_str() == name) {
            Some(user) if user.role == role && user.active => {}
            Some(_) => return Err(refuse(format!("user {name} is not the seed's {role}"))),
            None => return Err(refuse(format!("no user {name}"))),
        }
    }
    let mut present = 0;
    let scenarios = compliance_rules::scenarios::scenarios();
    for scenario in &scenarios {
        let found = kyc_checks::find_by_entity_id(&mut conn, &scenario.case.kyc.entity_id)
            .optional()?
            .is_some();
        if found {
            present += 1;
        } else if complete {
            return Err(refuse(format!("no scenario case {}", scenario.id)));
        }
    }
    if present == 0 {
        return Err(refuse("none of the scenario cases".to_owned()));
    }
    Ok(())
}

/// A demo password: 32 hex digits from the system's generator (UUID v4: 122 random bits).
fn password() -> String {
    Uuid::new_v4().simple().to_string()
}

fn demo(args: &DemoArgs, config: &DatabaseConfig) -> Result<()> {
    let mut conn = compliance_persistence::connect(config)?;
    let credentials = credentials(&mut conn)?;
    drop(conn);

    let binary = server_binary(args.no_build)?;
    let port = match args.port {
        Some(port) => port,
        None => std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port(),
    };
    // The signals are ours before the server starts: Ctrl-C during start-up stops it too.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (mut interrupt, mut terminate) = runtime.block_on(async {
        use tokio::signal::unix::{SignalKind, signal};
        Ok::<_, std::io::Error>((
            signal(SignalKind::interrupt())?,
            signal(SignalKind::terminate())?,
        ))
    })?;
    let mut command = Command::new(&binary);
    command
        .env("DATABASE_URL", config.connection_url())
        .env("API_HOST", "127.0.0.1")
        .env("API_PORT", port.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        // Its own process group: a terminal's Ctrl-C reaches the demo, which stops it.
        .process_group(0);
    if std::env::var_os("RUST_LOG").is_none() {
        command.env("RUST_LOG", "warn");
    }
    let child = command
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let mut server = Server(child);
    wait_healthy(&mut server, port)?;

    let suffix = Utc::now().format("%Y%m%d%H%M%S").to_string();
    let mut submitted = Vec::new();
    for (label, entity, body) in cases(&suffix) {
        let (status, answer) = request(
            port,
            "POST",
            "/api/v1/cases",
            Some(&credentials.token),
            Some(&body),
        )?;
        if status != 201 {
            bail!("submitting the {label} case answered {status}: {answer}");
        }
        let answer: serde_json::Value = serde_json::from_str(&answer)?;
        let case = &answer["case"];
        submitted.push((
            case["status"].as_str().unwrap_or("?").to_owned(),
            entity,
            case["id"].as_str().unwrap_or("?").to_owned(),
        ));
    }

    let base = format!("http://127.0.0.1:{port}");
    let mut text = String::new();
    text.push_str(&credentials.block());
    text.push_str("\nCases submitted through the API as kyc-agent:\n");
    for (status, entity, id) in &submitted {
        text.push_str(&format!("  {status:<10} {entity:<40} {id}\n"));
    }
    let escalated = submitted
        .iter()
        .find(|(status, ..)| status == "ESCALATED")
        .or(submitted.last())
        .map_or("", |(_, _, id)| id.as_str());
    text.push_str(&format!(
        "\nBack office  {base}/office/  (sign in as compliance.officer or analyst)\n\
         API          {base}/api/v1/  (OpenAPI: {base}/api/v1/openapi.json; docs/api.md)\n\
         Try (paste the export line above first):\n  \
         curl -sS {base}/api/v1/cases/{escalated} -H \"Authorization: Bearer $AGENT_TOKEN\"\n\
         \nThe demo is running: Ctrl-C stops the server and the demo (the database keeps the cases; `cargo xtask db stop` stops an embedded PostgreSQL).\n"
    ));
    crate::out(&text);

    let stopped_by = runtime.block_on(async {
        loop {
            tokio::select! {
                _ = interrupt.recv() => return "Ctrl-C",
                _ = terminate.recv() => return "SIGTERM",
                () = tokio::time::sleep(Duration::from_millis(250)) => {
                    if server.0.try_wait().ok().flatten().is_some() {
                        return "";
                    }
                }
            }
        }
    });
    if stopped_by.is_empty() {
        bail!("compliance-api stopped by itself (its log above says why)");
    }
    server.stop();
    crate::out(&format!("\n{stopped_by}: compliance-api stopped.\n"));
    Ok(())
}

/// The demo credentials: passwords for the seed's people, a token for the agent.
struct Credentials {
    passwords: Vec<(&'static str, String)>,
    token: String,
}

impl Credentials {
    /// The one place a password or a token is printed.
    fn block(&self) -> String {
        let mut text = String::from(
            "\n==== DEMO CREDENTIALS: for this demo database only, shown once, not stored anywhere ====\n",
        );
        for (user, password) in &self.passwords {
            text.push_str(&format!("  back-office password  {user:<20} {password}\n"));
        }
        text.push_str(&format!(
            "  API token             {AGENT:<20} export AGENT_TOKEN={}\n",
            self.token
        ));
        text.push_str(
            "==== (a new run gives new ones; the old passwords and tokens stop or expire) ========\n",
        );
        text
    }
}

fn credentials(conn: &mut PgConnection) -> Result<Credentials> {
    let admin = Username::parse("admin")?;
    let mut passwords = Vec::new();
    for user in PEOPLE {
        let text = password();
        compliance_ops::admin::set_password(
            conn,
            &Username::parse(user)?,
            &Password::parse(&text)?,
            &admin,
        )
        .with_context(|| format!("setting {user}'s demo password"))?;
        passwords.push((user, text));
    }
    let agent = Username::parse(AGENT)?;
    let name = TokenName::parse(&format!("demo-{}", Utc::now().format("%Y%m%d%H%M%S")))?;
    let (_, secret) = compliance_ops::admin::create_token(
        conn,
        &agent,
        &name,
        Utc::now() + Days::days(1),
        &admin,
    )
    .context("creating the agent's demo token")?;
    Ok(Credentials {
        passwords,
        token: secret.expose().to_owned(),
    })
}

/// `compliance-api` next to this binary, built first (same profile) unless `no_build`.
fn server_binary(no_build: bool) -> Result<PathBuf> {
    let dir = std::env::current_exe()?
        .parent()
        .context("the xtask binary has no directory")?
        .to_path_buf();
    let binary = dir.join("compliance-api");
    if !no_build {
        eprintln!(
            "building compliance-api (cargo build -p compliance-server --bin compliance-api)"
        );
        let mut build = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        build.args([
            "build",
            "-p",
            "compliance-server",
            "--bin",
            "compliance-api",
        ]);
        if dir.file_name().is_some_and(|name| name == "release") {
            build.arg("--release");
        }
        if !build.current_dir(crate::bench::root()).status()?.success() {
            bail!("building compliance-api failed (cargo's message above says why)");
        }
    }
    if !binary.is_file() {
        bail!(
            "{} is missing: build it with `cargo build -p compliance-server --bin compliance-api`",
            binary.display()
        );
    }
    Ok(binary)
}

/// The server's process, stopped (SIGTERM, then SIGKILL after 10 s) when dropped.
struct Server(Child);

impl Server {
    fn stop(&mut self) {
        if self.0.try_wait().ok().flatten().is_some() {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.0.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn wait_healthy(server: &mut Server, port: u16) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(status) = server.0.try_wait()? {
            bail!("compliance-api exited ({status}) before answering: its log above says why");
        }
        if request(port, "GET", "/api/v1/health", None, None).is_ok_and(|(s, _)| s == 200) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("compliance-api did not answer /api/v1/health on port {port} within 60 s")
}

/// One HTTP/1.1 request on its own connection; the status and the body.
fn request(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let authorization = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n{authorization}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes())?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let answer = String::from_utf8_lossy(&answer);
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("not an HTTP answer from port {port}"))?;
    Ok((status, body.to_owned()))
}

/// The three cases: a label, the entity id and the body.
fn cases(suffix: &str) -> [(&'static str, String, String); 3] {
    let case = |label: &'static str, kind: &str, documents: &str, aml: &str| {
        let entity = format!("demo-ae-{kind}-{suffix}");
        let body = format!(
            r#"{{"kyc": {{"entity_id": "{entity}", "entity_type": "individual", "jurisdiction": "AE", "verification_score": 95, "documents": [{documents}]}}, "aml": {aml}}}"#
        );
        (label, entity, body)
    };
    let all = r#""passport", "proof_of_address", "liveness_check""#;
    let clean = r#"{"risk_score": 10, "provider": "demo", "watchlist_version": "demo"}"#;
    [
        case("clean", "clean", all, clean),
        case("missing documents", "docs-missing", r#""passport""#, clean),
        case(
            "PEP",
            "pep",
            all,
            r#"{"risk_score": 40, "matches": [{"kind": "pep", "list": "PEP-DEMO", "entry": "PEP-1"}], "provider": "demo", "watchlist_version": "demo"}"#,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_passwords_are_valid_and_differ() {
        let (a, b) = (password(), password());
        assert!(Password::parse(&a).is_ok());
        assert_ne!(a, b);
    }

    #[test]
    fn the_cases_are_json_with_unique_entities() {
        let cases = cases("20261207034700");
        for (_, entity, body) in &cases {
            let value: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
            assert_eq!(value["kyc"]["entity_id"], entity.as_str());
            assert!(
                compliance_app::domain::EntityId::parse(entity).is_ok(),
                "{entity}"
            );
        }
    }
}
