//! proptest strategies for cases, money and rules, shared by the property tests.
//!
//! Must not: generate personal data: ids and references only, made up.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
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

/// A date from 2020 to 2029, where the default rules' dates and ages fall.
pub fn date() -> impl Strategy<Value = NaiveDate> {
    (0i64..3650).prop_map(|days| {
        NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Duration::days(days)
    })
}

fn pick<T: TextForm + std::fmt::Debug>() -> impl Strategy<Value = T> {
    prop::sample::select(<T as strum::VariantArray>::VARIANTS)
}

fn reference() -> impl Strategy<Value = EvidenceRef> {
    "[A-Z]{2,6}-[0-9]{1,8}".prop_map(|r| EvidenceRef::parse(&r).unwrap())
}

pub fn reg_d() -> BoxedStrategy<RegDFacts> {
    let income = (
        pick::<Basis>(),
        2018u16..2030,
        money(),
        money(),
        any::<bool>(),
    )
        .prop_map(
            |(basis, recent_year, recent, prior, current_year_expected)| IncomeRecord {
                basis,
                recent_year,
                recent,
                prior,
                current_year_expected,
            },
        );
    let net_worth = (
        pick::<Basis>(),
        money(),
        money(),
        money(),
        money(),
        any::<bool>(),
    )
        .prop_map(
            |(basis, excluding_residence, value, debt, before, acquired)| NetWorthRecord {
                basis,
                excluding_residence,
                residence: PrimaryResidence {
                    value,
                    secured_debt: debt,
                    secured_debt_60_days_before: before,
                    increase_from_acquisition: acquired,
                },
            },
        );
    let certification =
        (pick::<CertificationKind>(), any::<bool>()).prop_map(|(kind, ok)| Certification {
            kind,
            crd_number: CrdNumber::parse("1234567").unwrap(),
            in_good_standing: ok,
        });
    let entity = (
        pick::<EntityCategory>(),
        any::<bool>(),
        prop::option::of(money()),
        prop::option::of(money()),
        any::<[bool; 3]>(),
    )
        .prop_map(
            |(category, formed, total_assets, investments, b)| RegDEntity {
                category,
                formed_to_invest: formed,
                total_assets,
                investments,
                all_owners_accredited: b[0],
                directed_by_sophisticated_person: b[1],
                family_office_directed: b[2],
            },
        );
    let verification = (
        pick::<VerificationMethod>(),
        pick::<Verifier>(),
        reference(),
        date(),
        any::<bool>(),
    )
        .prop_map(
            |(method, verifier, verifier_ref, verified_on, rep)| Verification {
                method,
                verifier,
                verifier_ref,
                verified_on,
                written_representation: rep,
            },
        );
    (
        prop::option::of(income),
        prop::option::of(net_worth),
        prop::collection::vec(certification, 0..3),
        prop::option::of(pick::<IssuerRole>()),
        prop::option::of(entity),
        prop::collection::vec(verification, 0..3),
    )
        .prop_map(
            |(income, net_worth, certifications, issuer_role, entity, verifications)| RegDFacts {
                income,
                net_worth,
                certifications,
                issuer_role,
                entity,
                verifications,
            },
        )
        .boxed()
}

pub fn sebi() -> BoxedStrategy<SebiFacts> {
    let certificate =
        (reference(), reference(), date(), 0i64..1500).prop_map(|(a, n, from, days)| {
            AccreditationCertificate::new(a, n, from, from + chrono::Duration::days(days)).unwrap()
        });
    let net_worth = (amount(), 0u32..=100).prop_map(|(total, percent)| {
        let part = total * Decimal::from(percent) / Decimal::from(100);
        let part = Money::new(part.round_dp(4).min(total), Currency::INR).unwrap();
        NetWorth::new(Money::new(total, Currency::INR).unwrap(), part).unwrap()
    });
    (
        pick::<SebiInvestorClass>(),
        prop::option::of(pick::<SebiDeemed>()),
        prop::option::of(money()),
        prop::option::of(net_worth),
        any::<bool>(),
        prop::option::of(certificate),
    )
        .prop_map(
            |(class, deemed, annual_income, net_worth, partners, certificate)| SebiFacts {
                class,
                deemed,
                annual_income,
                net_worth,
                all_partners_eligible: partners,
                certificate,
            },
        )
        .boxed()
}

pub fn classification() -> BoxedStrategy<ClientClassification> {
    (
        pick::<Regime>(),
        pick::<ClientClass>(),
        prop::option::of(pick::<InstitutionalCategory>()),
        prop::collection::vec(prop::option::of(money()), 5),
        any::<[bool; 2]>(),
        prop::option::of(date()),
        date(),
    )
        .prop_map(
            |(regime, class, institutional, m, b, warning_given_on, classified_on)| {
                ClientClassification {
                    regime,
                    class,
                    institutional,
                    net_assets: m[0],
                    annual_income: m[1],
                    own_funds: m[2],
                    balance_sheet_total: m[3],
                    net_turnover: m[4],
                    professional_employment: b[0],
                    knowledge_assessed: b[1],
                    warning_given_on,
                    classified_on,
                }
            },
        )
        .boxed()
}

pub fn investor() -> BoxedStrategy<InvestorProfile> {
    (
        prop::option::of(money()),
        prop::option::of(money()),
        prop::option::of(money()),
        any::<bool>(),
        prop::option::of(date()),
        prop::option::of(reg_d()),
        prop::option::of(sebi()),
        prop::option::of(classification()),
    )
        .prop_map(
            |(
                net_worth,
                annual_income,
                total_assets,
                accreditation_verified,
                assessed_on,
                reg_d,
                sebi,
                classification,
            )| InvestorProfile {
                net_worth,
                annual_income,
                total_assets,
                accreditation_verified,
                assessed_on,
                reg_d,
                sebi,
                classification,
            },
        )
        .boxed()
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
        // Asserted (unscored) or scored, with a bias to the default bands' lines.
        prop::option::of(prop_oneof![
            0u16..=10_000,
            prop::sample::select(vec![8499u16, 8500, 8501, 9499, 9500, 9501]),
        ]),
    )
        .prop_map(|(kind, list, entry, points)| WatchlistMatch {
            kind,
            list: ListName::parse(list).unwrap(),
            entry: ListEntryRef::parse(&entry).unwrap(),
            score: points.and_then(MatchScore::from_basis_points),
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
        12 => check_kind(),
        1 => review_intervals().prop_map(RuleKind::PeriodicReview),
    ]
}

/// A kind that checks a case (every kind but `periodic_review`).
pub fn check_kind() -> impl Strategy<Value = RuleKind> {
    prop_oneof![
        Just(RuleKind::SanctionsMatch),
        Just(RuleKind::PepMatch),
        screening_match().prop_map(RuleKind::ScreeningMatch),
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
        reg_d_rule().prop_map(RuleKind::RegDAccreditation),
        sebi_rule().prop_map(RuleKind::SebiAccreditation),
        classification_rule().prop_map(RuleKind::InvestorClassification),
        risk_signals().prop_map(RuleKind::RiskSignals),
    ]
}

/// A screening band on any list kind, from any score above 0, with any outcome it allows.
pub fn screening_match() -> impl Strategy<Value = ScreeningMatch> {
    (
        pick::<WatchlistKind>(),
        prop_oneof![1u16..=10_000, prop::sample::select(vec![8500u16, 9500])],
        prop::sample::select(vec![
            CheckStatus::Pending,
            CheckStatus::Escalated,
            CheckStatus::Rejected,
        ]),
    )
        .prop_map(|(kind, points, outcome)| {
            let score = MatchScore::from_basis_points(points).unwrap();
            ScreeningMatch::new(kind, score, outcome).unwrap()
        })
}

fn reg_d_rule() -> impl Strategy<Value = RegDAccreditation> {
    (
        currency(),
        prop::collection::vec(amount(), 5),
        prop::sample::subsequence(<CertificationKind as strum::VariantArray>::VARIANTS, 0..=3),
        1u8..=12,
    )
        .prop_map(|(c, a, certifications, months)| {
            let m = |x: Decimal| Money::new(x, c).unwrap();
            RegDAccreditation::new(
                m(a[0]),
                m(a[1]),
                m(a[2]),
                m(a[3]),
                m(a[4]),
                certifications,
                months,
            )
            .unwrap()
        })
}

fn sebi_rule() -> impl Strategy<Value = SebiAccreditation> {
    (currency(), prop::collection::vec(amount(), 7), 1u8..=60).prop_map(|(c, mut a, months)| {
        // Each financial-assets part is at most its net worth.
        a[2] = a[2].min(a[1]);
        a[5] = a[5].min(a[4]);
        let m = |x: Decimal| Money::new(x, c).unwrap();
        SebiAccreditation::new(
            [
                m(a[0]),
                m(a[1]),
                m(a[2]),
                m(a[3]),
                m(a[4]),
                m(a[5]),
                m(a[6]),
            ],
            months,
        )
        .unwrap()
    })
}

fn classification_rule() -> impl Strategy<Value = InvestorClassification> {
    (
        currency(),
        any::<bool>(),
        prop::collection::vec(amount(), 5),
        1u8..=36,
        any::<u8>(),
    )
        .prop_map(|(c, dfsa, a, months, pick)| {
            let m = |x: Decimal| Money::new(x, c).unwrap();
            let (licence, classes, keys): (_, &[ClientClass], &[&str]) = if dfsa {
                (
                    Licence::Dfsa,
                    &[ClientClass::Retail, ClientClass::Professional],
                    &[
                        "individual_net_assets",
                        "undertaking_own_funds",
                        "large_balance_sheet",
                        "large_turnover",
                        "large_own_funds",
                    ],
                )
            } else {
                (
                    Licence::Vara,
                    &[
                        ClientClass::Retail,
                        ClientClass::Qualified,
                        ClientClass::Institutional,
                    ],
                    &[
                        "individual_net_assets",
                        "individual_income",
                        "entity_net_assets",
                    ],
                )
            };
            let permitted: Vec<ClientClass> = classes
                .iter()
                .enumerate()
                .filter(|(i, _)| pick & (1 << i) != 0)
                .map(|(_, c)| *c)
                .collect();
            let permitted = if permitted.is_empty() {
                vec![classes[1]]
            } else {
                permitted
            };
            let thresholds: Vec<(&str, Money)> =
                keys.iter().zip(a).map(|(k, x)| (*k, m(x))).collect();
            InvestorClassification::new(licence, permitted, &thresholds, months).unwrap()
        })
}

fn risk_signals() -> impl Strategy<Value = RiskSignals> {
    (
        prop::collection::vec((pick::<RedFlag>(), 1u8..=10), 0..4),
        prop::collection::vec((pick::<WatchlistKind>(), 1u8..=10), 0..3),
        1u8..=100,
        prop::sample::select(vec![
            CheckStatus::Pending,
            CheckStatus::Escalated,
            CheckStatus::Rejected,
        ]),
    )
        .prop_filter_map("weighs something", |(flags, matches, min, outcome)| {
            RiskSignals::new(&flags, &matches, min, outcome).ok()
        })
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

/// The default rules in force from 2027-01-01 (issue 24's versions), for `jurisdiction`.
pub fn default_set_of_2027(jurisdiction: Jurisdiction) -> RuleSet {
    RuleSet::in_force(
        &default_rules(),
        jurisdiction,
        accreditation_effective_from(),
    )
    .unwrap()
}
