//! The checks across an investor's facts that no single field can make: facts that need a date
//! have one, each jurisdiction's facts arrive only on its cases, and facts of a person arrive
//! only for a person (of an entity only for an entity).
//!
//! Must not: repeat a value; the messages name jurisdictions, entity types and fields only.

use super::{InvestorInput, KycInput, across};
use crate::{EntityType, Jurisdiction, SebiInvestorClass};
use validator::ValidationError;

/// `assessed_on` is required with the jurisdictions' own facts: verifications, certificates and
/// classifications are dated against it.
pub(super) fn dated(investor: &InvestorInput) -> Result<(), ValidationError> {
    let facts =
        investor.reg_d.is_some() || investor.sebi.is_some() || investor.classification.is_some();
    if facts && investor.assessed_on.is_none() {
        return Err(across(
            "assessed_on",
            "is required with reg_d, sebi or classification: their dates are judged against it",
        ));
    }
    Ok(())
}

/// Each jurisdiction's facts on its own cases, and a person's facts on a person.
pub(super) fn fit_the_investor(kyc: &KycInput) -> Result<(), ValidationError> {
    let (Ok(jurisdiction), Ok(entity_type)) = (
        kyc.jurisdiction.parse::<Jurisdiction>(),
        kyc.entity_type.parse::<EntityType>(),
    ) else {
        // Reported on their own fields.
        return Ok(());
    };
    let investor = &kyc.investor;
    let wrong_place = |field: &'static str, home: Jurisdiction| {
        Err(across(
            field,
            match home {
                Jurisdiction::Us => "holds US facts (Regulation D): send them only on a US case",
                Jurisdiction::In => "holds Indian facts (SEBI): send them only on an IN case",
                Jurisdiction::Ae => "holds a UAE classification: send it only on an AE case",
            },
        ))
    };
    if investor.reg_d.is_some() && jurisdiction != Jurisdiction::Us {
        return wrong_place("investor.reg_d", Jurisdiction::Us);
    }
    if investor.sebi.is_some() && jurisdiction != Jurisdiction::In {
        return wrong_place("investor.sebi", Jurisdiction::In);
    }
    if investor.classification.is_some() && jurisdiction != Jurisdiction::Ae {
        return wrong_place("investor.classification", Jurisdiction::Ae);
    }
    let person = entity_type == EntityType::Individual;
    if let Some(reg_d) = &investor.reg_d {
        if person && reg_d.entity.is_some() {
            return Err(across(
                "investor.reg_d.entity",
                "holds an entity's facts, but the investor is an individual",
            ));
        }
        let personal = reg_d.income.is_some()
            || reg_d.net_worth.is_some()
            || !reg_d.certifications.is_empty()
            || reg_d.issuer_role.is_some();
        if !person && personal {
            return Err(across(
                "investor.reg_d",
                "holds a natural person's facts (income, net worth, certifications, issuer role), but the investor is a company or fund",
            ));
        }
    }
    if let Some(sebi) = &investor.sebi
        && let Ok(class) = sebi.class.parse::<SebiInvestorClass>()
    {
        let personal_class = matches!(
            class,
            SebiInvestorClass::Individual | SebiInvestorClass::SoleProprietorship
        );
        if person && !personal_class {
            return Err(across(
                "investor.sebi.class",
                "must be individual or sole_proprietorship for an individual investor",
            ));
        }
        if !person && class == SebiInvestorClass::Individual {
            return Err(across(
                "investor.sebi.class",
                "cannot be individual for a company or fund",
            ));
        }
        if person && sebi.deemed.is_some() {
            return Err(across(
                "investor.sebi.deemed",
                "names an institution the proviso deems accredited, but the investor is an individual",
            ));
        }
    }
    Ok(())
}
