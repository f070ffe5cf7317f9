//! The three AE seed scenarios: a clean individual, a company with documents missing, and an
//! individual on a sanctions list.
//!
//! Must not: hold personal data: ids and list references only.

use super::{Draft, Scenario};
use compliance_domain::{
    CheckStatus, DocumentKind::*, EntityType, InvestorProfile, Jurisdiction, RiskLevel,
    WatchlistKind,
};

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
            investor: InvestorProfile::default(),
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
            investor: InvestorProfile::default(),
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
            investor: InvestorProfile::default(),
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
