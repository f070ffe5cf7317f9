//! The embedded default, resolved in one place: when no server is configured (no
//! `DATABASE_URL`, `DATABASE_HOST`, `DATABASE_PORT`, `DATABASE_USER` or `DATABASE_PASSWORD`)
//! and nothing answers at 127.0.0.1:5432, the private PostgreSQL that `cargo xtask db start`
//! (or `cargo xtask provision`) runs for this checkout is used, as its state file records it.
//! [`crate::DatabaseConfig::from_env`] asks [`resolve`]; xtask writes the state through
//! [`State::save`].
//!
//! Must not: start or stop anything (compliance-ops does), or replace a configured server: a
//! configured server that does not answer stays the configured one, and its error says so.

use serde::{Deserialize, Serialize};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

/// The local server's port, where a server that answers wins over the embedded one (also
/// [`crate::defaults::PORT`], which is defined as this).
pub const LOCAL_PORT: u16 = 5432;

/// The port the embedded server asks for first (another is chosen when it is taken).
pub const DEFAULT_PORT: u16 = 55432;

/// Where the embedded server keeps its state file (and, unless it runs as another user, its
/// data): `COMPLIANCE_EMBEDDED_DIR` if set, else `target/compliance-db` of the checkout this
/// crate was built from.
pub fn home() -> PathBuf {
    if let Some(dir) = std::env::var_os("COMPLIANCE_EMBEDDED_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    // crates/persistence -> the workspace root: a binary built from this checkout finds the
    // server of this checkout, wherever it is started from.
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join("target")
        .join("compliance-db")
}

/// The state file: `home()/state.json`.
pub fn state_path() -> PathBuf {
    home().join("state.json")
}

/// What the state file records about the embedded server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The TCP port on 127.0.0.1.
    pub port: u16,
    /// The data directory (`initdb`'s).
    pub data_dir: PathBuf,
    /// The Unix socket's directory, if it has one.
    pub socket_dir: Option<PathBuf>,
    /// The server's log file.
    pub log: PathBuf,
    /// The directory of the binaries it runs (`initdb`, `pg_ctl`, `postgres`).
    pub bin_dir: PathBuf,
    /// The operating-system user it runs as, when not the one who started it (root's case).
    pub owner: Option<String>,
}

impl State {
    /// The recorded state, if there is one that can be read.
    pub fn load() -> Option<Self> {
        let text = std::fs::read_to_string(state_path()).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Records the state (creating `home()` if need be).
    pub fn save(&self) -> std::io::Result<()> {
        std::fs::create_dir_all(home())?;
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(state_path(), text + "\n")
    }

    /// True when something accepts connections at its port.
    pub fn answers(&self) -> bool {
        answers(self.port)
    }

    /// Its connection URL for `database`, as the superuser `postgres` (trust authentication,
    /// 127.0.0.1 only).
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// The one line a command that uses it prints: where it runs and how to stop it.
    pub fn notice(&self) -> String {
        format!(
            "using the embedded PostgreSQL at 127.0.0.1:{} (data in {}); stop it with `cargo xtask db stop`",
            self.port,
            self.data_dir.display()
        )
    }
}

/// True when something accepts TCP connections at 127.0.0.1:`port` (within half a second).
pub fn answers(port: u16) -> bool {
    TcpStream::connect_timeout(
        &SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(500),
    )
    .is_ok()
}

/// True when something answers at 127.0.0.1:5432; asked once per process, since every
/// `from_env` of a test would otherwise knock at the developer's server again.
pub fn default_answers() -> bool {
    static ANSWERS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ANSWERS.get_or_init(|| answers(LOCAL_PORT))
}

/// The variables that name a server: when any is set, the server is configured and the
/// embedded default never applies. (`DATABASE_NAME`, the pool size and the session limits
/// apply to whichever server is used.)
pub const SERVER_VARIABLES: [&str; 5] = [
    "DATABASE_URL",
    "DATABASE_HOST",
    "DATABASE_PORT",
    "DATABASE_USER",
    "DATABASE_PASSWORD",
];

/// True when one of [`SERVER_VARIABLES`] is set (non-empty).
pub fn server_configured(lookup: impl Fn(&str) -> Option<String>) -> bool {
    SERVER_VARIABLES.iter().any(|name| lookup(name).is_some())
}

/// Why the default server is not the one to use, if it is not: the embedded server applies
/// when nothing is configured and nothing answers at 127.0.0.1:5432.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// A server is configured: it is used, answering or not.
    Configured,
    /// Nothing is configured and the local server answers at 127.0.0.1:5432: it is used.
    Default,
    /// Nothing is configured, nothing answers at 5432, and the embedded server runs.
    Embedded(State),
    /// Nothing is configured, nothing answers at 5432, and no embedded server runs (`state`
    /// is the stopped one's, if one was ever started).
    Nothing(Option<State>),
}

/// Which server a command with these variables uses (see [`Resolution`]).
pub fn resolve(lookup: impl Fn(&str) -> Option<String>) -> Resolution {
    if server_configured(lookup) {
        return Resolution::Configured;
    }
    if default_answers() {
        return Resolution::Default;
    }
    match State::load() {
        Some(state) if state.answers() => Resolution::Embedded(state),
        other => Resolution::Nothing(other),
    }
}

/// Prints `state`'s notice on stderr, once per process.
pub(crate) fn announce(state: &State) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // The one line every command that uses the embedded server prints, whatever binary it is.
    ONCE.call_once(|| eprintln!("{}", state.notice()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_server_variable_configures_a_server_and_the_others_do_not() {
        for name in SERVER_VARIABLES {
            assert!(
                server_configured(|n| (n == name).then(|| "x".into())),
                "{name}"
            );
        }
        for name in [
            "DATABASE_NAME",
            "DATABASE_POOL_MAX",
            "DATABASE_LOCK_TIMEOUT",
        ] {
            assert!(
                !server_configured(|n| (n == name).then(|| "x".into())),
                "{name}"
            );
        }
        assert_eq!(
            resolve(|n| (n == "DATABASE_HOST").then(|| "db.internal".into())),
            Resolution::Configured
        );
    }

    #[test]
    fn the_state_round_trips_and_its_url_is_local_and_has_no_password() {
        let state = State {
            port: 55_432,
            data_dir: "/x/pg".into(),
            socket_dir: None,
            log: "/x/server.log".into(),
            bin_dir: "/usr/lib/postgresql/15/bin".into(),
            owner: Some("compliance-pg".into()),
        };
        let text = serde_json::to_string(&state).unwrap_or_default();
        assert_eq!(
            serde_json::from_str::<State>(&text).ok(),
            Some(state.clone())
        );
        assert_eq!(
            state.url("compliance_db"),
            "postgres://postgres@127.0.0.1:55432/compliance_db"
        );
        assert!(state.notice().contains("cargo xtask db stop"));
    }
}
