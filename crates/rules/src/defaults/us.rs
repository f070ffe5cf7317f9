//! The default rules of the United States (SEC Regulation D 506(c); OFAC; FinCEN's AML rules for
//! broker-dealers).
//!
//! Must not: hold another jurisdiction's rules, or a rule without its regulatory source.

use super::{
    Draft, accreditation_effective_from, build, money, review, risk, screening,
    screening_effective_from, verification,
};
use crate::{
    Accreditation, AccreditationTest, Comparison, DocumentSet, RegDAccreditation,
    RequiredDocuments, Rule, RuleKind,
};
use compliance_domain::{
    CertificationKind, CheckStatus, Currency, DocumentKind::*, EntityType, Jurisdiction,
    WatchlistKind,
};

/// Reg D's accredited investor, as 17 CFR 230.501(a) words it: a natural person with net worth
/// (excluding the primary residence) in excess of $1,000,000, or income in excess of $200,000; an
/// entity with total assets in excess of $5,000,000. Rule 506(c) requires reasonable steps to
/// verify the status.
fn reg_d_accredited_investor() -> Result<RuleKind, crate::FieldError> {
    let usd = |amount| money(amount, Currency::USD);
    Accreditation::new(
        &[
            EntityType::Individual,
            EntityType::Corporate,
            EntityType::Fund,
        ],
        true,
        Comparison::MoreThan,
        vec![
            AccreditationTest::new(Some(usd("1000000")), None, None)?,
            AccreditationTest::new(None, Some(usd("200000")), None)?,
        ],
        vec![AccreditationTest::new(None, None, Some(usd("5000000")))?],
    )
    .map(RuleKind::Accreditation)
}

/// Version 2: every category of 17 CFR 230.501(a) an investor platform meets, in excess of
/// $200,000 of income in each of two years ($300,000 joint), $1,000,000 of net worth without the
/// primary residence, $5,000,000 of an entity's assets or investments; Series 7, 65 and 82
/// (Release 33-10824); the platform's own reasonable steps valid for three months.
fn reg_d_categories() -> Result<RuleKind, crate::FieldError> {
    let usd = |amount| money(amount, Currency::USD);
    RegDAccreditation::new(
        usd("200000"),
        usd("300000"),
        usd("1000000"),
        usd("5000000"),
        usd("5000000"),
        vec![
            CertificationKind::Series7,
            CertificationKind::Series65,
            CertificationKind::Series82,
        ],
        3,
    )
    .map(RuleKind::RegDAccreditation)
}

/// The sources of `US-OFAC-SDN-REJECT`, both versions.
const SANCTIONS: &str = "US 31 CFR chapter V (OFAC sanctions regulations; Specially Designated Nationals and Blocked Persons List); IEEPA, 50 U.S.C. 1701-1706";

pub(super) fn rules() -> Vec<Rule> {
    let docs = |kinds: &[compliance_domain::DocumentKind]| -> DocumentSet {
        kinds.iter().copied().collect()
    };
    build(
        Jurisdiction::Us,
        vec![
            Draft {
                code: "US-OFAC-SDN-REJECT",
                regulation: SANCTIONS,
                description: "A match on a sanctions list, the OFAC SDN List first of all, rejects the case.",
                kind: Ok(RuleKind::SanctionsMatch),
            }
            .ends(screening_effective_from()),
            Draft {
                code: "US-OFAC-SDN-REJECT",
                regulation: SANCTIONS,
                description: "A match on a sanctions list, the OFAC SDN List first of all, scored 0.95 or more, or asserted by a provider, rejects the case.",
                kind: screening(WatchlistKind::Sanctions, "0.95", CheckStatus::Rejected),
            }
            .version(2, screening_effective_from()),
            Draft {
                code: "US-OFAC-SDN-REVIEW",
                regulation: "US OFAC Frequently Asked Questions 5 (how to determine whether a potential match to the SDN List is a valid match) and 23 (research a match, and contact OFAC before blocking unless it is exact); 31 CFR Part 501 (reports of blocked and rejected property, 501.603 and 501.604); the band is platform policy",
                description: "A match on a sanctions list scored 0.85 or more but below 0.95 escalates the case so that a reviewer decides whether it is the same person.",
                kind: screening(WatchlistKind::Sanctions, "0.85", CheckStatus::Escalated),
            }
            .version(1, screening_effective_from()),
            Draft {
                code: "US-506C-ACCREDITATION",
                regulation: "US 17 CFR 230.506(c); 17 CFR 230.501(a)",
                description: "Every purchaser in a Rule 506(c) offering must be a verified accredited investor under the individual or entity thresholds in USD.",
                kind: reg_d_accredited_investor(),
            }
            .ends(accreditation_effective_from()),
            Draft {
                code: "US-506C-ACCREDITATION",
                regulation: "US 17 CFR 230.506(c)(2)(i) and (ii)(A), (B), (C), (E) (reasonable steps to verify, and the verification methods with their ages); 17 CFR 230.501(a)(1), (3)-(13) (accredited investor, as amended by Release 33-10824 of 2020)",
                description: "Every purchaser in a Rule 506(c) offering must meet a category of Rule 501(a) (income in each of two years, net worth without the primary residence, a designated certification, a place at the issuer, or an entity's test) verified in date by a method of Rule 506(c)(2).",
                kind: reg_d_categories(),
            }
            .version(2, accreditation_effective_from()),
            Draft {
                code: "US-KYC-DOCUMENTS",
                regulation: "US 31 CFR 1023.220 (customer identification program for broker-dealers); 31 CFR 1010.230 (beneficial owners of legal entity customers)",
                description: "Identity and taxpayer documents for individuals, and formation documents, taxpayer number and beneficial owners for companies and funds, must be verified before the case can proceed.",
                kind: RequiredDocuments::new(
                    docs(&[NationalId, TaxId]),
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
                code: "US-IDV-MINIMUM",
                regulation: "US 31 CFR 1023.220(a)(2) (risk-based procedures for verifying the identity of each customer)",
                description: "An identity verification score below 70/100 escalates the case so that a reviewer verifies the identity by hand.",
                kind: verification(70, CheckStatus::Escalated),
            }
            .first(),
            Draft {
                code: "US-AML-RISK-EDD",
                regulation: "US 31 U.S.C. 5318(h); 31 CFR 1023.210(b)(5) (risk-based ongoing customer due diligence)",
                description: "An AML risk score of 61/100 or more (the HIGH and CRITICAL bands) escalates the case for enhanced due diligence.",
                kind: risk(61, CheckStatus::Escalated),
            }
            .first(),
            Draft {
                code: "US-PERIODIC-REVIEW",
                regulation: "US 31 CFR 1010.230 and 31 CFR 1023.210(b)(5)(ii) (FinCEN customer due diligence rule: ongoing monitoring, updating customer information on a risk basis); the intervals are platform policy on a risk basis",
                description: "An approved case falls due for periodic review 36 months after approval at LOW risk, 24 at MEDIUM, 12 at HIGH and 6 at CRITICAL.",
                kind: review(36, 24, 12, 6),
            }
            .first(),
        ],
    )
}
