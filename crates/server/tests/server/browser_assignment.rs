//! Issue 23's story of a two-person team in a real browser: an analyst claims a case from its
//! page and finds it under "mine"; an officer sees who works it in the queue, and decides it
//! anyway, an urgent case, which the audit history records. Screenshots as the other stories.

use crate::browser::{
    accessible, arrive_query, browser, click, decide, driver, open_from_queue, screenshot, serve,
    shows, sign_in,
};
use fantoccini::Locator;

/// Scrolls the case page's "Who works it" section into the screenshot.
async fn show_assignment(c: &fantoccini::Client) {
    c.execute(
        "document.querySelector('section.assignment').scrollIntoView({block: 'start'});",
        vec![],
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_claims_a_case_and_an_officer_acting_on_it_is_recorded() {
    let Some(driver) = driver() else { return };
    let app = crate::office_client::OfficeApp::new();
    let base = serve(&app).await;
    let analyst = browser(&driver).await;
    sign_in(&analyst, &base, "analyst").await;
    open_from_queue(&analyst, "us-fund-pending-003").await;
    shows(&analyst, "Who works it").await;
    click(&analyst, "input[name=action][value=claim] ~ button").await;
    shows(&analyst, "You work this case now.").await;
    show_assignment(&analyst).await;
    screenshot(&analyst, "9-claimed").await;
    analyst
        .goto(&format!("{base}/office/queue?assignee=mine"))
        .await
        .unwrap();
    let mine = shows(&analyst, "us-fund-pending-003").await;
    assert!(
        !mine.contains("ae-corp-pending-002"),
        "only the analyst's case"
    );

    let officer = browser(&driver).await;
    sign_in(&officer, &base, "compliance.officer").await;
    officer
        .find(Locator::Css("#assignee"))
        .await
        .unwrap()
        .select_by_value("unassigned")
        .await
        .unwrap();
    click(&officer, "form.filters button[type=submit]").await;
    arrive_query(&officer, "assignee=unassigned").await;
    let unassigned = shows(&officer, "ae-corp-pending-002").await;
    assert!(!unassigned.contains("us-fund-pending-003"));
    officer.goto(&format!("{base}/office/queue")).await.unwrap();
    shows(&officer, ">analyst<").await;
    accessible(&officer).await;
    screenshot(&officer, "10-queue-assignees").await;
    open_from_queue(&officer, "us-fund-pending-003").await;
    shows(&officer, "Take over").await;
    decide(
        &officer,
        "reject",
        "Urgent: the regulator's request, decided today",
    )
    .await;
    let page = shows(&officer, "Decision recorded.").await;
    assert!(page.contains("case claimed"), "the claim is in the history");
    assert_eq!(app.case_of("us-fund-pending-003").1, "REJECTED");
    show_assignment(&officer).await;
    screenshot(&officer, "11-decided-over-assignment").await;
    analyst.close().await.unwrap();
    officer.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_that_passes_its_service_level_is_marked_and_found_by_the_filter() {
    let Some(driver) = driver() else { return };
    let app = crate::office_client::OfficeApp::new();
    let base = serve(&app).await;
    // The PENDING case's wait in its status began thirty days ago: past any target.
    let (case, _, _) = app.case_of("ae-corp-pending-002");
    crate::support::behind_the_triggers(
        &mut app.s.db.conn(),
        &format!(
            "UPDATE compliance_checks SET decided_at = decided_at - interval '30 days' WHERE id = '{case}'"
        ),
    );
    let officer = browser(&driver).await;
    sign_in(&officer, &base, "compliance.officer").await;
    let queue = shows(&officer, "overdue").await;
    assert!(queue.contains("30 d"), "the wait is shown in days");
    click(&officer, "input[name=overdue]").await;
    click(&officer, "form.filters button[type=submit]").await;
    arrive_query(&officer, "overdue=true").await;
    let overdue = shows(&officer, "ae-corp-pending-002").await;
    assert!(
        !overdue.contains("us-fund-pending-003"),
        "only the case past its service level"
    );
    accessible(&officer).await;
    screenshot(&officer, "15-queue-overdue").await;
    open_from_queue(&officer, "ae-corp-pending-002").await;
    let page = shows(&officer, "past its service level").await;
    assert!(page.contains("PENDING for 30 d"));
    show_assignment(&officer).await;
    screenshot(&officer, "16-case-overdue").await;
    officer.close().await.unwrap();
}
