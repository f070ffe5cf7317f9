//! Where `cluster reads --pin` puts each part of the measurement on a machine of two CPUs: which
//! node's server, and which of the client's threads, runs on which CPU ([`PinPlan`]), and the
//! pinning itself (`taskset`: a server's postmaster with every process it started, a thread by
//! its Linux thread id).
//!
//! Two CPUs cannot be five machines. With a read node, CPU 0 plays the machines that write (the
//! primary, the synchronous standby every commit waits for, the service's writers) and CPU 1 the
//! ones that report (the read node, the service's readers); without one, today's plan: each of
//! the pair's servers a CPU of its own, the client wherever the scheduler puts it.
//!
//! Must not: leave a server pinned after the measurement (`unpin_servers` gives every server
//! of the cluster every CPU back), or pin a process that is not a server of the cluster.

use super::super::{Instance, Layout};
use crate::cluster::drill::DrillError;
use std::process::Command;

/// One server and its CPU.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PinnedServer {
    /// The node (`node_a`, `node_b`, `node_r`).
    pub node: String,
    /// What it is during the measurement: `primary`, `synchronous standby` or `read node`.
    pub role: &'static str,
    /// The CPU its postmaster and every backend run on.
    pub cpu: usize,
}

/// Which CPU each part of the measurement runs on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PinPlan {
    /// Each node's server.
    pub servers: Vec<PinnedServer>,
    /// The writer threads' CPU (`None`: any).
    pub writers: Option<usize>,
    /// The reader threads' CPU in every phase with readers, wherever their reports are read
    /// (`None`: any).
    pub readers: Option<usize>,
}

impl PinPlan {
    /// The plan for a cluster whose primary is `primary`, its synchronous standby `standby`,
    /// and its read node `read_node` (if any).
    pub fn new(primary: &str, standby: &str, read_node: Option<&str>) -> Self {
        let server = |node: &str, role, cpu| PinnedServer {
            node: node.to_owned(),
            role,
            cpu,
        };
        match read_node {
            None => Self {
                servers: vec![
                    server(primary, "primary", 0),
                    server(standby, "synchronous standby", 1),
                ],
                writers: None,
                readers: None,
            },
            Some(read) => Self {
                servers: vec![
                    server(primary, "primary", 0),
                    server(standby, "synchronous standby", 0),
                    server(read, "read node", 1),
                ],
                writers: Some(0),
                readers: Some(1),
            },
        }
    }

    /// The plan in words, CPU by CPU, then what runs on any CPU (the pools' own threads: r2d2's,
    /// which open connections in the background).
    pub fn describe(&self) -> String {
        let mut cpus: Vec<usize> = self.servers.iter().map(|s| s.cpu).collect();
        cpus.extend(self.writers.iter().chain(&self.readers));
        cpus.sort_unstable();
        cpus.dedup();
        let clients = [
            (self.writers, "the writer threads"),
            (self.readers, "the reader threads"),
        ];
        let mut parts: Vec<String> = cpus
            .iter()
            .map(|cpu| {
                let on: Vec<String> = self
                    .servers
                    .iter()
                    .filter(|s| s.cpu == *cpu)
                    .map(|s| format!("{}'s server ({})", s.node, s.role))
                    .chain(
                        clients
                            .iter()
                            .filter(|(c, _)| *c == Some(*cpu))
                            .map(|(_, what)| (*what).to_owned()),
                    )
                    .collect();
                format!("CPU {cpu}: {}", on.join(", "))
            })
            .collect();
        let anywhere: Vec<&str> = clients
            .iter()
            .filter(|(c, _)| c.is_none())
            .map(|(_, what)| *what)
            .chain([
                "the monitor",
                "the pg_autoctl keepers",
                "the pools' own threads",
            ])
            .collect();
        parts.push(format!("any CPU: {}", anywhere.join(", ")));
        parts.join("; ")
    }
}

/// Pins each server of `plan` to its CPU.
pub(super) fn pin_servers(layout: &Layout, plan: &PinPlan) -> Result<(), DrillError> {
    for server in &plan.servers {
        let node = layout
            .all_nodes()
            .into_iter()
            .find(|n| n.name == server.node)
            .ok_or_else(|| DrillError::Other(format!("no node {} here", server.node)))?;
        pin_server(&node, &server.cpu.to_string())?;
    }
    Ok(())
}

/// Gives every server of the cluster the CPUs `0..cpus` again.
pub(super) fn unpin_servers(layout: &Layout, cpus: usize) -> Result<(), DrillError> {
    let all = format!("0-{}", cpus.saturating_sub(1));
    for node in layout.all_nodes() {
        pin_server(&node, &all)?;
    }
    Ok(())
}

/// Sets the CPUs of the server of `node`: its postmaster and every process it started (the
/// backends it forks later inherit them).
fn pin_server(node: &Instance, cpus: &str) -> Result<(), DrillError> {
    let pid_file = std::fs::read_to_string(node.data.join("postmaster.pid"))
        .map_err(|e| DrillError::Other(format!("{} has no postmaster.pid: {e}", node.name)))?;
    let postmaster = pid_file
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let children = Command::new("pgrep")
        .args(["-P", &postmaster])
        .output()
        .map_err(|e| DrillError::Other(format!("pgrep: {e}")))?;
    let children = String::from_utf8_lossy(&children.stdout).into_owned();
    for pid in std::iter::once(postmaster.as_str()).chain(children.split_whitespace()) {
        let set = taskset(&["-a", "-c", "-p", cpus, pid])?;
        // A backend that ended meanwhile is no longer there to pin.
        if !set.status.success() && pid == postmaster {
            return Err(DrillError::Other(format!(
                "taskset could not pin {}'s postmaster: {}",
                node.name,
                String::from_utf8_lossy(&set.stderr).trim()
            )));
        }
    }
    Ok(())
}

/// Pins the calling thread (alone: not its process) to `cpu`, by its Linux thread id; the pin
/// ends with the thread.
pub(super) fn pin_this_thread(cpu: usize) -> Result<(), String> {
    // `/proc/thread-self` links to `PID/task/TID`.
    let link = std::fs::read_link("/proc/thread-self")
        .map_err(|e| format!("reading /proc/thread-self: {e}"))?;
    let tid = thread_id(&link).ok_or_else(|| {
        format!(
            "/proc/thread-self links to {}, not PID/task/TID",
            link.display()
        )
    })?;
    let set =
        taskset(&["-c", "-p", &cpu.to_string(), &tid.to_string()]).map_err(|e| e.to_string())?;
    if set.status.success() {
        Ok(())
    } else {
        Err(format!(
            "taskset could not pin thread {tid} to CPU {cpu}: {}",
            String::from_utf8_lossy(&set.stderr).trim()
        ))
    }
}

/// The thread id in `/proc/thread-self`'s target, `PID/task/TID`.
fn thread_id(link: &std::path::Path) -> Option<u32> {
    let parts: Vec<&str> = link.to_str()?.split('/').collect();
    match parts.as_slice() {
        [pid, "task", tid] if pid.parse::<u32>().is_ok() => tid.parse().ok(),
        _ => None,
    }
}

fn taskset(args: &[&str]) -> Result<std::process::Output, DrillError> {
    Command::new("taskset")
        .args(args)
        .output()
        .map_err(|e| DrillError::Other(format!("taskset: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn with_a_read_node_the_writing_machines_share_cpu_0_and_the_reporting_ones_cpu_1() {
        let plan = PinPlan::new("node_b", "node_a", Some("node_r"));
        let servers: Vec<(&str, &str, usize)> = plan
            .servers
            .iter()
            .map(|s| (s.node.as_str(), s.role, s.cpu))
            .collect();
        assert_eq!(
            servers,
            [
                ("node_b", "primary", 0),
                ("node_a", "synchronous standby", 0),
                ("node_r", "read node", 1)
            ]
        );
        assert_eq!((plan.writers, plan.readers), (Some(0), Some(1)));
        assert_eq!(
            plan.describe(),
            "CPU 0: node_b's server (primary), node_a's server (synchronous standby), the writer threads; \
             CPU 1: node_r's server (read node), the reader threads; \
             any CPU: the monitor, the pg_autoctl keepers, the pools' own threads"
        );
    }

    #[test]
    fn without_a_read_node_each_server_has_a_cpu_and_the_client_runs_anywhere() {
        let plan = PinPlan::new("node_a", "node_b", None);
        assert_eq!(
            plan.servers
                .iter()
                .map(|s| (s.node.as_str(), s.cpu))
                .collect::<Vec<_>>(),
            [("node_a", 0), ("node_b", 1)]
        );
        assert_eq!((plan.writers, plan.readers), (None, None));
        assert_eq!(
            plan.describe(),
            "CPU 0: node_a's server (primary); CPU 1: node_b's server (synchronous standby); \
             any CPU: the writer threads, the reader threads, the monitor, the pg_autoctl keepers, \
             the pools' own threads"
        );
    }

    #[test]
    fn a_thread_is_named_by_the_last_part_of_its_proc_link() {
        assert_eq!(thread_id(Path::new("4242/task/4250")), Some(4250));
        assert_eq!(thread_id(Path::new("4242")), None);
        assert_eq!(thread_id(Path::new("self/task/4250")), None);
        assert_eq!(thread_id(Path::new("4242/task/x")), None);
    }

    /// The CPUs the `status` file of /proc allows (`0-1`).
    fn allowed(status: &str) -> Option<String> {
        std::fs::read_to_string(status)
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
            .map(|cpus| cpus.trim().to_owned())
    }

    #[test]
    fn this_thread_is_pinned_and_only_it() {
        // /proc/self/status: the process's main thread.
        let process = allowed("/proc/self/status");
        let in_thread = std::thread::spawn(|| {
            pin_this_thread(0).unwrap();
            allowed("/proc/thread-self/status")
        })
        .join()
        .unwrap();
        assert_eq!(in_thread.as_deref(), Some("0"));
        assert_eq!(allowed("/proc/self/status"), process);
    }
}
