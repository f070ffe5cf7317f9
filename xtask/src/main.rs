//! `cargo xtask`: the project's own tasks, in Rust. `provision` takes a PostgreSQL server to a
//! migrated, seeded, verified compliance database; `verify` checks any compliance database;
//! `bench` runs the benchmarks. The work itself lives in `compliance-app`; this binary parses
//! the command line, prints, and chooses the exit status.

// A command-line tool: printing is its job.
#![allow(clippy::print_stdout)]

mod bench;
mod cli;
mod provision;
mod report;
mod tidy;
mod verify;

use clap::Parser;
use std::process::ExitCode;

/// Exit statuses, as the docs list them.
pub mod exit {
    /// Everything passed.
    pub const OK: u8 = 0;
    /// A check failed (or a step of provisioning did).
    pub const FAILED: u8 = 1;
    /// The database could not be reached, or the configuration is unusable.
    pub const UNREACHABLE: u8 = 2;
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let code = match cli.command {
        cli::Command::Provision(args) => provision::run(&args),
        cli::Command::Verify(args) => verify::run(&args),
        cli::Command::Bench(args) => bench::run(&args),
    };
    ExitCode::from(code)
}
