//! `GET /api/v1/health` through a real HTTP server: connected, behind on migrations, down, and
//! back up again without a restart. The database goes down and up behind a TCP proxy that the
//! test opens and closes.

use crate::support::{ReadOnlyRole, compliance_for, migrations_known};
use compliance_app::Compliance;
use compliance_ops::compliance_over;
use compliance_persistence::DatabaseConfig;
use compliance_persistence::testing::{TestDatabase, server};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Serves the API over `compliance` on an ephemeral port, on its own runtime thread.
fn serve(compliance: Compliance) -> SocketAddr {
    crate::support::serve_on_thread(compliance, false).0
}

/// `GET /api/v1/health`: the status code and the JSON body.
fn get_health(addr: SocketAddr) -> (u16, serde_json::Value) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let code: u16 = response.split(' ').nth(1).unwrap().parse().unwrap();
    let body = response.split("\r\n\r\n").nth(1).unwrap();
    (
        code,
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}")),
    )
}

/// The health body is public: it has no `target`, and none of its keys or texts names the
/// database's host, port, name or user (nor does a number other than the latency equal the
/// port).
fn assert_names_no_target(
    body: &serde_json::Value,
    host: &str,
    port: u16,
    database: &str,
    user: &str,
) {
    fn walk(value: &serde_json::Value, key: &str, texts: &mut Vec<String>, numbers: &mut Vec<u64>) {
        match value {
            serde_json::Value::String(text) => texts.push(text.clone()),
            serde_json::Value::Number(n) if key != "latency_us" => {
                numbers.extend(n.as_u64());
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    walk(item, key, texts, numbers);
                }
            }
            serde_json::Value::Object(fields) => {
                for (name, field) in fields {
                    texts.push(name.clone());
                    walk(field, name, texts, numbers);
                }
            }
            _ => {}
        }
    }
    assert!(body.get("target").is_none(), "{body}");
    let (mut texts, mut numbers) = (Vec::new(), Vec::new());
    walk(body, "", &mut texts, &mut numbers);
    let port_text = port.to_string();
    for secret in [host, port_text.as_str(), database, user] {
        assert!(
            texts.iter().all(|t| !t.contains(secret)),
            "{secret:?} in {body}"
        );
    }
    assert!(
        !numbers.contains(&u64::from(port)),
        "the port {port} in {body}"
    );
}

#[test]
fn a_migrated_database_is_connected_and_ok() {
    let db = TestDatabase::new();
    let addr = serve(compliance_for(&db));
    let (code, body) = get_health(addr);
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "connected");
    assert_eq!(body["migrations"]["pending"], 0);
    assert_eq!(body["migrations"]["applied"], migrations_known());
    assert_eq!(body["pool"]["max"], 20);
    assert!(body["latency_us"].as_u64().is_some());
    // Public: no connection target, and nothing of one (issue 17, defect 4).
    let server = server();
    assert_names_no_target(
        &body,
        &server.host(),
        server.port(),
        db.name(),
        &server.user(),
    );
}

#[test]
fn pending_migrations_are_degraded_but_connected() {
    let db = TestDatabase::empty();
    let (code, body) = get_health(serve(compliance_for(&db)));
    assert_eq!(code, 503, "{body}");
    assert_eq!(
        (body["status"].as_str(), body["database"].as_str()),
        (Some("degraded"), Some("connected"))
    );
    assert_eq!(body["migrations"]["pending"], migrations_known());
    assert_eq!(body["error"], "migrations_pending");
    assert_eq!(
        body["hint"],
        format!(
            "{} migration(s) pending: run cargo xtask provision",
            migrations_known()
        )
    );
}

#[test]
fn the_503_body_names_a_category_never_the_drivers_text_or_the_password() {
    use compliance_persistence::testing::PasswordCatcher;
    // A server that repeats the password in its refusal, as a careless one might.
    let catcher = PasswordCatcher::start("password authentication failed: you sent {password}");
    let mut config = DatabaseConfig::from_parts(
        "127.0.0.1",
        catcher.port(),
        "compliance_db",
        "app",
        Some("hunter2%zz"),
    )
    .unwrap();
    config.connect_timeout = Duration::from_secs(2);
    let (code, body) = get_health(serve(compliance_over(&config).unwrap()));
    assert_eq!(code, 503, "{body}");
    assert_eq!(catcher.passwords().last().unwrap(), "hunter2%zz");
    assert_eq!(
        (body["database"].as_str(), body["error"].as_str()),
        (Some("unreachable"), Some("unreachable"))
    );
    let text = body.to_string();
    for leak in ["hunter2", "password authentication failed", "Connection"] {
        assert!(!text.contains(leak), "{leak} in {text}");
    }
}

/// A TCP proxy to the test server that can be closed (connection refused, open connections
/// cut) and opened again on the same port.
struct Proxy {
    port: u16,
    open: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let proxy = Proxy {
            port,
            open: Arc::new(AtomicBool::new(true)),
            connections: Arc::default(),
        };
        proxy.accept(listener);
        proxy
    }

    fn accept(&self, listener: TcpListener) {
        let (open, connections) = (self.open.clone(), self.connections.clone());
        let upstream = format!("{}:{}", server().host(), server().port());
        listener.set_nonblocking(true).unwrap();
        std::thread::spawn(move || {
            while open.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).unwrap();
                        let Ok(backend) = TcpStream::connect(&upstream) else {
                            continue;
                        };
                        for (mut from, mut to) in [
                            (client.try_clone().unwrap(), backend.try_clone().unwrap()),
                            (backend.try_clone().unwrap(), client.try_clone().unwrap()),
                        ] {
                            std::thread::spawn(move || {
                                let _ = std::io::copy(&mut from, &mut to);
                                let _ = to.shutdown(Shutdown::Both);
                            });
                        }
                        connections.lock().unwrap().extend([client, backend]);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
            // Dropping the listener here closes the port: connections are refused.
        });
    }

    fn close(&self) {
        self.open.store(false, Ordering::SeqCst);
        for stream in self.connections.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
        std::thread::sleep(Duration::from_millis(100));
    }

    fn reopen(&self) {
        self.open.store(true, Ordering::SeqCst);
        let listener = TcpListener::bind(("127.0.0.1", self.port)).unwrap();
        self.accept(listener);
    }
}

#[test]
fn an_unreachable_database_answers_503_and_recovers_by_itself() {
    let db = TestDatabase::new();
    let proxy = Proxy::start();
    let mut config = DatabaseConfig::from_url(&format!(
        "postgres://{}@127.0.0.1:{}/{}",
        server().user(),
        proxy.port,
        db.name()
    ))
    .unwrap();
    config.connect_timeout = Duration::from_secs(2);
    config.pool_max = 2;
    let addr = serve(compliance_over(&config).unwrap());

    assert_eq!(get_health(addr).0, 200);
    proxy.close();
    let (code, body) = get_health(addr);
    assert_eq!(code, 503, "{body}");
    assert_eq!(body["database"], "unreachable");
    assert_eq!(body["error"], "unreachable", "{body}");
    // The answer is public: it names no host, port, database or user (issue 17, defect 4).
    assert_names_no_target(&body, "127.0.0.1", proxy.port, db.name(), &server().user());
    proxy.reopen();
    let (code, body) = get_health(addr);
    assert_eq!(code, 200, "recovered without a restart: {body}");
    assert_eq!(body["database"], "connected");
}

#[test]
fn a_read_only_role_gets_a_healthy_answer_and_a_passing_verify() {
    let seeded = crate::support::seeded();
    let role = ReadOnlyRole::create(&seeded.db);
    let (code, body) = get_health(serve(compliance_over(&role.config()).unwrap()));
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["migrations"]["applied"], migrations_known());
    let server = server();
    assert_names_no_target(
        &body,
        &server.host(),
        server.port(),
        seeded.db.name(),
        &role.name,
    );
    let report = compliance_ops::verify::verify(
        &role.config(),
        &compliance_ops::verify::VerifyOptions::default(),
    )
    .unwrap();
    assert_eq!(
        report.count(compliance_ops::verify::Outcome::Fail),
        0,
        "{:#?}",
        report.checks
    );
}

#[test]
fn a_role_that_may_not_read_the_migrations_is_connected_but_degraded() {
    let db = TestDatabase::new();
    let role = ReadOnlyRole::create(&db);
    crate::support::exec(
        &mut db.conn(),
        &format!(
            "REVOKE SELECT ON __diesel_schema_migrations FROM {}",
            role.name
        ),
    );
    let (code, body) = get_health(serve(compliance_over(&role.config()).unwrap()));
    assert_eq!(code, 503, "{body}");
    assert_eq!(
        (body["database"].as_str(), body["status"].as_str()),
        (Some("connected"), Some("degraded"))
    );
    assert_eq!(body["error"], "permission_denied", "{body}");
    assert!(
        body["hint"]
            .as_str()
            .unwrap()
            .contains("__diesel_schema_migrations"),
        "{body}"
    );
}

#[test]
fn a_role_without_create_can_provision_an_up_to_date_database() {
    use compliance_ops::provision::{ProvisionOptions, provision};
    let seeded = crate::support::seeded();
    let role = ReadOnlyRole::create(&seeded.db);
    let report = provision(
        &role.config(),
        ProvisionOptions {
            seed: false,
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();
    assert!(report.migrations_applied.is_empty());
    assert!(report.changed_nothing());
    assert_eq!(
        report.verify.count(compliance_ops::verify::Outcome::Fail),
        0,
        "{:#?}",
        report.verify.checks
    );
}
