//! Tests of the jurisdictions' facts at the boundary: well-formed facts become domain values;
//! each bad field is named by its path; nothing rejected is repeated.
//!
//! Must not: use real people's data: the numbers are made up.

use super::*;
use serde_json::{Value, json};

fn usd(amount: &str) -> Value {
    json!({"amount": amount, "currency": "USD"})
}

fn inr(amount: &str) -> Value {
    json!({"amount": amount, "currency": "INR"})
}

fn case(jurisdiction: &str, entity_type: &str, investor: Value) -> Value {
    json!({
        "kyc": {"entity_id": "xx-ind-facts-001", "entity_type": entity_type,
                "jurisdiction": jurisdiction, "verification_score": 90, "documents": [],
                "investor": investor},
        "aml": {"risk_score": 10, "matches": [], "provider": "p", "watchlist_version": "v"}
    })
}

fn parse(json: Value) -> Result<Case, InputError> {
    serde_json::from_value::<CaseInput>(json).unwrap().parse()
}

fn paths(err: &InputError) -> Vec<&str> {
    err.fields.iter().map(|f| f.path.as_str()).collect()
}

pub(super) fn reg_d_individual() -> Value {
    json!({
        "assessed_on": "2027-02-01",
        "reg_d": {
            "income": {"basis": "joint", "recent_year": 2026, "recent": usd("310000"),
                       "prior": usd("305000"), "current_year_expected": true},
            "net_worth": {"basis": "individual", "excluding_residence": usd("900000"),
                          "residence": {"value": usd("500000"), "secured_debt": usd("600000"),
                                        "secured_debt_60_days_before": usd("600000")}},
            "certifications": [{"kind": "series_65", "crd_number": "7654321", "in_good_standing": true}],
            "issuer_role": "knowledgeable_employee",
            "verifications": [{"method": "third_party_confirmation", "verifier": "attorney",
                               "verifier_ref": "NY-BAR-1234567", "verified_on": "2027-01-15",
                               "written_representation": true}]
        }
    })
}

#[test]
fn us_facts_become_domain_values() {
    let case = parse(case("US", "individual", reg_d_individual())).unwrap();
    let investor = &case.kyc.investor;
    assert_eq!(investor.assessed_on, NaiveDate::from_ymd_opt(2027, 2, 1));
    let reg_d = investor.reg_d.as_ref().unwrap();
    let income = reg_d.income.as_ref().unwrap();
    assert_eq!(income.basis, crate::Basis::Joint);
    assert_eq!(income.recent_year, 2026);
    assert_eq!(
        reg_d.certifications[0].kind,
        crate::CertificationKind::Series65
    );
    assert_eq!(reg_d.certifications[0].crd_number.as_str(), "7654321");
    assert_eq!(
        reg_d.issuer_role,
        Some(crate::IssuerRole::KnowledgeableEmployee)
    );
    let v = &reg_d.verifications[0];
    assert_eq!(v.method, crate::VerificationMethod::ThirdPartyConfirmation);
    assert_eq!(v.verified_on, NaiveDate::from_ymd_opt(2027, 1, 15).unwrap());
    // The domain value survives its own serde (the database stores it as JSON).
    let json = serde_json::to_value(investor).unwrap();
    assert_eq!(
        &serde_json::from_value::<InvestorProfile>(json).unwrap(),
        investor
    );
}

#[test]
fn every_bad_us_field_is_named_and_none_is_repeated() {
    let mut investor = reg_d_individual();
    let facts = &mut investor["reg_d"];
    facts["income"]["recent_year"] = json!(1850);
    facts["income"]["basis"] = json!("household");
    facts["certifications"][0]["crd_number"] = json!("0987654");
    facts["verifications"][0]["verified_on"] = json!("2027-1-5");
    facts["verifications"][0]["verifier_ref"] = json!("ref with spaces 99887");
    facts["net_worth"]["excluding_residence"]["amount"] = json!("-123456.78");
    let err = parse(case("US", "individual", investor)).unwrap_err();
    assert_eq!(
        paths(&err),
        [
            "kyc.investor.reg_d.certifications[0].crd_number",
            "kyc.investor.reg_d.income.basis",
            "kyc.investor.reg_d.income.recent_year",
            "kyc.investor.reg_d.net_worth.excluding_residence.amount",
            "kyc.investor.reg_d.verifications[0].verified_on",
            "kyc.investor.reg_d.verifications[0].verifier_ref",
        ]
    );
    let text = err.to_string();
    for secret in ["0987654", "99887", "123456", "2027-1-5"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

#[test]
fn checks_across_fields_name_the_field() {
    let mut undated = reg_d_individual();
    undated.as_object_mut().unwrap().remove("assessed_on");
    let err = parse(case("US", "individual", undated)).unwrap_err();
    assert_eq!(paths(&err), ["kyc.investor.assessed_on"]);

    let err = parse(case("IN", "individual", reg_d_individual())).unwrap_err();
    assert_eq!(paths(&err), ["kyc.investor.reg_d"]);
    assert!(err.to_string().contains("only on a US case"), "{err}");

    let err = parse(case("US", "corporate", reg_d_individual())).unwrap_err();
    assert_eq!(paths(&err), ["kyc.investor.reg_d"]);

    let mut twice = reg_d_individual();
    let cert = twice["reg_d"]["certifications"][0].clone();
    twice["reg_d"]["certifications"] = json!([cert.clone(), cert]);
    let err = parse(case("US", "individual", twice)).unwrap_err();
    assert_eq!(paths(&err), ["kyc.investor.reg_d.certifications"]);

    let mut mixed = reg_d_individual();
    mixed["reg_d"]["net_worth"]["residence"]["value"] = inr("100");
    let err = parse(case("US", "individual", mixed)).unwrap_err();
    assert_eq!(paths(&err), ["kyc.investor.reg_d.net_worth.residence"]);
}

fn sebi_investor() -> Value {
    json!({
        "assessed_on": "2027-02-01",
        "sebi": {"class": "huf", "annual_income": inr("15000000"),
                 "net_worth": {"total": inr("60000000"), "financial_assets": inr("30000000")},
                 "certificate": {"agency": "CVL", "number": "AI-2026-000123",
                                 "issued_on": "2026-06-01", "valid_until": "2027-05-31"}}
    })
}

#[test]
fn indian_facts_and_their_refusals() {
    let case_ok = parse(case("IN", "corporate", sebi_investor())).unwrap();
    let sebi = case_ok.kyc.investor.sebi.unwrap();
    assert_eq!(sebi.class, crate::SebiInvestorClass::Huf);
    let cert = sebi.certificate.unwrap();
    assert_eq!(
        cert.valid_until(),
        NaiveDate::from_ymd_opt(2027, 5, 31).unwrap()
    );
    assert_eq!(
        sebi.net_worth.unwrap().financial_assets(),
        Money::parse("30000000", "INR").unwrap()
    );

    let mut bad = sebi_investor();
    bad["sebi"]["net_worth"]["financial_assets"] = inr("60000001");
    bad["sebi"]["certificate"]["valid_until"] = json!("2026-05-31");
    let err = parse(case("IN", "corporate", bad.clone())).unwrap_err();
    assert_eq!(
        paths(&err),
        [
            "kyc.investor.sebi.certificate.valid_until",
            "kyc.investor.sebi.net_worth.financial_assets",
        ]
    );
    assert!(!err.to_string().contains("60000001"), "{err}");

    let err = parse(case("IN", "individual", sebi_investor())).unwrap_err();
    assert_eq!(paths(&err), ["kyc.investor.sebi.class"]);
    bad = sebi_investor();
    bad["sebi"]["class"] = json!("individual");
    bad["sebi"]["deemed"] = json!("category_i_fpi");
    let err = parse(case("IN", "individual", bad)).unwrap_err();
    assert_eq!(paths(&err), ["kyc.investor.sebi.deemed"]);
}

fn classification_investor(regime: &str, class: &str) -> Value {
    json!({
        "assessed_on": "2027-02-01",
        "classification": {"regime": regime, "class": class, "net_assets": usd("1200000"),
                           "knowledge_assessed": true, "warning_given_on": "2027-01-20",
                           "classified_on": "2027-01-20"}
    })
}

#[test]
fn a_classification_names_a_class_of_its_regime() {
    let ok = parse(case(
        "AE",
        "individual",
        classification_investor("dfsa", "professional"),
    ));
    let c = ok.unwrap().kyc.investor.classification.unwrap();
    assert_eq!(
        (c.regime, c.class),
        (crate::Regime::Dfsa, crate::ClientClass::Professional)
    );
    let err = parse(case(
        "AE",
        "individual",
        classification_investor("vara", "professional"),
    ))
    .unwrap_err();
    assert_eq!(paths(&err), ["kyc.investor.classification.class"]);
    let err = parse(case(
        "US",
        "individual",
        classification_investor("dfsa", "retail"),
    ))
    .unwrap_err();
    assert_eq!(paths(&err), ["kyc.investor.classification"]);
    let mut bad = classification_investor("dfsa", "retail");
    bad["classification"]["classified_on"] = json!("2027-02-30");
    let err = parse(case("AE", "individual", bad)).unwrap_err();
    assert_eq!(paths(&err), ["kyc.investor.classification.classified_on"]);
}

#[test]
fn dates_are_strict() {
    for ok in ["1900-01-01", "2027-02-28", "2028-02-29", "2200-12-31"] {
        assert!(parse_date(ok).is_ok(), "{ok}");
    }
    for bad in [
        "1899-12-31",
        "2027-02-29",
        "2027-2-28",
        "27-02-28",
        "2027/02/28",
        "2201-01-01",
        "",
    ] {
        assert!(parse_date(bad).is_err(), "{bad}");
    }
}
