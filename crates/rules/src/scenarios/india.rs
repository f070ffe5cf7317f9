//! The three IN seed scenarios: an accredited individual, a company whose director is a
//! politically exposed person, and an individual with several red flags.
//!
//! Must not: hold personal data: ids and list references only.

use super::{Draft, Scenario, money};
use compliance_domain::{
    CheckStatus, DocumentKind::*, EntityType, InvestorProfile, Jurisdiction, RedFlag, RiskLevel,
    WatchlistKind,
};

const PROVIDER: &str = "dow-jones-risk-compliance";
const LISTS: &str = "in-mha-uapa-2026-02-25+unsc-2026-02-20+djrc-pep-2026-02-28";

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        Draft {
            id: "in-ind-accredited-001",
            story: "accredited individual, 92/100",
            entity_type: EntityType::Individual,
            jurisdiction: Jurisdiction::In,
            verification_score: 92,
            documents: &[TaxId, ProofOfAddress, NationalId],
            red_flags: &[],
            // Net worth of 9 crore, verified by an accreditation agency: SEBI's 7.5 crore test.
            investor: InvestorProfile {
                net_worth: money("90000000", "INR"),
                annual_income: money("12000000", "INR"),
                total_assets: None,
                accreditation_verified: true,
            },
            risk_score: 15,
            matches: &[],
            provider: PROVIDER,
            watchlist_version: LISTS,
            expected_status: CheckStatus::Approved,
            expected_risk_level: RiskLevel::Low,
            expected_rules: &[],
        }
        .build(),
        Draft {
            id: "in-corp-pep-002",
            story: "company, PEP risk 68/100",
            entity_type: EntityType::Corporate,
            jurisdiction: Jurisdiction::In,
            verification_score: 86,
            documents: &[
                CertificateOfIncorporation,
                ArticlesOfAssociation,
                TaxId,
                BeneficialOwnership,
                RegisterOfDirectors,
            ],
            red_flags: &[],
            // Net worth of 62 crore, verified: SEBI's 50 crore test for a body corporate.
            investor: InvestorProfile {
                net_worth: money("620000000", "INR"),
                annual_income: None,
                total_assets: money("1450000000", "INR"),
                accreditation_verified: true,
            },
            risk_score: 68,
            matches: &[(WatchlistKind::Pep, "DJRC-PEP", "PEP-20417")],
            provider: PROVIDER,
            watchlist_version: LISTS,
            expected_status: CheckStatus::Escalated,
            expected_risk_level: RiskLevel::High,
            expected_rules: &["IN-AML-RISK-EDD", "IN-PEP-EDD"],
        }
        .build(),
        Draft {
            id: "in-ind-rejected-003",
            story: "several red flags, risk 92/100",
            entity_type: EntityType::Individual,
            jurisdiction: Jurisdiction::In,
            verification_score: 64,
            documents: &[TaxId, ProofOfAddress],
            red_flags: &[
                RedFlag::AdverseMedia,
                RedFlag::HighRiskCountry,
                RedFlag::UnverifiedSourceOfFunds,
                RedFlag::DocumentInconsistency,
            ],
            // Income of 1.5 crore, not verified: no SEBI test is met either.
            investor: InvestorProfile {
                net_worth: None,
                annual_income: money("15000000", "INR"),
                total_assets: None,
                accreditation_verified: false,
            },
            risk_score: 92,
            matches: &[(
                WatchlistKind::AdverseMedia,
                "DJRC-ADVERSE-MEDIA",
                "AM-88123",
            )],
            provider: PROVIDER,
            watchlist_version: LISTS,
            expected_status: CheckStatus::Rejected,
            expected_risk_level: RiskLevel::Critical,
            expected_rules: &[
                "IN-ACCREDITED-INVESTOR",
                "IN-AML-RISK-EDD",
                "IN-RED-FLAGS-REJECT",
            ],
        }
        .build(),
    ]
}
