//! proptest strategies for cases, money and rules, shared by the property tests.
//!
//! Must not: generate personal data: ids and references only, made up.

use chrono::{DateTime, TimeZone, Utc};
use compliance_domain::*;
use compliance_rules::*;
use proptest::prelude::*;
use std::collections::BTreeSet;

pub const JURISDICTIONS: [Jurisdiction; 3] = [Jurisdiction::Ae, Jurisdiction::In, Jurisdiction::Us];
pub const ENTITY_TYPES: [EntityType; 3] = [
    EntityType::Individual,
    EntityType::Corporate,
    EntityType::Fund,
];
pub const DOCUMENTS: [DocumentKind; 13] = [
    DocumentKind::Passport,
    DocumentKind::NationalId,
    DocumentKind::ProofOfAddress,
    DocumentKind::TaxId,
    DocumentKind::LivenessCheck,
    DocumentKind::SourceOfFunds,
    DocumentKind::CertificateOfIncorporation,
    DocumentKind::ArticlesOfAssociation,
    DocumentKind::RegisterOfDirectors,
    DocumentKind::BeneficialOwnership,
    DocumentKind::FundConstitution,
    DocumentKind::FinancialStatements,
    DocumentKind::AccreditationLetter,
];
pub const RED_FLAGS: [RedFlag; 7] = [
    RedFlag::AdverseMedia,
    RedFlag::HighRiskCountry,
    RedFlag::UnverifiedSourceOfFunds,
    RedFlag::DocumentInconsistency,
    RedFlag::OpaqueOwnership,
    RedFlag::UnusualActivity,
    RedFlag::IdentityMismatch,
];
const LISTS: [&str; 6] = [
    "OFAC-SDN",
    "UN-SC-CONSOLIDATED",
    "UAE-LOCAL-TERRORIST",
    "IN-MHA-UAPA",
    "DJRC-PEP",
    "DJRC-ADVERSE-MEDIA",
];

pub fn jurisdiction() -> impl Strategy<Value = Jurisdiction> {
    prop::sample::select(&JURISDICTIONS[..])
}

pub fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(vec![
        Currency::USD,
        Currency::INR,
        Currency::AED,
        Currency::parse("EUR").unwrap(),
    ])
}

/// Amounts from zero to the largest the domain accepts, with a bias to the default thresholds'
/// neighbourhoods, where an off-by-one would show.
pub fn amount() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        (0i64..1_000_000_000_000_000).prop_map(|units| Decimal::new(units, 0)),
        (0i64..=i64::MAX).prop_map(|units| Decimal::new(units, 4)),
        prop::sample::select(vec![
            199_999i64,
            200_000,
            200_001,
            999_999,
            1_000_000,
            1_000_001,
            4_999_999,
            5_000_000,
            5_000_001,
            10_000_000,
            20_000_000,
            50_000_000,
            75_000_000,
            500_000_000,
        ])
        .prop_map(|units| Decimal::new(units, 0)),
        (0i64..=10_000).prop_map(|cents| Decimal::new(100_000_000 + cents - 5_000, 2)),
    ]
}

pub fn money() -> impl Strategy<Value = Money> {
    (amount(), currency()).prop_map(|(amount, currency)| Money::new(amount, currency).unwrap())
}

pub fn investor() -> impl Strategy<Value = InvestorProfile> {
    (
        prop::option::of(money()),
        prop::option::of(money()),
        prop::option::of(money()),
        any::<bool>(),
    )
        .prop_map(
            |(net_worth, annual_income, total_assets, accreditation_verified)| InvestorProfile {
                net_worth,
                annual_income,
                total_assets,
                accreditation_verified,
            },
        )
}

pub fn watchlist_match() -> impl Strategy<Value = WatchlistMatch> {
    (
        prop::sample::select(vec![
            WatchlistKind::Sanctions,
            WatchlistKind::Pep,
            WatchlistKind::AdverseMedia,
        ]),
        prop::sample::select(&LISTS[..]),
        "[A-Z]{2,4}-[0-9]{1,6}",
    )
        .prop_map(|(kind, list, entry)| WatchlistMatch {
            kind,
            list: ListName::parse(list).unwrap(),
            entry: ListEntryRef::parse(&entry).unwrap(),
        })
}

pub fn case_in(jurisdiction: Jurisdiction) -> impl Strategy<Value = Case> {
    (
        "[a-z]{2}-[a-z]{3,5}-[0-9]{3}",
        prop::sample::select(&ENTITY_TYPES[..]),
        0u8..=100,
        prop::collection::btree_set(prop::sample::select(&DOCUMENTS[..]), 0..=13),
        prop::collection::btree_set(prop::sample::select(&RED_FLAGS[..]), 0..=7),
        investor(),
        0u8..=100,
        prop::collection::vec(watchlist_match(), 0..4),
    )
        .prop_map(
            move |(
                id,
                entity_type,
                verification,
                documents,
                red_flags,
                investor,
                risk,
                matches,
            )| {
                Case {
                    kyc: KycCheck {
                        entity_id: EntityId::parse(&id).unwrap(),
                        entity_type,
                        jurisdiction,
                        verification_score: VerificationScore::new(verification).unwrap(),
                        documents,
                        red_flags,
                        investor,
                    },
                    aml: AmlScreening {
                        risk_score: RiskScore::new(risk).unwrap(),
                        matches,
                        provider: ScreeningProvider::parse("refinitiv-world-check").unwrap(),
                        watchlist_version: WatchlistVersion::parse("ofac-2026-02-27").unwrap(),
                    },
                }
            },
        )
}

pub fn case() -> impl Strategy<Value = Case> {
    jurisdiction().prop_flat_map(case_in)
}

fn document_set() -> impl Strategy<Value = DocumentSet> {
    prop::collection::btree_set(prop::sample::select(&DOCUMENTS[..]), 0..=5)
        .prop_map(|kinds: BTreeSet<DocumentKind>| kinds.into_iter().collect())
}

fn test_of(currency: Currency) -> impl Strategy<Value = AccreditationTest> {
    (
        prop::option::of(amount()),
        prop::option::of(amount()),
        prop::option::of(amount()),
    )
        .prop_filter_map("a test needs a threshold", move |(a, b, c)| {
            let m = |x: Option<Decimal>| x.map(|x| Money::new(x, currency).unwrap());
            AccreditationTest::new(m(a), m(b), m(c)).ok()
        })
}

fn accreditation() -> impl Strategy<Value = Accreditation> {
    (
        currency(),
        prop::sample::subsequence(&ENTITY_TYPES[..], 1..=3),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_flat_map(|(currency, types, verified, strict)| {
            let individuals = types.contains(&EntityType::Individual);
            let entities = types.iter().any(|t| t.is_legal_person());
            let tests = move |applies: bool| {
                prop::collection::vec(test_of(currency), if applies { 1..4 } else { 0..1 })
            };
            (
                Just(types),
                Just(verified),
                Just(strict),
                tests(individuals),
                tests(entities),
            )
        })
        .prop_map(|(types, verified, strict, individual, entity)| {
            let comparison = if strict {
                Comparison::MoreThan
            } else {
                Comparison::AtLeast
            };
            Accreditation::new(&types, verified, comparison, individual, entity).unwrap()
        })
}

/// Review intervals in months, each 1 to 120 and never longer for a riskier level.
pub fn review_intervals() -> impl Strategy<Value = ReviewIntervals> {
    prop::collection::vec(1u32..=ReviewIntervals::MAX_MONTHS, 4).prop_map(|mut months| {
        months.sort_unstable_by(|a, b| b.cmp(a));
        ReviewIntervals::new(months[0], months[1], months[2], months[3]).unwrap()
    })
}

/// Any kind, the `periodic_review` policy included.
pub fn kind() -> impl Strategy<Value = RuleKind> {
    prop_oneof![
        7 => check_kind(),
        1 => review_intervals().prop_map(RuleKind::PeriodicReview),
    ]
}

/// A kind that checks a case (every kind but `periodic_review`).
pub fn check_kind() -> impl Strategy<Value = RuleKind> {
    prop_oneof![
        Just(RuleKind::SanctionsMatch),
        Just(RuleKind::PepMatch),
        (
            1u8..=100,
            prop::sample::select(vec![CheckStatus::Escalated, CheckStatus::Rejected])
        )
            .prop_map(|(s, o)| RuleKind::RiskScore(
                RiskThreshold::new(RiskScore::new(s).unwrap(), o).unwrap()
            )),
        (
            1u8..=100,
            prop::sample::select(vec![CheckStatus::Pending, CheckStatus::Escalated])
        )
            .prop_map(|(s, o)| RuleKind::VerificationScore(
                VerificationMinimum::new(VerificationScore::new(s).unwrap(), o).unwrap()
            )),
        (1u8..=7).prop_map(|n| RuleKind::RedFlags(RedFlagLimit::new(n).unwrap())),
        (document_set(), document_set(), document_set()).prop_filter_map(
            "some document required",
            |(i, c, f)| RequiredDocuments::new(i, c, f)
                .ok()
                .map(RuleKind::RequiredDocuments)
        ),
        accreditation().prop_map(RuleKind::Accreditation),
    ]
}

/// A time in whole microseconds between 2000 and 2100.
pub fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (946_684_800_000_000i64..4_102_444_800_000_000)
        .prop_map(|micros| Utc.timestamp_micros(micros).unwrap())
}

pub fn period() -> impl Strategy<Value = EffectivePeriod> {
    (instant(), prop::option::of(1i64..315_576_000_000_000)).prop_map(|(from, length)| {
        let to = length.map(|micros| from + chrono::Duration::microseconds(micros));
        EffectivePeriod::new(from, to).unwrap()
    })
}

pub fn text() -> impl Strategy<Value = String> {
    "[A-Z][A-Za-z0-9 ().;,§-]{0,120}[a-z0-9.)]"
}

pub fn rule_in(jurisdiction: Jurisdiction) -> impl Strategy<Value = Rule> {
    (
        "[A-Z]{2}(-[A-Z0-9]{1,8}){1,3}",
        1u32..=i32::MAX as u32,
        period(),
        text(),
        text(),
        kind(),
    )
        .prop_map(
            move |(code, version, period, regulation, description, kind)| {
                let rule = RuleRef {
                    code: RuleCode::parse(&code).unwrap(),
                    version: RuleVersion::new(version).unwrap(),
                };
                Rule::new(jurisdiction, rule, period, &regulation, &description, kind).unwrap()
            },
        )
}

pub fn rule() -> impl Strategy<Value = Rule> {
    jurisdiction().prop_flat_map(rule_in)
}

/// A rule set of `jurisdiction` with 1 to 8 checks of random kinds and perhaps a review policy
/// (a set holds at most one), codes `XX-R0`.., all open-ended from 2026-01-01.
pub fn rule_set_in(jurisdiction: Jurisdiction) -> impl Strategy<Value = RuleSet> {
    (
        prop::collection::vec(check_kind(), 1..8),
        prop::option::of(review_intervals()),
    )
        .prop_map(move |(mut kinds, review)| {
            kinds.extend(review.map(RuleKind::PeriodicReview));
            let rules: Vec<Rule> = kinds
                .into_iter()
                .enumerate()
                .map(|(i, kind)| {
                    let period = EffectivePeriod::starting(default_effective_from()).unwrap();
                    test_rule(jurisdiction, &format!("{jurisdiction}-R{i}"), period, kind)
                })
                .collect();
            RuleSet::in_force(&rules, jurisdiction, scenarios::decided_at()).unwrap()
        })
}

/// Version 1 of a test rule of `jurisdiction` with `code` and `kind`, in force over `period`.
pub fn test_rule(
    jurisdiction: Jurisdiction,
    code: &str,
    period: EffectivePeriod,
    kind: RuleKind,
) -> Rule {
    let rule = RuleRef {
        code: RuleCode::parse(code).unwrap(),
        version: RuleVersion::FIRST,
    };
    Rule::new(
        jurisdiction,
        rule,
        period,
        "Test regulation",
        "A test rule.",
        kind,
    )
    .unwrap()
}

/// The default rules in force at the seed date, for `jurisdiction`.
pub fn default_set(jurisdiction: Jurisdiction) -> RuleSet {
    RuleSet::in_force(&default_rules(), jurisdiction, scenarios::decided_at()).unwrap()
}
