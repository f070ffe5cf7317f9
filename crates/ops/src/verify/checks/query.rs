//! Query helpers the checks share: one number, counts by key, and what the seed data set
//! must hold (computed from the scenarios themselves).
//!
//! Must not: write. Every statement here is a SELECT.

use super::Found;
use crate::verify::Outcome;
use compliance_domain::TextForm;
use compliance_persistence::diesel::{PgConnection, RunQueryDsl, sql_query};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(QueryableByName)]
pub(super) struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
pub(super) struct Keyed {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

pub(super) fn count(conn: &mut PgConnection, sql: &str) -> Result<i64, String> {
    sql_query(sql)
        .get_result::<Count>(conn)
        .map(|c| c.n)
        .map_err(|e| format!("query failed: {e}"))
}

pub(super) fn keyed(conn: &mut PgConnection, sql: &str) -> Result<BTreeMap<String, i64>, String> {
    sql_query(sql)
        .load::<Keyed>(conn)
        .map(|rows| rows.into_iter().map(|r| (r.key, r.n)).collect())
        .map_err(|e| format!("query failed: {e}"))
}

/// `12.3 ms`, without floating point.
pub(super) fn ms(d: Duration) -> String {
    let us = d.as_micros();
    format!("{}.{} ms", us / 1000, (us % 1000) / 100)
}

pub(super) fn describe(counts: &BTreeMap<String, i64>) -> String {
    if counts.is_empty() {
        return "none".into();
    }
    counts
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Counts in the order of an enum's variants, zero included.
pub(super) fn by_variant<T: TextForm>(counts: &BTreeMap<String, i64>) -> Vec<(String, i64)> {
    <T as strum::VariantArray>::VARIANTS
        .iter()
        .map(|v| {
            (
                v.as_str().to_owned(),
                counts.get(v.as_str()).copied().unwrap_or(0),
            )
        })
        .collect()
}

pub(super) fn line(pairs: &[(String, i64)]) -> String {
    pairs
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the seed data set must hold, computed from the scenarios themselves.
pub(super) struct SeedExpectations {
    pub(super) statuses: BTreeMap<String, i64>,
    pub(super) levels: BTreeMap<String, i64>,
    pub(super) jurisdictions: BTreeMap<String, i64>,
    pub(super) cases: i64,
}

pub(super) fn seed_expectations() -> SeedExpectations {
    let scenarios = compliance_rules::scenarios::scenarios();
    let mut e = SeedExpectations {
        statuses: BTreeMap::new(),
        levels: BTreeMap::new(),
        jurisdictions: BTreeMap::new(),
        cases: i64::try_from(scenarios.len()).unwrap_or(i64::MAX),
    };
    for s in &scenarios {
        *e.statuses
            .entry(s.expected_status.as_str().to_owned())
            .or_default() += 1;
        *e.levels
            .entry(s.expected_risk_level.as_str().to_owned())
            .or_default() += 1;
        *e.jurisdictions
            .entry(s.case.kyc.jurisdiction.as_str().to_owned())
            .or_default() += 1;
    }
    e
}

pub(super) fn compare_seed(
    found: &BTreeMap<String, i64>,
    expected: &BTreeMap<String, i64>,
    what: &str,
    detail: String,
) -> Found {
    let found: BTreeMap<_, _> = found
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| (k.clone(), *n))
        .collect();
    if found == *expected {
        Ok((Outcome::Pass, format!("{detail} (as seeded)")))
    } else {
        Ok((
            Outcome::Fail,
            format!(
                "{detail}; the seed data set has {what} {}",
                describe(expected)
            ),
        ))
    }
}

/// `permission denied on X (grant SELECT ON X TO role)`: what a role that may not read a
/// table needs, rather than the table looking missing.
pub(super) fn denied_on(object: &str, role: &str) -> String {
    let role = if role
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        role.to_owned()
    } else {
        format!("\"{}\"", role.replace('"', "\"\""))
    };
    format!("permission denied on {object} (grant SELECT ON {object} TO {role})")
}

/// A failed check's message, with PostgreSQL's "permission denied for table X" (or view,
/// materialized view, sequence) turned into [`denied_on`]; any other message as it is.
pub(super) fn explain(message: &str, role: &str) -> String {
    const DENIED: &str = "permission denied for ";
    let Some(at) = message.find(DENIED) else {
        return message.to_owned();
    };
    let rest = &message[at + DENIED.len()..];
    let rest = rest.strip_prefix("materialized ").unwrap_or(rest);
    let mut words = rest.split_whitespace();
    match (words.next(), words.next()) {
        (Some("table" | "view" | "sequence"), Some(object)) => {
            denied_on(object.trim_end_matches([',', ';', '.']), role)
        }
        _ => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::explain;

    #[test]
    fn a_permission_refusal_says_what_to_grant() {
        assert_eq!(
            explain(
                "query failed: permission denied for table kyc_checks",
                "reader"
            ),
            "permission denied on kyc_checks (grant SELECT ON kyc_checks TO reader)"
        );
        assert_eq!(
            explain(
                "query failed: permission denied for view compliance_summary",
                "Odd Role"
            ),
            "permission denied on compliance_summary (grant SELECT ON compliance_summary TO \"Odd Role\")"
        );
        assert_eq!(
            explain("query failed: syntax error", "r"),
            "query failed: syntax error"
        );
    }
}
