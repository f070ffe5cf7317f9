//! A rule's parameters in words, as a reviewer reads them on a case page: thresholds with
//! their currency's grouping (`2,00,00,000 INR (2 crore)`, `1,000,000 USD`), lists by name,
//! outcomes and months spelled out. Never raw JSON.
//!
//! Must not: describe a case (only the rule), or read anything but the parsed parameters.

use crate::accreditation::{AccreditationTest, Comparison};
use crate::classification::Licence;
use crate::kind::RuleKind;
use compliance_domain::{EntityType, Money, RiskLevel, Signals, TextForm};

const ENTITY_TYPES: [EntityType; 3] = [
    EntityType::Individual,
    EntityType::Corporate,
    EntityType::Fund,
];
const RISK_LEVELS: [RiskLevel; 4] = [
    RiskLevel::Low,
    RiskLevel::Medium,
    RiskLevel::High,
    RiskLevel::Critical,
];

fn test_words(test: &AccreditationTest, comparison: Comparison) -> String {
    let word = match comparison {
        Comparison::AtLeast => "at least",
        Comparison::MoreThan => "above",
    };
    let parts: Vec<String> = [
        ("net worth", test.net_worth()),
        ("annual income", test.annual_income()),
        ("total assets", test.total_assets()),
    ]
    .into_iter()
    .filter_map(|(name, m)| m.map(|m| format!("{name} {word} {}", m.for_reading())))
    .collect();
    parts.join(" and ")
}

fn tests_words(who: &str, tests: &[AccreditationTest], comparison: Comparison) -> Option<String> {
    (!tests.is_empty()).then(|| {
        let each: Vec<String> = tests.iter().map(|t| test_words(t, comparison)).collect();
        format!("{who} qualifies by {}", each.join("; or by "))
    })
}

fn money_line(what: &str, m: Option<Money>) -> Option<String> {
    m.map(|m| format!("{what}: at least {}", m.for_reading()))
}

impl RuleKind {
    /// The rule's parameters in words, one line each (for `sanctions_match` and `pep_match`,
    /// which have none, what the kind itself does).
    ///
    /// ```
    /// use compliance_rules::RuleKind;
    /// let kind = RuleKind::from_parameters(&serde_json::json!(
    ///     {"kind": "risk_score", "min_score": 85, "outcome": "REJECTED"}))?;
    /// assert_eq!(kind.in_words(), ["An AML risk score of 85 or more gives REJECTED"]);
    /// # Ok::<(), compliance_rules::FieldError>(())
    /// ```
    pub fn in_words(&self) -> Vec<String> {
        match self {
            RuleKind::SanctionsMatch => {
                vec!["Any match on a sanctions list gives REJECTED".to_owned()]
            }
            RuleKind::PepMatch => vec!["Any match on a PEP list gives ESCALATED".to_owned()],
            RuleKind::ScreeningMatch(s) => vec![format!(
                "A match on a {} list scored {} or more (below any stricter band of that kind) gives {}",
                s.list_kind(),
                s.min_score(),
                s.outcome()
            )],
            RuleKind::RiskScore(t) => vec![format!(
                "An AML risk score of {} or more gives {}",
                t.min_score().value(),
                t.outcome()
            )],
            RuleKind::RequiredDocuments(d) => ENTITY_TYPES
                .iter()
                .map(|t| {
                    let docs: Vec<String> = d
                        .for_type(*t)
                        .iter()
                        .map(|k| k.to_string().replace('_', " "))
                        .collect();
                    let docs = if docs.is_empty() {
                        "nothing".to_owned()
                    } else {
                        docs.join(", ")
                    };
                    let article = if *t == EntityType::Individual {
                        "An"
                    } else {
                        "A"
                    };
                    format!("{article} {} must have verified: {docs}", t.as_str())
                })
                .collect(),
            RuleKind::RedFlags(r) => vec![format!(
                "{} or more red flags of any kind give REJECTED",
                r.min_count()
            )],
            RuleKind::VerificationScore(m) => vec![format!(
                "An identity verification score below {} gives {}",
                m.min_score().value(),
                m.outcome()
            )],
            RuleKind::Accreditation(a) => {
                let types: Vec<&str> = a.entity_types().iter().map(|t| t.as_str()).collect();
                let mut lines = vec![format!("Applies to: {}", types.join(", "))];
                lines.extend(tests_words("An individual", a.individual(), a.comparison()));
                lines.extend(tests_words("An entity", a.entity(), a.comparison()));
                lines.push(
                    if a.verification_required() {
                        "A third party must have verified it"
                    } else {
                        "No third-party verification is required"
                    }
                    .to_owned(),
                );
                lines
            }
            RuleKind::RegDAccreditation(r) => r.words(),
            RuleKind::SebiAccreditation(s) => s.words(),
            RuleKind::InvestorClassification(c) => {
                let permitted: Vec<String> = c.permitted().iter().map(|p| p.to_string()).collect();
                let licence = match c.licence() {
                    Licence::Dfsa => "DFSA",
                    Licence::Vara => "VARA",
                };
                let t = c.thresholds();
                let mut lines = vec![format!(
                    "Under the platform's {licence} licence, the classes it may serve: {}",
                    permitted.join(", ")
                )];
                lines.extend(
                    [
                        money_line("An individual's net assets", t.individual_net_assets),
                        money_line("An individual's annual income", t.individual_income),
                        money_line("An entity's net assets", t.entity_net_assets),
                        money_line(
                            "An assessed undertaking's own funds",
                            t.undertaking_own_funds,
                        ),
                        money_line("A large undertaking's balance sheet", t.large_balance_sheet),
                        money_line("A large undertaking's net turnover", t.large_turnover),
                        money_line("A large undertaking's own funds", t.large_own_funds),
                    ]
                    .into_iter()
                    .flatten(),
                );
                lines.push(format!(
                    "A classification is reassessed every {} month(s)",
                    c.reassess_months()
                ));
                lines
            }
            RuleKind::RiskSignals(r) => {
                let all = Signals::all();
                let weights: Vec<String> = all
                    .red_flags()
                    .filter_map(|f| r.red_flag_weight(f).map(|w| format!("red flag {f}: {w}")))
                    .chain(
                        all.matches()
                            .filter_map(|k| r.match_weight(k).map(|w| format!("{k} match: {w}"))),
                    )
                    .collect();
                vec![
                    format!("Weights: {}", weights.join(", ")),
                    format!(
                        "A total weight of {} or more gives {}",
                        r.min_weight(),
                        r.outcome()
                    ),
                ]
            }
            RuleKind::PeriodicReview(i) => vec![format!(
                "An approved case is reviewed again after {}",
                RISK_LEVELS
                    .iter()
                    .map(|l| format!("{} months at {l}", i.months(*l)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )],
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::RuleKind;

    /// Every default rule version reads in words: no JSON, no brace, and each threshold amount
    /// grouped for its currency.
    #[test]
    fn every_default_rule_reads_in_words() {
        for rule in crate::default_rules() {
            let words = rule.kind().in_words().join("\n");
            assert!(
                !words.contains('{') && !words.contains('"'),
                "{}: {words}",
                rule.code()
            );
            let params = rule.kind().to_parameters().to_string();
            if params.contains("\"INR\"") {
                assert!(words.contains(",00,000 INR"), "{}: {words}", rule.code());
                assert!(words.contains("crore"), "{}: {words}", rule.code());
            }
        }
    }

    #[test]
    fn sebi_thresholds_read_in_crore() {
        let kind = RuleKind::from_parameters(&serde_json::json!({"kind": "sebi_accreditation",
            "income": {"amount": "20000000", "currency": "INR"},
            "net_worth": {"amount": "75000000", "currency": "INR"},
            "financial_assets": {"amount": "37500000", "currency": "INR"},
            "combined_income": {"amount": "10000000", "currency": "INR"},
            "combined_net_worth": {"amount": "50000000", "currency": "INR"},
            "combined_financial_assets": {"amount": "25000000", "currency": "INR"},
            "entity_net_worth": {"amount": "500000000", "currency": "INR"},
            "certificate_months": 36}))
        .unwrap();
        let words = kind.in_words().join("\n");
        assert!(
            words.contains("annual income of at least 2,00,00,000 INR (2 crore)"),
            "{words}"
        );
        assert!(
            words.contains("net worth of at least 7,50,00,000 INR (7.5 crore)"),
            "{words}"
        );
        assert!(words.contains("50,00,00,000 INR (50 crore)"), "{words}");
        assert!(words.contains("at most 36 month(s)"), "{words}");
    }
}
