//! The UAE golden cases: the DFSA classification the default licence requires (assessed
//! individuals and undertakings at and below their lines, large undertakings, deemed
//! institutions, the written notice, the reassessment), and the risk-based weighing of red
//! flags and adverse-media matches, after which no signal reaches a decision unweighed.
//!
//! Must not: hold personal data: made-up amounts only.

use super::{Draft, Golden, assessed_on, date, m};
use compliance_domain::{
    CheckStatus::*, ClientClass, ClientClassification, EntityType, InstitutionalCategory,
    InvestorProfile, Jurisdiction, Money, RedFlag, Regime, WatchlistKind,
};

const RULE: &[&str] = &["AE-INVESTOR-CLASSIFICATION"];
const SIGNALS: &[&str] = &["AE-RISK-SIGNALS"];

fn usd(amount: &str) -> Option<Money> {
    Some(m(amount, "USD"))
}

/// A DFSA Professional Client, warned and classified on 2027-01-15, with no figure yet.
fn professional() -> ClientClassification {
    ClientClassification {
        regime: Regime::Dfsa,
        class: ClientClass::Professional,
        institutional: None,
        net_assets: None,
        annual_income: None,
        own_funds: None,
        balance_sheet_total: None,
        net_turnover: None,
        professional_employment: false,
        knowledge_assessed: false,
        warning_given_on: Some(date(2027, 1, 15)),
        classified_on: date(2027, 1, 15),
    }
}

/// An assessed individual: net assets without the home, experience assessed.
fn assessed(net_assets: &str) -> ClientClassification {
    ClientClassification {
        net_assets: usd(net_assets),
        knowledge_assessed: true,
        ..professional()
    }
}

fn case(
    id: &'static str,
    test: &'static str,
    entity_type: EntityType,
    classification: Option<ClientClassification>,
    approved: bool,
) -> Draft {
    Draft {
        id,
        test,
        entity_type,
        investor: InvestorProfile {
            assessed_on: Some(assessed_on()),
            classification,
            ..InvestorProfile::default()
        },
        red_flags: &[],
        matches: &[],
        status: if approved { Approved } else { Pending },
        rules: if approved { &[] } else { RULE },
    }
}

fn person(id: &'static str, test: &'static str, c: ClientClassification, approved: bool) -> Draft {
    case(id, test, EntityType::Individual, Some(c), approved)
}

fn undertaking(
    id: &'static str,
    test: &'static str,
    c: ClientClassification,
    approved: bool,
) -> Draft {
    case(id, test, EntityType::Corporate, Some(c), approved)
}

/// An escalation by the weighing of `flags` and `matches`, on an otherwise sound investor.
fn weighed(
    id: &'static str,
    test: &'static str,
    flags: &'static [RedFlag],
    matches: &'static [WatchlistKind],
    escalated: bool,
) -> Draft {
    Draft {
        red_flags: flags,
        matches,
        status: if escalated { Escalated } else { Approved },
        rules: if escalated { SIGNALS } else { &[] },
        ..person(id, test, assessed("2000000"), true)
    }
}

pub(super) fn golden() -> Vec<Golden> {
    let i = "COB 2.3.7(1) assessed individual: net assets of $1 million and experience";
    let u = "COB 2.3.8(1) assessed undertaking: own funds of $1 million and experience";
    let large =
        "COB 2.3.4(2) large undertaking: two of balance sheet $20m, turnover $40m, own funds $2m";
    let drafts = vec![
        person("ae-g-individual-at-the-line", i, assessed("1000000"), true),
        person("ae-g-individual-below", i, assessed("999999.99"), false),
        person(
            "ae-g-individual-professional-position",
            "COB 2.3.7(1)(b)(i) a professional position in the previous two years",
            ClientClassification {
                knowledge_assessed: false,
                professional_employment: true,
                ..assessed("1500000")
            },
            true,
        ),
        person(
            "ae-g-individual-no-experience",
            "COB 2.3.7(1)(b) neither a position nor assessed experience",
            ClientClassification {
                knowledge_assessed: false,
                ..assessed("1500000")
            },
            false,
        ),
        person(
            "ae-g-individual-in-dirhams",
            "COB 2.3.7(1)(a) in US dollars, no conversion",
            ClientClassification {
                net_assets: Some(m("4000000", "AED")),
                ..assessed("0")
            },
            false,
        ),
        person(
            "ae-g-no-written-notice",
            "COB 2.4.1(1) the written notice",
            ClientClassification {
                warning_given_on: None,
                ..assessed("2000000")
            },
            false,
        ),
        person(
            "ae-g-notice-after-the-assessment",
            "COB 2.4.1(1) the written notice before the service",
            ClientClassification {
                warning_given_on: Some(date(2027, 2, 2)),
                ..assessed("2000000")
            },
            false,
        ),
        person(
            "ae-g-reassessed-within-twelve-months",
            "COB 2.4.1 Guidance 2, periodic review: 12 months",
            ClientClassification {
                classified_on: date(2026, 2, 1),
                warning_given_on: Some(date(2026, 2, 1)),
                ..assessed("2000000")
            },
            true,
        ),
        person(
            "ae-g-reassessment-overdue",
            "COB 2.4.1 Guidance 2, periodic review: overdue",
            ClientClassification {
                classified_on: date(2026, 1, 31),
                warning_given_on: Some(date(2026, 1, 31)),
                ..assessed("2000000")
            },
            false,
        ),
        person(
            "ae-g-classified-after-the-assessment",
            "COB 2.3.1 classification before the service",
            ClientClassification {
                classified_on: date(2027, 2, 2),
                ..assessed("2000000")
            },
            false,
        ),
        person(
            "ae-g-retail-not-served",
            "COB 2.3 the licence serves Professional Clients only",
            ClientClassification {
                class: ClientClass::Retail,
                ..assessed("2000000")
            },
            false,
        ),
        person(
            "ae-g-vara-classification",
            "the licence decides the regime: a VARA classification under a DFSA licence",
            ClientClassification {
                regime: Regime::Vara,
                class: ClientClass::Qualified,
                ..assessed("2000000")
            },
            false,
        ),
        case(
            "ae-g-no-classification",
            "COB 2.3.1 every client is classified",
            EntityType::Individual,
            None,
            false,
        ),
        undertaking(
            "ae-g-large-undertaking",
            large,
            ClientClassification {
                balance_sheet_total: usd("20000000"),
                net_turnover: usd("40000000"),
                ..professional()
            },
            true,
        ),
        undertaking(
            "ae-g-large-undertaking-turnover-and-own-funds",
            large,
            ClientClassification {
                net_turnover: usd("40000000"),
                own_funds: usd("2000000"),
                ..professional()
            },
            true,
        ),
        undertaking(
            "ae-g-large-undertaking-one-test",
            large,
            ClientClassification {
                balance_sheet_total: usd("20000000"),
                net_turnover: usd("39999999.99"),
                own_funds: usd("1999999.99"),
                ..professional()
            },
            false,
        ),
        undertaking(
            "ae-g-undertaking-at-the-line",
            u,
            ClientClassification {
                own_funds: usd("1000000"),
                knowledge_assessed: true,
                ..professional()
            },
            true,
        ),
        undertaking(
            "ae-g-undertaking-below",
            u,
            ClientClassification {
                own_funds: usd("999999.99"),
                knowledge_assessed: true,
                ..professional()
            },
            false,
        ),
        undertaking(
            "ae-g-deemed-institution",
            "COB 2.3.4(1)(e) a regulated financial institution",
            ClientClassification {
                institutional: Some(InstitutionalCategory::RegulatedFinancialInstitution),
                ..professional()
            },
            true,
        ),
        weighed(
            "ae-g-adverse-media-match",
            "Cabinet Decision 10 of 2019, Art. 4: an adverse-media match weighs 2",
            &[],
            &[WatchlistKind::AdverseMedia],
            true,
        ),
        weighed(
            "ae-g-opaque-ownership",
            "Cabinet Decision 10 of 2019, Art. 4: opaque ownership weighs 2",
            &[RedFlag::OpaqueOwnership],
            &[],
            true,
        ),
        weighed(
            "ae-g-one-light-flag",
            "Cabinet Decision 10 of 2019, Art. 4: unusual activity alone weighs 1",
            &[RedFlag::UnusualActivity],
            &[],
            false,
        ),
        weighed(
            "ae-g-two-light-flags",
            "Cabinet Decision 10 of 2019, Art. 4: two light flags weigh 2",
            &[RedFlag::UnusualActivity, RedFlag::DocumentInconsistency],
            &[],
            true,
        ),
        Draft {
            rules: &["AE-PEP-EDD"],
            status: Escalated,
            ..weighed(
                "ae-g-pep",
                "a PEP match, weighed by AE-PEP-EDD",
                &[],
                &[WatchlistKind::Pep],
                false,
            )
        },
    ];
    // Every AE rule set in force weighs every signal: nothing is left unweighed.
    drafts
        .into_iter()
        .map(|d| {
            let mut g = d.build(Jurisdiction::Ae);
            g.expected_unweighed = compliance_domain::Signals::NONE;
            g
        })
        .collect()
}
