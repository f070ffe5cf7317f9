//! The three US seed scenarios: an accredited company, an accredited individual, and a fund with
//! documents missing.
//!
//! Must not: hold personal data: ids and list references only.

use super::{Draft, Scenario, amount, assessed_on, date, evidence, money};
use compliance_domain::{
    Basis, CheckStatus, DocumentKind::*, EntityCategory, EntityType, IncomeRecord, InvestorProfile,
    Jurisdiction, NetWorthRecord, PrimaryResidence, RegDEntity, RegDFacts, RiskLevel, Verification,
    VerificationMethod, Verifier,
};

/// A company or fund of `category`, not formed to invest, with total assets in dollars.
fn entity(category: EntityCategory, total_assets: &str) -> Option<RegDEntity> {
    Some(RegDEntity {
        category,
        formed_to_invest: false,
        total_assets: Some(amount(total_assets, "USD")),
        investments: None,
        all_owners_accredited: false,
        directed_by_sophisticated_person: false,
        family_office_directed: false,
    })
}

/// A verification: method, verifier, reference, date; the written representation obtained.
fn verified(
    method: VerificationMethod,
    verifier: Verifier,
    reference: &str,
    on: (i32, u32, u32),
) -> Vec<Verification> {
    vec![Verification {
        method,
        verifier,
        verifier_ref: evidence(reference),
        verified_on: date(on.0, on.1, on.2),
        written_representation: true,
    }]
}

const PROVIDER: &str = "complyadvantage";
const LISTS: &str = "ofac-sdn-2026-02-27+ofac-cons-2026-02-27";

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        Draft {
            id: "us-corp-accredited-001",
            story: "accredited entity, AML risk 12/100",
            entity_type: EntityType::Corporate,
            jurisdiction: Jurisdiction::Us,
            verification_score: 94,
            documents: &[
                CertificateOfIncorporation,
                ArticlesOfAssociation,
                TaxId,
                BeneficialOwnership,
                FinancialStatements,
            ],
            red_flags: &[],
            // Total assets of $12M, not formed to invest, its financial statements reviewed a
            // week before: Rule 501(a)(3)'s $5M test.
            investor: InvestorProfile {
                net_worth: None,
                annual_income: None,
                total_assets: money("12000000", "USD"),
                accreditation_verified: true,
                assessed_on: assessed_on(),
                reg_d: Some(RegDFacts {
                    entity: entity(EntityCategory::Corporation, "12000000"),
                    verifications: verified(
                        VerificationMethod::EntityDocumentReview,
                        Verifier::Issuer,
                        "PLATFORM-KYC-OPS",
                        (2026, 2, 23),
                    ),
                    ..RegDFacts::default()
                }),
                ..InvestorProfile::default()
            },
            risk_score: 12,
            matches: &[],
            provider: PROVIDER,
            watchlist_version: LISTS,
            expected_status: CheckStatus::Approved,
            expected_risk_level: RiskLevel::Low,
            expected_rules: &[],
        }
        .build(),
        Draft {
            id: "us-ind-standard-002",
            story: "individual, AML risk 25/100",
            entity_type: EntityType::Individual,
            jurisdiction: Jurisdiction::Us,
            verification_score: 90,
            documents: &[NationalId, TaxId, ProofOfAddress, AccreditationLetter],
            red_flags: &[],
            // Net worth of $1.5M without the home (whose mortgage is below its value and did
            // not grow in the last 60 days), confirmed by the investor's CPA two weeks before:
            // Rule 501(a)(5)'s $1M test. Income of $180k is below the $200k test.
            investor: InvestorProfile {
                net_worth: money("1500000", "USD"),
                annual_income: money("180000", "USD"),
                total_assets: None,
                accreditation_verified: true,
                assessed_on: assessed_on(),
                reg_d: Some(RegDFacts {
                    income: Some(IncomeRecord {
                        basis: Basis::Individual,
                        recent_year: 2025,
                        recent: amount("180000", "USD"),
                        prior: amount("172000", "USD"),
                        current_year_expected: true,
                    }),
                    net_worth: Some(NetWorthRecord {
                        basis: Basis::Individual,
                        excluding_residence: amount("1500000", "USD"),
                        residence: PrimaryResidence {
                            value: amount("650000", "USD"),
                            secured_debt: amount("400000", "USD"),
                            secured_debt_60_days_before: amount("402500", "USD"),
                            increase_from_acquisition: false,
                        },
                    }),
                    verifications: verified(
                        VerificationMethod::ThirdPartyConfirmation,
                        Verifier::CertifiedPublicAccountant,
                        "CPA-NY-118204",
                        (2026, 2, 16),
                    ),
                    ..RegDFacts::default()
                }),
                ..InvestorProfile::default()
            },
            risk_score: 25,
            matches: &[],
            provider: PROVIDER,
            watchlist_version: LISTS,
            expected_status: CheckStatus::Approved,
            expected_risk_level: RiskLevel::Low,
            expected_rules: &[],
        }
        .build(),
        Draft {
            id: "us-fund-pending-003",
            story: "fund, documents missing",
            entity_type: EntityType::Fund,
            jurisdiction: Jurisdiction::Us,
            verification_score: 82,
            // The limited partnership agreement and EIN arrived; the beneficial ownership
            // certification did not.
            documents: &[FundConstitution, TaxId],
            red_flags: &[],
            // A limited partnership with $48M of assets, confirmed by its registered adviser.
            investor: InvestorProfile {
                net_worth: None,
                annual_income: None,
                total_assets: money("48000000", "USD"),
                accreditation_verified: true,
                assessed_on: assessed_on(),
                reg_d: Some(RegDFacts {
                    entity: entity(EntityCategory::Partnership, "48000000"),
                    verifications: verified(
                        VerificationMethod::ThirdPartyConfirmation,
                        Verifier::InvestmentAdviser,
                        "SEC-801-77120",
                        (2026, 2, 10),
                    ),
                    ..RegDFacts::default()
                }),
                ..InvestorProfile::default()
            },
            risk_score: 40,
            matches: &[],
            provider: PROVIDER,
            watchlist_version: LISTS,
            expected_status: CheckStatus::Pending,
            expected_risk_level: RiskLevel::Medium,
            expected_rules: &["US-KYC-DOCUMENTS"],
        }
        .build(),
    ]
}
