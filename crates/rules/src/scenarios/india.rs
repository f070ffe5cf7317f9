//! The three IN seed scenarios: an accredited individual, a company whose director is a
//! politically exposed person, and an individual with several red flags.
//!
//! Must not: hold personal data: ids and list references only.

use super::{Draft, Scenario, amount, assessed_on, date, evidence, money};
use crate::literal::literal;
use compliance_domain::{
    AccreditationCertificate, CheckStatus, DocumentKind::*, EntityType, InvestorProfile,
    Jurisdiction, NetWorth, RedFlag, RiskLevel, SebiFacts, SebiInvestorClass, WatchlistKind,
};

/// A net worth in rupees with its financial assets.
fn net_worth(total: &str, financial: &str) -> Option<NetWorth> {
    Some(literal(
        total,
        NetWorth::new(amount(total, "INR"), amount(financial, "INR")),
    ))
}

/// An accreditation agency's certificate, valid two years from `issued`.
fn certificate(
    agency: &str,
    number: &str,
    issued: (i32, u32, u32),
) -> Option<AccreditationCertificate> {
    let (y, m, d) = issued;
    let until = date(y + 2, m, d).pred_opt().unwrap_or(date(y + 2, m, d));
    Some(literal(
        number,
        AccreditationCertificate::new(evidence(agency), evidence(number), date(y, m, d), until),
    ))
}

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
            // Net worth of 9 crore (4.1 crore of it in financial assets), certified by an
            // accreditation agency in November 2025: SEBI's 7.5 crore test.
            investor: InvestorProfile {
                net_worth: money("90000000", "INR"),
                annual_income: money("12000000", "INR"),
                total_assets: None,
                accreditation_verified: true,
                assessed_on: assessed_on(),
                sebi: Some(SebiFacts {
                    class: SebiInvestorClass::Individual,
                    deemed: None,
                    annual_income: money("12000000", "INR"),
                    net_worth: net_worth("90000000", "41000000"),
                    all_partners_eligible: false,
                    certificate: certificate("CVL", "AI-IND-2025-004417", (2025, 11, 14)),
                }),
                ..InvestorProfile::default()
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
            // Net worth of 62 crore, certified in September 2025: SEBI's 50 crore test for a
            // body corporate.
            investor: InvestorProfile {
                net_worth: money("620000000", "INR"),
                annual_income: None,
                total_assets: money("1450000000", "INR"),
                accreditation_verified: true,
                assessed_on: assessed_on(),
                sebi: Some(SebiFacts {
                    class: SebiInvestorClass::BodyCorporate,
                    deemed: None,
                    annual_income: None,
                    net_worth: net_worth("620000000", "200000000"),
                    all_partners_eligible: false,
                    certificate: certificate("NDML", "AI-BC-2025-000912", (2025, 9, 1)),
                }),
                ..InvestorProfile::default()
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
            // Income of 1.5 crore, no certificate: no SEBI test is met either.
            investor: InvestorProfile {
                net_worth: None,
                annual_income: money("15000000", "INR"),
                total_assets: None,
                accreditation_verified: false,
                assessed_on: assessed_on(),
                sebi: Some(SebiFacts {
                    class: SebiInvestorClass::Individual,
                    deemed: None,
                    annual_income: money("15000000", "INR"),
                    net_worth: None,
                    all_partners_eligible: false,
                    certificate: None,
                }),
                ..InvestorProfile::default()
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
