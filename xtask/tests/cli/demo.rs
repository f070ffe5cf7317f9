//! `cargo xtask demo` end to end: it provisions a throwaway database, starts compliance-api,
//! submits its cases (the escalated one is in the queue over HTTP), and stops on SIGINT with
//! exit 0 and the port closed; a database without the seed is refused.

use crate::{text, xtask};
use compliance_persistence::testing::TestDatabase;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

/// One GET on its own connection: the status and the body.
fn get(port: u16, path: &str, token: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: demo\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, body.to_owned())
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
