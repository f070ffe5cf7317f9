//! `cargo xtask cluster` and `backup` where no cluster runs (the failover and restore
//! stories themselves run in `.ci/check-cluster`, on a real pg_auto_failover formation): each
//! says what is missing and exits 2, `url` and `url --read` print the URLs of the layout recorded
//! (or the default one), a directory that is not a cluster of ours is never removed, and a drill
//! of no rounds is not understood (64).

use super::{text, xtask};

const UNUSED: &str = "postgres://app@127.0.0.1:1/compliance_db";

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-cluster-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn without_a_cluster_each_command_says_so_and_exits_2() {
    let dir = temp_dir("none");
    let dir_arg = dir.display().to_string();
    for args in [
        &["cluster", "status", "--dir", &dir_arg][..],
        &["cluster", "drill", "--dir", &dir_arg][..],
        &["cluster", "reads", "--dir", &dir_arg][..],
        &["cluster", "load", "--cases", "10", "--dir", &dir_arg][..],
        &["backup", "info", "--dir", &dir_arg][..],
        &["backup", "restore-drill", "--dir", &dir_arg][..],
    ] {
        let out = xtask(args, UNUSED);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("no cluster in") && stderr.contains("cargo xtask cluster up"),
            "{args:?}: {stderr}"
        );
    }
    // `url` needs no running cluster: the layout's URL, both nodes, read-write; for reports,
    // without a read node, both nodes preferring the standby.
    let pair =
        "postgres://postgres@127.0.0.1:5442,127.0.0.1:5443/compliance_db?target_session_attrs=";
    for (read, expected) in [(false, "read-write"), (true, "prefer-standby")] {
        let mut args = vec!["cluster", "url", "--dir", &dir_arg];
        args.extend(read.then_some("--read"));
        let out = xtask(&args, UNUSED);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout).trim(), format!("{pair}{expected}"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn with_a_read_node_recorded_the_read_url_names_it_alone_and_the_service_url_is_unchanged() {
    let dir = temp_dir("read-node");
    // The marker `cluster up --read-node --base-port 6001` writes (nothing runs there).
    std::fs::write(
        dir.join("compliance-cluster.json"),
        format!(
            r#"{{"dir": {:?}, "base_port": 6001, "read_node": true}}"#,
            dir.display().to_string()
        ),
    )
    .unwrap();
    let dir_arg = dir.display().to_string();
    let url = |read: bool| {
        let mut args = vec!["cluster", "url", "--dir", &dir_arg];
        args.extend(read.then_some("--read"));
        let out = xtask(&args, UNUSED);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        text(&out.stdout).trim().to_owned()
    };
    assert_eq!(
        url(false),
        "postgres://postgres@127.0.0.1:6002,127.0.0.1:6003/compliance_db?target_session_attrs=read-write"
    );
    assert_eq!(
        url(true),
        "postgres://postgres@127.0.0.1:6004/compliance_db"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn down_purge_leaves_a_directory_that_is_not_a_cluster_of_ours_alone() {
    let dir = temp_dir("foreign");
    let precious = dir.join("precious.txt");
    std::fs::write(&precious, "not a cluster").unwrap();
    let out = xtask(
        &[
            "cluster",
            "down",
            "--purge",
            "--dir",
            &dir.display().to_string(),
        ],
        UNUSED,
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("left alone"), "{stderr}");
    assert!(precious.is_file(), "the directory was touched");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_drill_of_no_rounds_is_not_understood() {
    let out = xtask(&["cluster", "drill", "--rounds", "0"], UNUSED);
    assert_eq!(out.status.code(), Some(64), "{}", text(&out.stderr));
}
