//! The back office, server side, through the router: sign-in (wrong password, lockout, the
//! address limit, CSRF) and sessions (sign-out, idle expiry). The pages and their forms are in
//! `office_cases.rs`.

use crate::office_client::{OfficeApp, PASSWORD, field_value};
use crate::support::{count, exec, refusal};
use axum::http::{StatusCode, header};
use compliance_app::SessionPolicy;
use compliance_server::backoffice::OfficeConfig;

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
    // A system agent cannot sign in, and cannot even be given a password: the database's
    // guard refuses it (check_violation, naming its rule).
    let refused = refusal(
        &mut app.s.db.conn(),
        "INSERT INTO user_passwords (user_id, password_hash, set_by)
         SELECT id, (SELECT password_hash FROM user_passwords LIMIT 1), id
           FROM users WHERE username = 'kyc-agent'",
    );
    assert_eq!(
        (refused.sqlstate.as_str(), refused.constraint.as_deref()),
        ("23514", Some("user_passwords_people_only")),
        "{refused:?}"
    );
    assert!(refused.message.contains("API token"), "{refused:?}");
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
    // The address's quota of attempts, counted before any password is checked, then even a
    // right password waits.
    for _ in 0..compliance_server::backoffice::SIGN_IN_ATTEMPTS {
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
    // Over TLS the session cookie carries the __Host- prefix: Path=/, no Domain.
    assert!(cookie.starts_with("__Host-cdb_session="), "{cookie}");
    assert!(
        cookie.contains("; Path=/;") && !cookie.contains("Domain"),
        "{cookie}"
    );
    let kept = b.cookies.lock().unwrap().clone();
    std::thread::sleep(std::time::Duration::from_millis(1_300));
    let page = b.get("/office/queue").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        "/office/sign-in?next=/office/queue&ended=1"
    );
    assert!(
        b.cookies
            .lock()
            .unwrap()
            .get("__Host-cdb_session")
            .is_none(),
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
    // Sessions are ended, never deleted (restrict_violation); nor can a raw UPDATE revive one
    // (check_violation): each refused by the guard's named rule, not by some other failure.
    let sessions = app.rows("web_sessions");
    let deleted = refusal(&mut app.s.db.conn(), "DELETE FROM web_sessions");
    assert_eq!(
        (deleted.sqlstate.as_str(), deleted.constraint.as_deref()),
        ("23001", Some("web_sessions_not_deleted")),
        "{deleted:?}"
    );
    assert_eq!(app.rows("web_sessions"), sessions);
    let revived = refusal(
        &mut app.s.db.conn(),
        "UPDATE web_sessions SET ended_at = NULL WHERE ended_at IS NOT NULL",
    );
    assert_eq!(
        (revived.sqlstate.as_str(), revived.constraint.as_deref()),
        ("23514", Some("web_sessions_ended_once")),
        "{revived:?}"
    );
    assert!(revived.message.contains("already ended"), "{revived:?}");
    drop(kept);
}

/// Issue 22, item 4: `/office/` (the address docs/back-office.md and the start-up line give)
/// answered the decision API's JSON 404; it leads to the queue as `/office` does.
#[tokio::test]
async fn the_office_address_with_or_without_a_slash_leads_to_the_queue() {
    let app = OfficeApp::new();
    let b = app.browser();
    for address in ["/office", "/office/"] {
        let page = b.get(address).await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "{address}: {}",
            page.body
        );
        assert_eq!(page.location(), "/office/queue", "{address}");
        assert_eq!(
            page.headers.get(header::X_FRAME_OPTIONS).unwrap(),
            "DENY",
            "{address}"
        );
    }
    // Followed, it reaches the sign-in page, not a problem document.
    let queue = b.get("/office/queue").await;
    assert_eq!(queue.status, StatusCode::SEE_OTHER);
    assert!(queue.location().starts_with("/office/sign-in"));
}
