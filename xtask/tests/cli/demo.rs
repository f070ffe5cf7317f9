//! `cargo xtask demo` end to end: it provisions a throwaway database, starts compliance-api,
//! submits its cases (the escalated one is in the queue over HTTP, and in the back office's queue
//! for the officer signed in with the printed demo password), and stops on SIGINT with exit 0
//! and the port closed; a database without the seed is refused.

use crate::{text, xtask};
use compliance_persistence::testing::TestDatabase;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

/// An answer: the status, the `Set-Cookie` pairs (`name=value`) and the body.
struct Answer {
    status: u16,
    cookies: Vec<String>,
    location: String,
    body: String,
}

/// One request on its own connection: `head` is the request line and any headers.
fn request(port: u16, head: &str, body: &str) -> Answer {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "{head}Host: demo\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let header = |name: &str| -> Vec<String> {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    };
    Answer {
        status: head.split_whitespace().nth(1).unwrap().parse().unwrap(),
        cookies: header("set-cookie")
            .iter()
            .filter_map(|c| c.split(';').next().map(str::to_owned))
            .collect(),
        location: header("location").pop().unwrap_or_default(),
        body: body.to_owned(),
    }
}

/// One GET with an API token: the status and the body.
fn get(port: u16, path: &str, token: &str) -> (u16, String) {
    let answer = request(
        port,
        &format!("GET {path} HTTP/1.1\r\nAuthorization: Bearer {token}\r\n"),
        "",
    );
    (answer.status, answer.body)
}

/// `value` percent-encoded for a form body.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Signs in to the back office as a browser does (the form's CSRF token and its cookie, then
/// the POST); answers the POST's answer and the cookies to send from then on.
fn sign_in(port: u16, username: &str, password: &str) -> (Answer, String) {
    let form = request(port, "GET /office/sign-in HTTP/1.1\r\n", "");
    assert_eq!(form.status, 200, "{}", form.body);
    let at = form.body.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = &form.body[at..at + form.body[at..].find('"').unwrap()];
    let mut jar = form.cookies.clone();
    let body = [
        ("csrf", csrf),
        ("username", username),
        ("password", password),
        ("next", "/office/queue"),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", encode(v)))
    .collect::<Vec<_>>()
    .join("&");
    let signed = request(
        port,
        &format!(
            "POST /office/sign-in HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nCookie: {}\r\n",
            jar.join("; ")
        ),
        &body,
    );
    jar.extend(signed.cookies.iter().cloned());
    (signed, jar.join("; "))
}

#[test]
fn demo_serves_its_cases_and_stops_cleanly_on_sigint() {
    let db = TestDatabase::empty();
    let url = db.config().connection_url();
    let log = std::env::temp_dir().join(format!("compliance-xtask-demo-{}.log", db.name()));
    let mut demo = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("demo")
        .env("DATABASE_URL", &url)
        .env_remove("DATABASE_HOST")
        .env_remove("DATABASE_NAME")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let stderr = || std::fs::read_to_string(&log).unwrap_or_default();

    // Its output, line by line, until it says that it runs (the build may come first).
    let (lines, seen) = std::sync::mpsc::channel();
    let stdout = demo.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut output = Vec::new();
    loop {
        match seen.recv_timeout(Duration::from_secs(600)) {
            Ok(line) => {
                let done = line.starts_with("The demo is running");
                output.push(line);
                if done {
                    break;
                }
            }
            Err(_) => {
                let _ = demo.kill();
                panic!(
                    "the demo never said it runs: {}\n{}",
                    output.join("\n"),
                    stderr()
                );
            }
        }
    }
    // For the failure messages: everything but the credentials' lines.
    let all = output
        .iter()
        .filter(|l| !l.contains("back-office password") && !l.contains("AGENT_TOKEN="))
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    let field = |prefix: &str| {
        output
            .iter()
            .find_map(|l| l.trim_start().strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no line {prefix:?}: {all}"))
            .trim()
            .to_owned()
    };
    let api = output
        .iter()
        .find_map(|l| l.strip_prefix("API "))
        .unwrap_or_else(|| panic!("no API line: {all}"))
        .trim();
    let port: u16 = api
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no API address: {all}"));
    assert!(
        all.contains(&format!("http://127.0.0.1:{port}/office/")),
        "{all}"
    );
    assert!(all.contains("DEMO CREDENTIALS"), "{all}");
    for user in ["compliance.officer", "analyst", "admin"] {
        assert!(
            output
                .iter()
                .any(|l| l.contains("back-office password") && l.contains(&format!(" {user} "))),
            "no demo password for {user}: {all}"
        );
    }
    assert!(all.contains("curl -sS"), "{all}");
    let escalated = field("ESCALATED ");
    let escalated = escalated.split_whitespace().last().unwrap().to_owned();
    assert!(all.contains("APPROVED "), "{all}");
    assert!(all.contains("PENDING "), "{all}");
    let agent_token = output
        .iter()
        .find_map(|l| l.split("export AGENT_TOKEN=").nth(1))
        .unwrap_or_else(|| panic!("no agent token: {all}"))
        .trim()
        .to_owned();

    // The escalated case, read by the agent and found in the queue by an officer, over HTTP.
    let (status, case) = get(port, &format!("/api/v1/cases/{escalated}"), &agent_token);
    assert_eq!(status, 200, "{case}");
    assert!(case.contains("\"ESCALATED\""), "{case}");
    let officer = xtask(
        &[
            "token",
            "create",
            "--user",
            "compliance.officer",
            "--name",
            "demo-test",
        ],
        &url,
    );
    assert_eq!(officer.status.code(), Some(0), "{}", text(&officer.stderr));
    let officer_token = text(&officer.stdout).trim().to_owned();
    let (status, queue) = get(port, "/api/v1/queue?limit=1000", &officer_token);
    assert_eq!(status, 200, "{queue}");
    assert!(
        queue.contains(&escalated),
        "{escalated} not in the queue: {queue}"
    );

    // The back office: signed out, its queue sends to the sign-in page; a wrong password is
    // refused; the officer's printed demo password signs in, and the queue page lists the case.
    let queue_page = |cookies: &str| {
        request(
            port,
            &format!("GET /office/queue HTTP/1.1\r\nCookie: {cookies}\r\n"),
            "",
        )
    };
    let signed_out = queue_page("");
    assert_eq!(signed_out.status, 303, "{}", signed_out.body);
    assert!(
        signed_out.location.starts_with("/office/sign-in"),
        "{}",
        signed_out.location
    );
    let password = output
        .iter()
        .find_map(|l| {
            let rest = l.trim_start().strip_prefix("back-office password")?;
            let mut words = rest.split_whitespace();
            (words.next()? == "compliance.officer").then(|| words.next())?
        })
        .unwrap_or_else(|| panic!("no demo password for compliance.officer: {all}"))
        .to_owned();
    let (wrong, _) = sign_in(port, "compliance.officer", "not the demo password");
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    let (signed, cookies) = sign_in(port, "compliance.officer", &password);
    assert_eq!(signed.status, 303, "{}", signed.body);
    assert_eq!(signed.location, "/office/queue");
    assert!(cookies.contains("cdb_session="), "no session cookie");
    let queue = queue_page(&cookies);
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert!(
        queue.body.contains(&escalated),
        "{escalated} not in the back office's queue: {}",
        queue.body
    );

    // Ctrl-C: the demo stops the server and exits 0; nothing listens on the port any more.
    let interrupt = Command::new("kill")
        .args(["-INT", &demo.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupt.success());
    let mut status = None;
    for _ in 0..300 {
        if let Some(s) = demo.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let Some(status) = status else {
        let _ = demo.kill();
        panic!("the demo did not stop within 30 s of SIGINT: {}", stderr());
    };
    assert_eq!(status.code(), Some(0), "{}", stderr());
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "port {port} still open after the demo stopped"
    );
    let _ = std::fs::remove_file(&log);
}

#[test]
fn demo_refuses_a_database_not_provisioned_with_the_seed() {
    // Migrated, but no seed: no users, no scenario cases.
    let db = TestDatabase::new();
    let out = xtask(&["demo", "--no-build"], &db.config().connection_url());
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("was not provisioned with the seed"),
        "{stderr}"
    );
    assert!(!text(&out.stdout).contains("DEMO CREDENTIALS"));
}
