//! The `periodic_review` policy: its parameters round-trip and every malformed months object is
//! refused naming the field; it never changes a decision; a rule set holds at most one; and the
//! next review date grows with the interval and never comes later for more risk.
//!
//! Must not: check dates against a hand-written calendar: every exact date here and in the unit
//! test beside `RuleSet::next_review` was computed by PostgreSQL.

use crate::strategies::{self, default_set, test_rule as rule};
use chrono::{DateTime, Duration, Utc};
use compliance_domain::*;
use compliance_rules::*;
use proptest::prelude::*;
use serde_json::{Value, json};

const LEVELS: [RiskLevel; 4] = [
    RiskLevel::Low,
    RiskLevel::Medium,
    RiskLevel::High,
    RiskLevel::Critical,
];

fn level() -> impl Strategy<Value = RiskLevel> {
    prop::sample::select(&LEVELS[..])
}

fn open_ended() -> EffectivePeriod {
    EffectivePeriod::starting(default_effective_from()).unwrap()
}

/// The default checks of `jurisdiction` with `intervals` as its review policy instead of the
/// default one (or with none).
fn with_policy(jurisdiction: Jurisdiction, intervals: Option<ReviewIntervals>) -> RuleSet {
    let mut rules: Vec<Rule> = default_set(jurisdiction)
        .rules()
        .iter()
        .filter(|r| !matches!(r.kind(), RuleKind::PeriodicReview(_)))
        .cloned()
        .collect();
    let code = format!("{jurisdiction}-TEST-REVIEW");
    rules.extend(intervals.map(|i| {
        rule(
            jurisdiction,
            &code,
            open_ended(),
            RuleKind::PeriodicReview(i),
        )
    }));
    RuleSet::in_force(&rules, jurisdiction, scenarios::decided_at()).unwrap()
}

/// The months object of `intervals` with `change` applied, read back as parameters.
fn read_months(
    intervals: ReviewIntervals,
    change: impl FnOnce(&mut serde_json::Map<String, Value>),
) -> Result<RuleKind, FieldError> {
    let mut parameters = RuleKind::PeriodicReview(intervals).to_parameters();
    change(parameters["months"].as_object_mut().unwrap());
    RuleKind::from_parameters(&parameters)
}

/// What a malformation does to the months object, and the field it must be refused at.
#[derive(Debug, Clone)]
enum Malformation {
    Missing(RiskLevel),
    Extra(&'static str),
    NotInteger(RiskLevel, Value),
    Set(RiskLevel, i64),
}

fn malformation() -> impl Strategy<Value = Malformation> {
    let not_integer = prop::sample::select(vec![
        json!("12"),
        json!(12.5),
        json!(12.0),
        json!(null),
        json!(true),
        json!([12]),
        json!({"months": 12}),
    ]);
    prop_oneof![
        level().prop_map(Malformation::Missing),
        prop::sample::select(vec!["low", "Low", "EXTREME", "NONE", "kind", ""])
            .prop_map(Malformation::Extra),
        (level(), not_integer).prop_map(|(l, v)| Malformation::NotInteger(l, v)),
        (
            level(),
            prop_oneof![Just(0i64), Just(121), Just(-1), Just(i64::MAX)]
        )
            .prop_map(|(l, n)| Malformation::Set(l, n)),
    ]
}

proptest! {
    /// Every kind's parameters read back as the same kind.
    #[test]
    fn parameters_round_trip(kind in strategies::kind()) {
        prop_assert_eq!(RuleKind::from_parameters(&kind.to_parameters()).unwrap(), kind);
    }

    /// A review policy is stored as exactly one integer per risk level, keyed by its text form.
    #[test]
    fn a_policy_is_stored_as_one_integer_per_level(intervals in strategies::review_intervals()) {
        let parameters = RuleKind::PeriodicReview(intervals).to_parameters();
        let mut months = serde_json::Map::new();
        for level in LEVELS {
            months.insert(level.as_str().to_owned(), json!(intervals.months(level)));
        }
        prop_assert_eq!(parameters, json!({"kind": "periodic_review", "months": months}));
    }

    /// A missing level, an extra key, a value that is not an integer, or one outside 1-120 is
    /// refused at that very key.
    #[test]
    fn malformed_months_are_refused_naming_the_field(
        intervals in strategies::review_intervals(),
        broken in malformation(),
    ) {
        let key = match &broken {
            Malformation::Missing(l) | Malformation::NotInteger(l, _) | Malformation::Set(l, _) => {
                l.as_str()
            }
            Malformation::Extra(key) => key,
        };
        let err = read_months(intervals, |months| match broken.clone() {
            Malformation::Missing(l) => {
                months.remove(l.as_str());
            }
            Malformation::Extra(key) => {
                months.insert(key.to_owned(), json!(12));
            }
            Malformation::NotInteger(l, v) => {
                months.insert(l.as_str().to_owned(), v);
            }
            Malformation::Set(l, n) => {
                months.insert(l.as_str().to_owned(), json!(n));
            }
        });
        let err = err.unwrap_err();
        prop_assert_eq!(&err.field, &format!("parameters.months.{key}"), "{:?}: {}", broken, err);
        let expected_problem = match broken {
            Malformation::Missing(_) => matches!(err.problem, Problem::Missing),
            Malformation::Extra(_) => {
                matches!(err.problem, Problem::Unexpected { kind: "periodic_review" })
            }
            Malformation::NotInteger(..) | Malformation::Set(..) => matches!(
                err.problem,
                Problem::WrongType { .. } | Problem::OutOfRange { .. }
            ),
        };
        prop_assert!(expected_problem, "{}", err);
        prop_assert!(err.to_string().len() < 200, "{}", err);
    }

    /// A riskier level with a longer interval than the level before it is refused at the
    /// riskier level, saying which level it exceeds.
    #[test]
    fn intervals_increasing_with_risk_are_refused_at_the_riskier_level(
        intervals in strategies::review_intervals(),
        pick in 0usize..3,
        raise in 1u32..=119,
    ) {
        let (safer, riskier) = (LEVELS[pick], LEVELS[pick + 1]);
        let base = intervals.months(safer);
        prop_assume!(base < ReviewIntervals::MAX_MONTHS);
        let months = (base + raise).min(ReviewIntervals::MAX_MONTHS);
        let err = read_months(intervals, |m| {
            m.insert(riskier.as_str().to_owned(), json!(months));
        })
        .unwrap_err();
        prop_assert_eq!(err.field, format!("parameters.months.{riskier}"));
        let message = err.problem.to_string();
        prop_assert!(message.contains(&format!("more than {safer}'s {base}")), "{}", message);
    }

    /// Adding a review policy to any set changes no decision: it never fires.
    #[test]
    fn a_policy_never_changes_a_decision(
        case in strategies::case(),
        intervals in strategies::review_intervals(),
    ) {
        let j = case.kyc.jurisdiction;
        let without = evaluate(&case, &with_policy(j, None)).unwrap();
        let with = with_policy(j, Some(intervals));
        prop_assert_eq!(with.review_interval(RiskLevel::Low), Some(intervals.months(RiskLevel::Low)));
        prop_assert_eq!(evaluate(&case, &with).unwrap(), without);
    }

    /// The next review comes strictly later for a longer interval, after the approval, and never
    /// later for a riskier level.
    #[test]
    fn next_review_is_monotone_in_the_interval(
        approved in strategies::instant(),
        a in strategies::review_intervals(),
        b in strategies::review_intervals(),
        level in level(),
        j in strategies::jurisdiction(),
    ) {
        let next = |intervals| -> DateTime<Utc> {
            with_policy(j, Some(intervals)).next_review(level, approved).unwrap()
        };
        let (ma, mb) = (a.months(level), b.months(level));
        let (na, nb) = (next(a), next(b));
        prop_assert_eq!(ma.cmp(&mb), na.cmp(&nb), "{} vs {} months from {}", ma, mb, approved);
        // Between 28 days a month (February) and 31 (the longest month) after the approval.
        prop_assert!(na >= approved + Duration::days(28 * i64::from(ma)));
        prop_assert!(na <= approved + Duration::days(31 * i64::from(ma)));
        let set = with_policy(j, Some(a));
        let dates: Vec<_> = LEVELS.iter().map(|l| set.next_review(*l, approved).unwrap()).collect();
        prop_assert!(dates.windows(2).all(|w| w[1] <= w[0]), "{:?}", dates);
    }

    /// A later approval never gives a review date more than a day earlier. It can give one a few
    /// hours earlier: the day is clamped to the month's end but the time of day is kept, as
    /// PostgreSQL does (see `a_later_approval_can_fall_due_hours_earlier`).
    #[test]
    fn a_later_approval_never_falls_due_a_day_earlier(
        approved in strategies::instant(),
        later_by in 0i64..100_000_000_000,
        intervals in strategies::review_intervals(),
        level in level(),
    ) {
        let set = with_policy(Jurisdiction::Us, Some(intervals));
        let later = approved + Duration::microseconds(later_by);
        let (first, second) = (
            set.next_review(level, approved).unwrap(),
            set.next_review(level, later).unwrap(),
        );
        prop_assert!(second > first - Duration::days(1), "{} -> {}, {} -> {}", approved, first, later, second);
    }
}

#[test]
fn every_jurisdiction_has_a_default_policy_and_none_can_mean_none() {
    for j in strategies::JURISDICTIONS {
        let set = default_set(j);
        for level in LEVELS {
            assert!(set.review_interval(level).is_some(), "{j} {level}");
        }
        let bare = with_policy(j, None);
        assert_eq!(bare.review_interval(RiskLevel::High), None);
        assert_eq!(
            bare.next_review(RiskLevel::High, default_effective_from()),
            None
        );
    }
}

#[test]
fn a_malformed_policy_row_is_refused_naming_the_row_and_the_level() {
    let rules = default_rules();
    let mut row = rules
        .iter()
        .find(|r| r.code().as_str() == "IN-PERIODIC-REVIEW")
        .unwrap()
        .to_stored();
    row.parameters["months"]["HIGH"] = json!(121);
    assert_eq!(
        Rule::try_from(row).unwrap_err().to_string(),
        r#"rule row (jurisdiction "IN", code "IN-PERIODIC-REVIEW", version 1) refused: parameters.months.HIGH must be an integer number of months from 1 to 120, got 121"#
    );
    for (parameters, field) in [
        (json!({"kind": "periodic_review"}), "parameters.months"),
        (
            json!({"kind": "periodic_review", "months": [36, 24, 12, 6]}),
            "parameters.months",
        ),
        (
            json!({"kind": "periodic_review", "months": {"LOW": 36, "MEDIUM": 24, "HIGH": 12, "CRITICAL": 6}, "days": 1}),
            "parameters.days",
        ),
    ] {
        let err = RuleKind::from_parameters(&parameters).unwrap_err();
        assert_eq!(err.field, field, "{parameters}: {err}");
    }
}

#[test]
fn two_review_policies_in_force_together_are_refused_naming_both() {
    let j = Jurisdiction::Ae;
    let start = default_effective_from();
    let switch = start + Duration::days(90);
    let intervals = ReviewIntervals::new(24, 24, 12, 6).unwrap();
    let mut pool = default_rules();
    let until_switch = EffectivePeriod::new(start, Some(switch)).unwrap();
    let from_switch = EffectivePeriod::starting(switch).unwrap();
    // AE-PERIODIC-REVIEW is in force throughout; a second code from the switch on.
    pool.push(rule(
        j,
        "AE-REVIEW-BIS",
        from_switch,
        RuleKind::PeriodicReview(intervals),
    ));
    assert!(RuleSet::in_force(&pool, j, switch - Duration::microseconds(1)).is_ok());
    let err = RuleSet::in_force(&pool, j, switch).unwrap_err();
    let RuleSetError::TwoReviewPolicies { first, second, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(
        (first.as_str(), second.as_str()),
        ("AE-PERIODIC-REVIEW", "AE-REVIEW-BIS")
    );
    assert_eq!(
        err.to_string(),
        format!(
            "AE rules AE-PERIODIC-REVIEW and AE-REVIEW-BIS are both of kind periodic_review and each is in force at {switch}: a jurisdiction has one review policy at a time; end one where the other begins"
        )
    );
    // Pinned together, as no decision made with `in_force` could have recorded them (every AE
    // rule in force at the switch, one version of each code).
    let refs: Vec<RuleRef> = pool
        .iter()
        .filter(|r| r.jurisdiction() == j && r.is_in_force(switch))
        .map(|r| r.rule_ref().clone())
        .collect();
    let err = RuleSet::pinned(&pool, j, &refs).unwrap_err();
    assert!(
        matches!(err, RuleSetError::TwoReviewPolicies { .. }),
        "{err}"
    );

    // The same new code ending the default one where it begins is a clean hand-over.
    let mut handed_over: Vec<Rule> = default_rules()
        .into_iter()
        .filter(|r| r.code().as_str() != "AE-PERIODIC-REVIEW")
        .collect();
    let old = default_rules()
        .into_iter()
        .find(|r| r.code().as_str() == "AE-PERIODIC-REVIEW")
        .unwrap();
    handed_over.push(rule(
        j,
        "AE-PERIODIC-REVIEW",
        until_switch,
        old.kind().clone(),
    ));
    handed_over.push(rule(
        j,
        "AE-REVIEW-BIS",
        from_switch,
        RuleKind::PeriodicReview(intervals),
    ));
    let before = RuleSet::in_force(&handed_over, j, switch - Duration::microseconds(1)).unwrap();
    let after = RuleSet::in_force(&handed_over, j, switch).unwrap();
    assert_eq!(before.review_interval(RiskLevel::Low), Some(36));
    assert_eq!(after.review_interval(RiskLevel::Low), Some(24));
}

#[test]
fn a_set_with_only_a_review_policy_is_refused_as_empty() {
    let policy = rule(
        Jurisdiction::Us,
        "US-ONLY-REVIEW",
        open_ended(),
        RuleKind::PeriodicReview(ReviewIntervals::new(36, 24, 12, 6).unwrap()),
    );
    let err = RuleSet::in_force(&[policy], Jurisdiction::Us, scenarios::decided_at()).unwrap_err();
    assert!(matches!(err, RuleSetError::Empty { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("no US rule that checks a case is in force at"),
        "{err}"
    );
}

/// PostgreSQL 15 computed both dates (`SET TimeZone = 'UTC'`): the later approval, clamped from
/// Feb 29 2047 to Feb 28, falls due at midnight, before the earlier one's 07:42. SQL that adds
/// months in UTC gives the same dates.
#[test]
fn a_later_approval_can_fall_due_hours_earlier() {
    let at = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().to_utc();
    let set = with_policy(
        Jurisdiction::In,
        Some(ReviewIntervals::new(58, 58, 1, 1).unwrap()),
    );
    let earlier = set.next_review(RiskLevel::Low, at("2042-04-28T07:42:34.409589Z"));
    let later = set.next_review(RiskLevel::Low, at("2042-04-29T00:00:00Z"));
    assert_eq!(earlier, Some(at("2047-02-28T07:42:34.409589Z")));
    assert_eq!(later, Some(at("2047-02-28T00:00:00Z")));
}
