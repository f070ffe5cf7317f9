//! `cargo xtask`: the project's own tasks, in Rust. `provision` takes a PostgreSQL server to a
//! migrated, seeded, verified compliance database; `verify` checks any compliance database;
//! `bench` runs the benchmarks. The work itself lives in `compliance-app`; this binary parses
//! the command line, prints, and chooses the exit status.

// A command-line tool: printing is its job.
#![allow(clippy::print_stdout)]

mod backup;
mod bench;
mod checkpoint;
mod cli;
mod cluster;
mod db;
mod demo;
mod monitoring;
mod proof_files;
mod provision;
mod psql;
mod report;
mod sla;
mod tidy;
mod tidy_modules;
mod token;
mod user;
mod verify;
mod watchlist;
mod webhook;

use clap::Parser;
use std::process::ExitCode;

/// Exit statuses, as the docs list them.
pub mod exit {
    /// The command line was not understood (clap's message says why).
    pub const USAGE: u8 = 64;
    /// Everything passed.
    pub const OK: u8 = 0;
    /// A check failed (or a step of provisioning did).
    pub const FAILED: u8 = 1;
    /// The database could not be reached, or the configuration is unusable.
    pub const UNREACHABLE: u8 = 2;

    /// The status of a command that acted through `Compliance` and failed with `error` (printed
    /// first): unreachable when the configuration or the database is, else failed.
    pub fn of(error: &anyhow::Error) -> u8 {
        eprintln!("error: {error}");
        let unreachable = error
            .downcast_ref::<compliance_app::ConfigError>()
            .is_some()
            || matches!(
                error.downcast_ref::<compliance_app::AppError>(),
                Some(compliance_app::AppError::Unavailable { .. })
            );
        if unreachable { UNREACHABLE } else { FAILED }
    }
}

/// Writes to stdout; a closed pipe (`cargo xtask verify | head`) ends the output quietly
/// instead of panicking.
pub fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` are not errors; a bad command line is EX_USAGE, apart
            // from 2, which means the database could not be reached.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    let code = match cli.command {
        cli::Command::Provision(args) => provision::run(&args),
        cli::Command::Verify(args) => verify::run(&args),
        cli::Command::Bench(args) => bench::run(&args),
        cli::Command::Checkpoint(args) => checkpoint::run(&args),
        cli::Command::Db(args) => db::run(&args),
        cli::Command::Cluster(args) => cluster::run(&args),
        cli::Command::Backup(args) => backup::run(&args),
        cli::Command::Token(args) => token::run(&args),
        cli::Command::User(args) => user::run(&args),
        cli::Command::Sla(args) => sla::run(&args),
        cli::Command::Watchlist(args) => watchlist::run(&args),
        cli::Command::Webhook(args) => webhook::run(&args),
        cli::Command::Demo(args) => demo::run(&args),
    };
    ExitCode::from(code)
}
