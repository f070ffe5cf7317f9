//! Checks 9-12: the database at work (views, sizes, the connection, sessions).
//!
//! Must not: write. Every statement here is a SELECT.

use super::query::*;
use super::{Context, Found};
use crate::verify::Outcome;
use compliance_persistence::catalog;
use compliance_persistence::diesel::{RunQueryDsl, sql_query};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use std::time::{Duration, Instant};

pub(super) fn views(cx: &mut Context<'_>) -> Found {
    let mut parts = Vec::new();
    for view in catalog::VIEWS {
        let started = Instant::now();
        let n = count(cx.conn, &format!("SELECT count(*) AS n FROM {view}"))?;
        parts.push(format!("{view} {n} rows in {}", ms(started.elapsed())));
    }
    Ok((Outcome::Pass, parts.join(", ")))
}

pub(super) fn sizes(cx: &mut Context<'_>) -> Found {
    #[derive(QueryableByName)]
    struct Size {
        #[diesel(sql_type = BigInt)]
        database: i64,
        #[diesel(sql_type = BigInt)]
        largest: i64,
        #[diesel(sql_type = Text)]
        largest_name: String,
        #[diesel(sql_type = BigInt)]
        indexes: i64,
        #[diesel(sql_type = BigInt)]
        used: i64,
        #[diesel(sql_type = BigInt)]
        scans: i64,
    }
    let s: Size = sql_query(
        "SELECT pg_database_size(current_database()) AS database,
                coalesce((SELECT pg_total_relation_size(relid) FROM pg_stat_user_tables ORDER BY 1 DESC LIMIT 1), 0) AS largest,
                coalesce((SELECT relname::text FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC LIMIT 1), '-') AS largest_name,
                (SELECT count(*) FROM pg_stat_user_indexes) AS indexes,
                (SELECT count(*) FROM pg_stat_user_indexes WHERE idx_scan > 0) AS used,
                (SELECT coalesce(sum(idx_scan), 0)::bigint FROM pg_stat_user_indexes) AS scans",
    )
    .get_result(cx.conn)
    .map_err(|e| format!("query failed: {e}"))?;
    Ok((
        Outcome::Pass,
        format!(
            "database {} kB, largest table {} ({} kB); {} of {} indexes used since statistics reset, {} scans",
            s.database / 1024,
            s.largest_name,
            s.largest / 1024,
            s.used,
            s.indexes,
            s.scans
        ),
    ))
}

pub(super) fn connection(cx: &mut Context<'_>) -> Found {
    #[derive(QueryableByName)]
    struct Who {
        #[diesel(sql_type = Text)]
        user: String,
        #[diesel(sql_type = Text)]
        version: String,
        #[diesel(sql_type = BigInt)]
        version_num: i64,
    }
    let mut samples = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        count(cx.conn, "SELECT 1::bigint AS n")?;
        samples.push(started.elapsed());
    }
    samples.sort();
    let latency = samples[1];
    let who: Who = sql_query(
        "SELECT current_user::text AS user, current_setting('server_version') AS version,
                current_setting('server_version_num')::bigint AS version_num",
    )
    .get_result(cx.conn)
    .map_err(|e| format!("query failed: {e}"))?;
    let detail = format!(
        "{} as {}, PostgreSQL {}; connect {}, round trip {}",
        cx.config.target(),
        who.user,
        who.version,
        ms(cx.connect_time),
        ms(latency)
    );
    Ok(if who.version_num < 150_000 {
        (
            Outcome::Warn,
            format!("{detail}: PostgreSQL 15 or 16 is what this schema is tested on"),
        )
    } else if latency > Duration::from_millis(100) {
        (Outcome::Warn, format!("{detail}: slow round trip"))
    } else {
        (Outcome::Pass, detail)
    })
}

pub(super) fn sessions(cx: &mut Context<'_>) -> Found {
    #[derive(QueryableByName)]
    struct Sessions {
        #[diesel(sql_type = BigInt)]
        here: i64,
        #[diesel(sql_type = BigInt)]
        active: i64,
        #[diesel(sql_type = BigInt)]
        total: i64,
        #[diesel(sql_type = BigInt)]
        max: i64,
        #[diesel(sql_type = BigInt)]
        reserved: i64,
    }
    let s: Sessions = sql_query(
        "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()) AS here,
                (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active') AS active,
                (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS total,
                current_setting('max_connections')::bigint AS max,
                current_setting('superuser_reserved_connections')::bigint AS reserved",
    )
    .get_result(cx.conn)
    .map_err(|e| format!("query failed: {e}"))?;
    let available = s.max - s.reserved;
    let pool = i64::from(cx.options.pool_max);
    let detail = format!(
        "{} session(s) on this database ({} active), {} on the server of max_connections {} ({} reserved); pool max {}",
        s.here, s.active, s.total, s.max, s.reserved, pool
    );
    Ok(if s.total * 10 >= available * 8 {
        (
            Outcome::Warn,
            format!("{detail}: the server is near its connection limit"),
        )
    } else if pool > available - s.total {
        (
            Outcome::Warn,
            format!("{detail}: a full pool would not fit in the connections left"),
        )
    } else {
        (Outcome::Pass, detail)
    })
}
