//! A high-availability cluster on one machine, for development, tests and the failover drill:
//! a pg_auto_failover monitor and two PostgreSQL nodes (a primary and a synchronous standby),
//! and optionally a third for reports (outside the synchronous quorum, never promoted), local
//! clusters on ports and data directories of their own ([`Layout`]), in the layout
//! docs/operations.md recommends for separate machines. pg_auto_failover (Debian's `postgresql-15-auto-failover`,
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
mod layout;
mod monitor;
pub mod reads;
pub mod restore;

pub use layout::{DEFAULT_BASE_PORT, Instance, Layout, MARKER, READ_NODE};
pub use monitor::{Event, HEALTH_CHECKS, NODE_SETTINGS, NodeState};

use std::path::PathBuf;
use std::time::{Duration, Instant};

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
/// then the standby, which pg_auto_failover clones from it, then with [`Layout::read_node`] the
/// read node, cloned too; a read node is added to a cluster made without one), and waits until
/// one node is `primary` and the others `secondary` (node_a or node_b a synchronous standby,
/// the read node an asynchronous one). `say` hears each step.
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
    monitor::wait_answer(layout, &layout.nodes(), Duration::from_secs(120))?;
    if let Some(read) = layout.read_node() {
        if !tool.is_created(&read) {
            // Registered once the pair is settled, so that it clones a primary that is ready.
            monitor::wait_settled(layout, 2, Duration::from_secs(120))?;
            say(&format!(
                "creating {} on port {} (the read node: cloned from the primary, outside the synchronous quorum, never promoted)",
                read.name, read.port
            ));
            tool.create_node(&read)?;
        }
        tool.ensure_running(&read)?;
    }
    monitor::wait_nodes_answer(layout, Duration::from_secs(120))?;
    // A cluster started again may resume what its monitor set in motion when its nodes
    // stopped (a failover with no node to promote); the keepers restart their servers on the
    // way, so the settings wait until every node reports what it was assigned.
    monitor::wait_all_settled(layout, Duration::from_secs(120))?;
    monitor::apply_settings(layout)?;
    let nodes = monitor::wait_all_settled(layout, Duration::from_secs(120))?;
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

/// Stops the nodes in [`Layout::stop_order`], then the monitor (each `pg_autoctl stop`,
/// waited for); with `purge`, then removes the directory. Returns the instances that were
/// running.
pub fn down(layout: &Layout, purge: bool) -> Result<Vec<&'static str>> {
    if !layout.exists() {
        if purge && layout.dir.exists() {
            return Err(ClusterError::NotOurs(layout.dir.clone()));
        }
        return Ok(Vec::new());
    }
    let tool = autoctl::Tool::find(layout)?;
    let mut stopped = Vec::new();
    let primary = monitor::states(layout).ok().and_then(|states| {
        states
            .into_iter()
            .find(|n| matches!(n.reported.as_str(), "primary" | "wait_primary" | "single"))
            .map(|n| n.name)
    });
    let mut instances = layout.stop_order(primary.as_deref());
    instances.push(layout.monitor());
    for instance in instances {
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
