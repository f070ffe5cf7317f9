//! The command line: subcommands, their options and their `--help` texts.
//!
//! Must not: do any work; `main` dispatches to one module per subcommand.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The compliance database's own tasks: provision, verify, bench, checkpoint, token, user, sla,
/// db, cluster, backup, watchlist, webhook, demo.
///
/// The database is the one named by DATABASE_URL, or else by DATABASE_HOST (default
/// 127.0.0.1), DATABASE_PORT (5432), DATABASE_NAME (compliance_db), DATABASE_USER (postgres)
/// and DATABASE_PASSWORD (none); a .env file in the current directory is not read: export the
/// variables. When none of DATABASE_URL, DATABASE_HOST/PORT/USER/PASSWORD is set and nothing
/// answers at 127.0.0.1:5432, the embedded PostgreSQL of this checkout is used (`provision`
/// starts it; `cargo xtask db` manages it). `cargo xtask help <command>` (or `<command> --help`) explains each command.
// `about` and `long_about` come from this comment: the package description also speaks of the
// architecture tests (tidy), which are `cargo test`, not a command.
#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    version,
    after_help = "Exit status: 0 all passed, 1 a check (or a step) failed, 2 the database could not be reached or the configuration is unusable, 64 the command line was not understood."
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
    /// Idempotent: a second run changes nothing, on a database that holds only the seed or
    /// real cases besides it. Each step is printed with its duration, then the verification
    /// report.
    #[command(after_help = PROVISION_EXIT)]
    Provision(ProvisionArgs),
    /// Run the read-only checks against a compliance database (any: production included).
    ///
    /// Each check is PASS, WARN or FAIL with one line of detail; all of them read one
    /// consistent snapshot of the database, in READ ONLY transactions.
    #[command(after_help = VERIFY_EXIT)]
    Verify(VerifyArgs),
    /// Run the benchmarks: the rules engine (criterion), provisioning against createdb + psql, the
    /// write path against pgbench, screening against a linear scan and psql \copy.
    #[command(after_help = BENCH_EXIT)]
    Bench(BenchArgs),
    /// Sign the audit log's chain heads and Merkle roots with an Ed25519 key kept outside the
    /// database, check a signed checkpoint (proves the log still extends it, whoever owns the
    /// database), or prove one entry's inclusion in it and check that proof offline.
    #[command(after_help = CHECKPOINT_EXIT)]
    Checkpoint(CheckpointArgs),
    /// Create, list and revoke API tokens for the decision API (`create` prints the secret once).
    #[command(after_help = TOKEN_EXIT)]
    Token(crate::token::TokenArgs),
    /// List the users (username, role, active), or set a person's back-office password (read
    /// from standard input, never echoed or printed).
    #[command(after_help = USER_EXIT)]
    User(crate::user::UserArgs),
    /// List the service-level targets (how long a case may wait in a status, per
    /// jurisdiction), or publish a new one (a compliance officer or admin; audited).
    #[command(after_help = SLA_EXIT)]
    Sla(crate::sla::SlaArgs),
    /// Start, stop, locate the embedded PostgreSQL of this checkout (what `provision` starts
    /// when nothing is configured and nothing answers at 127.0.0.1:5432).
    #[command(after_help = DB_EXIT)]
    Db(crate::db::DbArgs),
    /// A pg_auto_failover cluster on this machine (a monitor, a primary and a synchronous
    /// standby), the database provisioned through it, and the failover drill.
    #[command(after_help = CLUSTER_EXIT)]
    Cluster(crate::cluster::ClusterArgs),
    /// Back up the cluster with pgBackRest (full, differential, incremental; its WAL archived
    /// since it was made), list the backups, or run the point-in-time restore drill.
    #[command(after_help = BACKUP_EXIT)]
    Backup(crate::backup::BackupArgs),
    /// Import watchlist versions from their official files, list them, screen subjects against
    /// the current versions (JSON out; docs/screening.md).
    #[command(after_help = WATCHLIST_EXIT)]
    Watchlist(crate::watchlist::WatchlistArgs),
    /// Create, list, change and rotate the endpoints events go to (webhooks, a NATS broker),
    /// replay events to one, list its deliveries (`create` and `rotate` print the secret once).
    #[command(after_help = WEBHOOK_EXIT)]
    Webhook(crate::webhook::WebhookArgs),
    /// See it work: provision (embedded if need be), give the seed's people demo passwords and
    /// the agent a token (printed once), start compliance-api, submit three cases through the
    /// API, print the back office's and the API's addresses; Ctrl-C stops everything.
    #[command(after_help = DEMO_EXIT)]
    Demo(DemoArgs),
}

/// Options of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The port compliance-api listens on (127.0.0.1 only); by default a free one.
    #[arg(long)]
    pub port: Option<u16>,
    /// Do not run `cargo build` for compliance-api: use the one next to this binary as it is.
    #[arg(long)]
    pub no_build: bool,
}

/// Options of `checkpoint`.
#[derive(Debug, Args)]
pub struct CheckpointArgs {
    /// What to do with checkpoints.
    #[command(subcommand)]
    pub action: CheckpointAction,
}

/// The checkpoint actions.
#[derive(Debug, Subcommand)]
pub enum CheckpointAction {
    /// Make a new signing key: its secret goes to --out (created, mode 0600, never overwritten);
    /// its public key is printed, for whoever will check checkpoints.
    Keygen {
        /// Where to write the secret key (64 hex digits).
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Check every chain, then sign their heads; the signed checkpoint (JSON) goes to stdout
    /// or --out. Keep it where the database's owners cannot change it.
    Sign {
        /// The secret key's file (from `checkpoint keygen`).
        #[arg(long)]
        key: std::path::PathBuf,
        /// Write the checkpoint here instead of stdout.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Check a signed checkpoint: its signature with the public key you trust, then that the
    /// log still holds what it signed: every entry's hash recomputed from its content, and each
    /// chain's Merkle root at its signed size rebuilt and compared with the signed root.
    Check {
        /// The checkpoint file.
        file: std::path::PathBuf,
        /// The signer's public key (64 hex digits), as `checkpoint keygen` printed it.
        #[arg(long)]
        public_key: String,
        /// Read only what was written since: check that every chain extends the head the
        /// checkpoint recorded, not that the entries before it are still what was signed.
        #[arg(long)]
        extends_only: bool,
    },
    /// Prove one audit entry's inclusion in a signed checkpoint (RFC 9162 audit path in its
    /// chain's Merkle tree): the proof (JSON: the entry, its place, the path and the signed
    /// checkpoint) goes to stdout or --out, for someone who will check it without the database.
    Prove {
        /// The entry's id.
        #[arg(long)]
        entry: i64,
        /// The signed checkpoint (version 2, from `checkpoint sign`) to prove against.
        #[arg(long)]
        checkpoint: std::path::PathBuf,
        /// Write the proof here instead of stdout.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Check an inclusion proof offline (no database): the checkpoint's signature with the
    /// public key you trust, the entry's hash from its fields, and its audit path to the
    /// signed root.
    CheckProof {
        /// The proof file (from `checkpoint prove`).
        file: std::path::PathBuf,
        /// The signer's public key (64 hex digits), as `checkpoint keygen` printed it.
        #[arg(long)]
        public_key: String,
    },
}

const PROVISION_EXIT: &str = "Exit status: 0 provisioned and no check failed (WARN allowed), 1 a step or a check failed or --reset was refused, 2 the database could not be reached or the configuration is unusable (a variable, a name over 63 bytes), 64 the command line was not understood. With --format json, stdout holds the report or a JSON error object.";
const VERIFY_EXIT: &str = "Exit status: 0 no check failed (WARN allowed), 1 a check failed, 2 the database could not be reached or the configuration is unusable (a variable, a name over 63 bytes), 64 the command line was not understood. With --format json, stdout holds the report or a JSON error object.";
const CHECKPOINT_EXIT: &str = "Exit status: 0 signed, the checkpoint holds, the proof was written or the proof holds, 1 the checkpoint or proof does not hold (a bad signature, a head gone or changed, a chain broken since, an entry whose fields or path do not lead to the signed root) or a chain is broken and nothing was signed or the entry cannot be proven (none with that id, written after the checkpoint, a version 1 checkpoint), 2 the database could not be reached or the configuration is unusable, 64 the command line or a file was not understood.";
const TOKEN_EXIT: &str = "Exit status: 0 done, 1 refused (an unknown user or token, a token already revoked), 2 the database could not be reached or the configuration is unusable, 64 the command line was not understood.";
const SLA_EXIT: &str = "Exit status: 0 done, 1 refused (an unknown or inactive user, a role that may not publish, a target already scheduled later), 2 the database could not be reached or the configuration is unusable, 64 the command line was not understood.";
const USER_EXIT: &str = "Exit status: 0 done, 1 refused (an unknown user, a system agent, not set by an admin, a password too short or too long), 2 the database could not be reached or the configuration is unusable, 64 the command line was not understood.";
const WATCHLIST_EXIT: &str = "Exit status: 0 done, 1 refused (an unreadable or malformed list file, an entry count that fell by more than 20% without --force-reason, a subject that is not valid, a user who may not), 2 the database could not be reached or the configuration is unusable, 64 the command line was not understood.";
const WEBHOOK_EXIT: &str = "Exit status: 0 done, 1 refused (an invalid URL or field, a private address without --allow-private, a stale --revision, an unknown endpoint or user, a user who may not), 2 the database could not be reached or the configuration is unusable, 64 the command line was not understood. With --format json, stdout holds the JSON answer.";
const CLUSTER_EXIT: &str = "Exit status: 0 done, 1 the drill lost a submission, verify failed or the checkpoint no longer holds (or provisioning failed), 2 pg_autoctl is missing, a server did not start or settle, or the cluster could not be reached, 64 the command line was not understood.";
const BACKUP_EXIT: &str = "Exit status: 0 done, 1 the restore drill found a case it should not have (or missed one), verify failed or the checkpoint no longer holds, 2 no cluster, pgbackrest missing, or a backup, restore or server failed, 64 the command line was not understood.";
const DB_EXIT: &str = "Exit status: 0 done, 1 `url` found no running embedded server, 2 it could not be started or stopped (no binaries, a failed initdb or pg_ctl: the message says which), 64 the command line was not understood.";
const DEMO_EXIT: &str = "Exit status: 0 stopped by Ctrl-C or SIGTERM (the server stopped with it), 1 refused (a database that holds users but not the seed's) or a step failed (provisioning, the build, the server's start, a submission), 2 the database could not be reached or the configuration is unusable, 64 the command line was not understood.";
const BENCH_EXIT: &str = "Exit status: 0 the benchmarks ran, 1 one failed (or a tool it needs is missing), 64 the command line was not understood.";

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
    /// Verify with the seed data set's exact counts and distributions (only for a database
    /// that holds the seed and nothing else: real cases besides it fail them).
    #[arg(long, conflicts_with = "no_seed")]
    pub expect_seed: bool,
    /// Create this login role if missing (no password: set one with ALTER ROLE) and give it
    /// exactly the service's privileges: cases, evidence, reviews and their audit entries; no
    /// users, rules, tokens or passwords; no UPDATE of evidence or audit rows, no DELETE, no
    /// TRUNCATE, no CREATE, not an owner. Re-running re-applies them (and takes back any other).
    #[arg(long, value_name = "NAME")]
    pub service_role: Option<String>,
    /// Create this login role if missing (no password) and give it exactly an administrator's
    /// privileges: users, rule versions, API tokens, passwords and their audit entries; no
    /// case, evidence or review. What `cargo xtask token` and `cargo xtask user` run under.
    #[arg(long, value_name = "NAME")]
    pub admin_role: Option<String>,
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
    /// Check the audit chains from their recorded heads (`CHAIN.POSITION:HASH,...`, as an
    /// earlier run printed them; a lone `ID:HASH` means chain 0) instead of from their first
    /// entries: finds a removed tail, and is fast on a large log.
    #[arg(long, value_name = "HEADS")]
    pub audit_from: Option<compliance_ops::verify::ChainHeads>,
    /// The longest one statement may run, in seconds (0: no limit). Lock waits end after
    /// DATABASE_LOCK_TIMEOUT.
    #[arg(long, value_name = "SECONDS", default_value_t = compliance_ops::verify::STATEMENT_TIMEOUT.as_secs())]
    pub statement_timeout: u64,
    /// Check the primary even when DATABASE_READ_URL names a standby (by default `verify`
    /// reads the standby, sparing the primary its scans).
    #[arg(long)]
    pub on_primary: bool,
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
    /// Seconds per measurement of the write benchmark (the service's submissions against
    /// pgbench at 1, 2, 4 and 8 writers); 0 skips it.
    #[arg(long, default_value_t = 5)]
    pub write_seconds: u64,
    /// Also compare case submissions over HTTP (compliance-api) with the library, with 1 and 8
    /// clients, this many cases each (e.g. 400); 0 skips it.
    #[arg(long, default_value_t = 0)]
    pub api_cases: usize,
    /// Also time a page of the review queue over HTTP and in raw SQL, first and deep, on a
    /// database of this many cases (one in 50 queued), e.g. 1000000; 0 skips it.
    #[arg(long, default_value_t = 0)]
    pub queue_cases: u64,
    /// Also time the backlog dashboard's read against a recount in plain SQL and
    /// `compliance_summary`, and submissions with and without its counting triggers, on a
    /// database of this many cases (one in 50 queued), e.g. 1000000; 0 skips it (`--only
    /// dashboard` runs it with 1000000).
    #[arg(long, default_value_t = 0)]
    pub dashboard_cases: u64,
    /// Skip the screening benchmarks (issue 18): quality on the evaluation sets, one query
    /// against 100,000 names against a linear scan, a 20,000-entry list import against psql
    /// \copy.
    #[arg(long)]
    pub no_screening: bool,
    /// Run only this section and nothing else.
    #[arg(long, value_enum, conflicts_with = "no_screening")]
    pub only: Option<Section>,
    /// The events-out benchmark (issue 20): commit-to-receiver latency with 1 and 10 webhook
    /// endpoints, the outbox's cost to submissions, and this many queued events drained to a
    /// loopback receiver (e.g. 100000); 0 skips it (`--only events` runs it with 100000).
    #[arg(long, default_value_t = 0)]
    pub events: u64,
    /// The ongoing-monitoring benchmark (issue 19) on a base of this many entities with
    /// subjects (e.g. 1000000): a full re-screen against a 100,000-entry version, a 100-entry
    /// delta, submissions' p99 during a job; 0 skips it (`--only monitoring` runs it with
    /// 1000000).
    #[arg(long, default_value_t = 0)]
    pub monitoring: u64,
}

/// A section of `bench` that `--only` can run alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Section {
    /// The screening benchmarks (issue 18).
    Screening,
    /// The events-out benchmarks (issue 20).
    Events,
    /// The ongoing-monitoring benchmarks (issue 19).
    Monitoring,
    /// The backlog dashboard at a million cases (issue 23).
    Dashboard,
    /// Wallet transactions screened at recording (issue 19): 100,000 through the library's
    /// batch call beside one `INSERT ... SELECT` of the same rows.
    Wallets,
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
