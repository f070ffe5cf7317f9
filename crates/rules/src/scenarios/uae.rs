//! The three AE seed scenarios: a clean individual, a company with documents missing, and an
//! individual on a sanctions list.
//!
//! Must not: hold personal data: ids and list references only.

use super::{Draft, Scenario, amount, assessed_on, date};
use compliance_domain::{
    CheckStatus, ClientClass, ClientClassification, DocumentKind::*, EntityType, InvestorProfile,
    Jurisdiction, Regime, RiskLevel, WatchlistKind,
};

/// An assessed Professional Client (DFSA COB 2.3.7), warned and classified in February 2026:
/// net assets without the home in US dollars, and either experience or a professional position.
fn professional(net_assets: &str, experience: bool) -> InvestorProfile {
    InvestorProfile {
        assessed_on: assessed_on(),
        classification: Some(ClientClassification {
            regime: Regime::Dfsa,
            class: ClientClass::Professional,
            institutional: None,
            net_assets: Some(amount(net_assets, "USD")),
            annual_income: None,
            own_funds: None,
            balance_sheet_total: None,
            net_turnover: None,
            professional_employment: !experience,
            knowledge_assessed: experience,
            warning_given_on: Some(date(2026, 2, 20)),
            classified_on: date(2026, 2, 20),
        }),
        ..InvestorProfile::default()
    }
}

/// A large undertaking (DFSA COB 2.3.4(2)): two of the three tests met.
fn large_undertaking() -> InvestorProfile {
    InvestorProfile {
        assessed_on: assessed_on(),
        classification: Some(ClientClassification {
            regime: Regime::Dfsa,
            class: ClientClass::Professional,
            institutional: None,
            net_assets: None,
            annual_income: None,
            own_funds: Some(amount("1500000", "USD")),
            balance_sheet_total: Some(amount("26000000", "USD")),
            net_turnover: Some(amount("45000000", "USD")),
            professional_employment: false,
            knowledge_assessed: false,
            warning_given_on: Some(date(2026, 2, 12)),
            classified_on: date(2026, 2, 12),
        }),
        ..InvestorProfile::default()
    }
}

const PROVIDER: &str = "refinitiv-world-check";
const LISTS: &str = "uae-ltl-2026-02-24+unsc-2026-02-20+ofac-2026-02-27";

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        Draft {
            id: "ae-ind-clean-001",
            story: "individual, KYC 95/100, AML risk 10/100",
            entity_type: EntityType::Individual,
            jurisdiction: Jurisdiction::Ae,
            verification_score: 95,
            documents: &[Passport, ProofOfAddress, LivenessCheck],
            red_flags: &[],
            // Net assets of $1.4M without the home, experience assessed: COB 2.3.7.
            investor: professional("1400000", true),
            risk_score: 10,
            matches: &[],
            provider: PROVIDER,
            watchlist_version: LISTS,
            expected_status: CheckStatus::Approved,
            expected_risk_level: RiskLevel::Low,
            expected_rules: &[],
        }
        .build(),
        Draft {
            id: "ae-corp-pending-002",
            story: "company, documents still missing",
            entity_type: EntityType::Corporate,
            jurisdiction: Jurisdiction::Ae,
            verification_score: 88,
            // The trade licence and articles arrived; the register of directors and the
            // beneficial ownership declaration did not.
            documents: &[CertificateOfIncorporation, ArticlesOfAssociation],
            red_flags: &[],
            investor: large_undertaking(),
            risk_score: 35,
            matches: &[],
            provider: PROVIDER,
            watchlist_version: LISTS,
            expected_status: CheckStatus::Pending,
            expected_risk_level: RiskLevel::Medium,
            expected_rules: &["AE-KYC-DOCUMENTS"],
        }
        .build(),
        Draft {
            id: "ae-ind-flagged-003",
            story: "individual, sanctions match",
            entity_type: EntityType::Individual,
            jurisdiction: Jurisdiction::Ae,
            verification_score: 91,
            documents: &[Passport, ProofOfAddress],
            red_flags: &[],
            // Net assets of $2.1M, a professional position at a regulated institution.
            investor: professional("2100000", false),
            risk_score: 96,
            matches: &[
                (
                    WatchlistKind::Sanctions,
                    "UAE-LOCAL-TERRORIST",
                    "UAE-LTL-0142",
                ),
                (WatchlistKind::Sanctions, "UN-SC-CONSOLIDATED", "UNSC-7731"),
            ],
            provider: PROVIDER,
            watchlist_version: LISTS,
            expected_status: CheckStatus::Rejected,
            expected_risk_level: RiskLevel::Critical,
            expected_rules: &["AE-AML-RISK-REJECT", "AE-SANCTIONS-REJECT"],
        }
        .build(),
    ]
}
