//! The back office in a real browser: headless Chromium driven through WebDriver
//! (chromedriver, with the fantoccini client) against `compliance-api`'s router served on a
//! local port, on a seeded database whose people have passwords. Each story saves a
//! screenshot under the target directory (`target/tmp/back-office/`).
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/install-browser` installs them; CI
//! runs it). Without them every story fails and says so; set `COMPLIANCE_SKIP_BROWSER=1` to
//! skip them knowingly.

use crate::office_client::{OfficeApp, PASSWORD};
use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// chromedriver on a free port, stopped when dropped.
pub(crate) struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What to do when the browser is missing, said in one line.
const INSTALL: &str =
    "install Debian's chromium and chromium-driver with `sudo .ci/install-browser`";

/// Starts chromedriver, or `None` when the browser stories are skipped: on purpose
/// (`COMPLIANCE_SKIP_BROWSER`), or because this machine has no chromedriver, said loudly in one
/// line. In CI (`CI=true`) a missing browser fails the story instead, so CI runs everything.
pub(crate) fn driver() -> Option<Driver> {
    if std::env::var_os("COMPLIANCE_SKIP_BROWSER").is_some() {
        eprintln!("COMPLIANCE_SKIP_BROWSER is set: browser story skipped");
        return None;
    }
    let port = free_port();
    let spawned = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let child = match spawned {
        Ok(child) => child,
        Err(e) if std::env::var("CI").is_ok_and(|ci| ci == "true") => {
            panic!(
                "cannot start chromedriver ({e}), and CI requires the browser stories: {INSTALL}"
            )
        }
        Err(e) => {
            // Straight to the stderr stream, past the test harness's capture: a skip is loud.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "BROWSER STORY SKIPPED: cannot start chromedriver ({e}); {INSTALL}"
            );
            return None;
        }
    };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Driver { child, port })
}

/// A headless Chromium session.
pub(crate) async fn browser(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1280,900", "--disable-dev-shm-usage"],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session with headless Chromium")
}

/// The back office served on a local port for the browser.
pub(crate) async fn serve(app: &OfficeApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = app
        .router
        .clone()
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}

/// Saves the browser's screen as `name`.png under the target directory.
pub(crate) async fn screenshot(c: &Client, name: &str) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("back-office");
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

pub(crate) async fn fill(c: &Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

pub(crate) async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Waits (up to 20 s, on a busy machine) until the browser is on `path`: a click that submits
/// a form may return before the next page has arrived.
pub(crate) async fn arrive(c: &Client, path: &str) {
    let started = Instant::now();
    loop {
        let url = c.current_url().await.unwrap();
        if url.path() == path {
            return;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let page = source(c).await;
            let notice = page
                .find("role=\"alert\"")
                .map_or("", |at| &page[at..(at + 300).min(page.len())]);
            panic!("still on {} instead of {path}: {notice}", url.path());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits (up to 20 s) until the browser's address holds `query` (`assignee=unassigned`): a
/// filter's form submits to the page it is on, so the page before still shows until then.
pub(crate) async fn arrive_query(c: &Client, query: &str) {
    let started = Instant::now();
    while !c
        .current_url()
        .await
        .unwrap()
        .query()
        .is_some_and(|q| q.contains(query))
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the address never held {query:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The page's accessibility basics, as the browser sees them: one `h1`, every visible field
/// with a label, every button with a name, and the first focusable element the skip link.
pub(crate) async fn accessible(c: &Client) {
    let found = c
        .execute(
            "const fields = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')];
             const unlabelled = fields.filter(e => !e.labels || e.labels.length === 0).map(e => e.name);
             const unnamed = [...document.querySelectorAll('button')].filter(b => !b.textContent.trim()).length;
             return { h1: document.querySelectorAll('h1').length, unlabelled, unnamed,
                      lang: document.documentElement.lang };",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(found["h1"], 1, "{found}");
    assert_eq!(found["unlabelled"], serde_json::json!([]), "{found}");
    assert_eq!(found["unnamed"], 0, "{found}");
    assert_eq!(found["lang"], "en", "{found}");
    let first = c
        .execute(
            "return document.querySelector('a[href], button, input:not([type=hidden]), select, textarea').className;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        first, "skip",
        "the first stop of the keyboard skips to the content"
    );
}

/// Waits (up to 20 s) until the page shows `text`, and gives back its source.
pub(crate) async fn shows(c: &Client, text: &str) -> String {
    let started = Instant::now();
    loop {
        let page = source(c).await;
        if page.contains(text) {
            return page;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the page never showed {text:?}: {page}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Signs in on the sign-in page the browser is on, and waits to arrive at `then`.
async fn sign_in_here(c: &Client, username: &str, then: &str) {
    fill(c, "#username", username).await;
    fill(c, "#password", PASSWORD).await;
    click(c, "form.card button[type=submit]").await;
    arrive(c, then).await;
}

pub(crate) async fn sign_in(c: &Client, base: &str, username: &str) {
    c.goto(&format!("{base}/office/sign-in")).await.unwrap();
    sign_in_here(c, username, "/office/queue").await;
}

async fn source(c: &Client) -> String {
    c.source().await.unwrap()
}

/// Opens an entity's case from the queue by its link.
pub(crate) async fn open_from_queue(c: &Client, entity: &str) {
    let link = c.find(Locator::LinkText(entity)).await.unwrap();
    let href = link.attr("href").await.unwrap().unwrap();
    link.click().await.unwrap();
    arrive(c, &href).await;
}

/// Types a reason and presses the decision button with `verdict`.
pub(crate) async fn decide(c: &Client, verdict: &str, reason: &str) {
    fill(c, "#reason", reason).await;
    click(c, &format!("button[name=verdict][value={verdict}]")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_signs_in_works_the_queue_and_rejects_a_pending_case() {
    let Some(driver) = driver() else { return };
    let app = OfficeApp::new();
    let base = serve(&app).await;
    let c = browser(&driver).await;
    sign_in(&c, &base, "analyst").await;
    let queue = shows(&c, "us-fund-pending-003").await;
    assert!(queue.contains("in-corp-pep-002"));
    // Filter to PENDING with the form (no JavaScript needed).
    c.find(Locator::Css("#status"))
        .await
        .unwrap()
        .select_by_value("PENDING")
        .await
        .unwrap();
    click(&c, "form.filters button[type=submit]").await;
    arrive_query(&c, "status=PENDING").await;
    let filtered = shows(&c, "ae-corp-pending-002").await;
    assert!(
        !filtered.contains("in-corp-pep-002"),
        "the escalation is filtered out"
    );
    accessible(&c).await;
    screenshot(&c, "1-queue").await;
    open_from_queue(&c, "us-fund-pending-003").await;
    shows(&c, "Why the engine decided so").await;
    accessible(&c).await;
    screenshot(&c, "2-case").await;
    // Decide with the keyboard alone: type the reason, Tab past the waiver (the engine holds
    // this case PENDING) to Reject, Enter.
    fill(
        &c,
        "#reason",
        "Source of funds not evidenced after two requests",
    )
    .await;
    let reason = c.find(Locator::Css("#reason")).await.unwrap();
    reason.send_keys("\u{e004}").await.unwrap();
    let on = c.active_element().await.unwrap();
    assert_eq!(on.attr("value").await.unwrap().as_deref(), Some("waive"));
    on.send_keys("\u{e004}").await.unwrap();
    let on = c.active_element().await.unwrap();
    assert_eq!(on.attr("value").await.unwrap().as_deref(), Some("reject"));
    on.send_keys("\u{e007}").await.unwrap();
    shows(&c, "Decision recorded.").await;
    assert_eq!(app.case_of("us-fund-pending-003").1, "REJECTED");
    screenshot(&c, "3-rejected").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_officers_approve_an_escalation_and_the_proposer_cannot_confirm_alone() {
    let Some(driver) = driver() else { return };
    let app = OfficeApp::new();
    let base = serve(&app).await;
    let first = browser(&driver).await;
    sign_in(&first, &base, "compliance.officer").await;
    open_from_queue(&first, "in-corp-pep-002").await;
    // The first officer takes the case: one claims and proposes, the other confirms.
    click(&first, "input[name=action][value=claim] ~ button").await;
    shows(&first, "You work this case now.").await;
    decide(
        &first,
        "approve",
        "PEP: source of wealth documented and reviewed",
    )
    .await;
    shows(&first, "Approval proposed: a second compliance officer").await;
    screenshot(&first, "4-approval-proposed").await;

    // The proposer tries to confirm: refused, nothing recorded.
    decide(&first, "approve", "Confirming my own proposal").await;
    shows(&first, "Nothing was recorded").await;
    assert_eq!(app.case_of("in-corp-pep-002").1, "ESCALATED");
    screenshot(&first, "5-same-officer-refused").await;

    let second = browser(&driver).await;
    sign_in(&second, &base, app.officer2.username.as_str()).await;
    open_from_queue(&second, "in-corp-pep-002").await;
    let page = shows(&second, "Approval proposed by compliance.officer").await;
    assert!(
        page.contains("Take over"),
        "the second officer sees the case is the first one's, and may still confirm"
    );
    decide(&second, "approve", "Second review agrees: approve").await;
    shows(&second, "Decision recorded.").await;
    assert_eq!(app.case_of("in-corp-pep-002").1, "APPROVED");
    screenshot(&second, "6-approved-by-second-officer").await;
    first.close().await.unwrap();
    second.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_out_visitor_is_sent_to_sign_in_and_a_form_without_its_token_is_refused() {
    let Some(driver) = driver() else { return };
    let app = OfficeApp::new();
    let base = serve(&app).await;
    let c = browser(&driver).await;
    let (case, _, _) = app.case_of("ae-corp-pending-002");
    c.goto(&format!("{base}/office/cases/{case}"))
        .await
        .unwrap();
    arrive(&c, "/office/sign-in").await;
    shows(&c, "<h1>Sign in</h1>").await;
    accessible(&c).await;
    screenshot(&c, "0-sign-in").await;

    // Signing in comes back to the case; then its form loses its token and is refused.
    sign_in_here(&c, "analyst", &format!("/office/cases/{case}")).await;
    c.execute(
        "document.querySelectorAll('form input[name=csrf]').forEach(e => e.remove());",
        vec![],
    )
    .await
    .unwrap();
    let audit = app.rows("audit_logs");
    decide(&c, "reject", "no token").await;
    let page = shows(&c, "Form refused").await;
    assert!(page.contains("Nothing was changed"), "{page}");
    assert_eq!(app.rows("audit_logs"), audit);
    assert_eq!(app.case_of("ae-corp-pending-002").1, "PENDING");
    screenshot(&c, "7-csrf-refused").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_opens_a_rejected_screened_case_and_sees_why_it_matched() {
    let Some(driver) = driver() else { return };
    let app = OfficeApp::new();
    crate::office_screening::import_ofac(&app.s);
    let hit = crate::office_screening::submit_screened(
        &app.s,
        "ae-ind-screened-001",
        "Khalid Hassan AL-RASHID",
    );
    let case = hit.case.id;
    let base = serve(&app).await;
    let c = browser(&driver).await;
    sign_in(&c, &base, "compliance.officer").await;
    c.goto(&format!("{base}/office/cases/{case}"))
        .await
        .unwrap();
    let page = shows(&c, "Why OFAC-SDN SDN-41001 matched").await;
    assert!(page.contains("Khalid Hassan AL-RASHID"), "{page}");
    assert!(page.contains("Name similarity"), "{page}");
    accessible(&c).await;
    c.execute(
        "document.querySelector('table.explanation').scrollIntoView({block: 'center'});",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&c, "8-screening-explained").await;
    c.close().await.unwrap();
}
