//! The `sebi_accreditation` rule kind: SEBI's accredited investor (SEBI (Alternative Investment
//! Funds) Regulations 2012, reg. 2(1)(ab)): the income, net worth and combined tests with their
//! financial-asset parts for individuals, HUFs, family trusts and sole proprietorships, the net
//! worth of trusts and bodies corporate, each partner of a partnership firm, the institutions
//! the proviso deems accredited, and the accreditation agency's certificate, valid on the date
//! of the assessment by its issue and expiry dates.
//!
//! Must not: convert currencies, trust a flag where a date decides, or repeat an investor's
//! amounts or the certificate's number in an explanation.

use crate::dates::shorter_than;
use crate::error::{FieldError, Problem};
use crate::params::{Object, money, money_json};
use compliance_domain::{KycCheck, Money, SebiFacts, SebiInvestorClass, TextForm};
use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::fmt::Write;

/// SEBI's thresholds ("at least"), in one currency, and the longest validity a certificate may
/// state, in months.
///
/// Stored as:
///
/// ```json
/// {"kind": "sebi_accreditation",
///  "income": {"amount": "20000000", "currency": "INR"},
///  "net_worth": {"amount": "75000000", "currency": "INR"},
///  "financial_assets": {"amount": "37500000", "currency": "INR"},
///  "combined_income": {"amount": "10000000", "currency": "INR"},
///  "combined_net_worth": {"amount": "50000000", "currency": "INR"},
///  "combined_financial_assets": {"amount": "25000000", "currency": "INR"},
///  "entity_net_worth": {"amount": "500000000", "currency": "INR"},
///  "certificate_months": 36}
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SebiAccreditation {
    thresholds: [Money; 7],
    certificate_months: u8,
}

const KEYS: [&str; 7] = [
    "income",
    "net_worth",
    "financial_assets",
    "combined_income",
    "combined_net_worth",
    "combined_financial_assets",
    "entity_net_worth",
];

/// Indices into the thresholds, in [`KEYS`] order.
const INCOME: usize = 0;
const NET_WORTH: usize = 1;
const FINANCIAL: usize = 2;
const C_INCOME: usize = 3;
const C_NET_WORTH: usize = 4;
const C_FINANCIAL: usize = 5;
const ENTITY: usize = 6;

/// Why no test is met, for the sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Miss {
    Certificate(&'static str),
    Figures,
    Partners,
}

impl SebiAccreditation {
    pub(crate) const KIND: &'static str = "sebi_accreditation";
    pub(crate) const KEYS: [&'static str; 9] = [
        "kind",
        "income",
        "net_worth",
        "financial_assets",
        "combined_income",
        "combined_net_worth",
        "combined_financial_assets",
        "entity_net_worth",
        "certificate_months",
    ];
    const EXPECTED_MONTHS: &'static str = "an integer from 1 to 60";

    /// The thresholds in the order of the stored keys (`income`, `net_worth`,
    /// `financial_assets`, `combined_income`, `combined_net_worth`, `combined_financial_assets`,
    /// `entity_net_worth`; one currency; each financial-assets part at most its net worth) and
    /// the longest validity of a certificate (1 to 60 months).
    pub fn new(thresholds: [Money; 7], certificate_months: u8) -> Result<Self, FieldError> {
        let currency = thresholds[0].currency();
        for (key, m) in KEYS.iter().zip(thresholds) {
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
        for (part, whole) in [(FINANCIAL, NET_WORTH), (C_FINANCIAL, C_NET_WORTH)] {
            if thresholds[part].compare(&thresholds[whole]) == Ok(Ordering::Greater) {
                return Err(FieldError::new(
                    KEYS[part],
                    Problem::OutOfRange {
                        expected: "a part of the net worth it goes with, so at most that net worth",
                        got: "more".into(),
                    },
                ));
            }
        }
        if !(1..=60).contains(&certificate_months) {
            return Err(FieldError::new(
                "certificate_months",
                Problem::OutOfRange {
                    expected: Self::EXPECTED_MONTHS,
                    got: certificate_months.to_string(),
                },
            ));
        }
        Ok(Self {
            thresholds,
            certificate_months,
        })
    }

    /// The thresholds, in the order of the stored keys.
    pub fn thresholds(&self) -> [Money; 7] {
        self.thresholds
    }

    pub(crate) fn read(object: &Object<'_>) -> Result<Self, FieldError> {
        let mut thresholds = Vec::with_capacity(KEYS.len());
        for key in KEYS {
            thresholds.push(money(object.field(key)?, &object.path_of(key))?);
        }
        let months = object.integer("certificate_months", 1..=60, Self::EXPECTED_MONTHS)?;
        let thresholds: [Money; 7] = thresholds
            .try_into()
            .map_err(|_| FieldError::new("parameters", Problem::Missing))?;
        Self::new(thresholds, u8::try_from(months).unwrap_or(60)).map_err(|e| e.under("parameters"))
    }

    pub(crate) fn write(&self, parameters: &mut Map<String, Value>) {
        for (key, m) in KEYS.iter().zip(self.thresholds) {
            parameters.insert((*key).into(), money_json(&m));
        }
        parameters.insert("certificate_months".into(), self.certificate_months.into());
    }

    /// Its parameters in words, one line each (see [`crate::RuleKind::in_words`]).
    pub(crate) fn words(&self) -> Vec<String> {
        let t = |i: usize| self.thresholds[i].for_reading();
        vec![
            format!(
                "An individual, HUF, family trust or proprietorship qualifies by annual income of at least {}, or net worth of at least {} with at least {} in financial assets",
                t(INCOME),
                t(NET_WORTH),
                t(FINANCIAL)
            ),
            format!(
                "or by income of at least {} together with net worth of at least {} (at least {} in financial assets)",
                t(C_INCOME),
                t(C_NET_WORTH),
                t(C_FINANCIAL)
            ),
            format!(
                "A trust or body corporate qualifies by net worth of at least {}",
                t(ENTITY)
            ),
            format!(
                "The accreditation agency's certificate may be valid for at most {} month(s)",
                self.certificate_months
            ),
        ]
    }

    fn at_least(&self, figure: Option<Money>, i: usize) -> bool {
        figure
            .and_then(|f| f.compare(&self.thresholds[i]).ok())
            .is_some_and(Ordering::is_ge)
    }

    /// The class's figures meet one of its tests.
    fn figures_met(&self, facts: &SebiFacts) -> bool {
        let income = facts.annual_income;
        let total = facts.net_worth.map(|n| n.total());
        let financial = facts.net_worth.map(|n| n.financial_assets());
        match facts.class {
            c if c.is_individual_like() => {
                self.at_least(income, INCOME)
                    || (self.at_least(total, NET_WORTH) && self.at_least(financial, FINANCIAL))
                    || (self.at_least(income, C_INCOME)
                        && self.at_least(total, C_NET_WORTH)
                        && self.at_least(financial, C_FINANCIAL))
            }
            SebiInvestorClass::BodyCorporate | SebiInvestorClass::Trust => {
                self.at_least(total, ENTITY)
            }
            _ => facts.all_partners_eligible,
        }
    }

    fn judge(&self, kyc: &KycCheck, facts: &SebiFacts) -> Result<(), Miss> {
        if facts.deemed.is_some() && kyc.entity_type.is_legal_person() {
            return Ok(());
        }
        let certificate = facts.certificate.as_ref().ok_or(Miss::Certificate(
            "no accreditation certificate was provided",
        ))?;
        let as_of = kyc.investor.assessed_on.ok_or(Miss::Certificate(
            "no assessment date is stated to judge the certificate by",
        ))?;
        if as_of < certificate.issued_on() {
            return Err(Miss::Certificate(
                "the certificate was issued after the assessment",
            ));
        }
        if as_of > certificate.valid_until() {
            return Err(Miss::Certificate(
                "the certificate had expired at the assessment",
            ));
        }
        if !shorter_than(
            certificate.issued_on(),
            certificate.valid_until(),
            u32::from(self.certificate_months),
        ) {
            return Err(Miss::Certificate(
                "the certificate states a validity longer than SEBI allows",
            ));
        }
        if facts.class == SebiInvestorClass::PartnershipFirm && !facts.all_partners_eligible {
            return Err(Miss::Partners);
        }
        if self.figures_met(facts) {
            Ok(())
        } else {
            Err(Miss::Figures)
        }
    }

    /// `None` when the investor is deemed accredited, or holds a certificate valid at the
    /// assessment and meets a test of its class; otherwise why not.
    pub(crate) fn assess(&self, kyc: &KycCheck) -> Option<String> {
        let who = kyc.entity_type;
        let Some(facts) = &kyc.investor.sebi else {
            return Some(format!(
                "Accredited-investor status under SEBI (AIF) Regulations, regulation 2(1)(ab), is not demonstrated for this {who} investor: no SEBI accreditation facts were provided."
            ));
        };
        let miss = self.judge(kyc, facts).err()?;
        let t = &self.thresholds;
        let mut out = String::with_capacity(320);
        let _ = write!(
            out,
            "Accredited-investor status under SEBI (AIF) Regulations, regulation 2(1)(ab), is not demonstrated for this investor ({}): ",
            facts.class.as_str()
        );
        let _ = match miss {
            Miss::Certificate(why) => write!(out, "{why}"),
            Miss::Partners => write!(
                out,
                "not every partner independently meets the criteria (regulation 2(1)(ab)(iv))"
            ),
            Miss::Figures if facts.class.is_individual_like() => write!(
                out,
                "none of the tests of regulation 2(1)(ab)(i) is met (annual income of at least {}, or net worth of at least {} with at least {} in financial assets, or annual income of at least {} and net worth of at least {} with at least {} in financial assets)",
                t[INCOME], t[NET_WORTH], t[FINANCIAL], t[C_INCOME], t[C_NET_WORTH], t[C_FINANCIAL]
            ),
            Miss::Figures => write!(
                out,
                "its net worth is not shown to be at least {} (regulation 2(1)(ab)(ii), (iii))",
                t[ENTITY]
            ),
        };
        if matches!(miss, Miss::Figures) {
            let stated = [facts.annual_income, facts.net_worth.map(|n| n.total())];
            if let Some(m) = stated
                .iter()
                .flatten()
                .find(|m| m.currency() != t[INCOME].currency())
            {
                let _ = write!(
                    out,
                    "; figures are stated in {}, not {}, and amounts are not converted between currencies",
                    m.currency(),
                    t[INCOME].currency()
                );
            }
        }
        out.push('.');
        Some(out)
    }
}
