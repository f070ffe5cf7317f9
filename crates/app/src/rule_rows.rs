//! Rules from the database to the engine: a `compliance_rules` row becomes the engine's
//! `StoredRule` and then a validated `Rule` (publishing is an administrator's:
//! `compliance_ops::admin`).
//!
//! Must not: interpret parameters itself: the engine's `Rule::try_from` is the one parser, and
//! its errors name the row.

use crate::Result;
use compliance_persistence::repo::compliance_rules::RuleRow;
use compliance_rules::{Rule, StoredRule};

/// Parses a stored row into the engine's rule.
pub(crate) fn rule_from_row(row: &RuleRow) -> Result<Rule> {
    let stored = StoredRule {
        jurisdiction: row.jurisdiction.clone(),
        code: row.code.clone(),
        version: row.version,
        parameters: row.parameters.clone(),
        effective_from: row.effective_from,
        effective_to: row.effective_to,
        regulation: row.regulation.clone(),
        description: row.description.clone(),
    };
    Ok(Rule::try_from(stored)?)
}
