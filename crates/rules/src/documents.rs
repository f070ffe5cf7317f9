//! The `required_documents` rule kind: the documents each entity type must have verified, and the
//! compact [`DocumentSet`] the engine compares them with.
//!
//! Must not: allocate when nothing is missing, or name a document number: only document kinds.

use crate::error::{FieldError, Problem};
use crate::params::{Object, text_forms};
use compliance_domain::{DocumentKind, EntityType, KycCheck, TextForm};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::fmt::Write;

/// Every document kind, in the domain's declaration order (the order the rules write them in).
const ALL: [DocumentKind; 13] = [
    DocumentKind::Passport,
    DocumentKind::NationalId,
    DocumentKind::ProofOfAddress,
    DocumentKind::TaxId,
    DocumentKind::LivenessCheck,
    DocumentKind::SourceOfFunds,
    DocumentKind::CertificateOfIncorporation,
    DocumentKind::ArticlesOfAssociation,
    DocumentKind::RegisterOfDirectors,
    DocumentKind::BeneficialOwnership,
    DocumentKind::FundConstitution,
    DocumentKind::FinancialStatements,
    DocumentKind::AccreditationLetter,
];

/// The bit of a document kind. The match is exhaustive, so a new kind in the domain does not
/// compile here until it has a bit (and a place in `ALL`, which a test checks).
fn bit(kind: DocumentKind) -> u16 {
    let index = match kind {
        DocumentKind::Passport => 0,
        DocumentKind::NationalId => 1,
        DocumentKind::ProofOfAddress => 2,
        DocumentKind::TaxId => 3,
        DocumentKind::LivenessCheck => 4,
        DocumentKind::SourceOfFunds => 5,
        DocumentKind::CertificateOfIncorporation => 6,
        DocumentKind::ArticlesOfAssociation => 7,
        DocumentKind::RegisterOfDirectors => 8,
        DocumentKind::BeneficialOwnership => 9,
        DocumentKind::FundConstitution => 10,
        DocumentKind::FinancialStatements => 11,
        DocumentKind::AccreditationLetter => 12,
    };
    1 << index
}

/// A set of document kinds, held as bits so that comparing two sets costs one instruction.
///
/// ```
/// use compliance_domain::DocumentKind::*;
/// use compliance_rules::DocumentSet;
/// let required: DocumentSet = [Passport, ProofOfAddress, TaxId].into_iter().collect();
/// let verified: DocumentSet = [TaxId, Passport].into_iter().collect();
/// assert!(required.difference(verified).iter().eq([ProofOfAddress]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DocumentSet(u16);

impl DocumentSet {
    /// No document.
    pub const EMPTY: DocumentSet = DocumentSet(0);

    /// The documents of a KYC check.
    pub fn of(documents: &BTreeSet<DocumentKind>) -> Self {
        documents.iter().copied().collect()
    }

    /// True when `kind` is in the set.
    pub fn contains(self, kind: DocumentKind) -> bool {
        self.0 & bit(kind) != 0
    }

    /// The set with `kind` added.
    #[must_use]
    pub fn with(self, kind: DocumentKind) -> Self {
        Self(self.0 | bit(kind))
    }

    /// The documents of `self` that are not in `other`.
    #[must_use]
    pub fn difference(self, other: DocumentSet) -> Self {
        Self(self.0 & !other.0)
    }

    /// True when the set holds no document.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The number of documents.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The documents, in the domain's declaration order.
    pub fn iter(self) -> impl Iterator<Item = DocumentKind> {
        ALL.into_iter().filter(move |kind| self.contains(*kind))
    }
}

impl FromIterator<DocumentKind> for DocumentSet {
    fn from_iter<I: IntoIterator<Item = DocumentKind>>(kinds: I) -> Self {
        kinds.into_iter().fold(Self::EMPTY, Self::with)
    }
}

/// Documents that must be verified before a case can leave PENDING, per entity type.
///
/// Stored as `{"kind": "required_documents", "documents": {"individual": [...], "corporate":
/// [...], "fund": [...]}}`. All three entity types are written out; an empty list means this rule
/// requires nothing of that type. At least one list is not empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequiredDocuments {
    individual: DocumentSet,
    corporate: DocumentSet,
    fund: DocumentSet,
}

impl RequiredDocuments {
    pub(crate) const KIND: &'static str = "required_documents";

    /// The requirements per entity type; refused when all three are empty (such a rule could
    /// never fire, which is a mistake rather than a rule).
    pub fn new(
        individual: DocumentSet,
        corporate: DocumentSet,
        fund: DocumentSet,
    ) -> Result<Self, FieldError> {
        if individual.is_empty() && corporate.is_empty() && fund.is_empty() {
            return Err(FieldError::new(
                "documents",
                Problem::OutOfRange {
                    expected: "at least one document for at least one entity type",
                    got: "none".into(),
                },
            ));
        }
        Ok(Self {
            individual,
            corporate,
            fund,
        })
    }

    /// The documents required of `entity_type`.
    pub fn for_type(&self, entity_type: EntityType) -> DocumentSet {
        match entity_type {
            EntityType::Individual => self.individual,
            EntityType::Corporate => self.corporate,
            EntityType::Fund => self.fund,
        }
    }

    /// Reads the parameters (without `kind`).
    pub(crate) fn read(parameters: &Object<'_>) -> Result<Self, FieldError> {
        let path = parameters.path_of("documents");
        let per_type = Object::read(
            parameters.field("documents")?,
            path.as_str(),
            &["individual", "corporate", "fund"],
            Self::KIND,
        )?;
        let set = |key: &str| -> Result<DocumentSet, FieldError> {
            let kinds: Vec<DocumentKind> =
                text_forms(per_type.array(key)?, &per_type.path_of(key))?;
            Ok(kinds.into_iter().collect())
        };
        Self::new(set("individual")?, set("corporate")?, set("fund")?)
            .map_err(|e| FieldError::new(path, e.problem))
    }

    /// Writes the parameters (without `kind`).
    pub(crate) fn write(&self, parameters: &mut serde_json::Map<String, Value>) {
        let list =
            |set: DocumentSet| -> Vec<&'static str> { set.iter().map(|d| d.as_str()).collect() };
        parameters.insert(
            "documents".into(),
            json!({
                "individual": list(self.individual),
                "corporate": list(self.corporate),
                "fund": list(self.fund),
            }),
        );
    }

    /// `None` when every required document was verified; otherwise why the case stays pending.
    pub(crate) fn assess(&self, kyc: &KycCheck, verified: DocumentSet) -> Option<String> {
        let missing = self.for_type(kyc.entity_type).difference(verified);
        if missing.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(160);
        let _ = write!(
            out,
            "Documents required of a {} investor have not been verified (",
            kyc.entity_type
        );
        for (i, kind) in missing.iter().enumerate() {
            out.push_str(if i == 0 { "" } else { ", " });
            out.push_str(kind.as_str());
        }
        out.push_str("), so the case stays pending until they are.");
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_covers_every_document_kind_once_with_its_own_bit() {
        // The domain's error for an unknown kind lists every accepted kind: use it as the count.
        let names = "?".parse::<DocumentKind>().unwrap_err().expected;
        assert_eq!(names.len(), ALL.len());
        for (i, kind) in ALL.iter().enumerate() {
            assert_eq!(names[i], kind.as_str());
            assert_eq!(bit(*kind), 1 << i);
        }
    }

    #[test]
    fn set_operations() {
        use DocumentKind::*;
        let set: DocumentSet = [TaxId, Passport, TaxId].into_iter().collect();
        assert_eq!(set.len(), 2);
        assert!(set.iter().eq([Passport, TaxId]));
        assert!(set.difference(set).is_empty());
        assert_eq!(
            DocumentSet::of(&[Passport].into()),
            DocumentSet::EMPTY.with(Passport)
        );
    }

    #[test]
    fn all_empty_is_refused() {
        let e = DocumentSet::EMPTY;
        assert!(RequiredDocuments::new(e, e, e).is_err());
    }
}
