//! The US accreditation facts as they arrive (`kyc.investor.reg_d`): income for two years,
//! net worth with the primary residence, certifications, the investor's place at the issuer,
//! an entity's facts, and the verifications of Rule 506(c)(2).
//!
//! Must not: repeat a rejected value: a CRD number, a verifier's reference or an amount is
//! personal data. Messages name the field and what is expected.

use super::{InputError, MoneyInput, across, check, date, parse_date, parsed, text_form};
use crate::{
    Basis, Certification, CertificationKind, CrdNumber, EntityCategory, EvidenceRef, IncomeRecord,
    IssuerRole, NetWorthRecord, PrimaryResidence, RegDEntity, RegDFacts, Verification,
    VerificationMethod, Verifier,
};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

fn basis(text: &str) -> Result<(), ValidationError> {
    text_form::<Basis>(text)
}
fn year(value: i64) -> Result<(), ValidationError> {
    if (1900..=2200).contains(&value) {
        Ok(())
    } else {
        Err(ValidationError::new("invalid").with_message("must be a year from 1900 to 2200".into()))
    }
}
fn certification_kind(text: &str) -> Result<(), ValidationError> {
    text_form::<CertificationKind>(text)
}
fn crd_number(text: &str) -> Result<(), ValidationError> {
    check(CrdNumber::parse(text))
}
fn role_at_issuer(text: &str) -> Result<(), ValidationError> {
    text_form::<IssuerRole>(text)
}
fn entity_category(text: &str) -> Result<(), ValidationError> {
    text_form::<EntityCategory>(text)
}
fn method(text: &str) -> Result<(), ValidationError> {
    text_form::<VerificationMethod>(text)
}
fn verifier(text: &str) -> Result<(), ValidationError> {
    text_form::<Verifier>(text)
}
fn evidence(text: &str) -> Result<(), ValidationError> {
    check(EvidenceRef::parse(text))
}

fn money(m: &MoneyInput) -> Result<crate::Money, InputError> {
    m.parse()
}

/// Income in each of the two most recent years (501(a)(6)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct IncomeInput {
    /// `individual`, or `joint` with a spouse or spousal equivalent.
    #[validate(custom(function = "basis"))]
    pub basis: String,
    /// The later of the two years, 1900 to 2200.
    #[validate(custom(function = "year"))]
    pub recent_year: i64,
    /// Income in `recent_year`.
    #[validate(nested)]
    pub recent: MoneyInput,
    /// Income in the year before.
    #[validate(nested)]
    pub prior: MoneyInput,
    /// A reasonable expectation of the same income level in the current year.
    pub current_year_expected: bool,
}

impl IncomeInput {
    fn parse(&self) -> Result<IncomeRecord, InputError> {
        Ok(IncomeRecord {
            basis: parsed("basis", self.basis.parse())?,
            recent_year: parsed("recent_year", u16::try_from(self.recent_year))?,
            recent: money(&self.recent)?,
            prior: money(&self.prior)?,
            current_year_expected: self.current_year_expected,
        })
    }
}

/// The primary residence and the debt it secures; zeros for a person who has none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ResidenceInput {
    /// Its estimated fair market value.
    #[validate(nested)]
    pub value: MoneyInput,
    /// The debt it secures now.
    #[validate(nested)]
    pub secured_debt: MoneyInput,
    /// The debt it secured 60 days before.
    #[validate(nested)]
    pub secured_debt_60_days_before: MoneyInput,
    /// The increase over those 60 days came from acquiring the residence.
    #[serde(default)]
    pub increase_from_acquisition: bool,
}

/// Net worth for 501(a)(5), the primary residence apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "one_currency"))]
pub struct NetWorthInput {
    /// `individual`, or `joint` with a spouse or spousal equivalent.
    #[validate(custom(function = "basis"))]
    pub basis: String,
    /// Assets less liabilities, leaving out the primary residence and all the debt it secures.
    #[validate(nested)]
    pub excluding_residence: MoneyInput,
    /// The primary residence.
    #[validate(nested)]
    pub residence: ResidenceInput,
}

/// The residence's figures are added to and taken from the net worth: one currency for all.
fn one_currency(n: &NetWorthInput) -> Result<(), ValidationError> {
    let r = &n.residence;
    let same = [&r.value, &r.secured_debt, &r.secured_debt_60_days_before]
        .iter()
        .all(|m| m.currency == n.excluding_residence.currency);
    if same {
        Ok(())
    } else {
        Err(across(
            "residence",
            "the residence's value and debts must be in the net worth's currency",
        ))
    }
}

impl NetWorthInput {
    fn parse(&self) -> Result<NetWorthRecord, InputError> {
        let r = &self.residence;
        Ok(NetWorthRecord {
            basis: parsed("basis", self.basis.parse())?,
            excluding_residence: money(&self.excluding_residence)?,
            residence: PrimaryResidence {
                value: money(&r.value)?,
                secured_debt: money(&r.secured_debt)?,
                secured_debt_60_days_before: money(&r.secured_debt_60_days_before)?,
                increase_from_acquisition: r.increase_from_acquisition,
            },
        })
    }
}

/// A professional certification held (501(a)(10)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct CertificationInput {
    /// `series_7`, `series_65` or `series_82`.
    #[validate(custom(function = "certification_kind"))]
    pub kind: String,
    /// The holder's FINRA CRD number: 1 to 8 digits, not starting with 0.
    #[validate(custom(function = "crd_number"))]
    pub crd_number: String,
    /// Active and in good standing.
    pub in_good_standing: bool,
}

/// A company's or fund's facts (501(a)(1), (3), (7), (8), (9), (12), (13)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct RegDEntityInput {
    /// What kind of entity (`corporation`, `trust`, `family_office`, ...).
    #[validate(custom(function = "entity_category"))]
    pub category: String,
    /// Formed for the specific purpose of acquiring the securities offered.
    pub formed_to_invest: bool,
    /// Total assets.
    #[serde(default)]
    #[validate(nested)]
    pub total_assets: Option<MoneyInput>,
    /// Investments (Rule 2a51-1(b)), or a family office's assets under management.
    #[serde(default)]
    #[validate(nested)]
    pub investments: Option<MoneyInput>,
    /// Every equity owner is an accredited investor.
    #[serde(default)]
    pub all_owners_accredited: bool,
    /// Its purchase is directed by a person with the knowledge and experience 506(b)(2)(ii)
    /// describes (a trust, a family office).
    #[serde(default)]
    pub directed_by_sophisticated_person: bool,
    /// Its investment is directed by its family office (a family client).
    #[serde(default)]
    pub family_office_directed: bool,
}

/// One verification of the status (230.506(c)(2)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct VerificationInput {
    /// The method (`income_tax_review`, `net_worth_review`, `third_party_confirmation`,
    /// `prior_verification`, `public_register_check`, `issuer_records`,
    /// `entity_document_review`).
    #[validate(custom(function = "method"))]
    pub method: String,
    /// Who verified (`issuer`, `broker_dealer`, `investment_adviser`, `attorney`,
    /// `certified_public_accountant`).
    #[validate(custom(function = "verifier"))]
    pub verifier: String,
    /// The verifier's registration or file reference.
    #[validate(custom(function = "evidence"))]
    pub verifier_ref: String,
    /// The date of the verification, `YYYY-MM-DD`.
    #[validate(custom(function = "date"))]
    pub verified_on: String,
    /// The purchaser's written representation the method asks for was obtained.
    #[serde(default)]
    pub written_representation: bool,
}

/// The US facts as they arrive; each part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "distinct_certifications"))]
pub struct RegDInput {
    /// Income in the two most recent years.
    #[serde(default)]
    #[validate(nested)]
    pub income: Option<IncomeInput>,
    /// Net worth, the primary residence apart.
    #[serde(default)]
    #[validate(nested)]
    pub net_worth: Option<NetWorthInput>,
    /// Professional certifications held; at most 3, each kind once.
    #[serde(default)]
    #[validate(length(max = 3), nested)]
    pub certifications: Vec<CertificationInput>,
    /// `director`, `executive_officer`, `general_partner` or `knowledgeable_employee`.
    #[serde(default)]
    #[validate(custom(function = "role_at_issuer"))]
    pub issuer_role: Option<String>,
    /// A company's or fund's facts.
    #[serde(default)]
    #[validate(nested)]
    pub entity: Option<RegDEntityInput>,
    /// How the status was verified; at most 8.
    #[serde(default)]
    #[validate(length(max = 8), nested)]
    pub verifications: Vec<VerificationInput>,
}

fn distinct_certifications(input: &RegDInput) -> Result<(), ValidationError> {
    let kinds: Vec<&str> = input
        .certifications
        .iter()
        .map(|c| c.kind.as_str())
        .collect();
    if kinds
        .iter()
        .enumerate()
        .any(|(i, k)| kinds[..i].contains(k))
    {
        return Err(across("certifications", "lists a certification kind twice"));
    }
    Ok(())
}

impl RegDInput {
    /// The validated facts.
    pub fn parse(&self) -> Result<RegDFacts, InputError> {
        self.validate()?;
        Ok(RegDFacts {
            income: self.income.as_ref().map(IncomeInput::parse).transpose()?,
            net_worth: self
                .net_worth
                .as_ref()
                .map(NetWorthInput::parse)
                .transpose()?,
            certifications: self
                .certifications
                .iter()
                .map(|c| {
                    Ok(Certification {
                        kind: parsed("kind", c.kind.parse())?,
                        crd_number: parsed("crd_number", CrdNumber::parse(&c.crd_number))?,
                        in_good_standing: c.in_good_standing,
                    })
                })
                .collect::<Result<_, InputError>>()?,
            issuer_role: self
                .issuer_role
                .as_deref()
                .map(|r| parsed("issuer_role", r.parse()))
                .transpose()?,
            entity: self
                .entity
                .as_ref()
                .map(|e| {
                    Ok::<_, InputError>(RegDEntity {
                        category: parsed("category", e.category.parse())?,
                        formed_to_invest: e.formed_to_invest,
                        total_assets: e.total_assets.as_ref().map(money).transpose()?,
                        investments: e.investments.as_ref().map(money).transpose()?,
                        all_owners_accredited: e.all_owners_accredited,
                        directed_by_sophisticated_person: e.directed_by_sophisticated_person,
                        family_office_directed: e.family_office_directed,
                    })
                })
                .transpose()?,
            verifications: self
                .verifications
                .iter()
                .map(|v| {
                    Ok(Verification {
                        method: parsed("method", v.method.parse())?,
                        verifier: parsed("verifier", v.verifier.parse())?,
                        verifier_ref: parsed("verifier_ref", EvidenceRef::parse(&v.verifier_ref))?,
                        verified_on: parsed("verified_on", parse_date(&v.verified_on))?,
                        written_representation: v.written_representation,
                    })
                })
                .collect::<Result<_, InputError>>()?,
        })
    }
}
