//! The operations pages in a real browser: an officer finds a case monitoring flagged (an entry
//! its screening matched left OFAC's list) and reviews the flag on the Monitoring page; an admin
//! opens a failing endpoint and replays its failed delivery. Screenshots for docs/back-office.md,
//! as the other stories take them.

use crate::browser::{accessible, browser, click, driver, fill, screenshot, serve, shows, sign_in};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_reviews_a_delisting_flag_and_an_admin_replays_a_failed_delivery() {
    let Some(driver) = driver() else { return };
    let app = crate::office_client::OfficeApp::new();
    crate::http_monitoring::designated_then_delisted(&app.s);
    let (endpoint, _) = crate::office_endpoints::failing_webhook(&app);
    let base = serve(&app).await;

    let officer = browser(&driver).await;
    sign_in(&officer, &base, "compliance.officer").await;
    officer
        .goto(&format!("{base}/office/monitoring"))
        .await
        .unwrap();
    shows(&officer, "Flagged for review").await;
    accessible(&officer).await;
    fill(
        &officer,
        "form.review-flag input[name=conclusion]",
        "Delisted by OFAC; the rejection stands on its own grounds.",
    )
    .await;
    screenshot(&officer, "23-monitoring-flag").await;
    click(&officer, "form.review-flag button[type=submit]").await;
    let page = shows(&officer, "reviewed 20").await;
    assert!(!page.contains("Mark reviewed"), "reviewed once");

    let admin = browser(&driver).await;
    sign_in(&admin, &base, "admin").await;
    admin
        .goto(&format!("{base}/office/endpoints/{endpoint}"))
        .await
        .unwrap();
    let page = shows(&admin, "failed").await;
    assert!(page.contains("&lt;b&gt;trading&lt;/b&gt;"), "escaped");
    accessible(&admin).await;
    screenshot(&admin, "24-endpoint-failing").await;
    officer.close().await.unwrap();
    admin.close().await.unwrap();
}
