//! The default rules of India (SEBI; Prevention of Money Laundering Act 2002 and its rules; the
//! RBI KYC Master Direction for the periodic review intervals).
//!
//! Must not: hold another jurisdiction's rules, or a rule without its regulatory source.

use super::{
    Draft, accreditation_effective_from, build, money, review, risk, screening,
    screening_effective_from,
};
use crate::{
    Accreditation, AccreditationTest, Comparison, DocumentSet, RedFlagLimit, RequiredDocuments,
    Rule, RuleKind, SebiAccreditation,
};
use compliance_domain::{
    CheckStatus, Currency, DocumentKind::*, EntityType, Jurisdiction, WatchlistKind,
};

/// SEBI's accredited-investor tests, in rupees (1 crore = 10,000,000): an individual with annual
/// income of at least 2 crore, or net worth of at least 7.5 crore, or annual income of at least
/// 1 crore and net worth of at least 5 crore; a body corporate or trust with net worth of at least
/// 50 crore.
fn sebi_accredited_investor() -> Result<RuleKind, crate::FieldError> {
    let inr = |amount| money(amount, Currency::INR);
    Accreditation::new(
        &[
            EntityType::Individual,
            EntityType::Corporate,
            EntityType::Fund,
        ],
        true,
        Comparison::AtLeast,
        vec![
            AccreditationTest::new(None, Some(inr("20000000")), None)?,
            AccreditationTest::new(Some(inr("75000000")), None, None)?,
            AccreditationTest::new(Some(inr("50000000")), Some(inr("10000000")), None)?,
        ],
        vec![AccreditationTest::new(Some(inr("500000000")), None, None)?],
    )
    .map(RuleKind::Accreditation)
}

/// Version 2: reg. 2(1)(ab) as written, in rupees (1 crore = 10,000,000): for an individual,
/// HUF, family trust or sole proprietorship, income of at least 2 crore, or net worth of at
/// least 7.5 crore with 3.75 crore in financial assets, or income of 1 crore and net worth of 5
/// crore with 2.5 crore in financial assets; 50 crore of net worth for a trust or body
/// corporate; a certificate of at most 36 months (the December 2023 circular's longest).
fn sebi_classes() -> Result<RuleKind, crate::FieldError> {
    let inr = |amount| money(amount, Currency::INR);
    SebiAccreditation::new(
        [
            inr("20000000"),
            inr("75000000"),
            inr("37500000"),
            inr("10000000"),
            inr("50000000"),
            inr("25000000"),
            inr("500000000"),
        ],
        36,
    )
    .map(RuleKind::SebiAccreditation)
}

/// The sources of `IN-SANCTIONS-REJECT`, both versions.
const SANCTIONS: &str = "IN Unlawful Activities (Prevention) Act 1967, s. 51A (Order of 2 February 2021 implementing UN Security Council sanctions); PMLA 2002, s. 12; SEBI Master Circular on AML/CFT obligations (screening against the UNSC and UAPA lists)";

pub(super) fn rules() -> Vec<Rule> {
    let docs = |kinds: &[compliance_domain::DocumentKind]| -> DocumentSet {
        kinds.iter().copied().collect()
    };
    build(
        Jurisdiction::In,
        vec![
            Draft {
                code: "IN-SANCTIONS-REJECT",
                regulation: SANCTIONS,
                description: "A match on any sanctions list (UN Security Council consolidated list, MHA UAPA list, OFAC SDN) rejects the case.",
                kind: Ok(RuleKind::SanctionsMatch),
            }
            .ends(screening_effective_from()),
            Draft {
                code: "IN-SANCTIONS-REJECT",
                regulation: SANCTIONS,
                description: "A match on a sanctions list (UN Security Council consolidated list, MHA UAPA list, OFAC SDN) scored 0.95 or more, or asserted by a provider, rejects the case.",
                kind: screening(WatchlistKind::Sanctions, "0.95", CheckStatus::Rejected),
            }
            .version(2, screening_effective_from()),
            Draft {
                code: "IN-SANCTIONS-REVIEW",
                regulation: "IN Unlawful Activities (Prevention) Act 1967, s. 51A; Order of 2 February 2021 under s. 51A (verify whether the particulars of a customer match a designated individual or entity, and report the match to the Central Nodal Officer before acting); SEBI Master Circular on AML/CFT obligations; the band is platform policy",
                description: "A match on a sanctions list scored 0.85 or more but below 0.95 escalates the case so that a reviewer decides whether it is the same person.",
                kind: screening(WatchlistKind::Sanctions, "0.85", CheckStatus::Escalated),
            }
            .version(1, screening_effective_from()),
            Draft {
                code: "IN-PEP-EDD",
                regulation: "IN PML (Maintenance of Records) Rules 2005, r. 9 (client due diligence); SEBI Master Circular on AML/CFT obligations (clients of special category: politically exposed persons need enhanced due diligence and senior management approval)",
                description: "A politically exposed person match escalates the case for enhanced due diligence and senior management approval.",
                kind: Ok(RuleKind::PepMatch),
            }
            .first(),
            Draft {
                code: "IN-RED-FLAGS-REJECT",
                regulation: "IN PMLA 2002, s. 12; PML (Maintenance of Records) Rules 2005, r. 9; SEBI Master Circular on AML/CFT obligations (client acceptance policy: no account where due diligence cannot be completed)",
                description: "Three or more KYC red flags together reject the case.",
                kind: RedFlagLimit::new(3).map(RuleKind::RedFlags),
            }
            .first(),
            Draft {
                code: "IN-KYC-DOCUMENTS",
                regulation: "IN PML (Maintenance of Records) Rules 2005, r. 9 (officially valid documents, PAN and the documents of companies and trusts); SEBI KYC Master Circular (PAN as the identification number in the securities market)",
                description: "PAN and proof of address for individuals, and constitution, PAN and beneficial owners for companies and funds, must be verified before the case can proceed.",
                kind: RequiredDocuments::new(
                    docs(&[TaxId, ProofOfAddress]),
                    docs(&[
                        CertificateOfIncorporation,
                        ArticlesOfAssociation,
                        TaxId,
                        BeneficialOwnership,
                    ]),
                    docs(&[FundConstitution, TaxId, BeneficialOwnership]),
                )
                .map(RuleKind::RequiredDocuments),
            }
            .first(),
            Draft {
                code: "IN-ACCREDITED-INVESTOR",
                regulation: "IN SEBI (Alternative Investment Funds) Regulations 2012, reg. 2(1)(ab) (accredited investor, inserted in 2021), with accreditation granted by an accreditation agency",
                description: "The investor must hold a verified accreditation meeting SEBI's income or net worth thresholds in INR before the case can proceed.",
                kind: sebi_accredited_investor(),
            }
            .ends(accreditation_effective_from()),
            Draft {
                code: "IN-ACCREDITED-INVESTOR",
                regulation: "IN SEBI (Alternative Investment Funds) Regulations 2012, reg. 2(1)(ab)(i)-(iv) and proviso (accredited investor); SEBI circular SEBI/HO/IMD/IMD-I/DF9/P/CIR/2021/620 of 26 August 2021 (accreditation agencies and certificates); SEBI circular of 18 December 2023 (a certificate valid two or three years from issue)",
                description: "The investor must hold an accreditation agency's certificate valid at the assessment and meet its class's test (income, net worth with its financial assets, or both; 50 crore of net worth for a trust or body corporate; every partner of a firm), unless the proviso deems it accredited.",
                kind: sebi_classes(),
            }
            .version(2, accreditation_effective_from()),
            Draft {
                code: "IN-AML-RISK-EDD",
                regulation: "IN PMLA 2002, s. 12; SEBI Master Circular on AML/CFT obligations (risk-based categorisation of clients; enhanced due diligence for high-risk clients)",
                description: "An AML risk score of 61/100 or more (the HIGH and CRITICAL bands) escalates the case for enhanced due diligence.",
                kind: risk(61, CheckStatus::Escalated),
            }
            .first(),
            Draft {
                code: "IN-PERIODIC-REVIEW",
                regulation: "IN RBI Master Direction - Know Your Customer (KYC) Direction, 2016, s. 38 (periodic updation: at least every 2 years for high risk, 8 years for medium risk and 10 years for low risk customers); PML (Maintenance of Records) Rules 2005, r. 9(12) (ongoing due diligence); CRITICAL at 12 months is platform policy",
                description: "An approved case falls due for periodic updation of KYC 120 months after approval at LOW risk, 96 at MEDIUM, 24 at HIGH and 12 at CRITICAL.",
                kind: review(120, 96, 24, 12),
            }
            .first(),
        ],
    )
}
