//! What pg_auto_failover's monitor knows: each node's reported and assigned state
//! (`pgautofailover.node`) and the events of the state machine (`pgautofailover.event`), read
//! over SQL as the `autoctl_node` user the nodes themselves use.
//!
//! Must not: write to the monitor (pg_autoctl alone changes its state).

use super::{ClusterError, Layout, Result};
use chrono::{DateTime, Utc};
use compliance_persistence::diesel::sql_types::{BigInt, Bool, Integer, Text, Timestamptz};
use compliance_persistence::diesel::{PgConnection, RunQueryDsl, sql_query};
use compliance_persistence::{DatabaseConfig, connect};
use std::time::{Duration, Instant};

/// One node as the monitor sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, diesel::QueryableByName)]
pub struct NodeState {
    /// Its name (`node_a`, `node_b`).
    #[diesel(sql_type = Text)]
    pub name: String,
    /// Its port on 127.0.0.1.
    #[diesel(sql_type = Integer)]
    pub port: i32,
    /// The state it last reported (`primary`, `secondary`, `wait_primary`, `catchingup`...).
    #[diesel(sql_type = Text)]
    pub reported: String,
    /// The state the monitor assigned it.
    #[diesel(sql_type = Text)]
    pub assigned: String,
    /// Whether its PostgreSQL ran at its last report.
    #[diesel(sql_type = Bool)]
    pub running: bool,
    /// Its timeline and WAL position at its last report (`2: 0/3019008`).
    #[diesel(sql_type = Text)]
    pub position: String,
}

impl NodeState {
    /// True when it reports the state it was assigned, and that state is `state`.
    pub fn settled_as(&self, state: &str) -> bool {
        self.reported == state && self.assigned == state
    }
}

/// One event of the monitor's state machine.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, diesel::QueryableByName)]
pub struct Event {
    /// Its id (increasing).
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// When the monitor recorded it.
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
    /// The node it is about.
    #[diesel(sql_type = Text)]
    pub node: String,
    /// The node's reported state then.
    #[diesel(sql_type = Text)]
    pub reported: String,
    /// The node's assigned state then.
    #[diesel(sql_type = Text)]
    pub assigned: String,
}

fn monitor(layout: &Layout) -> Result<PgConnection> {
    let config =
        DatabaseConfig::from_url(&layout.monitor_url()).map_err(|e| ClusterError::Command {
            what: "the monitor's URL".into(),
            detail: e.to_string(),
        })?;
    Ok(connect(&config)?)
}

/// The nodes, by name.
pub(super) fn states(layout: &Layout) -> Result<Vec<NodeState>> {
    let mut conn = monitor(layout)?;
    Ok(sql_query(
        "SELECT nodename AS name, nodeport AS port, reportedstate::text AS reported, \
                goalstate::text AS assigned, coalesce(reportedpgisrunning, false) AS running, \
                reportedtli || ': ' || reportedlsn AS position \
         FROM pgautofailover.node WHERE formationid = 'default' ORDER BY nodename",
    )
    .load(&mut conn)
    .map_err(compliance_persistence::PersistenceError::from)?)
}

/// The events after `after` (an event id; 0 for all), oldest first.
pub fn events_after(layout: &Layout, after: i64) -> Result<Vec<Event>> {
    let mut conn = monitor(layout)?;
    Ok(sql_query(
        "SELECT eventid AS id, eventtime AS at, nodename AS node, \
                reportedstate::text AS reported, goalstate::text AS assigned \
         FROM pgautofailover.event WHERE formationid = 'default' AND eventid > $1 ORDER BY eventid",
    )
    .bind::<BigInt, _>(after)
    .load(&mut conn)
    .map_err(compliance_persistence::PersistenceError::from)?)
}

/// The monitor's health checks, tightened from pg_auto_failover's defaults (a check every 5 s,
/// 2 retries 2 s apart, a node unhealthy after 20 s, 30 s for a lost primary to demote itself)
/// so that a dead primary is replaced in seconds, as docs/operations.md explains: with a
/// synchronous standby, an old primary that is only cut off cannot acknowledge a commit the
/// standby lacks, so a short demote timeout loses nothing acknowledged.
pub const HEALTH_CHECKS: [(&str, &str); 6] = [
    ("pgautofailover.health_check_period", "1000"),
    ("pgautofailover.health_check_timeout", "1000"),
    ("pgautofailover.health_check_max_retries", "1"),
    ("pgautofailover.health_check_retry_delay", "500"),
    ("pgautofailover.node_considered_unhealthy_timeout", "2000"),
    ("pgautofailover.primary_demote_timeout", "3000"),
];

/// The nodes' own settings: checkpoints at least every 30 s (the default is 5 min, spread over
/// 4.5), because an old primary that pg_rewind cannot bring back rejoins by a fresh clone, and
/// the clone waits for the primary's next checkpoint.
pub const NODE_SETTINGS: [(&str, &str); 1] = [("checkpoint_timeout", "'30s'")];

/// Sets [`HEALTH_CHECKS`] on the monitor and [`NODE_SETTINGS`] on each node, the read node
/// included (`ALTER SYSTEM`, then a reload; a standby takes them too). pg_auto_failover itself
/// sets `hot_standby_feedback = on` on every node, which a read node's long reports want.
pub(super) fn apply_settings(layout: &Layout) -> Result<()> {
    let monitor = format!(
        "postgres://postgres@127.0.0.1:{}/pg_auto_failover",
        layout.monitor().port
    );
    set(&monitor, &HEALTH_CHECKS)?;
    let archive = super::backup::config_path(layout)
        .is_file()
        .then(|| super::backup::archive_command_literal(layout));
    for node in layout.all_nodes() {
        let url = layout.node_url(&node, "postgres");
        set(&url, &NODE_SETTINGS)?;
        if let Some(command) = &archive {
            set(&url, &[("archive_command", command.as_str())])?;
        }
    }
    Ok(())
}

/// `ALTER SYSTEM SET` each of `settings` (values as SQL literals) on the server at `url`, then
/// a reload.
pub(super) fn set(url: &str, settings: &[(&str, &str)]) -> Result<()> {
    let config = DatabaseConfig::from_url(url).map_err(|e| ClusterError::Command {
        what: "a cluster URL".into(),
        detail: e.to_string(),
    })?;
    let mut conn = connect(&config)?;
    for (name, value) in settings {
        // Names are constants; values are constants or quoted by the caller, never input.
        sql_query(format!("ALTER SYSTEM SET {name} = {value}"))
            .execute(&mut conn)
            .map_err(compliance_persistence::PersistenceError::from)?;
    }
    sql_query("SELECT pg_reload_conf()")
        .execute(&mut conn)
        .map_err(compliance_persistence::PersistenceError::from)?;
    Ok(())
}

/// Waits until the monitor accepts connections.
pub(super) fn wait_answering(layout: &Layout, within: Duration) -> Result<()> {
    let started = Instant::now();
    loop {
        match monitor(layout) {
            Ok(_) => return Ok(()),
            Err(e) if started.elapsed() >= within => {
                return Err(ClusterError::Timeout(format!(
                    "the monitor did not answer within {} s (see monitor.log): {e}",
                    within.as_secs()
                )));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

/// Waits until `nodes` nodes are registered and settled: one alone as `single` (or
/// `primary`), more as one `primary` and the others `secondary`.
pub(super) fn wait_settled(
    layout: &Layout,
    nodes: usize,
    within: Duration,
) -> Result<Vec<NodeState>> {
    let started = Instant::now();
    loop {
        let states = states(layout).unwrap_or_default();
        let settled = |s: &str| states.iter().filter(|n| n.settled_as(s)).count();
        let done = match nodes {
            1 => states.len() == 1 && settled("single") + settled("primary") == 1,
            _ => {
                states.len() == nodes
                    && settled("primary") == 1
                    && settled("secondary") == nodes - 1
            }
        };
        if done {
            return Ok(states);
        }
        if started.elapsed() >= within {
            let seen: Vec<String> = states
                .iter()
                .map(|n| format!("{} {} (assigned {})", n.name, n.reported, n.assigned))
                .collect();
            return Err(ClusterError::Timeout(format!(
                "the cluster did not settle within {} s: {} (see the logs in the cluster's directory)",
                within.as_secs(),
                if seen.is_empty() {
                    "no node registered".into()
                } else {
                    seen.join(", ")
                }
            )));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Waits until every node accepts connections (after a restart, the monitor still shows the
/// states the nodes reported before they stopped).
pub(super) fn wait_nodes_answer(layout: &Layout, within: Duration) -> Result<()> {
    wait_answer(layout, &layout.all_nodes(), within)
}

/// Waits until each of `nodes` accepts connections.
pub(super) fn wait_answer(
    layout: &Layout,
    nodes: &[super::Instance],
    within: Duration,
) -> Result<()> {
    let started = Instant::now();
    for node in nodes.iter().cloned() {
        let config =
            DatabaseConfig::from_url(&layout.node_url(&node, "postgres")).map_err(|e| {
                ClusterError::Command {
                    what: format!("{}'s URL", node.name),
                    detail: e.to_string(),
                }
            })?;
        while let Err(e) = connect(&config) {
            if started.elapsed() >= within {
                return Err(ClusterError::Timeout(format!(
                    "{} did not accept connections within {} s (see {}.log): {e}",
                    node.name,
                    within.as_secs(),
                    node.name
                )));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    Ok(())
}

/// Waits until every node of the layout is registered and settled: one `primary`, the others
/// `secondary` (its synchronous standby, and the read node if any, streaming too); returns
/// their states (for the drill's rejoin, its error).
pub fn wait_all_settled(layout: &Layout, within: Duration) -> Result<Vec<NodeState>> {
    wait_settled(layout, layout.all_nodes().len(), within)
}
