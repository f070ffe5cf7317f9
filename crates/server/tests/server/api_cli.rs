//! The `compliance-api` binary as people run it: `--help` and `--version` print and exit, the
//! default address is 127.0.0.1, flags and API_HOST / API_PORT choose another, and a bad
//! configuration stops it with its exit status and without the password.

use compliance_persistence::testing::TestDatabase;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn api() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_compliance-api"));
    command
        .env_remove("API_HOST")
        .env_remove("API_PORT")
        .env_remove("METRICS_ADDR")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Waits for the child to exit within `limit`; kills it and returns `None` if it does not.
fn exit_within(child: &mut Child, limit: Duration) -> Option<i32> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// Runs to the end (or kills it after ten seconds): exit status, stdout, stderr.
fn run(command: &mut Command) -> (Option<i32>, String, String) {
    let mut child = command.spawn().unwrap();
    let code = exit_within(&mut child, Duration::from_secs(10));
    let output = child.wait_with_output().unwrap();
    (
        code,
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn help_and_version_print_and_exit_instead_of_serving() {
    let (code, help, _) = run(api().arg("--help").env("API_PORT", "0"));
    assert_eq!(code, Some(0), "--help did not exit: {help}");
    for words in [
        "--host",
        "API_HOST",
        "--port",
        "API_PORT",
        "127.0.0.1",
        "Exit status",
        "64",
        "--trusted-proxy",
        "API_TRUSTED_PROXIES",
        "--metrics-addr",
        "METRICS_ADDR",
    ] {
        assert!(help.contains(words), "--help lacks {words}: {help}");
    }
    let (code, version, _) = run(api().arg("--version").env("API_PORT", "0"));
    assert_eq!(code, Some(0));
    assert_eq!(
        version.trim(),
        format!("compliance-api {}", env!("CARGO_PKG_VERSION"))
    );
    let (code, _, stderr) = run(api().arg("--bogus"));
    assert_eq!(code, Some(64), "{stderr}");
    let (code, _, stderr) = run(api().env("API_PORT", "abc"));
    assert_eq!(code, Some(64), "{stderr}");
    assert!(
        stderr.contains("'abc'") && stderr.contains("--port"),
        "{stderr}"
    );
    // A trusted proxy must be an address; an empty list (compose's unset variable) is none.
    let (code, _, stderr) = run(api().env("API_TRUSTED_PROXIES", "10.0.0.1,proxy.local"));
    assert_eq!(code, Some(64), "{stderr}");
    assert!(
        stderr.contains("\"proxy.local\" is not an IP address"),
        "{stderr}"
    );
}

/// Starts the server and returns it with the address it says it listens on.
fn listening(command: &mut Command) -> (Child, String) {
    let (child, line) = started(command);
    let rest = line.split("listening on http://").nth(1).unwrap();
    (child, rest.split('/').next().unwrap_or_default().to_owned())
}

/// Starts the server and returns it with its start-up line (the one that says where it listens).
fn started(command: &mut Command) -> (Child, String) {
    let (child, mut lines) = started_lines(command);
    let line = lines.pop().unwrap_or_default();
    (child, line)
}

/// A plain HTTP/1.0 GET of `path` at `addr`: the whole answer as text.
fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    text
}

/// Issue 22, item 4: the back office's address in the start-up line (`.../office/`) answered
/// the API's JSON 404; it leads to the back office.
#[test]
fn the_back_office_address_the_start_up_line_gives_serves_the_back_office() {
    let db = TestDatabase::new();
    let url = db.config().connection_url();
    let (child, line) = started(api().env("DATABASE_URL", &url).env("API_PORT", "0"));
    let office = line
        .split("back office on http://")
        .nth(1)
        .unwrap_or_else(|| panic!("no back office address in: {line}"));
    let office = office.split_whitespace().next().unwrap();
    let (addr, path) = office.split_at(office.find('/').unwrap());
    assert_eq!(path, "/office/", "{line}");
    let answer = http_get(addr, path);
    assert!(answer.starts_with("HTTP/1.0 303"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("location: /office/queue"),
        "{answer}"
    );
    assert_eq!(stop(child), Some(0));
}

fn stop(mut child: Child) -> Option<i32> {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    exit_within(&mut child, Duration::from_secs(10))
}

#[test]
fn it_listens_on_127_0_0_1_by_default_and_where_it_is_told_otherwise() {
    let db = TestDatabase::new();
    let url = db.config().connection_url();
    let (child, addr) = listening(api().env("DATABASE_URL", &url).env("API_PORT", "0"));
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    let response = {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            stream,
            "GET /api/v1/health HTTP/1.0\r\nHost: localhost\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        text
    };
    assert!(response.starts_with("HTTP/1.0 200"), "{response}");
    assert_eq!(stop(child), Some(0), "SIGTERM stops it cleanly");

    // The flag wins over the variable.
    let (child, addr) = listening(
        api()
            .env("DATABASE_URL", &url)
            .env("API_HOST", "0.0.0.0")
            .args(["--host", "127.0.0.1", "--port", "0"]),
    );
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    stop(child);
    let (child, addr) = listening(
        api()
            .env("DATABASE_URL", &url)
            .env("API_HOST", "0.0.0.0")
            .env("API_PORT", "0"),
    );
    assert!(addr.starts_with("0.0.0.0:"), "{addr}");
    stop(child);
    let (child, _) = listening(
        api()
            .env("DATABASE_URL", &url)
            .env("API_PORT", "0")
            .env("API_TRUSTED_PROXIES", ""),
    );
    assert_eq!(stop(child), Some(0), "an empty API_TRUSTED_PROXIES serves");
}

#[test]
fn a_bad_configuration_exits_2_without_the_password() {
    let (code, stdout, stderr) = run(api()
        .env(
            "DATABASE_URL",
            "postgres://app:hunter2%zz@127.0.0.1:5432/compliance_db",
        )
        .env("API_PORT", "0"));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not correctly percent-encoded"), "{stderr}");
    assert!(!format!("{stdout}{stderr}").contains("hunter2"), "{stderr}");
}

/// Issue 21, item 6: `--metrics-addr` serves `GET /metrics` on a listener of its own (the API's
/// answers it 404); without it there is no such listener; an address it cannot listen on stops
/// it with exit status 2.
#[test]
fn metrics_are_served_on_their_own_address_only_when_asked() {
    let db = TestDatabase::new();
    let url = db.config().connection_url();
    let (child, lines) = started_lines(
        api()
            .env("DATABASE_URL", &url)
            .env("API_PORT", "0")
            .args(["--metrics-addr", "127.0.0.1:0"]),
    );
    let metrics = lines
        .iter()
        .find_map(|l| l.split("metrics on http://").nth(1))
        .unwrap_or_else(|| panic!("no metrics address in: {lines:?}"));
    let metrics = metrics.split('/').next().unwrap().to_owned();
    let api_addr = lines
        .last()
        .and_then(|l| l.split("listening on http://").nth(1))
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(metrics, api_addr);
    let scraped = http_get(&metrics, "/metrics");
    assert!(scraped.starts_with("HTTP/1.0 200"), "{scraped}");
    assert!(scraped.contains("compliance_database_up 1"), "{scraped}");
    assert!(scraped.trim_end().ends_with("# EOF"), "{scraped}");
    let on_the_api = http_get(&api_addr, "/metrics");
    assert!(on_the_api.starts_with("HTTP/1.0 404"), "{on_the_api}");
    assert_eq!(stop(child), Some(0));

    // Not asked: no metrics listener (the variable empty is unset too, as compose passes it).
    let (child, lines) = started_lines(
        api()
            .env("DATABASE_URL", &url)
            .env("API_PORT", "0")
            .env("METRICS_ADDR", ""),
    );
    assert!(lines.iter().all(|l| !l.contains("metrics on")), "{lines:?}");
    assert_eq!(stop(child), Some(0));

    // An address that is not one is a usage error; one already taken stops it with status 2.
    let (code, _, stderr) = run(api()
        .env("DATABASE_URL", &url)
        .env("METRICS_ADDR", "nowhere"));
    assert_eq!(code, Some(64), "{stderr}");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = taken.local_addr().unwrap().to_string();
    let (code, _, stderr) = run(api()
        .env("DATABASE_URL", &url)
        .env("API_PORT", "0")
        .env("METRICS_ADDR", &taken));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("for metrics"), "{stderr}");
}

/// Starts the server and returns it with every log line up to the one that says where it
/// listens (that one last).
fn started_lines(command: &mut Command) -> (Child, Vec<String>) {
    let mut child = command.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let done = line.contains("listening on http://");
            lines.push(line);
            if done {
                let _ = tx.send(std::mem::take(&mut lines));
            }
        }
    });
    let lines = rx
        .recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("compliance-api did not say where it listens")
        });
    (child, lines)
}
