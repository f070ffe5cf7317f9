//! The engine's properties over generated cases and rule sets: deterministic, total, monotone,
//! isolated by jurisdiction, and replayable from the rule versions a decision recorded.
//!
//! Must not: weaken a property to let a case through; a counterexample is a bug in the engine.

use crate::strategies::{self, default_set};
use chrono::Duration;
use compliance_domain::*;
use compliance_rules::*;
use proptest::prelude::*;
use std::collections::BTreeSet;

/// The default set of the case's jurisdiction (of 2026 or of 2027), or a generated one.
fn rules_for(jurisdiction: Jurisdiction) -> impl Strategy<Value = RuleSet> {
    prop_oneof![
        Just(default_set(jurisdiction)),
        Just(strategies::default_set_of_2027(jurisdiction)),
        strategies::rule_set_in(jurisdiction),
    ]
}

fn case_and_rules() -> impl Strategy<Value = (Case, RuleSet)> {
    strategies::jurisdiction().prop_flat_map(|j| (strategies::case_in(j), rules_for(j)))
}

fn fired(decision: &Decision) -> BTreeSet<RuleRef> {
    decision.reasons().iter().map(|r| r.rule.clone()).collect()
}

/// `after` is no more lenient than `before`, and every rule that fired before still fires.
fn no_more_lenient(before: &Decision, after: &Decision) -> Result<(), TestCaseError> {
    prop_assert!(
        after.status() >= before.status(),
        "{:?} -> {:?}",
        before.status(),
        after.status()
    );
    prop_assert!(fired(after).is_superset(&fired(before)));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn deterministic((case, rules) in case_and_rules()) {
        let first = evaluate(&case, &rules).unwrap();
        let again = evaluate(&case.clone(), &rules.clone()).unwrap();
        prop_assert_eq!(&first, &again);
        prop_assert_eq!(rules.evaluate(&case).unwrap(), first);
    }

    /// Any case against any rule pool: no panic; an error exactly when the jurisdictions differ;
    /// otherwise a decision whose status is the strictest reason and whose risk level is the
    /// score's.
    #[test]
    fn total(
        case in strategies::case(),
        extra in prop::collection::vec(strategies::rule(), 0..12),
        at in prop_oneof![Just(scenarios::decided_at()), strategies::instant()],
        jurisdiction in strategies::jurisdiction(),
    ) {
        // The default rules plus generated ones of any jurisdiction, period and kind.
        let mut pool = default_rules();
        pool.extend(extra);
        let rules = match RuleSet::in_force(&pool, jurisdiction, at) {
            Ok(rules) => rules,
            Err(RuleSetError::Empty { .. }) => {
                prop_assert!(at < default_effective_from());
                return Ok(());
            }
            // Two generated rules may share a code, or be two review policies; refusing them is
            // the point.
            Err(
                RuleSetError::Overlap { .. }
                | RuleSetError::Conflicting { .. }
                | RuleSetError::TwoReviewPolicies { .. },
            ) => return Ok(()),
            Err(other) => return Err(TestCaseError::fail(other.to_string())),
        };
        match evaluate(&case, &rules) {
            Err(EvaluateError::JurisdictionMismatch { case: c, rules: r }) => {
                prop_assert_eq!(c, case.kyc.jurisdiction);
                prop_assert_eq!(r, jurisdiction);
                prop_assert_ne!(c, r);
            }
            Ok(decision) => {
                prop_assert_eq!(case.kyc.jurisdiction, jurisdiction);
                prop_assert_eq!(decision.risk_level(), case.aml.risk_score.level());
                let strictest = decision.reasons().iter().map(|r| r.outcome).max();
                prop_assert_eq!(decision.status(), strictest.unwrap_or(CheckStatus::Approved));
                for reason in decision.reasons() {
                    let rule = rules.rules().iter().find(|r| r.rule_ref() == &reason.rule).unwrap();
                    prop_assert_eq!(reason.outcome, rule.outcome());
                    prop_assert_eq!(reason.stage, rule.stage());
                    prop_assert!(reason.explanation.ends_with('.'));
                    prop_assert!(!reason.explanation.contains(case.kyc.entity_id.as_str()));
                }
            }
        }
    }

    #[test]
    fn raising_the_risk_score_is_never_more_lenient((case, rules) in case_and_rules(), raise in 0u8..=100) {
        let before = evaluate(&case, &rules).unwrap();
        let mut raised = case;
        let score = raised.aml.risk_score.value().saturating_add(raise).min(100);
        raised.aml.risk_score = RiskScore::new(score).unwrap();
        no_more_lenient(&before, &evaluate(&raised, &rules).unwrap())?;
    }

    #[test]
    fn adding_a_sanctions_or_pep_match_is_never_more_lenient(
        (case, rules) in case_and_rules(),
        extra in strategies::watchlist_match(),
        pep in any::<bool>(),
    ) {
        let before = evaluate(&case, &rules).unwrap();
        let mut matched = case;
        let kind = if pep { WatchlistKind::Pep } else { WatchlistKind::Sanctions };
        matched.aml.matches.push(WatchlistMatch { kind, ..extra });
        let after = evaluate(&matched, &rules).unwrap();
        no_more_lenient(&before, &after)?;
        // With the default rules, the match itself decides at least this much.
        if rules == default_set(matched.kyc.jurisdiction) && !pep {
            prop_assert_eq!(after.status(), CheckStatus::Rejected);
        }
        if rules == default_set(matched.kyc.jurisdiction) && pep && matched.kyc.jurisdiction != Jurisdiction::Us {
            prop_assert!(after.status() >= CheckStatus::Escalated);
        }
    }

    #[test]
    fn removing_a_document_is_never_more_lenient((case, rules) in case_and_rules(), pick in any::<prop::sample::Index>()) {
        prop_assume!(!case.kyc.documents.is_empty());
        let before = evaluate(&case, &rules).unwrap();
        let mut fewer = case;
        let gone = *pick.get(&fewer.kyc.documents.iter().copied().collect::<Vec<_>>());
        fewer.kyc.documents.remove(&gone);
        no_more_lenient(&before, &evaluate(&fewer, &rules).unwrap())?;
    }

    #[test]
    fn adding_a_red_flag_is_never_more_lenient((case, rules) in case_and_rules(), flag in prop::sample::select(&strategies::RED_FLAGS[..])) {
        let before = evaluate(&case, &rules).unwrap();
        let mut flagged = case;
        flagged.kyc.red_flags.insert(flag);
        no_more_lenient(&before, &evaluate(&flagged, &rules).unwrap())?;
    }

    /// Rules of other jurisdictions in the pool, whatever their codes and periods, change nothing;
    /// and a case is refused by another jurisdiction's set.
    #[test]
    fn jurisdictions_are_isolated(
        case in strategies::case(),
        foreign in prop::collection::vec(strategies::rule(), 0..12),
    ) {
        let home = case.kyc.jurisdiction;
        let foreign: Vec<Rule> = foreign.into_iter().filter(|r| r.jurisdiction() != home).collect();
        let mut pool = default_rules();
        let alone = evaluate(&case, &default_set(home)).unwrap();
        pool.extend(foreign);
        let mixed = RuleSet::in_force(&pool, home, scenarios::decided_at()).unwrap();
        prop_assert_eq!(&mixed, &default_set(home));
        prop_assert_eq!(evaluate(&case, &mixed).unwrap(), alone);
        for other in strategies::JURISDICTIONS.into_iter().filter(|j| *j != home) {
            let is_mismatch = matches!(
                evaluate(&case, &default_set(other)),
                Err(EvaluateError::JurisdictionMismatch { .. })
            );
            prop_assert!(is_mismatch);
        }
    }

    /// A decision re-evaluated with the versions it recorded gives the same status and reasons,
    /// after every rule got a new version with other parameters (the old ones ended; a review
    /// policy's new version is a review policy, so that the set keeps one).
    #[test]
    fn replay_with_recorded_versions(
        (case, rules) in case_and_rules(),
        new_kinds in prop::collection::vec(strategies::check_kind(), 8),
        new_review in strategies::review_intervals(),
        days in 1i64..400,
    ) {
        let original = evaluate(&case, &rules).unwrap();
        let recorded = rules.refs();
        // After every version of the set began (the set of 2027 begins then, not in 2026).
        let began = rules.rules().iter().map(|r| r.period().from()).max().unwrap();
        let published = began.max(scenarios::decided_at()) + Duration::days(days);
        let mut pool = Vec::new();
        for (rule, kind) in rules.rules().iter().zip(new_kinds.iter().cycle()) {
            let kind = match rule.kind() {
                RuleKind::PeriodicReview(_) => &RuleKind::PeriodicReview(new_review),
                _ => kind,
            };
            let ended = EffectivePeriod::new(rule.period().from(), Some(published)).unwrap();
            let old = Rule::new(rule.jurisdiction(), rule.rule_ref().clone(), ended,
                rule.regulation(), rule.description(), rule.kind().clone()).unwrap();
            let next = RuleRef { code: rule.code().clone(), version: rule.version().next().unwrap() };
            let new = Rule::new(rule.jurisdiction(), next, EffectivePeriod::starting(published).unwrap(),
                rule.regulation(), "A later version.", kind.clone()).unwrap();
            pool.push(new);
            pool.push(old);
        }
        let jurisdiction = rules.jurisdiction();
        // The new versions are what is in force now; the old ones are what the decision used.
        let now = RuleSet::in_force(&pool, jurisdiction, published).unwrap();
        prop_assert!(now.refs().iter().all(|r| r.version.get() >= 2));
        let replay = RuleSet::pinned(&pool, jurisdiction, &recorded).unwrap();
        prop_assert_eq!(replay.refs(), recorded);
        prop_assert_eq!(evaluate(&case, &replay).unwrap(), original);
    }
}
