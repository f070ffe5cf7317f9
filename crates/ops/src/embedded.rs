//! The embedded PostgreSQL of a checkout: found binaries (or, when none is installed, binaries
//! fetched once into a per-user cache: [`fetch`]), `initdb` on first start, `pg_ctl`
//! start/stop/status, on 127.0.0.1 and a port of its own, trust authentication for local
//! connections only. When run as root, the server runs as the unprivileged `compliance-pg`
//! user (PostgreSQL refuses root), as `.ci/check-pg16` does. The state it records is what
//! [`compliance_persistence::embedded::resolve`] reads.
//!
//! Must not: download anything except through [`start`] and [`fetch`] (never [`launch`], which
//! tests use), touch a server it did not start, or run when a server is configured (callers
//! decide; `provision` starts it only when nothing is configured and nothing answers at
//! 127.0.0.1:5432).

mod binaries;
pub mod fetch;

pub use binaries::{find_binaries, find_or_fetch};

use compliance_persistence::embedded::{self, DEFAULT_PORT, State};
use fetch::{FetchError, Fetching};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The unprivileged user the server runs as when started by root.
pub const OWNER: &str = "compliance-pg";

/// Why the embedded server could not be started, stopped or asked.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    /// `COMPLIANCE_PG_BINDIR` names a directory without the server's binaries.
    #[error(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres) in COMPLIANCE_PG_BINDIR ({0}): set it to their directory, or unset it (installed ones are then found, or fetched when there are none), or install them (Debian/Ubuntu: `apt-get install postgresql`)"
    )]
    NoBinaries(String),
    /// No binaries are installed or cached (nothing was fetched: [`find_or_fetch`] fetches).
    #[error(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres) in /usr/lib/postgresql/*/bin, `pg_config --bindir`, PATH or {0}: `cargo xtask db fetch` fetches them there once (`cargo xtask db start` and `provision` do when they need them); or install them (Debian/Ubuntu: `apt-get install postgresql`) or set COMPLIANCE_PG_BINDIR to their directory"
    )]
    NotFound(String),
    /// No binaries are installed or cached, and none could be fetched.
    #[error(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres) in /usr/lib/postgresql/*/bin, `pg_config --bindir`, PATH or the cache, and they could not be fetched: {0}. Install them (Debian/Ubuntu: `apt-get install postgresql`; Fedora: `dnf install postgresql-server`; macOS: `brew install postgresql@16`) or set COMPLIANCE_PG_BINDIR to their directory; or point DATABASE_URL at a running server"
    )]
    Fetch(#[source] FetchError),
    /// Root's server user cannot run the binaries found (they are under a private directory).
    #[error(
        "{OWNER}, the unprivileged user the server runs as when started by root, cannot run {0}: put PostgreSQL's binaries where every user may read them (COMPLIANCE_PG_BINDIR, or COMPLIANCE_PG_CACHE for fetched ones)"
    )]
    Unreachable(String),
    /// The data directory was made by another major version than the binaries found.
    #[error(
        "the embedded data directory {data} was made by PostgreSQL {data_version}, the binaries found ({bin}) are {bin_version}: set COMPLIANCE_PG_BINDIR to PostgreSQL {data_version}'s, or remove the directory (`cargo xtask db stop`, then `rm -rf {data}`) to start afresh"
    )]
    Version {
        /// The data directory.
        data: String,
        /// Its version (`PG_VERSION`).
        data_version: String,
        /// The binaries' directory.
        bin: String,
        /// Their major version.
        bin_version: String,
    },
    /// A command failed.
    #[error("{what} failed: {detail}")]
    Command {
        /// What was run.
        what: String,
        /// Its status and the end of its output.
        detail: String,
    },
    /// A file or directory could not be made or read.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> EmbeddedError {
    let what = what.into();
    move |source| EmbeddedError::Io { what, source }
}

/// True when `dir` holds `initdb`, `pg_ctl` and `postgres`.
fn complete(dir: &Path) -> bool {
    ["initdb", "pg_ctl", "postgres"]
        .iter()
        .all(|b| dir.join(b).is_file())
}

fn run(command: &mut Command, what: &str) -> Result<Output, EmbeddedError> {
    let out = command.output().map_err(io(format!("running {what}")))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(EmbeddedError::Command {
            what: what.into(),
            detail: failure_detail(&out, 6),
        })
    }
}

/// A failed command's status and the last `lines` lines of its output, joined by ` / `.
pub(crate) fn failure_detail(out: &Output, lines: usize) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let tail: Vec<&str> = text.lines().rev().take(lines).collect();
    format!(
        "{}: {}",
        out.status,
        tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
    )
}

/// True when this process runs as root (its effective user id is 0).
pub(crate) fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|ids| ids.split_whitespace().nth(1).map(|e| e == "0"))
        })
        .unwrap_or_else(|| {
            Command::new("id")
                .arg("-u")
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        })
}

/// `program` run as `owner` (through `runuser`) when there is one, else as this process.
fn as_owner(owner: Option<&str>, program: &Path) -> Command {
    match owner {
        Some(user) => {
            let mut c = Command::new("runuser");
            c.args(["-u", user, "--"]).arg(program);
            c
        }
        None => Command::new(program),
    }
}

/// Creates the `compliance-pg` system user unless it exists; returns its uid and gid.
fn ensure_owner() -> Result<(u32, u32), EmbeddedError> {
    let ids = || -> Option<(u32, u32)> {
        let id = |flag: &str| {
            Command::new("id")
                .args([flag, OWNER])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        };
        Some((id("-u")?, id("-g")?))
    };
    if let Some(ids) = ids() {
        return Ok(ids);
    }
    run(
        Command::new("useradd").args([
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            OWNER,
        ]),
        &format!("useradd {OWNER} (the server refuses to run as root)"),
    )?;
    ids().ok_or_else(|| EmbeddedError::Command {
        what: format!("id {OWNER}"),
        detail: "the user was created but cannot be found".into(),
    })
}

/// Where the server's files go: `home()` itself, or, when the unprivileged owner cannot reach
/// it (a checkout under root's home), a directory of its own under /var/lib/compliance-db.
pub(crate) fn data_root(home: &Path, owner: Option<&str>) -> PathBuf {
    let Some(user) = owner else {
        return home.to_owned();
    };
    if may_execute(user, home) {
        home.to_owned()
    } else {
        let flat = home.to_string_lossy().replace('/', "_");
        Path::new("/var/lib/compliance-db").join(flat.trim_start_matches('_'))
    }
}

/// True when `user` may execute `path` (search it, for a directory).
fn may_execute(user: &str, path: &Path) -> bool {
    Command::new("runuser")
        .args(["-u", user, "--", "test", "-x"])
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

fn port_free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// The port to use: the one used last if free, else [`DEFAULT_PORT`] if free, else any free one.
fn choose_port(previous: Option<u16>) -> Result<u16, EmbeddedError> {
    if let Some(port) = previous.filter(|p| port_free(*p)) {
        return Ok(port);
    }
    if port_free(DEFAULT_PORT) {
        return Ok(DEFAULT_PORT);
    }
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(io("finding a free port on 127.0.0.1"))
}

/// What [`start`] did.
#[derive(Debug, Clone)]
pub struct Started {
    /// The server's state, as recorded.
    pub state: State,
    /// True when it was already running (nothing was done).
    pub already_running: bool,
    /// True when its data directory was created (`initdb`) by this start.
    pub initialized: bool,
    /// How long the start took (initdb included).
    pub elapsed: Duration,
}

/// `pg_ctl status`: true when the postmaster of `state`'s data directory runs.
fn postmaster_runs(state: &State) -> bool {
    state.data_dir.join("postmaster.pid").exists()
        && as_owner(state.owner.as_deref(), &state.bin_dir.join("pg_ctl"))
            .arg("status")
            .arg("-D")
            .arg(&state.data_dir)
            .output()
            .is_ok_and(|o| o.status.success())
}

/// Starts the embedded server unless it runs (initdb on first start) and records its state;
/// fetches the binaries first when none are installed or cached (`notice` is called before the
/// download: [`find_or_fetch`]).
pub fn start(notice: impl FnOnce(&Fetching)) -> Result<Started, EmbeddedError> {
    let mut began = Instant::now();
    let previous = State::load();
    if let Some(state) = previous
        .as_ref()
        .filter(|s| s.answers() && postmaster_runs(s))
    {
        return Ok(Started {
            state: state.clone(),
            already_running: true,
            initialized: false,
            elapsed: began.elapsed(),
        });
    }
    // A server left running from another network namespace: stop it before starting here.
    if let Some(state) = previous.as_ref().filter(|s| postmaster_runs(s)) {
        stop_state(state)?;
    }
    let bin_dir = find_or_fetch(notice)?;
    // A download is not the start's time (the target, under 10 s, is with binaries present).
    began = Instant::now();
    let home = embedded::home();
    let (state, initialized) = launch_with(&bin_dir, &home, previous.map(|s| s.port))?;
    state
        .save()
        .map_err(io(format!("writing {}", embedded::state_path().display())))?;
    Ok(Started {
        state,
        already_running: false,
        initialized,
        elapsed: began.elapsed(),
    })
}

/// Starts a server whose files are under `home` (initdb on its first start) on `previous_port`
/// if free, else on 5433 or any free port; as an unprivileged owner when this process is root.
/// Answers its state and whether `initdb` ran. Records nothing: [`start`] records the
/// checkout's server; a test that restarts a server of its own calls this and [`stop_state`].
/// Never downloads: the binaries are [`find_binaries`]'s.
pub fn launch(home: &Path, previous_port: Option<u16>) -> Result<(State, bool), EmbeddedError> {
    launch_with(&find_binaries()?, home, previous_port)
}

fn launch_with(
    bin_dir: &Path,
    home: &Path,
    previous_port: Option<u16>,
) -> Result<(State, bool), EmbeddedError> {
    let bin_dir = bin_dir.to_owned();
    let bin_version = binaries::major_version(&bin_dir)?;
    std::fs::create_dir_all(home).map_err(io(format!("creating {}", home.display())))?;
    let home = home.canonicalize().unwrap_or_else(|_| home.to_owned());
    let owner_ids = if is_root() {
        Some(ensure_owner()?)
    } else {
        None
    };
    let owner = owner_ids.map(|_| OWNER.to_owned());
    if owner.is_some() && !may_execute(OWNER, &bin_dir.join("postgres")) {
        return Err(EmbeddedError::Unreachable(bin_dir.display().to_string()));
    }
    let root = data_root(&home, owner.as_deref());
    let data_dir = root.join("pg");
    let run_dir = root.join("run");
    for dir in [&root, &data_dir, &run_dir] {
        std::fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
        if let Some((uid, gid)) = owner_ids {
            std::os::unix::fs::chown(dir, Some(uid), Some(gid))
                .map_err(io(format!("giving {} to {OWNER}", dir.display())))?;
        }
    }
    let initialized = !data_dir.join("PG_VERSION").exists();
    if initialized {
        initdb(&bin_dir, &data_dir, owner.as_deref())?;
    } else {
        let data_version = std::fs::read_to_string(data_dir.join("PG_VERSION"))
            .map_err(io("reading PG_VERSION"))?
            .trim()
            .to_owned();
        if data_version != bin_version {
            return Err(EmbeddedError::Version {
                data: data_dir.display().to_string(),
                data_version,
                bin: bin_dir.display().to_string(),
                bin_version,
            });
        }
    }
    let port = choose_port(previous_port)?;
    // A socket path longer than the kernel's 107 bytes cannot be used: TCP alone then.
    let socket_dir =
        (run_dir.join(format!(".s.PGSQL.{port}")).as_os_str().len() < 100).then_some(run_dir);
    let log = root.join("server.log");
    let options = format!(
        "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{}'",
        socket_dir
            .as_deref()
            .map(|d| d.display().to_string())
            .unwrap_or_default()
    );
    run(
        as_owner(owner.as_deref(), &bin_dir.join("pg_ctl"))
            .current_dir(&root)
            .arg("start")
            .args(["-w", "-t", "30", "-D"])
            .arg(&data_dir)
            .arg("-l")
            .arg(&log)
            .args(["-o", &options]),
        &format!("pg_ctl start (see {})", log.display()),
    )?;
    Ok((
        State {
            port,
            data_dir,
            socket_dir,
            log,
            bin_dir,
            owner,
        },
        initialized,
    ))
}

/// `initdb`: superuser `postgres`, trust authentication (the server listens on 127.0.0.1 and
/// its own socket only), UTF-8, no fsync of the new files (a development server).
fn initdb(bin_dir: &Path, data_dir: &Path, owner: Option<&str>) -> Result<(), EmbeddedError> {
    let attempt = |locale: &str| {
        run(
            as_owner(owner, &bin_dir.join("initdb"))
                .current_dir(data_dir)
                .arg("-D")
                .arg(data_dir)
                .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
                .arg(locale),
            "initdb",
        )
    };
    // C.UTF-8 where the C library has it (glibc does), else the plain C locale.
    attempt("--locale=C.UTF-8")
        .or_else(|_| attempt("--no-locale"))
        .map(drop)
}

/// Stops the server `state` records (fast shutdown: sessions are ended).
pub fn stop_state(state: &State) -> Result<(), EmbeddedError> {
    run(
        as_owner(state.owner.as_deref(), &state.bin_dir.join("pg_ctl"))
            .current_dir(state.data_dir.parent().unwrap_or(Path::new("/")))
            .args(["stop", "-w", "-m", "fast", "-D"])
            .arg(&state.data_dir),
        "pg_ctl stop",
    )
    .map(drop)
}

/// Stops the embedded server; `Ok(None)` when none was ever started, `Ok(Some(false))` when it
/// was not running.
pub fn stop() -> Result<Option<(State, bool)>, EmbeddedError> {
    let Some(state) = State::load() else {
        return Ok(None);
    };
    if !postmaster_runs(&state) {
        return Ok(Some((state, false)));
    }
    stop_state(&state)?;
    Ok(Some((state, true)))
}

/// What `cargo xtask db status` reports.
#[derive(Debug, Clone)]
pub struct Status {
    /// The recorded state, if the server was ever started.
    pub state: Option<State>,
    /// True when its postmaster runs.
    pub running: bool,
    /// True when it answers at its port from here.
    pub answers: bool,
    /// True when something answers at 127.0.0.1:5432 (commands with nothing configured then
    /// use that server, not this one).
    pub default_answers: bool,
    /// The binaries a start would use, or why there are none.
    pub binaries: Result<PathBuf, String>,
}

/// The embedded server's status.
pub fn status() -> Status {
    let state = State::load();
    let running = state.as_ref().is_some_and(postmaster_runs);
    Status {
        answers: state.as_ref().is_some_and(State::answers),
        running,
        state,
        default_answers: embedded::answers(compliance_persistence::defaults::PORT),
        binaries: binaries::described(),
    }
}
