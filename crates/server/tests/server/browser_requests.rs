//! Issue 23's story of a request for information in a real browser: an analyst asks the
//! customer's representative for two documents from the case page; the officer sees on the queue
//! that the case waits on the customer, records the answer when it arrives and leaves a note; the
//! case never moved. Screenshots as the other stories.

use crate::browser::{
    accessible, browser, click, driver, fill, open_from_queue, screenshot, serve, shows, sign_in,
};

const CASE: &str = "ae-corp-pending-002";

/// Scrolls the case page's requests section into the screenshot.
async fn show_requests(c: &fantoccini::Client) {
    c.execute(
        "document.querySelector('section.requests').scrollIntoView({block: 'start'});",
        vec![],
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_asks_the_customer_and_an_officer_records_the_answer() {
    let Some(driver) = driver() else { return };
    let app = crate::office_client::OfficeApp::new();
    let base = serve(&app).await;
    let (_, status_before, revision_before) = app.case_of(CASE);

    let analyst = browser(&driver).await;
    sign_in(&analyst, &base, "analyst").await;
    open_from_queue(&analyst, CASE).await;
    shows(&analyst, "Nothing has been asked of the customer").await;
    click(&analyst, "input[name=item][value=source_of_funds]").await;
    click(&analyst, "input[name=item][value=proof_of_address]").await;
    analyst
        .find(fantoccini::Locator::Css("#addressee-ask"))
        .await
        .unwrap()
        .select_by_value("representative")
        .await
        .unwrap();
    fill(
        &analyst,
        "#ask-message",
        "A bank letter under three months old, please.",
    )
    .await;
    click(&analyst, "form.ask button[type=submit]").await;
    let page = shows(&analyst, "Information requested").await;
    assert!(page.contains("proof of address, source of funds"));
    assert!(
        page.contains("A request is open"),
        "no second request is offered"
    );
    show_requests(&analyst).await;
    accessible(&analyst).await;
    screenshot(&analyst, "12-information-requested").await;

    let officer = browser(&driver).await;
    sign_in(&officer, &base, "compliance.officer").await;
    let queue = shows(&officer, "on the customer for").await;
    assert!(queue.contains(CASE));
    screenshot(&officer, "13-queue-waiting-on-customer").await;
    open_from_queue(&officer, CASE).await;
    fill(&officer, "#close-note", "Letter received and filed.").await;
    click(&officer, "button[name=outcome][value=answered]").await;
    let page = shows(&officer, "Answer recorded").await;
    assert!(page.contains("On closing: Letter received and filed."));
    fill(
        &officer,
        "#note-text",
        "Source of funds now evidenced; decide after the call.",
    )
    .await;
    click(&officer, "form[action$='/notes'] button[type=submit]").await;
    let page = shows(&officer, "Note added").await;
    assert!(page.contains("Source of funds now evidenced"));
    assert!(
        page.contains("information answered"),
        "the history shows it"
    );
    show_requests(&officer).await;
    screenshot(&officer, "14-answer-recorded").await;
    // Nothing of it moved the case.
    let (_, status_after, revision_after) = app.case_of(CASE);
    assert_eq!(
        (status_after, revision_after),
        (status_before, revision_before)
    );
    analyst.close().await.unwrap();
    officer.close().await.unwrap();
}
