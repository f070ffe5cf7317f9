//! The `screening_match` kind and the sanctions bands of 2026-12-07: parameters read and refused
//! field by field, the bands in force, an asserted match decided as before, and a stronger score
//! never more lenient.
//!
//! Must not: compare scores as floats: every score here is basis points or a decimal literal.

use crate::strategies::{self, test_rule};
use compliance_domain::*;
use compliance_rules::*;
use proptest::prelude::*;
use serde_json::{Value, json};

const JURISDICTIONS: [(Jurisdiction, &str, &str); 3] = [
    (
        Jurisdiction::Ae,
        "AE-SANCTIONS-REJECT",
        "AE-SANCTIONS-REVIEW",
    ),
    (
        Jurisdiction::In,
        "IN-SANCTIONS-REJECT",
        "IN-SANCTIONS-REVIEW",
    ),
    (Jurisdiction::Us, "US-OFAC-SDN-REJECT", "US-OFAC-SDN-REVIEW"),
];

fn score(points: u16) -> MatchScore {
    MatchScore::from_basis_points(points).unwrap()
}

fn set_at(jurisdiction: Jurisdiction, at: chrono::DateTime<chrono::Utc>) -> RuleSet {
    RuleSet::in_force(&default_rules(), jurisdiction, at).unwrap()
}

fn refused(breaking: impl FnOnce(&mut Value), field: &str) {
    let mut p = json!({"kind": "screening_match", "list_kind": "sanctions",
        "min_score": 0.95, "outcome": "REJECTED"});
    breaking(&mut p);
    let Err(err) = RuleKind::from_parameters(&p) else {
        panic!("{p} was accepted; {field} should have been refused");
    };
    assert_eq!(err.field, field, "{p}: {err}");
}

#[test]
fn screening_parameters_round_trip_and_are_refused_field_by_field() {
    for p in [
        json!({"kind": "screening_match", "list_kind": "sanctions", "min_score": 0.95, "outcome": "REJECTED"}),
        json!({"kind": "screening_match", "list_kind": "pep", "min_score": 0.85, "outcome": "ESCALATED"}),
        json!({"kind": "screening_match", "list_kind": "adverse_media", "min_score": 0.0001, "outcome": "PENDING"}),
        json!({"kind": "screening_match", "list_kind": "sanctions", "min_score": 1, "outcome": "REJECTED"}),
    ] {
        let kind = RuleKind::from_parameters(&p).unwrap();
        assert_eq!(kind.to_parameters(), p);
        assert_eq!((kind.name(), kind.stage()), ("screening_match", Stage::Aml));
    }
    assert!(RuleKind::NAMES.contains(&"screening_match"));
    refused(|p| p["min_score"] = json!("0.95"), "parameters.min_score");
    refused(|p| p["min_score"] = json!(0), "parameters.min_score");
    refused(|p| p["min_score"] = json!(1.5), "parameters.min_score");
    refused(|p| p["min_score"] = json!(0.12345), "parameters.min_score");
    refused(|p| p["min_score"] = json!(-0.5), "parameters.min_score");
    refused(
        |p| p["list_kind"] = json!("terrorists"),
        "parameters.list_kind",
    );
    refused(|p| p["outcome"] = json!("APPROVED"), "parameters.outcome");
    refused(|p| p["max_score"] = json!(0.99), "parameters.max_score");
    for key in ["list_kind", "min_score", "outcome"] {
        refused(
            |p| {
                p.as_object_mut().unwrap().remove(key);
            },
            &format!("parameters.{key}"),
        );
    }
    let kind = RuleKind::from_parameters(&json!({"kind": "screening_match",
        "list_kind": "pep", "min_score": 0.9, "outcome": "PENDING"}))
    .unwrap();
    assert_eq!(
        kind.weighs().matches().collect::<Vec<_>>(),
        [WatchlistKind::Pep]
    );
    assert_eq!(kind.outcome(), CheckStatus::Pending);
}

#[test]
fn the_bands_in_force_come_from_the_screening_rules() {
    for (j, reject, review) in JURISDICTIONS {
        let before = set_at(
            j,
            screening_effective_from() - chrono::Duration::microseconds(1),
        );
        assert_eq!(
            before.screening_bands(WatchlistKind::Sanctions),
            None,
            "{j}"
        );
        for at in [screening_effective_from(), accreditation_effective_from()] {
            let set = set_at(j, at);
            let bands = set.screening_bands(WatchlistKind::Sanctions).unwrap();
            assert_eq!(bands.review_at(), score(8500), "{j}");
            assert_eq!(bands.reject_at(), Some(score(9500)), "{j}");
            assert_eq!(set.screening_bands(WatchlistKind::Pep), None, "{j}");
            assert_eq!(
                set.screening_bands(WatchlistKind::AdverseMedia),
                None,
                "{j}"
            );
            let codes: Vec<&str> = set.rules().iter().map(|r| r.code().as_str()).collect();
            assert!(codes.contains(&reject) && codes.contains(&review), "{j}");
            let v = |code: &str| {
                set.rules()
                    .iter()
                    .find(|r| r.code().as_str() == code)
                    .unwrap()
                    .version()
                    .get()
            };
            assert_eq!((v(reject), v(review)), (2, 1), "{j}");
        }
    }
    // A band that only escalates: no rejection line.
    let period = EffectivePeriod::starting(default_effective_from()).unwrap();
    let only =
        ScreeningMatch::new(WatchlistKind::Pep, score(9000), CheckStatus::Escalated).unwrap();
    let lower = ScreeningMatch::new(WatchlistKind::Pep, score(7000), CheckStatus::Pending).unwrap();
    let rules = [
        test_rule(
            Jurisdiction::Us,
            "US-PEP-HIGH",
            period,
            RuleKind::ScreeningMatch(only),
        ),
        test_rule(
            Jurisdiction::Us,
            "US-PEP-LOW",
            period,
            RuleKind::ScreeningMatch(lower),
        ),
    ];
    let set = RuleSet::in_force(&rules, Jurisdiction::Us, default_effective_from()).unwrap();
    let bands = set.screening_bands(WatchlistKind::Pep).unwrap();
    assert_eq!((bands.review_at(), bands.reject_at()), (score(7000), None));
}

/// `case` with one sanctions match of `score` (`None`: asserted) added.
fn with_sanctions_match(mut case: Case, points: Option<u16>) -> Case {
    case.aml.matches.push(WatchlistMatch {
        kind: WatchlistKind::Sanctions,
        list: ListName::parse("OFAC-SDN").unwrap(),
        entry: ListEntryRef::parse("SDN-36512").unwrap(),
        score: points.map(score),
    });
    case
}

fn clean(jurisdiction: Jurisdiction) -> Case {
    scenarios::scenarios()
        .into_iter()
        .find(|s| s.case.kyc.jurisdiction == jurisdiction && s.expected_rules.is_empty())
        .unwrap()
        .case
}

#[test]
fn an_asserted_match_is_decided_under_version_2_as_under_version_1() {
    let (v1_at, v2_at) = (scenarios::decided_at(), screening_effective_from());
    let mut cases: Vec<Case> = scenarios::scenarios().into_iter().map(|s| s.case).collect();
    cases.extend(JURISDICTIONS.map(|(j, ..)| with_sanctions_match(clean(j), None)));
    let mut rejected = 0;
    for case in cases {
        let j = case.kyc.jurisdiction;
        let before = evaluate(&case, &set_at(j, v1_at)).unwrap();
        let after = evaluate(&case, &set_at(j, v2_at)).unwrap();
        let id = case.kyc.entity_id.as_str();
        let outline = |d: &Decision| -> Vec<(String, Stage, CheckStatus)> {
            d.reasons()
                .iter()
                .map(|r| (r.rule.code.to_string(), r.stage, r.outcome))
                .collect()
        };
        // The same status, level, unweighed signals and rules with the same outcomes: only the
        // sanctions rule's version and its sentence (which now names the band) differ.
        assert_eq!(after.status(), before.status(), "{id}");
        assert_eq!(after.risk_level(), before.risk_level(), "{id}");
        assert_eq!(after.unweighed(), before.unweighed(), "{id}");
        assert_eq!(outline(&after), outline(&before), "{id}");
        if case.aml.sanctions_match() {
            rejected += 1;
            assert_eq!(after.status(), CheckStatus::Rejected, "{id}");
        }
    }
    assert_eq!(
        rejected, 4,
        "the seed's sanctions case and one asserted match per jurisdiction"
    );
    // The seed's sanctions case, decided in the band.
    let flagged = scenarios::scenarios()
        .into_iter()
        .find(|s| s.id == "ae-ind-flagged-003")
        .unwrap();
    let decision = evaluate(&flagged.case, &set_at(Jurisdiction::Ae, v2_at)).unwrap();
    let reason = decision
        .reasons()
        .iter()
        .find(|r| r.rule.code.as_str() == "AE-SANCTIONS-REJECT")
        .unwrap();
    assert_eq!(reason.rule.version.get(), 2);
    assert_eq!(
        reason.explanation,
        "The screening matched a sanctions list (UAE-LOCAL-TERRORIST entry UAE-LTL-0142 asserted \
         by the provider, UN-SC-CONSOLIDATED entry UNSC-7731 asserted by the provider) at or \
         above 0.95, so onboarding is refused."
    );
}

#[test]
fn the_bands_decide_a_scored_match_and_say_which_band() {
    let us = set_at(Jurisdiction::Us, screening_effective_from());
    let decide =
        |points| evaluate(&with_sanctions_match(clean(Jurisdiction::Us), points), &us).unwrap();
    let strong = decide(Some(9700));
    assert_eq!(strong.status(), CheckStatus::Rejected);
    assert_eq!(
        strong.reasons()[0].explanation,
        "The screening matched a sanctions list (OFAC-SDN entry SDN-36512 at 0.97) at or above \
         0.95, so onboarding is refused."
    );
    let review = decide(Some(9000));
    assert_eq!(review.status(), CheckStatus::Escalated);
    assert_eq!(review.reasons()[0].rule.code.as_str(), "US-OFAC-SDN-REVIEW");
    assert_eq!(
        review.reasons()[0].explanation,
        "The screening matched a sanctions list (OFAC-SDN entry SDN-36512 at 0.9) at or above \
         0.85 and below 0.95, so a reviewer must decide whether it is the same person."
    );
    let weak = decide(Some(8000));
    assert_eq!(weak.status(), CheckStatus::Approved);
    // Weighed (and found too weak), so not listed as unweighed.
    assert_eq!(weak.unweighed(), Some(Signals::NONE));
    // Before the bands, version 1 rejected even a weak fuzzy match.
    let old = set_at(Jurisdiction::Us, scenarios::decided_at());
    let case = with_sanctions_match(clean(Jurisdiction::Us), Some(1000));
    assert_eq!(
        evaluate(&case, &old).unwrap().status(),
        CheckStatus::Rejected
    );
}

proptest! {
    /// A stronger score (or an asserted match, which counts as certain) never gives a less
    /// strict outcome, under the default bands or any generated set of bands and other rules.
    #[test]
    fn a_stronger_score_is_never_more_lenient(
        (case, rules) in strategies::jurisdiction().prop_flat_map(|j| (
            strategies::case_in(j),
            prop_oneof![
                Just(set_at(j, screening_effective_from())),
                Just(set_at(j, accreditation_effective_from())),
                strategies::rule_set_in(j),
            ],
        )),
        weaker in 0u16..=10_000,
        raise in 0u16..=10_000,
        asserted in any::<bool>(),
        kind in prop::sample::select(vec![WatchlistKind::Sanctions, WatchlistKind::Pep, WatchlistKind::AdverseMedia]),
    ) {
        let stronger = if asserted { None } else { Some(weaker.saturating_add(raise).min(10_000)) };
        let with = |points: Option<u16>| {
            let mut c = case.clone();
            c.aml.matches.push(WatchlistMatch {
                kind,
                list: ListName::parse("GOLDEN-LIST").unwrap(),
                entry: ListEntryRef::parse("PROP-1").unwrap(),
                score: points.map(score),
            });
            c
        };
        let before = evaluate(&with(Some(weaker)), &rules).unwrap();
        let after = evaluate(&with(stronger), &rules).unwrap();
        prop_assert!(after.status() >= before.status(), "{:?} -> {:?}", before.status(), after.status());
    }
}
