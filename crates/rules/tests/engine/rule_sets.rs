//! Rule sets: one jurisdiction, one version per code, never empty; in force by date, or pinned to
//! recorded versions for replay.
//!
//! Must not: test the engine's decisions (properties.rs and golden.rs do).

use chrono::{Duration, TimeZone, Utc};
use compliance_domain::*;
use compliance_rules::*;

/// Version `version` of a copy of default rule `code`, over `period`.
fn version_of(code: &str, version: u32, period: EffectivePeriod) -> Rule {
    let rules = default_rules();
    let base = rules.iter().find(|r| r.code().as_str() == code).unwrap();
    Rule::new(
        base.jurisdiction(),
        RuleRef {
            code: base.code().clone(),
            version: RuleVersion::new(version).unwrap(),
        },
        period,
        base.regulation(),
        base.description(),
        base.kind().clone(),
    )
    .unwrap()
}

#[test]
fn in_force_picks_the_jurisdictions_rules_in_code_order() {
    let at = scenarios::decided_at();
    let set = RuleSet::in_force(&default_rules(), Jurisdiction::In, at).unwrap();
    let codes: Vec<String> = set.refs().iter().map(|r| r.code.to_string()).collect();
    assert_eq!(
        codes,
        [
            "IN-ACCREDITED-INVESTOR",
            "IN-AML-RISK-EDD",
            "IN-KYC-DOCUMENTS",
            "IN-PEP-EDD",
            "IN-PERIODIC-REVIEW",
            "IN-RED-FLAGS-REJECT",
            "IN-SANCTIONS-REJECT"
        ]
    );
    assert!(
        set.rules()
            .iter()
            .all(|r| r.jurisdiction() == Jurisdiction::In)
    );
}

#[test]
fn effective_periods_decide_which_version_is_in_force() {
    let start = default_effective_from();
    let switch = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
    let v1 = version_of(
        "US-AML-RISK-EDD",
        1,
        EffectivePeriod::new(start, Some(switch)).unwrap(),
    );
    let v2 = version_of(
        "US-AML-RISK-EDD",
        2,
        EffectivePeriod::starting(switch).unwrap(),
    );
    let pool = vec![v2.clone(), v1.clone()];
    let version_at = |at| {
        RuleSet::in_force(&pool, Jurisdiction::Us, at)
            .unwrap()
            .refs()[0]
            .version
            .get()
    };
    assert_eq!(version_at(start), 1);
    assert_eq!(version_at(switch - Duration::microseconds(1)), 1);
    assert_eq!(version_at(switch), 2);
    let before = start - Duration::microseconds(1);
    assert!(matches!(
        RuleSet::in_force(&pool, Jurisdiction::Us, before),
        Err(RuleSetError::Empty {
            jurisdiction: Jurisdiction::Us,
            ..
        })
    ));
}

#[test]
fn two_versions_in_force_at_once_are_refused() {
    let start = default_effective_from();
    let v1 = version_of("AE-PEP-EDD", 1, EffectivePeriod::starting(start).unwrap());
    let v2 = version_of(
        "AE-PEP-EDD",
        2,
        EffectivePeriod::starting(start + Duration::days(30)).unwrap(),
    );
    let pool = [v1, v2];
    assert!(RuleSet::in_force(&pool, Jurisdiction::Ae, start + Duration::days(1)).is_ok());
    let err = RuleSet::in_force(&pool, Jurisdiction::Ae, start + Duration::days(31)).unwrap_err();
    assert!(matches!(err, RuleSetError::Overlap { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("AE-PEP-EDD") && message.contains("v1") && message.contains("v2"),
        "{message}"
    );
}

#[test]
fn one_version_with_two_contents_is_refused_and_identical_copies_are_one() {
    let start = default_effective_from();
    let period = EffectivePeriod::starting(start).unwrap();
    let rule = version_of("IN-RED-FLAGS-REJECT", 1, period);
    let copies = [rule.clone(), rule.clone()];
    assert_eq!(
        RuleSet::in_force(&copies, Jurisdiction::In, start)
            .unwrap()
            .rules()
            .len(),
        1
    );
    let changed = Rule::new(
        rule.jurisdiction(),
        rule.rule_ref().clone(),
        period,
        rule.regulation(),
        rule.description(),
        RuleKind::RedFlags(RedFlagLimit::new(2).unwrap()),
    )
    .unwrap();
    let err = RuleSet::in_force(&[rule, changed], Jurisdiction::In, start).unwrap_err();
    assert!(matches!(err, RuleSetError::Conflicting { .. }), "{err}");
}

#[test]
fn pinned_names_every_missing_version() {
    let rules = default_rules();
    let refs = vec![
        RuleRef {
            code: RuleCode::parse("US-OFAC-SDN-REJECT").unwrap(),
            version: RuleVersion::FIRST,
        },
        RuleRef {
            code: RuleCode::parse("US-OFAC-SDN-REJECT").unwrap(),
            version: RuleVersion::new(3).unwrap(),
        },
        RuleRef {
            code: RuleCode::parse("US-GONE").unwrap(),
            version: RuleVersion::FIRST,
        },
        // An AE rule does not belong to a US set, even though it exists.
        RuleRef {
            code: RuleCode::parse("AE-PEP-EDD").unwrap(),
            version: RuleVersion::FIRST,
        },
    ];
    let err = RuleSet::pinned(&rules, Jurisdiction::Us, &refs).unwrap_err();
    let RuleSetError::Missing { missing, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(missing, &refs[1..]);
    assert_eq!(
        err.to_string(),
        "US rule set cannot be rebuilt: US-OFAC-SDN-REJECT v3, US-GONE v1, AE-PEP-EDD v1 not found among the rules given"
    );
}

#[test]
fn pinned_refuses_two_versions_of_one_code_and_an_empty_list() {
    let start = default_effective_from();
    let switch = start + Duration::days(90);
    let v1 = version_of(
        "US-AML-RISK-EDD",
        1,
        EffectivePeriod::new(start, Some(switch)).unwrap(),
    );
    let v2 = version_of(
        "US-AML-RISK-EDD",
        2,
        EffectivePeriod::starting(switch).unwrap(),
    );
    let refs = [v1.rule_ref().clone(), v2.rule_ref().clone()];
    let err = RuleSet::pinned(&[v1, v2], Jurisdiction::Us, &refs).unwrap_err();
    assert!(matches!(err, RuleSetError::PinnedTwice { .. }), "{err}");
    let err = RuleSet::pinned(&default_rules(), Jurisdiction::Us, &[]).unwrap_err();
    assert!(matches!(err, RuleSetError::Empty { .. }), "{err}");
}

#[test]
fn a_case_of_another_jurisdiction_is_refused() {
    let rules = default_rules();
    let us = RuleSet::in_force(&rules, Jurisdiction::Us, scenarios::decided_at()).unwrap();
    let ae_case = scenarios::scenarios().remove(0).case;
    let err = evaluate(&ae_case, &us).unwrap_err();
    assert_eq!(
        err,
        EvaluateError::JurisdictionMismatch {
            case: Jurisdiction::Ae,
            rules: Jurisdiction::Us
        }
    );
    assert_eq!(
        err.to_string(),
        "the case is onboarded in AE, but the rule set is US's: decide it with the AE rule set"
    );
}
