//! Checks 17-18: the rules parse with one version in force, and decisions replay.
//!
//! Must not: write. Every statement here is a SELECT.

use super::query::*;
use super::{Context, Found};
use crate::rules::{rule_from_row, stored_versions};
use crate::verify::Outcome;
use compliance_domain::{Case, Jurisdiction, RuleRef, TextForm};
use compliance_persistence::repo::compliance_checks;
use compliance_persistence::repo::compliance_rules as stored_rules;
use compliance_rules::RuleSet;
use std::collections::BTreeMap;
use strum::VariantArray;

pub(super) fn rules(cx: &mut Context<'_>) -> Found {
    let rows = stored_rules::list(cx.conn, &stored_rules::RuleFilter::default())
        .map_err(|e| e.to_string())?;
    let bad: Vec<String> = rows
        .iter()
        .filter_map(|r| rule_from_row(r).err())
        .map(|e| e.to_string())
        .collect();
    if !bad.is_empty() {
        return Ok((
            Outcome::Fail,
            format!("{} malformed rule row(s): {}", bad.len(), bad.join("; ")),
        ));
    }
    let now = chrono::Utc::now();
    let mut in_force = Vec::new();
    let mut empty = Vec::new();
    for jurisdiction in Jurisdiction::VARIANTS {
        let versions = stored_versions(cx.conn, *jurisdiction)?;
        match RuleSet::in_force(&versions, *jurisdiction, now) {
            Ok(set) => in_force.push(format!("{jurisdiction} {}", set.rules().len())),
            Err(compliance_rules::RuleSetError::Empty { .. }) => empty.push(jurisdiction.as_str()),
            Err(e) => return Ok((Outcome::Fail, e.to_string())),
        }
    }
    let detail = if in_force.is_empty() {
        format!("{} version(s) stored; none in force now", rows.len())
    } else {
        format!(
            "{} version(s) stored; in force now: {}",
            rows.len(),
            in_force.join(", ")
        )
    };
    Ok(if empty.is_empty() {
        (Outcome::Pass, detail)
    } else {
        (
            Outcome::Warn,
            format!(
                "{detail}; no rules in force for {}: cases there cannot be decided until rules are published (cargo xtask provision seeds the default ones)",
                empty.join(", ")
            ),
        )
    })
}

pub(super) fn decisions_replay(cx: &mut Context<'_>) -> Found {
    let total = count(cx.conn, "SELECT count(*) AS n FROM compliance_checks")?;
    // Cases the engine decided and nobody reviewed must still have the engine's status.
    let overridden = keyed(
        cx.conn,
        "SELECT c.id::text AS key, 1::bigint AS n FROM compliance_checks c JOIN users u ON u.id = c.decided_by
          WHERE u.role = 'system' AND c.status <> c.engine_status ORDER BY c.id LIMIT 10",
    )?;
    let limit = cx.options.replay_limit.unwrap_or(i64::MAX).max(0);
    let cases = compliance_checks::recent_with_inputs(cx.conn, limit).map_err(|e| e.to_string())?;
    let mut differ = Vec::new();
    let mut errors = Vec::new();
    // Every version of each jurisdiction's rules, loaded once; the rule set each case pinned is
    // built once per distinct list of versions (most cases share one).
    let mut pools = BTreeMap::new();
    let mut pinned: BTreeMap<(Jurisdiction, Vec<RuleRef>), Result<RuleSet, String>> =
        BTreeMap::new();
    for (case, kyc, aml) in &cases {
        let pool = match pools.entry(case.jurisdiction) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(stored_versions(cx.conn, case.jurisdiction)?)
            }
        };
        let set = pinned
            .entry((case.jurisdiction, case.rule_versions.clone()))
            .or_insert_with(|| {
                RuleSet::pinned(pool, case.jurisdiction, &case.rule_versions)
                    .map_err(|e| e.to_string())
            });
        let replayed = set.as_ref().map_err(Clone::clone).and_then(|set| {
            set.evaluate(&Case {
                kyc: kyc.check.clone(),
                aml: aml.screening.clone(),
            })
            .map_err(|e| e.to_string())
        });
        match replayed {
            // The unweighed signals too, where the stored decision lists them.
            Ok(decision) if decision.reproduces(&case.decision) => {}
            Ok(decision) => differ.push(format!(
                "{} (stored {}, engine {})",
                case.id,
                case.decision.status(),
                decision.status()
            )),
            Err(e) => errors.push(format!("{}: {e}", case.id)),
        }
    }
    let replayed = cases.len();
    let scope = if i64::try_from(replayed).unwrap_or(i64::MAX) < total {
        format!("{replayed} most recent of {total} (replay limit)")
    } else {
        format!("all {total}")
    };
    if !overridden.is_empty() || !differ.is_empty() || !errors.is_empty() {
        let mut parts = Vec::new();
        if !overridden.is_empty() {
            parts.push(format!(
                "status differs from the engine's without a reviewer: {}",
                overridden.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        if !differ.is_empty() {
            parts.push(format!("replay differs: {}", differ.join(", ")));
        }
        if !errors.is_empty() {
            parts.push(format!("cannot replay: {}", errors.join("; ")));
        }
        return Ok((
            Outcome::Fail,
            format!("{}; checked {scope}", parts.join("; ")),
        ));
    }
    Ok((
        Outcome::Pass,
        format!("{scope} decision(s) replay to the same status, risk level and reasons"),
    ))
}
