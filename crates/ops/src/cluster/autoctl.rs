//! Running `pg_autoctl`: which binaries, as which OS user, with which environment; creating,
//! starting (detached, its log in the cluster's directory), stopping an instance.
//!
//! pg_autoctl keeps its configuration and state under `XDG_CONFIG_HOME`, `XDG_DATA_HOME` and
//! `XDG_RUNTIME_DIR`: they point into the cluster's directory, so that a stale file elsewhere
//! (`/tmp/pg_autoctl`) never breaks a run, and removing the directory removes everything.
//!
//! Must not: run a server as root, or pass a command line through a shell.

use super::{ClusterError, Instance, Layout, MARKER, READ_NODE, Result};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// What makes the read node a node for reads only: no commit waits for it (it is left out of
/// the primary's `synchronous_standby_names`) and the monitor never promotes it.
pub(super) const READ_NODE_OPTIONS: [&str; 4] =
    ["--replication-quorum", "false", "--candidate-priority", "0"];

/// The OS user the servers run as when this process is root.
const SERVER_USER: &str = "postgres";

/// The OS user to run pg_autoctl as: `postgres` when this process is root, else none (itself).
pub(super) fn os_user() -> Option<String> {
    crate::embedded::is_root().then(|| SERVER_USER.to_owned())
}

/// pg_autoctl, found, for one cluster.
pub(super) struct Tool<'a> {
    layout: &'a Layout,
    program: PathBuf,
    bindir: PathBuf,
    user: Option<String>,
}

impl<'a> Tool<'a> {
    /// pg_autoctl and the PostgreSQL binaries its extension was built for.
    pub(super) fn find(layout: &'a Layout) -> Result<Self> {
        let program = ["/usr/bin/pg_autoctl", "/usr/local/bin/pg_autoctl"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .ok_or(ClusterError::NotInstalled)?;
        Ok(Self {
            layout,
            program,
            bindir: bindir()?,
            user: os_user(),
        })
    }

    /// Makes the cluster's directory (owned by the server's user).
    pub(super) fn prepare_dir(&self) -> Result<()> {
        for dir in [&self.layout.dir, &self.layout.dir.join("run")] {
            std::fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
            self.give(dir)?;
        }
        Ok(())
    }

    /// Records the layout in the directory ([`MARKER`]).
    pub(super) fn write_marker(&self) -> Result<()> {
        let path = self.layout.dir.join(MARKER);
        let text = serde_json::to_string_pretty(self.layout).unwrap_or_default();
        std::fs::write(&path, text + "\n").map_err(io(format!("writing {}", path.display())))
    }

    /// True when the instance's data directory and pg_autoctl's configuration exist.
    pub(super) fn is_created(&self, instance: &Instance) -> bool {
        instance.data.join("PG_VERSION").is_file()
            && self
                .config_home()
                .join("pg_autoctl")
                .join(instance.data.strip_prefix("/").unwrap_or(&instance.data))
                .join("pg_autoctl.cfg")
                .is_file()
    }

    /// `pg_autoctl create monitor`.
    pub(super) fn create_monitor(&self, monitor: &Instance) -> Result<()> {
        let port = monitor.port.to_string();
        self.run_ok(
            &format!("creating the monitor ({})", monitor.data.display()),
            &[
                "create",
                "monitor",
                "--pgdata",
                &path(&monitor.data),
                "--pgport",
                &port,
                "--hostname",
                "127.0.0.1",
                "--auth",
                "trust",
                "--no-ssl",
                "--pgctl",
                &path(&self.bindir.join("pg_ctl")),
            ],
        )
    }

    /// `pg_autoctl create postgres`: the first node becomes the primary, the next a standby
    /// cloned from it (pg_basebackup), synchronous by default; the read node ([`READ_NODE`]) a
    /// standby cloned too, with [`READ_NODE_OPTIONS`].
    pub(super) fn create_node(&self, node: &Instance) -> Result<()> {
        let port = node.port.to_string();
        let pgdata = path(&node.data);
        let monitor = self.layout.monitor_url();
        let pgctl = path(&self.bindir.join("pg_ctl"));
        let mut args = vec![
            "create",
            "postgres",
            "--pgdata",
            &pgdata,
            "--pgport",
            &port,
            "--hostname",
            "127.0.0.1",
            "--name",
            node.name,
            "--auth",
            "trust",
            "--no-ssl",
            "--monitor",
            &monitor,
            "--pgctl",
            &pgctl,
        ];
        if node.name == READ_NODE {
            args.extend(READ_NODE_OPTIONS);
        }
        self.run_ok(
            &format!("creating {} ({})", node.name, node.data.display()),
            &args,
        )
    }

    /// True when the instance's pg_autoctl runs (`pg_autoctl status`).
    pub(super) fn is_running(&self, instance: &Instance) -> bool {
        self.command(&["status", "--pgdata", &path(&instance.data)])
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// Starts `pg_autoctl run` for the instance unless it runs: detached (a session of its own,
    /// so that it outlives this command), its output appended to `<name>.log`.
    pub(super) fn ensure_running(&self, instance: &Instance) -> Result<()> {
        if self.is_running(instance) {
            return Ok(());
        }
        let log_path = self.layout.dir.join(format!("{}.log", instance.name));
        let log = File::options()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(io(format!("opening {}", log_path.display())))?;
        let err = log.try_clone().map_err(io("duplicating the log".into()))?;
        let (program, args) = self.command_line(&["run", "--pgdata", &path(&instance.data)]);
        let mut setsid = Command::new("setsid");
        setsid
            .arg(program)
            .args(args)
            .current_dir(&self.layout.dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err);
        setsid
            .spawn()
            .map_err(io(format!("starting pg_autoctl run for {}", instance.name)))?;
        Ok(())
    }

    /// `pg_autoctl stop` (a fast shutdown), waited for; false when it was not running.
    pub(super) fn stop(&self, instance: &Instance) -> Result<bool> {
        if !self.is_running(instance) {
            return Ok(false);
        }
        self.run_ok(
            &format!("stopping {}", instance.name),
            &["stop", "--pgdata", &path(&instance.data)],
        )?;
        let started = Instant::now();
        // Until the keeper itself is gone (its pid file), not only PostgreSQL: a `run` started
        // while the old keeper still holds its pid file exits at once.
        while self.is_running(instance)
            || instance.data.join("postmaster.pid").exists()
            || self.keeper_pid_file(instance).exists()
        {
            if started.elapsed() > Duration::from_secs(60) {
                return Err(ClusterError::Timeout(format!(
                    "{} still runs 60 s after pg_autoctl stop (see {}.log)",
                    instance.name, instance.name
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(true)
    }

    /// SIGKILL to the instance's pg_autoctl and every process of its group (its supervisor,
    /// its services), which `ensure_running` started in a session of its own.
    pub(super) fn kill_keeper(&self, instance: &Instance) -> Result<()> {
        let pid = first_number(&self.keeper_pid_file(instance))?;
        // The process group of the session `setsid` made: runuser, pg_autoctl and its services.
        let group = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| s.rsplit_once(')').map(|(_, rest)| rest.to_owned()))
            .and_then(|rest| {
                rest.split_whitespace()
                    .nth(2)
                    .and_then(|g| g.parse::<u32>().ok())
            })
            .unwrap_or(pid);
        let out = Command::new("kill")
            .args(["-KILL", "--", &format!("-{group}")])
            .output()
            .map_err(io("running kill".into()))?;
        check(
            &format!("kill -KILL -{group} ({}'s pg_autoctl)", instance.name),
            &out,
        )
    }

    /// SIGKILL to the instance's postmaster (the first line of `postmaster.pid`).
    pub(super) fn kill_postmaster(&self, instance: &Instance) -> Result<u32> {
        let pid_file = instance.data.join("postmaster.pid");
        let pid = first_number(&pid_file)?;
        let out = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .output()
            .map_err(io("running kill".into()))?;
        check(&format!("kill -KILL {pid} ({})", instance.name), &out)?;
        Ok(pid)
    }

    /// The keeper's pid file (pg_autoctl's, under the cluster's `XDG_RUNTIME_DIR`).
    fn keeper_pid_file(&self, instance: &Instance) -> PathBuf {
        self.layout
            .dir
            .join("run/pg_autoctl")
            .join(instance.data.strip_prefix("/").unwrap_or(&instance.data))
            .join("pg_autoctl.pid")
    }

    fn config_home(&self) -> PathBuf {
        self.layout.dir.join("config")
    }

    /// The PostgreSQL binaries' directory.
    pub(super) fn bindir(&self) -> &Path {
        &self.bindir
    }

    /// Runs `program` with `args` as the servers' user, in the cluster's environment; an
    /// error names `what` and the end of its output when it fails.
    pub(super) fn run_program(&self, what: &str, program: &Path, args: &[&str]) -> Result<Output> {
        let (runner, all) = self.line_of(program, args);
        let out = Command::new(runner)
            .args(all)
            .current_dir(&self.layout.dir)
            .stdin(Stdio::null())
            .output()
            .map_err(io(format!("running {}", program.display())))?;
        check(what, &out)?;
        Ok(out)
    }

    /// The program and arguments that run pg_autoctl with `args`: through `runuser` as the
    /// server's user when root, with the cluster's XDG directories and the binaries on PATH.
    fn command_line(&self, args: &[&str]) -> (PathBuf, Vec<String>) {
        self.line_of(&self.program.clone(), args)
    }

    fn line_of(&self, program: &Path, args: &[&str]) -> (PathBuf, Vec<String>) {
        let dir = &self.layout.dir;
        let env_path = format!(
            "PATH={}:/usr/local/bin:/usr/bin:/bin",
            self.bindir.display()
        );
        let mut line: Vec<String> = vec![
            format!("XDG_CONFIG_HOME={}", path(&self.config_home())),
            format!("XDG_DATA_HOME={}", path(&dir.join("data"))),
            format!("XDG_RUNTIME_DIR={}", path(&dir.join("run"))),
            env_path,
            path(program),
        ];
        line.extend(args.iter().map(|a| (*a).to_owned()));
        match &self.user {
            Some(user) => {
                let mut all = vec![
                    "-u".to_owned(),
                    user.clone(),
                    "--".to_owned(),
                    "env".to_owned(),
                ];
                all.extend(line);
                (PathBuf::from("runuser"), all)
            }
            None => (PathBuf::from("env"), line),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let (program, args) = self.command_line(args);
        let mut c = Command::new(program);
        c.args(args)
            .current_dir(&self.layout.dir)
            .stdin(Stdio::null());
        c
    }

    fn run_ok(&self, what: &str, args: &[&str]) -> Result<()> {
        let out = self
            .command(args)
            .output()
            .map_err(io(format!("running pg_autoctl for {what}")))?;
        check(what, &out)
    }

    /// Gives `dir` (or a file) to the server's user when root.
    pub(super) fn give(&self, dir: &Path) -> Result<()> {
        let Some(user) = &self.user else {
            return Ok(());
        };
        let out = Command::new("chown")
            .args([&format!("{user}:"), &path(dir)])
            .output()
            .map_err(io("running chown".into()))?;
        check(&format!("chown {user} {}", dir.display()), &out)
    }
}

/// The number on the first line of a pid file.
fn first_number(pid_file: &Path) -> Result<u32> {
    std::fs::read_to_string(pid_file)
        .map_err(io(format!("reading {}", pid_file.display())))?
        .lines()
        .next()
        .and_then(|l| l.trim().parse().ok())
        .ok_or_else(|| ClusterError::Command {
            what: format!("reading {}", pid_file.display()),
            detail: "no pid on its first line".into(),
        })
}

/// The binaries of the PostgreSQL version pg_auto_failover's extension is installed for.
fn bindir() -> Result<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| ClusterError::NotInstalled)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|v| v.join("lib/pgautofailover.so").is_file() && v.join("bin/pg_ctl").is_file())
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|v| v.join("bin"))
        .ok_or(ClusterError::NotInstalled)
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

fn io(what: String) -> impl FnOnce(std::io::Error) -> ClusterError {
    move |source| ClusterError::Io { what, source }
}

/// An error naming the command and the last lines of its output when it failed.
fn check(what: &str, out: &Output) -> Result<()> {
    if out.status.success() {
        return Ok(());
    }
    Err(ClusterError::Command {
        what: what.to_owned(),
        detail: crate::embedded::failure_detail(out, 4),
    })
}
