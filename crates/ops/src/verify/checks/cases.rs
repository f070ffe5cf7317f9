//! Checks 13-15: the cases, joined (a sample, jurisdictions, the summary by risk level).
//!
//! Must not: write. Every statement here is a SELECT.

use super::query::*;
use super::{Context, Found};
use crate::verify::Outcome;
use compliance_domain::{Jurisdiction, RiskLevel};
use compliance_persistence::diesel::{RunQueryDsl, sql_query};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Nullable, Text};

pub(super) fn sample(cx: &mut Context<'_>) -> Found {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        entity_id: String,
        #[diesel(sql_type = Text)]
        jurisdiction: String,
        #[diesel(sql_type = Nullable<Text>)]
        status: Option<String>,
        #[diesel(sql_type = Nullable<Text>)]
        risk_level: Option<String>,
        #[diesel(sql_type = BigInt)]
        screenings: i64,
    }
    let undecided = count(
        cx.conn,
        "SELECT count(*) AS n FROM kyc_checks k WHERE NOT EXISTS (SELECT 1 FROM compliance_checks c WHERE c.kyc_check_id = k.id)",
    )?;
    let unscreened = count(
        cx.conn,
        "SELECT count(*) AS n FROM kyc_checks k WHERE NOT EXISTS (SELECT 1 FROM aml_checks a WHERE a.kyc_check_id = k.id)",
    )?;
    let rows = sql_query(
        "SELECT k.entity_id::text, k.jurisdiction, c.status, a.risk_level,
                (SELECT count(*) FROM aml_checks x WHERE x.kyc_check_id = k.id) AS screenings
           FROM kyc_checks k
           LEFT JOIN compliance_checks c ON c.kyc_check_id = k.id
           LEFT JOIN aml_checks a ON a.id = c.aml_check_id
          ORDER BY k.created_at DESC, k.id DESC LIMIT 5",
    )
    .load::<Row>(cx.conn)
    .map_err(|e| format!("query failed: {e}"))?;
    let shown: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {} ({} screening(s))",
                r.entity_id,
                r.jurisdiction,
                r.status.as_deref().unwrap_or("NO DECISION"),
                r.risk_level.as_deref().unwrap_or("-"),
                r.screenings
            )
        })
        .collect();
    Ok(if undecided > 0 || unscreened > 0 {
        (
            Outcome::Fail,
            format!(
                "{undecided} KYC check(s) without a decision, {unscreened} without a screening; e.g. {}",
                shown.join("; ")
            ),
        )
    } else if rows.is_empty() {
        (Outcome::Warn, "no KYC checks to sample".into())
    } else {
        (Outcome::Pass, shown.join("; "))
    })
}

pub(super) fn jurisdictions(cx: &mut Context<'_>) -> Found {
    let found = keyed(
        cx.conn,
        "SELECT jurisdiction AS key, count(*) AS n FROM kyc_checks GROUP BY jurisdiction",
    )?;
    let detail = line(&by_variant::<Jurisdiction>(&found));
    if cx.options.expect_seed {
        return compare_seed(
            &found,
            &seed_expectations().jurisdictions,
            "jurisdictions",
            detail,
        );
    }
    Ok((Outcome::Pass, detail))
}

pub(super) fn summary_by_level(cx: &mut Context<'_>) -> Found {
    let found = keyed(
        cx.conn,
        "SELECT risk_level AS key, sum(checks)::bigint AS n FROM compliance_summary GROUP BY risk_level",
    )?;
    let direct = count(cx.conn, "SELECT count(*) AS n FROM compliance_checks")?;
    let total: i64 = found.values().sum();
    let detail = format!(
        "{} (compliance_summary view)",
        line(&by_variant::<RiskLevel>(&found))
    );
    if total != direct {
        return Ok((
            Outcome::Fail,
            format!("{detail}: the view counts {total} cases, the table {direct}"),
        ));
    }
    if cx.options.expect_seed {
        return compare_seed(&found, &seed_expectations().levels, "risk levels", detail);
    }
    Ok((Outcome::Pass, detail))
}
