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
    assert!(
        url.contains("connect_timeout=5") && url.contains("application_name=compliance-db")
    );
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
        DatabaseConfig::from_url("postgresql:///compliance_db?host=/var/run/postgresql")
            .unwrap();
    assert_eq!(from_url.host(), "/var/run/postgresql");
    assert!(from_url.is_local());
    assert!(DatabaseConfig::from_url("postgresql:///compliance_db").is_err());
    let encoded =
        DatabaseConfig::from_url("postgresql://%2Fvar%2Frun%2Fpostgresql/compliance_db")
            .unwrap();
    assert_eq!(encoded.host(), "/var/run/postgresql");
    assert!(encoded.is_local());
}

#[test]
fn a_url_without_a_database_uses_the_user_name() {
    let config = DatabaseConfig::from_url("postgres://alice@localhost").unwrap();
    assert_eq!(config.database(), "alice");
    assert_eq!(config.port(), 5432);
}
