//! Issue 23, part 3, from the server's side: finding an entity (by its exact id; by a name for
//! the roles that may read subjects, never an erased one), the entity page with each of its
//! parts, its audit history a page at a time, and hostile searches, each a clear message and
//! never a 500, with nothing written.

use crate::office_client::OfficeApp;
use crate::office_screening::{import_ofac, submit_screened};
use crate::support::behind_the_triggers;
use axum::http::StatusCode;
use compliance_app::{AuditQuery, ListSize};
use compliance_domain::EntityId;

const PEP: &str = "in-corp-pep-002";

/// Every `href="/office/cases/..."` on a page, in order.
fn case_links(body: &str) -> Vec<&str> {
    body.match_indices("href=\"/office/cases/")
        .map(|(at, _)| {
            let rest = &body[at + 6..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[tokio::test]
async fn an_exact_id_leads_to_the_entity_page_as_a_reviewer_types_it() {
    let app = OfficeApp::new();
    for who in ["analyst", "compliance.officer"] {
        let b = app.signed_in(who).await;
        let form = b.get("/office/entities").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = form.csrf();
        for typed in [PEP, "  in-corp-pep-002\t", "IN-CORP-PEP-002"] {
            let found = b
                .post("/office/entities", &[("csrf", &csrf), ("q", typed)])
                .await;
            assert_eq!(
                found.status,
                StatusCode::SEE_OTHER,
                "{who} {typed:?}: {}",
                found.body
            );
            assert_eq!(found.location(), "/office/entities/in-corp-pep-002");
        }
    }
}

#[tokio::test]
async fn an_unknown_id_says_so_and_an_analyst_is_told_why_there_is_no_name_search() {
    let app = OfficeApp::new();
    let b = app.signed_in("analyst").await;
    let form = b.get("/office/entities").await;
    assert!(
        form.body
            .contains("Searching by name is for compliance officers and admins")
    );
    let csrf = form.csrf();
    let page = b
        .post(
            "/office/entities",
            &[("csrf", &csrf), ("q", "zz-nobody-999")],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.body.contains("No entity has the id zz-nobody-999"),
        "{}",
        page.body
    );
    // A name, from an analyst: not searched, and said why.
    let page = b
        .post(
            "/office/entities",
            &[("csrf", &csrf), ("q", "Khalid Hassan")],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.body.contains("Your role searches by id only"),
        "{}",
        page.body
    );
    for path in [
        "/office/entities/zz-nobody-999",
        "/office/entities/NOT%20AN%20ID",
    ] {
        let page = b.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            page.body.contains("No such entity"),
            "{path}: {}",
            page.body
        );
    }
}

#[tokio::test]
async fn the_search_needs_its_token_and_a_session() {
    let app = OfficeApp::new();
    let b = app.signed_in("compliance.officer").await;
    for csrf in ["", "forged"] {
        let page = b
            .post("/office/entities", &[("csrf", csrf), ("q", PEP)])
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{csrf:?}");
        assert!(page.body.contains("Form refused"));
    }
    let anonymous = app.browser();
    for path in ["/office/entities", "/office/entities/in-corp-pep-002"] {
        let page = anonymous.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert!(page.location().starts_with("/office/sign-in"), "{path}");
    }
    let page = anonymous
        .post("/office/entities", &[("csrf", "x"), ("q", PEP)])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn hostile_searches_get_a_clear_message_never_a_500_and_write_nothing() {
    let app = OfficeApp::new();
    let entries = app.rows("audit_logs");
    let huge = "x".repeat(40 * 1024);
    let long = "ab ".repeat(100);
    for who in ["analyst", "compliance.officer"] {
        let b = app.signed_in(who).await;
        let csrf = b.get("/office/entities").await.csrf();
        for (typed, status, says) in [
            ("", StatusCode::BAD_REQUEST, "Type an entity id, or a name"),
            (
                "   \t ",
                StatusCode::BAD_REQUEST,
                "Type an entity id, or a name",
            ),
            (
                long.as_str(),
                StatusCode::BAD_REQUEST,
                "At most 200 characters",
            ),
            (
                "a\u{0}b",
                StatusCode::BAD_REQUEST,
                "Control characters are not part",
            ),
            ("' OR 1=1; --", StatusCode::NOT_FOUND, ""),
            (
                "x'); DROP TABLE screening_subjects; --",
                StatusCode::NOT_FOUND,
                "",
            ),
            ("%", StatusCode::NOT_FOUND, ""),
            ("---", StatusCode::NOT_FOUND, ""),
            ("Ωμέγα 名前 🙂 \u{202e}", StatusCode::NOT_FOUND, ""),
            ("<script>alert(1)</script>", StatusCode::NOT_FOUND, ""),
        ] {
            let page = b
                .post("/office/entities", &[("csrf", &csrf), ("q", typed)])
                .await;
            assert_eq!(page.status, status, "{who} {typed:?}: {}", page.body);
            assert!(
                page.body.contains("role=\"alert\""),
                "{who} {typed:?}: a message"
            );
            assert!(page.body.contains(says), "{who} {typed:?}: {}", page.body);
            assert!(!page.body.contains("<script>alert"), "escaped");
        }
        // Larger than any form the back office takes: refused before it is read.
        let page = b
            .post("/office/entities", &[("csrf", &csrf), ("q", &huge)])
            .await;
        assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
        for query in [
            "after=-1",
            "after=abc",
            "after=99999999999999999999",
            "order=sideways",
        ] {
            let page = b.get(&format!("/office/entities/{PEP}?{query}")).await;
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        }
    }
    assert_eq!(app.rows("audit_logs"), entries, "a search writes nothing");
    assert_eq!(app.rows("screening_subjects"), 0);
}

#[tokio::test]
async fn an_officer_finds_an_entity_by_name_and_never_an_erased_one() {
    let app = OfficeApp::new();
    import_ofac(&app.s);
    let kept = "ae-ind-named-001";
    let erased = "ae-ind-named-002";
    submit_screened(&app.s, kept, "Khalid Hassan AL-RASHID");
    let gone = submit_screened(&app.s, erased, "Khalid Hassan AL-RASHID");
    // The second was rejected six years ago: its records need no longer be kept, and an
    // officer erases its subject.
    behind_the_triggers(
        &mut app.s.db.conn(),
        &format!(
            "UPDATE compliance_checks SET decided_at = decided_at - interval '6 years' WHERE id = '{}'",
            gone.case.id
        ),
    );
    let erasing = app
        .s
        .compliance
        .erase_subject(&app.s.officer(), &EntityId::parse(erased).unwrap());
    assert_eq!(erasing.unwrap(), 1);
    let b = app.signed_in("compliance.officer").await;
    let csrf = b.get("/office/entities").await.csrf();
    // Any case, any order of the words, punctuation as names carry it.
    for typed in ["al-rashid", "KHALID  hassan", "Rashid, Khalid", "hassan"] {
        let page = b
            .post("/office/entities", &[("csrf", &csrf), ("q", typed)])
            .await;
        assert_eq!(page.status, StatusCode::OK, "{typed:?}: {}", page.body);
        assert!(
            page.body
                .contains(&format!("href=\"/office/entities/{kept}\"")),
            "{typed:?}"
        );
        assert!(
            !page.body.contains(erased),
            "{typed:?}: an erased subject is never found"
        );
        assert!(page.body.contains("Khalid Hassan AL-RASHID"));
    }
    // Every word must be among the names.
    let page = b
        .post(
            "/office/entities",
            &[("csrf", &csrf), ("q", "Khalid Ivanov")],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.body
            .contains("no current screening subject carries every word")
    );
    // The name never travels in an address: the form posts it.
    let form = b.get("/office/entities").await;
    assert!(
        form.body
            .contains("method=\"post\" action=\"/office/entities\"")
    );
}

#[tokio::test]
async fn the_entity_page_shows_cases_screenings_wallets_owners_and_the_audit_history() {
    let app = OfficeApp::new();
    let s = &app.s;
    let entity = EntityId::parse(PEP).unwrap();
    let history = s.compliance.history(&s.officer(), &entity).unwrap();
    let b = app.signed_in("analyst").await;
    let page = b.get(&format!("/office/entities/{PEP}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    // Its cases, each linked to its page, with status, risk and who decided.
    let current = history.last().unwrap();
    assert!(case_links(body).contains(&format!("/office/cases/{}", current.id).as_str()));
    for part in [
        "Cases over time",
        "ESCALATED",
        &format!(
            "{}</span> {}",
            current.risk_level,
            current.risk_score.value()
        ),
        "(current)",
        "Screenings",
        "Wallets",
        "No wallet is watched",
        "Audit history",
        "Chain.position",
        "Related entities",
        "Beneficial owners",
        "None recorded.",
    ] {
        assert!(body.contains(part), "{part:?} missing: {body}");
    }
    // Its screenings: the provider's list version and the PEP entry matched.
    let screening = &s
        .compliance
        .case_detail(&s.officer(), current.id)
        .unwrap()
        .screenings[0];
    assert!(body.contains(screening.screening.watchlist_version.to_string().as_str()));
    for m in &screening.screening.matches {
        assert!(
            body.contains(&format!("{} {} {}", m.kind, m.list, m.entry)),
            "{body}"
        );
    }
    // Its audit entries, each with its place in its chain.
    let audit = s
        .compliance
        .audit(&s.officer(), &entity, &AuditQuery::default())
        .unwrap();
    assert!(!audit.items.is_empty());
    for e in &audit.items {
        assert!(
            body.contains(&format!(">{}.{}<", e.chain, e.position)),
            "{e:?}"
        );
    }
    // An individual has no owners to speak of.
    let page = b.get("/office/entities/ae-ind-clean-001").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Related entities"));
}

#[tokio::test]
async fn the_entity_pages_audit_history_pages_through_every_entry_once() {
    let app = OfficeApp::new();
    let s = &app.s;
    let entity = EntityId::parse(PEP).unwrap();
    let all = s
        .compliance
        .audit(&s.officer(), &entity, &AuditQuery::default())
        .unwrap()
        .items;
    assert!(all.len() >= 2, "the seed gives it a few entries");
    // One entry a page, through the app: every entry once, newest first, then oldest first.
    for oldest_first in [false, true] {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let query = AuditQuery {
                limit: ListSize::new(1).unwrap(),
                cursor,
                oldest_first,
            };
            let o = s
                .compliance
                .entity_overview(&s.analyst(), &entity, &query)
                .unwrap();
            seen.extend(o.audit.iter().map(|(e, _)| e.id));
            match o.older_audit {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let mut expected: Vec<i64> = all.iter().map(|e| e.id).collect();
        if oldest_first {
            expected.reverse();
        }
        assert_eq!(seen, expected, "oldest first: {oldest_first}");
    }
    // The page's own links: oldest first starts with the first entry.
    let b = app.signed_in("analyst").await;
    let page = b.get(&format!("/office/entities/{PEP}?order=oldest")).await;
    let first = all.last().unwrap();
    let newest = all.first().unwrap();
    let at = |e: &compliance_app::records::AuditRecord| {
        page.body
            .find(&format!(">{}.{}<", e.chain, e.position))
            .unwrap()
    };
    assert!(at(first) < at(newest), "oldest first");
    // A page after the newest entry holds the older ones only.
    let page = b
        .get(&format!("/office/entities/{PEP}?after={}", newest.id))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page
            .body
            .contains(&format!(">{}.{}<", newest.chain, newest.position))
    );
    assert!(
        page.body
            .contains(&format!(">{}.{}<", first.chain, first.position))
    );
    assert!(page.body.contains("First page"));
}

#[tokio::test]
async fn the_entity_page_shows_a_wallets_flagged_transactions_never_an_amount_or_counterparty() {
    use compliance_domain::blockchain::{
        Chain, ObservedTransaction, OnChainRef, WalletWatch, WatchKind,
    };
    let app = OfficeApp::new();
    let s = &app.s;
    import_ofac(s);
    let entity = EntityId::parse("ae-ind-clean-001").unwrap();
    let watch = WalletWatch::new(
        Chain::parse("ethereum").unwrap(),
        OnChainRef::parse(
            "0xabcdefabcdefabcdefabcdefabcdefabcdefabcd",
            "wallet address",
        )
        .unwrap(),
        [WatchKind::Incoming, WatchKind::SanctionedCounterparty].into(),
    )
    .unwrap();
    let wallet = s
        .compliance
        .watch_wallet(&s.agent(), &entity, &watch)
        .unwrap();
    let tx = |hash: &str, counterparty: &str| -> ObservedTransaction {
        serde_json::from_value(serde_json::json!({"tx_hash": hash, "direction": "incoming",
            "amount": "0.125", "asset": "ETH", "counterparty": counterparty,
            "observed_at": "2026-12-07T10:00:00Z", "risk_score": null}))
        .unwrap()
    };
    let clean = "0xaaaa000000000000000000000000000000000001";
    let listed = "0xaaaa000000000000000000000000000000000002";
    let recorded = s
        .compliance
        .record_transactions(
            &s.agent(),
            wallet.id,
            &[
                tx(clean, "0x1111111111111111111111111111111111111111"),
                tx(listed, "0x3cb7f9e2c1d4a5b6e7f8091a2b3c4d5e6f708192"),
            ],
        )
        .unwrap();
    assert_eq!(recorded.flagged, 1);
    let b = app.signed_in("analyst").await;
    let page = b.get("/office/entities/ae-ind-clean-001").await;
    assert_eq!(page.status, StatusCode::OK);
    let wallets = &page.body[page.body.find("id=\"wallets-h\"").unwrap()..];
    let wallets = &wallets[..wallets.find("</section>").unwrap()];
    assert!(
        wallets.contains("0xabcdefabcdefabcdefabcdefabcdefabcdefabcd"),
        "{wallets}"
    );
    assert!(
        wallets.contains(listed),
        "the flagged transaction: {wallets}"
    );
    assert!(!wallets.contains(clean), "only flagged ones");
    assert!(wallets.contains("ESCALATED"));
    // Neither the amount nor the counterparty is shown.
    assert!(!page.body.contains("0x3cb7f9e2") && !page.body.contains("0.125"));
    // The re-screening it caused is among the entity's screenings: the earlier one replaced.
    assert!(
        page.body
            .contains("replaced by a later screening of its case")
    );
    assert!(page.body.contains("its case&#39;s decision rests on it"));
}
