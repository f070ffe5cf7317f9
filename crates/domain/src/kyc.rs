//! A KYC check: who the entity is, which documents were verified, what raised concern, and the
//! investor profile that accreditation rules look at.
//!
//! Must not: decide anything. Whether documents are enough, or a profile accredited, is for the
//! rules engine; this module only guarantees that a [`KycCheck`] is well formed. Nor print an
//! investor's figures: `Debug` shows which amounts are present and their currency, never the
//! amount ([`Money`]'s `Debug` redacts it).

use crate::{
    ClientClassification, EntityId, EntityType, Jurisdiction, Money, RegDFacts, SebiFacts,
    VerificationScore,
};
use chrono::NaiveDate;
use std::collections::BTreeSet;

crate::text_enum! {
    /// A kind of document that a KYC provider verified.
    #[strum(serialize_all = "snake_case")]
    pub enum DocumentKind as "document kind" {
        /// A passport.
        Passport,
        /// A national identity card (Emirates ID, Aadhaar, a US state ID).
        NationalId,
        /// A utility bill or bank statement showing the address.
        ProofOfAddress,
        /// A tax identifier (PAN in India, SSN/TIN in the US, TRN in the UAE).
        TaxId,
        /// A liveness or selfie check matched to the identity document.
        LivenessCheck,
        /// Evidence of where the invested money comes from.
        SourceOfFunds,
        /// The certificate of incorporation or trade licence of a company.
        CertificateOfIncorporation,
        /// Memorandum and articles of association, or equivalent constitution.
        ArticlesOfAssociation,
        /// The register of directors.
        RegisterOfDirectors,
        /// The declaration of ultimate beneficial owners.
        BeneficialOwnership,
        /// A fund's constitutional document (prospectus, offering memorandum, limited partnership agreement).
        FundConstitution,
        /// Audited financial statements.
        FinancialStatements,
        /// A third party's written verification of accredited-investor status (Reg D 506(c)).
        AccreditationLetter,
    }
}

crate::text_enum! {
    /// A concern that KYC raised about an entity; several together may reject a case.
    #[strum(serialize_all = "snake_case")]
    pub enum RedFlag as "red flag" {
        /// Negative news coverage linked to financial crime.
        AdverseMedia,
        /// Residence in, or ties to, a high-risk or non-cooperative jurisdiction (FATF lists).
        HighRiskCountry,
        /// The source of funds could not be established.
        UnverifiedSourceOfFunds,
        /// Documents contradict each other or look altered.
        DocumentInconsistency,
        /// Nominee shareholders, shell companies or layered ownership hide the owners.
        OpaqueOwnership,
        /// Activity that does not fit the profile (structuring, rapid movement of funds).
        UnusualActivity,
        /// The identity could not be matched to the person presenting it.
        IdentityMismatch,
    }
}

/// The facts that accreditation and classification rules look at. Every field is optional: a
/// figure that was not provided is `None`, never zero. Personal data: `Debug` redacts the amounts
/// and the numbers.
///
/// The four first fields are what the first versions of the accreditation rules read (kind
/// `accreditation`); the jurisdictions' own facts (`reg_d`, `sebi`, `classification`) are what
/// their later versions read, each dated by `assessed_on`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvestorProfile {
    /// Net worth (for individuals, excluding the primary residence, as Reg D counts it).
    pub net_worth: Option<Money>,
    /// Annual income.
    pub annual_income: Option<Money>,
    /// Total assets (for companies and funds).
    pub total_assets: Option<Money>,
    /// Whether a third party verified the accredited status (Reg D 506(c) requires it).
    pub accreditation_verified: bool,
    /// When the facts below were assessed (the time of the sale, or of onboarding): the date
    /// from which verifications, certificates and classifications are dated. Required with any
    /// of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessed_on: Option<NaiveDate>,
    /// US: the facts of 17 CFR 230.501(a) and their verification (230.506(c)(2)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reg_d: Option<RegDFacts>,
    /// IN: the facts of SEBI's accredited-investor definition and the agency's certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sebi: Option<SebiFacts>,
    /// AE: the investor's classification (DFSA or VARA) and the facts it rests on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<ClientClassification>,
}

impl InvestorProfile {
    /// True when the profile carries any of the jurisdictions' own facts.
    pub fn has_jurisdiction_facts(&self) -> bool {
        self.reg_d.is_some() || self.sebi.is_some() || self.classification.is_some()
    }
}

/// A well-formed KYC result for one entity.
///
/// ```
/// use compliance_domain::*;
/// let kyc = KycCheck {
///     entity_id: EntityId::parse("ae-ind-clean-001")?,
///     entity_type: EntityType::Individual,
///     jurisdiction: Jurisdiction::Ae,
///     verification_score: VerificationScore::new(95)?,
///     documents: [DocumentKind::Passport, DocumentKind::ProofOfAddress].into(),
///     red_flags: Default::default(),
///     investor: InvestorProfile::default(),
/// };
/// assert!(kyc.has_document(DocumentKind::Passport));
/// assert!(kyc.missing(&[DocumentKind::Passport, DocumentKind::TaxId]).eq([DocumentKind::TaxId]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KycCheck {
    /// The entity checked.
    pub entity_id: EntityId,
    /// Its legal form.
    pub entity_type: EntityType,
    /// Where it is onboarded.
    pub jurisdiction: Jurisdiction,
    /// How well the identity was verified.
    pub verification_score: VerificationScore,
    /// The documents that were received and verified.
    pub documents: BTreeSet<DocumentKind>,
    /// The concerns raised.
    pub red_flags: BTreeSet<RedFlag>,
    /// The investor's figures.
    pub investor: InvestorProfile,
}

impl KycCheck {
    /// True when this document was verified.
    pub fn has_document(&self, kind: DocumentKind) -> bool {
        self.documents.contains(&kind)
    }

    /// The documents of `required` that were not verified, in the order given.
    pub fn missing<'a>(
        &'a self,
        required: &'a [DocumentKind],
    ) -> impl Iterator<Item = DocumentKind> + 'a {
        required
            .iter()
            .copied()
            .filter(|kind| !self.has_document(*kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check() -> KycCheck {
        KycCheck {
            entity_id: EntityId::parse("us-ind-wealthy-001").unwrap(),
            entity_type: EntityType::Individual,
            jurisdiction: Jurisdiction::Us,
            verification_score: VerificationScore::new(95).unwrap(),
            documents: [DocumentKind::Passport].into(),
            red_flags: Default::default(),
            investor: InvestorProfile {
                net_worth: Some(Money::parse("7340000.25", "USD").unwrap()),
                annual_income: Some(Money::parse("612000", "USD").unwrap()),
                total_assets: Some(Money::parse("8150000", "USD").unwrap()),
                accreditation_verified: true,
                ..InvestorProfile::default()
            },
        }
    }

    #[test]
    fn debug_of_a_kyc_check_and_its_profile_holds_no_amount() {
        let kyc = check();
        for debug in [
            format!("{kyc:?}"),
            format!("{kyc:#?}"),
            format!("{:?}", kyc.investor),
        ] {
            for digits in ["734", "7340000", "25", "612", "815", "8150000"] {
                assert!(!debug.contains(digits), "{digits} in {debug}");
            }
            assert!(
                debug.contains("<redacted>") && debug.contains("USD"),
                "{debug}"
            );
        }
        // What is not personal data stays readable.
        assert!(format!("{kyc:?}").contains("us-ind-wealthy-001"));
    }
}
