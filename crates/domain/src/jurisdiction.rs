//! The three jurisdictions the platform onboards investors in.
//!
//! Must not: hold any jurisdiction's rules; those are data, evaluated by `compliance-rules`.

use crate::money::Currency;

crate::text_enum! {
    /// Where an investor is onboarded; decides which rule set applies.
    ///
    /// Text form: the ISO 3166-1 alpha-2 code.
    ///
    /// ```
    /// use compliance_domain::{Jurisdiction, TextForm};
    /// let ae: Jurisdiction = "AE".parse()?;
    /// assert_eq!(ae, Jurisdiction::Ae);
    /// assert_eq!(ae.as_str(), "AE");
    /// assert_eq!(ae.home_currency().as_str(), "AED");
    /// # Ok::<(), compliance_domain::UnknownVariant>(())
    /// ```
    #[strum(serialize_all = "UPPERCASE")]
    pub enum Jurisdiction as "jurisdiction" {
        /// United Arab Emirates (Dubai): VARA, DFSA; UAE AML law (Federal Decree-Law 20/2018).
        Ae,
        /// India: SEBI; Prevention of Money Laundering Act 2002 (PMLA).
        In,
        /// United States: SEC Regulation D; OFAC sanctions.
        Us,
    }
}

impl Jurisdiction {
    /// The currency investor thresholds of this jurisdiction are written in.
    pub fn home_currency(self) -> Currency {
        match self {
            Jurisdiction::Ae => Currency::AED,
            Jurisdiction::In => Currency::INR,
            Jurisdiction::Us => Currency::USD,
        }
    }

    /// A name for reports, e.g. `United Arab Emirates (Dubai)`.
    pub fn display_name(self) -> &'static str {
        match self {
            Jurisdiction::Ae => "United Arab Emirates (Dubai)",
            Jurisdiction::In => "India",
            Jurisdiction::Us => "United States",
        }
    }
}
