//! The US golden cases: every category of 17 CFR 230.501(a) the platform meets, at and around
//! its line, and each verification method of 230.506(c)(2) in and out of date.
//!
//! Must not: hold personal data: made-up references and amounts only.

use super::{Draft, Golden, assessed_on, date, evidence, m};
use compliance_domain::{
    Basis, Certification, CertificationKind, CheckStatus::*, CrdNumber, EntityCategory, EntityType,
    IncomeRecord, InvestorProfile, IssuerRole, Jurisdiction, NetWorthRecord, PrimaryResidence,
    RedFlag, RegDEntity, RegDFacts, Signals, Verification, VerificationMethod,
    VerificationMethod::*, Verifier, WatchlistKind,
};

const RULE: &[&str] = &["US-506C-ACCREDITATION"];

/// What the US default rules weigh: sanctions matches (`US-OFAC-SDN-REJECT`), nothing else.
fn weighed() -> Signals {
    Signals::NONE.with_match(WatchlistKind::Sanctions)
}

fn usd(amount: &str) -> compliance_domain::Money {
    m(amount, "USD")
}

fn income(basis: Basis, year: u16, recent: &str, prior: &str, expected: bool) -> RegDFacts {
    RegDFacts {
        income: Some(IncomeRecord {
            basis,
            recent_year: year,
            recent: usd(recent),
            prior: usd(prior),
            current_year_expected: expected,
        }),
        ..RegDFacts::default()
    }
}

fn net_worth(excluding: &str, value: &str, debt: &str, before: &str, acquired: bool) -> RegDFacts {
    RegDFacts {
        net_worth: Some(NetWorthRecord {
            basis: Basis::Individual,
            excluding_residence: usd(excluding),
            residence: PrimaryResidence {
                value: usd(value),
                secured_debt: usd(debt),
                secured_debt_60_days_before: usd(before),
                increase_from_acquisition: acquired,
            },
        }),
        ..RegDFacts::default()
    }
}

fn entity(category: EntityCategory, assets: Option<&str>, investments: Option<&str>) -> RegDEntity {
    RegDEntity {
        category,
        formed_to_invest: false,
        total_assets: assets.map(usd),
        investments: investments.map(usd),
        all_owners_accredited: false,
        directed_by_sophisticated_person: false,
        family_office_directed: false,
    }
}

fn verify(
    facts: RegDFacts,
    method: VerificationMethod,
    verifier: Verifier,
    on: (i32, u32, u32),
    representation: bool,
) -> RegDFacts {
    let mut facts = facts;
    facts.verifications.push(Verification {
        method,
        verifier,
        verifier_ref: evidence("VERIFIER-0001"),
        verified_on: date(on.0, on.1, on.2),
        written_representation: representation,
    });
    facts
}

fn investor(facts: RegDFacts) -> InvestorProfile {
    InvestorProfile {
        assessed_on: Some(assessed_on()),
        reg_d: Some(facts),
        ..InvestorProfile::default()
    }
}

/// An individual's case: the facts, verified by `method` on `on` by the issuer or a CPA.
fn person(id: &'static str, test: &'static str, facts: RegDFacts, approved: bool) -> Draft {
    Draft {
        id,
        test,
        entity_type: EntityType::Individual,
        investor: investor(facts),
        red_flags: &[],
        matches: &[],
        status: if approved { Approved } else { Pending },
        rules: if approved { &[] } else { RULE },
    }
}

fn company(id: &'static str, test: &'static str, e: RegDEntity, approved: bool) -> Draft {
    let facts = RegDFacts {
        entity: Some(e),
        ..RegDFacts::default()
    };
    let facts = verify(
        facts,
        EntityDocumentReview,
        Verifier::Issuer,
        (2027, 1, 10),
        true,
    );
    Draft {
        entity_type: EntityType::Corporate,
        ..person(id, test, facts, approved)
    }
}

fn certified(good_standing: bool) -> RegDFacts {
    let facts = RegDFacts {
        certifications: vec![Certification {
            kind: CertificationKind::Series65,
            crd_number: crate::literal::literal("a CRD", CrdNumber::parse("7000001")),
            in_good_standing: good_standing,
        }],
        ..RegDFacts::default()
    };
    verify(
        facts,
        PublicRegisterCheck,
        Verifier::Issuer,
        (2027, 1, 25),
        false,
    )
}

/// A net worth well above the line, for the verification cases.
fn wealthy() -> RegDFacts {
    net_worth("2000000", "0", "0", "0", false)
}

pub(super) fn golden() -> Vec<Golden> {
    use Basis::{Individual as Own, Joint};
    let by_review = |f| verify(f, IncomeTaxReview, Verifier::Issuer, (2027, 1, 20), false);
    let by_cpa = |f| {
        verify(
            f,
            ThirdPartyConfirmation,
            Verifier::CertifiedPublicAccountant,
            (2027, 1, 10),
            true,
        )
    };
    let nw_review = |f| verify(f, NetWorthReview, Verifier::Issuer, (2027, 1, 15), true);
    let (a6, a5) = ("501(a)(6) income", "501(a)(5) net worth");
    let mut drafts = vec![
        person(
            "us-g-income-above",
            a6,
            by_review(income(Own, 2026, "200000.01", "200000.01", true)),
            true,
        ),
        person(
            "us-g-income-at-the-line",
            a6,
            by_review(income(Own, 2026, "200000", "250000", true)),
            false,
        ),
        person(
            "us-g-income-prior-year-below",
            a6,
            by_review(income(Own, 2026, "250000", "200000", true)),
            false,
        ),
        person(
            "us-g-income-not-the-recent-years",
            a6,
            by_review(income(Own, 2025, "400000", "400000", true)),
            false,
        ),
        person(
            "us-g-income-no-expectation",
            a6,
            by_review(income(Own, 2026, "400000", "400000", false)),
            false,
        ),
        person(
            "us-g-joint-income-above",
            "501(a)(6) joint income with a spouse or spousal equivalent",
            by_cpa(income(Joint, 2026, "310000", "300000.01", true)),
            true,
        ),
        person(
            "us-g-joint-income-at-the-line",
            "501(a)(6) joint income",
            by_cpa(income(Joint, 2026, "310000", "300000", true)),
            false,
        ),
        person(
            "us-g-net-worth-above",
            a5,
            nw_review(net_worth("1000000.01", "0", "0", "0", false)),
            true,
        ),
        person(
            "us-g-net-worth-at-the-line",
            a5,
            nw_review(net_worth("1000000", "0", "0", "0", false)),
            false,
        ),
        person(
            "us-g-residence-underwater-at-the-line",
            "501(a)(5)(i)(C) debt above the residence's value counts",
            nw_review(net_worth("1100000", "500000", "600000", "600000", false)),
            false,
        ),
        person(
            "us-g-residence-underwater-above",
            "501(a)(5)(i)(C) debt above the residence's value counts",
            nw_review(net_worth("1100000.01", "500000", "600000", "600000", false)),
            true,
        ),
        person(
            "us-g-residence-new-debt",
            "501(a)(5)(i)(B) debt added in the 60 days before the sale counts",
            nw_review(net_worth("1050000", "800000", "500000", "400000", false)),
            false,
        ),
        person(
            "us-g-residence-new-debt-to-acquire",
            "501(a)(5)(i)(B) unless it acquired the residence",
            nw_review(net_worth("1050000", "800000", "500000", "400000", true)),
            true,
        ),
        person(
            "us-g-series-65",
            "501(a)(10) Series 65 in good standing",
            certified(true),
            true,
        ),
        person(
            "us-g-series-65-lapsed",
            "501(a)(10) not in good standing",
            certified(false),
            false,
        ),
        person(
            "us-g-knowledgeable-employee",
            "501(a)(11) knowledgeable employee",
            verify(
                RegDFacts {
                    issuer_role: Some(IssuerRole::KnowledgeableEmployee),
                    ..RegDFacts::default()
                },
                IssuerRecords,
                Verifier::Issuer,
                (2027, 1, 5),
                false,
            ),
            true,
        ),
        person(
            "us-g-director",
            "501(a)(4) director of the issuer",
            verify(
                RegDFacts {
                    issuer_role: Some(IssuerRole::Director),
                    ..RegDFacts::default()
                },
                IssuerRecords,
                Verifier::Issuer,
                (2027, 1, 5),
                false,
            ),
            true,
        ),
        person(
            "us-g-no-verification",
            "506(c)(2) a met category needs a verification",
            wealthy(),
            false,
        ),
        person(
            "us-g-confirmation-three-months",
            "506(c)(2)(ii)(C) within the prior three months",
            verify(
                wealthy(),
                ThirdPartyConfirmation,
                Verifier::Attorney,
                (2026, 11, 1),
                false,
            ),
            true,
        ),
        person(
            "us-g-confirmation-stale",
            "506(c)(2)(ii)(C) older than three months",
            verify(
                wealthy(),
                ThirdPartyConfirmation,
                Verifier::Attorney,
                (2026, 10, 31),
                false,
            ),
            false,
        ),
        person(
            "us-g-confirmation-by-issuer",
            "506(c)(2)(ii)(C) names a broker-dealer, adviser, attorney or CPA",
            verify(
                wealthy(),
                ThirdPartyConfirmation,
                Verifier::Issuer,
                (2027, 1, 10),
                false,
            ),
            false,
        ),
        person(
            "us-g-net-worth-review-stale",
            "506(c)(2)(ii)(B) documents within three months",
            verify(
                wealthy(),
                NetWorthReview,
                Verifier::Issuer,
                (2026, 10, 31),
                true,
            ),
            false,
        ),
        person(
            "us-g-net-worth-review-no-representation",
            "506(c)(2)(ii)(B) written representation of liabilities",
            verify(
                wealthy(),
                NetWorthReview,
                Verifier::Issuer,
                (2027, 1, 15),
                false,
            ),
            false,
        ),
        person(
            "us-g-prior-verification-five-years",
            "506(c)(2)(ii)(E) verified within five years",
            verify(
                wealthy(),
                PriorVerification,
                Verifier::Issuer,
                (2022, 2, 1),
                true,
            ),
            true,
        ),
        person(
            "us-g-prior-verification-stale",
            "506(c)(2)(ii)(E) older than five years",
            verify(
                wealthy(),
                PriorVerification,
                Verifier::Issuer,
                (2022, 1, 31),
                true,
            ),
            false,
        ),
        person(
            "us-g-verified-after-the-assessment",
            "506(c)(2) nothing is verified from the future",
            verify(
                wealthy(),
                ThirdPartyConfirmation,
                Verifier::Attorney,
                (2027, 2, 2),
                false,
            ),
            false,
        ),
        person(
            "us-g-income-review-before-the-forms",
            "506(c)(2)(ii)(A) the forms of the two most recent years",
            verify(
                income(Own, 2026, "400000", "400000", true),
                IncomeTaxReview,
                Verifier::Issuer,
                (2026, 12, 15),
                false,
            ),
            false,
        ),
        person(
            "us-g-income-review-for-net-worth",
            "506(c)(2)(ii)(A) verifies income, not net worth",
            verify(
                wealthy(),
                IncomeTaxReview,
                Verifier::Issuer,
                (2027, 1, 20),
                false,
            ),
            false,
        ),
        company(
            "us-g-corporation-assets-above",
            "501(a)(3) total assets in excess of $5,000,000",
            entity(EntityCategory::Corporation, Some("5000000.01"), None),
            true,
        ),
        company(
            "us-g-corporation-assets-at-the-line",
            "501(a)(3) total assets",
            entity(EntityCategory::Corporation, Some("5000000"), None),
            false,
        ),
        company(
            "us-g-corporation-formed-to-invest",
            "501(a)(3) not formed to acquire the securities",
            RegDEntity {
                formed_to_invest: true,
                ..entity(
                    EntityCategory::LimitedLiabilityCompany,
                    Some("20000000"),
                    None,
                )
            },
            false,
        ),
        company(
            "us-g-trust-directed",
            "501(a)(7) trust directed by a sophisticated person",
            RegDEntity {
                directed_by_sophisticated_person: true,
                ..entity(EntityCategory::Trust, Some("6000000"), None)
            },
            true,
        ),
        company(
            "us-g-trust-not-directed",
            "501(a)(7) trust not so directed",
            entity(EntityCategory::Trust, Some("6000000"), None),
            false,
        ),
        company(
            "us-g-owners-accredited",
            "501(a)(8) every equity owner accredited",
            RegDEntity {
                all_owners_accredited: true,
                ..entity(EntityCategory::Partnership, Some("100000"), None)
            },
            true,
        ),
        company(
            "us-g-investments-above",
            "501(a)(9) investments in excess of $5,000,000",
            entity(EntityCategory::Other, None, Some("5000000.01")),
            true,
        ),
        company(
            "us-g-investments-at-the-line",
            "501(a)(9) investments",
            entity(EntityCategory::Other, None, Some("5000000")),
            false,
        ),
        company(
            "us-g-family-office",
            "501(a)(12) family office",
            RegDEntity {
                directed_by_sophisticated_person: true,
                ..entity(EntityCategory::FamilyOffice, None, Some("5000000.01"))
            },
            true,
        ),
        company(
            "us-g-family-client",
            "501(a)(13) family client directed by its family office",
            RegDEntity {
                family_office_directed: true,
                ..entity(EntityCategory::FamilyClient, None, None)
            },
            true,
        ),
        company(
            "us-g-bank",
            "501(a)(1) bank",
            entity(EntityCategory::Bank, None, None),
            true,
        ),
    ];
    // An entity verified longer ago than the platform's three months for its own steps.
    let mut stale = company(
        "us-g-entity-review-stale",
        "506(c)(2)(i) the platform's own steps, three months",
        entity(EntityCategory::Corporation, Some("20000000"), None),
        false,
    );
    if let Some(facts) = stale.investor.reg_d.as_mut() {
        facts.verifications[0].verified_on = date(2026, 10, 31);
    }
    drafts.push(stale);
    // Legacy figures alone no longer demonstrate anything under version 2.
    drafts.push(Draft {
        investor: InvestorProfile {
            net_worth: Some(usd("5000000")),
            accreditation_verified: true,
            assessed_on: Some(assessed_on()),
            ..InvestorProfile::default()
        },
        ..person(
            "us-g-legacy-figures-only",
            "501(a) version 2 reads the Regulation D facts",
            RegDFacts::default(),
            false,
        )
    });
    // Signals no US rule weighs: listed, and the case still decided on its rules.
    drafts.push(Draft {
        red_flags: &[RedFlag::UnusualActivity],
        matches: &[WatchlistKind::Pep, WatchlistKind::AdverseMedia],
        ..person(
            "us-g-unweighed-signals",
            "a PEP, an adverse-media match and a red flag no US rule weighs",
            nw_review(wealthy()),
            true,
        )
    });
    drafts
        .into_iter()
        .map(|d| {
            let mut g = d.build(Jurisdiction::Us);
            g.expected_unweighed = g.expected_unweighed.without(weighed());
            g
        })
        .collect()
}
