//! The rules cache never serves a stale set: a change the old fingerprint (row count plus
//! `max(updated_at)`) could not see is seen, and a rule version is never closed in the past.

use crate::support::*;
use chrono::{DateTime, Duration, SubsecRound, Utc};
use compliance_app::records::CaseRecord;
use compliance_domain::Jurisdiction;
use compliance_persistence::PersistenceError;
use compliance_persistence::diesel::{Connection, PgConnection, RunQueryDsl, sql_query};
use compliance_persistence::repo::compliance_rules::{self as stored_rules, RuleFilter, RuleRow};

/// The fingerprint the cache used before: the count and the latest `updated_at`.
fn old_fingerprint(conn: &mut PgConnection) -> (i64, Option<DateTime<Utc>>) {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
        last: Option<DateTime<Utc>>,
    }
    let row: Row = sql_query(
        "SELECT count(*) AS n, max(updated_at) AS last FROM compliance_rules WHERE jurisdiction = 'US'",
    )
    .get_result(conn)
    .unwrap();
    (row.n, row.last)
}

/// The US rule versions in force since the first defaults' date and still open-ended (the
/// versions of 2027 start later, and the ones they replace are closed already).
fn us_rules(conn: &mut PgConnection) -> Vec<RuleRow> {
    stored_rules::list(
        conn,
        &RuleFilter {
            jurisdiction: Some(Jurisdiction::Us),
            code: None,
        },
    )
    .unwrap()
    .into_iter()
    .filter(|r| {
        r.effective_to.is_none() && r.effective_from == compliance_rules::default_effective_from()
    })
    .collect()
}

/// Whether the decision `case` evaluated the version `row`.
fn evaluated(case: &CaseRecord, row: &RuleRow) -> bool {
    case.rule_versions.contains(&row.rule_ref().unwrap())
}

/// A new US entity's first submission (the seed's us-ind-standard-002 under another id).
fn us_case(n: u32) -> compliance_domain::Case {
    let mut case = scenario("us-ind-standard-002");
    case.kyc.entity_id = entity(&format!("us-cache-{n}"));
    case
}

fn a_month_from_now() -> DateTime<Utc> {
    (Utc::now() + Duration::days(30)).trunc_subsecs(6)
}

/// The cache is `Compliance`'s own: what it serves shows in the rule versions a decision
/// evaluated. Both versions are closed a moment ahead, so that a decision after that moment
/// evaluates neither, unless the cache still holds one open.
#[test]
fn a_change_committed_by_a_transaction_older_than_the_latest_change_is_not_missed() {
    let s = with_rules();
    let officer = s.users.officer.id;
    let agent = s.agent();
    let (mut reader, mut early, mut late) = (s.db.conn(), s.db.conn(), s.db.conn());
    let rows = us_rules(&mut reader);
    let (x, y) = (&rows[0], &rows[1]);
    assert_eq!((x.effective_to, y.effective_to), (None, None));
    let end = (Utc::now() + Duration::seconds(2)).trunc_subsecs(6);
    // The first decision loads the US rules into the cache, both versions open.
    let first = s.compliance.submit(&agent, &us_case(1), None).unwrap();
    assert!(evaluated(&first.case, x) && evaluated(&first.case, y));

    // `early` begins first: its now(), which set_updated_at() writes, is the older time.
    let (old_before, new_before) = early
        .transaction::<_, PersistenceError, _>(|early| {
            sql_query("SELECT 1").execute(early)?;
            std::thread::sleep(std::time::Duration::from_millis(20));
            // `late` closes x and commits; the next decision reloads the cache with x closed.
            stored_rules::close(&mut late, x.id, end, officer)?;
            s.compliance.submit(&agent, &us_case(2), None).unwrap();
            let old_before = old_fingerprint(&mut reader);
            let new_before = stored_rules::fingerprint(&mut reader, Jurisdiction::Us)?;
            // `early` closes y and commits after: the same count, an older updated_at.
            stored_rules::close(early, y.id, end, officer)?;
            Ok((old_before, new_before))
        })
        .unwrap();
    assert_eq!(
        old_fingerprint(&mut reader),
        old_before,
        "the old fingerprint does not move: this is the change it missed"
    );
    assert_ne!(
        stored_rules::fingerprint(&mut reader, Jurisdiction::Us).unwrap(),
        new_before,
        "the new fingerprint moves"
    );
    while Utc::now() <= end {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let after = s.compliance.submit(&agent, &us_case(3), None).unwrap();
    assert!(
        !evaluated(&after.case, x),
        "x ended: {:?}",
        after.case.rule_versions
    );
    assert!(
        !evaluated(&after.case, y),
        "the cache serves y closed: {:?}",
        after.case.rule_versions
    );
}

#[test]
fn closing_a_rule_version_in_the_past_is_refused_and_writes_nothing() {
    let s = with_rules();
    let mut conn = s.db.conn();
    let row = us_rules(&mut conn).remove(0);
    let audit_rows = |conn: &mut PgConnection| {
        count(
            conn,
            &format!(
                "SELECT count(*) AS n FROM audit_logs WHERE subject_id = '{}'",
                row.id
            ),
        )
    };
    let audited = audit_rows(&mut conn);
    let yesterday = (Utc::now() - Duration::days(1)).trunc_subsecs(6);
    let err = stored_rules::close(&mut conn, row.id, yesterday, s.users.officer.id).unwrap_err();
    assert_eq!(
        err.refused_by(),
        Some("compliance_rules_closed_in_past"),
        "{err}"
    );
    assert!(err.to_string().contains("in the past"), "{err}");
    assert_eq!(
        stored_rules::find(&mut conn, row.id).unwrap().effective_to,
        None
    );
    assert_eq!(audit_rows(&mut conn), audited, "no audit entry either");

    // Publishing a version that starts in the past would close the open one in the past.
    let mut next = compliance_rules::default_rules()
        .into_iter()
        .find(|r| r.rule_ref() == &row.rule_ref().unwrap())
        .unwrap()
        .to_stored();
    next.version = 2;
    next.effective_from = yesterday;
    let next = compliance_rules::Rule::try_from(next).unwrap();
    let err = stored_rules::publish(
        &mut conn,
        &compliance_ops::rules::new_rule(&next),
        s.users.officer.id,
    )
    .unwrap_err();
    assert_eq!(err.refused_by(), Some("compliance_rules_closed_in_past"));
    assert!(
        stored_rules::find_version(
            &mut conn,
            Jurisdiction::Us,
            &compliance_domain::RuleRef {
                code: row.rule_ref().unwrap().code,
                version: compliance_domain::RuleVersion::new(2).unwrap(),
            }
        )
        .is_err(),
        "nothing was published"
    );

    // From now on is fine.
    let end = a_month_from_now();
    let closed = stored_rules::close(&mut conn, row.id, end, s.users.officer.id).unwrap();
    assert_eq!(closed.effective_to, Some(end));
}
