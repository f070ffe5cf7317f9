//! Rules between the database and the engine: a `compliance_rules` row becomes the engine's
//! `StoredRule` and then a validated `Rule`; a `Rule` becomes the row to publish.
//!
//! Must not: interpret parameters itself: the engine's `Rule::try_from` is the one parser, and
//! its errors name the row.

use crate::Result;
use compliance_persistence::repo::compliance_rules::{NewRule, RuleRow};
use compliance_rules::{Rule, StoredRule};

/// Parses a stored row into the engine's rule.
pub fn rule_from_row(row: &RuleRow) -> Result<Rule> {
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

/// The row that publishes a rule.
pub fn new_rule(rule: &Rule) -> NewRule {
    let stored = rule.to_stored();
    NewRule {
        jurisdiction: rule.jurisdiction(),
        rule: rule.rule_ref().clone(),
        parameters: stored.parameters,
        effective_from: stored.effective_from,
        effective_to: stored.effective_to,
        regulation: stored.regulation,
        description: stored.description,
    }
}
