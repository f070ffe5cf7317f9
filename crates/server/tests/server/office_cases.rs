//! The back office's pages and forms, server side, through the router: the queue, a case page,
//! deciding under four eyes, false positives, role checks on forms built by hand, stale pages,
//! hostile text refused or escaped, the security headers, and a tampered audit entry shown.

use crate::office_client::{Browser, OfficeApp, Page, field_value};
use crate::support::{behind_the_triggers, count};
use axum::http::{StatusCode, header};

/// Posts a form whose fields were built at run time.
async fn post_owned(b: &Browser<'_>, uri: &str, fields: Vec<(String, String)>) -> Page {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post(uri, &fields).await
}

/// The case revision a case page's forms carry (their hidden `revision` field).
fn revision_on(page: &Page) -> String {
    field_value(&page.body, "revision")
        .unwrap_or_else(|| panic!("no revision field on the page: {}", page.body))
}

#[tokio::test]
async fn an_analyst_rejects_a_pending_case_and_sees_what_the_engine_said() {
    let app = OfficeApp::new();
    let b = app.signed_in("analyst").await;
    let (case, _, revision) = app.case_of("ae-corp-pending-002");
    let page = b.get(&format!("/office/cases/{case}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "PENDING",
        "(revision 1)",
        "Why the engine decided so",
        // The KYC result's accreditation facts, named without a figure.
        "classified professional under DFSA, assessed on",
        "Propose a waiver",
        "Reject",
        "The audit chain vouches for every entry below",
    ] {
        assert!(
            page.body.contains(expected),
            "{expected} missing: {}",
            page.body
        );
    }
    let csrf = page.csrf();
    let hostile = "<script>alert('x')</script> & \"quoted\"";
    let done = b
        .post(
            &format!("/office/cases/{case}/decide"),
            &[
                ("csrf", &csrf),
                ("revision", &revision.to_string()),
                ("verdict", "reject"),
                ("reason", hostile),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        done.location(),
        format!("/office/cases/{case}?done=decided")
    );
    assert_eq!(app.case_of("ae-corp-pending-002").1, "REJECTED");
    let after = b.get(done.location()).await;
    assert!(after.body.contains("Decision recorded."));
    assert!(
        after
            .body
            .contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; &#38; &#34;quoted&#34;"),
        "the reason shows as text: {}",
        after.body
    );
    assert!(
        !after.body.contains("<script>"),
        "no raw script on the page"
    );
    // Nobody decides a rejected case: no form is offered.
    assert!(!after.body.contains("/decide\""));
}

#[tokio::test]
async fn missing_evidence_is_waived_by_an_analyst_and_an_officer_never_approved_by_one() {
    let app = OfficeApp::new();
    let (case, _, revision) = app.case_of("ae-corp-pending-002");
    let analyst = app.signed_in("analyst").await;
    let page = analyst.get(&format!("/office/cases/{case}")).await;
    assert!(
        page.body.contains("value=\"waive\"") && !page.body.contains("value=\"approve\""),
        "the engine's PENDING offers a waiver, not an approval: {}",
        page.body
    );
    // An approval sent by hand is refused, and nothing is written.
    let audit = app.rows("audit_logs");
    let refused = analyst
        .decide(
            &case,
            &page,
            revision,
            "approve",
            "documents received by post",
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(
        refused.body.contains("evidence it needs is missing"),
        "{}",
        refused.body
    );
    assert_eq!(app.rows("audit_logs"), audit);

    let proposed = analyst
        .decide(
            &case,
            &page,
            revision,
            "waive",
            "originals seen at the branch",
        )
        .await;
    assert_eq!(
        proposed.location(),
        format!("/office/cases/{case}?done=waiver_proposed"),
        "{}",
        proposed.body
    );
    let (_, status, revision) = app.case_of("ae-corp-pending-002");
    assert_eq!(status, "PENDING");
    let after = analyst.get(proposed.location()).await;
    assert!(after.body.contains("Waiver proposed: a compliance officer"));

    // The officer sees who proposed it and confirms it.
    let officer = app.signed_in("compliance.officer").await;
    let page = officer.get(&format!("/office/cases/{case}")).await;
    assert!(
        page.body.contains("Confirm the waiver")
            && page.body.contains("Waiver proposed by analyst"),
        "{}",
        page.body
    );
    let confirmed = officer
        .decide(
            &case,
            &page,
            revision,
            "waive",
            "branch copy is acceptable under the policy",
        )
        .await;
    assert_eq!(
        confirmed.location(),
        format!("/office/cases/{case}?done=decided"),
        "{}",
        confirmed.body
    );
    assert_eq!(app.case_of("ae-corp-pending-002").1, "APPROVED");
}

/// A case superseded by a new KYC result is history: its page says so, links the current case
/// and offers nothing to decide; a form sent from a page read before is refused, nothing
/// written.
#[tokio::test]
async fn a_superseded_case_is_history_and_offers_nothing_to_decide() {
    let app = OfficeApp::new();
    let (old, _, revision) = app.case_of("ae-corp-pending-002");
    let officer = app.signed_in("compliance.officer").await;
    let stale = officer.get(&format!("/office/cases/{old}")).await;
    assert!(stale.body.contains("name=\"verdict\""));
    // The missing documents arrive: the engine decides them as the entity's next case.
    let mut evidence = compliance_ops::testing::scenario("ae-corp-pending-002");
    evidence.kyc.documents = <compliance_domain::DocumentKind as strum::VariantArray>::VARIANTS
        .iter()
        .copied()
        .collect();
    let next = app
        .s
        .compliance
        .submit(&app.s.agent(), &evidence, None)
        .unwrap();
    let page = officer.get(&format!("/office/cases/{old}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("This case is history")
            && page
                .body
                .contains(&format!("/office/cases/{}", next.case.id)),
        "{}",
        page.body
    );
    assert!(!page.body.contains("name=\"verdict\""), "{}", page.body);
    let audit = app.rows("audit_logs");
    let refused = officer
        .post(
            &format!("/office/cases/{old}/decide"),
            &[
                ("csrf", &stale.csrf()),
                ("revision", &revision.to_string()),
                ("verdict", "reject"),
                ("reason", "read before the documents came"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("is history"), "{}", refused.body);
    assert_eq!(app.rows("audit_logs"), audit);
}

#[tokio::test]
async fn an_escalation_is_approved_by_two_officers_and_never_by_one_twice() {
    let app = OfficeApp::new();
    let (case, _, revision) = app.case_of("in-corp-pep-002");
    // The analyst is offered no decision on an escalation, and a form built by hand is refused.
    let analyst = app.signed_in("analyst").await;
    let page = analyst.get(&format!("/office/cases/{case}")).await;
    assert!(
        !page.body.contains("name=\"verdict\""),
        "an analyst gets no decision form"
    );
    let audit = app.rows("audit_logs");
    let refused = analyst
        .decide(&case, &page, revision, "approve", "looks fine")
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(app.rows("audit_logs"), audit);

    let first = app.signed_in("compliance.officer").await;
    let page = first.get(&format!("/office/cases/{case}")).await;
    assert!(page.body.contains("Propose approval"));
    let proposed = first
        .decide(
            &case,
            &page,
            revision,
            "approve",
            "PEP reviewed: source of wealth documented",
        )
        .await;
    assert_eq!(
        proposed.location(),
        format!("/office/cases/{case}?done=approval_proposed")
    );
    let (_, status, revision) = app.case_of("in-corp-pep-002");
    assert_eq!(status, "ESCALATED");
    // The queue shows who proposed it.
    let queue = first.get("/office/queue").await;
    assert!(queue.body.contains("compliance.officer"), "{}", queue.body);

    // The same officer confirming their own proposal is refused, and nothing is written.
    let page = first.get(&format!("/office/cases/{case}")).await;
    assert!(page.body.contains("You proposed this approval"));
    let audit = app.rows("audit_logs");
    let again = first
        .decide(&case, &page, revision, "approve", "confirming myself")
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(
        again.body.contains("Nothing was recorded"),
        "{}",
        again.body
    );
    assert_eq!(app.case_of("in-corp-pep-002").1, "ESCALATED");
    assert_eq!(app.rows("audit_logs"), audit);

    // A second officer confirms it.
    let second = app.signed_in(app.officer2.username.as_str()).await;
    let page = second.get(&format!("/office/cases/{case}")).await;
    assert!(
        page.body.contains("Confirm approval")
            && page
                .body
                .contains("Approval proposed by compliance.officer")
    );
    let confirmed = second
        .decide(
            &case,
            &page,
            revision,
            "approve",
            "second pair of eyes agrees",
        )
        .await;
    assert_eq!(
        confirmed.location(),
        format!("/office/cases/{case}?done=decided"),
        "{}",
        confirmed.body
    );
    assert_eq!(app.case_of("in-corp-pep-002").1, "APPROVED");
}

#[tokio::test]
async fn forms_need_this_sessions_token_and_the_revision_the_page_showed() {
    let app = OfficeApp::new();
    let (case, _, revision) = app.case_of("us-fund-pending-003");
    let analyst = app.signed_in("analyst").await;
    let officer = app.signed_in("compliance.officer").await;
    let officers_token = officer.get("/office/queue").await.csrf();
    let audit = app.rows("audit_logs");
    let uri = format!("/office/cases/{case}/decide");
    let rev = revision.to_string();
    for csrf in [
        None,
        Some(""),
        Some("0".repeat(64).as_str()),
        Some(officers_token.as_str()),
    ] {
        let mut form = vec![
            ("revision", rev.as_str()),
            ("verdict", "approve"),
            ("reason", "fine"),
        ];
        if let Some(csrf) = csrf {
            form.push(("csrf", csrf));
        }
        let page = analyst.post(&uri, &form).await;
        assert_eq!(
            page.status,
            StatusCode::FORBIDDEN,
            "{csrf:?}: {}",
            page.body
        );
        assert!(page.body.contains("Nothing was changed"));
    }
    assert_eq!(app.rows("audit_logs"), audit);

    // A page read before the case moved on: refused with the case as it is now.
    let stale = analyst.get(&format!("/office/cases/{case}")).await;
    let fresh = officer.get(&format!("/office/cases/{case}")).await;
    let done = officer
        .post(
            &uri,
            &[
                ("csrf", &fresh.csrf()),
                ("revision", &rev),
                ("verdict", "reject"),
                ("reason", "documents forged"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let audit = app.rows("audit_logs");
    let late = analyst
        .post(
            &uri,
            &[
                ("csrf", &stale.csrf()),
                ("revision", &rev),
                ("verdict", "approve"),
                ("reason", "all good"),
            ],
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert!(
        late.body.contains("changed since you opened the page") && late.body.contains("REJECTED")
    );
    assert_eq!(app.rows("audit_logs"), audit);
    assert_eq!(app.case_of("us-fund-pending-003").1, "REJECTED");
}

#[tokio::test]
async fn hostile_input_in_every_field_is_refused_or_escaped_and_writes_nothing() {
    let app = OfficeApp::new();
    let b = app.signed_in("compliance.officer").await;
    let (case, _, revision) = app.case_of("in-corp-pep-002");
    let csrf = b.get("/office/queue").await.csrf();
    let audit = app.rows("audit_logs");
    let evil = "<img src=x onerror=alert(1)>\u{0}\u{202e}";
    let rev = revision.to_string();
    let long = "x".repeat(40_000);
    let uri = format!("/office/cases/{case}/decide");
    let forms: Vec<Vec<(&str, &str)>> = vec![
        vec![
            ("csrf", &csrf),
            ("revision", evil),
            ("verdict", "approve"),
            ("reason", "r"),
        ],
        vec![
            ("csrf", &csrf),
            ("revision", &rev),
            ("verdict", evil),
            ("reason", "r"),
        ],
        vec![
            ("csrf", &csrf),
            ("revision", &rev),
            ("verdict", "reject"),
            ("reason", ""),
        ],
        vec![
            ("csrf", &csrf),
            ("revision", &rev),
            ("verdict", "reject"),
            ("reason", &long),
        ],
    ];
    for form in &forms {
        let page = b.post(&uri, form).await;
        assert!(page.status.is_client_error(), "{form:?}: {}", page.status);
        assert!(!page.body.contains("<img"), "escaped: {}", page.body);
    }
    for (list, entry) in [(evil, "SDN-1"), ("OFAC-SDN", evil), ("", "")] {
        let page = b
            .post(
                &format!("/office/cases/{case}/clear-match"),
                &[
                    ("csrf", &csrf),
                    ("list", list),
                    ("entry", entry),
                    ("reason", "r"),
                ],
            )
            .await;
        assert!(
            page.status.is_client_error(),
            "{list:?} {entry:?}: {}",
            page.status
        );
        assert!(!page.body.contains("<img"));
    }
    for uri in [
        format!("/office/cases/{}", "%3Cimg%20src%3Dx%3E"),
        "/office/queue?jurisdiction=%3Cimg%20src%3Dx%3E".to_owned(),
        "/office/queue?after=%3Cimg%3E".to_owned(),
        "/office/queue?status=%FF".to_owned(),
        "/office/rules?at=%3Cimg%3E".to_owned(),
        "/office/rules?jurisdiction=ZZ".to_owned(),
        "/office/nowhere/%3Cimg%3E".to_owned(),
        format!("/office/cases/{}", uuid::Uuid::nil()),
    ] {
        let page = b.get(&uri).await;
        assert!(page.status.is_client_error(), "{uri}: {}", page.status);
        assert!(!page.body.contains("<img"), "{uri}: {}", page.body);
        assert!(
            page.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{uri}"
        );
    }
    let form = b
        .post(
            "/office/sign-in",
            &[
                ("csrf", evil),
                ("username", evil),
                ("password", evil),
                ("next", evil),
            ],
        )
        .await;
    assert_eq!(form.status, StatusCode::FORBIDDEN);
    assert!(!form.body.contains("<img"));
    assert_eq!(app.rows("audit_logs"), audit);
    assert_eq!(app.case_of("in-corp-pep-002").1, "ESCALATED");
}

#[tokio::test]
async fn pages_carry_strict_headers_and_the_rules_page_lists_the_regulations() {
    let app = OfficeApp::new();
    let b = app.signed_in("analyst").await;
    let page = b.get("/office/rules?jurisdiction=US").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Rules in force") && page.body.contains("31 CFR")
            || page.body.contains("Regulation D"),
        "{}",
        page.body
    );
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(page.headers[header::X_FRAME_OPTIONS], "DENY");
    let css = b.get("/office/assets/office.css").await;
    assert!(
        css.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(
        !page.body.contains("http://") && !page.body.contains("https://"),
        "no external assets"
    );
    let before = b
        .get("/office/rules?jurisdiction=US&at=2000-01-01T00:00:00Z")
        .await;
    assert!(before.body.contains("No rule is in force"));
}

#[tokio::test]
async fn the_case_page_shows_a_tampered_audit_entry() {
    let app = OfficeApp::new();
    let b = app.signed_in("compliance.officer").await;
    let (case, _, _) = app.case_of("in-corp-pep-002");
    let page = b.get(&format!("/office/cases/{case}")).await;
    assert!(
        page.body
            .contains("The audit chain vouches for every entry below")
    );
    assert!(!page.body.contains("ALTERED"));
    behind_the_triggers(
        &mut app.s.db.conn(),
        "UPDATE audit_logs SET details = '{\"forged\": true}' WHERE id = (SELECT min(id) FROM audit_logs WHERE entity_id = 'in-corp-pep-002')",
    );
    let page = b.get(&format!("/office/cases/{case}")).await;
    assert!(
        page.body.contains("does not vouch for every entry"),
        "{}",
        page.body
    );
    assert!(page.body.contains("ALTERED"));
}

#[tokio::test]
async fn a_sanctions_match_is_cleared_by_two_officers_before_anyone_approves() {
    let app = OfficeApp::new();
    let case = crate::support::sanctions_hit_on_the_escalation(&app.s)
        .id
        .to_string();
    let uri = format!("/office/cases/{case}");
    // The analyst sees the match and the engine's rejection, and is offered nothing on it.
    let analyst = app.signed_in("analyst").await;
    let page = analyst.get(&uri).await;
    assert!(
        page.body.contains("The engine now decides REJECTED"),
        "{}",
        page.body
    );
    assert!(page.body.contains("SDN-99001") && !page.body.contains("/clear-match\""));
    // A form built by hand, at the case's current revision, is refused for the role.
    let (_, _, revision) = app.case_of("in-corp-pep-002");
    let refused = analyst
        .post(
            &format!("{uri}/clear-match"),
            &[
                ("csrf", &page.csrf()),
                ("revision", &revision.to_string()),
                ("list", "OFAC-SDN"),
                ("entry", "SDN-99001"),
                ("reason", "not them"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(app.rows("false_positives"), 0);

    // An officer is offered no approval while the engine rejects, only the false positive.
    let first = app.signed_in("compliance.officer").await;
    let page = first.get(&uri).await;
    assert!(
        page.body.contains("The engine rejects this case")
            && !page.body.contains("value=\"approve\"")
    );
    assert!(page.body.contains("Propose as false positive"));
    let proposed = first
        .post(
            &format!("{uri}/clear-match"),
            &[
                ("csrf", &page.csrf()),
                ("revision", &revision_on(&page)),
                ("list", "OFAC-SDN"),
                ("entry", "SDN-99001"),
                ("reason", "date of birth differs by 31 years"),
            ],
        )
        .await;
    assert_eq!(proposed.location(), format!("{uri}?done=match_proposed"));
    let page = first.get(proposed.location()).await;
    assert!(
        page.body
            .contains("proposed as a false positive by compliance.officer")
    );
    // Confirming one's own proposal is refused.
    let again = first
        .post(
            &format!("{uri}/clear-match"),
            &[
                ("csrf", &page.csrf()),
                ("revision", &revision_on(&page)),
                ("list", "OFAC-SDN"),
                ("entry", "SDN-99001"),
                ("reason", "me again"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(
        count(
            &mut app.s.db.conn(),
            "SELECT count(*) AS n FROM false_positives WHERE confirmed_by IS NULL"
        ),
        1
    );

    let second = app.signed_in(app.officer2.username.as_str()).await;
    let page = second.get(&uri).await;
    let confirmed = second
        .post(
            &format!("{uri}/clear-match"),
            &[
                ("csrf", &page.csrf()),
                ("revision", &revision_on(&page)),
                ("list", "OFAC-SDN"),
                ("entry", "SDN-99001"),
                ("reason", "agree: different person"),
            ],
        )
        .await;
    assert_eq!(confirmed.location(), format!("{uri}?done=match_confirmed"));
    let page = second.get(&uri).await;
    assert!(page.body.contains("confirmed by second.officer"));
    assert!(
        page.body.contains("Propose approval"),
        "with the match cleared, approval is offered again: {}",
        page.body
    );
}

#[tokio::test]
async fn a_page_read_before_another_officers_proposal_cannot_confirm_it() {
    let app = OfficeApp::new();
    let (case, _, revision) = app.case_of("in-corp-pep-002");
    let uri = format!("/office/cases/{case}");
    let clear = format!("{uri}/clear-match");
    let matched = [
        ("list", "DJRC-PEP"),
        ("entry", "PEP-20417"),
        ("reason", "different date of birth"),
    ];
    let form = |csrf: &str, revision: Option<&str>| {
        let mut fields = vec![("csrf".to_owned(), csrf.to_owned())];
        if let Some(revision) = revision {
            fields.push(("revision".to_owned(), revision.to_owned()));
        }
        fields.extend(
            matched
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        fields
    };
    // The second officer opens the case before anyone has proposed anything.
    let second = app.signed_in(app.officer2.username.as_str()).await;
    let stale = second.get(&uri).await;
    assert_eq!(revision_on(&stale), revision.to_string());
    assert!(
        stale.body.contains("Propose as false positive"),
        "{}",
        stale.body
    );

    // The first officer proposes the PEP match as a false positive: the case moves on.
    let first = app.signed_in("compliance.officer").await;
    let page = first.get(&uri).await;
    let proposed = post_owned(
        &first,
        &clear,
        form(&page.csrf(), Some(&revision_on(&page))),
    )
    .await;
    assert_eq!(
        proposed.location(),
        format!("{uri}?done=match_proposed"),
        "{}",
        proposed.body
    );
    assert_eq!(app.case_of("in-corp-pep-002").2, revision + 1);
    let written = || {
        (
            app.rows("false_positives"),
            app.rows("review_notes"),
            app.rows("audit_logs"),
        )
    };
    let before = written();
    let confirmed = || {
        count(
            &mut app.s.db.conn(),
            "SELECT count(*) AS n FROM false_positives WHERE confirmed_by IS NOT NULL",
        )
    };

    // The second officer's page, read before the proposal, would confirm it unseen: refused,
    // with the case as it is now below, and nothing written.
    let late = post_owned(
        &second,
        &clear,
        form(&stale.csrf(), Some(&revision_on(&stale))),
    )
    .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert!(
        late.body.contains("changed since you opened the page")
            && late
                .body
                .contains("proposed as a false positive by compliance.officer"),
        "{}",
        late.body
    );
    assert_eq!(written(), before);
    assert_eq!(confirmed(), 0);
    assert_eq!(app.case_of("in-corp-pep-002").2, revision + 1);
    // A form without the page's revision is refused too.
    let bare = post_owned(&second, &clear, form(&stale.csrf(), None)).await;
    assert!(bare.status.is_client_error(), "{}", bare.status);
    assert_eq!(written(), before);
    assert_eq!(confirmed(), 0);

    // Having seen the proposal (the refusal shows the case as it is now), they confirm it.
    assert_eq!(revision_on(&late), (revision + 1).to_string());
    let done = post_owned(
        &second,
        &clear,
        form(&late.csrf(), Some(&revision_on(&late))),
    )
    .await;
    assert_eq!(
        done.location(),
        format!("{uri}?done=match_confirmed"),
        "{}",
        done.body
    );
    assert_eq!(confirmed(), 1);
    assert_eq!(app.case_of("in-corp-pep-002").2, revision + 2);
}

/// Issue 22, item 4: the form said the reason is "recorded in the audit trail", where it is a
/// review note outside the chain (the chain keeps a salted commitment; the text is erasable).
/// The form's words now say so, and they are true: the reason's text is in `review_notes`,
/// not in any audit entry.
#[tokio::test]
async fn the_decide_form_says_truly_where_the_reason_is_kept() {
    let app = OfficeApp::new();
    let b = app.signed_in("analyst").await;
    let (case, _, revision) = app.case_of("ae-corp-pending-002");
    let page = b.get(&format!("/office/cases/{case}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("recorded in the audit trail"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("kept as a review note")
            && page
                .body
                .contains("a fingerprint of the reason, not its text"),
        "{}",
        page.body
    );
    let reason = "a reason only the review note should hold: quokka";
    let done = b
        .post(
            &format!("/office/cases/{case}/decide"),
            &[
                ("csrf", &page.csrf()),
                ("revision", &revision.to_string()),
                ("verdict", "reject"),
                ("reason", reason),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let conn = &mut app.s.db.conn();
    let in_notes = count(
        conn,
        &format!("SELECT count(*) AS n FROM review_notes WHERE body = '{reason}'"),
    );
    assert_eq!(in_notes, 1);
    let in_audit = count(
        conn,
        "SELECT count(*) AS n FROM audit_logs WHERE details::text LIKE '%quokka%'",
    );
    assert_eq!(in_audit, 0, "the reason's text is not in the audit trail");
}
