//! The `reg_d_accreditation` rule kind: Regulation D's accredited investor, every category of
//! 17 CFR 230.501(a) an investor platform meets, each verified as 230.506(c)(2) requires. This
//! file holds the parameters; `reg_d/categories.rs` decides the categories and
//! `reg_d/verification.rs` the verifications.
//!
//! Must not: convert currencies, repeat an investor's amounts or numbers in an explanation, or
//! accept a category that no verification in date covers.

mod categories;
mod verification;

use crate::error::{FieldError, Problem};
use crate::params::{Object, money, money_json, text_forms};
use compliance_domain::{CertificationKind, Currency, KycCheck, Money, TextForm};
use serde_json::{Map, Value};

/// A category of 501(a) (here, where both the categories and their verification read it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Category {
    Income,
    NetWorth,
    Certification,
    Insider,
    Institution,
    Assets,
    Trust,
    Owners,
    Investments,
    FamilyOffice,
    FamilyClient,
}

impl Category {
    fn is_entity(self) -> bool {
        !matches!(
            self,
            Category::Income | Category::NetWorth | Category::Certification | Category::Insider
        )
    }

    fn words(self) -> &'static str {
        match self {
            Category::Income => "income (501(a)(6))",
            Category::NetWorth => "net worth (501(a)(5))",
            Category::Certification => "professional certification (501(a)(10))",
            Category::Insider => "director, officer or knowledgeable employee (501(a)(4), (11))",
            Category::Institution => "regulated institution (501(a)(1))",
            Category::Assets => "entity with total assets (501(a)(3))",
            Category::Trust => "trust with total assets (501(a)(7))",
            Category::Owners => "entity owned by accredited investors (501(a)(8))",
            Category::Investments => "entity with investments (501(a)(9))",
            Category::FamilyOffice => "family office (501(a)(12))",
            Category::FamilyClient => "family client (501(a)(13))",
        }
    }
}

/// The thresholds of 501(a) (each compared "in excess of": a figure must be above it), the
/// certifications the SEC designated under 501(a)(10), and the age the platform allows a
/// verification made by reasonable steps of its own (506(c)(2)(i)), in months.
///
/// Stored as:
///
/// ```json
/// {"kind": "reg_d_accreditation",
///  "income": {"amount": "200000", "currency": "USD"},
///  "joint_income": {"amount": "300000", "currency": "USD"},
///  "net_worth": {"amount": "1000000", "currency": "USD"},
///  "entity_assets": {"amount": "5000000", "currency": "USD"},
///  "entity_investments": {"amount": "5000000", "currency": "USD"},
///  "certifications": ["series_7", "series_65", "series_82"],
///  "policy_months": 3}
/// ```
///
/// The ages the safe harbours of 506(c)(2)(ii) set (three months for (B) and (C), five years
/// for (E)) are the regulation's, not parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegDAccreditation {
    income: Money,
    joint_income: Money,
    net_worth: Money,
    entity_assets: Money,
    entity_investments: Money,
    certifications: Vec<CertificationKind>,
    policy_months: u8,
}

const MONEY_KEYS: [&str; 5] = [
    "income",
    "joint_income",
    "net_worth",
    "entity_assets",
    "entity_investments",
];

impl RegDAccreditation {
    pub(crate) const KIND: &'static str = "reg_d_accreditation";
    pub(crate) const KEYS: [&'static str; 8] = [
        "kind",
        "income",
        "joint_income",
        "net_worth",
        "entity_assets",
        "entity_investments",
        "certifications",
        "policy_months",
    ];
    const EXPECTED_MONTHS: &'static str = "an integer from 1 to 12";

    /// The rule's parameters: the thresholds (one currency), the designated certifications (no
    /// repeats) and the platform's age for its own verifications (1 to 12 months).
    pub fn new(
        income: Money,
        joint_income: Money,
        net_worth: Money,
        entity_assets: Money,
        entity_investments: Money,
        certifications: Vec<CertificationKind>,
        policy_months: u8,
    ) -> Result<Self, FieldError> {
        let currency = income.currency();
        for (key, m) in
            MONEY_KEYS[1..]
                .iter()
                .zip([joint_income, net_worth, entity_assets, entity_investments])
        {
            if m.currency() != currency {
                return Err(FieldError::new(
                    format!("{key}.currency"),
                    Problem::OutOfRange {
                        expected: "the currency of the rule's other thresholds",
                        got: format!("{} where income is in {currency}", m.currency()),
                    },
                ));
            }
        }
        for (i, kind) in certifications.iter().enumerate() {
            if certifications[..i].contains(kind) {
                return Err(FieldError::new(
                    "certifications",
                    Problem::Duplicate {
                        value: kind.as_str().to_owned(),
                    },
                ));
            }
        }
        if !(1..=12).contains(&policy_months) {
            return Err(FieldError::new(
                "policy_months",
                Problem::OutOfRange {
                    expected: Self::EXPECTED_MONTHS,
                    got: policy_months.to_string(),
                },
            ));
        }
        Ok(Self {
            income,
            joint_income,
            net_worth,
            entity_assets,
            entity_investments,
            certifications,
            policy_months,
        })
    }

    /// The currency of every threshold.
    pub fn currency(&self) -> Currency {
        self.income.currency()
    }

    /// The certifications designated under 501(a)(10).
    pub fn certifications(&self) -> &[CertificationKind] {
        &self.certifications
    }

    pub(crate) fn read(object: &Object<'_>) -> Result<Self, FieldError> {
        let m = |key: &str| money(object.field(key)?, &object.path_of(key));
        let certifications = text_forms(
            object.array("certifications")?,
            &object.path_of("certifications"),
        )?;
        let months = object.integer("policy_months", 1..=12, Self::EXPECTED_MONTHS)?;
        Self::new(
            m("income")?,
            m("joint_income")?,
            m("net_worth")?,
            m("entity_assets")?,
            m("entity_investments")?,
            certifications,
            u8::try_from(months).unwrap_or(12),
        )
        .map_err(|e| e.under("parameters"))
    }

    pub(crate) fn write(&self, parameters: &mut Map<String, Value>) {
        for (key, m) in MONEY_KEYS.iter().zip([
            self.income,
            self.joint_income,
            self.net_worth,
            self.entity_assets,
            self.entity_investments,
        ]) {
            parameters.insert((*key).into(), money_json(&m));
        }
        let kinds: Vec<&str> = self.certifications.iter().map(|c| c.as_str()).collect();
        parameters.insert("certifications".into(), kinds.into());
        parameters.insert("policy_months".into(), self.policy_months.into());
    }

    /// Its parameters in words, one line each (see [`crate::RuleKind::in_words`]).
    pub(crate) fn words(&self) -> Vec<String> {
        let certifications: Vec<&str> = self.certifications.iter().map(|c| c.as_str()).collect();
        vec![
            format!(
                "An individual qualifies by income above {} (joint income above {}) or net worth above {}",
                self.income.for_reading(),
                self.joint_income.for_reading(),
                self.net_worth.for_reading()
            ),
            format!(
                "An entity qualifies by total assets above {} or investments above {}",
                self.entity_assets.for_reading(),
                self.entity_investments.for_reading()
            ),
            format!(
                "Professional certifications accepted: {}",
                if certifications.is_empty() {
                    "none".to_owned()
                } else {
                    certifications.join(", ")
                }
            ),
            format!(
                "A verification by the platform's own reasonable steps counts for {} month(s)",
                self.policy_months
            ),
        ]
    }

    /// `None` when a category of 501(a) is met and verified in date; otherwise why not.
    pub(crate) fn assess(&self, kyc: &KycCheck) -> Option<String> {
        categories::assess(self, kyc)
    }
}
