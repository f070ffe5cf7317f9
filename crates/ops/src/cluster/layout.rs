//! Where a cluster lives: its directory, its consecutive ports (the monitor's, then each
//! node's), each instance's data directory, and the URLs that reach them: read-write for the
//! service, for reports a read node or else whichever node is the standby.
//!
//! Must not: start, stop or query anything (this is names and numbers; [`super::autoctl`] and
//! [`super::monitor`] do the work).

use std::path::{Path, PathBuf};

/// The file that marks a directory as a cluster made here (its layout, as JSON).
pub const MARKER: &str = "compliance-cluster.json";

/// The first port when none is given: the monitor's; the nodes take the next ones.
pub const DEFAULT_BASE_PORT: u16 = 5441;

/// The name of the read node in pg_auto_failover (`r` for reads), beside `node_a` and `node_b`.
pub const READ_NODE: &str = "node_r";

/// One PostgreSQL instance of the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// `monitor`, `node_a`, `node_b` or [`READ_NODE`] (the node's name in pg_auto_failover).
    pub name: &'static str,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Its data directory.
    pub data: PathBuf,
}

/// Where the cluster lives: a directory and consecutive ports (the monitor's, node_a's,
/// node_b's, and with a read node, node_r's).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Layout {
    /// The directory holding the data directories, their logs and pg_autoctl's files.
    pub dir: PathBuf,
    /// The monitor's port; the nodes listen on the next ones.
    pub base_port: u16,
    /// A third node for reports: outside the synchronous quorum (no commit waits for it) and
    /// never a candidate for promotion. Absent from the markers of clusters made before it
    /// existed: none.
    #[serde(default)]
    pub read_node: bool,
}

impl Layout {
    /// The cluster in `dir` on ports from `base_port`, without a read node.
    pub fn new(dir: PathBuf, base_port: u16) -> Self {
        Self {
            dir,
            base_port,
            read_node: false,
        }
    }

    /// The default directory: `COMPLIANCE_CLUSTER_DIR`, else `target/compliance-cluster` of
    /// this checkout (or, when the `postgres` user cannot reach it, a directory of its own under
    /// /var/lib/compliance-db).
    pub fn default_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("COMPLIANCE_CLUSTER_DIR").filter(|d| !d.is_empty()) {
            return PathBuf::from(dir);
        }
        let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let target = checkout.canonicalize().unwrap_or(checkout).join("target");
        crate::embedded::data_root(&target, super::autoctl::os_user().as_deref())
            .join("compliance-cluster")
    }

    /// The monitor.
    pub fn monitor(&self) -> Instance {
        self.instance("monitor", 0)
    }

    /// The two nodes that hold the data between them (a primary and its synchronous standby,
    /// either may be promoted), in the order the URL lists them.
    pub fn nodes(&self) -> [Instance; 2] {
        [self.instance("node_a", 1), self.instance("node_b", 2)]
    }

    /// The read node, on the port after node_b's, when the cluster has one.
    pub fn read_node(&self) -> Option<Instance> {
        self.read_node.then(|| self.instance(READ_NODE, 3))
    }

    /// Every node: the two of [`Layout::nodes`], then the read node if any.
    pub fn all_nodes(&self) -> Vec<Instance> {
        self.nodes().into_iter().chain(self.read_node()).collect()
    }

    /// The order to stop the nodes in while the monitor runs: the read node, the pair's
    /// standby, and `primary` (the node the monitor last saw as primary, if known) last, so
    /// that the monitor never sees the primary gone while a standby it could promote is up.
    pub fn stop_order(&self, primary: Option<&str>) -> Vec<Instance> {
        let mut nodes = self.all_nodes();
        nodes.reverse();
        // A stable sort: the others keep the order above.
        nodes.sort_by_key(|n| Some(n.name) == primary);
        nodes
    }

    /// A free port after the cluster's own, for a scratch server (the restore drill's).
    pub fn scratch_port(&self) -> u16 {
        let nodes = u16::try_from(self.all_nodes().len()).unwrap_or(u16::MAX);
        self.base_port.saturating_add(nodes).saturating_add(1)
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
        self.pair_url(database, "read-write")
    }

    /// The URL for reports (`DATABASE_READ_URL`): the read node alone when there is one (should
    /// it be down, the service reads from the primary, never from the synchronous standby);
    /// else both nodes with `target_session_attrs=prefer-standby` (whichever is the standby, or
    /// the primary while there is none).
    pub fn read_url(&self, database: &str) -> String {
        match self.read_node() {
            Some(node) => self.node_url(&node, database),
            None => self.pair_url(database, "prefer-standby"),
        }
    }

    fn pair_url(&self, database: &str, attrs: &str) -> String {
        let [a, b] = self.nodes();
        format!(
            "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/{database}?target_session_attrs={attrs}",
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

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(read_node: bool) -> Layout {
        Layout {
            read_node,
            ..Layout::new(PathBuf::from("/c"), 5461)
        }
    }

    #[test]
    fn the_read_node_takes_the_port_after_the_standby_and_the_scratch_server_the_next() {
        let two = layout(false);
        assert_eq!(two.read_node(), None);
        assert_eq!(two.all_nodes(), two.nodes().to_vec());
        assert_eq!(two.scratch_port(), 5464);
        let three = layout(true);
        let ports: Vec<(&str, u16)> = std::iter::once(three.monitor())
            .chain(three.all_nodes())
            .map(|i| (i.name, i.port))
            .collect();
        assert_eq!(
            ports,
            [
                ("monitor", 5461),
                ("node_a", 5462),
                ("node_b", 5463),
                ("node_r", 5464)
            ]
        );
        assert_eq!(
            three.read_node().map(|n| n.data),
            Some(PathBuf::from("/c/node_r"))
        );
        assert_eq!(three.scratch_port(), 5465);
    }

    #[test]
    fn reports_read_from_the_read_node_alone_else_from_whichever_node_is_the_standby() {
        let pair = "postgres://postgres@127.0.0.1:5462,127.0.0.1:5463/db?target_session_attrs=";
        assert_eq!(
            layout(false).read_url("db"),
            format!("{pair}prefer-standby")
        );
        assert_eq!(
            layout(true).read_url("db"),
            "postgres://postgres@127.0.0.1:5464/db"
        );
        // The service's URL is the pair's, read-write, with a read node or without.
        for read_node in [false, true] {
            assert_eq!(layout(read_node).url("db"), format!("{pair}read-write"));
        }
    }

    #[test]
    fn the_primary_stops_last_and_the_read_node_first() {
        let names = |layout: &Layout, primary| -> Vec<&'static str> {
            layout.stop_order(primary).iter().map(|n| n.name).collect()
        };
        let three = layout(true);
        assert_eq!(
            names(&three, Some("node_a")),
            ["node_r", "node_b", "node_a"]
        );
        assert_eq!(
            names(&three, Some("node_b")),
            ["node_r", "node_a", "node_b"]
        );
        assert_eq!(names(&three, None), ["node_r", "node_b", "node_a"]);
        assert_eq!(names(&layout(false), Some("node_b")), ["node_a", "node_b"]);
    }

    #[test]
    fn a_marker_written_before_read_nodes_existed_reads_as_a_cluster_without_one() {
        let old: Layout = serde_json::from_str(r#"{"dir": "/c", "base_port": 5461}"#).unwrap();
        assert_eq!(old, layout(false));
        let text = serde_json::to_string(&layout(true)).unwrap();
        assert_eq!(serde_json::from_str::<Layout>(&text).unwrap(), layout(true));
    }
}
