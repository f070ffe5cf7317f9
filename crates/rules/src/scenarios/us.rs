//! The three US seed scenarios: an accredited company, an accredited individual, and a fund with
//! documents missing.
//!
//! Must not: hold personal data: ids and list references only.

use super::{Draft, Scenario, money};
use compliance_domain::{
    CheckStatus, DocumentKind::*, EntityType, InvestorProfile, Jurisdiction, RiskLevel,
};

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
            // Total assets of $12M, verified by a third party: Rule 501(a)(3)'s $5M test.
            investor: InvestorProfile {
                net_worth: None,
                annual_income: None,
                total_assets: money("12000000", "USD"),
                accreditation_verified: true,
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
            // Net worth of $1.5M excluding the home, verified: Rule 501(a)(5)'s $1M test.
            investor: InvestorProfile {
                net_worth: money("1500000", "USD"),
                annual_income: money("180000", "USD"),
                total_assets: None,
                accreditation_verified: true,
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
            investor: InvestorProfile {
                net_worth: None,
                annual_income: None,
                total_assets: money("48000000", "USD"),
                accreditation_verified: true,
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
