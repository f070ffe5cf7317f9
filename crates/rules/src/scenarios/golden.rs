//! The golden cases of issue 24: for every sub-test of the accreditation, classification and
//! weighing rules, a case just above the line that qualifies, one just below that fails, and
//! ones that fail for want of a verification, a warning or a valid certificate; and the
//! sanctions screening bands (in force from 2026-12-07, before [`golden_at`]): a scored match
//! above, at and below each line, and an asserted one. Each with the status, the rules that
//! fire and the signals left unweighed that the default rules in force at [`golden_at`] must
//! give. The engine's tests run them all.
//!
//! Must not: hold personal data (made-up references only), or be seeded: they are decided with
//! the rules of 2027, and the seed data set is decided with whatever is in force when it runs.

mod india;
mod screening;
mod uae;
mod us;

use crate::literal::literal;
use chrono::{DateTime, NaiveDate, Utc};
use compliance_domain::{
    AmlScreening, Case, CheckStatus, DocumentKind, EntityId, EntityType, EvidenceRef,
    InvestorProfile, Jurisdiction, KycCheck, ListEntryRef, ListName, Money, RedFlag, RiskScore,
    ScreeningProvider, Signals, VerificationScore, WatchlistKind, WatchlistMatch, WatchlistVersion,
};

/// One golden case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Golden {
    /// The case's id, also its entity id, e.g. `us-g-income-above`.
    pub id: &'static str,
    /// The sub-test, with the regulation's article and paragraph.
    pub test: &'static str,
    /// The case.
    pub case: Case,
    /// The status the default rules in force at [`golden_at`] give it.
    pub expected_status: CheckStatus,
    /// The codes of the rules that fire, in code order.
    pub expected_rules: &'static [&'static str],
    /// The signals the decision lists as weighed by no rule.
    pub expected_unweighed: Signals,
}

/// When the golden cases are decided: the day issue 24's versions come into force.
pub fn golden_at() -> DateTime<Utc> {
    crate::accreditation_effective_from()
}

/// The day every golden case's facts are assessed: 2027-02-01.
pub fn assessed_on() -> NaiveDate {
    date(2027, 2, 1)
}

/// Every golden case: US, then IN, then AE, then the screening bands (US, IN, AE).
///
/// ```
/// use compliance_rules::scenarios::golden::golden;
/// let all = golden();
/// assert!(all.iter().any(|g| g.id == "us-g-joint-income-above"));
/// let mut ids: Vec<_> = all.iter().map(|g| g.id).collect();
/// ids.sort_unstable();
/// ids.dedup();
/// assert_eq!(ids.len(), all.len());
/// ```
pub fn golden() -> Vec<Golden> {
    let mut all = us::golden();
    all.extend(india::golden());
    all.extend(uae::golden());
    let bands = screening::golden(&all);
    all.extend(bands);
    all
}

/// A golden case before it is built: the id, the sub-test, the investor, and what it gets.
struct Draft {
    id: &'static str,
    test: &'static str,
    entity_type: EntityType,
    investor: InvestorProfile,
    red_flags: &'static [RedFlag],
    matches: &'static [WatchlistKind],
    status: CheckStatus,
    rules: &'static [&'static str],
}

impl Draft {
    /// A case of `jurisdiction` with every document verified and clean scores, so that only the
    /// investor's facts and signals decide it.
    fn build(self, jurisdiction: Jurisdiction) -> Golden {
        let id = self.id;
        let all_documents = ALL_DOCUMENTS.iter().copied().collect();
        let case = Case {
            kyc: KycCheck {
                entity_id: literal(id, EntityId::parse(id)),
                entity_type: self.entity_type,
                jurisdiction,
                verification_score: literal(id, VerificationScore::new(95)),
                documents: all_documents,
                red_flags: self.red_flags.iter().copied().collect(),
                investor: self.investor,
            },
            aml: AmlScreening {
                risk_score: literal(id, RiskScore::new(10)),
                matches: self
                    .matches
                    .iter()
                    .enumerate()
                    .map(|(i, kind)| WatchlistMatch {
                        kind: *kind,
                        list: literal("a golden list", ListName::parse("GOLDEN-LIST")),
                        entry: literal(
                            "a golden entry",
                            ListEntryRef::parse(&format!("GOLDEN-{i}")),
                        ),
                        score: None,
                    })
                    .collect(),
                provider: literal("a provider", ScreeningProvider::parse("golden-provider")),
                watchlist_version: literal(
                    "a version",
                    WatchlistVersion::parse("golden-2027-01-31"),
                ),
            },
        };
        let received = Signals::of(&case);
        Golden {
            id,
            test: self.test,
            case,
            expected_status: self.status,
            expected_rules: self.rules,
            // Filled in by each jurisdiction from what its default rules weigh.
            expected_unweighed: received,
        }
    }
}

/// Every document kind: golden cases lack none, so the documents rules never fire.
const ALL_DOCUMENTS: [DocumentKind; 13] = [
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

/// A figure, written as a literal.
fn m(amount: &str, currency: &str) -> Money {
    literal(amount, Money::parse(amount, currency))
}

/// A date, written as a literal.
fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    literal(
        "a golden date",
        NaiveDate::from_ymd_opt(year, month, day).ok_or("no such day"),
    )
}

/// A reference to evidence held elsewhere, written as a literal.
fn evidence(text: &str) -> EvidenceRef {
    literal(text, EvidenceRef::parse(text))
}
