//! The restore drill: a backup restored to a point in time into a scratch cluster, and checked
//! there end to end. Before the target instant it signs a checkpoint and submits cases; after
//! it, more cases; then pgBackRest restores the latest backup and replays the archived WAL up
//! to the target (`--type=time`), the scratch cluster is promoted there, and the drill looks for
//! the cases before (all present) and after (none), runs `verify` and checks the checkpoint.
//!
//! Must not: let the scratch cluster archive into the cluster's repository or stream from its
//! nodes (archiving and replication are off on its command line), or leave it running.

use super::autoctl::Tool;
use super::backup::{self, Kind, pgbackrest};
use super::drill::timeline::present;
use super::drill::{DrillError, check_now, sign_now};
use super::{ClusterError, Layout, monitor};
use compliance_app::{AppError, Compliance};
use compliance_domain::{EntityId, IdempotencyKey};
use compliance_persistence::DatabaseConfig;
use compliance_persistence::diesel::sql_types::{BigInt, Bool, Text};
use compliance_persistence::diesel::{RunQueryDsl, sql_query};
use std::time::{Duration, Instant};

/// How the restore drill runs.
#[derive(Debug, Clone)]
pub struct RestoreOptions {
    /// Cases submitted before the target instant, and as many after it.
    pub cases: u32,
    /// The database in the cluster.
    pub database: String,
    /// Keep the scratch cluster's directory (stopped) afterwards.
    pub keep: bool,
}

/// What the restore drill found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RestoreReport {
    /// The instant restored to (the primary's clock), RFC 3339.
    pub target: String,
    /// The backup restored from (pgBackRest's label).
    pub backup: String,
    /// Seconds for `pgbackrest restore` (the files).
    pub restore_seconds: f64,
    /// Seconds from starting the scratch cluster to its promotion at the target (WAL replay).
    pub recovery_seconds: f64,
    /// Cases submitted before the target, and found in the scratch cluster.
    pub before_submitted: u64,
    /// Of them, found.
    pub before_found: u64,
    /// Cases submitted after the target, and found (must be 0).
    pub after_submitted: u64,
    /// Of them, found.
    pub after_found: u64,
    /// Cases in the restored database.
    pub cases: i64,
    /// `verify` on the scratch cluster: its summary.
    pub verify: String,
    /// True when no check failed.
    pub verify_passed: bool,
    /// The checkpoint signed before the target still checks there.
    pub checkpoint_holds: bool,
}

impl RestoreReport {
    /// True when the restore is what the target says and checks end to end.
    pub fn passed(&self) -> bool {
        self.before_found == self.before_submitted
            && self.after_found == 0
            && self.verify_passed
            && self.checkpoint_holds
    }
}

/// Runs the restore drill; `say` hears each step.
pub fn run(
    layout: &Layout,
    options: &RestoreOptions,
    mut say: impl FnMut(&str),
) -> Result<RestoreReport, DrillError> {
    monitor::wait_all_settled(layout, Duration::from_secs(60))?;
    let tool = Tool::find(layout)?;
    let config = DatabaseConfig::from_url(&layout.url(&options.database))
        .map_err(|e| DrillError::Other(e.to_string()))?;
    let compliance = crate::compliance_over(&config)?;
    if latest_label(&backup::info(layout, true)?).is_empty() {
        say("no backup yet: taking a full one");
        backup::backup(layout, Kind::Full)?;
    }
    let (checkpoint, public_key) = sign_now(&config, &options.database)?;
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let before = submit(&compliance, &format!("restore-{run}-before"), options.cases)?;
    std::thread::sleep(Duration::from_millis(500));
    let target = database_now(&config)?;
    std::thread::sleep(Duration::from_millis(500));
    let after = submit(&compliance, &format!("restore-{run}-after"), options.cases)?;
    say(&format!(
        "{} cases before {target}, {} after; archiving the WAL",
        before.len(),
        after.len()
    ));
    // Switches to a new WAL segment and waits until the last one is in the repository.
    pgbackrest(layout, &tool, "check", &[])?;
    let label = latest_label(&backup::info(layout, true)?);

    let scratch = layout.dir.join(format!("restore-{run}"));
    let port = layout.scratch_port();
    std::fs::create_dir_all(&scratch).map_err(|source| ClusterError::Io {
        what: format!("creating {}", scratch.display()),
        source,
    })?;
    tool.give(&scratch)?;
    say(&format!("restoring to {target} into {}", scratch.display()));
    let started = Instant::now();
    let pg1 = format!("--pg1-path={}", scratch.display());
    let target_arg = format!("--target={target}");
    pgbackrest(
        layout,
        &tool,
        "restore",
        &[&pg1, "--type=time", &target_arg, "--target-action=promote"],
    )?;
    let restore_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let scratch_db = Scratch::start(&tool, &scratch, port)?;
    let result = (|| {
        let restored = DatabaseConfig::from_url(&format!(
            "postgres://postgres@127.0.0.1:{port}/{}",
            options.database
        ))
        .map_err(|e| DrillError::Other(e.to_string()))?;
        wait_promoted(&restored)?;
        let recovery_seconds = started.elapsed().as_secs_f64();
        say("promoted at the target: checking");
        let report = crate::verify::verify(&restored, &crate::verify::VerifyOptions::default())
            .map_err(|e| DrillError::Other(e.to_string()))?;
        Ok(RestoreReport {
            target: target.clone(),
            backup: label.clone(),
            restore_seconds,
            recovery_seconds,
            before_submitted: before.len() as u64,
            before_found: present(&restored, &before)?,
            after_submitted: after.len() as u64,
            after_found: present(&restored, &after)?,
            cases: count_cases(&restored)?,
            verify: report.summary(),
            verify_passed: report.outcome != crate::verify::Outcome::Fail,
            checkpoint_holds: check_now(&restored, &checkpoint, &public_key)?,
        })
    })();
    scratch_db.stop(&tool);
    if !options.keep {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    result
}

/// Submits `n` new entities' cases (`prefix-0`...), each with its key; returns their ids.
fn submit(compliance: &Compliance, prefix: &str, n: u32) -> Result<Vec<uuid::Uuid>, DrillError> {
    let agent = compliance.in_process().system_agent()?;
    let template = super::drill::template()?;
    (0..n)
        .map(|i| {
            let name = format!("{prefix}-{i}");
            let mut case = template.clone();
            case.kyc.entity_id =
                EntityId::parse(&name).map_err(|e| DrillError::Other(e.to_string()))?;
            let key = IdempotencyKey::parse(&name).map_err(|e| DrillError::Other(e.to_string()))?;
            Ok(compliance
                .submit(&agent, &case, Some(&key))?
                .case
                .id
                .as_uuid())
        })
        .collect()
}

fn database_now(config: &DatabaseConfig) -> Result<String, DrillError> {
    #[derive(diesel::QueryableByName)]
    struct Now {
        #[diesel(sql_type = Text)]
        now: String,
    }
    let mut conn = compliance_persistence::connect(config).map_err(AppError::from)?;
    let now: Now = sql_query(
        "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00' AS now",
    )
    .get_result(&mut conn)
    .map_err(|e| AppError::from(compliance_persistence::PersistenceError::from(e)))?;
    Ok(now.now)
}

fn count_cases(config: &DatabaseConfig) -> Result<i64, DrillError> {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut conn = compliance_persistence::connect(config).map_err(AppError::from)?;
    let c: Count = sql_query("SELECT count(*) AS n FROM compliance_checks")
        .get_result(&mut conn)
        .map_err(|e| AppError::from(compliance_persistence::PersistenceError::from(e)))?;
    Ok(c.n)
}

/// Waits until the scratch cluster has left recovery (promoted at the target).
fn wait_promoted(config: &DatabaseConfig) -> Result<(), DrillError> {
    #[derive(diesel::QueryableByName)]
    struct Recovery {
        #[diesel(sql_type = Bool)]
        in_recovery: bool,
    }
    let started = Instant::now();
    loop {
        let state = compliance_persistence::connect(config)
            .ok()
            .and_then(|mut conn| {
                sql_query("SELECT pg_is_in_recovery() AS in_recovery")
                    .get_result::<Recovery>(&mut conn)
                    .ok()
            });
        if matches!(state, Some(Recovery { in_recovery: false })) {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(900) {
            return Err(DrillError::Other(
                "the restored cluster did not reach the target within 15 minutes (see its server.log)".into(),
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The label of the newest backup in pgBackRest's `info --output=json`.
fn latest_label(info: &str) -> String {
    serde_json::from_str::<serde_json::Value>(info)
        .ok()
        .and_then(|v| {
            v.get(0)?
                .get("backup")?
                .as_array()?
                .last()?
                .get("label")?
                .as_str()
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

/// The scratch cluster, started with `pg_ctl` as the servers' user.
struct Scratch {
    dir: std::path::PathBuf,
}

impl Scratch {
    fn start(tool: &Tool<'_>, dir: &std::path::Path, port: u16) -> Result<Self, DrillError> {
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} \
             -c archive_mode=off -c primary_conninfo= -c synchronous_standby_names= \
             -c shared_buffers=128MB -c logging_collector=off",
            dir.display()
        );
        let log = dir.with_extension("log");
        tool.run_program(
            "starting the restored cluster",
            &tool.bindir().join("pg_ctl"),
            &[
                "-D",
                &dir.display().to_string(),
                "-l",
                &log.display().to_string(),
                "-o",
                &options,
                "start",
            ],
        )?;
        Ok(Self {
            dir: dir.to_owned(),
        })
    }

    fn stop(self, tool: &Tool<'_>) {
        let _ = tool.run_program(
            "stopping the restored cluster",
            &tool.bindir().join("pg_ctl"),
            &[
                "-D",
                &self.dir.display().to_string(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
    }
}
