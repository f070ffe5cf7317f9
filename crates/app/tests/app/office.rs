//! The back office, server side, through the router: sign-in (wrong password, lockout, CSRF),
//! sessions (sign-out, idle expiry), the queue, a case page, deciding under four eyes, role
//! checks on forms built by hand, stale pages, and hostile text escaped on output.

use crate::office_client::{OfficeApp, PASSWORD, field_value};
use crate::support::{behind_the_triggers, count, exec, try_exec};
use axum::http::{StatusCode, header};
use compliance_app::SessionPolicy;
use compliance_app::backoffice::OfficeConfig;

#[tokio::test]
async fn a_signed_out_visitor_is_sent_to_sign_in_and_comes_back_after() {
    let app = OfficeApp::new();
    let b = app.browser();
    let page = b.get("/office/queue?status=PENDING").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        "/office/sign-in?next=/office/queue%3Fstatus%3DPENDING"
    );
    // A form posted without a session goes to sign in too, and writes nothing.
    let (case, _, revision) = app.case_of("ae-corp-pending-002");
    let audit = app.rows("audit_logs");
    let page = b
        .post(
            &format!("/office/cases/{case}/decide"),
            &[
                ("verdict", "reject"),
                ("revision", &revision.to_string()),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        format!("/office/sign-in?next=/office/cases/{case}")
    );
    assert_eq!(app.rows("audit_logs"), audit);

    let form = b
        .get("/office/sign-in?next=/office/queue%3Fstatus%3DPENDING")
        .await;
    let next = field_value(&form.body, "next").unwrap();
    assert_eq!(next, "/office/queue?status=PENDING");
    let csrf = form.csrf();
    let signed = b
        .post(
            "/office/sign-in",
            &[
                ("csrf", &csrf),
                ("username", "analyst"),
                ("password", PASSWORD),
                ("next", &next),
            ],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    assert_eq!(signed.location(), "/office/queue?status=PENDING");
    let cookie = signed
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("cdb_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Path=/office"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "no TLS configured: {cookie}");
    // Only the secret's hash is stored.
    let secret = cookie
        .trim_start_matches("cdb_session=")
        .split(';')
        .next()
        .unwrap();
    assert_eq!(
        count(
            &mut app.s.db.conn(),
            &format!(
                "SELECT count(*) AS n FROM web_sessions WHERE token_hash = sha256('{secret}'::bytea)"
            )
        ),
        1
    );
    assert_eq!(
        count(
            &mut app.s.db.conn(),
            &format!(
                "SELECT count(*) AS n FROM web_sessions WHERE encode(token_hash, 'escape') LIKE '%{}%'",
                &secret[4..20]
            )
        ),
        0
    );
    let queue = b.get("/office/queue?status=PENDING").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(
        queue.body.contains("us-fund-pending-003") && queue.body.contains("ae-corp-pending-002")
    );
    assert!(
        !queue.body.contains("in-corp-pep-002"),
        "filtered to PENDING"
    );

    // A `next` elsewhere is never followed.
    let evil = app.browser();
    let csrf = evil.get("/office/sign-in").await.csrf();
    let page = evil
        .post(
            "/office/sign-in",
            &[
                ("csrf", &csrf),
                ("username", "analyst"),
                ("password", PASSWORD),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(page.location(), "/office/queue");
}

#[tokio::test]
async fn wrong_passwords_get_one_answer_and_lock_the_account() {
    let app = OfficeApp::new();
    let b = app.browser();
    let unknown = b.sign_in("nobody.here", PASSWORD).await;
    let wrong = b.sign_in("analyst", "not the password at all").await;
    assert_eq!(
        (unknown.status, wrong.status),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    let message = |p: &crate::office_client::Page| {
        let at = p.body.find("role=\"alert\">").unwrap();
        p.body[at..at + 120].to_owned()
    };
    assert_eq!(
        message(&unknown),
        message(&wrong),
        "unknown user and wrong password read the same"
    );
    assert!(b.cookies.lock().unwrap().get("cdb_session").is_none());
    // A system agent cannot sign in, and cannot even be given a password.
    let refused = try_exec(
        &mut app.s.db.conn(),
        "INSERT INTO user_passwords (user_id, password_hash, set_by)
         SELECT id, (SELECT password_hash FROM user_passwords LIMIT 1), id
           FROM users WHERE username = 'kyc-agent'",
    );
    assert!(refused.unwrap_err().contains("API token"));
    assert!(b.sign_in("kyc-agent", PASSWORD).await.status == StatusCode::UNAUTHORIZED);
    // Five wrong passwords in a row lock the account: the right one is refused too.
    for _ in 0..4 {
        assert_eq!(
            b.sign_in("analyst", "still not the password").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let locked = b.sign_in("analyst", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        message(&locked),
        message(&wrong),
        "a lock reads the same as a wrong password"
    );
    assert_eq!(
        count(
            &mut app.s.db.conn(),
            "SELECT count(*) AS n FROM user_passwords p JOIN users u ON u.id = p.user_id WHERE u.username = 'analyst' AND p.locked_until > now() AND p.failed_attempts = 5"
        ),
        1
    );
    // Once the lock has passed, the right password works and clears the count.
    exec(
        &mut app.s.db.conn(),
        "UPDATE user_passwords SET locked_until = now() - interval '1 second' WHERE user_id = (SELECT id FROM users WHERE username = 'analyst')",
    );
    assert_eq!(
        b.sign_in("analyst", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        count(
            &mut app.s.db.conn(),
            "SELECT count(*) AS n FROM user_passwords p JOIN users u ON u.id = p.user_id WHERE u.username = 'analyst' AND p.failed_attempts = 0 AND p.locked_until IS NULL"
        ),
        1
    );
    // No password or hash in the audit trail: only that one was set, by whom.
    assert_eq!(
        count(
            &mut app.s.db.conn(),
            "SELECT count(*) AS n FROM audit_logs WHERE action = 'password_set'"
        ),
        4
    );
    assert_eq!(
        count(
            &mut app.s.db.conn(),
            &format!(
                "SELECT count(*) AS n FROM audit_logs WHERE details::text LIKE '%argon2%' OR details::text LIKE '%{PASSWORD}%'"
            )
        ),
        0
    );
}

#[tokio::test]
async fn the_sign_in_form_needs_its_token_and_the_address_is_limited() {
    let app = OfficeApp::new();
    let b = app.browser();
    let _ = b.get("/office/sign-in").await;
    let page = b
        .post(
            "/office/sign-in",
            &[("username", "analyst"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(app.rows("web_sessions"), 0);
    // Ten failures from one address, then even a right password waits.
    for _ in 0..10 {
        let _ = b.sign_in("user1", "wrong wrong wrong").await;
    }
    let limited = b.sign_in("admin", PASSWORD).await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.body
    );
    assert_eq!(app.rows("web_sessions"), 0);
}

#[tokio::test]
async fn signing_out_and_idling_end_the_session() {
    let app = OfficeApp::with(OfficeConfig {
        policy: SessionPolicy {
            idle: chrono::Duration::seconds(1),
            ..SessionPolicy::default()
        },
        secure_cookies: true,
    });
    let b = app.browser();
    let signed = b.sign_in("compliance.officer", PASSWORD).await;
    let cookie = signed
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
    let kept = b.cookies.lock().unwrap().clone();
    std::thread::sleep(std::time::Duration::from_millis(1_300));
    let page = b.get("/office/queue").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        "/office/sign-in?next=/office/queue&ended=1"
    );
    assert!(
        b.cookies.lock().unwrap().get("cdb_session").is_none(),
        "the dead cookie is removed"
    );
    assert!(
        b.get(page.location())
            .await
            .body
            .contains("Your session has ended")
    );

    // Sign-out ends the session in the database: the old cookie opens nothing.
    let b = app.browser();
    b.sign_in("compliance.officer", PASSWORD).await;
    let queue = b.get("/office/queue").await;
    let csrf = queue.csrf();
    let stolen = b.cookies.lock().unwrap().clone();
    let out = b.post("/office/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(
        (out.status, out.location()),
        (StatusCode::SEE_OTHER, "/office/sign-in")
    );
    *b.cookies.lock().unwrap() = stolen;
    assert_eq!(b.get("/office/queue").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        count(
            &mut app.s.db.conn(),
            "SELECT count(*) AS n FROM web_sessions WHERE ended_at IS NOT NULL"
        ),
        1
    );
    // Sessions are ended, never deleted; nor can a raw UPDATE revive one.
    assert!(try_exec(&mut app.s.db.conn(), "DELETE FROM web_sessions").is_err());
    assert!(
        try_exec(
            &mut app.s.db.conn(),
            "UPDATE web_sessions SET ended_at = NULL"
        )
        .unwrap_err()
        .contains("already ended")
    );
    drop(kept);
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
        "Approve",
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
        .post(
            &format!("/office/cases/{case}/decide"),
            &[
                ("csrf", &page.csrf()),
                ("revision", &revision.to_string()),
                ("verdict", "approve"),
                ("reason", "looks fine"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(app.rows("audit_logs"), audit);

    let first = app.signed_in("compliance.officer").await;
    let page = first.get(&format!("/office/cases/{case}")).await;
    assert!(page.body.contains("Propose approval"));
    let proposed = first
        .post(
            &format!("/office/cases/{case}/decide"),
            &[
                ("csrf", &page.csrf()),
                ("revision", &revision.to_string()),
                ("verdict", "approve"),
                ("reason", "PEP reviewed: source of wealth documented"),
            ],
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
        .post(
            &format!("/office/cases/{case}/decide"),
            &[
                ("csrf", &page.csrf()),
                ("revision", &revision.to_string()),
                ("verdict", "approve"),
                ("reason", "confirming myself"),
            ],
        )
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
        .post(
            &format!("/office/cases/{case}/decide"),
            &[
                ("csrf", &page.csrf()),
                ("revision", &revision.to_string()),
                ("verdict", "approve"),
                ("reason", "second pair of eyes agrees"),
            ],
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
    let refused = analyst
        .post(
            &format!("{uri}/clear-match"),
            &[
                ("csrf", &page.csrf()),
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
