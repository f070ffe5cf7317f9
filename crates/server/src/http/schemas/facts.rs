//! The OpenAPI mirrors of the investor facts of issue 24 (`compliance_domain::input::reg_d`,
//! `sebi`, `classification`): the US, Indian and UAE blocks of `kyc.investor`, field for field,
//! with their constraints, and the schemas of the text enums they use.
//!
//! Must not: be constructed or deserialized: these types only describe, as the rest of
//! `schemas` does. `tests/server/http_schemas.rs` holds each to its domain type.

#![allow(dead_code)] // Documentation only: the mirrors are never constructed.

use super::MoneyInput;
use std::borrow::Cow;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

text_enum_schemas! {
    /// Whose figure: the investor's, or joint with a spouse or spousal equivalent.
    Basis => compliance_domain::Basis;
    /// A professional certification designated under 17 CFR 230.501(a)(10).
    CertificationKind => compliance_domain::CertificationKind;
    /// The investor's place at the issuer (501(a)(4), (11)).
    IssuerRole => compliance_domain::IssuerRole;
    /// The kind of entity, as 17 CFR 230.501(a) sorts them.
    EntityCategory => compliance_domain::EntityCategory;
    /// How accredited status was verified (230.506(c)(2)).
    VerificationMethod => compliance_domain::VerificationMethod;
    /// Who verified.
    Verifier => compliance_domain::Verifier;
    /// The class of investor SEBI's reg. 2(1)(ab) sets thresholds for.
    SebiInvestorClass => compliance_domain::SebiInvestorClass;
    /// An institution the proviso to reg. 2(1)(ab) deems accredited.
    SebiDeemed => compliance_domain::SebiDeemed;
    /// The classification regime: the DFSA's or VARA's.
    Regime => compliance_domain::Regime;
    /// The class an investor was put in.
    ClientClass => compliance_domain::ClientClass;
    /// An institution classified by what it is.
    InstitutionalCategory => compliance_domain::InstitutionalCategory;
}

/// Income in each of the two most recent years (501(a)(6)).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncomeInput {
    /// Individual or joint.
    basis: Basis,
    /// The later of the two years.
    #[schema(minimum = 1900, maximum = 2200)]
    recent_year: i64,
    /// Income in `recent_year`.
    recent: MoneyInput,
    /// Income in the year before.
    prior: MoneyInput,
    /// A reasonable expectation of the same income level this year.
    current_year_expected: bool,
}

/// The primary residence and the debt it secures (zeros for none).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResidenceInput {
    /// Its estimated fair market value.
    value: MoneyInput,
    /// The debt it secures now.
    secured_debt: MoneyInput,
    /// The debt it secured 60 days before.
    secured_debt_60_days_before: MoneyInput,
    /// The increase over those 60 days came from acquiring it.
    #[serde(default)]
    increase_from_acquisition: bool,
}

/// Net worth for 501(a)(5), the primary residence apart; every amount in one currency.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NetWorthInput {
    /// Individual or joint.
    basis: Basis,
    /// Assets less liabilities, leaving out the primary residence and all the debt it secures.
    excluding_residence: MoneyInput,
    /// The primary residence.
    residence: ResidenceInput,
}

/// A professional certification held.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificationInput {
    /// Which licence.
    kind: CertificationKind,
    /// The holder's FINRA CRD number.
    #[schema(pattern = "^[1-9][0-9]{0,7}$")]
    crd_number: String,
    /// Active and in good standing.
    in_good_standing: bool,
}

/// A company's or fund's facts.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegDEntityInput {
    /// What kind of entity.
    category: EntityCategory,
    /// Formed to acquire the securities offered.
    formed_to_invest: bool,
    /// Total assets.
    #[serde(default)]
    total_assets: Option<MoneyInput>,
    /// Investments, or a family office's assets under management.
    #[serde(default)]
    investments: Option<MoneyInput>,
    /// Every equity owner is accredited.
    #[serde(default)]
    all_owners_accredited: bool,
    /// Directed by a person with the knowledge and experience 506(b)(2)(ii) describes.
    #[serde(default)]
    directed_by_sophisticated_person: bool,
    /// A family client directed by its family office.
    #[serde(default)]
    family_office_directed: bool,
}

/// One verification of the status.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationInput {
    /// The method.
    method: VerificationMethod,
    /// Who verified.
    verifier: Verifier,
    /// The verifier's registration or file reference.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")]
    verifier_ref: String,
    /// The date of the verification.
    #[schema(format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$")]
    verified_on: String,
    /// The written representation the method asks for was obtained.
    #[serde(default)]
    written_representation: bool,
}

/// US facts (only on a US case): 17 CFR 230.501(a) and 230.506(c)(2).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegDInput {
    /// Income in the two most recent years (an individual's).
    #[serde(default)]
    income: Option<IncomeInput>,
    /// Net worth, the primary residence apart (an individual's).
    #[serde(default)]
    net_worth: Option<NetWorthInput>,
    /// Certifications held (an individual's), each kind once.
    #[serde(default)]
    #[schema(max_items = 3)]
    certifications: Vec<CertificationInput>,
    /// The investor's place at the issuer (an individual's).
    #[serde(default)]
    issuer_role: Option<IssuerRole>,
    /// A company's or fund's facts.
    #[serde(default)]
    entity: Option<RegDEntityInput>,
    /// How the status was verified.
    #[serde(default)]
    #[schema(max_items = 8)]
    verifications: Vec<VerificationInput>,
}

/// Net worth and the part of it in financial assets (at most the total, same currency).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SebiNetWorthInput {
    /// Net worth at the end of the preceding financial year.
    total: MoneyInput,
    /// The part of it in financial assets.
    financial_assets: MoneyInput,
}

/// An accreditation agency's certificate.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateInput {
    /// The agency's reference.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")]
    agency: String,
    /// The certificate's number.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")]
    number: String,
    /// Its first day of validity.
    #[schema(format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$")]
    issued_on: String,
    /// Its last day of validity, not before `issued_on`.
    #[schema(format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$")]
    valid_until: String,
}

/// Indian facts (only on an IN case): SEBI's reg. 2(1)(ab) and the agency's certificate.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SebiInput {
    /// The class of investor.
    class: SebiInvestorClass,
    /// A category the proviso deems accredited (a company or fund).
    #[serde(default)]
    deemed: Option<SebiDeemed>,
    /// Annual income of the preceding financial year.
    #[serde(default)]
    annual_income: Option<MoneyInput>,
    /// Net worth with its financial assets.
    #[serde(default)]
    net_worth: Option<SebiNetWorthInput>,
    /// A partnership firm: each partner meets the criteria.
    #[serde(default)]
    all_partners_eligible: bool,
    /// The accreditation agency's certificate.
    #[serde(default)]
    certificate: Option<CertificateInput>,
}

/// A UAE classification (only on an AE case): DFSA COB 2.3 or VARA's Part IV.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassificationInput {
    /// The regime applied.
    regime: Regime,
    /// The class: `retail` or `professional` (DFSA); `retail`, `qualified` or `institutional`
    /// (VARA).
    class: ClientClass,
    /// Classified by what it is.
    #[serde(default)]
    institutional: Option<InstitutionalCategory>,
    /// Net assets (a person's without the primary residence).
    #[serde(default)]
    net_assets: Option<MoneyInput>,
    /// Annual income.
    #[serde(default)]
    annual_income: Option<MoneyInput>,
    /// Own funds or called up capital.
    #[serde(default)]
    own_funds: Option<MoneyInput>,
    /// Balance sheet total.
    #[serde(default)]
    balance_sheet_total: Option<MoneyInput>,
    /// Net annual turnover.
    #[serde(default)]
    net_turnover: Option<MoneyInput>,
    /// A relevant professional position, now or in the previous two years.
    #[serde(default)]
    professional_employment: bool,
    /// Experience and understanding (VARA: relevant knowledge) assessed as sufficient.
    #[serde(default)]
    knowledge_assessed: bool,
    /// When the written notice or warning was given.
    #[serde(default)]
    #[schema(format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$")]
    warning_given_on: Option<String>,
    /// When the investor was classified or last reassessed.
    #[schema(format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$")]
    classified_on: String,
}
