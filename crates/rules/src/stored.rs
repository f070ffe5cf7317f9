//! A rule row as the `compliance_rules` table stores it ([`StoredRule`]: plain values, one per
//! column), and the conversions between it and a validated [`Rule`].
//!
//! Must not: let a malformed row through or fill in a default. Every field is checked, and a
//! refusal names the row (jurisdiction, code, version) and the offending field.

use crate::error::{FieldError, Problem, RowRef, RuleError};
use crate::{EffectivePeriod, Rule, RuleKind};
use chrono::{DateTime, Utc};
use compliance_domain::{Jurisdiction, RuleCode, RuleRef, RuleVersion, TextForm};

/// One row of `compliance_rules`: one version of one rule, column by column.
///
/// `parameters` is a JSON object whose `"kind"` names the [`RuleKind`]; money thresholds are
/// `{"amount": "<decimal string>", "currency": "<ISO 4217>"}`, never JSON numbers.
///
/// ```
/// use compliance_rules::{Rule, StoredRule};
/// let row: StoredRule = serde_json::from_str(r#"{
///   "jurisdiction": "IN", "code": "IN-RED-FLAGS-REJECT", "version": 1,
///   "parameters": {"kind": "red_flags", "min_count": 3},
///   "effective_from": "2026-01-01T00:00:00Z", "effective_to": null,
///   "regulation": "IN PMLA 2002 s. 12; PML (Maintenance of Records) Rules 2005 r. 9",
///   "description": "Three or more red flags reject the case."
/// }"#)?;
/// let rule = Rule::try_from(row.clone())?;
/// assert_eq!(rule.to_stored(), row);
///
/// let mut bad = row;
/// bad.parameters["min_count"] = serde_json::json!(0);
/// assert_eq!(
///     Rule::try_from(bad).unwrap_err().to_string(),
///     r#"rule row (jurisdiction "IN", code "IN-RED-FLAGS-REJECT", version 1) refused: parameters.min_count must be an integer from 1 to 7 (the number of red flag kinds), got 0"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredRule {
    /// `AE`, `IN` or `US`.
    pub jurisdiction: String,
    /// The rule code, e.g. `US-506C-ACCREDITATION`.
    pub code: String,
    /// The version, 1 or more.
    pub version: i32,
    /// The kind and its parameters.
    pub parameters: serde_json::Value,
    /// The first instant in force.
    pub effective_from: DateTime<Utc>,
    /// The first instant no longer in force (exclusive); `None` for open-ended.
    pub effective_to: Option<DateTime<Utc>>,
    /// The regulatory source it implements.
    pub regulation: String,
    /// What it does, in one sentence.
    pub description: String,
}

impl TryFrom<StoredRule> for Rule {
    type Error = RuleError;

    fn try_from(row: StoredRule) -> Result<Self, Self::Error> {
        Rule::try_from(&row)
    }
}

impl TryFrom<&StoredRule> for Rule {
    type Error = RuleError;

    fn try_from(row: &StoredRule) -> Result<Self, Self::Error> {
        let at = RowRef {
            jurisdiction: row.jurisdiction.clone(),
            code: row.code.clone(),
            version: i64::from(row.version),
        };
        let refuse =
            |field: &str, problem: Problem| RuleError::at(&at, FieldError::new(field, problem));
        let jurisdiction: Jurisdiction = row
            .jurisdiction
            .parse()
            .map_err(|e| refuse("jurisdiction", Problem::invalid(e)))?;
        let code = RuleCode::parse(&row.code).map_err(|e| refuse("code", Problem::invalid(e)))?;
        let version =
            RuleVersion::new(row.version).map_err(|e| refuse("version", Problem::invalid(e)))?;
        let kind = RuleKind::from_parameters(&row.parameters).map_err(|e| RuleError::at(&at, e))?;
        let period = EffectivePeriod::new(row.effective_from, row.effective_to)
            .map_err(|e| RuleError::at(&at, e))?;
        Rule::new(
            jurisdiction,
            RuleRef { code, version },
            period,
            &row.regulation,
            &row.description,
            kind,
        )
    }
}

impl Rule {
    /// The row that stores this rule version; `Rule::try_from` reads it back unchanged.
    pub fn to_stored(&self) -> StoredRule {
        StoredRule {
            jurisdiction: self.jurisdiction().as_str().to_owned(),
            code: self.code().as_str().to_owned(),
            // `Rule::new` refuses versions above i32::MAX, so this never saturates.
            version: i32::try_from(self.version().get()).unwrap_or(i32::MAX),
            parameters: self.kind().to_parameters(),
            effective_from: self.period().from(),
            effective_to: self.period().to(),
            regulation: self.regulation().to_owned(),
            description: self.description().to_owned(),
        }
    }
}
