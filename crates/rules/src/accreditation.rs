//! The `accreditation` rule kind: an investor must show accredited status (Reg D 506(c), SEBI's
//! accredited investors) by meeting one of the accepted money tests, verified by a third party.
//!
//! Must not: convert currencies (a figure in another currency than the threshold does not meet
//! it, and the explanation says so) or repeat an investor's own amounts: only the thresholds.

use crate::error::{FieldError, Problem};
use crate::params::{Object, money, money_json, text_forms};
use compliance_domain::{Currency, EntityType, InvestorProfile, KycCheck, Money, TextForm};
use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::fmt::Write;

/// How an investor's figure is compared with a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// The figure must be at least the threshold (SEBI: "at least two crore rupees"). Text form
    /// `at_least`.
    AtLeast,
    /// The figure must exceed the threshold (Reg D: "in excess of $1,000,000"). Text form
    /// `more_than`.
    MoreThan,
}

impl Comparison {
    const EXPECTED: &'static str = "\"at_least\" or \"more_than\"";

    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::AtLeast => "at_least",
            Comparison::MoreThan => "more_than",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Comparison::AtLeast => "at least",
            Comparison::MoreThan => "above",
        }
    }

    fn holds(self, ordering: Ordering) -> bool {
        match self {
            Comparison::AtLeast => ordering.is_ge(),
            Comparison::MoreThan => ordering.is_gt(),
        }
    }
}

/// One of the figures of an [`InvestorProfile`] that a test looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Figure {
    NetWorth,
    AnnualIncome,
    TotalAssets,
}

impl Figure {
    const ALL: [Figure; 3] = [Figure::NetWorth, Figure::AnnualIncome, Figure::TotalAssets];
    const KEYS: [&'static str; 3] = ["net_worth", "annual_income", "total_assets"];

    fn key(self) -> &'static str {
        match self {
            Figure::NetWorth => "net_worth",
            Figure::AnnualIncome => "annual_income",
            Figure::TotalAssets => "total_assets",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Figure::NetWorth => "net worth",
            Figure::AnnualIncome => "annual income",
            Figure::TotalAssets => "total assets",
        }
    }

    fn of(self, profile: &InvestorProfile) -> Option<&Money> {
        match self {
            Figure::NetWorth => profile.net_worth.as_ref(),
            Figure::AnnualIncome => profile.annual_income.as_ref(),
            Figure::TotalAssets => profile.total_assets.as_ref(),
        }
    }
}

/// One accepted way to qualify: every threshold given must be met (an AND); a rule accepts any of
/// its tests (an OR).
///
/// Stored as an object with one to three of `net_worth`, `annual_income`, `total_assets`, each
/// money: `{"net_worth": {"amount": "1000000", "currency": "USD"}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccreditationTest {
    thresholds: [Option<Money>; 3],
}

impl AccreditationTest {
    /// A test from its thresholds; at least one must be given.
    pub fn new(
        net_worth: Option<Money>,
        annual_income: Option<Money>,
        total_assets: Option<Money>,
    ) -> Result<Self, FieldError> {
        let thresholds = [net_worth, annual_income, total_assets];
        if thresholds.iter().all(Option::is_none) {
            return Err(FieldError::new(
                "test",
                Problem::OutOfRange {
                    expected: "a test with at least one of net_worth, annual_income, total_assets",
                    got: "an empty test".into(),
                },
            ));
        }
        Ok(Self { thresholds })
    }

    /// The net worth threshold, if this test has one.
    pub fn net_worth(&self) -> Option<Money> {
        self.thresholds[0]
    }

    /// The annual income threshold, if this test has one.
    pub fn annual_income(&self) -> Option<Money> {
        self.thresholds[1]
    }

    /// The total assets threshold, if this test has one.
    pub fn total_assets(&self) -> Option<Money> {
        self.thresholds[2]
    }

    fn each(&self) -> impl Iterator<Item = (Figure, Money)> + '_ {
        Figure::ALL
            .into_iter()
            .zip(self.thresholds)
            .filter_map(|(figure, threshold)| threshold.map(|t| (figure, t)))
    }

    /// True when every threshold is met by a figure in the same currency.
    fn met(&self, profile: &InvestorProfile, comparison: Comparison) -> bool {
        self.each().all(|(figure, threshold)| {
            figure
                .of(profile)
                .and_then(|amount| amount.compare(&threshold).ok())
                .is_some_and(|ordering| comparison.holds(ordering))
        })
    }

    /// Writes `net worth above 1000000 USD and annual income above 200000 USD`.
    fn describe(&self, comparison: Comparison, out: &mut String) {
        for (i, (figure, threshold)) in self.each().enumerate() {
            let and = if i == 0 { "" } else { " and " };
            // Writing to a String cannot fail.
            let _ = write!(
                out,
                "{and}{} {} {threshold}",
                figure.words(),
                comparison.words()
            );
        }
    }

    fn read(value: &Value, path: &str) -> Result<Self, FieldError> {
        let object = Object::read(value, path, &Figure::KEYS, Accreditation::KIND)?;
        let threshold = |figure: Figure| {
            object
                .optional(figure.key())
                .map(|v| money(v, &object.path_of(figure.key())))
                .transpose()
        };
        Self::new(
            threshold(Figure::NetWorth)?,
            threshold(Figure::AnnualIncome)?,
            threshold(Figure::TotalAssets)?,
        )
        .map_err(|e| FieldError::new(path, e.problem))
    }

    fn write(&self) -> Value {
        let mut map = Map::new();
        for (figure, threshold) in self.each() {
            map.insert(figure.key().into(), money_json(&threshold));
        }
        Value::Object(map)
    }
}

/// Keeps a case pending until the investor's accredited status is demonstrated: verified by a
/// third party (when `verification_required`) and meeting one of the tests of its class
/// (`individual` for individuals, `entity` for companies and funds).
///
/// Stored as:
///
/// ```json
/// {"kind": "accreditation",
///  "entity_types": ["individual", "corporate", "fund"],
///  "verification_required": true,
///  "comparison": "more_than",
///  "individual": [{"net_worth": {"amount": "1000000", "currency": "USD"}},
///                 {"annual_income": {"amount": "200000", "currency": "USD"}}],
///  "entity": [{"total_assets": {"amount": "5000000", "currency": "USD"}}]}
/// ```
///
/// Every threshold of a rule is in one currency. A class the rule applies to has at least one
/// test; a class it does not apply to has none.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Accreditation {
    entity_types: Vec<EntityType>,
    verification_required: bool,
    comparison: Comparison,
    individual: Vec<AccreditationTest>,
    entity: Vec<AccreditationTest>,
    currency: Currency,
}

impl Accreditation {
    pub(crate) const KIND: &'static str = "accreditation";

    /// Builds the rule's parameters, checking the invariants above.
    pub fn new(
        entity_types: &[EntityType],
        verification_required: bool,
        comparison: Comparison,
        individual: Vec<AccreditationTest>,
        entity: Vec<AccreditationTest>,
    ) -> Result<Self, FieldError> {
        let mut types = entity_types.to_vec();
        types.sort_unstable();
        types.dedup();
        if types.len() != entity_types.len() {
            return Err(FieldError::new(
                "entity_types",
                Problem::Duplicate {
                    value: "an entity type".into(),
                },
            ));
        }
        if types.is_empty() {
            return Err(FieldError::new(
                "entity_types",
                Problem::OutOfRange {
                    expected: "at least one of individual, corporate, fund",
                    got: "none".into(),
                },
            ));
        }
        let individuals = types.contains(&EntityType::Individual);
        let entities = types.iter().any(|t| t.is_legal_person());
        for (key, applies, tests) in [
            ("individual", individuals, &individual),
            ("entity", entities, &entity),
        ] {
            if applies && tests.is_empty() {
                return Err(FieldError::new(
                    key,
                    Problem::OutOfRange {
                        expected: "at least one test, since the rule applies to this class of investor",
                        got: "none".into(),
                    },
                ));
            }
            if !applies && !tests.is_empty() {
                return Err(FieldError::new(
                    key,
                    Problem::OutOfRange {
                        expected: "no test, since the rule does not apply to this class of investor",
                        got: format!("{} tests", tests.len()),
                    },
                ));
            }
        }
        let mut currency = None;
        for (key, tests) in [("individual", &individual), ("entity", &entity)] {
            for (i, test) in tests.iter().enumerate() {
                for (figure, threshold) in test.each() {
                    let first = *currency.get_or_insert(threshold.currency());
                    if threshold.currency() != first {
                        return Err(FieldError::new(
                            format!("{key}[{i}].{}.currency", figure.key()),
                            Problem::OutOfRange {
                                expected: "the currency of the rule's other thresholds",
                                got: format!(
                                    "{} where the others are {first}",
                                    threshold.currency()
                                ),
                            },
                        ));
                    }
                }
            }
        }
        let Some(currency) = currency else {
            return Err(FieldError::new("individual", Problem::Missing));
        };
        Ok(Self {
            entity_types: types,
            verification_required,
            comparison,
            individual,
            entity,
            currency,
        })
    }

    /// The entity types the rule applies to, in canonical order.
    pub fn entity_types(&self) -> &[EntityType] {
        &self.entity_types
    }

    /// Whether a third party must have verified the status.
    pub fn verification_required(&self) -> bool {
        self.verification_required
    }

    /// How figures are compared with thresholds.
    pub fn comparison(&self) -> Comparison {
        self.comparison
    }

    /// The tests an individual may meet (any one suffices).
    pub fn individual(&self) -> &[AccreditationTest] {
        &self.individual
    }

    /// The tests a company or fund may meet (any one suffices).
    pub fn entity(&self) -> &[AccreditationTest] {
        &self.entity
    }

    /// The currency of every threshold.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The keys of this kind's parameters object.
    pub(crate) const KEYS: [&'static str; 6] = [
        "kind",
        "entity_types",
        "verification_required",
        "comparison",
        "individual",
        "entity",
    ];

    pub(crate) fn read(object: &Object<'_>) -> Result<Self, FieldError> {
        let entity_types: Vec<EntityType> = text_forms(
            object.array("entity_types")?,
            &object.path_of("entity_types"),
        )?;
        let verification_required = object.bool("verification_required")?;
        let comparison = match object.str("comparison")? {
            "at_least" => Comparison::AtLeast,
            "more_than" => Comparison::MoreThan,
            other => {
                return Err(FieldError::new(
                    object.path_of("comparison"),
                    Problem::OutOfRange {
                        expected: Comparison::EXPECTED,
                        got: crate::error::echo(other),
                    },
                ));
            }
        };
        let tests = |key: &str| -> Result<Vec<AccreditationTest>, FieldError> {
            let path = object.path_of(key);
            object
                .array(key)?
                .iter()
                .enumerate()
                .map(|(i, v)| AccreditationTest::read(v, &format!("{path}[{i}]")))
                .collect()
        };
        Self::new(
            &entity_types,
            verification_required,
            comparison,
            tests("individual")?,
            tests("entity")?,
        )
        .map_err(|e| e.under("parameters"))
    }

    pub(crate) fn write(&self, parameters: &mut Map<String, Value>) {
        let types: Vec<&str> = self.entity_types.iter().map(|t| t.as_str()).collect();
        let tests = |tests: &[AccreditationTest]| -> Vec<Value> {
            tests.iter().map(AccreditationTest::write).collect()
        };
        parameters.insert("entity_types".into(), types.into());
        parameters.insert(
            "verification_required".into(),
            self.verification_required.into(),
        );
        parameters.insert("comparison".into(), self.comparison.as_str().into());
        parameters.insert("individual".into(), tests(&self.individual).into());
        parameters.insert("entity".into(), tests(&self.entity).into());
    }

    /// `None` when the rule does not apply or the status is demonstrated; otherwise why not.
    pub(crate) fn assess(&self, kyc: &KycCheck) -> Option<String> {
        if !self.entity_types.contains(&kyc.entity_type) {
            return None;
        }
        let profile = &kyc.investor;
        let tests = if kyc.entity_type.is_legal_person() {
            &self.entity
        } else {
            &self.individual
        };
        let verified = !self.verification_required || profile.accreditation_verified;
        let met = tests.iter().any(|t| t.met(profile, self.comparison));
        if verified && met {
            return None;
        }
        // One buffer for the whole sentence: this runs for every case the rule holds back.
        let mut out = String::with_capacity(256);
        let _ = write!(
            out,
            "Accredited-investor status is not demonstrated for this {} investor: ",
            kyc.entity_type
        );
        let mut separator = "";
        if !verified {
            out.push_str("no third party has verified it");
            separator = "; ";
        }
        if !met {
            out.push_str(separator);
            out.push_str("none of the accepted tests is met (");
            for (i, test) in tests.iter().enumerate() {
                out.push_str(if i == 0 { "" } else { ", or " });
                test.describe(self.comparison, &mut out);
            }
            out.push(')');
            for figure in Figure::ALL {
                if !tests.iter().any(|t| t.each().any(|(f, _)| f == figure)) {
                    continue;
                }
                let _ = match figure.of(profile) {
                    None => write!(out, "; {} was not provided", figure.words()),
                    Some(amount) if amount.currency() != self.currency => write!(
                        out,
                        "; {} is stated in {}, not {}, and amounts are not converted between currencies",
                        figure.words(),
                        amount.currency(),
                        self.currency
                    ),
                    Some(_) => Ok(()),
                };
            }
        }
        out.push('.');
        Some(out)
    }
}
