//! `cargo xtask db`: the embedded server's commands where they need no server: a home where it
//! never ran, binaries that cannot be found, a fetch the cache already holds (nothing is
//! downloaded), and a configured server that is never replaced.

use crate::text;
use std::process::{Command, Output};

/// `xtask db ...` with the embedded server's home in a fresh directory and no DATABASE_*.
fn db(args: &[&str], envs: &[(&str, &str)]) -> (Output, std::path::PathBuf) {
    let home = std::env::temp_dir().join(format!(
        "compliance-xtask-db-{}-{}",
        std::process::id(),
        args.join("-")
    ));
    let _ = std::fs::remove_dir_all(&home);
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command
        .arg("db")
        .args(args)
        .env("COMPLIANCE_EMBEDDED_DIR", &home);
    for name in [
        "DATABASE_URL",
        "DATABASE_HOST",
        "DATABASE_PORT",
        "DATABASE_USER",
    ] {
        command.env_remove(name);
    }
    command.envs(envs.iter().copied());
    (command.output().unwrap(), home)
}

#[test]
fn url_and_status_say_that_it_never_ran_and_how_to_start_it() {
    let (out, _) = db(&["url"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("`cargo xtask db start`"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let (out, _) = db(&["status"], &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).contains("was never started here"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn start_without_binaries_says_what_to_install_and_creates_nothing() {
    let (out, home) = db(&["start"], &[("COMPLIANCE_PG_BINDIR", "/nonexistent")]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no PostgreSQL server binaries")
            && stderr.contains("apt-get install postgresql"),
        "{stderr}"
    );
    assert!(!home.join("state.json").exists());
}

#[test]
fn status_with_a_configured_server_says_that_commands_use_it() {
    let (out, _) = db(&["status"], &[("DATABASE_HOST", "db.internal")]);
    assert!(
        text(&out.stdout).contains("commands use the configured server"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn fetch_with_the_build_in_the_cache_downloads_nothing_and_prints_its_directory() {
    use compliance_ops::embedded::fetch::{Package, VERSION};
    let Ok(package) = Package::for_this_machine() else {
        return; // No build for this platform: `db fetch` says so (the ops crate's tests).
    };
    let cache = std::env::temp_dir().join(format!("compliance-xtask-fetch-{}", std::process::id()));
    let bin = package.dir(&cache).join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for program in ["initdb", "pg_ctl", "postgres"] {
        std::fs::write(bin.join(program), "").unwrap();
    }
    let cache_text = cache.display().to_string();
    let (out, _) = db(&["fetch"], &[("COMPLIANCE_PG_CACHE", &cache_text)]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(text(&out.stdout), format!("{}\n", bin.display()));
    assert!(
        stderr.contains(&format!("PostgreSQL {VERSION} is in the cache already"))
            && !stderr.contains("fetching"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&cache).ok();
}
