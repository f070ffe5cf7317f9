//! The command line: subcommands, their options and their `--help` texts.
//!
//! Must not: do any work; `main` dispatches to one module per subcommand.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The compliance database's own tasks.
///
/// The database is the one named by DATABASE_URL, or else by DATABASE_HOST (default
/// 127.0.0.1), DATABASE_PORT (5432), DATABASE_NAME (compliance_db), DATABASE_USER (postgres)
/// and DATABASE_PASSWORD (none); a .env file in the current directory is not read: export the
/// variables. Exit status: 0 all passed, 1 a check (or a step) failed, 2 the database could not
/// be reached, 64 the command line was not understood.
#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    version,
    about,
    long_about
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The tasks.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database if missing, run pending migrations, seed, then verify.
    ///
    /// Idempotent: a second run changes nothing. Each step is printed with its duration, then
    /// the verification report.
    Provision(ProvisionArgs),
    /// Run the read-only checks against a compliance database (any: production included).
    ///
    /// 19 checks, each PASS, WARN or FAIL with one line of detail. Exit 0 when none fails,
    /// 1 when one does, 2 when the database cannot be reached.
    Verify(VerifyArgs),
    /// Run the benchmarks: the rules engine (criterion) and provisioning against createdb + psql.
    Bench(BenchArgs),
    /// Create, list and revoke API tokens for the decision API (`create` prints the secret once).
    Token(crate::token::TokenArgs),
}

/// Options of `provision`.
#[derive(Debug, Args)]
pub struct ProvisionArgs {
    /// Do not seed the data set (users, default rules, the nine scenarios).
    #[arg(long)]
    pub no_seed: bool,
    /// Drop and recreate the database first. Refused on a non-local host without --force.
    #[arg(long)]
    pub reset: bool,
    /// Allow --reset on a host that is not local.
    #[arg(long, requires = "reset")]
    pub force: bool,
    /// How to print the verification report.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Options of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Also check what only holds for the seed data set: exact counts (9 KYC, 9 AML, AE 3 /
    /// IN 3 / US 3) and distributions.
    #[arg(long)]
    pub expect_seed: bool,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Replay at most this many decisions (the most recent); 0 replays them all.
    #[arg(long, default_value_t = 1_000)]
    pub replay_limit: i64,
    /// Check the audit chain from a recorded head (`ID:HASH`, as an earlier run printed it)
    /// instead of from the first entry: finds a removed tail, and is fast on a large log.
    #[arg(long, value_name = "ID:HASH")]
    pub audit_from: Option<compliance_app::verify::Checkpoint>,
}

/// Options of `bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Skip the rules engine's criterion benchmark.
    #[arg(long)]
    pub no_engine: bool,
    /// Skip the provisioning comparison.
    #[arg(long)]
    pub no_provision: bool,
    /// Runs of each provisioning variant (the median is reported).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Also time `verify` on a database of this many cases (cloned from the approved seed
    /// cases, with their audit entries), e.g. 1000000; 0 skips it.
    #[arg(long, default_value_t = 0)]
    pub verify_scale: u64,
    /// Also compare case submissions over HTTP (compliance-api) with the library, with 1 and 8
    /// clients, this many cases each (e.g. 400); 0 skips it.
    #[arg(long, default_value_t = 0)]
    pub api_cases: usize,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// JSON for machines.
    Json,
    /// Markdown, for a completion report.
    Markdown,
}
