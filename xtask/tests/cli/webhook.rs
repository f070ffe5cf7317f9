//! `cargo xtask webhook` as an admin runs it (issue 20): create prints a webhook's secret once
//! (with a line on stderr saying so), list and deliveries never a secret, update and rotate name
//! the revision read, replay one event or a range; refusals exit 1, an unreadable command line
//! 64, an unreachable database 2.

use super::{text, xtask};
use compliance_persistence::testing::TestDatabase;

const HOOK: &str = "https://hooks.example.com/compliance";

#[test]
fn an_admin_manages_webhooks_from_the_command_line() {
    let db = TestDatabase::empty();
    let url = db.config().connection_url();
    assert_eq!(xtask(&["provision"], &url).status.code(), Some(0));

    let created = xtask(
        &[
            "webhook",
            "create",
            "--url",
            HOOK,
            "--event-type",
            "case.decided",
            "--event-type",
            "case.status_changed",
            "--description",
            "trading service",
        ],
        &url,
    );
    let (stdout, stderr) = (text(&created.stdout), text(&created.stderr));
    assert_eq!(created.status.code(), Some(0), "{stderr}");
    let secret = stdout.trim().to_owned();
    assert!(
        secret.starts_with("whsec_") && secret.len() == 50 && stdout.lines().count() == 1,
        "{stdout}"
    );
    assert!(stderr.contains("shown once"), "{stderr}");
    assert!(!stderr.contains(&secret));

    // Listed, as a table and as JSON; never the secret.
    let listed = xtask(&["webhook", "list"], &url);
    assert_eq!(listed.status.code(), Some(0), "{}", text(&listed.stderr));
    let table = text(&listed.stdout);
    assert!(
        table.contains(HOOK) && table.contains("case.decided,case.status_changed"),
        "{table}"
    );
    assert!(!table.contains("whsec_"), "{table}");
    let json = xtask(
        &[
            "webhook",
            "list",
            "--format",
            "json",
            "--by",
            "compliance.officer",
        ],
        &url,
    );
    assert_eq!(json.status.code(), Some(0), "{}", text(&json.stderr));
    let endpoints: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(endpoints.as_array().unwrap().len(), 1);
    let endpoint = &endpoints[0];
    assert_eq!(
        (endpoint["url"].as_str(), endpoint["revision"].as_i64()),
        (Some(HOOK), Some(1))
    );
    assert!(!text(&json.stdout).contains("whsec_"));
    let id = endpoint["id"].as_str().unwrap().to_owned();

    // Refusals exit 1 and say why; nothing is written.
    for (args, words) in [
        (
            vec!["webhook", "create", "--url", "https://10.0.0.7/hook"],
            "private",
        ),
        (
            vec!["webhook", "create", "--url", "http://hooks.example.com/"],
            "https",
        ),
        (
            vec![
                "webhook",
                "create",
                "--url",
                HOOK,
                "--by",
                "compliance.officer",
            ],
            "manage event endpoints",
        ),
        (
            vec![
                "webhook",
                "update",
                &id,
                "--revision",
                "7",
                "--active",
                "false",
            ],
            "revision 1, not 7",
        ),
        (
            vec!["webhook", "update", &id, "--revision", "1"],
            "nothing to change",
        ),
        (
            vec!["webhook", "list", "--by", "analyst"],
            "read event endpoints",
        ),
    ] {
        let refused = xtask(&args, &url);
        let stderr = text(&refused.stderr);
        assert_eq!(refused.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(words), "{args:?}: {stderr}");
    }
    let private = xtask(
        &[
            "webhook",
            "create",
            "--url",
            "https://10.0.0.7/hook",
            "--allow-private",
            "--format",
            "json",
        ],
        &url,
    );
    assert_eq!(private.status.code(), Some(0), "{}", text(&private.stderr));
    let private: serde_json::Value = serde_json::from_slice(&private.stdout).unwrap();
    assert_eq!(private["endpoint"]["allow_private"], true);
    assert!(private["secret"].as_str().unwrap().starts_with("whsec_"));

    // A change and a rotation name the revision read.
    let updated = xtask(
        &[
            "webhook",
            "update",
            &id,
            "--revision",
            "1",
            "--all-event-types",
            "--format",
            "json",
        ],
        &url,
    );
    assert_eq!(updated.status.code(), Some(0), "{}", text(&updated.stderr));
    let updated: serde_json::Value = serde_json::from_slice(&updated.stdout).unwrap();
    assert_eq!(updated["event_types"], serde_json::json!([]));
    assert_eq!(updated["revision"], 2);
    let rotated = xtask(&["webhook", "rotate", &id, "--revision", "2"], &url);
    assert_eq!(rotated.status.code(), Some(0), "{}", text(&rotated.stderr));
    let second = text(&rotated.stdout).trim().to_owned();
    assert!(second.starts_with("whsec_") && second != secret, "{second}");
    assert!(text(&rotated.stderr).contains("shown once"));
    assert!(text(&rotated.stderr).contains("the previous secret keeps signing"));
    let stale = xtask(&["webhook", "rotate", &id, "--revision", "2"], &url);
    assert_eq!(stale.status.code(), Some(1));

    // Replays and deliveries (none yet: no event was written since the endpoint was created).
    let one = xtask(
        &[
            "webhook",
            "replay",
            &id,
            "--event",
            "00000000-0000-0000-0000-000000000000",
        ],
        &url,
    );
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    assert!(
        text(&one.stdout).contains("replayed 0 deliveries"),
        "{}",
        text(&one.stdout)
    );
    let range = xtask(
        &[
            "webhook",
            "replay",
            &id,
            "--from",
            "2026-01-01T00:00:00Z",
            "--to",
            "2100-01-01T00:00:00Z",
            "--format",
            "json",
        ],
        &url,
    );
    assert_eq!(range.status.code(), Some(0), "{}", text(&range.stderr));
    let range: serde_json::Value = serde_json::from_slice(&range.stdout).unwrap();
    assert!(range["replayed"].as_i64().is_some(), "{range}");
    let backwards = xtask(
        &[
            "webhook",
            "replay",
            &id,
            "--from",
            "2026-01-02T00:00:00Z",
            "--to",
            "2026-01-01T00:00:00Z",
        ],
        &url,
    );
    assert_eq!(backwards.status.code(), Some(1));
    assert!(text(&backwards.stderr).contains("starts before it ends"));
    let deliveries = xtask(&["webhook", "deliveries", &id, "--format", "json"], &url);
    assert_eq!(
        deliveries.status.code(),
        Some(0),
        "{}",
        text(&deliveries.stderr)
    );
    assert!(
        serde_json::from_slice::<serde_json::Value>(&deliveries.stdout)
            .unwrap()
            .is_array()
    );
    let table = xtask(&["webhook", "deliveries", &id, "--state", "failed"], &url);
    assert_eq!(table.status.code(), Some(0), "{}", text(&table.stderr));
    assert!(text(&table.stdout).contains("state"));

    // A command line that is not understood is 64, naming what is accepted.
    for args in [
        vec![
            "webhook",
            "create",
            "--url",
            HOOK,
            "--event-type",
            "case.nothing",
        ],
        vec!["webhook", "replay", &id],
        vec!["webhook", "deliveries", &id, "--state", "lost"],
        vec![
            "webhook",
            "rotate",
            &id,
            "--revision",
            "3",
            "--previous-valid-for",
            "604801",
        ],
        vec![
            "webhook",
            "update",
            &id,
            "--revision",
            "3",
            "--event-type",
            "case.decided",
            "--all-event-types",
        ],
    ] {
        let refused = xtask(&args, &url);
        assert_eq!(
            refused.status.code(),
            Some(64),
            "{args:?}: {}",
            text(&refused.stderr)
        );
    }
    let unknown = xtask(
        &[
            "webhook",
            "create",
            "--url",
            HOOK,
            "--event-type",
            "case.nothing",
        ],
        &url,
    );
    assert!(
        text(&unknown.stderr).contains("case.status_changed"),
        "{}",
        text(&unknown.stderr)
    );
    let audited = xtask(&["verify"], &url);
    assert_eq!(audited.status.code(), Some(0), "{}", text(&audited.stdout));
}

#[test]
fn an_unreachable_database_exits_2() {
    let out = xtask(
        &["webhook", "list"],
        "postgres://app:hunter2@127.0.0.1:1/compliance_db",
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("hunter2"));
}
