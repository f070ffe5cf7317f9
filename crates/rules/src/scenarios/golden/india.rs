//! The Indian golden cases: each test of SEBI's reg. 2(1)(ab) at and just below its line (the
//! financial-asset parts included), each class of investor, the deemed institutions, and the
//! accreditation certificate on its last day, after it, before it and beyond SEBI's longest.
//!
//! Must not: hold personal data: made-up references and amounts only.

use super::{Draft, Golden, assessed_on, date, evidence, m};
use crate::literal::literal;
use compliance_domain::{
    AccreditationCertificate, CheckStatus::*, EntityType, InvestorProfile, Jurisdiction, Money,
    NetWorth, SebiDeemed, SebiFacts, SebiInvestorClass, SebiInvestorClass::*, Signals,
    WatchlistKind,
};

const RULE: &[&str] = &["IN-ACCREDITED-INVESTOR"];

/// What the IN default rules weigh: sanctions and PEP matches, and every red flag
/// (`IN-RED-FLAGS-REJECT` counts them all). Not an adverse-media match.
fn weighed() -> Signals {
    Signals::all().without(Signals::NONE.with_match(WatchlistKind::AdverseMedia))
}

fn inr(amount: &str) -> Money {
    m(amount, "INR")
}

fn certificate(issued: (i32, u32, u32), until: (i32, u32, u32)) -> AccreditationCertificate {
    literal(
        "a golden certificate",
        AccreditationCertificate::new(
            evidence("CVL"),
            evidence("AI-GOLD-0001"),
            date(issued.0, issued.1, issued.2),
            date(until.0, until.1, until.2),
        ),
    )
}

/// Facts of `class` with income and net worth (total, financial assets), certified from
/// 2026-06-01 to 2028-05-31.
fn facts(class: SebiInvestorClass, income: Option<&str>, worth: Option<(&str, &str)>) -> SebiFacts {
    SebiFacts {
        class,
        deemed: None,
        annual_income: income.map(inr),
        net_worth: worth.map(|(t, f)| literal(t, NetWorth::new(inr(t), inr(f)))),
        all_partners_eligible: false,
        certificate: Some(certificate((2026, 6, 1), (2028, 5, 31))),
    }
}

fn case(id: &'static str, test: &'static str, sebi: SebiFacts, approved: bool) -> Draft {
    let entity_type = match sebi.class {
        Individual | SoleProprietorship => EntityType::Individual,
        _ => EntityType::Corporate,
    };
    Draft {
        id,
        test,
        entity_type,
        investor: InvestorProfile {
            assessed_on: Some(assessed_on()),
            sebi: Some(sebi),
            ..InvestorProfile::default()
        },
        red_flags: &[],
        matches: &[],
        status: if approved { Approved } else { Pending },
        rules: if approved { &[] } else { RULE },
    }
}

fn certified(issued: (i32, u32, u32), until: (i32, u32, u32)) -> SebiFacts {
    SebiFacts {
        certificate: Some(certificate(issued, until)),
        ..facts(Individual, Some("50000000"), None)
    }
}

pub(super) fn golden() -> Vec<Golden> {
    let (a, b, c) = (
        "reg. 2(1)(ab)(i)(A) income of at least 2 crore",
        "reg. 2(1)(ab)(i)(B) net worth of 7.5 crore, 3.75 crore in financial assets",
        "reg. 2(1)(ab)(i)(C) income of 1 crore and net worth of 5 crore, 2.5 crore in financial assets",
    );
    let certificate_test =
        "SEBI circulars of 2021 and 2023: the certificate valid at the assessment";
    let mut drafts = vec![
        case(
            "in-g-income-at-the-line",
            a,
            facts(Individual, Some("20000000"), None),
            true,
        ),
        case(
            "in-g-income-below",
            a,
            facts(Individual, Some("19999999.99"), None),
            false,
        ),
        case(
            "in-g-net-worth-at-the-line",
            b,
            facts(Individual, None, Some(("75000000", "37500000"))),
            true,
        ),
        case(
            "in-g-net-worth-below",
            b,
            facts(Individual, None, Some(("74999999.99", "40000000"))),
            false,
        ),
        case(
            "in-g-net-worth-financial-assets-below",
            b,
            facts(Individual, None, Some(("90000000", "37499999.99"))),
            false,
        ),
        case(
            "in-g-combined-at-the-line",
            c,
            facts(Individual, Some("10000000"), Some(("50000000", "25000000"))),
            true,
        ),
        case(
            "in-g-combined-income-below",
            c,
            facts(
                Individual,
                Some("9999999.99"),
                Some(("60000000", "30000000")),
            ),
            false,
        ),
        case(
            "in-g-combined-financial-assets-below",
            c,
            facts(
                Individual,
                Some("15000000"),
                Some(("60000000", "24999999.99")),
            ),
            false,
        ),
        case(
            "in-g-huf",
            "reg. 2(1)(ab)(i) a Hindu Undivided Family",
            facts(Huf, Some("20000000"), None),
            true,
        ),
        case(
            "in-g-family-trust",
            "reg. 2(1)(ab)(i) a family trust",
            facts(FamilyTrust, None, Some(("75000000", "37500000"))),
            true,
        ),
        case(
            "in-g-sole-proprietorship",
            "reg. 2(1)(ab)(i) a sole proprietorship",
            facts(
                SoleProprietorship,
                Some("10000000"),
                Some(("50000000", "25000000")),
            ),
            true,
        ),
        case(
            "in-g-body-corporate-at-the-line",
            "reg. 2(1)(ab)(ii) body corporate, 50 crore",
            facts(BodyCorporate, None, Some(("500000000", "0"))),
            true,
        ),
        case(
            "in-g-body-corporate-below",
            "reg. 2(1)(ab)(ii) body corporate",
            facts(BodyCorporate, None, Some(("499999999.99", "0"))),
            false,
        ),
        case(
            "in-g-trust-at-the-line",
            "reg. 2(1)(ab)(iii) trust other than a family trust, 50 crore",
            facts(Trust, None, Some(("500000000", "100000000"))),
            true,
        ),
        case(
            "in-g-trust-below",
            "reg. 2(1)(ab)(iii) trust",
            facts(Trust, None, Some(("499999999.99", "100000000"))),
            false,
        ),
        case(
            "in-g-partnership-every-partner",
            "reg. 2(1)(ab)(iv) each partner meets the criteria",
            SebiFacts {
                all_partners_eligible: true,
                ..facts(PartnershipFirm, None, None)
            },
            true,
        ),
        case(
            "in-g-partnership-not-every-partner",
            "reg. 2(1)(ab)(iv) a partner does not",
            facts(PartnershipFirm, Some("900000000"), None),
            false,
        ),
        case(
            "in-g-certificate-last-day",
            certificate_test,
            certified((2025, 2, 2), (2027, 2, 1)),
            true,
        ),
        case(
            "in-g-certificate-expired",
            certificate_test,
            certified((2025, 2, 1), (2027, 1, 31)),
            false,
        ),
        case(
            "in-g-certificate-not-yet-issued",
            certificate_test,
            certified((2027, 2, 2), (2029, 2, 1)),
            false,
        ),
        case(
            "in-g-certificate-three-years",
            "SEBI circular of 18 December 2023: at most three years",
            certified((2024, 3, 1), (2027, 2, 28)),
            true,
        ),
        case(
            "in-g-certificate-beyond-three-years",
            "SEBI circular of 18 December 2023: longer is not SEBI's",
            certified((2024, 3, 1), (2027, 3, 1)),
            false,
        ),
        case(
            "in-g-no-certificate",
            "reg. 2(1)(ab) granted a certificate by an accreditation agency",
            SebiFacts {
                certificate: None,
                ..facts(Individual, Some("90000000"), None)
            },
            false,
        ),
        case(
            "in-g-deemed-qualified-institutional-buyer",
            "reg. 2(1)(ab) proviso: deemed, no certificate needed",
            SebiFacts {
                deemed: Some(SebiDeemed::QualifiedInstitutionalBuyer),
                certificate: None,
                ..facts(BodyCorporate, None, None)
            },
            true,
        ),
        case(
            "in-g-income-in-dollars",
            "reg. 2(1)(ab) thresholds in rupees, no conversion",
            SebiFacts {
                annual_income: Some(m("500000", "USD")),
                ..facts(Individual, None, None)
            },
            false,
        ),
    ];
    drafts.push(Draft {
        matches: &[WatchlistKind::AdverseMedia],
        ..case(
            "in-g-unweighed-adverse-media",
            "an adverse-media match no IN rule weighs",
            facts(Individual, Some("30000000"), None),
            true,
        )
    });
    drafts
        .into_iter()
        .map(|d| {
            let mut g = d.build(Jurisdiction::In);
            g.expected_unweighed = g.expected_unweighed.without(weighed());
            g
        })
        .collect()
}
