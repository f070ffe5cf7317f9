//! The `investor_classification` rule kind: a UAE investor must be classified, under the rules
//! of the licence the platform holds (a parameter, so a change of licence is a new version with
//! its effective date), in a class the licence lets the platform serve, on facts that support
//! the class, with the written warning given and the assessment not overdue.
//!
//! DFSA: Conduct of Business module (COB) 2.3 (Professional Clients: deemed, 2.3.4; assessed,
//! 2.3.7 and 2.3.8) and 2.4.1 (the written notice). VARA: Market Conduct Rulebook, Part IV
//! (Qualified and Institutional Investors). Parameters in `classification/params.rs`.
//!
//! Must not: convert currencies or repeat an investor's amounts in an explanation.

mod params;

pub use params::{InvestorClassification, Licence};

use crate::dates::within_months;
use compliance_domain::{
    ClientClass, ClientClassification, EntityType, KycCheck, Money, Regime, TextForm,
};
use std::cmp::Ordering;
use std::fmt::Write;

/// Why the classification does not stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Miss {
    Missing,
    Regime(Regime),
    NotPermitted(ClientClass),
    NoDate,
    ClassifiedLater,
    Overdue,
    NoWarning,
    WarningLater,
    Facts(Basis),
}

/// Which facts a class needs, for the sentence that says they are not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Basis {
    DfsaPerson,
    DfsaUndertaking,
    VaraPerson,
    VaraEntity,
    VaraInstitution,
}

fn at_least(figure: Option<Money>, threshold: Option<Money>) -> bool {
    match (figure, threshold) {
        (Some(f), Some(t)) => f.compare(&t).ok().is_some_and(Ordering::is_ge),
        _ => false,
    }
}

impl InvestorClassification {
    /// Whether the facts support the class, under the licence's rules.
    fn supported(&self, person: bool, c: &ClientClassification) -> Result<(), Miss> {
        let t = self.thresholds();
        match (self.licence(), c.class) {
            (_, ClientClass::Retail) => Ok(()),
            (Licence::Dfsa, ClientClass::Professional) => {
                if !person && c.institutional.is_some() {
                    return Ok(());
                }
                if person {
                    let assets = at_least(c.net_assets, t.individual_net_assets);
                    let standing = c.professional_employment || c.knowledge_assessed;
                    return if assets && standing {
                        Ok(())
                    } else {
                        Err(Miss::Facts(Basis::DfsaPerson))
                    };
                }
                let large = [
                    at_least(c.balance_sheet_total, t.large_balance_sheet),
                    at_least(c.net_turnover, t.large_turnover),
                    at_least(c.own_funds, t.large_own_funds),
                ]
                .iter()
                .filter(|met| **met)
                .count()
                    >= 2;
                let assessed =
                    at_least(c.own_funds, t.undertaking_own_funds) && c.knowledge_assessed;
                if large || assessed {
                    Ok(())
                } else {
                    Err(Miss::Facts(Basis::DfsaUndertaking))
                }
            }
            (Licence::Vara, ClientClass::Qualified) => {
                let wealth = if person {
                    at_least(c.net_assets, t.individual_net_assets)
                        || at_least(c.annual_income, t.individual_income)
                } else {
                    at_least(c.net_assets, t.entity_net_assets)
                };
                if wealth && c.knowledge_assessed {
                    Ok(())
                } else if person {
                    Err(Miss::Facts(Basis::VaraPerson))
                } else {
                    Err(Miss::Facts(Basis::VaraEntity))
                }
            }
            (Licence::Vara, ClientClass::Institutional) => {
                if !person && c.institutional.is_some() {
                    Ok(())
                } else {
                    Err(Miss::Facts(Basis::VaraInstitution))
                }
            }
            // A class of another regime: refused before (Miss::Regime); kept total.
            _ => Err(Miss::Regime(c.regime)),
        }
    }

    fn judge(&self, kyc: &KycCheck) -> Result<(), Miss> {
        let c = kyc.investor.classification.as_ref().ok_or(Miss::Missing)?;
        if c.regime != self.licence().regime() || !c.class.exists_under(c.regime) {
            return Err(Miss::Regime(c.regime));
        }
        if !self.permitted().contains(&c.class) {
            return Err(Miss::NotPermitted(c.class));
        }
        let as_of = kyc.investor.assessed_on.ok_or(Miss::NoDate)?;
        if c.classified_on > as_of {
            return Err(Miss::ClassifiedLater);
        }
        if c.class == ClientClass::Retail {
            return Ok(());
        }
        if !within_months(c.classified_on, as_of, u32::from(self.reassess_months())) {
            return Err(Miss::Overdue);
        }
        let person = kyc.entity_type == EntityType::Individual;
        self.supported(person, c)?;
        // VARA's institutions are classified by what they are; every other class above retail
        // follows a written warning (DFSA COB 2.4.1; VARA's opt-up).
        if c.class != ClientClass::Institutional {
            let warned = c.warning_given_on.ok_or(Miss::NoWarning)?;
            if warned > as_of {
                return Err(Miss::WarningLater);
            }
        }
        Ok(())
    }

    /// `None` when the classification stands; otherwise why not.
    pub(crate) fn assess(&self, kyc: &KycCheck) -> Option<String> {
        let miss = self.judge(kyc).err()?;
        let licence = self.licence();
        let mut out = String::with_capacity(300);
        let _ = write!(
            out,
            "The investor's classification does not stand under the platform's {} licence ({}): ",
            licence.name(),
            licence.source()
        );
        let _ = match miss {
            Miss::Missing => write!(
                out,
                "none is recorded, and every client is classified before any service"
            ),
            Miss::Regime(regime) => write!(
                out,
                "it was made under {}'s rules",
                regime.as_str().to_uppercase()
            ),
            Miss::NotPermitted(class) => write!(
                out,
                "{} investors are not served under this licence",
                class.as_str()
            ),
            Miss::NoDate => write!(
                out,
                "no assessment date is stated to judge the classification by"
            ),
            Miss::ClassifiedLater => write!(out, "it is dated after the assessment"),
            Miss::Overdue => write!(
                out,
                "it is older than the {} months after which the platform reassesses a classification",
                self.reassess_months()
            ),
            Miss::NoWarning => write!(
                out,
                "no written warning of the protections lost and of the right to be treated as retail is recorded"
            ),
            Miss::WarningLater => write!(out, "the written warning is dated after the assessment"),
            Miss::Facts(basis) => self.describe(basis, &mut out),
        };
        if let (Miss::Facts(_), Some(c)) = (miss, &kyc.investor.classification) {
            self.currency_note(c, &mut out);
        }
        out.push('.');
        Some(out)
    }

    /// What the class needs, with the licence's thresholds.
    fn describe(&self, basis: Basis, out: &mut String) -> std::fmt::Result {
        let t = self.thresholds();
        let show =
            |m: Option<Money>| m.map_or_else(|| "the threshold".to_owned(), |m| m.to_string());
        match basis {
            Basis::DfsaPerson => write!(
                out,
                "an assessed Professional Client needs net assets of at least {} without the primary residence (COB 2.3.7(1)(a)) and either a professional position in the previous two years or assessed experience (COB 2.3.7(1)(b))",
                show(t.individual_net_assets)
            ),
            Basis::DfsaUndertaking => write!(
                out,
                "an undertaking is a Professional Client when deemed (COB 2.3.4(1)), when it meets two of a balance sheet total of {}, a net turnover of {} and own funds of {} (COB 2.3.4(2)), or when assessed with own funds of at least {} and experience (COB 2.3.8(1))",
                show(t.large_balance_sheet),
                show(t.large_turnover),
                show(t.large_own_funds),
                show(t.undertaking_own_funds)
            ),
            Basis::VaraPerson => write!(
                out,
                "a Qualified Investor needs net assets of at least {} without the primary residence or an annual income of at least {}, and relevant knowledge of virtual assets",
                show(t.individual_net_assets),
                show(t.individual_income)
            ),
            Basis::VaraEntity => write!(
                out,
                "a Qualified Investor entity needs net assets of at least {} and directors with relevant knowledge of virtual assets",
                show(t.entity_net_assets)
            ),
            Basis::VaraInstitution => write!(
                out,
                "an Institutional Investor is an institution of a listed category"
            ),
        }
    }

    /// Says so when a figure is in another currency than the thresholds.
    fn currency_note(&self, c: &ClientClassification, out: &mut String) {
        let t = self.thresholds();
        let Some(currency) = [
            t.individual_net_assets,
            t.undertaking_own_funds,
            t.entity_net_assets,
        ]
        .iter()
        .flatten()
        .map(|m| m.currency())
        .next() else {
            return;
        };
        let figures = [
            c.net_assets,
            c.annual_income,
            c.own_funds,
            c.balance_sheet_total,
            c.net_turnover,
        ];
        if let Some(other) = figures.iter().flatten().find(|m| m.currency() != currency) {
            let _ = write!(
                out,
                "; figures are stated in {}, not {currency}, and amounts are not converted between currencies",
                other.currency()
            );
        }
    }
}
