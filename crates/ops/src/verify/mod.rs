//! Verification of a compliance database: the seed material's 15 checks and more (rules,
//! migrations, replay of decisions, the audit chain and its coverage), each PASS, WARN or FAIL
//! with one line of detail. Runs against any compliance database, production included: it only
//! reads, every connection in a READ ONLY transaction on one exported snapshot, so that a live
//! database cannot make it fail when nothing is wrong, and every statement under a timeout.
//!
//! Must not: write, or stop at the first failure. A check whose query fails is itself a FAIL;
//! only an unusable configuration or an unreachable server ends the run, as [`VerifyError`].

mod checks;
mod snapshot;

pub use checks::audit::REVISION_ACTIONS;
pub use compliance_persistence::repo::audit_logs::ChainHeads;
use compliance_persistence::{
    ConfigError, DatabaseConfig, PersistenceError, SessionLimits, connect_with_limits,
};
use std::time::{Duration, Instant};

/// Why verification could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The configuration cannot be used (e.g. a database name over 63 bytes).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database could not be reached.
    #[error(transparent)]
    Unavailable(#[from] PersistenceError),
}

/// The longest a statement of `verify` may run by default: generous, since the audit chain of
/// a large log is read in one statement, but finite, so that a stuck server cannot hold a
/// scheduled run forever.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(300);

/// The number and name of every check, in the report's order.
pub fn checks() -> Vec<(u8, &'static str)> {
    checks::list().collect()
}

/// How a check came out, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Outcome {
    /// As it should be.
    Pass,
    /// Works, but worth a look.
    Warn,
    /// Broken.
    Fail,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Outcome::Pass => "PASS",
            Outcome::Warn => "WARN",
            Outcome::Fail => "FAIL",
        })
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    /// Its number (1-15 are the seed material's).
    pub number: u8,
    /// What it checks.
    pub name: &'static str,
    /// How it came out.
    pub outcome: Outcome,
    /// One line of detail.
    pub detail: String,
    /// How long it took, in microseconds.
    pub duration_us: u64,
}

/// What to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Also check what only holds for the seed data set (exact counts and distributions).
    pub expect_seed: bool,
    /// Replay at most this many decisions (the most recent); `None` replays all.
    pub replay_limit: Option<i64>,
    /// The pool size the services use (`DATABASE_POOL_MAX`), for the sessions check.
    pub pool_max: u32,
    /// Check the audit chain from this recorded entry on, instead of from the first.
    pub audit_from: Option<ChainHeads>,
    /// The longest one statement may run (zero: no limit). Lock waits end after the
    /// configuration's `lock_timeout`.
    pub statement_timeout: Duration,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            expect_seed: false,
            replay_limit: Some(1_000),
            pool_max: compliance_persistence::defaults::POOL_MAX,
            audit_from: None,
            statement_timeout: STATEMENT_TIMEOUT,
        }
    }
}

/// Every check's result.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// The database, as `host:port/database`.
    pub target: String,
    /// Whether the seed-only checks ran.
    pub expect_seed: bool,
    /// The worst outcome.
    pub outcome: Outcome,
    /// The checks, by number.
    pub checks: Vec<Check>,
    /// Total time, in microseconds.
    pub duration_us: u64,
}

impl VerifyReport {
    /// How many checks came out `outcome`.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.checks.iter().filter(|c| c.outcome == outcome).count()
    }

    /// `19 checks: 18 PASS, 1 WARN, 0 FAIL`.
    pub fn summary(&self) -> String {
        format!(
            "{} checks: {} PASS, {} WARN, {} FAIL",
            self.checks.len(),
            self.count(Outcome::Pass),
            self.count(Outcome::Warn),
            self.count(Outcome::Fail)
        )
    }

    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome == Outcome::Fail)
    }
}

/// Runs every check against the database named by `config`.
pub fn verify(
    config: &DatabaseConfig,
    options: &VerifyOptions,
) -> Result<VerifyReport, VerifyError> {
    config.check_name()?;
    let started = Instant::now();
    // The lock timeout is the service's; the statement timeout verify's own; and no idle
    // limit: the snapshot's transaction idles while replay evaluates in Rust, which on a large
    // database takes longer than a service would ever hold a transaction open.
    let limits = SessionLimits {
        statement_timeout: options.statement_timeout,
        idle_in_transaction_timeout: Duration::ZERO,
        ..config.session
    };
    let mut conn = connect_with_limits(config, &limits)?;
    let connect_time = started.elapsed();
    let checks = checks::run_all(&mut conn, config, &limits, options, connect_time, WORKERS)?;
    let outcome = checks
        .iter()
        .map(|c| c.outcome)
        .max()
        .unwrap_or(Outcome::Pass);
    Ok(VerifyReport {
        target: config.target(),
        expect_seed: options.expect_seed,
        outcome,
        checks,
        duration_us: micros(started.elapsed()),
    })
}

/// Connections the checks run on at once: two keeps a two-core server busy without crowding
/// a production one.
const WORKERS: usize = 2;

pub(crate) fn micros(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}
