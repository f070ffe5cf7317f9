//! Issue 23, parts 3 and 6, in a real browser: an officer finds an investor by name, an analyst
//! by id; the entity page shows its cases, screenings and audit history, and a corporate's
//! beneficial owner, linked to its own page; from the first entity's page the case page,
//! which says why the analyst cannot decide the escalation, lists the signals no rule weighed
//! beside the reasons, and reads its rules' parameters in words. Screenshots as the other
//! stories.

use crate::browser::{
    accessible, arrive, browser, click, driver, screenshot, serve, shows, sign_in,
};
use crate::office_screening::{import_ofac, submit_screened};
use compliance_domain::{EntityId, OwnershipShare};
use fantoccini::{Client, Locator};

/// Scrolls the element `css` to the top of the screenshot.
async fn scroll_to(c: &Client, css: &str) {
    c.execute(
        &format!("document.querySelector('{css}').scrollIntoView({{block: 'start'}});"),
        vec![],
    )
    .await
    .unwrap();
}

/// Types `text` in the search box and presses Find.
async fn search(c: &Client, text: &str) {
    let field = c.find(Locator::Css("#q")).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
    click(c, "form.search button[type=submit]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_finds_an_entity_sees_it_whole_and_its_case_explains_itself() {
    let Some(driver) = driver() else { return };
    let app = crate::office_client::OfficeApp::new();
    import_ofac(&app.s);
    submit_screened(&app.s, "ae-ind-named-001", "Khalid Hassan AL-RASHID");
    let base = serve(&app).await;

    // An officer finds an investor by a name of its screening subject.
    let officer = browser(&driver).await;
    sign_in(&officer, &base, "compliance.officer").await;
    click(&officer, "nav a[href='/office/entities']").await;
    arrive(&officer, "/office/entities").await;
    search(&officer, "khalid al-rashid").await;
    shows(&officer, "ae-ind-named-001").await;
    accessible(&officer).await;
    screenshot(&officer, "17-entity-search").await;
    officer.close().await.unwrap();

    // An analyst searches by id, as typed, and lands on the entity page.
    let analyst = browser(&driver).await;
    sign_in(&analyst, &base, "analyst").await;
    click(&analyst, "nav a[href='/office/entities']").await;
    arrive(&analyst, "/office/entities").await;
    shows(
        &analyst,
        "Searching by name is for compliance officers and admins",
    )
    .await;
    search(&analyst, "  IN-CORP-PEP-002 ").await;
    arrive(&analyst, "/office/entities/in-corp-pep-002").await;
    let page = shows(&analyst, "Cases over time").await;
    for part in ["Screenings", "Wallets", "Audit history", "Related entities"] {
        assert!(page.contains(part), "{part} missing");
    }
    accessible(&analyst).await;
    screenshot(&analyst, "18-entity-page").await;

    // A corporate whose beneficial owner the onboarding service recorded: the owner is an
    // entity of its own, linked, with its current case.
    app.s
        .compliance
        .record_owner(
            &app.s.agent(),
            &EntityId::parse("ae-corp-pending-002").unwrap(),
            &EntityId::parse("ae-ind-clean-001").unwrap(),
            OwnershipShare::parse("40").unwrap(),
        )
        .unwrap();
    analyst
        .goto(&format!("{base}/office/entities/ae-corp-pending-002"))
        .await
        .unwrap();
    shows(&analyst, "Beneficial owners").await;
    shows(&analyst, "40%").await;
    accessible(&analyst).await;
    scroll_to(&analyst, "#owners-h").await;
    screenshot(&analyst, "25-entity-owners").await;
    click(&analyst, "a[href='/office/entities/ae-ind-clean-001']").await;
    arrive(&analyst, "/office/entities/ae-ind-clean-001").await;
    shows(&analyst, "Owns").await;
    analyst
        .goto(&format!("{base}/office/entities/in-corp-pep-002"))
        .await
        .unwrap();

    // The current case from the entity page: the analyst is told why they cannot decide it.
    let (case, _, _) = app.case_of("in-corp-pep-002");
    click(
        &analyst,
        &format!("table.cases a[href='/office/cases/{case}']"),
    )
    .await;
    arrive(&analyst, &format!("/office/cases/{case}")).await;
    shows(&analyst, "You cannot decide this escalation").await;
    shows(&analyst, "Signals no rule weighed").await;
    accessible(&analyst).await;
    scroll_to(&analyst, "#assignment-h").await;
    screenshot(&analyst, "19-case-explains-itself").await;

    // A rejected case carrying signals no rule weighed: listed beside the reasons.
    let (case, _, _) = app.case_of("in-ind-rejected-003");
    analyst
        .goto(&format!("{base}/office/cases/{case}"))
        .await
        .unwrap();
    shows(&analyst, "no rule in force weighed them").await;
    shows(&analyst, "Nobody decides this case").await;
    scroll_to(&analyst, "#summary-h").await;
    screenshot(&analyst, "20-signals-beside-reasons").await;

    // A case in India: its rules' parameters in words, rupees in lakh and crore.
    let (case, _, _) = app.case_of("in-ind-accredited-001");
    analyst
        .goto(&format!("{base}/office/cases/{case}"))
        .await
        .unwrap();
    click(&analyst, "details.applied summary").await;
    shows(&analyst, "2,00,00,000 INR (2 crore)").await;
    scroll_to(&analyst, "details.applied").await;
    screenshot(&analyst, "21-rules-in-words").await;
    analyst.close().await.unwrap();
}
