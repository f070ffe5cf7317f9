//! Backups of the cluster with pgBackRest (Debian's `pgbackrest`, `.ci/install-cluster`): its
//! configuration in the cluster's directory (a repository there too, one stanza, `compliance`,
//! over both nodes: pgBackRest finds the primary), WAL archiving from whichever node is primary
//! (`archive_command` = `pgbackrest archive-push`, set when the primary is made, before the
//! standby is cloned from it), full, differential and incremental backups, and their list.
//! [`super::restore`] restores one to a point in time.
//!
//! Must not: write outside the cluster's directory, or run pgBackRest as root (it runs as the
//! servers' user, like them).

use super::autoctl::Tool;
use super::{ClusterError, Layout, Result};
use std::path::{Path, PathBuf};

/// The stanza: the one database cluster pgBackRest backs up.
pub const STANZA: &str = "compliance";

/// A backup's kind, as pgBackRest names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Everything.
    Full,
    /// What changed since the last full backup.
    Diff,
    /// What changed since the last backup of any kind.
    Incr,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Full => "full",
            Kind::Diff => "diff",
            Kind::Incr => "incr",
        }
    }
}

/// pgBackRest's configuration file.
pub fn config_path(layout: &Layout) -> PathBuf {
    layout.dir.join("pgbackrest.conf")
}

/// The `archive_command` the nodes run (the primary archives; a standby does not). pgBackRest
/// refuses to archive from a data directory other than its `pg1-path`, and both nodes run the
/// same command (the standby is a clone): the shell's `$PWD`, the server's data directory,
/// names it.
pub(super) fn archive_command(layout: &Layout) -> String {
    format!(
        "pgbackrest --config={} --stanza={STANZA} --pg1-path=\"$PWD\" archive-push %p",
        config_path(layout).display()
    )
}

/// The setting as an SQL literal, for `ALTER SYSTEM`.
pub(super) fn archive_command_literal(layout: &Layout) -> String {
    format!("'{}'", archive_command(layout).replace('\'', "''"))
}

/// Writes pgBackRest's configuration for the cluster (the repository, its logs and locks under
/// the cluster's directory; both nodes), owned by the servers' user.
pub(super) fn write_config(layout: &Layout, tool: &Tool<'_>) -> Result<()> {
    let dir = &layout.dir;
    let [a, b] = layout.nodes();
    let text = format!(
        "# Written by `cargo xtask cluster up`: pgBackRest for this cluster (docs/operations.md).\n\
         [global]\n\
         repo1-path={repo}\n\
         repo1-retention-full=2\n\
         log-path={logs}\n\
         lock-path={locks}\n\
         spool-path={spool}\n\
         start-fast=y\n\
         compress-type=lz4\n\
         log-level-console=warn\n\
         log-level-file=info\n\
         \n\
         [{STANZA}]\n\
         pg1-path={a_path}\n\
         pg1-port={a_port}\n\
         pg1-user=postgres\n\
         pg2-path={b_path}\n\
         pg2-port={b_port}\n\
         pg2-user=postgres\n",
        repo = dir.join("backup-repo").display(),
        logs = dir.join("backup-log").display(),
        locks = dir.join("backup-lock").display(),
        spool = dir.join("backup-spool").display(),
        a_path = a.data.display(),
        a_port = a.port,
        b_path = b.data.display(),
        b_port = b.port,
    );
    let path = config_path(layout);
    std::fs::write(&path, text).map_err(|source| ClusterError::Io {
        what: format!("writing {}", path.display()),
        source,
    })?;
    tool.give(&path)
}

/// Runs pgBackRest `command` for the stanza, with `extra` options; returns its stdout.
pub(super) fn pgbackrest(
    layout: &Layout,
    tool: &Tool<'_>,
    command: &str,
    extra: &[&str],
) -> Result<String> {
    let config = format!("--config={}", config_path(layout).display());
    let stanza = format!("--stanza={STANZA}");
    let mut args = vec![config.as_str(), stanza.as_str()];
    args.extend_from_slice(extra);
    args.push(command);
    let out = tool.run_program(
        &format!("pgbackrest {command}"),
        Path::new("/usr/bin/pgbackrest"),
        &args,
    )?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Creates the stanza (idempotent) and checks that the primary's WAL reaches the repository.
pub(super) fn create_stanza(layout: &Layout, tool: &Tool<'_>) -> Result<()> {
    pgbackrest(layout, tool, "stanza-create", &[])?;
    pgbackrest(layout, tool, "check", &[]).map(drop)
}

fn ready(layout: &Layout) -> Result<Tool<'_>> {
    if !config_path(layout).is_file() {
        return Err(ClusterError::Command {
            what: "a backup".into(),
            detail: format!(
                "the cluster in {} has no pgBackRest configuration (it was made before backups existed): `cargo xtask cluster down --purge`, then `cargo xtask cluster up`",
                layout.dir.display()
            ),
        });
    }
    if !Path::new("/usr/bin/pgbackrest").is_file() {
        return Err(ClusterError::NotInstalled);
    }
    Tool::find(layout)
}

/// Takes a backup of `kind` from the primary (a full one when there is none yet, whatever
/// `kind` says: pgBackRest's rule); returns pgBackRest's `info` afterwards.
pub fn backup(layout: &Layout, kind: Kind) -> Result<String> {
    let tool = ready(layout)?;
    pgbackrest(
        layout,
        &tool,
        "backup",
        &[&format!("--type={}", kind.as_str())],
    )?;
    pgbackrest(layout, &tool, "info", &[])
}

/// pgBackRest's `info` (text), or its JSON with `json`.
pub fn info(layout: &Layout, json: bool) -> Result<String> {
    let tool = ready(layout)?;
    pgbackrest(
        layout,
        &tool,
        "info",
        if json { &["--output=json"] } else { &[] },
    )
}
