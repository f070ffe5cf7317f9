//! The pool's session limits: every pooled session carries the configured lock, statement and
//! idle-in-transaction timeouts, so that one stuck writer cannot stall the others.

use compliance_persistence::diesel::connection::SimpleConnection;
use compliance_persistence::diesel::{RunQueryDsl, sql_query};
use compliance_persistence::testing::TestDatabase;
use compliance_persistence::{Database, SessionLimits};
use std::time::{Duration, Instant};

fn limited(db: &TestDatabase, limits: SessionLimits) -> Database {
    let mut config = db.config().clone();
    config.session = limits;
    Database::new(config)
}

fn show(conn: &mut compliance_persistence::PooledPg, setting: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    sql_query(format!("SELECT current_setting('{setting}') AS value"))
        .get_result::<Setting>(conn)
        .unwrap()
        .value
}

#[test]
fn pooled_sessions_carry_the_default_limits() {
    let db = TestDatabase::new();
    let mut conn = db.database().conn().unwrap();
    assert_eq!(show(&mut conn, "lock_timeout"), "5s");
    assert_eq!(show(&mut conn, "statement_timeout"), "30s");
    assert_eq!(
        show(&mut conn, "idle_in_transaction_session_timeout"),
        "1min"
    );
}

#[test]
fn a_stuck_writer_makes_a_pooled_writer_give_up_after_the_lock_timeout() {
    let db = TestDatabase::new();
    let mut stuck = db.conn();
    stuck
        .batch_execute("BEGIN; LOCK TABLE users IN EXCLUSIVE MODE")
        .unwrap();
    // Without a limit, the write below would wait for this: ten seconds, then it succeeds.
    let holder = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(10));
        let _ = stuck.batch_execute("ROLLBACK");
    });
    let pool = limited(
        &db,
        SessionLimits {
            lock_timeout: Duration::from_millis(200),
            ..SessionLimits::default()
        },
    );
    let mut conn = pool.conn().unwrap();
    let started = Instant::now();
    let err = sql_query(
        "INSERT INTO users (username, email, role) VALUES ('late.writer', 'late@example.com', 'analyst')",
    )
    .execute(&mut conn)
    .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(err.to_string().contains("lock timeout"), "{err}");
    holder.join().unwrap();
}

#[test]
fn a_long_statement_and_an_idle_transaction_are_ended() {
    let db = TestDatabase::new();
    let pool = limited(
        &db,
        SessionLimits {
            statement_timeout: Duration::from_millis(300),
            idle_in_transaction_timeout: Duration::from_millis(500),
            ..SessionLimits::default()
        },
    );
    let mut conn = pool.conn().unwrap();
    let started = Instant::now();
    let err = conn.batch_execute("SELECT pg_sleep(10)").unwrap_err();
    assert!(err.to_string().contains("statement timeout"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    conn.batch_execute("BEGIN").unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        conn.batch_execute("SELECT 1").is_err(),
        "the server ended the idle transaction"
    );
    drop(conn);
    // The pool replaces the ended session.
    let mut again = pool.conn().unwrap();
    assert_eq!(show(&mut again, "statement_timeout"), "300ms");
}
