//! Unit tests of the configuration: parsing, defaults, encoding, and that the password never
//! shows.

use super::*;
use std::collections::HashMap;

fn from(vars: &[(&str, &str)]) -> Result<DatabaseConfig, ConfigError> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    DatabaseConfig::from_lookup(|name| vars.get(name).cloned())
}

#[test]
fn defaults_are_the_local_server() {
    let config = from(&[]).unwrap();
    assert_eq!(config.target(), "127.0.0.1:5432/compliance_db");
    assert_eq!(config.user(), "postgres");
    assert_eq!(config.pool_max, 20);
    assert!(config.is_local());
}

#[test]
fn parts_build_an_encoded_url_and_never_print_the_password() {
    let config = from(&[
        ("DATABASE_HOST", "postgres"),
        ("DATABASE_PORT", "5433"),
        ("DATABASE_NAME", "compliance db"),
        ("DATABASE_USER", "app"),
        ("DATABASE_PASSWORD", "p@ss:w/rd hunter2"),
        ("DATABASE_POOL_MAX", "7"),
    ])
    .unwrap();
    assert_eq!(config.target(), "postgres:5433/compliance db");
    assert_eq!(config.pool_max, 7);
    assert!(!config.is_local());
    for shown in [config.to_string(), format!("{config:?}")] {
        assert!(
            !shown.contains("hunter2") && !shown.contains("p@ss"),
            "{shown}"
        );
    }
    let url = config.connection_url();
    assert!(url.starts_with("postgres://app:"), "{url}");
    assert!(url.contains("@postgres:5433/compliance%20db?"), "{url}");
    let back = DatabaseConfig::from_url(&url).unwrap();
    assert_eq!(back.password, Some(Secret("p@ss:w/rd hunter2".into())));
    assert_eq!(back.database(), "compliance db");
    assert!(url.contains("connect_timeout=5") && url.contains("application_name=compliance-db"));
}

#[test]
fn url_wins_over_parts_and_keeps_its_parameters() {
    let config = from(&[
        (
            "DATABASE_URL",
            "postgresql://u:secret@[::1]:6000/db1?sslmode=require&connect_timeout=9",
        ),
        ("DATABASE_HOST", "ignored"),
    ])
    .unwrap();
    assert_eq!(config.target(), "[::1]:6000/db1");
    assert!(config.is_local());
    assert!(!format!("{config}{config:?}").contains("secret"));
    let url = config.connection_url();
    assert!(
        url.contains("sslmode=require") && url.contains("connect_timeout=9"),
        "{url}"
    );
    assert!(!url.contains("connect_timeout=5"), "{url}");
    assert!(url.contains("u:secret@"), "{url}");
    assert_eq!(
        config.with_database("postgres").target(),
        "[::1]:6000/postgres"
    );
}

#[test]
fn bad_values_are_refused_with_the_variable_named() {
    assert!(matches!(
        from(&[("DATABASE_URL", "mysql://x@y/z")]),
        Err(ConfigError::Url(_))
    ));
    assert!(matches!(
        from(&[("DATABASE_URL", "not a url")]),
        Err(ConfigError::Url(_))
    ));
    assert_eq!(
        from(&[("DATABASE_PORT", "99999")]).unwrap_err().to_string(),
        r#"DATABASE_PORT must be a port number from 1 to 65535, got "99999""#
    );
    assert!(matches!(
        from(&[("DATABASE_POOL_MAX", "0")]),
        Err(ConfigError::Number {
            name: "DATABASE_POOL_MAX",
            ..
        })
    ));
    assert!(matches!(
        from(&[("DATABASE_CONNECT_TIMEOUT", "x")]),
        Err(ConfigError::Number { .. })
    ));
}

#[test]
fn a_unix_socket_directory_is_a_local_host() {
    let config = from(&[
        ("DATABASE_HOST", "/var/run/postgresql"),
        ("DATABASE_USER", "app"),
    ])
    .unwrap();
    assert_eq!(config.target(), "/var/run/postgresql:5432/compliance_db");
    assert!(config.is_local());
    assert!(
        config
            .connection_url()
            .contains("host=%2Fvar%2Frun%2Fpostgresql"),
        "{}",
        config.connection_url()
    );
    let from_url =
        DatabaseConfig::from_url("postgresql:///compliance_db?host=/var/run/postgresql").unwrap();
    assert_eq!(from_url.host(), "/var/run/postgresql");
    assert!(from_url.is_local());
    assert!(DatabaseConfig::from_url("postgresql:///compliance_db").is_err());
    let encoded =
        DatabaseConfig::from_url("postgresql://%2Fvar%2Frun%2Fpostgresql/compliance_db").unwrap();
    assert_eq!(encoded.host(), "/var/run/postgresql");
    assert!(encoded.is_local());
}

#[test]
fn a_url_without_a_database_uses_the_user_name() {
    let config = DatabaseConfig::from_url("postgres://alice@localhost").unwrap();
    assert_eq!(config.database(), "alice");
    assert_eq!(config.port(), 5432);
}

/// The password libpq would send for `url`, decoded as libpq decodes a URI.
fn password_in(url: &str) -> String {
    let url = Url::parse(url).unwrap();
    decode_strict(url.password().unwrap()).unwrap()
}

#[test]
fn a_password_with_a_percent_sign_reaches_the_driver_as_given_both_ways() {
    // Through DATABASE_PASSWORD, taken verbatim.
    let parts = from(&[("DATABASE_USER", "lit"), ("DATABASE_PASSWORD", "pa%41ss")]).unwrap();
    let url = parts.connection_url();
    assert!(url.contains("lit:pa%2541ss@"), "{url}");
    assert_eq!(password_in(&url), "pa%41ss");
    // Through DATABASE_URL, percent-encoded: `%25` is a `%`, `%41` an `A`.
    for (given, meant) in [("pa%2541ss", "pa%41ss"), ("pa%41ss", "paAss")] {
        let config = from(&[(
            "DATABASE_URL",
            &format!("postgres://u:{given}@127.0.0.1:55432/db"),
        )])
        .unwrap();
        assert_eq!(config.password, Some(Secret(meant.into())), "{given}");
        assert_eq!(password_in(&config.connection_url()), meant, "{given}");
    }
}

#[test]
fn any_character_of_a_password_or_user_survives_the_url() {
    let password = "p@ss:w/rd %41#?&=+ \"'\\ ü%zz";
    let user = "app%41 ü";
    let config = DatabaseConfig::from_parts("h", 5432, "db", user, Some(password)).unwrap();
    assert_eq!(config.user(), user);
    let url = config.connection_url();
    assert_eq!(password_in(&url), password);
    let back = DatabaseConfig::from_url(&url).unwrap();
    assert_eq!(back.user(), user);
    assert_eq!(back.password, Some(Secret(password.into())));
}

#[test]
fn a_password_that_is_not_percent_encoded_is_refused_without_being_shown() {
    for url in [
        "postgres://u:hunter2%zz@127.0.0.1:5432/db",
        "postgres://u:hunter2%4@127.0.0.1:5432/db",
        "postgres://u:hunter2%ff@127.0.0.1:5432/db",
    ] {
        let err = from(&[("DATABASE_URL", url)]).unwrap_err();
        assert!(matches!(err, ConfigError::Encoding(_)), "{err}");
        let text = err.to_string();
        assert!(
            !text.contains("hunter2") && text.contains("password") && text.contains("%25"),
            "{text}"
        );
    }
    let err = from(&[("DATABASE_URL", "postgres://u%zz:pw@127.0.0.1/db")]).unwrap_err();
    assert!(err.to_string().contains("user name \"u%zz\""), "{err}");
}

#[test]
fn a_database_name_longer_than_63_bytes_is_refused() {
    let long = "x".repeat(64);
    for vars in [
        vec![("DATABASE_NAME", long.clone())],
        vec![("DATABASE_URL", format!("postgres://u@127.0.0.1/{long}"))],
    ] {
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let err = from(&vars).unwrap_err();
        assert!(
            matches!(err, ConfigError::DatabaseName { .. })
                && err.to_string().contains("at most 63 bytes"),
            "{err}"
        );
    }
    // 63 bytes of UTF-8 is fine, one more is not.
    assert!(from(&[("DATABASE_NAME", &"é".repeat(31))]).is_ok());
    assert!(from(&[("DATABASE_NAME", &format!("{}xx", "é".repeat(31)))]).is_err());
}

#[test]
fn session_limits_have_defaults_and_variables() {
    let config = from(&[]).unwrap();
    assert_eq!(
        config.session.sql(),
        "SET lock_timeout = 5000; SET statement_timeout = 30000; SET idle_in_transaction_session_timeout = 60000"
    );
    let config = from(&[
        ("DATABASE_LOCK_TIMEOUT", "2"),
        ("DATABASE_STATEMENT_TIMEOUT", "0"),
        ("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT", "600"),
    ])
    .unwrap();
    assert_eq!(config.session.lock_timeout, Duration::from_secs(2));
    assert!(
        config
            .to_string()
            .ends_with("lock timeout 2s, statement timeout off, idle in transaction 600s)"),
        "{config}"
    );
    let err = from(&[("DATABASE_STATEMENT_TIMEOUT", "30s")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"DATABASE_STATEMENT_TIMEOUT must be a number of seconds from 0 (off) to 86400, got "30s""#
    );
    // A limit below a millisecond is one millisecond, never 0 (which would turn it off).
    let short = SessionLimits {
        lock_timeout: Duration::from_micros(300),
        ..SessionLimits::default()
    };
    assert!(
        short.sql().starts_with("SET lock_timeout = 1;"),
        "{}",
        short.sql()
    );
}

#[test]
fn redact_hides_the_password_in_a_message() {
    let config = DatabaseConfig::from_parts("h", 5432, "db", "u", Some("s3cr%t")).unwrap();
    assert_eq!(
        config.redact("bad token \"s3cr%t\" near s3cr%25t"),
        "bad token \"<redacted>\" near <redacted>"
    );
    // The password `postgres` of user `postgres` is shown as the user anyway.
    let same = DatabaseConfig::from_parts("h", 5432, "db", "postgres", Some("postgres")).unwrap();
    assert_eq!(
        same.redact("role \"postgres\" failed"),
        "role \"postgres\" failed"
    );
}

#[test]
fn a_url_may_name_several_servers_and_the_driver_gets_them_all() {
    let config = from(&[(
        "DATABASE_URL",
        "postgres://app:hunter2@127.0.0.1:6001,localhost,[::1]:6003/compliance_db?target_session_attrs=read-write",
    )])
    .unwrap();
    assert_eq!(
        config.servers(),
        ["127.0.0.1:6001", "localhost:5432", "[::1]:6003"]
    );
    assert_eq!(
        config.target(),
        "127.0.0.1:6001,localhost:5432,[::1]:6003/compliance_db"
    );
    assert_eq!((config.host().as_str(), config.port()), ("127.0.0.1", 6001));
    assert!(config.is_local());
    assert!(!format!("{config} {config:?}").contains("hunter2"));
    let url = config.connection_url();
    assert!(
        url.starts_with(
            "postgres://app:hunter2@127.0.0.1:6001,localhost:5432,[::1]:6003/compliance_db?target_session_attrs=read-write&"
        ),
        "{url}"
    );
    // Another database on the same servers keeps the list.
    assert_eq!(
        config.with_database("postgres").target(),
        "127.0.0.1:6001,localhost:5432,[::1]:6003/postgres"
    );
    let remote = DatabaseConfig::from_url("postgres://u@127.0.0.1:1,db.internal:2/x").unwrap();
    assert!(!remote.is_local());
}

#[test]
fn a_host_list_with_a_bad_entry_is_refused_naming_the_entry_only() {
    for (url, says) in [
        ("postgres://u:pw@a:1,,b:2/db", "empty entry"),
        ("postgres://u:pw@a:1,b:port/db", "\"b:port\""),
        ("postgres://u:pw@a:1,:5/db", "\":5\""),
    ] {
        let err = DatabaseConfig::from_url(url).unwrap_err().to_string();
        assert!(err.contains(says) && !err.contains("pw"), "{url}: {err}");
    }
}

fn replica(vars: &[(&str, &str)]) -> Result<Option<ReplicaConfig>, ConfigError> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let primary = from(&[("DATABASE_POOL_MAX", "7"), ("DATABASE_LOCK_TIMEOUT", "9")]).unwrap();
    primary.replica_from_lookup(|name| vars.get(name).cloned())
}

#[test]
fn a_standby_for_reads_takes_the_primarys_pool_and_limits_and_its_own_url() {
    assert_eq!(replica(&[]).unwrap(), None);
    let r = replica(&[(
        "DATABASE_READ_URL",
        "postgres://app:s3cret@db-a:5432,db-b:5432/compliance_db?target_session_attrs=prefer-standby",
    )])
    .unwrap()
    .unwrap();
    assert_eq!(r.database.target(), "db-a:5432,db-b:5432/compliance_db");
    assert_eq!(r.database.pool_max, 7);
    assert_eq!(r.database.session.lock_timeout, Duration::from_secs(9));
    assert_eq!(r.wait, Duration::from_millis(READ_WAIT_MS));
    assert!(!format!("{r:?}").contains("s3cret"));
    assert!(
        r.database
            .connection_url()
            .contains("target_session_attrs=prefer-standby")
    );
    let waited = replica(&[
        ("DATABASE_READ_URL", "postgres://app@db-b/compliance_db"),
        ("DATABASE_READ_WAIT_MS", "0"),
    ])
    .unwrap()
    .unwrap();
    assert_eq!(waited.wait, Duration::ZERO);
}

#[test]
fn a_bad_standby_url_or_wait_is_named_as_such_without_the_password() {
    let e = replica(&[("DATABASE_READ_URL", "http://app:s3cret@db-b/compliance_db")]).unwrap_err();
    let text = e.to_string();
    assert!(
        text.starts_with("DATABASE_READ_URL is not a valid postgres:// URL"),
        "{text}"
    );
    assert!(!text.contains("s3cret"), "{text}");
    let e = replica(&[
        ("DATABASE_READ_URL", "postgres://app@db-b/compliance_db"),
        ("DATABASE_READ_WAIT_MS", "10001"),
    ])
    .unwrap_err();
    assert!(
        e.to_string().starts_with("DATABASE_READ_WAIT_MS must be"),
        "{e}"
    );
}
