//! A UAE investor's classification as it arrives (`kyc.investor.classification`): the regime,
//! the class, and the facts it rests on.
//!
//! Must not: repeat a rejected amount; accept a class its regime does not have.

use super::{InputError, MoneyInput, across, date, parse_date, parsed, text_form};
use crate::{ClientClass, ClientClassification, InstitutionalCategory, Regime};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

fn regime(text: &str) -> Result<(), ValidationError> {
    text_form::<Regime>(text)
}
fn class(text: &str) -> Result<(), ValidationError> {
    text_form::<ClientClass>(text)
}
fn institutional_category(text: &str) -> Result<(), ValidationError> {
    text_form::<InstitutionalCategory>(text)
}

/// A classification as it arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "class_of_its_regime"))]
pub struct ClassificationInput {
    /// `dfsa` or `vara`.
    #[validate(custom(function = "regime"))]
    pub regime: String,
    /// `retail` or `professional` (DFSA); `retail`, `qualified` or `institutional` (VARA).
    #[validate(custom(function = "class"))]
    pub class: String,
    /// Classified by what it is (`government`, `regulated_financial_institution`, ...).
    #[serde(default)]
    #[validate(custom(function = "institutional_category"))]
    pub institutional: Option<String>,
    /// Net assets; for a person, without the primary residence.
    #[serde(default)]
    #[validate(nested)]
    pub net_assets: Option<MoneyInput>,
    /// Annual income.
    #[serde(default)]
    #[validate(nested)]
    pub annual_income: Option<MoneyInput>,
    /// Own funds or called up capital.
    #[serde(default)]
    #[validate(nested)]
    pub own_funds: Option<MoneyInput>,
    /// Balance sheet total.
    #[serde(default)]
    #[validate(nested)]
    pub balance_sheet_total: Option<MoneyInput>,
    /// Net annual turnover.
    #[serde(default)]
    #[validate(nested)]
    pub net_turnover: Option<MoneyInput>,
    /// Employed, now or in the previous two years, in a relevant professional position of an
    /// authorised firm or regulated financial institution.
    #[serde(default)]
    pub professional_employment: bool,
    /// Experience and understanding (or, for VARA, relevant knowledge) assessed as sufficient.
    #[serde(default)]
    pub knowledge_assessed: bool,
    /// When the written notice or warning was given, `YYYY-MM-DD`.
    #[serde(default)]
    #[validate(custom(function = "date"))]
    pub warning_given_on: Option<String>,
    /// When the investor was classified or last reassessed, `YYYY-MM-DD`.
    #[validate(custom(function = "date"))]
    pub classified_on: String,
}

fn class_of_its_regime(c: &ClassificationInput) -> Result<(), ValidationError> {
    match (c.regime.parse::<Regime>(), c.class.parse::<ClientClass>()) {
        (Ok(regime), Ok(class)) if !class.exists_under(regime) => Err(across(
            "class",
            "names a class the regime does not have: DFSA classes are retail and professional, VARA's retail, qualified and institutional",
        )),
        _ => Ok(()),
    }
}

impl ClassificationInput {
    /// The validated classification.
    pub fn parse(&self) -> Result<ClientClassification, InputError> {
        self.validate()?;
        let money = |m: &Option<MoneyInput>| m.as_ref().map(MoneyInput::parse).transpose();
        Ok(ClientClassification {
            regime: parsed("regime", self.regime.parse())?,
            class: parsed("class", self.class.parse())?,
            institutional: self
                .institutional
                .as_deref()
                .map(|i| parsed("institutional", i.parse()))
                .transpose()?,
            net_assets: money(&self.net_assets)?,
            annual_income: money(&self.annual_income)?,
            own_funds: money(&self.own_funds)?,
            balance_sheet_total: money(&self.balance_sheet_total)?,
            net_turnover: money(&self.net_turnover)?,
            professional_employment: self.professional_employment,
            knowledge_assessed: self.knowledge_assessed,
            warning_given_on: self
                .warning_given_on
                .as_deref()
                .map(|d| parsed("warning_given_on", parse_date(d)))
                .transpose()?,
            classified_on: parsed("classified_on", parse_date(&self.classified_on))?,
        })
    }
}
