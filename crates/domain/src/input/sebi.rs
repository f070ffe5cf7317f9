//! India's accreditation facts as they arrive (`kyc.investor.sebi`): the investor's class, a
//! deemed category, income, net worth with its financial assets, and the accreditation
//! agency's certificate.
//!
//! Must not: repeat a rejected value: a certificate number or an amount is personal data.

use super::{InputError, MoneyInput, across, check, date, parse_date, parsed, text_form};
use crate::{
    AccreditationCertificate, EvidenceRef, NetWorth, SebiDeemed, SebiFacts, SebiInvestorClass,
};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

fn class(text: &str) -> Result<(), ValidationError> {
    text_form::<SebiInvestorClass>(text)
}
fn deemed_category(text: &str) -> Result<(), ValidationError> {
    text_form::<SebiDeemed>(text)
}
fn evidence(text: &str) -> Result<(), ValidationError> {
    check(EvidenceRef::parse(text))
}

/// Net worth and the part of it in financial assets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "part_of_the_whole"))]
pub struct SebiNetWorthInput {
    /// Net worth at the end of the preceding financial year.
    #[validate(nested)]
    pub total: MoneyInput,
    /// The part of it held in financial assets.
    #[validate(nested)]
    pub financial_assets: MoneyInput,
}

fn part_of_the_whole(n: &SebiNetWorthInput) -> Result<(), ValidationError> {
    match (n.total.parse(), n.financial_assets.parse()) {
        (Ok(total), Ok(part)) => NetWorth::new(total, part)
            .map(drop)
            .map_err(|e| across("financial_assets", e.to_string())),
        // The amounts' own errors are reported on their fields.
        _ => Ok(()),
    }
}

/// An accreditation agency's certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "in_order"))]
pub struct CertificateInput {
    /// The accreditation agency's reference.
    #[validate(custom(function = "evidence"))]
    pub agency: String,
    /// The certificate's number.
    #[validate(custom(function = "evidence"))]
    pub number: String,
    /// Its first day of validity, `YYYY-MM-DD`.
    #[validate(custom(function = "date"))]
    pub issued_on: String,
    /// Its last day of validity, `YYYY-MM-DD`.
    #[validate(custom(function = "date"))]
    pub valid_until: String,
}

fn in_order(c: &CertificateInput) -> Result<(), ValidationError> {
    match (parse_date(&c.issued_on), parse_date(&c.valid_until)) {
        (Ok(from), Ok(until)) if until < from => Err(across(
            "valid_until",
            "must not be before the certificate's issued_on",
        )),
        _ => Ok(()),
    }
}

/// SEBI's facts as they arrive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct SebiInput {
    /// `individual`, `huf`, `family_trust`, `sole_proprietorship`, `partnership_firm`, `trust`
    /// or `body_corporate`.
    #[validate(custom(function = "class"))]
    pub class: String,
    /// A category the proviso deems accredited without a certificate.
    #[serde(default)]
    #[validate(custom(function = "deemed_category"))]
    pub deemed: Option<String>,
    /// Annual income of the preceding financial year.
    #[serde(default)]
    #[validate(nested)]
    pub annual_income: Option<MoneyInput>,
    /// Net worth, with its financial assets.
    #[serde(default)]
    #[validate(nested)]
    pub net_worth: Option<SebiNetWorthInput>,
    /// A partnership firm: each partner independently meets the criteria.
    #[serde(default)]
    pub all_partners_eligible: bool,
    /// The accreditation agency's certificate.
    #[serde(default)]
    #[validate(nested)]
    pub certificate: Option<CertificateInput>,
}

impl SebiInput {
    /// The validated facts.
    pub fn parse(&self) -> Result<SebiFacts, InputError> {
        self.validate()?;
        Ok(SebiFacts {
            class: parsed("class", self.class.parse())?,
            deemed: self
                .deemed
                .as_deref()
                .map(|d| parsed("deemed", d.parse()))
                .transpose()?,
            annual_income: self
                .annual_income
                .as_ref()
                .map(MoneyInput::parse)
                .transpose()?,
            net_worth: self
                .net_worth
                .as_ref()
                .map(|n| {
                    parsed(
                        "net_worth",
                        NetWorth::new(n.total.parse()?, n.financial_assets.parse()?),
                    )
                })
                .transpose()?,
            all_partners_eligible: self.all_partners_eligible,
            certificate: self
                .certificate
                .as_ref()
                .map(|c| {
                    parsed(
                        "certificate",
                        AccreditationCertificate::new(
                            parsed("agency", EvidenceRef::parse(&c.agency))?,
                            parsed("number", EvidenceRef::parse(&c.number))?,
                            parsed("issued_on", parse_date(&c.issued_on))?,
                            parsed("valid_until", parse_date(&c.valid_until))?,
                        ),
                    )
                })
                .transpose()?,
        })
    }
}
