//! The shared fixtures (`compliance_ops::testing`), as this test binary's `support`, and what
//! only this binary needs: a second compliance officer (four eyes), the SQLSTATE and constraint
//! of a refused statement, a log that the tests can read, and the service on a thread of its own.

pub use compliance_ops::testing::*;

use compliance_domain::input::NewUser;
use compliance_domain::{Email, Role, User, Username};
use compliance_persistence::diesel::{PgConnection, RunQueryDsl, sql_query};
use compliance_persistence::repo::users;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// Serves `compliance` as `compliance-api` does, on ephemeral ports, on a runtime thread of its
/// own: the API's address, and the metrics listener's when `with_metrics`.
pub fn serve_on_thread(
    compliance: compliance_app::Compliance,
    with_metrics: bool,
) -> (SocketAddr, Option<SocketAddr>) {
    let bind = || {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        listener
    };
    let api_listener = bind();
    let api_addr = api_listener.local_addr().unwrap();
    let metrics_listener = with_metrics.then(bind);
    let metrics_addr = metrics_listener.as_ref().map(|l| l.local_addr().unwrap());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .worker_threads(1)
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(api_listener).unwrap();
            let metrics = metrics_listener.map(|l| tokio::net::TcpListener::from_std(l).unwrap());
            compliance_server::api::serve_with_metrics(
                listener,
                metrics,
                compliance,
                Default::default(),
                std::future::pending(),
            )
            .await
            .unwrap();
        });
    });
    (api_addr, metrics_addr)
}

/// A second compliance officer, `second.officer`, created by the seed admin (four eyes need two).
pub fn second_officer(s: &Seeded) -> User {
    users::insert(
        &mut s.db.conn(),
        &NewUser {
            username: Username::parse("second.officer").unwrap(),
            email: Email::parse("second.officer@compliance.example").unwrap(),
            role: Role::ComplianceOfficer,
        },
        Some(s.users.admin.id),
    )
    .unwrap()
}

/// Why the database refused a statement: its SQLSTATE and the constraint it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The five-character SQLSTATE, e.g. `23001` (restrict_violation).
    pub sqlstate: String,
    /// The constraint (or the guard's name for it), if the error names one.
    pub constraint: Option<String>,
    /// The server's message.
    pub message: String,
}

/// Runs `sql`, which the database must refuse; panics if it succeeds or fails otherwise.
pub fn refusal(conn: &mut PgConnection, sql: &str) -> Refusal {
    match sql_query(sql).execute(conn) {
        Ok(n) => panic!("{sql}: accepted ({n} rows) where a refusal was expected"),
        Err(diesel::result::Error::DatabaseError(_, info)) => Refusal {
            sqlstate: info
                .sqlstate()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_else(|| panic!("{sql}: refused without a SQLSTATE: {}", info.message())),
            constraint: info.constraint_name().map(str::to_owned),
            message: info.message().to_owned(),
        },
        Err(other) => panic!("{sql}: failed but not as a database refusal: {other}"),
    }
}

/// What a `tracing` subscriber wrote: a buffer that `tracing_subscriber::fmt` writes to.
#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    /// A plain-text (no colour) subscriber that writes every event, at every level, here.
    pub fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync + 'static {
        let buffer = self.clone();
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || buffer.clone())
            .finish()
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
