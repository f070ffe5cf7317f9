//! The parameters of issue 24's rule kinds (`reg_d_accreditation`, `sebi_accreditation`,
//! `investor_classification`, `risk_signals`): each default row round-trips, and each broken
//! field is refused naming that field.
//!
//! Must not: accept a malformed row: a refusal that names the wrong field is a failure too.

use compliance_domain::*;
use compliance_rules::*;
use serde_json::{Value, json};

/// The stored parameters of the latest default version of `code`.
fn parameters(code: &str) -> Value {
    default_rules()
        .into_iter()
        .filter(|r| r.code().as_str() == code)
        .max_by_key(Rule::version)
        .unwrap()
        .to_stored()
        .parameters
}

fn refused(code: &str, breaking: impl FnOnce(&mut Value), field: &str) {
    let mut p = parameters(code);
    breaking(&mut p);
    let Err(err) = RuleKind::from_parameters(&p) else {
        panic!("{code}: {p} was accepted; {field} should have been refused");
    };
    assert_eq!(err.field, field, "{code}: {p}: {err}");
}

#[test]
fn the_new_default_kinds_round_trip() {
    for code in [
        "US-506C-ACCREDITATION",
        "IN-ACCREDITED-INVESTOR",
        "AE-INVESTOR-CLASSIFICATION",
        "AE-RISK-SIGNALS",
    ] {
        let p = parameters(code);
        let kind = RuleKind::from_parameters(&p).unwrap();
        assert_eq!(kind.to_parameters(), p, "{code}");
    }
}

#[test]
fn reg_d_parameters_are_refused_field_by_field() {
    let c = "US-506C-ACCREDITATION";
    refused(
        c,
        |p| p["net_worth"]["currency"] = json!("EUR"),
        "parameters.net_worth.currency",
    );
    refused(
        c,
        |p| p["income"]["amount"] = json!(200000),
        "parameters.income.amount",
    );
    refused(
        c,
        |p| p["certifications"] = json!(["series_7", "series_7"]),
        "parameters.certifications",
    );
    refused(
        c,
        |p| p["certifications"] = json!(["series_66"]),
        "parameters.certifications[0]",
    );
    refused(
        c,
        |p| p["policy_months"] = json!(13),
        "parameters.policy_months",
    );
    refused(
        c,
        |p| {
            p.as_object_mut().unwrap().remove("joint_income");
        },
        "parameters.joint_income",
    );
    refused(
        c,
        |p| p["verification_required"] = json!(true),
        "parameters.verification_required",
    );
}

#[test]
fn sebi_parameters_are_refused_field_by_field() {
    let c = "IN-ACCREDITED-INVESTOR";
    refused(
        c,
        |p| p["financial_assets"]["amount"] = json!("75000001"),
        "parameters.financial_assets",
    );
    refused(
        c,
        |p| p["entity_net_worth"]["currency"] = json!("USD"),
        "parameters.entity_net_worth.currency",
    );
    refused(
        c,
        |p| p["certificate_months"] = json!(0),
        "parameters.certificate_months",
    );
    refused(
        c,
        |p| {
            p.as_object_mut().unwrap().remove("combined_income");
        },
        "parameters.combined_income",
    );
}

#[test]
fn classification_parameters_follow_the_licence() {
    let c = "AE-INVESTOR-CLASSIFICATION";
    refused(c, |p| p["licence"] = json!("sca"), "parameters.licence");
    refused(
        c,
        |p| p["permitted"] = json!(["qualified"]),
        "parameters.permitted[0]",
    );
    refused(c, |p| p["permitted"] = json!([]), "parameters.permitted");
    refused(
        c,
        |p| p["individual_income"] = json!({"amount": "1", "currency": "USD"}),
        "parameters.individual_income",
    );
    refused(
        c,
        |p| p["large_turnover"]["currency"] = json!("AED"),
        "parameters.large_turnover.currency",
    );
    refused(
        c,
        |p| p["reassess_months"] = json!(37),
        "parameters.reassess_months",
    );
    // A VARA licence has VARA's thresholds, and only those.
    refused(
        c,
        |p| p["licence"] = json!("vara"),
        "parameters.large_balance_sheet",
    );
    let vara = json!({"kind": "investor_classification", "licence": "vara",
        "permitted": ["qualified", "institutional"],
        "individual_net_assets": {"amount": "3500000", "currency": "AED"},
        "individual_income": {"amount": "700000", "currency": "AED"},
        "entity_net_assets": {"amount": "3500000", "currency": "AED"}, "reassess_months": 12});
    let kind = RuleKind::from_parameters(&vara).unwrap();
    assert_eq!(kind.to_parameters(), vara);
}

#[test]
fn signal_weights_are_one_to_ten_and_weigh_something() {
    let c = "AE-RISK-SIGNALS";
    refused(
        c,
        |p| p["red_flags"]["adverse_media"] = json!(0),
        "parameters.red_flags.adverse_media",
    );
    refused(
        c,
        |p| p["red_flags"]["adverse_media"] = json!(11),
        "parameters.red_flags.adverse_media",
    );
    refused(
        c,
        |p| p["red_flags"]["gossip"] = json!(1),
        "parameters.red_flags.gossip",
    );
    refused(
        c,
        |p| p["matches"] = json!({"rumour": 1}),
        "parameters.matches.rumour",
    );
    refused(
        c,
        |p| {
            p["red_flags"] = json!({});
            p["matches"] = json!({});
        },
        "parameters.red_flags",
    );
    refused(
        c,
        |p| p["outcome"] = json!("APPROVED"),
        "parameters.outcome",
    );
    refused(c, |p| p["min_weight"] = json!(0), "parameters.min_weight");
}

#[test]
fn a_rule_weighs_only_what_it_looks_at() {
    let signals = RuleKind::from_parameters(&parameters("AE-RISK-SIGNALS")).unwrap();
    assert_eq!(signals.weighs().red_flags().count(), 7);
    assert_eq!(
        signals.weighs().matches().collect::<Vec<_>>(),
        [WatchlistKind::AdverseMedia]
    );
    assert_eq!(
        RuleKind::SanctionsMatch
            .weighs()
            .matches()
            .collect::<Vec<_>>(),
        [WatchlistKind::Sanctions]
    );
    let reg_d = RuleKind::from_parameters(&parameters("US-506C-ACCREDITATION")).unwrap();
    assert!(reg_d.weighs().is_empty());
    assert_eq!(signals.stage(), Stage::Aml);
    assert_eq!(signals.outcome(), CheckStatus::Escalated);
    assert_eq!(reg_d.outcome(), CheckStatus::Pending);
}
