//! Rules between the database and the engine, for the operations: a `compliance_rules` row
//! parsed into the engine's validated `Rule` (as verification reads them), and a `Rule` as the
//! row that publishes it (as seeding and an administrator write them). The service reads rules
//! through its own cache; a version, once published, never changes, so both read the same.
//!
//! Must not: interpret parameters itself: the engine's `Rule::try_from` is the one parser, and
//! its errors name the row.

use compliance_domain::Jurisdiction;
use compliance_persistence::PersistenceError;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::compliance_rules::{self as stored, NewRule, RuleRow};
use compliance_rules::{Rule, RuleError, StoredRule};

/// Parses a stored row into the engine's rule.
pub fn rule_from_row(row: &RuleRow) -> Result<Rule, RuleError> {
    Rule::try_from(StoredRule {
        jurisdiction: row.jurisdiction.clone(),
        code: row.code.clone(),
        version: row.version,
        parameters: row.parameters.clone(),
        effective_from: row.effective_from,
        effective_to: row.effective_to,
        regulation: row.regulation.clone(),
        description: row.description.clone(),
    })
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

/// Every stored version of a jurisdiction's rules, parsed; a malformed row is an error naming
/// it.
pub fn stored_versions(
    conn: &mut PgConnection,
    jurisdiction: Jurisdiction,
) -> Result<Vec<Rule>, String> {
    let filter = stored::RuleFilter {
        jurisdiction: Some(jurisdiction),
        code: None,
    };
    stored::list(conn, &filter)
        .map_err(|e: PersistenceError| e.to_string())?
        .iter()
        .map(|row| rule_from_row(row).map_err(|e| e.to_string()))
        .collect()
}
