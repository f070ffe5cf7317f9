//! The nine seed scenarios (issue #4): one case per story, with the inputs that make the story
//! true and the decision it must get from [`default_rules`](crate::default_rules). The single
//! source for the golden tests and for the application's seeding code.
//!
//! Must not: hold personal data. Entity ids, list names, entry references, provider ids and
//! watchlist versions are opaque references; there are no names and no document numbers.

pub mod golden;
mod india;
mod uae;
mod us;

use crate::literal::literal;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use compliance_domain::{
    AmlScreening, Case, CheckStatus, DocumentKind, EntityId, EntityType, EvidenceRef,
    InvestorProfile, Jurisdiction, KycCheck, ListEntryRef, ListName, Money, RedFlag, RiskLevel,
    RiskScore, ScreeningProvider, VerificationScore, WatchlistKind, WatchlistMatch,
    WatchlistVersion,
};

/// One seed scenario: the story, the case, and what the default rules must decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// The scenario id, which is also the case's entity id, e.g. `ae-ind-clean-001`.
    pub id: &'static str,
    /// The story, as the issue tells it.
    pub story: &'static str,
    /// The case.
    pub case: Case,
    /// The status the default rules give it.
    pub expected_status: CheckStatus,
    /// The risk level its AML score falls in.
    pub expected_risk_level: RiskLevel,
    /// The codes of the default rules that fire, in code order (the order of the reasons).
    pub expected_rules: &'static [&'static str],
}

/// When the seed cases are decided: Monday 2026-03-03 09:00 UTC, the seed plan's provisioning
/// day, with every default rule in force.
pub fn decided_at() -> DateTime<Utc> {
    literal(
        "2026-03-03T09:00:00Z",
        Utc.with_ymd_and_hms(2026, 3, 3, 9, 0, 0)
            .single()
            .ok_or("not a single instant"),
    )
}

/// The nine seed scenarios, AE then IN then US, in the issue's order.
///
/// ```
/// use compliance_domain::CheckStatus;
/// use compliance_rules::scenarios::scenarios;
/// let all = scenarios();
/// assert_eq!(all.len(), 9);
/// assert_eq!(all[0].id, "ae-ind-clean-001");
/// assert_eq!(all[0].case.kyc.entity_id.as_str(), all[0].id);
/// assert_eq!(all.iter().filter(|s| s.expected_status == CheckStatus::Approved).count(), 4);
/// ```
pub fn scenarios() -> Vec<Scenario> {
    let mut all = uae::scenarios();
    all.extend(india::scenarios());
    all.extend(us::scenarios());
    all
}

/// A scenario's inputs, as literals.
struct Draft {
    id: &'static str,
    story: &'static str,
    entity_type: EntityType,
    jurisdiction: Jurisdiction,
    verification_score: u8,
    documents: &'static [DocumentKind],
    red_flags: &'static [RedFlag],
    investor: InvestorProfile,
    risk_score: u8,
    matches: &'static [(WatchlistKind, &'static str, &'static str)],
    provider: &'static str,
    watchlist_version: &'static str,
    expected_status: CheckStatus,
    expected_risk_level: RiskLevel,
    expected_rules: &'static [&'static str],
}

impl Draft {
    fn build(self) -> Scenario {
        let id = self.id;
        let kyc = KycCheck {
            entity_id: literal(id, EntityId::parse(id)),
            entity_type: self.entity_type,
            jurisdiction: self.jurisdiction,
            verification_score: literal(id, VerificationScore::new(self.verification_score)),
            documents: self.documents.iter().copied().collect(),
            red_flags: self.red_flags.iter().copied().collect(),
            investor: self.investor,
        };
        let aml = AmlScreening {
            risk_score: literal(id, RiskScore::new(self.risk_score)),
            matches: self
                .matches
                .iter()
                .map(|(kind, list, entry)| WatchlistMatch {
                    kind: *kind,
                    list: literal(list, ListName::parse(list)),
                    entry: literal(entry, ListEntryRef::parse(entry)),
                    score: None,
                })
                .collect(),
            provider: literal(self.provider, ScreeningProvider::parse(self.provider)),
            watchlist_version: literal(
                self.watchlist_version,
                WatchlistVersion::parse(self.watchlist_version),
            ),
        };
        Scenario {
            id,
            story: self.story,
            case: Case { kyc, aml },
            expected_status: self.expected_status,
            expected_risk_level: self.expected_risk_level,
            expected_rules: self.expected_rules,
        }
    }
}

/// An investor's figure, written as a literal.
fn money(amount: &str, currency: &str) -> Option<Money> {
    Some(literal(amount, Money::parse(amount, currency)))
}

/// A figure that must be there, written as a literal.
fn amount(amount: &str, currency: &str) -> Money {
    literal(amount, Money::parse(amount, currency))
}

/// A date, written as a literal.
fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    literal(
        "a scenario date",
        NaiveDate::from_ymd_opt(year, month, day).ok_or("no such day"),
    )
}

/// A reference to evidence held elsewhere, written as a literal.
fn evidence(text: &str) -> EvidenceRef {
    literal(text, EvidenceRef::parse(text))
}

/// The day the seed investors' facts were assessed: the day before the seed decisions.
fn assessed_on() -> Option<NaiveDate> {
    Some(date(2026, 3, 2))
}
