//! The default rules of the United Arab Emirates (Dubai: VARA, DFSA; UAE AML law).
//!
//! Must not: hold another jurisdiction's rules, or a rule without its regulatory source.

use super::{Draft, build, review, risk, verification};
use crate::{DocumentSet, RequiredDocuments, Rule, RuleKind};
use compliance_domain::{CheckStatus, DocumentKind::*, Jurisdiction};

pub(super) fn rules() -> Vec<Rule> {
    let docs = |kinds: &[compliance_domain::DocumentKind]| -> DocumentSet {
        kinds.iter().copied().collect()
    };
    build(
        Jurisdiction::Ae,
        vec![
            Draft {
                code: "AE-SANCTIONS-REJECT",
                regulation: "AE Federal Decree-Law No. 20 of 2018 on AML/CFT; Cabinet Decision No. 74 of 2020 (UAE terrorist list and UN Security Council sanctions lists, targeted financial sanctions); VARA Compliance and Risk Management Rulebook",
                description: "A match on any sanctions list (UAE local terrorist list, UN Security Council consolidated list, OFAC SDN) rejects the case.",
                kind: Ok(RuleKind::SanctionsMatch),
            },
            Draft {
                code: "AE-PEP-EDD",
                regulation: "AE Cabinet Decision No. 10 of 2019 (implementing regulation of Federal Decree-Law No. 20 of 2018), Art. 15 (politically exposed persons); DFSA Rulebook, Anti-Money Laundering module (AML)",
                description: "A politically exposed person match escalates the case for enhanced due diligence and senior approval.",
                kind: Ok(RuleKind::PepMatch),
            },
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
            },
            Draft {
                code: "AE-IDV-MINIMUM",
                regulation: "AE Cabinet Decision No. 10 of 2019, Art. 8 (verifying the customer's identity using documents, data or information from a reliable and independent source)",
                description: "An identity verification score below 80/100 keeps the case pending until identity is verified again.",
                kind: verification(80, CheckStatus::Pending),
            },
            Draft {
                code: "AE-AML-RISK-REJECT",
                regulation: "AE Federal Decree-Law No. 20 of 2018, Art. 16 (risk-based due diligence); Cabinet Decision No. 10 of 2019, Art. 4 (assessing and mitigating risk); platform risk appetite: no onboarding in the CRITICAL band",
                description: "An AML risk score of 85/100 or more (the CRITICAL band) rejects the case.",
                kind: risk(85, CheckStatus::Rejected),
            },
            Draft {
                code: "AE-PERIODIC-REVIEW",
                regulation: "AE Cabinet Decision No. 10 of 2019 (implementing regulation of Federal Decree-Law No. 20 of 2018), Art. 7 (ongoing due diligence of the business relationship, on a risk basis); DFSA Rulebook, Anti-Money Laundering module (AML), ongoing customer due diligence; the intervals are platform policy on a risk basis",
                description: "An approved case falls due for periodic review 36 months after approval at LOW risk, 24 at MEDIUM, 12 at HIGH and 6 at CRITICAL.",
                kind: review(36, 24, 12, 6),
            },
        ],
    )
}
