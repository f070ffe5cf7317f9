//! The case page's view model: the case and its evidence as the page shows them, and the
//! decisions the signed-in person is offered, from the domain's role table.
//!
//! Must not: decide whether a decision is allowed (the service does, whatever was offered), or
//! format anything the template could show unescaped.

use super::views::{
    AssignmentView, AuditView, Chrome, DecideView, MatchView, Notice, ReasonView, RequestsView,
    RuleAppliedView, ScreeningView, named, when,
};
use super::{decide_view, explanation_view};
use askama::Template;
use compliance_app::records::AuditRecord;
use compliance_app::{CaseDetail, ChainVerdict, OfficeSession};
use compliance_domain::{CheckStatus, UserId, Username};
use std::collections::BTreeMap;

fn name(detail: &CaseDetail, user: UserId) -> String {
    named(&detail.usernames, user)
}

fn joined<T: ToString>(items: impl IntoIterator<Item = T>, none: &str) -> String {
    let all: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    if all.is_empty() {
        none.to_owned()
    } else {
        all.join(", ")
    }
}

fn verdict_text(verdict: ChainVerdict) -> (&'static str, bool) {
    match verdict {
        ChainVerdict::Intact => ("intact", true),
        ChainVerdict::Altered => ("ALTERED: its content no longer matches its hash", false),
        ChainVerdict::Gap => ("GAP: the entry before it is missing", false),
        ChainVerdict::Unlinked => ("UNLINKED: it does not follow the entry before it", false),
    }
}

/// Audit entries as the case and entity pages show them, actors by name.
pub(super) fn audit_views(
    entries: &[(AuditRecord, ChainVerdict)],
    usernames: &BTreeMap<UserId, Username>,
) -> Vec<AuditView> {
    entries
        .iter()
        .map(|(a, verdict)| {
            let (verdict, intact) = verdict_text(*verdict);
            AuditView {
                at: when(a.created_at),
                actor: named(usernames, a.actor),
                action: a.action.to_string().replace('_', " "),
                change: match (a.old_status, a.new_status) {
                    (Some(old), Some(new)) => format!("{old} → {new}"),
                    (None, Some(new)) => format!("→ {new}"),
                    _ => String::new(),
                },
                chain: format!("{}.{}", a.chain, a.position),
                intact,
                verdict: verdict.to_owned(),
            }
        })
        .collect()
}

pub(super) fn case_page(
    detail: &CaseDetail,
    me: &OfficeSession,
    notice: Option<Notice>,
    reviewers: &[(UserId, compliance_domain::Username, compliance_domain::Role)],
) -> CasePage {
    let case = &detail.case;
    let kyc = &detail.kyc;
    let clears = me.caller.role().may_clear_matches()
        && case.status != CheckStatus::Rejected
        && detail.superseded_by.is_none();
    let screenings = detail
        .screenings
        .iter()
        .map(|s| ScreeningView {
            screened_at: when(s.screened_at),
            provider: s.screening.provider.to_string(),
            watchlist_version: s.screening.watchlist_version.to_string(),
            risk_score: s.screening.risk_score.value(),
            risk_level: s.screening.risk_level().to_string(),
            current: s.current,
            matches: s
                .screening
                .matches
                .iter()
                .map(|m| {
                    let found = detail
                        .dispositions
                        .iter()
                        .find(|d| d.list == m.list && d.entry == m.entry);
                    let (disposition, action) = match found {
                        None => (
                            String::new(),
                            clears.then(|| "Propose as false positive".to_owned()),
                        ),
                        Some(d) => match d.confirmed_by {
                            Some(c) => (
                                format!(
                                    "false positive: proposed by {}, confirmed by {}",
                                    name(detail, d.proposed_by),
                                    name(detail, c)
                                ),
                                None,
                            ),
                            None => (
                                format!(
                                    "proposed as a false positive by {}",
                                    name(detail, d.proposed_by)
                                ),
                                clears.then(|| "Confirm false positive".to_owned()),
                            ),
                        },
                    };
                    MatchView {
                        kind: m.kind.to_string(),
                        list: m.list.to_string(),
                        entry: m.entry.to_string(),
                        disposition,
                        action,
                        explained: explanation_view::explained(s, &m.list, &m.entry),
                    }
                })
                .collect(),
            screened_against: explanation_view::screened_against(s),
            erased: explanation_view::erased(s),
            subject_hidden: explanation_view::subject_hidden(s),
            unexplained: s.explanation.is_none().then(|| {
                format!(
                    "Screened by the provider {}: why each entry matched is the provider's to say; this service explains only the screenings it runs itself.",
                    s.screening.provider
                )
            }),
        })
        .collect();
    let audit = audit_views(&detail.audit, &detail.usernames);
    CasePage {
        chrome: Chrome::new(&format!("Case {}", case.entity_id), Some(me)),
        notice,
        case_id: case.id.to_string(),
        entity_id: case.entity_id.to_string(),
        entity_type: case.entity_type.to_string(),
        jurisdiction: case.jurisdiction.to_string(),
        sequence: case.sequence,
        status: case.status.to_string(),
        engine_status: case.engine_status.to_string(),
        engine_stricter: case.engine_stricter,
        superseded_by: detail.superseded_by.map(|c| c.to_string()),
        risk_score: case.risk_score.value(),
        risk_level: case.risk_level.to_string(),
        revision: case.revision,
        decided: format!(
            "{} by {}",
            when(case.decided_at),
            name(detail, case.decided_by)
        ),
        proposed_by: case.approval_proposed_by.map(|p| name(detail, p)),
        watchlist_version: case.watchlist_version.to_string(),
        rule_versions: joined(case.rule_versions.iter(), "none"),
        kyc_status: kyc.status.to_string(),
        kyc_recorded: when(kyc.recorded_at),
        verification_score: kyc.check.verification_score.value(),
        documents: joined(kyc.check.documents.iter(), "none"),
        red_flags: joined(kyc.check.red_flags.iter(), "none"),
        accreditation: accreditation(&kyc.check.investor),
        unweighed: unweighed(case.unweighed_signals),
        unweighed_note: unweighed_note(case.unweighed_signals).to_owned(),
        rules_applied: detail
            .rules_applied
            .iter()
            .map(|r| RuleAppliedView {
                rule: r.rule.code.to_string(),
                version: r.rule.version.to_string(),
                kind: r.kind.replace('_', " "),
                description: r.description.clone(),
                parameters: r.parameters.clone(),
            })
            .collect(),
        reasons: case
            .reasons
            .iter()
            .map(|r| ReasonView {
                rule: r.rule.to_string(),
                version: r.version.to_string(),
                regulation: r.regulation.clone(),
                stage: r.stage.to_string(),
                outcome: r.outcome.to_string(),
                // Stored as the engine wrote it; shown with amounts grouped for their currency.
                explanation: compliance_domain::amounts_for_reading(&r.explanation),
            })
            .collect(),
        screenings,
        requests: super::requests_view::requests_view(detail, me, |u| name(detail, u)),
        chain_intact: audit.iter().all(|a| a.intact),
        audit_truncated: detail.older_audit.is_some(),
        audit,
        decide: decide_view::decide_view(detail, me),
        decide_absent: decide_view::decide_absent(detail, me),
        clear_absent: decide_view::clear_absent(detail, me),
        assignment: super::assignment_view::assignment_view(detail, me, reviewers),
        csrf: me.csrf.clone(),
    }
}

/// What the KYC result says about accreditation, without a figure: which facts the rules read
/// were given, and as of when (the figures are on the stored record, not on a page).
fn accreditation(investor: &compliance_domain::InvestorProfile) -> String {
    let mut facts = Vec::new();
    if let Some(reg_d) = &investor.reg_d {
        facts.push(format!(
            "Reg D facts ({} certification(s), {} verification(s))",
            reg_d.certifications.len(),
            reg_d.verifications.len()
        ));
    }
    if let Some(sebi) = &investor.sebi {
        let certificate = if sebi.certificate.is_some() {
            "with an agency certificate"
        } else {
            "without an agency certificate"
        };
        facts.push(format!("SEBI facts, {}, {certificate}", sebi.class));
    }
    if let Some(c) = &investor.classification {
        facts.push(format!(
            "classified {} under {}",
            c.class,
            c.regime.to_string().to_uppercase()
        ));
    }
    let verified = if investor.accreditation_verified {
        "third-party verification stated"
    } else {
        "no third-party verification stated"
    };
    match (facts.is_empty(), investor.assessed_on) {
        (true, _) => format!("no jurisdiction facts given; {verified}"),
        (false, Some(on)) => format!("{}, assessed on {on}; {verified}", facts.join("; ")),
        (false, None) => format!("{}; {verified}", facts.join("; ")),
    }
}

/// The signals no rule weighed, one per line, as the case page lists them beside the reasons.
fn unweighed(signals: Option<compliance_domain::Signals>) -> Vec<String> {
    let Some(signals) = signals else {
        return Vec::new();
    };
    let flags = signals.red_flags().map(|f| format!("red flag {f}"));
    let matches = signals.matches().map(|k| format!("{k} match"));
    flags.chain(matches).collect()
}

/// What the page says above (or instead of) that list.
fn unweighed_note(signals: Option<compliance_domain::Signals>) -> &'static str {
    match signals {
        None => "Not listed: the case was decided before the engine listed them.",
        Some(s) if s.is_empty() => "None: a rule weighed every signal the case carries.",
        Some(_) => {
            "The case carries these, and no rule in force weighed them: the decision did not consider them. Judge them yourself."
        }
    }
}

/// The case page: what `case.html` lays out (here rather than in `views.rs`, which
/// `requests_view.rs` reads, so that no two view modules need each other).
#[derive(Template)]
#[template(path = "office/case.html")]
pub(super) struct CasePage {
    pub chrome: Chrome,
    pub notice: Option<Notice>,
    pub case_id: String,
    pub entity_id: String,
    pub entity_type: String,
    pub jurisdiction: String,
    pub sequence: i32,
    pub status: String,
    pub engine_status: String,
    pub engine_stricter: bool,
    /// The entity's current case, when this one is history (nothing is offered to decide).
    pub superseded_by: Option<String>,
    pub risk_score: u8,
    pub risk_level: String,
    pub revision: i32,
    pub decided: String,
    pub proposed_by: Option<String>,
    pub watchlist_version: String,
    pub rule_versions: String,
    pub kyc_status: String,
    pub kyc_recorded: String,
    pub verification_score: u8,
    pub documents: String,
    pub red_flags: String,
    pub accreditation: String,
    pub reasons: Vec<ReasonView>,
    /// The signals no rule weighed, one per line, or why there is no list.
    pub unweighed: Vec<String>,
    pub unweighed_note: String,
    /// The rule versions applied, each with its parameters in words.
    pub rules_applied: Vec<RuleAppliedView>,
    pub screenings: Vec<ScreeningView>,
    /// The notes, the requests for information and their forms.
    pub requests: RequestsView,
    /// True when the entity has older entries than the page shows.
    pub audit_truncated: bool,
    pub audit: Vec<AuditView>,
    pub chain_intact: bool,
    pub decide: Option<DecideView>,
    /// Why no decision is offered, when none is (and the case is not history).
    pub decide_absent: Option<String>,
    /// Why the matches of the current screening offer no false-positive form, when they do not.
    pub clear_absent: Option<String>,
    pub assignment: AssignmentView,
    pub csrf: String,
}
