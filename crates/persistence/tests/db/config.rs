//! What reaches the server from the configuration: the password exactly as given, through
//! `DATABASE_PASSWORD` (verbatim) or a percent-encoded `DATABASE_URL`, and never in a message.
//! A stand-in server records what libpq sends; an ignored test does the same against a real
//! server that checks passwords (scram-sha-256).

use compliance_persistence::testing::PasswordCatcher;
use compliance_persistence::{Database, DatabaseConfig, connect};
use std::collections::HashMap;

fn from(vars: &[(&str, String)]) -> DatabaseConfig {
    let vars: HashMap<&str, String> = vars.iter().cloned().collect();
    DatabaseConfig::from_lookup(|name| vars.get(name).cloned()).unwrap()
}

const WILD: &str = "p@ss:w/rd %41#?&=+ \"'\\ ü%zz";

/// The ways of giving a password, with the password each one means.
fn ways(port: u16) -> Vec<(Vec<(&'static str, String)>, &'static str)> {
    let url = |userinfo: &str| {
        vec![(
            "DATABASE_URL",
            format!("postgres://{userinfo}@127.0.0.1:{port}/compliance_db"),
        )]
    };
    let parts = |password: &str| {
        vec![
            ("DATABASE_HOST", "127.0.0.1".to_owned()),
            ("DATABASE_PORT", port.to_string()),
            ("DATABASE_USER", "app".to_owned()),
            ("DATABASE_PASSWORD", password.to_owned()),
        ]
    };
    vec![
        (parts("pa%41ss"), "pa%41ss"),
        (url("app:pa%2541ss"), "pa%41ss"),
        (url("app:pa%41ss"), "paAss"),
        (parts(WILD), WILD),
        (
            url("app:p%40ss%3Aw%2Frd%20%2541%23%3F%26%3D%2B%20%22'%5C%20%C3%BC%25zz"),
            WILD,
        ),
    ]
}

#[test]
fn the_server_receives_the_password_exactly_as_given_and_no_message_repeats_it() {
    let catcher = PasswordCatcher::start("password authentication failed: you sent {password}");
    for (vars, meant) in ways(catcher.port()) {
        let config = from(&vars);
        let err = connect(&config).map(|_| ()).unwrap_err().to_string();
        assert_eq!(
            catcher.passwords().last().map(String::as_str),
            Some(meant),
            "{vars:?}"
        );
        assert!(err.contains("password authentication failed"), "{err}");
        assert!(!err.contains(meant) && err.contains("<redacted>"), "{err}");
    }
    // The pool's path too.
    let mut config = from(&ways(catcher.port())[3].0);
    config.connect_timeout = std::time::Duration::from_secs(2);
    let err = Database::new(config)
        .conn()
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert_eq!(catcher.passwords().last().map(String::as_str), Some(WILD));
    assert!(!err.contains(WILD) && !err.contains("p@ss"), "{err}");
}

/// Against a server that checks passwords: `COMPLIANCE_TEST_SCRAM_URL` names a superuser of
/// it, e.g. a throwaway cluster made with `initdb -A scram-sha-256` (docs/setup.md, T2).
#[test]
#[ignore = "needs COMPLIANCE_TEST_SCRAM_URL, a server with scram-sha-256 authentication"]
fn a_scram_server_accepts_any_password_both_ways() {
    use compliance_persistence::diesel::{RunQueryDsl, sql_query};
    let admin_url = std::env::var("COMPLIANCE_TEST_SCRAM_URL").unwrap();
    let admin_config = DatabaseConfig::from_url(&admin_url).unwrap();
    let mut admin = connect(&admin_config).unwrap();
    let role = format!("compliance_scram_{}", std::process::id());
    let (host, port) = (admin_config.host(), admin_config.port());
    for (i, password) in ["pa%41ss", "paAss", WILD].into_iter().enumerate() {
        let role = format!("{role}_{i}");
        sql_query(format!(
            "CREATE ROLE {role} LOGIN PASSWORD '{}'",
            password.replace('\'', "''")
        ))
        .execute(&mut admin)
        .unwrap();
        let encoded =
            percent_encoding::utf8_percent_encode(password, percent_encoding::NON_ALPHANUMERIC);
        let by_parts = DatabaseConfig::from_parts(&host, port, "postgres", &role, Some(password));
        let by_url = DatabaseConfig::from_url(&format!(
            "postgres://{role}:{encoded}@{host}:{port}/postgres"
        ));
        let results = [by_parts, by_url].map(|c| connect(&c.unwrap()).map(|_| ()));
        sql_query(format!("DROP ROLE {role}"))
            .execute(&mut admin)
            .unwrap();
        for result in results {
            assert!(result.is_ok(), "{password:?}: {result:?}");
        }
    }
}

/// A port on 127.0.0.1 where nothing listens (bound, then released).
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port()
}

/// A URL naming several servers (a pg_auto_failover formation's): libpq passes a host that does
/// not answer and connects to the next, the password reaching it exactly as given.
#[test]
fn a_url_naming_several_servers_reaches_the_one_that_answers() {
    use compliance_persistence::diesel::sql_types::Integer;
    use compliance_persistence::diesel::{RunQueryDsl, sql_query};
    #[derive(compliance_persistence::diesel::QueryableByName)]
    struct Port {
        #[diesel(sql_type = Integer)]
        port: i32,
    }
    let db = compliance_persistence::testing::TestDatabase::new();
    let live = db.config();
    let dead = closed_port();
    let url = format!(
        "postgres://{}@127.0.0.1:{dead},{}:{}/{}?target_session_attrs=read-write",
        live.user(),
        live.host(),
        live.port(),
        db.name()
    );
    let config = DatabaseConfig::from_url(&url).unwrap();
    assert_eq!(config.servers().len(), 2);
    let reached: Port = sql_query("SELECT inet_server_port() AS port")
        .get_result(&mut connect(&config).unwrap())
        .unwrap();
    assert_eq!(reached.port, i32::from(live.port()));
    // Through the pool as well.
    Database::new(config).ping().unwrap();

    // The password, percent-encoded in the URL, reaches the second server as it was meant.
    let catcher = PasswordCatcher::start("password authentication failed: you sent {password}");
    let url = format!(
        "postgres://app:pa%2541ss@127.0.0.1:{dead},127.0.0.1:{}/compliance_db",
        catcher.port()
    );
    let err = connect(&DatabaseConfig::from_url(&url).unwrap())
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert_eq!(
        catcher.passwords().last().map(String::as_str),
        Some("pa%41ss")
    );
    assert!(!err.contains("pa%41ss"), "{err}");
}
