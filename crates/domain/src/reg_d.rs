//! The facts of a US investor that Regulation D's accredited-investor definition looks at
//! (17 CFR 230.501(a)) and how their status was verified (230.506(c)(2)): [`RegDFacts`].
//!
//! Must not: decide. Whether the facts meet a category, and whether a verification is in date,
//! is the rules engine's (`reg_d_accreditation`); these types only hold well-formed facts.
//! `Debug` shows no amount ([`Money`] redacts it) and no number ([`CrdNumber`], [`EvidenceRef`]).

use crate::{CrdNumber, EvidenceRef, Money};
use chrono::NaiveDate;

crate::text_enum! {
    /// Whose figure it is: the investor's alone, or joint with a spouse or spousal equivalent
    /// (501(a)(5) and (6), as amended in 2020).
    #[strum(serialize_all = "snake_case")]
    pub enum Basis as "basis" {
        /// The investor's own.
        Individual,
        /// Joint with a spouse or spousal equivalent.
        Joint,
    }
}

/// Income in each of the two most recent years (501(a)(6)): `recent` for `recent_year`,
/// `prior` for the year before, and whether the investor reasonably expects the same level in
/// the current year.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomeRecord {
    /// Individual or joint.
    pub basis: Basis,
    /// The later of the two years, e.g. 2025.
    pub recent_year: u16,
    /// Income in `recent_year`.
    pub recent: Money,
    /// Income in the year before.
    pub prior: Money,
    /// A reasonable expectation of reaching the same income level in the current year.
    pub current_year_expected: bool,
}

/// The primary residence and the debt it secures, as 501(a)(5)(i) treats them: its value is
/// left out of the assets; the debt it secures is left out of the liabilities up to that value,
/// except any increase in the 60 days before the sale not made to acquire it; debt above the
/// value counts. A person without one states zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrimaryResidence {
    /// Its estimated fair market value at the time of the sale.
    pub value: Money,
    /// The debt it secures at the time of the sale.
    pub secured_debt: Money,
    /// The debt it secured 60 days before.
    pub secured_debt_60_days_before: Money,
    /// True when the increase over those 60 days came from acquiring the residence.
    pub increase_from_acquisition: bool,
}

/// Net worth for 501(a)(5): every asset and liability except the primary residence and every
/// debt it secures (`excluding_residence`), and the residence itself, so that the engine applies
/// the rule's treatment of that debt. A negative figure is stated as zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetWorthRecord {
    /// Individual or joint.
    pub basis: Basis,
    /// Assets less liabilities, leaving out the primary residence and all the debt it secures.
    pub excluding_residence: Money,
    /// The primary residence.
    pub residence: PrimaryResidence,
}

crate::text_enum! {
    /// A professional certification the SEC designated under 501(a)(10) (Release 33-10824).
    #[strum(serialize_all = "snake_case")]
    pub enum CertificationKind as "professional certification" {
        /// General Securities Representative licence (Series 7).
        #[strum(serialize = "series_7")]
        Series7,
        /// Investment Adviser Representative licence (Series 65).
        #[strum(serialize = "series_65")]
        Series65,
        /// Private Securities Offerings Representative licence (Series 82).
        #[strum(serialize = "series_82")]
        Series82,
    }
}

/// A professional certification held, with the holder's CRD number and whether it is in good
/// standing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certification {
    /// Which licence.
    pub kind: CertificationKind,
    /// The holder's CRD number.
    pub crd_number: CrdNumber,
    /// Active and in good standing.
    pub in_good_standing: bool,
}

crate::text_enum! {
    /// The investor's place at the issuer: 501(a)(4) (director, executive officer, general
    /// partner) or 501(a)(11) (knowledgeable employee, 17 CFR 270.3c-5(a)(4), of a private fund).
    #[strum(serialize_all = "snake_case")]
    pub enum IssuerRole as "issuer role" {
        /// A director of the issuer or of its general partner.
        Director,
        /// An executive officer of the issuer or of its general partner.
        ExecutiveOfficer,
        /// A general partner of the issuer or of its general partner.
        GeneralPartner,
        /// A knowledgeable employee of the private fund that issues the securities.
        KnowledgeableEmployee,
    }
}

crate::text_enum! {
    /// What kind of entity a company or fund investor is, as 501(a) sorts them.
    #[strum(serialize_all = "snake_case")]
    pub enum EntityCategory as "Reg D entity category" {
        /// A bank or savings and loan association (501(a)(1)).
        Bank,
        /// A registered broker-dealer (501(a)(1)).
        BrokerDealer,
        /// An investment adviser, registered or reporting as exempt (501(a)(1)).
        InvestmentAdviser,
        /// An insurance company (501(a)(1)).
        InsuranceCompany,
        /// A registered investment company (501(a)(1)).
        InvestmentCompany,
        /// A business development company (501(a)(1)).
        BusinessDevelopmentCompany,
        /// A corporation (501(a)(3)).
        Corporation,
        /// A partnership (501(a)(3)).
        Partnership,
        /// A limited liability company (501(a)(3)).
        LimitedLiabilityCompany,
        /// A Massachusetts or similar business trust (501(a)(3)).
        BusinessTrust,
        /// An organization described in section 501(c)(3) of the Internal Revenue Code (501(a)(3)).
        CharitableOrganization,
        /// A trust (501(a)(7)).
        Trust,
        /// A family office (501(a)(12)).
        FamilyOffice,
        /// A family client of a family office (501(a)(13)).
        FamilyClient,
        /// An entity of a type 501(a) lists nowhere else (501(a)(9)).
        Other,
    }
}

/// The facts of a company or fund investor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegDEntity {
    /// What kind of entity.
    pub category: EntityCategory,
    /// Formed for the specific purpose of acquiring the securities offered.
    pub formed_to_invest: bool,
    /// Total assets (501(a)(3), (7)).
    pub total_assets: Option<Money>,
    /// Investments as 17 CFR 270.2a51-1(b) defines them (501(a)(9)), or assets under management
    /// for a family office (501(a)(12)).
    pub investments: Option<Money>,
    /// Every equity owner is an accredited investor (501(a)(8)).
    pub all_owners_accredited: bool,
    /// A trust's purchase, or a family office's investment, is directed by a person with the
    /// knowledge and experience 230.506(b)(2)(ii) describes (501(a)(7), (12)).
    pub directed_by_sophisticated_person: bool,
    /// A family client's investment is directed by its qualifying family office (501(a)(13)).
    pub family_office_directed: bool,
}

crate::text_enum! {
    /// How accredited status was verified (230.506(c)(2)).
    #[strum(serialize_all = "snake_case")]
    pub enum VerificationMethod as "verification method" {
        /// 506(c)(2)(ii)(A): IRS forms reporting income for the two most recent years.
        IncomeTaxReview,
        /// 506(c)(2)(ii)(B): statements of assets and a consumer report, dated within three
        /// months, with a written representation that all liabilities are disclosed.
        NetWorthReview,
        /// 506(c)(2)(ii)(C): written confirmation, within three months, from a registered
        /// broker-dealer or investment adviser, a licensed attorney or a CPA.
        ThirdPartyConfirmation,
        /// 506(c)(2)(ii)(E): the issuer verified the person within five years, and has a
        /// written representation at the sale that the person still qualifies.
        PriorVerification,
        /// 506(c)(2)(i), reasonable steps: the certification checked on FINRA's public register.
        PublicRegisterCheck,
        /// 506(c)(2)(i), reasonable steps: the issuer's own records of its directors, officers,
        /// general partners and knowledgeable employees.
        IssuerRecords,
        /// 506(c)(2)(i), reasonable steps: an entity's financial statements, formation
        /// documents or owners' verifications reviewed.
        EntityDocumentReview,
    }
}

crate::text_enum! {
    /// Who verified.
    #[strum(serialize_all = "snake_case")]
    pub enum Verifier as "verifier" {
        /// The issuer (the platform), or someone acting for it.
        Issuer,
        /// A registered broker-dealer.
        BrokerDealer,
        /// An investment adviser registered with the SEC.
        InvestmentAdviser,
        /// An attorney in good standing.
        Attorney,
        /// A certified public accountant in good standing.
        CertifiedPublicAccountant,
    }
}

/// One verification: which method, by whom (with a reference to the verifier's registration),
/// when, and whether the written representation the method requires was obtained.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    /// The method.
    pub method: VerificationMethod,
    /// Who verified.
    pub verifier: Verifier,
    /// The verifier's registration or file reference.
    pub verifier_ref: EvidenceRef,
    /// The date of the verification (of the confirmation, or of the latest document reviewed).
    pub verified_on: NaiveDate,
    /// The purchaser's written representation the method asks for (liabilities disclosed, or
    /// still qualifying at the sale).
    pub written_representation: bool,
}

/// Everything 501(a) and 506(c) look at for one investor; each part optional, since an
/// investor qualifies under one category.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegDFacts {
    /// Income in the two most recent years (individuals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub income: Option<IncomeRecord>,
    /// Net worth (individuals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_worth: Option<NetWorthRecord>,
    /// Professional certifications held (individuals).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certifications: Vec<Certification>,
    /// The investor's place at the issuer (individuals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_role: Option<IssuerRole>,
    /// A company's or fund's facts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<RegDEntity>,
    /// How the status was verified.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verifications: Vec<Verification>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certification_kinds_read_as_the_sec_names_them() {
        assert_eq!(
            "series_65".parse::<CertificationKind>(),
            Ok(CertificationKind::Series65)
        );
        assert!("series65".parse::<CertificationKind>().is_err());
    }

    #[test]
    fn debug_shows_no_amount_and_no_number() {
        let facts = RegDFacts {
            certifications: vec![Certification {
                kind: CertificationKind::Series7,
                crd_number: CrdNumber::parse("7654321").unwrap(),
                in_good_standing: true,
            }],
            net_worth: Some(NetWorthRecord {
                basis: Basis::Joint,
                excluding_residence: Money::parse("4321987", "USD").unwrap(),
                residence: PrimaryResidence {
                    value: Money::parse("0", "USD").unwrap(),
                    secured_debt: Money::parse("0", "USD").unwrap(),
                    secured_debt_60_days_before: Money::parse("0", "USD").unwrap(),
                    increase_from_acquisition: false,
                },
            }),
            ..RegDFacts::default()
        };
        let debug = format!("{facts:?}");
        assert!(
            !debug.contains("7654321") && !debug.contains("4321987"),
            "{debug}"
        );
        assert!(debug.contains("Series7"), "{debug}");
    }
}
