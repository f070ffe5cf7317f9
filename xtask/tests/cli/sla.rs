//! `cargo xtask sla` as a compliance officer runs it (issue 23): the targets listed, a new one
//! published from a later instant replacing the one in force then (audited), refusals for a
//! role that may not publish or a status no case waits in (exit 1), an unreadable command line
//! (64); and the database's own refusals of a target written around the command.

use super::{text, xtask};
use compliance_persistence::testing::TestDatabase;

#[test]
fn an_officer_publishes_a_service_level_from_the_command_line() {
    let db = TestDatabase::empty();
    let url = db.config().connection_url();
    assert_eq!(xtask(&["provision"], &url).status.code(), Some(0));

    let listed = xtask(&["sla", "list"], &url);
    let table = text(&listed.stdout);
    assert_eq!(listed.status.code(), Some(0), "{}", text(&listed.stderr));
    assert_eq!(table.matches("ESCALATED").count(), 3, "{table}");
    assert!(
        table.contains("| 168 ") && table.contains("| 48 "),
        "{table}"
    );

    let publish = |args: &[&str]| {
        let mut all = vec!["sla", "publish"];
        all.extend_from_slice(args);
        xtask(&all, &url)
    };
    let from = "2031-01-01T00:00:00Z";
    let done = publish(&[
        "--jurisdiction",
        "IN",
        "--status",
        "ESCALATED",
        "--hours",
        "24",
        "--from",
        from,
        "--by",
        "compliance.officer",
    ]);
    assert_eq!(done.status.code(), Some(0), "{}", text(&done.stderr));
    assert!(text(&done.stderr).contains("waits at most 24 h as ESCALATED, from 2031-01-01"));
    let table = text(&xtask(&["sla", "list"], &url).stdout);
    assert!(
        table.contains("2031-01-01T00:00:00+00:00 | -") && table.contains("| 24 "),
        "the new target, scheduled: {table}"
    );
    assert!(
        table.contains("| 48    | 2026-01-01T00:00:00+00:00 | 2031-01-01T00:00:00+00:00"),
        "the one it replaces closes when it starts: {table}"
    );
    let mut conn = db.conn();
    let audited = compliance_ops::testing::count(
        &mut conn,
        "SELECT count(*) AS n FROM audit_logs a JOIN users u ON u.id = a.actor_id
          WHERE a.action = 'service_level_published' AND u.username = 'compliance.officer'
            AND a.details ->> 'target_hours' = '24' AND a.details ->> 'replaces' IS NOT NULL",
    );
    assert_eq!(audited, 1);

    // Refused: a role that may not, a status no case waits in, a target scheduled after the one
    // just published overlapping it; each exit 1, nothing written.
    for (args, says) in [
        (
            &[
                "--jurisdiction",
                "AE",
                "--status",
                "PENDING",
                "--hours",
                "72",
                "--by",
                "analyst",
            ][..],
            "may not publish service levels",
        ),
        (
            &[
                "--jurisdiction",
                "AE",
                "--status",
                "APPROVED",
                "--hours",
                "72",
                "--by",
                "admin",
            ][..],
            "PENDING or ESCALATED",
        ),
        (
            &[
                "--jurisdiction",
                "IN",
                "--status",
                "ESCALATED",
                "--hours",
                "12",
                "--by",
                "admin",
            ][..],
            "ex_service_levels_one_in_force",
        ),
    ] {
        let out = publish(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    for args in [
        &[
            "--jurisdiction",
            "FR",
            "--status",
            "PENDING",
            "--hours",
            "72",
            "--by",
            "admin",
        ][..],
        &[
            "--jurisdiction",
            "AE",
            "--status",
            "PENDING",
            "--hours",
            "0",
            "--by",
            "admin",
        ][..],
        &[
            "--jurisdiction",
            "AE",
            "--status",
            "PENDING",
            "--hours",
            "72",
        ][..],
    ] {
        assert_eq!(publish(args).status.code(), Some(64), "{args:?}");
    }

    // Around the command: a target without a publisher, in the past, or without its audit
    // entry is refused by the database.
    let officer = "(SELECT id FROM users WHERE username = 'compliance.officer')";
    for (sql, refused_by) in [
        (
            "INSERT INTO service_levels (jurisdiction, status, target_hours, effective_from) VALUES ('US', 'PENDING', 10, now() + interval '1 year')".to_owned(),
            "service_levels_published",
        ),
        (
            format!("INSERT INTO service_levels (jurisdiction, status, target_hours, effective_from, published_by) VALUES ('US', 'PENDING', 10, now() - interval '1 day', {officer})"),
            "service_levels_published",
        ),
    ] {
        let error = compliance_ops::testing::try_exec(&mut conn, &sql).expect_err(&sql);
        assert!(error.contains(refused_by), "{sql}: {error}");
    }
    // Written as the rules allow, the one it replaces closed first, but with no audit entry:
    // refused at commit.
    use compliance_ops::testing::{exec, try_exec};
    exec(&mut conn, "BEGIN");
    exec(
        &mut conn,
        "UPDATE service_levels SET effective_to = now() + interval '40 years'
          WHERE jurisdiction = 'US' AND status = 'PENDING' AND effective_to IS NULL",
    );
    exec(
        &mut conn,
        &format!(
            "INSERT INTO service_levels (jurisdiction, status, target_hours, effective_from, published_by) VALUES ('US', 'PENDING', 10, now() + interval '40 years', {officer})"
        ),
    );
    let error = try_exec(&mut conn, "COMMIT").expect_err("an unaudited target");
    assert!(error.contains("service_levels_audited"), "{error}");
}
