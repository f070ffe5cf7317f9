//! The default rules of the United Arab Emirates (Dubai: VARA, DFSA; UAE AML law).
//!
//! Must not: hold another jurisdiction's rules, or a rule without its regulatory source.

use super::{
    Draft, accreditation_effective_from, build, money, review, risk, screening,
    screening_effective_from, verification,
};
use crate::{
    DocumentSet, InvestorClassification, Licence, RequiredDocuments, RiskSignals, Rule, RuleKind,
};
use compliance_domain::{
    CheckStatus, ClientClass, Currency, DocumentKind::*, Jurisdiction, RedFlag, WatchlistKind,
};

/// The platform's licence: the DFSA's, without a retail endorsement, so Professional Clients
/// only (COB 2.3); the thresholds of COB 2.3.4(2), 2.3.7(1)(a) and 2.3.8(1)(a) in US dollars, as
/// the module writes them; a classification reassessed within 12 months (platform policy on the
/// periodic review COB 2.4.1 Guidance 2 asks for).
fn dfsa_classification() -> Result<RuleKind, crate::FieldError> {
    let usd = |amount| money(amount, Currency::USD);
    InvestorClassification::new(
        Licence::Dfsa,
        vec![ClientClass::Professional],
        &[
            ("individual_net_assets", usd("1000000")),
            ("undertaking_own_funds", usd("1000000")),
            ("large_balance_sheet", usd("20000000")),
            ("large_turnover", usd("40000000")),
            ("large_own_funds", usd("2000000")),
        ],
        12,
    )
    .map(RuleKind::InvestorClassification)
}

/// Risk-based weighing: every red flag and an adverse-media match weigh 2, except a document
/// inconsistency and unusual activity (1 each: the identity rule and transaction monitoring
/// weigh them too); 2 or more escalate for enhanced due diligence. Sanctions and PEP matches
/// are weighed by their own rules.
fn signal_weights() -> Result<RuleKind, crate::FieldError> {
    RiskSignals::new(
        &[
            (RedFlag::AdverseMedia, 2),
            (RedFlag::HighRiskCountry, 2),
            (RedFlag::UnverifiedSourceOfFunds, 2),
            (RedFlag::DocumentInconsistency, 1),
            (RedFlag::OpaqueOwnership, 2),
            (RedFlag::UnusualActivity, 1),
            (RedFlag::IdentityMismatch, 2),
        ],
        &[(WatchlistKind::AdverseMedia, 2)],
        2,
        CheckStatus::Escalated,
    )
    .map(RuleKind::RiskSignals)
}

/// The sources of `AE-SANCTIONS-REJECT`, both versions.
const SANCTIONS: &str = "AE Federal Decree-Law No. 20 of 2018 on AML/CFT; Cabinet Decision No. 74 of 2020 (UAE terrorist list and UN Security Council sanctions lists, targeted financial sanctions); VARA Compliance and Risk Management Rulebook";

pub(super) fn rules() -> Vec<Rule> {
    let docs = |kinds: &[compliance_domain::DocumentKind]| -> DocumentSet {
        kinds.iter().copied().collect()
    };
    build(
        Jurisdiction::Ae,
        vec![
            Draft {
                code: "AE-SANCTIONS-REJECT",
                regulation: SANCTIONS,
                description: "A match on any sanctions list (UAE local terrorist list, UN Security Council consolidated list, OFAC SDN) rejects the case.",
                kind: Ok(RuleKind::SanctionsMatch),
            }
            .ends(screening_effective_from()),
            Draft {
                code: "AE-SANCTIONS-REJECT",
                regulation: SANCTIONS,
                description: "A match on a sanctions list (UAE local terrorist list, UN Security Council consolidated list, OFAC SDN) scored 0.95 or more, or asserted by a provider, rejects the case.",
                kind: screening(WatchlistKind::Sanctions, "0.95", CheckStatus::Rejected),
            }
            .version(2, screening_effective_from()),
            Draft {
                code: "AE-SANCTIONS-REVIEW",
                regulation: "AE Cabinet Decision No. 74 of 2020 (targeted financial sanctions: a potential match is verified before the funds are frozen, and reported to the Executive Office for Control and Non-Proliferation); EOCN Guidance on Targeted Financial Sanctions for Financial Institutions (potential and partial name matches); the band is platform policy",
                description: "A match on a sanctions list scored 0.85 or more but below 0.95 escalates the case so that a reviewer decides whether it is the same person.",
                kind: screening(WatchlistKind::Sanctions, "0.85", CheckStatus::Escalated),
            }
            .version(1, screening_effective_from()),
            Draft {
                code: "AE-PEP-EDD",
                regulation: "AE Cabinet Decision No. 10 of 2019 (implementing regulation of Federal Decree-Law No. 20 of 2018), Art. 15 (politically exposed persons); DFSA Rulebook, Anti-Money Laundering module (AML)",
                description: "A politically exposed person match escalates the case for enhanced due diligence and senior approval.",
                kind: Ok(RuleKind::PepMatch),
            }
            .first(),
            Draft {
                code: "AE-KYC-DOCUMENTS",
                regulation: "AE Cabinet Decision No. 10 of 2019, Arts. 8 and 9 (customer due diligence: identifying and verifying the customer and the beneficial owners of legal persons)",
                description: "Identity documents for individuals, and constitution, directors and beneficial owners for companies and funds, must be verified before the case can proceed.",
                kind: RequiredDocuments::new(
                    docs(&[Passport, ProofOfAddress]),
                    docs(&[
                        CertificateOfIncorporation,
                        ArticlesOfAssociation,
                        RegisterOfDirectors,
                        BeneficialOwnership,
                    ]),
                    docs(&[FundConstitution, RegisterOfDirectors, BeneficialOwnership]),
                )
                .map(RuleKind::RequiredDocuments),
            }
            .first(),
            Draft {
                code: "AE-IDV-MINIMUM",
                regulation: "AE Cabinet Decision No. 10 of 2019, Art. 8 (verifying the customer's identity using documents, data or information from a reliable and independent source)",
                description: "An identity verification score below 80/100 keeps the case pending until identity is verified again.",
                kind: verification(80, CheckStatus::Pending),
            }
            .first(),
            Draft {
                code: "AE-AML-RISK-REJECT",
                regulation: "AE Federal Decree-Law No. 20 of 2018, Art. 16 (risk-based due diligence); Cabinet Decision No. 10 of 2019, Art. 4 (assessing and mitigating risk); platform risk appetite: no onboarding in the CRITICAL band",
                description: "An AML risk score of 85/100 or more (the CRITICAL band) rejects the case.",
                kind: risk(85, CheckStatus::Rejected),
            }
            .first(),
            Draft {
                code: "AE-PERIODIC-REVIEW",
                regulation: "AE Cabinet Decision No. 10 of 2019 (implementing regulation of Federal Decree-Law No. 20 of 2018), Art. 7 (ongoing due diligence of the business relationship, on a risk basis); DFSA Rulebook, Anti-Money Laundering module (AML), ongoing customer due diligence; the intervals are platform policy on a risk basis",
                description: "An approved case falls due for periodic review 36 months after approval at LOW risk, 24 at MEDIUM, 12 at HIGH and 6 at CRITICAL.",
                kind: review(36, 24, 12, 6),
            }
            .first(),
            Draft {
                code: "AE-INVESTOR-CLASSIFICATION",
                regulation: "AE DFSA Rulebook, Conduct of Business module: COB 2.3.1 (classification before any service), 2.3.3, 2.3.4 (deemed and large undertakings), 2.3.7 and 2.3.8 (assessed Professional Clients), 2.4.1 and its Guidance (written notice, periodic review); the licence is a parameter (VARA Market Conduct Rulebook, Part IV, under a VARA licence)",
                description: "Under the platform's DFSA licence (Professional Clients only), the investor must be classified a Professional Client on facts that support it, after a written notice, and reassessed within 12 months, before the case can proceed.",
                kind: dfsa_classification(),
            }
            .version(1, accreditation_effective_from()),
            Draft {
                code: "AE-RISK-SIGNALS",
                regulation: "AE Cabinet Decision No. 10 of 2019, Art. 4 (identifying and assessing risk on a risk basis, enhanced due diligence where it is high); Federal Decree-Law No. 20 of 2018, Art. 16; the weights are platform policy",
                description: "Red flags and adverse-media matches are weighed (most 2, document inconsistency and unusual activity 1), and a weight of 2 or more escalates the case for enhanced due diligence.",
                kind: signal_weights(),
            }
            .version(1, accreditation_effective_from()),
        ],
    )
}
