//! The parameters of `investor_classification`: the licence, the classes it lets the platform
//! serve, the licence's thresholds and the months after which a classification is reassessed.
//!
//! Must not: accept a threshold the licence's rules do not have, or a class its regime lacks.

use crate::error::{FieldError, Problem, echo};
use crate::params::{Object, money, money_json, text_forms};
use compliance_domain::{ClientClass, Currency, Money, Regime, TextForm};
use serde_json::{Map, Value};

/// The licence the platform operates under, and so whose classification rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Licence {
    /// A DFSA licence (DIFC): text form `dfsa`.
    Dfsa,
    /// A VARA licence (Dubai, virtual assets): text form `vara`.
    Vara,
}

impl Licence {
    /// The regime a classification under this licence is made in.
    pub fn regime(self) -> Regime {
        match self {
            Licence::Dfsa => Regime::Dfsa,
            Licence::Vara => Regime::Vara,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Licence::Dfsa => "DFSA",
            Licence::Vara => "VARA",
        }
    }

    pub(super) fn source(self) -> &'static str {
        match self {
            Licence::Dfsa => "DFSA Conduct of Business module, COB 2.3 and 2.4",
            Licence::Vara => "VARA Market Conduct Rulebook, Part IV",
        }
    }

    /// The threshold keys the licence's rules have.
    fn keys(self) -> &'static [&'static str] {
        match self {
            Licence::Dfsa => &[
                "individual_net_assets",
                "undertaking_own_funds",
                "large_balance_sheet",
                "large_turnover",
                "large_own_funds",
            ],
            Licence::Vara => &[
                "individual_net_assets",
                "individual_income",
                "entity_net_assets",
            ],
        }
    }
}

/// The licence's thresholds ("at least"); each licence has its own set, the others are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct Thresholds {
    pub(crate) individual_net_assets: Option<Money>,
    pub(crate) individual_income: Option<Money>,
    pub(crate) entity_net_assets: Option<Money>,
    pub(crate) undertaking_own_funds: Option<Money>,
    pub(crate) large_balance_sheet: Option<Money>,
    pub(crate) large_turnover: Option<Money>,
    pub(crate) large_own_funds: Option<Money>,
}

impl Thresholds {
    fn slot(&mut self, key: &str) -> Option<&mut Option<Money>> {
        Some(match key {
            "individual_net_assets" => &mut self.individual_net_assets,
            "individual_income" => &mut self.individual_income,
            "entity_net_assets" => &mut self.entity_net_assets,
            "undertaking_own_funds" => &mut self.undertaking_own_funds,
            "large_balance_sheet" => &mut self.large_balance_sheet,
            "large_turnover" => &mut self.large_turnover,
            "large_own_funds" => &mut self.large_own_funds,
            _ => return None,
        })
    }

    fn get(&self, key: &str) -> Option<Money> {
        match key {
            "individual_net_assets" => self.individual_net_assets,
            "individual_income" => self.individual_income,
            "entity_net_assets" => self.entity_net_assets,
            "undertaking_own_funds" => self.undertaking_own_funds,
            "large_balance_sheet" => self.large_balance_sheet,
            "large_turnover" => self.large_turnover,
            "large_own_funds" => self.large_own_funds,
            _ => None,
        }
    }
}

/// Keeps a UAE case pending until the investor is classified as the platform's licence
/// requires.
///
/// Stored as (DFSA; VARA has `individual_net_assets`, `individual_income` and
/// `entity_net_assets` instead):
///
/// ```json
/// {"kind": "investor_classification", "licence": "dfsa", "permitted": ["professional"],
///  "individual_net_assets": {"amount": "1000000", "currency": "USD"},
///  "undertaking_own_funds": {"amount": "1000000", "currency": "USD"},
///  "large_balance_sheet": {"amount": "20000000", "currency": "USD"},
///  "large_turnover": {"amount": "40000000", "currency": "USD"},
///  "large_own_funds": {"amount": "2000000", "currency": "USD"},
///  "reassess_months": 12}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InvestorClassification {
    licence: Licence,
    permitted: Vec<ClientClass>,
    thresholds: Thresholds,
    reassess_months: u8,
}

impl InvestorClassification {
    pub(crate) const KIND: &'static str = "investor_classification";
    const EXPECTED_MONTHS: &'static str = "an integer from 1 to 36";

    /// The parameters: the licence, the classes served (at least one, each of the licence's
    /// regime, no repeats), every threshold the licence has (`(key, threshold)`, one currency)
    /// and the months after which a classification is reassessed (1 to 36).
    pub fn new(
        licence: Licence,
        permitted: Vec<ClientClass>,
        thresholds: &[(&str, Money)],
        reassess_months: u8,
    ) -> Result<Self, FieldError> {
        if permitted.is_empty() {
            return Err(FieldError::new("permitted", Problem::Missing));
        }
        for (i, class) in permitted.iter().enumerate() {
            if !class.exists_under(licence.regime()) {
                return Err(FieldError::new(
                    format!("permitted[{i}]"),
                    Problem::OutOfRange {
                        expected: "a class of the licence's regime",
                        got: class.as_str().to_owned(),
                    },
                ));
            }
            if permitted[..i].contains(class) {
                return Err(FieldError::new(
                    "permitted",
                    Problem::Duplicate {
                        value: class.as_str().to_owned(),
                    },
                ));
            }
        }
        let mut set = Thresholds::default();
        let mut currency: Option<Currency> = None;
        for (key, m) in thresholds {
            if !licence.keys().contains(key) {
                return Err(FieldError::new(
                    key.to_string(),
                    Problem::Unexpected {
                        kind: "investor_classification under this licence",
                    },
                ));
            }
            let first = *currency.get_or_insert(m.currency());
            if m.currency() != first {
                return Err(FieldError::new(
                    format!("{key}.currency"),
                    Problem::OutOfRange {
                        expected: "the currency of the rule's other thresholds",
                        got: m.currency().to_string(),
                    },
                ));
            }
            if let Some(slot) = set.slot(key) {
                *slot = Some(*m);
            }
        }
        if let Some(missing) = licence.keys().iter().find(|k| set.get(k).is_none()) {
            return Err(FieldError::new(*missing, Problem::Missing));
        }
        if !(1..=36).contains(&reassess_months) {
            return Err(FieldError::new(
                "reassess_months",
                Problem::OutOfRange {
                    expected: Self::EXPECTED_MONTHS,
                    got: reassess_months.to_string(),
                },
            ));
        }
        Ok(Self {
            licence,
            permitted,
            thresholds: set,
            reassess_months,
        })
    }

    /// The licence.
    pub fn licence(&self) -> Licence {
        self.licence
    }

    /// The classes the licence lets the platform serve.
    pub fn permitted(&self) -> &[ClientClass] {
        &self.permitted
    }

    /// After how many months a classification is reassessed.
    pub fn reassess_months(&self) -> u8 {
        self.reassess_months
    }

    pub(crate) fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// The keys of a parameters object, for a licence read from it.
    pub(crate) fn keys_for(parameters: &Value) -> Vec<&'static str> {
        let mut keys = vec!["kind", "licence", "permitted", "reassess_months"];
        match parameters.get("licence").and_then(Value::as_str) {
            Some("dfsa") => keys.extend(Licence::Dfsa.keys()),
            Some("vara") => keys.extend(Licence::Vara.keys()),
            // An unknown licence is refused by name when it is read, not as a stray key.
            _ => {
                keys.extend(Licence::Dfsa.keys());
                keys.extend(Licence::Vara.keys());
            }
        }
        keys
    }

    pub(crate) fn read(object: &Object<'_>) -> Result<Self, FieldError> {
        let licence = match object.str("licence")? {
            "dfsa" => Licence::Dfsa,
            "vara" => Licence::Vara,
            other => {
                return Err(FieldError::new(
                    object.path_of("licence"),
                    Problem::OutOfRange {
                        expected: "\"dfsa\" or \"vara\"",
                        got: echo(other),
                    },
                ));
            }
        };
        let permitted = text_forms(object.array("permitted")?, &object.path_of("permitted"))?;
        let mut thresholds = Vec::new();
        for key in licence.keys() {
            thresholds.push((*key, money(object.field(key)?, &object.path_of(key))?));
        }
        let months = object.integer("reassess_months", 1..=36, Self::EXPECTED_MONTHS)?;
        Self::new(
            licence,
            permitted,
            &thresholds,
            u8::try_from(months).unwrap_or(36),
        )
        .map_err(|e| e.under("parameters"))
    }

    pub(crate) fn write(&self, parameters: &mut Map<String, Value>) {
        let licence = match self.licence {
            Licence::Dfsa => "dfsa",
            Licence::Vara => "vara",
        };
        parameters.insert("licence".into(), licence.into());
        let permitted: Vec<&str> = self.permitted.iter().map(|c| c.as_str()).collect();
        parameters.insert("permitted".into(), permitted.into());
        for key in self.licence.keys() {
            if let Some(m) = self.thresholds.get(key) {
                parameters.insert((*key).into(), money_json(&m));
            }
        }
        parameters.insert("reassess_months".into(), self.reassess_months.into());
    }
}
