//! How a UAE investor was classified: under the DFSA's Conduct of Business module (Retail or
//! Professional Client, COB 2.3) or VARA's Market Conduct Rulebook (Retail, Qualified or
//! Institutional Investor, Part IV), with the facts the classification rests on:
//! [`ClientClassification`].
//!
//! Must not: decide. Whether the facts support the class, the written warning was given and the
//! assessment is not overdue is the rules engine's (`investor_classification`); this type only
//! guarantees a class that exists under its regime.

use crate::Money;
use chrono::NaiveDate;

crate::text_enum! {
    /// Whose classification rules were applied: the licence the platform holds.
    #[strum(serialize_all = "snake_case")]
    pub enum Regime as "classification regime" {
        /// The Dubai Financial Services Authority (DIFC): COB 2.
        Dfsa,
        /// Dubai's Virtual Assets Regulatory Authority: Market Conduct Rulebook, Part IV.
        Vara,
    }
}

crate::text_enum! {
    /// The class an investor was put in.
    #[strum(serialize_all = "snake_case")]
    pub enum ClientClass as "client class" {
        /// Retail: DFSA Retail Client, VARA Retail Investor.
        Retail,
        /// DFSA Professional Client (COB 2.3.3).
        Professional,
        /// VARA Qualified Investor.
        Qualified,
        /// VARA Institutional Investor.
        Institutional,
    }
}

impl ClientClass {
    /// True when the class exists under `regime`.
    pub fn exists_under(self, regime: Regime) -> bool {
        match self {
            ClientClass::Retail => true,
            ClientClass::Professional => regime == Regime::Dfsa,
            ClientClass::Qualified | ClientClass::Institutional => regime == Regime::Vara,
        }
    }
}

crate::text_enum! {
    /// An institution classified by what it is, without thresholds: DFSA's 'deemed'
    /// Professional Clients (COB 2.3.4(1)) and VARA's Institutional Investors.
    #[strum(serialize_all = "snake_case")]
    pub enum InstitutionalCategory as "institutional category" {
        /// A government, government agency, central bank, supranational organisation, public
        /// authority or state investment body.
        Government,
        /// An authorised firm, regulated financial institution, exchange or clearing house, or
        /// the management company of a regulated pension fund.
        RegulatedFinancialInstitution,
        /// A collective investment fund or a regulated pension fund.
        CollectiveInvestmentFund,
        /// A body corporate whose shares are listed on an exchange of an IOSCO member country.
        ListedCompany,
        /// Another institutional investor whose main activity is to invest in financial
        /// instruments.
        InstitutionalInvestor,
        /// A single family office licensed under the DIFC Single Family Office Regulations.
        SingleFamilyOffice,
    }
}

/// A classification and the facts it rests on. Every figure is optional: which ones matter
/// depends on the regime, the class and whether the investor is a person or an undertaking.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientClassification {
    /// The regime applied.
    pub regime: Regime,
    /// The class.
    pub class: ClientClass,
    /// Classified by what it is (DFSA deemed, VARA institutional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institutional: Option<InstitutionalCategory>,
    /// Net assets; for a person, without the primary residence (DFSA COB 2.3.7(1)(a), VARA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_assets: Option<Money>,
    /// Annual income (VARA, persons).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_income: Option<Money>,
    /// Own funds or called up capital (DFSA COB 2.3.8(1)(a), 2.3.4(2)(c)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_funds: Option<Money>,
    /// Balance sheet total (DFSA COB 2.3.4(2)(a), a large undertaking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_sheet_total: Option<Money>,
    /// Net annual turnover (DFSA COB 2.3.4(2)(b), a large undertaking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_turnover: Option<Money>,
    /// Is, or was in the previous two years, employed in a relevant professional position of
    /// an authorised firm or regulated financial institution (DFSA COB 2.3.7(1)(b)(i)).
    #[serde(default)]
    pub professional_employment: bool,
    /// Experience and understanding of the markets, products and risks assessed and found
    /// sufficient (DFSA COB 2.3.7(1)(b)(ii), 2.3.8(1)(b), the analysis of COB 2.4.3; VARA's
    /// relevant knowledge of virtual assets, of the person or of the entity's directors).
    #[serde(default)]
    pub knowledge_assessed: bool,
    /// When the written notice or warning was given: the protections lost and the right to be
    /// treated as retail (DFSA COB 2.4.1; VARA's opt-up warning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning_given_on: Option<NaiveDate>,
    /// When the investor was last classified or reassessed.
    pub classified_on: NaiveDate,
}
