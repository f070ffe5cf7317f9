//! What a rule checks: the [`RuleKind`] enum, each kind's fixed stage and outcome, and its
//! `parameters` JSON (the object whose `"kind"` field names the kind). One kind,
//! `periodic_review`, is a policy rather than a check: it never fires.
//!
//! Must not: accept a parameter it does not know or fill in one that is missing; the kinds' own
//! files hold their checks, this one only dispatches.

use crate::accreditation::Accreditation;
use crate::classification::InvestorClassification;
use crate::documents::{DocumentSet, RequiredDocuments};
use crate::error::{FieldError, Problem, echo};
use crate::params::{Object, wrong};
use crate::reg_d::RegDAccreditation;
use crate::review::ReviewIntervals;
use crate::screening::{Ladder, ScreeningMatch};
use crate::sebi::SebiAccreditation;
use crate::signals::RiskSignals;
use crate::thresholds::{RedFlagLimit, RiskThreshold, VerificationMinimum};
use crate::watchlist;
use compliance_domain::{Case, CheckStatus, Signals, Stage, WatchlistKind};
use serde_json::{Map, Value};

/// What a rule checks, with its parameters. Each kind has a fixed [`Stage`]; its outcome is
/// fixed too, except where a parameter chooses it. `periodic_review` checks nothing: it says when
/// an approved case falls due for review ([`crate::RuleSet::next_review`]) and never fires.
///
/// | kind | stage | fires when | outcome |
/// |---|---|---|---|
/// | `sanctions_match` | AML | any match on a sanctions list | REJECTED |
/// | `pep_match` | AML | any match on a PEP list | ESCALATED |
/// | `screening_match` | AML | a match on a `list_kind` list scored `min_score` or more, below any stricter band of that kind | `outcome`: PENDING, ESCALATED or REJECTED |
/// | `risk_score` | AML | risk score >= `min_score` | `outcome`: ESCALATED or REJECTED |
/// | `required_documents` | KYC | a document required of the entity type is not verified | PENDING |
/// | `red_flags` | KYC | red flags >= `min_count` | REJECTED |
/// | `verification_score` | KYC | verification score < `min_score` | `outcome`: PENDING or ESCALATED |
/// | `accreditation` | KYC | accredited status not demonstrated | PENDING |
/// | `reg_d_accreditation` | KYC | no category of 17 CFR 230.501(a) met and verified in date | PENDING |
/// | `sebi_accreditation` | KYC | SEBI's accreditation not shown (certificate valid at the assessment, a test met) | PENDING |
/// | `investor_classification` | KYC | the UAE classification does not stand under the platform's licence | PENDING |
/// | `risk_signals` | AML | the weights of the case's red flags and matches reach `min_weight` | `outcome`: PENDING, ESCALATED or REJECTED |
/// | `periodic_review` | KYC | never (a policy: months to the next review, by risk level) | none (APPROVED, never given) |
///
/// ```
/// use compliance_domain::{CheckStatus, Stage};
/// use compliance_rules::RuleKind;
/// let kind = RuleKind::from_parameters(&serde_json::json!(
///     {"kind": "risk_score", "min_score": 85, "outcome": "REJECTED"}))?;
/// assert_eq!((kind.name(), kind.stage(), kind.outcome()), ("risk_score", Stage::Aml, CheckStatus::Rejected));
/// assert_eq!(RuleKind::from_parameters(&kind.to_parameters())?, kind);
///
/// let err = RuleKind::from_parameters(&serde_json::json!(
///     {"kind": "risk_score", "min_score": 85, "outcome": "REJECTED", "max_score": 99})).unwrap_err();
/// assert_eq!(err.to_string(), "parameters.max_score is not a parameter of rule kind risk_score");
/// # Ok::<(), compliance_rules::FieldError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// `sanctions_match`: a match on any sanctions list rejects the case. No parameters.
    SanctionsMatch,
    /// `pep_match`: a match on any PEP list escalates the case for enhanced due diligence. No
    /// parameters.
    PepMatch,
    /// `screening_match`: a match on one kind of list scored at or above a threshold, in the
    /// band below any stricter `screening_match` rule of that kind, gives the rule's outcome.
    ScreeningMatch(ScreeningMatch),
    /// `risk_score`: an AML risk score at or above a threshold escalates or rejects.
    RiskScore(RiskThreshold),
    /// `required_documents`: documents missing for the entity type keep the case pending.
    RequiredDocuments(RequiredDocuments),
    /// `red_flags`: at least so many red flags reject the case.
    RedFlags(RedFlagLimit),
    /// `verification_score`: a verification score below a minimum keeps the case pending or
    /// escalates it.
    VerificationScore(VerificationMinimum),
    /// `accreditation`: accredited-investor status not demonstrated keeps the case pending.
    Accreditation(Accreditation),
    /// `reg_d_accreditation`: no category of Regulation D's accredited investor met and
    /// verified in date keeps the case pending.
    RegDAccreditation(RegDAccreditation),
    /// `sebi_accreditation`: SEBI's accredited investor not shown keeps the case pending.
    SebiAccreditation(SebiAccreditation),
    /// `investor_classification`: a UAE classification that does not stand keeps the case
    /// pending.
    InvestorClassification(InvestorClassification),
    /// `risk_signals`: the case's red flags and matches, weighed, reach a threshold.
    RiskSignals(RiskSignals),
    /// `periodic_review`: how many months after approval a case falls due for review, by risk
    /// level. A policy, not a check: it never fires.
    PeriodicReview(ReviewIntervals),
}

/// What the engine knows about a case before it runs the rules: the case, its documents as a
/// [`DocumentSet`], and the screening bands of the rules it is decided with (a
/// `screening_match` rule's band ends where a stricter one of its list kind begins). Computed
/// once per evaluation, without allocating.
pub(crate) struct Facts<'a> {
    pub(crate) case: &'a Case,
    pub(crate) documents: DocumentSet,
    pub(crate) ladder: Ladder,
}

impl<'a> Facts<'a> {
    /// The facts of `case`, to be judged by rules of `kinds`.
    pub(crate) fn of<'r>(case: &'a Case, kinds: impl Iterator<Item = &'r RuleKind>) -> Self {
        Self {
            case,
            documents: DocumentSet::of(&case.kyc.documents),
            ladder: ladder(kinds),
        }
    }
}

/// The bands of the `screening_match` rules among `kinds`.
pub(crate) fn ladder<'r>(kinds: impl Iterator<Item = &'r RuleKind>) -> Ladder {
    let mut ladder = Ladder::default();
    for kind in kinds {
        if let RuleKind::ScreeningMatch(band) = kind {
            ladder.add(*band);
        }
    }
    ladder
}

impl RuleKind {
    /// The text forms of the kinds, as `parameters.kind` holds them.
    pub const NAMES: &'static [&'static str] = &[
        "sanctions_match",
        "pep_match",
        ScreeningMatch::KIND,
        RiskThreshold::KIND,
        RequiredDocuments::KIND,
        RedFlagLimit::KIND,
        VerificationMinimum::KIND,
        Accreditation::KIND,
        RegDAccreditation::KIND,
        SebiAccreditation::KIND,
        InvestorClassification::KIND,
        RiskSignals::KIND,
        ReviewIntervals::KIND,
    ];

    /// The kind's text form, e.g. `sanctions_match`.
    pub fn name(&self) -> &'static str {
        match self {
            RuleKind::SanctionsMatch => "sanctions_match",
            RuleKind::PepMatch => "pep_match",
            RuleKind::ScreeningMatch(_) => ScreeningMatch::KIND,
            RuleKind::RiskScore(_) => RiskThreshold::KIND,
            RuleKind::RequiredDocuments(_) => RequiredDocuments::KIND,
            RuleKind::RedFlags(_) => RedFlagLimit::KIND,
            RuleKind::VerificationScore(_) => VerificationMinimum::KIND,
            RuleKind::Accreditation(_) => Accreditation::KIND,
            RuleKind::RegDAccreditation(_) => RegDAccreditation::KIND,
            RuleKind::SebiAccreditation(_) => SebiAccreditation::KIND,
            RuleKind::InvestorClassification(_) => InvestorClassification::KIND,
            RuleKind::RiskSignals(_) => RiskSignals::KIND,
            RuleKind::PeriodicReview(_) => ReviewIntervals::KIND,
        }
    }

    /// The part of onboarding the kind judges. `periodic_review` is KYC's: a periodic review is a
    /// new KYC check of the entity.
    pub fn stage(&self) -> Stage {
        match self {
            RuleKind::SanctionsMatch
            | RuleKind::PepMatch
            | RuleKind::ScreeningMatch(_)
            | RuleKind::RiskScore(_)
            | RuleKind::RiskSignals(_) => Stage::Aml,
            RuleKind::RequiredDocuments(_)
            | RuleKind::RedFlags(_)
            | RuleKind::VerificationScore(_)
            | RuleKind::Accreditation(_)
            | RuleKind::RegDAccreditation(_)
            | RuleKind::SebiAccreditation(_)
            | RuleKind::InvestorClassification(_)
            | RuleKind::PeriodicReview(_) => Stage::Kyc,
        }
    }

    /// The status a rule of this kind gives when it fires. `periodic_review` never fires, so its
    /// outcome is never given to a case; it is APPROVED, the status that adds nothing to a
    /// decision, so that a policy could never make one stricter even if it were asked.
    pub fn outcome(&self) -> CheckStatus {
        match self {
            RuleKind::PeriodicReview(_) => CheckStatus::Approved,
            RuleKind::SanctionsMatch | RuleKind::RedFlags(_) => CheckStatus::Rejected,
            RuleKind::PepMatch => CheckStatus::Escalated,
            RuleKind::RequiredDocuments(_)
            | RuleKind::Accreditation(_)
            | RuleKind::RegDAccreditation(_)
            | RuleKind::SebiAccreditation(_)
            | RuleKind::InvestorClassification(_) => CheckStatus::Pending,
            RuleKind::RiskScore(t) => t.outcome(),
            RuleKind::RiskSignals(r) => r.outcome(),
            RuleKind::ScreeningMatch(s) => s.outcome(),
            RuleKind::VerificationScore(m) => m.outcome(),
        }
    }

    /// Reads a `parameters` object. Errors name the field, e.g. `parameters.min_score`.
    pub fn from_parameters(parameters: &Value) -> Result<Self, FieldError> {
        const PATH: &str = "parameters";
        let Value::Object(map) = parameters else {
            return Err(wrong(PATH, "a JSON object", parameters));
        };
        let kind = match map.get("kind") {
            None => return Err(FieldError::new("parameters.kind", Problem::Missing)),
            Some(Value::String(kind)) => kind.as_str(),
            Some(other) => return Err(wrong("parameters.kind", "a JSON string", other)),
        };
        let object = |keys: &[&str], name: &'static str| Object::read(parameters, PATH, keys, name);
        match kind {
            "sanctions_match" => {
                object(&["kind"], "sanctions_match").map(|_| RuleKind::SanctionsMatch)
            }
            "pep_match" => object(&["kind"], "pep_match").map(|_| RuleKind::PepMatch),
            ScreeningMatch::KIND => {
                let o = object(&ScreeningMatch::KEYS, ScreeningMatch::KIND)?;
                ScreeningMatch::read(&o).map(RuleKind::ScreeningMatch)
            }
            RiskThreshold::KIND => {
                let o = object(&["kind", "min_score", "outcome"], RiskThreshold::KIND)?;
                RiskThreshold::read(&o).map(RuleKind::RiskScore)
            }
            RequiredDocuments::KIND => {
                let o = object(&["kind", "documents"], RequiredDocuments::KIND)?;
                RequiredDocuments::read(&o).map(RuleKind::RequiredDocuments)
            }
            RedFlagLimit::KIND => {
                let o = object(&["kind", "min_count"], RedFlagLimit::KIND)?;
                RedFlagLimit::read(&o).map(RuleKind::RedFlags)
            }
            VerificationMinimum::KIND => {
                let o = object(&["kind", "min_score", "outcome"], VerificationMinimum::KIND)?;
                VerificationMinimum::read(&o).map(RuleKind::VerificationScore)
            }
            Accreditation::KIND => {
                let o = object(&Accreditation::KEYS, Accreditation::KIND)?;
                Accreditation::read(&o).map(RuleKind::Accreditation)
            }
            RegDAccreditation::KIND => {
                let o = object(&RegDAccreditation::KEYS, RegDAccreditation::KIND)?;
                RegDAccreditation::read(&o).map(RuleKind::RegDAccreditation)
            }
            SebiAccreditation::KIND => {
                let o = object(&SebiAccreditation::KEYS, SebiAccreditation::KIND)?;
                SebiAccreditation::read(&o).map(RuleKind::SebiAccreditation)
            }
            InvestorClassification::KIND => {
                let keys = InvestorClassification::keys_for(parameters);
                let o = object(&keys, InvestorClassification::KIND)?;
                InvestorClassification::read(&o).map(RuleKind::InvestorClassification)
            }
            RiskSignals::KIND => {
                let o = object(&RiskSignals::KEYS, RiskSignals::KIND)?;
                RiskSignals::read(&o).map(RuleKind::RiskSignals)
            }
            ReviewIntervals::KIND => {
                let o = object(&["kind", "months"], ReviewIntervals::KIND)?;
                ReviewIntervals::read(&o).map(RuleKind::PeriodicReview)
            }
            other => Err(FieldError::new(
                "parameters.kind",
                Problem::UnknownKind {
                    value: echo(other),
                    known: &Self::NAMES,
                },
            )),
        }
    }

    /// Writes the `parameters` object that [`RuleKind::from_parameters`] reads back.
    pub fn to_parameters(&self) -> Value {
        let mut map = Map::new();
        map.insert("kind".into(), self.name().into());
        match self {
            RuleKind::SanctionsMatch | RuleKind::PepMatch => {}
            RuleKind::ScreeningMatch(s) => s.write(&mut map),
            RuleKind::RiskScore(t) => t.write(&mut map),
            RuleKind::RequiredDocuments(d) => d.write(&mut map),
            RuleKind::RedFlags(r) => r.write(&mut map),
            RuleKind::VerificationScore(m) => m.write(&mut map),
            RuleKind::Accreditation(a) => a.write(&mut map),
            RuleKind::RegDAccreditation(r) => r.write(&mut map),
            RuleKind::SebiAccreditation(s) => s.write(&mut map),
            RuleKind::InvestorClassification(c) => c.write(&mut map),
            RuleKind::RiskSignals(r) => r.write(&mut map),
            RuleKind::PeriodicReview(i) => i.write(&mut map),
        }
        Value::Object(map)
    }

    /// `None` when the rule does not fire on this case; otherwise the sentence that explains why
    /// it does. Allocates only when it fires.
    pub(crate) fn assess(&self, facts: &Facts<'_>) -> Option<String> {
        let (kyc, aml) = (&facts.case.kyc, &facts.case.aml);
        match self {
            RuleKind::SanctionsMatch => watchlist::sanctions(aml),
            RuleKind::PepMatch => watchlist::pep(aml),
            RuleKind::ScreeningMatch(s) => s.assess(aml, &facts.ladder),
            RuleKind::RiskScore(t) => t.assess(aml.risk_score),
            RuleKind::RequiredDocuments(d) => d.assess(kyc, facts.documents),
            RuleKind::RedFlags(r) => r.assess(kyc),
            RuleKind::VerificationScore(m) => m.assess(kyc.verification_score),
            RuleKind::Accreditation(a) => a.assess(kyc),
            RuleKind::RegDAccreditation(r) => r.assess(kyc),
            RuleKind::SebiAccreditation(s) => s.assess(kyc),
            RuleKind::InvestorClassification(c) => c.assess(kyc),
            RuleKind::RiskSignals(r) => r.assess(facts.case),
            // A policy, not a check: it says when to look again, never what was found.
            RuleKind::PeriodicReview(_) => None,
        }
    }
}

impl RuleKind {
    /// The signal kinds a rule of this kind weighs, whether or not it fires on a case: the
    /// sanctions and PEP rules their kind of match, `screening_match` its `list_kind`'s matches
    /// (whatever their score: a match below every band was weighed and found too weak),
    /// `red_flags` every red flag (it counts them all), `risk_signals` the kinds it lists. The
    /// others weigh no signal.
    pub fn weighs(&self) -> Signals {
        match self {
            RuleKind::SanctionsMatch => Signals::NONE.with_match(WatchlistKind::Sanctions),
            RuleKind::PepMatch => Signals::NONE.with_match(WatchlistKind::Pep),
            RuleKind::ScreeningMatch(s) => Signals::NONE.with_match(s.list_kind()),
            RuleKind::RedFlags(_) => Signals::all()
                .red_flags()
                .fold(Signals::NONE, Signals::with_red_flag),
            RuleKind::RiskSignals(r) => r.weighs(),
            _ => Signals::NONE,
        }
    }
}
