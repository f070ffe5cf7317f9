//! Stored rule rows: every rule survives `Rule -> StoredRule -> JSON text -> StoredRule -> Rule`,
//! and every kind of malformed row is refused with an error naming the row and the field.
//!
//! Must not: accept a refusal that does not name the row: the row is how an operator finds it.

use crate::strategies;
use compliance_rules::*;
use proptest::prelude::*;
use serde_json::{Value, json};

fn round_trip(rule: &Rule) -> Rule {
    let text = serde_json::to_string(&rule.to_stored()).unwrap();
    let stored: StoredRule = serde_json::from_str(&text).unwrap();
    Rule::try_from(stored).unwrap()
}

#[test]
fn every_default_rule_round_trips_through_json_text() {
    for rule in default_rules() {
        assert_eq!(round_trip(&rule), rule, "{}", rule.code());
    }
}

#[test]
fn money_is_stored_as_decimal_strings() {
    let rules = default_rules();
    let us = rules
        .iter()
        .find(|r| r.code().as_str() == "US-506C-ACCREDITATION")
        .unwrap();
    let parameters = us.to_stored().parameters;
    assert_eq!(
        parameters,
        json!({
            "kind": "accreditation",
            "entity_types": ["individual", "corporate", "fund"],
            "verification_required": true,
            "comparison": "more_than",
            "individual": [
                {"net_worth": {"amount": "1000000", "currency": "USD"}},
                {"annual_income": {"amount": "200000", "currency": "USD"}}
            ],
            "entity": [{"total_assets": {"amount": "5000000", "currency": "USD"}}]
        })
    );
}

proptest! {
    #[test]
    fn generated_rules_round_trip_through_json_text(rule in strategies::rule()) {
        prop_assert_eq!(round_trip(&rule), rule);
    }
}

/// A valid row to break, one field at a time.
fn row() -> StoredRule {
    let rules = default_rules();
    rules
        .iter()
        .find(|r| r.code().as_str() == "IN-ACCREDITED-INVESTOR")
        .unwrap()
        .to_stored()
}

type Breakage = (&'static str, &'static str, fn(&mut StoredRule));

/// Each malformation, with the field the error must name.
const BREAKAGES: &[Breakage] = &[
    ("unknown kind", "parameters.kind", |r| {
        r.parameters["kind"] = json!("sanction_match")
    }),
    ("kind missing", "parameters.kind", |r| {
        r.parameters.as_object_mut().unwrap().remove("kind");
    }),
    ("kind not a string", "parameters.kind", |r| {
        r.parameters["kind"] = json!(7)
    }),
    ("parameters not an object", "parameters", |r| {
        r.parameters = json!([1, 2])
    }),
    ("parameter missing", "parameters.comparison", |r| {
        r.parameters.as_object_mut().unwrap().remove("comparison");
    }),
    ("extra parameter", "parameters.min_score", |r| {
        r.parameters["min_score"] = json!(5)
    }),
    (
        "money as a JSON number",
        "parameters.individual[0].annual_income.amount",
        |r| r.parameters["individual"][0]["annual_income"]["amount"] = json!(20000000.0),
    ),
    (
        "negative money",
        "parameters.individual[1].net_worth.amount",
        |r| r.parameters["individual"][1]["net_worth"]["amount"] = json!("-1"),
    ),
    (
        "money too precise",
        "parameters.entity[0].net_worth.amount",
        |r| r.parameters["entity"][0]["net_worth"]["amount"] = json!("1.00001"),
    ),
    (
        "unknown currency",
        "parameters.entity[0].net_worth.currency",
        |r| r.parameters["entity"][0]["net_worth"]["currency"] = json!("RS"),
    ),
    (
        "mixed currencies",
        "parameters.entity[0].net_worth.currency",
        |r| r.parameters["entity"][0]["net_worth"]["currency"] = json!("USD"),
    ),
    (
        "extra field in money",
        "parameters.entity[0].net_worth.rate",
        |r| r.parameters["entity"][0]["net_worth"]["rate"] = json!("83.2"),
    ),
    ("empty test", "parameters.individual[0]", |r| {
        r.parameters["individual"][0] = json!({})
    }),
    ("no individual test", "parameters.individual", |r| {
        r.parameters["individual"] = json!([])
    }),
    ("duplicate entity type", "parameters.entity_types", |r| {
        r.parameters["entity_types"] = json!(["individual", "individual", "fund"])
    }),
    ("unknown entity type", "parameters.entity_types[2]", |r| {
        r.parameters["entity_types"] = json!(["individual", "corporate", "trust"])
    }),
    ("bad comparison", "parameters.comparison", |r| {
        r.parameters["comparison"] = json!("over")
    }),
    (
        "flag not boolean",
        "parameters.verification_required",
        |r| r.parameters["verification_required"] = json!("yes"),
    ),
    ("bad jurisdiction", "jurisdiction", |r| {
        r.jurisdiction = "UK".into()
    }),
    ("bad code", "code", |r| r.code = "in-accredited".into()),
    ("version zero", "version", |r| r.version = 0),
    ("negative version", "version", |r| r.version = -4),
    ("empty period", "effective_to", |r| {
        r.effective_to = Some(r.effective_from)
    }),
    ("reversed period", "effective_to", |r| {
        r.effective_to = Some(r.effective_from - chrono::Duration::days(1))
    }),
    ("sub-microsecond time", "effective_from", |r| {
        r.effective_from += chrono::Duration::nanoseconds(1)
    }),
    ("blank regulation", "regulation", |r| {
        r.regulation = "  ".into()
    }),
    ("two-line description", "description", |r| {
        r.description = "One.\nTwo.".into()
    }),
    ("over-long description", "description", |r| {
        r.description = "x".repeat(501)
    }),
];

#[test]
fn each_malformation_names_the_row_and_the_field() {
    for (what, field, breakage) in BREAKAGES {
        let mut stored = row();
        breakage(&mut stored);
        let err = Rule::try_from(stored.clone()).expect_err(what);
        assert_eq!(err.field, *field, "{what}: {err}");
        assert_eq!(
            err.row,
            RowRef {
                jurisdiction: stored.jurisdiction.clone(),
                code: stored.code.clone(),
                version: i64::from(stored.version)
            },
            "{what}"
        );
        let message = err.to_string();
        assert!(
            message.contains(&format!("code {:?}", stored.code)),
            "{what}: {message}"
        );
        assert!(
            message.contains(&format!("version {}", stored.version)),
            "{what}: {message}"
        );
        assert!(message.contains(field), "{what}: {message}");
        assert!(message.len() < 400, "{what}: {message}");
    }
}

#[test]
fn other_kinds_refuse_their_own_malformations() {
    let cases: &[(Value, &str)] = &[
        (
            json!({"kind": "sanctions_match", "lists": ["OFAC-SDN"]}),
            "parameters.lists",
        ),
        (
            json!({"kind": "pep_match", "min_score": 1}),
            "parameters.min_score",
        ),
        (
            json!({"kind": "risk_score", "min_score": 0, "outcome": "REJECTED"}),
            "parameters.min_score",
        ),
        (
            json!({"kind": "risk_score", "min_score": 101, "outcome": "REJECTED"}),
            "parameters.min_score",
        ),
        (
            json!({"kind": "risk_score", "min_score": "85", "outcome": "REJECTED"}),
            "parameters.min_score",
        ),
        (
            json!({"kind": "risk_score", "min_score": 85, "outcome": "PENDING"}),
            "parameters.outcome",
        ),
        (
            json!({"kind": "risk_score", "min_score": 85}),
            "parameters.outcome",
        ),
        (
            json!({"kind": "verification_score", "min_score": 80, "outcome": "REJECTED"}),
            "parameters.outcome",
        ),
        (
            json!({"kind": "verification_score", "min_score": 80.5, "outcome": "PENDING"}),
            "parameters.min_score",
        ),
        (
            json!({"kind": "red_flags", "min_count": 8}),
            "parameters.min_count",
        ),
        (json!({"kind": "red_flags"}), "parameters.min_count"),
        (
            json!({"kind": "required_documents", "documents": {"individual": ["passport"], "corporate": []}}),
            "parameters.documents.fund",
        ),
        (
            json!({"kind": "required_documents", "documents": {"individual": [], "corporate": [], "fund": []}}),
            "parameters.documents",
        ),
        (
            json!({"kind": "required_documents", "documents": {"individual": ["selfie"], "corporate": [], "fund": []}}),
            "parameters.documents.individual[0]",
        ),
        (
            json!({"kind": "required_documents", "documents": {"individual": ["passport", "passport"], "corporate": [], "fund": []}}),
            "parameters.documents.individual",
        ),
        (
            json!({"kind": "required_documents", "documents": {"individual": [], "corporate": [], "fund": [], "trust": []}}),
            "parameters.documents.trust",
        ),
        (
            json!({"kind": "accreditation", "entity_types": ["individual"], "verification_required": true, "comparison": "at_least",
                "individual": [{"net_worth": {"amount": "1", "currency": "USD"}}],
                "entity": [{"net_worth": {"amount": "1", "currency": "USD"}}]}),
            "parameters.entity",
        ),
    ];
    for (parameters, field) in cases {
        let mut stored = row();
        stored.parameters = parameters.clone();
        let err = Rule::try_from(stored).expect_err(field);
        assert_eq!(err.field, *field, "{parameters}: {err}");
        assert_eq!(err.row.code, "IN-ACCREDITED-INVESTOR");
    }
}

#[test]
fn a_row_with_an_unknown_column_is_refused_when_read_as_json() {
    let mut json = serde_json::to_value(row()).unwrap();
    json["priority"] = json!(1);
    assert!(serde_json::from_value::<StoredRule>(json).is_err());
}

/// Breaks `stored` with `breakage` and checks the refusal names the row and `field`.
fn refused_naming_the_row(
    mut stored: StoredRule,
    (what, field, breakage): Breakage,
) -> Result<(), TestCaseError> {
    breakage(&mut stored);
    let err = Rule::try_from(stored.clone());
    prop_assert!(err.is_err(), "{} was accepted", what);
    let err = err.unwrap_err();
    prop_assert_eq!(&err.row.code, &stored.code);
    prop_assert_eq!(&err.row.jurisdiction, &stored.jurisdiction);
    prop_assert_eq!(err.row.version, i64::from(stored.version));
    prop_assert_eq!(err.field.as_str(), field, "{}", what);
    Ok(())
}

/// The breakages that apply to a row of any kind (the others are written for the fields of the
/// IN accreditation row).
fn generic() -> impl Iterator<Item = Breakage> {
    BREAKAGES
        .iter()
        .copied()
        .filter(|(_, field, _)| !field.starts_with("parameters.") || *field == "parameters.kind")
}

#[test]
fn every_generic_malformation_of_every_default_row_is_refused_naming_the_row() {
    for rule in default_rules() {
        for breakage in generic() {
            refused_naming_the_row(rule.to_stored(), breakage).unwrap();
        }
    }
}

proptest! {
    /// Any generic malformation of any generated rule's row is refused, naming the row and field.
    #[test]
    fn malformed_generated_rows_are_refused_naming_the_row(
        rule in strategies::rule(),
        pick in any::<prop::sample::Index>(),
    ) {
        let breakages: Vec<Breakage> = generic().collect();
        refused_naming_the_row(rule.to_stored(), *pick.get(&breakages))?;
    }
}
