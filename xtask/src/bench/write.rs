//! `cargo xtask bench --write`: the write path side by side with plain SQL in one run. The
//! service's submissions per second with 1, 2, 4 and 8 writers, against `pgbench -M prepared`
//! at the same concurrency running the same five INSERTs (KYC check, screening, decision and two
//! audit rows) on a plain schema without triggers, constraints beyond primary keys, or chains.
//!
//! Must not: touch any database but the `compliance_bench_write*` ones it creates and drops, or
//! print the connection URL (it may hold the password).

// Rates and ratios of measured times: floating point is what they are.
#![allow(clippy::float_arithmetic)]

use anyhow::{Context, Result, bail};
use compliance_app::domain::{Case, EntityId};
use compliance_ops::provision::{ProvisionOptions, provision};
use compliance_persistence::DatabaseConfig;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// The concurrencies measured.
const WRITERS: [u32; 4] = [1, 2, 4, 8];

/// The plain reference: the same five rows per transaction, no triggers, no chain.
const PLAIN_SCHEMA: &str = "
CREATE TABLE kyc (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), entity_id text, body jsonb, created_at timestamptz DEFAULT now());
CREATE TABLE aml (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), entity_id text, body jsonb, created_at timestamptz DEFAULT now());
CREATE TABLE decision (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), entity_id text, body jsonb, created_at timestamptz DEFAULT now());
CREATE TABLE audit (id bigserial PRIMARY KEY, entity_id text, action text, details jsonb, created_at timestamptz DEFAULT now());
";

const PLAIN_SCRIPT: &str = include_str!("../../bench/write/plain.sql");

/// One measured concurrency.
#[derive(Debug)]
struct Row {
    writers: u32,
    service_per_s: f64,
    plain_per_s: f64,
    ratio: f64,
}

/// Runs the write benchmark for `seconds` per measurement.
pub fn write_path(seconds: u64) -> Result<()> {
    let server = DatabaseConfig::from_env()?;
    let service_db = "compliance_bench_write";
    let plain_db = "compliance_bench_write_plain";
    println!("\n==> write path: service vs pgbench -M prepared, {seconds} s each");
    super::drop_database(&server, service_db)?;
    super::drop_database(&server, plain_db)?;
    let config = server.with_database(service_db);
    provision(&config, ProvisionOptions::default(), |_| {})?;
    let plain = server.with_database(plain_db);
    super::run_quiet(
        Command::new("psql")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(server.with_database("postgres").connection_url())
            .args(["-c", &format!("CREATE DATABASE \"{plain_db}\"")]),
        "psql (create database)",
    )?;
    super::run_quiet(
        Command::new("psql")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(plain.connection_url())
            .args(["-c", PLAIN_SCHEMA]),
        "psql (plain schema)",
    )?;
    let script =
        std::env::temp_dir().join(format!("compliance-bench-write-{}.sql", std::process::id()));
    std::fs::write(&script, PLAIN_SCRIPT).context("writing the pgbench script")?;

    let mut rows = Vec::new();
    for writers in WRITERS {
        let service = service_rate(&config, writers, seconds)?;
        let plain = pgbench_rate(&plain, &script, writers, seconds)?;
        rows.push(Row {
            writers,
            service_per_s: service,
            plain_per_s: plain,
            ratio: service / plain,
        });
    }
    let _ = std::fs::remove_file(&script);
    super::drop_database(&server, service_db)?;
    super::drop_database(&server, plain_db)?;

    let mut table = comfy_table::Table::new();
    table.set_header([
        "writers",
        "service /s",
        "plain SQL /s",
        "service / plain",
        "service / its 1-writer rate",
    ]);
    let one = rows.first().map_or(1.0, |r| r.service_per_s);
    for r in &rows {
        table.add_row([
            r.writers.to_string(),
            format!("{:.0}", r.service_per_s),
            format!("{:.0}", r.plain_per_s),
            format!("{:.2}x", r.ratio),
            format!("{:.2}x", r.service_per_s / one),
        ]);
    }
    println!("{table}");
    let json: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "writers": r.writers,
                "service_per_s": r.service_per_s,
                "plain_per_s": r.plain_per_s,
                "ratio": r.ratio,
                "scaling": r.service_per_s / one,
            })
        })
        .collect();
    println!("{}", serde_json::Value::Array(json));
    Ok(())
}

/// Submissions per second by `writers` threads, each submitting new entities for `seconds`.
pub(super) fn service_rate(config: &DatabaseConfig, writers: u32, seconds: u64) -> Result<f64> {
    let service = compliance_ops::compliance_over(config)?;
    let agent = service.in_process().system_agent()?;
    let template: Case = compliance_rules::scenarios::scenarios()
        .into_iter()
        .find(|s| s.id == "ae-ind-clean-001")
        .context("the seed scenario ae-ind-clean-001")?
        .case;
    let done = Arc::new(AtomicU64::new(0));
    let barrier = Arc::new(Barrier::new(writers as usize + 1));
    let deadline = Duration::from_secs(seconds);
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let (service, done, barrier, template) = (
                service.clone(),
                done.clone(),
                barrier.clone(),
                template.clone(),
            );
            std::thread::spawn(move || -> Result<()> {
                barrier.wait();
                let started = Instant::now();
                let mut n = 0u64;
                while started.elapsed() < deadline {
                    let mut case = template.clone();
                    case.kyc.entity_id = EntityId::parse(&format!("bench-{writers}-{w}-{n}"))?;
                    service.submit(&agent, &case, None)?;
                    done.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                }
                Ok(())
            })
        })
        .collect();
    barrier.wait();
    let started = Instant::now();
    for t in threads {
        match t.join() {
            Ok(result) => result?,
            Err(_) => bail!("a writer thread panicked"),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok(done.load(Ordering::Relaxed) as f64 / elapsed)
}

/// Transactions per second of `pgbench -M prepared` with `clients` clients for `seconds`.
fn pgbench_rate(
    config: &DatabaseConfig,
    script: &std::path::Path,
    clients: u32,
    seconds: u64,
) -> Result<f64> {
    let output = Command::new("pgbench")
        .args([
            "-n",
            "-M",
            "prepared",
            "-c",
            &clients.to_string(),
            "-j",
            &clients.to_string(),
        ])
        .args(["-T", &seconds.to_string(), "-f"])
        .arg(script)
        .arg(config.connection_url())
        .output()
        .context("running pgbench (is it installed? Debian: postgresql-contrib)")?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse::<f64>().ok())
        .with_context(|| format!("pgbench printed no tps ({})", output.status))
}
