//! Issue 17, defect 6: a back-office session ends with the credentials that opened it. A
//! password set anew (a reset) or a deactivation ends every open session of that user at once,
//! in the same transaction, whoever makes the change and however (through the administration
//! functions, or raw SQL by the owner).

use crate::support::*;
use compliance_app::{AppError, SessionPolicy};
use compliance_domain::Password;
use compliance_ops::admin;

const PASSWORD: &str = "correct horse battery staple";

fn set_password(s: &Seeded, password: &str) {
    admin::set_password(
        &mut s.db.conn(),
        &s.users.analyst.username,
        &Password::parse(password).unwrap(),
        &s.users.admin.username,
    )
    .unwrap();
}

fn open_sessions(s: &Seeded) -> i64 {
    count(
        &mut s.db.conn(),
        &format!(
            "SELECT count(*) AS n FROM web_sessions WHERE user_id = '{}' AND ended_at IS NULL",
            s.users.analyst.id
        ),
    )
}

#[test]
fn a_password_reset_or_a_deactivation_ends_every_session_of_the_user() {
    let s = seeded();
    let policy = SessionPolicy::default();
    set_password(&s, PASSWORD);
    let one = s
        .compliance
        .sign_in(s.users.analyst.username.as_str(), PASSWORD, &policy)
        .unwrap();
    let two = s
        .compliance
        .sign_in(s.users.analyst.username.as_str(), PASSWORD, &policy)
        .unwrap();
    assert_eq!(open_sessions(&s), 2);
    assert!(s.compliance.office_session(&one.secret, &policy).is_ok());

    // A reset: both sessions end, and the old password no longer opens one.
    set_password(&s, "a new and different passphrase");
    assert_eq!(open_sessions(&s), 0);
    for secret in [&one.secret, &two.secret] {
        assert!(matches!(
            s.compliance.office_session(secret, &policy),
            Err(AppError::Unauthenticated(_))
        ));
    }
    let three = s
        .compliance
        .sign_in(
            s.users.analyst.username.as_str(),
            "a new and different passphrase",
            &policy,
        )
        .unwrap();
    assert_eq!(open_sessions(&s), 1);

    // A deactivation by raw SQL (the owner, outside the repositories): its session ends too.
    exec(
        &mut s.db.conn(),
        &format!(
            "UPDATE users SET active = false WHERE id = '{}'",
            s.users.analyst.id
        ),
    );
    assert_eq!(open_sessions(&s), 0);
    assert!(s.compliance.office_session(&three.secret, &policy).is_err());
    // Another user's session is not touched.
    let others = count(
        &mut s.db.conn(),
        &format!(
            "SELECT count(*) AS n FROM web_sessions WHERE user_id <> '{}' AND ended_at IS NOT NULL",
            s.users.analyst.id
        ),
    );
    assert_eq!(others, 0);
}
