//! Checks 4-8: the data itself (counts, foreign keys, statuses, risk levels, timestamps).
//!
//! Must not: write. Every statement here is a SELECT.

use super::query::*;
use super::{Context, Found};
use crate::verify::Outcome;
use compliance_domain::{CheckStatus, RiskLevel, TextForm};
use compliance_persistence::catalog;
use compliance_persistence::diesel::{RunQueryDsl, sql_query};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Nullable, Text};
use std::fmt::Write as _;

pub(super) fn record_counts(cx: &mut Context<'_>) -> Found {
    let mut counts = Vec::new();
    for table in catalog::CORE_TABLES {
        counts.push((
            table,
            count(cx.conn, &format!("SELECT count(*) AS n FROM {table}"))?,
        ));
    }
    let get = |t: &str| counts.iter().find(|(n, _)| *n == t).map_or(0, |(_, c)| *c);
    let detail = counts
        .iter()
        .map(|(t, n)| format!("{t} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    if cx.options.expect_seed {
        let seed = seed_expectations();
        let rules = i64::try_from(compliance_rules::default_rules().len()).unwrap_or(i64::MAX);
        let ok = get("users") == 4
            && get("kyc_checks") == seed.cases
            && get("aml_checks") == seed.cases
            && get("compliance_checks") == seed.cases
            && get("compliance_rules") == rules
            && get("audit_logs") >= 6;
        return Ok(if ok {
            (Outcome::Pass, format!("{detail} (as seeded)"))
        } else {
            (
                Outcome::Fail,
                format!(
                    "{detail}; the seed data set has users 4, kyc/aml/compliance checks {} each, rules {rules}, audit at least 6",
                    seed.cases
                ),
            )
        });
    }
    Ok(if get("kyc_checks") == 0 {
        (Outcome::Warn, format!("{detail}: no cases yet"))
    } else {
        (Outcome::Pass, detail)
    })
}

pub(super) fn foreign_keys(cx: &mut Context<'_>) -> Found {
    #[derive(QueryableByName)]
    struct Fk {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        child: String,
        #[diesel(sql_type = Text)]
        parent: String,
        #[diesel(sql_type = diesel::sql_types::Array<Text>)]
        child_columns: Vec<String>,
        #[diesel(sql_type = diesel::sql_types::Array<Text>)]
        parent_columns: Vec<String>,
    }
    let fks = sql_query(
        "SELECT c.conname::text AS name, c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent,
                array(SELECT quote_ident(a.attname) FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS child_columns,
                array(SELECT quote_ident(a.attname) FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                        JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS parent_columns
           FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
          ORDER BY 1",
    )
    .load::<Fk>(cx.conn)
    .map_err(|e| format!("query failed: {e}"))?;
    let mut orphans = Vec::new();
    for fk in &fks {
        let join: Vec<String> = fk
            .child_columns
            .iter()
            .zip(&fk.parent_columns)
            .map(|(c, p)| format!("p.{p} = c.{c}"))
            .collect();
        let not_null: Vec<String> = fk
            .child_columns
            .iter()
            .map(|c| format!("c.{c} IS NOT NULL"))
            .collect();
        let n = count(
            cx.conn,
            &format!(
                "SELECT count(*) AS n FROM {} c WHERE {} AND NOT EXISTS (SELECT 1 FROM {} p WHERE {})",
                fk.child,
                not_null.join(" AND "),
                fk.parent,
                join.join(" AND ")
            ),
        )?;
        if n > 0 {
            orphans.push(format!("{} ({}): {n} orphan(s)", fk.name, fk.child));
        }
    }
    Ok(if orphans.is_empty() {
        (
            Outcome::Pass,
            format!("{} foreign keys, no orphans", fks.len()),
        )
    } else {
        (Outcome::Fail, orphans.join("; "))
    })
}

pub(super) fn statuses(cx: &mut Context<'_>) -> Found {
    let found = keyed(
        cx.conn,
        "SELECT status AS key, count(*) AS n FROM compliance_checks GROUP BY status",
    )?;
    let unknown: Vec<_> = found
        .keys()
        .filter(|k| CheckStatus::parse_text(k).is_err())
        .collect();
    if !unknown.is_empty() {
        return Ok((Outcome::Fail, format!("unknown statuses: {unknown:?}")));
    }
    let detail = line(&by_variant::<CheckStatus>(&found));
    if cx.options.expect_seed {
        return compare_seed(&found, &seed_expectations().statuses, "statuses", detail);
    }
    Ok((Outcome::Pass, detail))
}

/// The bands, computed here rather than by the database's `risk_level_for`, so that a changed
/// function cannot vouch for its own results.
pub(super) const LEVEL_OF_SCORE: &str =
    "CASE WHEN risk_score <= 30 THEN 'LOW' WHEN risk_score <= 60 THEN 'MEDIUM'
                                   WHEN risk_score <= 84 THEN 'HIGH' ELSE 'CRITICAL' END";

pub(super) fn risk_levels(cx: &mut Context<'_>) -> Found {
    let mut mismatches = Vec::new();
    for table in ["aml_checks", "compliance_checks"] {
        let n = count(
            cx.conn,
            &format!(
                "SELECT count(*) AS n FROM {table} WHERE risk_score NOT BETWEEN 0 AND 100 OR risk_level <> {LEVEL_OF_SCORE}"
            ),
        )?;
        if n > 0 {
            mismatches.push(format!(
                "{table}: {n} row(s) whose level disagrees with the score"
            ));
        }
    }
    if !mismatches.is_empty() {
        return Ok((Outcome::Fail, mismatches.join("; ")));
    }
    let found = keyed(
        cx.conn,
        "SELECT risk_level AS key, count(*) AS n FROM compliance_checks GROUP BY risk_level",
    )?;
    let scores = sql_query("SELECT min(risk_score)::bigint AS lo, max(risk_score)::bigint AS hi, round(avg(risk_score))::bigint AS avg FROM compliance_checks")
        .get_result::<ScoreRange>(cx.conn)
        .map_err(|e| format!("query failed: {e}"))?;
    let mut detail = line(&by_variant::<RiskLevel>(&found));
    if let (Some(lo), Some(hi), Some(avg)) = (scores.lo, scores.hi, scores.avg) {
        let _ = write!(
            detail,
            "; scores {lo}-{hi}, mean {avg}; every level agrees with its score"
        );
    }
    if cx.options.expect_seed {
        return compare_seed(&found, &seed_expectations().levels, "risk levels", detail);
    }
    Ok((Outcome::Pass, detail))
}

#[derive(QueryableByName)]
pub(super) struct ScoreRange {
    #[diesel(sql_type = Nullable<BigInt>)]
    lo: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    hi: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    avg: Option<i64>,
}

pub(super) fn timestamps(cx: &mut Context<'_>) -> Found {
    #[derive(QueryableByName)]
    struct Times {
        #[diesel(sql_type = BigInt)]
        bad: i64,
        #[diesel(sql_type = BigInt)]
        ahead: i64,
    }
    let mut problems = Vec::new();
    let mut future = Vec::new();
    for (table, cols) in catalog::TABLES {
        // Link and entry tables (a list version's entries, a screening's versions) carry no
        // time of their own: their parent's is theirs.
        if !cols.iter().any(|(c, _)| *c == "created_at") {
            continue;
        }
        let has_updated = cols.iter().any(|(c, _)| *c == "updated_at");
        let bad = if has_updated {
            "created_at IS NULL OR updated_at IS NULL OR created_at > updated_at"
        } else {
            "created_at IS NULL"
        };
        // One pass per table for both questions.
        let times: Times = sql_query(format!(
            "SELECT count(*) FILTER (WHERE {bad}) AS bad,
                    count(*) FILTER (WHERE created_at > now() + interval '5 minutes') AS ahead
               FROM {table}"
        ))
        .get_result(cx.conn)
        .map_err(|e| format!("query failed: {e}"))?;
        if times.bad > 0 {
            problems.push(format!("{table}: {}", times.bad));
        }
        if times.ahead > 0 {
            future.push(format!("{table}: {}", times.ahead));
        }
    }
    Ok(if !problems.is_empty() {
        (
            Outcome::Fail,
            format!(
                "missing or out-of-order timestamps: {}",
                problems.join(", ")
            ),
        )
    } else if !future.is_empty() {
        (
            Outcome::Warn,
            format!(
                "rows created in the future (clock skew?): {}",
                future.join(", ")
            ),
        )
    } else {
        (
            Outcome::Pass,
            format!(
                "{} tables: every row has created_at <= updated_at",
                catalog::TABLES.len()
            ),
        )
    })
}
