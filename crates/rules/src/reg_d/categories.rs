//! The categories of 17 CFR 230.501(a) a platform's investors meet, each judged from the
//! case's facts, and the sentence that says why none is demonstrated.
//!
//! Must not: allocate unless the rule fires, or repeat an investor's amounts, years or
//! numbers: a sentence names categories, paragraphs and the rule's thresholds only.

use super::verification::{Unverified, method_words, verified};
use super::{Category, RegDAccreditation};
use chrono::Datelike;
use compliance_domain::{
    Basis, Currency, EntityCategory, EntityType, KycCheck, Money, NetWorthRecord, RegDFacts,
    Verifier,
};
use std::cmp::Ordering;
use std::fmt::Write;

/// Why a category is not met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Miss {
    NotProvided(&'static str),
    Currency(&'static str, Currency),
    NotAbove(&'static str, Money),
    NotRecentYears,
    NoDate,
    NoExpectation,
    NoCertification,
    NoRole,
    FormedToInvest,
    NotDirected,
    OwnersNotAccredited,
    NotDirectedByFamilyOffice,
}

/// `figure` compared "in excess of" `threshold`.
fn above(words: &'static str, figure: Option<Money>, threshold: Money) -> Result<(), Miss> {
    let figure = figure.ok_or(Miss::NotProvided(words))?;
    match figure.compare(&threshold) {
        Ok(Ordering::Greater) => Ok(()),
        Ok(_) => Err(Miss::NotAbove(words, threshold)),
        Err(_) => Err(Miss::Currency(words, figure.currency())),
    }
}

/// Net worth as 501(a)(5)(i) counts it: the residence's value is left out ((A); it is not in
/// `excluding_residence`); of the debt it secures, the part up to its value is left out too,
/// except any increase in the 60 days before the sale not made to acquire it ((B)), and debt
/// above its value counts ((C)). Counted as a
/// liability: the debt less the smallest of the debt, the value and (unless the increase
/// acquired the residence) the debt 60 days before.
fn reg_d_net_worth(record: &NetWorthRecord) -> Result<Money, Miss> {
    let r = &record.residence;
    let currency = record.excluding_residence.currency();
    let same = [r.value, r.secured_debt, r.secured_debt_60_days_before]
        .iter()
        .all(|m| m.currency() == currency);
    if !same {
        return Err(Miss::Currency(
            "the primary residence's figures",
            r.value.currency(),
        ));
    }
    let debt = r.secured_debt.amount();
    let mut excluded = debt.min(r.value.amount());
    if !r.increase_from_acquisition {
        excluded = excluded.min(r.secured_debt_60_days_before.amount());
    }
    let counted = debt - excluded;
    let net = record.excluding_residence.amount() - counted;
    // A negative net worth is below any threshold: zero stands for it.
    Money::new(net.max(compliance_domain::Decimal::ZERO), currency)
        .map_err(|_| Miss::NotProvided("a net worth the rule can count"))
}

fn individual(
    rule: &RegDAccreditation,
    kyc: &KycCheck,
    facts: &RegDFacts,
    c: Category,
) -> Result<(), Miss> {
    match c {
        Category::Income => {
            let income = facts.income.as_ref().ok_or(Miss::NotProvided("income"))?;
            let Some(as_of) = kyc.investor.assessed_on else {
                return Err(Miss::NoDate);
            };
            if i32::from(income.recent_year) != as_of.year() - 1 {
                return Err(Miss::NotRecentYears);
            }
            let threshold = match income.basis {
                Basis::Individual => rule.income,
                Basis::Joint => rule.joint_income,
            };
            let words = match income.basis {
                Basis::Individual => "income in each of the two years",
                Basis::Joint => "joint income in each of the two years",
            };
            above(words, Some(income.recent), threshold)?;
            above(words, Some(income.prior), threshold)?;
            if !income.current_year_expected {
                return Err(Miss::NoExpectation);
            }
            Ok(())
        }
        Category::NetWorth => {
            let record = facts
                .net_worth
                .as_ref()
                .ok_or(Miss::NotProvided("net worth"))?;
            above("net worth", Some(reg_d_net_worth(record)?), rule.net_worth)
        }
        Category::Certification => {
            let held = facts
                .certifications
                .iter()
                .any(|c| c.in_good_standing && rule.certifications.contains(&c.kind));
            if held {
                Ok(())
            } else {
                Err(Miss::NoCertification)
            }
        }
        Category::Insider => facts.issuer_role.map(drop).ok_or(Miss::NoRole),
        _ => Err(Miss::NotProvided("an individual's facts")),
    }
}

fn entity(rule: &RegDAccreditation, facts: &RegDFacts, c: Category) -> Result<(), Miss> {
    let e = facts
        .entity
        .as_ref()
        .ok_or(Miss::NotProvided("the entity's facts"))?;
    let not_formed = || {
        if e.formed_to_invest {
            Err(Miss::FormedToInvest)
        } else {
            Ok(())
        }
    };
    let directed = || {
        if e.directed_by_sophisticated_person {
            Ok(())
        } else {
            Err(Miss::NotDirected)
        }
    };
    match c {
        Category::Institution => Ok(()),
        Category::Assets => {
            not_formed()?;
            above("total assets", e.total_assets, rule.entity_assets)
        }
        Category::Trust => {
            not_formed()?;
            above("total assets", e.total_assets, rule.entity_assets)?;
            directed()
        }
        Category::Owners => {
            if e.all_owners_accredited {
                Ok(())
            } else {
                Err(Miss::OwnersNotAccredited)
            }
        }
        Category::Investments => {
            not_formed()?;
            above("investments", e.investments, rule.entity_investments)
        }
        Category::FamilyOffice => {
            not_formed()?;
            above(
                "assets under management",
                e.investments,
                rule.entity_investments,
            )?;
            directed()
        }
        Category::FamilyClient => {
            if e.family_office_directed {
                Ok(())
            } else {
                Err(Miss::NotDirectedByFamilyOffice)
            }
        }
        _ => Err(Miss::NotProvided("an entity's facts")),
    }
}

/// The categories open to this investor, at most four.
fn open_to(kyc: &KycCheck, facts: &RegDFacts) -> [Option<Category>; 4] {
    use Category::*;
    if kyc.entity_type == EntityType::Individual {
        return [
            Some(NetWorth),
            Some(Income),
            Some(Certification),
            Some(Insider),
        ];
    }
    let first = match facts.entity.map(|e| e.category) {
        None => return [Some(Assets), None, None, None],
        Some(
            EntityCategory::Bank
            | EntityCategory::BrokerDealer
            | EntityCategory::InvestmentAdviser
            | EntityCategory::InsuranceCompany
            | EntityCategory::InvestmentCompany
            | EntityCategory::BusinessDevelopmentCompany,
        ) => Institution,
        Some(
            EntityCategory::Corporation
            | EntityCategory::Partnership
            | EntityCategory::LimitedLiabilityCompany
            | EntityCategory::BusinessTrust
            | EntityCategory::CharitableOrganization,
        ) => Assets,
        Some(EntityCategory::Trust) => Trust,
        Some(EntityCategory::FamilyOffice) => FamilyOffice,
        Some(EntityCategory::FamilyClient) => FamilyClient,
        Some(EntityCategory::Other) => Investments,
    };
    [Some(first), Some(Owners), None, None]
}

fn judge(
    rule: &RegDAccreditation,
    kyc: &KycCheck,
    facts: &RegDFacts,
    c: Category,
) -> Result<(), Miss> {
    if c.is_entity() {
        entity(rule, facts, c)
    } else {
        individual(rule, kyc, facts, c)
    }
}

/// `None` when a category open to the investor is met and verified in date; otherwise the
/// sentence that says, category by category, why not.
pub(super) fn assess(rule: &RegDAccreditation, kyc: &KycCheck) -> Option<String> {
    let who = kyc.entity_type;
    let Some(facts) = &kyc.investor.reg_d else {
        return Some(format!(
            "Accredited-investor status under 17 CFR 230.501(a) is not demonstrated for this {who} investor: no Regulation D facts were provided."
        ));
    };
    let as_of = kyc.investor.assessed_on;
    let categories = open_to(kyc, facts);
    for c in categories.iter().flatten() {
        if judge(rule, kyc, facts, *c).is_ok() && verified(rule, facts, *c, as_of).is_ok() {
            return None;
        }
    }
    let mut out = String::with_capacity(400);
    let _ = write!(
        out,
        "Accredited-investor status under 17 CFR 230.501(a) is not demonstrated for this {who} investor: "
    );
    for (i, c) in categories.iter().flatten().enumerate() {
        out.push_str(if i == 0 { "" } else { "; " });
        out.push_str(c.words());
        match judge(rule, kyc, facts, *c) {
            Err(miss) => {
                out.push_str(" is not met: ");
                describe_miss(miss, &mut out);
            }
            Ok(()) => {
                out.push_str(" is met but not verified: ");
                describe_unverified(verified(rule, facts, *c, as_of), &mut out);
            }
        }
    }
    out.push('.');
    Some(out)
}

fn describe_miss(miss: Miss, out: &mut String) {
    let _ = match miss {
        Miss::NotProvided(what) => write!(out, "{what} was not provided"),
        Miss::Currency(what, stated) => write!(
            out,
            "{what} is stated in {stated}, and amounts are not converted between currencies"
        ),
        Miss::NotAbove(what, threshold) => write!(out, "{what} not above {threshold}"),
        Miss::NotRecentYears => write!(
            out,
            "the two years stated are not the two before the year of the assessment"
        ),
        Miss::NoDate => write!(
            out,
            "no assessment date is stated, so the two most recent years are unknown"
        ),
        Miss::NoExpectation => write!(
            out,
            "no reasonable expectation of the same income in the current year is stated"
        ),
        Miss::NoCertification => {
            write!(out, "no designated certification is held in good standing")
        }
        Miss::NoRole => write!(out, "no such place at the issuer is stated"),
        Miss::FormedToInvest => write!(
            out,
            "the entity was formed to acquire the securities offered"
        ),
        Miss::NotDirected => write!(
            out,
            "its investment is not directed by a person with the knowledge and experience 230.506(b)(2)(ii) describes"
        ),
        Miss::OwnersNotAccredited => write!(out, "not every equity owner is accredited"),
        Miss::NotDirectedByFamilyOffice => {
            write!(out, "its investment is not directed by its family office")
        }
    };
}

fn months_words(months: u32) -> String {
    match months {
        3 => "three months".to_owned(),
        60 => "five years".to_owned(),
        1 => "one month".to_owned(),
        n => format!("{n} months"),
    }
}

fn verifier_words(verifier: Verifier) -> &'static str {
    match verifier {
        Verifier::Issuer => "the issuer",
        Verifier::BrokerDealer => "a broker-dealer",
        Verifier::InvestmentAdviser => "an investment adviser",
        Verifier::Attorney => "an attorney",
        Verifier::CertifiedPublicAccountant => "a certified public accountant",
    }
}

fn describe_unverified(why: Result<(), Unverified>, out: &mut String) {
    let _ = match why {
        Ok(()) => Ok(()),
        Err(Unverified::NoDate) => write!(
            out,
            "no assessment date is stated, so no verification can be dated"
        ),
        Err(Unverified::NoneRecorded) => write!(out, "no verification recorded covers it"),
        Err(Unverified::Verifier(method, verifier)) => write!(
            out,
            "the {} was made by {}, whom the method does not name",
            method_words(method),
            verifier_words(verifier)
        ),
        Err(Unverified::Future(method)) => write!(
            out,
            "the {} is dated after the assessment",
            method_words(method)
        ),
        Err(Unverified::Stale(method, months, source)) => write!(
            out,
            "the {} is older than the {} {source} allows",
            method_words(method),
            months_words(months)
        ),
        Err(Unverified::NoRepresentation(method)) => write!(
            out,
            "the {} lacks the purchaser's written representation it requires",
            method_words(method)
        ),
        Err(Unverified::BeforeTheForms) => write!(
            out,
            "the income tax review is dated before the later income year ended"
        ),
    };
}
