//! The `risk_signals` rule kind: a risk-based weighing of a case's red flags and watchlist
//! matches (UAE Cabinet Decision No. 10 of 2019), and what each kind of rule weighs, so that the
//! engine can list the signals no rule in force weighed.
//!
//! Must not: let a listed signal weigh nothing (a weight is 1 to 10: a rule that does not weigh
//! a signal leaves it out, and the decision then lists it as unweighed), or name a listed
//! person: the explanation names kinds of signal and weights only.

use crate::error::{FieldError, Problem, echo};
use crate::params::{Object, wrong};
use compliance_domain::{Case, CheckStatus, RedFlag, Signals, TextForm, WatchlistKind};
use serde_json::{Map, Value};
use std::fmt::Write;

/// The heaviest weight one signal may carry.
const MAX_WEIGHT: u8 = 10;

/// Weighs the signals a case carries: each kind listed has a weight from 1 to 10; when the
/// weights of the signals present add up to `min_weight` or more, the rule gives `outcome`.
///
/// Stored as:
///
/// ```json
/// {"kind": "risk_signals",
///  "red_flags": {"adverse_media": 2, "unusual_activity": 1},
///  "matches": {"adverse_media": 2},
///  "min_weight": 2, "outcome": "ESCALATED"}
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RiskSignals {
    red_flags: [u8; 7],
    matches: [u8; 3],
    min_weight: u8,
    outcome: CheckStatus,
}

/// A red flag kind's place among the kinds (declaration order).
fn flag_index(flag: RedFlag) -> usize {
    Signals::all()
        .red_flags()
        .position(|f| f == flag)
        .unwrap_or(0)
}

/// A match kind's place among the kinds (declaration order).
fn match_index(kind: WatchlistKind) -> usize {
    Signals::all()
        .matches()
        .position(|k| k == kind)
        .unwrap_or(0)
}

impl RiskSignals {
    pub(crate) const KIND: &'static str = "risk_signals";
    pub(crate) const KEYS: [&'static str; 5] =
        ["kind", "red_flags", "matches", "min_weight", "outcome"];
    const OUTCOMES: [CheckStatus; 3] = [
        CheckStatus::Pending,
        CheckStatus::Escalated,
        CheckStatus::Rejected,
    ];
    const EXPECTED_OUTCOME: &'static str = "PENDING, ESCALATED or REJECTED";
    const EXPECTED_WEIGHT: &'static str = "an integer from 1 to 10";
    const EXPECTED_MIN: &'static str = "an integer from 1 to 100";

    /// A weighing: the weight of each red flag kind and match kind it weighs (each 1 to 10, at
    /// least one), the total that fires it (1 to 100) and its outcome (PENDING, ESCALATED or
    /// REJECTED).
    pub fn new(
        red_flags: &[(RedFlag, u8)],
        matches: &[(WatchlistKind, u8)],
        min_weight: u8,
        outcome: CheckStatus,
    ) -> Result<Self, FieldError> {
        let mut weights = Self {
            red_flags: [0; 7],
            matches: [0; 3],
            min_weight,
            outcome,
        };
        let weight = |path: String, w: u8| {
            if (1..=MAX_WEIGHT).contains(&w) {
                Ok(w)
            } else {
                Err(FieldError::new(
                    path,
                    Problem::OutOfRange {
                        expected: Self::EXPECTED_WEIGHT,
                        got: w.to_string(),
                    },
                ))
            }
        };
        for (flag, w) in red_flags {
            weights.red_flags[flag_index(*flag)] = weight(format!("red_flags.{flag}"), *w)?;
        }
        for (kind, w) in matches {
            weights.matches[match_index(*kind)] = weight(format!("matches.{kind}"), *w)?;
        }
        if weights.weighs().is_empty() {
            return Err(FieldError::new(
                "red_flags",
                Problem::OutOfRange {
                    expected: "at least one red flag or match kind with its weight",
                    got: "none".into(),
                },
            ));
        }
        if !(1..=100).contains(&min_weight) {
            return Err(FieldError::new(
                "min_weight",
                Problem::OutOfRange {
                    expected: Self::EXPECTED_MIN,
                    got: min_weight.to_string(),
                },
            ));
        }
        if !Self::OUTCOMES.contains(&outcome) {
            return Err(FieldError::new(
                "outcome",
                Problem::OutOfRange {
                    expected: Self::EXPECTED_OUTCOME,
                    got: outcome.to_string(),
                },
            ));
        }
        Ok(weights)
    }

    /// The status the rule gives when it fires.
    pub fn outcome(&self) -> CheckStatus {
        self.outcome
    }

    /// The total weight that fires the rule.
    pub fn min_weight(&self) -> u8 {
        self.min_weight
    }

    /// The weight of a red flag kind, if the rule weighs it.
    pub fn red_flag_weight(&self, flag: RedFlag) -> Option<u8> {
        Some(self.red_flags[flag_index(flag)]).filter(|w| *w > 0)
    }

    /// The weight of a match kind, if the rule weighs it.
    pub fn match_weight(&self, kind: WatchlistKind) -> Option<u8> {
        Some(self.matches[match_index(kind)]).filter(|w| *w > 0)
    }

    /// The signal kinds the rule weighs.
    pub fn weighs(&self) -> Signals {
        let all = Signals::all();
        let flags = all
            .red_flags()
            .filter(|f| self.red_flag_weight(*f).is_some())
            .fold(Signals::NONE, Signals::with_red_flag);
        all.matches()
            .filter(|k| self.match_weight(*k).is_some())
            .fold(flags, Signals::with_match)
    }

    fn read_weights<T: TextForm>(
        object: &Object<'_>,
        key: &'static str,
    ) -> Result<Vec<(T, u8)>, FieldError> {
        let path = object.path_of(key);
        let value = object.field(key)?;
        let Value::Object(map) = value else {
            return Err(wrong(&path, "a JSON object of kinds and weights", value));
        };
        let mut out = Vec::with_capacity(map.len());
        for (name, weight) in map {
            let item = format!("{path}.{}", name.chars().take(40).collect::<String>());
            let kind =
                T::parse_text(name).map_err(|e| FieldError::new(&item, Problem::invalid(e)))?;
            let w = weight
                .as_u64()
                .filter(|w| (1..=u64::from(MAX_WEIGHT)).contains(w))
                .ok_or_else(|| {
                    FieldError::new(
                        &item,
                        Problem::OutOfRange {
                            expected: Self::EXPECTED_WEIGHT,
                            got: echo(&weight.to_string()),
                        },
                    )
                })?;
            out.push((kind, u8::try_from(w).unwrap_or(MAX_WEIGHT)));
        }
        Ok(out)
    }

    pub(crate) fn read(object: &Object<'_>) -> Result<Self, FieldError> {
        let red_flags = Self::read_weights::<RedFlag>(object, "red_flags")?;
        let matches = Self::read_weights::<WatchlistKind>(object, "matches")?;
        let min = object.integer("min_weight", 1..=100, Self::EXPECTED_MIN)?;
        let outcome = object.status("outcome", &Self::OUTCOMES, Self::EXPECTED_OUTCOME)?;
        Self::new(
            &red_flags,
            &matches,
            u8::try_from(min).unwrap_or(100),
            outcome,
        )
        .map_err(|e| e.under("parameters"))
    }

    pub(crate) fn write(&self, parameters: &mut Map<String, Value>) {
        let all = Signals::all();
        let flags: Map<String, Value> = all
            .red_flags()
            .filter_map(|f| {
                self.red_flag_weight(f)
                    .map(|w| (f.as_str().into(), w.into()))
            })
            .collect();
        let matches: Map<String, Value> = all
            .matches()
            .filter_map(|k| self.match_weight(k).map(|w| (k.as_str().into(), w.into())))
            .collect();
        parameters.insert("red_flags".into(), Value::Object(flags));
        parameters.insert("matches".into(), Value::Object(matches));
        parameters.insert("min_weight".into(), self.min_weight.into());
        parameters.insert("outcome".into(), self.outcome.as_str().into());
    }

    /// The weight of the signals `received` holds. No allocation.
    fn total(&self, received: Signals) -> u32 {
        let flags: u32 = received
            .red_flags()
            .filter_map(|f| self.red_flag_weight(f))
            .map(u32::from)
            .sum();
        let matches: u32 = received
            .matches()
            .filter_map(|k| self.match_weight(k))
            .map(u32::from)
            .sum();
        flags + matches
    }

    pub(crate) fn assess(&self, case: &Case) -> Option<String> {
        let received = Signals::of(case);
        let total = self.total(received);
        if total < u32::from(self.min_weight) {
            return None;
        }
        let mut out = String::with_capacity(200);
        let _ = write!(
            out,
            "The case's red flags and watchlist matches weigh {total}, at or above the threshold of {} (",
            self.min_weight
        );
        let mut first = true;
        let mut item = |out: &mut String, text: std::fmt::Arguments<'_>| {
            out.push_str(if first { "" } else { ", " });
            first = false;
            let _ = out.write_fmt(text);
        };
        for flag in received.red_flags() {
            if let Some(w) = self.red_flag_weight(flag) {
                item(&mut out, format_args!("red flag {flag} {w}"));
            }
        }
        for kind in received.matches() {
            if let Some(w) = self.match_weight(kind) {
                item(&mut out, format_args!("{kind} match {w}"));
            }
        }
        let consequence = match self.outcome {
            CheckStatus::Rejected => "the case is rejected",
            CheckStatus::Escalated => {
                "enhanced due diligence and a reviewer's decision are required"
            }
            _ => "the case stays pending until a reviewer has looked at them",
        };
        let _ = write!(out, "), so {consequence}.");
        Some(out)
    }
}
