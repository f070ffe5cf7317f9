//! The `cargo xtask` binary as people run it: exit statuses, messages and formats, against the
//! real server.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod checkpoint;
mod cluster;
mod db;
mod demo;
mod monitoring;
mod sla;
mod webhook;

use compliance_persistence::testing::{TestDatabase, server};
use std::process::{Command, Output};

pub(crate) fn xtask(args: &[&str], database_url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env_remove("DATABASE_HOST")
        .env_remove("DATABASE_NAME")
        .output()
        .unwrap()
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const CLOSED: &str = "postgres://app:hunter2@127.0.0.1:1/compliance_db";

#[test]
fn verify_and_provision_against_a_closed_port_exit_2_with_a_clear_message() {
    for args in [&["verify"][..], &["provision"][..]] {
        let out = xtask(args, CLOSED);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("127.0.0.1:1/compliance_db"), "{stderr}");
        assert!(
            stderr.contains("Connection refused")
                && stderr.contains("check that PostgreSQL is running"),
            "{stderr}"
        );
        assert!(!stderr.contains("hunter2") && !text(&out.stdout).contains("hunter2"));
    }
}

#[test]
fn provision_then_verify_in_every_format() {
    let db = TestDatabase::empty();
    let url = db.config().connection_url();
    let out = xtask(&["provision"], &url);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    for step in ["connect", "create database", "migrate", "seed", "verify"] {
        assert!(
            stdout.contains(&format!("  {step}")),
            "step {step} not shown: {stdout}"
        );
    }
    let n = compliance_ops::verify::checks().len();
    assert!(
        stdout.contains(&format!("{n} checks: {n} PASS, 0 WARN, 0 FAIL")),
        "{stdout}"
    );
    let again = text(&xtask(&["provision"], &url).stdout);
    assert!(
        again.contains("was already provisioned: nothing changed"),
        "{again}"
    );

    let json = xtask(&["verify", "--expect-seed", "--format", "json"], &url);
    assert_eq!(json.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["outcome"], "PASS");
    assert_eq!(report["checks"].as_array().unwrap().len(), n);
    assert_eq!(
        report["checks"][13]["detail"],
        "AE 3, IN 3, US 3 (as seeded)"
    );

    // The head printed today is tomorrow's checkpoint.
    let chain = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["number"] == 19)
        .unwrap()["detail"]
        .as_str()
        .unwrap();
    let head = chain
        .split("heads ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    let from_head = xtask(&["verify", "--audit-from", head], &url);
    assert_eq!(
        from_head.status.code(),
        Some(0),
        "{}",
        text(&from_head.stdout)
    );
    assert!(
        text(&from_head.stdout).contains("from a checkpoint of"),
        "{}",
        text(&from_head.stdout)
    );
    let bad = xtask(&["verify", "--audit-from", "12:not-a-hash"], &url);
    assert_eq!(
        bad.status.code(),
        Some(64),
        "a usage error, not an unreachable database"
    );
    assert!(
        text(&bad.stderr).contains("a checkpoint is CHAIN.POSITION:HASH"),
        "{}",
        text(&bad.stderr)
    );

    let markdown = text(&xtask(&["verify", "--format", "markdown"], &url).stdout);
    assert!(
        markdown.starts_with("# Compliance database verification"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| 19 | audit hash chain intact | PASS |"),
        "{markdown}"
    );
}

#[test]
fn a_failing_check_exits_1() {
    let db = TestDatabase::empty();
    let url = db.config().connection_url();
    assert_eq!(xtask(&["provision"], &url).status.code(), Some(0));
    let mut conn = db.conn();
    use compliance_persistence::diesel::RunQueryDsl;
    compliance_persistence::diesel::sql_query("DROP INDEX idx_kyc_checks_red_flags")
        .execute(&mut conn)
        .unwrap();
    let out = xtask(&["verify"], &url);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("idx_kyc_checks_red_flags"));
}

#[test]
fn reset_of_a_remote_host_is_refused_without_force() {
    let out = xtask(
        &["provision", "--reset"],
        "postgres://app:pw@db.prod.example/compliance_db",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("pass --force"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn with_format_json_an_unreachable_database_is_a_json_error_object() {
    for command in ["verify", "provision"] {
        let out = xtask(&[command, "--format", "json"], CLOSED);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{command}: {}",
            text(&out.stderr)
        );
        let error: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{command}: {e}: {}", text(&out.stdout)));
        assert_eq!(error["exit_code"], 2, "{error}");
        assert_eq!(error["target"], "127.0.0.1:1/compliance_db", "{error}");
        let message = error["error"].as_str().unwrap();
        assert!(message.contains("Connection refused"), "{message}");
        assert!(!text(&out.stdout).contains("hunter2"), "{error}");
    }
    let bad = xtask(&["verify", "--format", "json"], "mysql://x@y/z");
    assert_eq!(bad.status.code(), Some(2));
    let error: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert!(
        error["error"].as_str().unwrap().contains("DATABASE_URL"),
        "{error}"
    );
    assert!(error["target"].is_null(), "{error}");
}

#[test]
fn a_database_name_over_63_bytes_is_refused_by_verify_as_by_provision() {
    let url = format!("postgres://app@127.0.0.1:1/{}", "x".repeat(64));
    let outs: Vec<Output> = ["verify", "provision"]
        .iter()
        .map(|c| xtask(&[c], &url))
        .collect();
    for out in &outs {
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("at most 63 bytes"),
            "{}",
            text(&out.stderr)
        );
    }
    assert_eq!(text(&outs[0].stderr), text(&outs[1].stderr));
}

#[test]
fn help_the_subcommands_and_their_exit_statuses_agree() {
    let url = server().connection_url();
    let short = text(&xtask(&["-h"], &url).stdout);
    let long = text(&xtask(&["--help"], &url).stdout);
    // The commands the help lists, from its "Commands:" section.
    let listed: Vec<String> = long
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    assert_eq!(
        listed,
        [
            "provision",
            "verify",
            "bench",
            "checkpoint",
            "token",
            "user",
            "sla",
            "db",
            "cluster",
            "backup",
            "watchlist",
            "webhook",
            "demo",
            "help"
        ],
        "{long}"
    );
    for help in [&short, &long] {
        assert!(
            !help.contains("tidy"),
            "names a command that does not exist: {help}"
        );
        assert!(help.contains("Exit status"), "{help}");
    }
    for command in [
        "provision",
        "verify",
        "bench",
        "checkpoint",
        "token",
        "user",
        "sla",
        "db",
        "cluster",
        "backup",
        "watchlist",
        "webhook",
        "demo",
    ] {
        let by_help = xtask(&["help", command], &url);
        let by_flag = xtask(&[command, "--help"], &url);
        assert_eq!(by_help.status.code(), Some(0));
        assert_eq!(text(&by_help.stdout), text(&by_flag.stdout), "{command}");
        let help = text(&by_flag.stdout);
        assert!(help.contains("Exit status: 0"), "{command}: {help}");
        let short = text(&xtask(&[command, "-h"], &url).stdout);
        assert!(short.contains("Exit status: 0"), "{command}: {short}");
    }
    // The checkpoint actions, from `checkpoint --help`'s "Commands:" section.
    let checkpoint = text(&xtask(&["checkpoint", "--help"], &url).stdout);
    let actions: Vec<&str> = checkpoint
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        actions,
        ["keygen", "sign", "check", "prove", "check-proof", "help"],
        "{checkpoint}"
    );
    // The webhook actions, from `webhook --help`'s "Commands:" section.
    let webhook = text(&xtask(&["webhook", "--help"], &url).stdout);
    let actions: Vec<&str> = webhook
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "list",
            "update",
            "rotate",
            "replay",
            "deliveries",
            "help"
        ],
        "{webhook}"
    );
    let create = text(&xtask(&["webhook", "create", "--help"], &url).stdout);
    for words in [
        "--url",
        "--event-type",
        "--allow-private",
        "--by",
        "--format",
        "once",
    ] {
        assert!(
            create.contains(words),
            "webhook create --help lacks {words}: {create}"
        );
    }
    let unknown = xtask(&["tidy"], &url);
    assert_eq!(unknown.status.code(), Some(64));
}

#[test]
fn the_cargo_alias_lets_cargo_show_its_build_progress() {
    let config = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../.cargo/config.toml"
    ))
    .unwrap();
    let alias = config
        .lines()
        .find(|l| l.trim_start().starts_with("xtask"))
        .unwrap();
    assert!(alias.contains("run --package xtask"), "{alias}");
    // `--quiet` hides the first build (a minute or two on a fresh clone) behind silence.
    for quiet in ["--quiet", " -q "] {
        assert!(!alias.contains(quiet), "{alias}");
    }
}

#[test]
fn help_explains_each_command() {
    let url = server().connection_url();
    let top = text(&xtask(&["--help"], &url).stdout);
    for words in [
        "provision",
        "verify",
        "bench",
        "DATABASE_URL",
        "Exit status",
    ] {
        assert!(top.contains(words), "--help lacks {words}: {top}");
    }
    let provision = text(&xtask(&["provision", "--help"], &url).stdout);
    for flag in ["--no-seed", "--reset", "--force", "--format"] {
        assert!(provision.contains(flag), "{provision}");
    }
    let verify = text(&xtask(&["verify", "--help"], &url).stdout);
    for flag in ["--expect-seed", "--format", "--replay-limit"] {
        assert!(verify.contains(flag), "{verify}");
    }
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::io::Read;
    let db = TestDatabase::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["verify"])
        .env("DATABASE_URL", db.config().connection_url())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before the report is written, as `| head -c0` would.
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(status.code(), Some(101), "{stderr}");
}
