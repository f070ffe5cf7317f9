//! A high-availability cluster on one machine, for development, tests and the failover drill:
//! a pg_auto_failover monitor and two PostgreSQL nodes (a primary and a synchronous standby),
//! local clusters on ports and data directories of their own, in the layout docs/operations.md
//! recommends for three machines. pg_auto_failover (Debian's `postgresql-15-auto-failover`,
//! `.ci/install-cluster`) does the replication and the failover; this module only drives its
//! `pg_autoctl` and reads its monitor. [`drill`] kills the primary under load and measures.
//!
//! When run as root, `pg_autoctl` and the servers run as the `postgres` OS user (PostgreSQL
//! refuses root, and only that user may write the socket directory /var/run/postgresql).
//!
//! Must not: touch a directory that is not a cluster of ours (`down --purge` removes only a
//! directory holding [`MARKER`]), or wait without a bound.

mod autoctl;
pub mod backup;
pub mod drill;
mod monitor;
pub mod reads;
pub mod restore;

pub use monitor::{Event, HEALTH_CHECKS, NODE_SETTINGS, NodeState};

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The file that marks a directory as a cluster made here (its layout, as JSON).
pub const MARKER: &str = "compliance-cluster.json";

/// The first of the three ports when none is given: the monitor's; the nodes take the next two.
pub const DEFAULT_BASE_PORT: u16 = 5441;

/// Why a cluster command failed.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// `pg_autoctl` is not installed.
    #[error(
        "pg_autoctl (pg_auto_failover) or pgbackrest is not installed: run `.ci/install-cluster` as root (it installs Debian's postgresql-15-auto-failover and pgbackrest), or `apt-get install postgresql-15-auto-failover pgbackrest`"
    )]
    NotInstalled,
    /// A command failed; `detail` is the end of its output.
    #[error("{what} failed: {detail}")]
    Command {
        /// The command, in words.
        what: String,
        /// Why.
        detail: String,
    },
    /// The cluster did not reach the expected state in time.
    #[error("{0}")]
    Timeout(String),
    /// The directory is not a cluster made here.
    #[error("{0} holds no {MARKER}: not a cluster made by `cargo xtask cluster up`, left alone")]
    NotOurs(PathBuf),
    /// Reading or writing a file.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The monitor or a node could not be queried.
    #[error(transparent)]
    Database(#[from] compliance_persistence::PersistenceError),
}

/// A result of this module.
pub type Result<T, E = ClusterError> = std::result::Result<T, E>;

/// One PostgreSQL instance of the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// `monitor`, `node_a` or `node_b` (the node's name in pg_auto_failover).
    pub name: &'static str,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Its data directory.
    pub data: PathBuf,
}

/// Where the cluster lives: a directory and three consecutive ports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Layout {
    /// The directory holding the three data directories, their logs and pg_autoctl's files.
    pub dir: PathBuf,
    /// The monitor's port; the nodes listen on the next two.
    pub base_port: u16,
}

impl Layout {
    /// The default directory: `COMPLIANCE_CLUSTER_DIR`, else `target/compliance-cluster` of
    /// this checkout (or, when the `postgres` user cannot reach it, a directory of its own under
    /// /var/lib/compliance-db).
    pub fn default_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("COMPLIANCE_CLUSTER_DIR").filter(|d| !d.is_empty()) {
            return PathBuf::from(dir);
        }
        let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let target = checkout.canonicalize().unwrap_or(checkout).join("target");
        crate::embedded::data_root(&target, autoctl::os_user().as_deref())
            .join("compliance-cluster")
    }

    /// The monitor.
    pub fn monitor(&self) -> Instance {
        self.instance("monitor", 0)
    }

    /// The two nodes, in the order the URL lists them.
    pub fn nodes(&self) -> [Instance; 2] {
        [self.instance("node_a", 1), self.instance("node_b", 2)]
    }

    fn instance(&self, name: &'static str, offset: u16) -> Instance {
        Instance {
            name,
            port: self.base_port.saturating_add(offset),
            data: self.dir.join(name),
        }
    }

    /// The URL the service uses: both nodes, `target_session_attrs=read-write` (libpq keeps
    /// whichever accepts writes, so that after a failover new connections reach the new primary).
    pub fn url(&self, database: &str) -> String {
        let [a, b] = self.nodes();
        format!(
            "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/{database}?target_session_attrs=read-write",
            a.port, b.port
        )
    }

    /// One node's own URL.
    pub fn node_url(&self, node: &Instance, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", node.port)
    }

    /// The monitor's database, as the nodes reach it.
    pub(crate) fn monitor_url(&self) -> String {
        format!(
            "postgres://autoctl_node@127.0.0.1:{}/pg_auto_failover?sslmode=disable",
            self.monitor().port
        )
    }

    /// True when `dir` holds a cluster made here.
    pub fn exists(&self) -> bool {
        self.dir.join(MARKER).is_file()
    }

    /// The layout recorded in `dir`, if a cluster was made there.
    pub fn recorded(dir: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(dir.join(MARKER)).ok()?;
        serde_json::from_str(&text).ok()
    }
}

/// What `up` did.
#[derive(Debug, Clone)]
pub struct Up {
    /// The nodes' states once both were settled.
    pub nodes: Vec<NodeState>,
    /// Seconds from the command's start until then.
    pub seconds: f64,
    /// True when the data directories were made now (false: an existing cluster restarted).
    pub created: bool,
}

/// Starts the cluster in `layout` (making it on first use: the monitor, then the primary,
/// then the standby, which pg_auto_failover clones from it), and waits until one node is
/// `primary` and the other `secondary` (a synchronous standby). `say` hears each step.
pub fn up(layout: &Layout, mut say: impl FnMut(&str)) -> Result<Up> {
    let started = Instant::now();
    let tool = autoctl::Tool::find(layout)?;
    tool.prepare_dir()?;
    let created = !layout.exists();
    // Ours from the start, so that `down --purge` cleans up after a failed first `up` too.
    tool.write_marker()?;
    let monitor = layout.monitor();
    if !tool.is_created(&monitor) {
        say(&format!("creating the monitor on port {}", monitor.port));
        tool.create_monitor(&monitor)?;
    }
    tool.ensure_running(&monitor)?;
    monitor::wait_answering(layout, Duration::from_secs(60))?;
    for (i, node) in layout.nodes().iter().enumerate() {
        let made_now = !tool.is_created(node);
        if made_now {
            say(&format!(
                "creating {} on port {} ({})",
                node.name,
                node.port,
                if i == 0 {
                    "the primary"
                } else {
                    "the standby, cloned from the primary"
                }
            ));
            tool.create_node(node)?;
        }
        tool.ensure_running(node)?;
        let [_, standby] = layout.nodes();
        if i == 0 && !backup::config_path(layout).is_file() && !tool.is_created(&standby) {
            // The standby is cloned from a primary that is ready, and archiving.
            monitor::wait_settled(layout, 1, Duration::from_secs(90))?;
            say("archiving the primary's WAL with pgBackRest (the primary restarts once, alone)");
            archive_from(layout, &tool, node)?;
        }
    }
    say("waiting for a primary and a synchronous standby");
    monitor::wait_nodes_answer(layout, Duration::from_secs(120))?;
    monitor::apply_settings(layout)?;
    let nodes = monitor::wait_settled(layout, 2, Duration::from_secs(120))?;
    Ok(Up {
        nodes,
        seconds: started.elapsed().as_secs_f64(),
        created,
    })
}

/// Turns WAL archiving on for the first node while it is alone (`archive_mode` needs a
/// restart, which a primary with a standby would turn into a failover), and creates
/// pgBackRest's stanza. The standby, cloned next, takes the same settings.
fn archive_from(layout: &Layout, tool: &autoctl::Tool<'_>, node: &Instance) -> Result<()> {
    backup::write_config(layout, tool)?;
    let command = backup::archive_command_literal(layout);
    let settings = [
        ("archive_mode", "on"),
        ("archive_command", command.as_str()),
        // At most a minute of commits only in a WAL segment not yet archived.
        ("archive_timeout", "60"),
        // The defaults pg_auto_failover computes for a whole machine (6 GB here): two nodes and
        // a monitor share this one.
        ("shared_buffers", "'256MB'"),
    ];
    monitor::wait_answer(layout, std::slice::from_ref(node), Duration::from_secs(60))?;
    monitor::set(&layout.node_url(node, "postgres"), &settings)?;
    tool.stop(node)?;
    tool.ensure_running(node)?;
    monitor::wait_answer(layout, std::slice::from_ref(node), Duration::from_secs(60))?;
    backup::create_stanza(layout, tool)
}

/// Stops the nodes, then the monitor (each `pg_autoctl stop`, waited for); with `purge`, then
/// removes the directory. Returns the instances that were running.
pub fn down(layout: &Layout, purge: bool) -> Result<Vec<&'static str>> {
    if !layout.exists() {
        if purge && layout.dir.exists() {
            return Err(ClusterError::NotOurs(layout.dir.clone()));
        }
        return Ok(Vec::new());
    }
    let tool = autoctl::Tool::find(layout)?;
    let mut stopped = Vec::new();
    let [a, b] = layout.nodes();
    for instance in [b, a, layout.monitor()] {
        if tool.stop(&instance)? {
            stopped.push(instance.name);
        }
    }
    if purge {
        std::fs::remove_dir_all(&layout.dir).map_err(|source| ClusterError::Io {
            what: format!("removing {}", layout.dir.display()),
            source,
        })?;
    }
    Ok(stopped)
}

/// The nodes' states as the monitor sees them (an error when the monitor does not answer).
pub fn status(layout: &Layout) -> Result<Vec<NodeState>> {
    monitor::states(layout)
}

/// What the drill kills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kill {
    /// The node's machine, as far as one machine can play it: its pg_autoctl keeper and its
    /// postmaster, SIGKILLed together, so that nothing restarts PostgreSQL or tells the monitor;
    /// the drill starts the keeper again once the standby is promoted (the machine is back),
    /// and the old primary rejoins as a standby.
    Node,
    /// The postmaster alone (SIGKILL): the node's keeper restarts it within seconds, and the
    /// monitor may fail over or may keep it as primary.
    Postmaster,
}

/// Kills `node` as `kill` says (SIGKILL: a crash, no shutdown checkpoint, no goodbye to the
/// standby); returns the postmaster's pid.
pub fn kill(layout: &Layout, node: &Instance, kill: Kill) -> Result<u32> {
    let tool = autoctl::Tool::find(layout)?;
    if kill == Kill::Node {
        tool.kill_keeper(node)?;
    }
    tool.kill_postmaster(node)
}

/// Starts the node's keeper again if it is not running (after [`Kill::Node`]).
pub fn restart(layout: &Layout, node: &Instance) -> Result<()> {
    autoctl::Tool::find(layout)?.ensure_running(node)
}
