//! Whether a verification of accredited status counts for a category (17 CFR 230.506(c)(2)):
//! the method covers it, the right person made it, it is in date, and the written
//! representation the method asks for was obtained.
//!
//! Must not: allocate (it runs on every case the rule passes) or accept a verification dated
//! after the assessment: nothing is verified from the future.

use super::{Category, RegDAccreditation};
use crate::dates::within_months;
use chrono::{Datelike, NaiveDate};
use compliance_domain::{RegDFacts, Verification, VerificationMethod, Verifier};

/// Why no verification counts for a met category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unverified {
    /// The case states no assessment date, so no verification's age can be known.
    NoDate,
    /// No verification recorded covers the category.
    NoneRecorded,
    /// The method was used by someone it does not name.
    Verifier(VerificationMethod, Verifier),
    /// Dated after the assessment.
    Future(VerificationMethod),
    /// Older than the method allows: the limit in words and where it is set.
    Stale(VerificationMethod, u32, &'static str),
    /// The written representation the method asks for is missing.
    NoRepresentation(VerificationMethod),
    /// An income tax review dated before the later of the two income years ended.
    BeforeTheForms,
}

/// The method's name and its paragraph, for sentences.
pub(super) fn method_words(method: VerificationMethod) -> &'static str {
    match method {
        VerificationMethod::IncomeTaxReview => "income tax review (506(c)(2)(ii)(A))",
        VerificationMethod::NetWorthReview => "net worth review (506(c)(2)(ii)(B))",
        VerificationMethod::ThirdPartyConfirmation => "third-party confirmation (506(c)(2)(ii)(C))",
        VerificationMethod::PriorVerification => "prior verification (506(c)(2)(ii)(E))",
        VerificationMethod::PublicRegisterCheck => "public register check (506(c)(2)(i))",
        VerificationMethod::IssuerRecords => "issuer's records (506(c)(2)(i))",
        VerificationMethod::EntityDocumentReview => "entity document review (506(c)(2)(i))",
    }
}

/// True when the method can verify the category.
fn covers(method: VerificationMethod, category: Category) -> bool {
    match method {
        VerificationMethod::IncomeTaxReview => category == Category::Income,
        VerificationMethod::NetWorthReview => category == Category::NetWorth,
        VerificationMethod::ThirdPartyConfirmation | VerificationMethod::PriorVerification => true,
        VerificationMethod::PublicRegisterCheck => category == Category::Certification,
        VerificationMethod::IssuerRecords => category == Category::Insider,
        VerificationMethod::EntityDocumentReview => category.is_entity(),
    }
}

/// True when `verifier` may use `method`: (C) names a registered broker-dealer or investment
/// adviser, an attorney or a CPA; the other methods are the issuer's own.
fn made_by(method: VerificationMethod, verifier: Verifier) -> bool {
    match method {
        VerificationMethod::ThirdPartyConfirmation => verifier != Verifier::Issuer,
        _ => verifier == Verifier::Issuer,
    }
}

/// The oldest a verification by `method` may be, in months, and where that is set; `None`
/// when the method sets no age ((A) reviews the two most recent years' forms, which the income
/// test dates).
fn max_age(rule: &RegDAccreditation, method: VerificationMethod) -> Option<(u32, &'static str)> {
    match method {
        VerificationMethod::IncomeTaxReview => None,
        VerificationMethod::NetWorthReview => Some((3, "Rule 506(c)(2)(ii)(B)")),
        VerificationMethod::ThirdPartyConfirmation => Some((3, "Rule 506(c)(2)(ii)(C)")),
        VerificationMethod::PriorVerification => Some((60, "Rule 506(c)(2)(ii)(E)")),
        VerificationMethod::PublicRegisterCheck
        | VerificationMethod::IssuerRecords
        | VerificationMethod::EntityDocumentReview => Some((
            u32::from(rule.policy_months),
            "the platform's policy for reasonable steps under Rule 506(c)(2)(i)",
        )),
    }
}

/// (B) needs the purchaser's representation that all liabilities are disclosed; (E) that the
/// purchaser still qualifies at the sale.
fn needs_representation(method: VerificationMethod) -> bool {
    matches!(
        method,
        VerificationMethod::NetWorthReview | VerificationMethod::PriorVerification
    )
}

fn one(
    rule: &RegDAccreditation,
    facts: &RegDFacts,
    v: &Verification,
    as_of: NaiveDate,
) -> Result<(), Unverified> {
    if !made_by(v.method, v.verifier) {
        return Err(Unverified::Verifier(v.method, v.verifier));
    }
    if v.verified_on > as_of {
        return Err(Unverified::Future(v.method));
    }
    if let Some((months, source)) = max_age(rule, v.method)
        && !within_months(v.verified_on, as_of, months)
    {
        return Err(Unverified::Stale(v.method, months, source));
    }
    if v.method == VerificationMethod::IncomeTaxReview
        && facts
            .income
            .as_ref()
            .is_some_and(|i| v.verified_on.year() <= i32::from(i.recent_year))
    {
        return Err(Unverified::BeforeTheForms);
    }
    if needs_representation(v.method) && !v.written_representation {
        return Err(Unverified::NoRepresentation(v.method));
    }
    Ok(())
}

/// `Ok` when a verification recorded for the investor covers `category` and counts at
/// `as_of`; otherwise why not (the first covering verification's failure).
pub(super) fn verified(
    rule: &RegDAccreditation,
    facts: &RegDFacts,
    category: Category,
    as_of: Option<NaiveDate>,
) -> Result<(), Unverified> {
    let Some(as_of) = as_of else {
        return Err(Unverified::NoDate);
    };
    let mut first = None;
    for v in facts
        .verifications
        .iter()
        .filter(|v| covers(v.method, category))
    {
        match one(rule, facts, v, as_of) {
            Ok(()) => return Ok(()),
            Err(e) => {
                first.get_or_insert(e);
            }
        }
    }
    Err(first.unwrap_or(Unverified::NoneRecorded))
}
