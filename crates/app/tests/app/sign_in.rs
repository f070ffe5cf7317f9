//! Signing in to the back office under contention (issue 17, defect 2): the attempt is counted
//! (`repo::passwords::claim`) before Argon2 runs, so a right password whose account another
//! connection locks meanwhile does not sign in; and no more password checks run at once than
//! the policy allows, the rest refused at once as overloaded.

use crate::support::*;
use compliance_app::{AppError, SessionPolicy};
use compliance_persistence::diesel::{Connection, PgConnection};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery staple";

/// Backends of this database waiting for a lock.
fn lock_waiters(conn: &mut PgConnection) -> i64 {
    count(
        conn,
        "SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'",
    )
}

/// Waits (up to ten seconds) until `done` holds.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "waited 10 s for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_right_password_whose_account_is_locked_while_it_is_checked_does_not_sign_in() {
    let s = seeded();
    let officer = s.users.officer.clone();
    set_password(&s, &officer.username, PASSWORD);
    let policy = SessionPolicy::default();
    // The password is right: it signs in.
    let signed_in = s
        .compliance
        .sign_in(officer.username.as_str(), PASSWORD, &policy)
        .unwrap();
    s.compliance.sign_out(&signed_in.secret).unwrap();
    let mut observer = s.db.conn();
    let sessions = |conn: &mut PgConnection| {
        count(
            conn,
            &format!(
                "SELECT count(*) AS n FROM web_sessions WHERE user_id = '{}'",
                officer.id
            ),
        )
    };
    let sessions_before = sessions(&mut observer);

    // Another connection locks the account (as a burst of failed attempts elsewhere would) and
    // holds the row while the sign-in starts.
    let mut locker = s.db.conn();
    let attempt = locker
        .transaction::<_, compliance_persistence::diesel::result::Error, _>(|conn| {
            exec(
                conn,
                &format!(
                    "UPDATE user_passwords SET locked_until = now() + interval '15 minutes'
                      WHERE user_id = '{}'",
                    officer.id
                ),
            );
            let compliance = s.compliance.clone();
            let username = officer.username.clone();
            let attempt = std::thread::spawn(move || {
                compliance.sign_in(username.as_str(), PASSWORD, &SessionPolicy::default())
            });
            // The sign-in counts its attempt on the locked row first, so it waits for it.
            wait_until("the sign-in to wait for the account's row", || {
                lock_waiters(&mut observer) == 1
            });
            std::thread::sleep(Duration::from_millis(300));
            assert!(!attempt.is_finished(), "the sign-in waits for the lock");
            Ok(attempt)
        })
        .unwrap();
    let refused = attempt.join().unwrap();
    assert!(
        matches!(refused, Err(AppError::Unauthenticated(_))),
        "{refused:?}"
    );
    assert_eq!(
        sessions(&mut observer),
        sessions_before,
        "no session was opened"
    );
    assert_eq!(
        count(
            &mut observer,
            &format!(
                "SELECT count(*) AS n FROM user_passwords
                  WHERE user_id = '{}' AND locked_until > now() + interval '14 minutes'",
                officer.id
            ),
        ),
        1,
        "the lock stands"
    );
    // And a later attempt, with the right password, is refused as long as it stands.
    assert!(matches!(
        s.compliance
            .sign_in(officer.username.as_str(), PASSWORD, &policy),
        Err(AppError::Unauthenticated(_))
    ));
}

#[test]
fn no_more_password_checks_run_at_once_than_the_policy_allows() {
    let s = seeded();
    let officer = s.users.officer.clone();
    set_password(&s, &officer.username, PASSWORD);
    let policy = SessionPolicy {
        verifications: 1,
        ..SessionPolicy::default()
    };
    const SIGN_INS: usize = 8;
    let mut observer = s.db.conn();
    let mut holder = s.db.conn();
    // A test transaction holds the account's row (changing nothing), so that a sign-in admitted
    // to check its password keeps its check running until the row is released: meanwhile the
    // others find every check slot taken.
    let (overloaded, admitted) = holder
        .transaction::<_, compliance_persistence::diesel::result::Error, _>(|conn| {
            exec(
                conn,
                &format!(
                    "SELECT 1 FROM user_passwords WHERE user_id = '{}' FOR UPDATE",
                    officer.id
                ),
            );
            let barrier = Arc::new(Barrier::new(SIGN_INS));
            let mut handles: Vec<_> = (0..SIGN_INS)
                .map(|_| {
                    let (compliance, barrier) = (s.compliance.clone(), barrier.clone());
                    let username = officer.username.clone();
                    std::thread::spawn(move || {
                        barrier.wait();
                        compliance.sign_in(username.as_str(), PASSWORD, &policy)
                    })
                })
                .collect();
            wait_until("all but one sign-in to be answered", || {
                handles.iter().filter(|h| h.is_finished()).count() >= SIGN_INS - 1
            });
            wait_until("the admitted sign-in to wait for the row", || {
                lock_waiters(&mut observer) >= 1
            });
            std::thread::sleep(Duration::from_millis(100));
            assert_eq!(
                lock_waiters(&mut observer),
                1,
                "one check running at a time"
            );
            let (done, waiting): (Vec<_>, Vec<_>) =
                handles.drain(..).partition(|h| h.is_finished());
            assert_eq!(waiting.len(), 1, "one sign-in admitted");
            let overloaded: Vec<_> = done.into_iter().map(|h| h.join().unwrap()).collect();
            Ok((overloaded, waiting.into_iter().next().unwrap()))
        })
        .unwrap();
    for refused in &overloaded {
        match refused {
            Err(e @ AppError::Overloaded { .. }) => assert!(e.is_retryable()),
            other => panic!("expected an overloaded refusal, got {other:?}"),
        }
    }
    assert_eq!(overloaded.len(), SIGN_INS - 1);
    // The one admitted signs in once the row is released, and frees its slot.
    let signed_in = admitted.join().unwrap().unwrap();
    assert_eq!(signed_in.session.caller.user(), officer.id);
    s.compliance
        .sign_in(officer.username.as_str(), PASSWORD, &policy)
        .unwrap();
}
