//! `cargo xtask bench`: the benchmarks. The rules engine's criterion benchmark, then
//! provisioning timed against `createdb` plus `psql -f` of the same SQL (the migrations and a
//! data-only dump of a seeded database), each the median of several runs on fresh databases.
//!
//! Must not: touch any database but the `compliance_bench_*` ones it creates and drops, or
//! print the connection URL (it may hold the password).

use crate::cli::BenchArgs;
use crate::exit;
use anyhow::{Context, Result, bail};
use compliance_app::persistence::DatabaseConfig;
use compliance_app::provision::{ProvisionOptions, provision};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs the benchmarks; returns the exit status.
pub fn run(args: &BenchArgs) -> u8 {
    match bench(args) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::FAILED
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn bench(args: &BenchArgs) -> Result<()> {
    if !args.no_engine {
        println!("==> rules engine: cargo bench -p compliance-rules");
        let status = Command::new(env!("CARGO"))
            .args(["bench", "-p", "compliance-rules", "--bench", "engine"])
            .current_dir(root())
            .status()
            .context("running cargo bench")?;
        if !status.success() {
            bail!("cargo bench failed ({status})");
        }
    }
    if !args.no_provision {
        provisioning(args.runs.max(1))?;
    }
    Ok(())
}

fn ms(d: Duration) -> String {
    let us = d.as_micros();
    format!("{}.{} ms", us / 1000, (us % 1000) / 100)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

fn drop_database(server: &DatabaseConfig, name: &str) -> Result<()> {
    run_quiet(
        Command::new("psql")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(server.with_database("postgres").connection_url())
            .args([
                "-c",
                &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
            ]),
        "psql (drop database)",
    )
}

fn run_quiet(command: &mut Command, what: &str) -> Result<()> {
    let output = command
        .output()
        .with_context(|| format!("running {what} (is the PostgreSQL client installed?)"))?;
    if !output.status.success() {
        bail!(
            "{what} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

fn provisioning(runs: usize) -> Result<()> {
    let server = DatabaseConfig::from_env()?;
    println!(
        "\n==> provisioning on {}:{} ({runs} runs each, medians)",
        server.host(),
        server.port()
    );
    let pid = std::process::id();

    // 1. `cargo xtask provision` as a library call, end to end, on fresh databases.
    let mut whole = Vec::new();
    let mut without_verify = Vec::new();
    for run in 0..runs {
        let name = format!("compliance_bench_{pid}_{run}");
        let config = server.with_database(&name);
        drop_database(&server, &name)?;
        let started = Instant::now();
        let report = provision(&config, ProvisionOptions::default(), |_| {})?;
        let total = started.elapsed();
        let verify = report
            .steps
            .iter()
            .find(|s| s.step == "verify")
            .map(|s| s.duration)
            .unwrap_or_default();
        whole.push(total);
        without_verify.push(total.saturating_sub(verify));
        if run + 1 < runs {
            drop_database(&server, &name)?;
        }
    }

    // 2. The same SQL through createdb + psql -f: the migrations' up.sql files, then the data of
    //    the database provisioned above, dumped (data only, without diesel's bookkeeping).
    let reference = format!("compliance_bench_{pid}_{}", runs - 1);
    let dump = std::env::temp_dir().join(format!("compliance_bench_{pid}.sql"));
    run_quiet(
        Command::new("pg_dump")
            .args([
                "--data-only",
                "--exclude-table=__diesel_schema_migrations",
                "-f",
            ])
            .arg(&dump)
            .arg(server.with_database(&reference).connection_url()),
        "pg_dump",
    )?;
    drop_database(&server, &reference)?;
    let mut migrations: Vec<PathBuf> = std::fs::read_dir(root().join("migrations"))?
        .filter_map(|e| e.ok().map(|e| e.path().join("up.sql")))
        .filter(|p| p.exists())
        .collect();
    migrations.sort();
    let mut plain = Vec::new();
    for run in 0..runs {
        let name = format!("compliance_bench_{pid}_psql_{run}");
        drop_database(&server, &name)?;
        let started = Instant::now();
        run_quiet(
            Command::new("createdb")
                .arg(format!(
                    "--maintenance-db={}",
                    server.with_database("postgres").connection_url()
                ))
                .arg(&name),
            "createdb",
        )?;
        let mut psql = Command::new("psql");
        psql.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(server.with_database(&name).connection_url());
        for file in migrations.iter().chain(std::iter::once(&dump)) {
            psql.arg("-f").arg(file);
        }
        run_quiet(&mut psql, "psql -f")?;
        plain.push(started.elapsed());
        drop_database(&server, &name)?;
    }
    let _ = std::fs::remove_file(&dump);

    let (whole, without_verify, plain) = (median(whole), median(without_verify), median(plain));
    let ratio = |d: Duration| {
        let pct = d.as_micros() * 100 / plain.as_micros().max(1);
        format!("{}.{:02}x", pct / 100, pct % 100)
    };
    println!("| run | median | vs createdb + psql -f |");
    println!("|---|---|---|");
    println!(
        "| createdb + psql -f (migrations + data-only dump) | {} | 1.00x |",
        ms(plain)
    );
    println!(
        "| provision: create, migrate, seed (no verify) | {} | {} |",
        ms(without_verify),
        ratio(without_verify)
    );
    println!(
        "| provision: whole run, verify included | {} | {} |",
        ms(whole),
        ratio(whole)
    );
    Ok(())
}
