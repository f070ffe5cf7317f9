//! Issue 23's dashboard in a real browser: an analyst opens it from the navigation, sees the
//! backlog with a case past its service level, and follows the overdue count to the queue's
//! overdue filter. A screenshot as the other stories.

use crate::browser::{
    accessible, arrive, arrive_query, browser, click, driver, screenshot, serve, shows, sign_in,
};
use compliance_ops::testing::behind_the_triggers;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_reads_the_backlog_and_follows_the_overdue_cases_to_the_queue() {
    let Some(driver) = driver() else { return };
    let app = crate::office_client::OfficeApp::new();
    // The escalation entered its status three days ago (its target is 48 hours), as a
    // database written then would hold it, its counts with it.
    let (case, ..) = app.case_of("in-corp-pep-002");
    let mut conn = app.s.db.conn();
    behind_the_triggers(
        &mut conn,
        &format!(
            "UPDATE compliance_checks SET decided_at = decided_at - interval '3 days' WHERE id = '{case}'"
        ),
    );
    behind_the_triggers(
        &mut conn,
        "UPDATE case_counts SET since = since - interval '3 days'
          WHERE kind = 'waiting' AND jurisdiction = 'IN' AND status = 'ESCALATED'",
    );
    let base = serve(&app).await;
    let analyst = browser(&driver).await;
    sign_in(&analyst, &base, "analyst").await;
    click(&analyst, "nav a[href='/office/dashboard']").await;
    arrive(&analyst, "/office/dashboard").await;
    let page = shows(&analyst, "1 overdue").await;
    assert!(
        page.contains("Open cases: 3"),
        "the seed's three waiting cases"
    );
    assert!(
        page.contains("3 d 0 h"),
        "the escalation has waited three days"
    );
    accessible(&analyst).await;
    screenshot(&analyst, "22-dashboard").await;
    click(&analyst, "a[href$='overdue=true'] strong").await;
    arrive_query(&analyst, "overdue=true").await;
    let queue = shows(&analyst, "in-corp-pep-002").await;
    assert!(
        !queue.contains("ae-corp-pending-002"),
        "only the overdue case"
    );
    analyst.close().await.unwrap();
}
