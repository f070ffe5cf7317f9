//! The case page's view model: the case and its evidence as the page shows them, and the
//! decisions the signed-in person is offered, from the domain's role table.
//!
//! Must not: decide whether a decision is allowed (the service does, whatever was offered), or
//! format anything the template could show unescaped.

use super::explanation_view;
use super::views::{
    AuditView, CasePage, Chrome, DecideView, MatchView, NoteView, Notice, ReasonView,
    RuleAppliedView, ScreeningView, when,
};
use compliance_app::records::AuditRecord;
use compliance_app::{CaseDetail, ChainVerdict, OfficeSession};
use compliance_domain::{CheckStatus, UserId, Username};
use std::collections::BTreeMap;

/// The user's name when the page read it, else their id.
pub(super) fn named(usernames: &BTreeMap<UserId, Username>, user: UserId) -> String {
    usernames
        .get(&user)
        .map_or_else(|| user.to_string(), |n| n.as_str().to_owned())
}

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

/// The decision buttons `me` is offered on this case, from the role table.
fn decide_view(detail: &CaseDetail, me: &OfficeSession) -> Option<DecideView> {
    let case = &detail.case;
    let role = me.caller.role();
    if !role.may_review(case.status) || detail.superseded_by.is_some() {
        return None;
    }
    let proposer = case.approval_proposed_by;
    let engine_rejects = detail.review_verdict == CheckStatus::Rejected;
    let held = case.status == CheckStatus::Pending && detail.review_verdict == CheckStatus::Pending;
    let mut approve_verdict = "approve";
    let (approve, hint) = match case.status {
        _ if engine_rejects => (
            None,
            Some("The engine rejects this case: nobody approves it until its matches are confirmed as false positives.".to_owned()),
        ),
        CheckStatus::Pending if held => {
            approve_verdict = "waive";
            match proposer {
                None => (
                    Some("Propose a waiver".to_owned()),
                    Some("The engine holds this case PENDING: evidence it needs is missing. The new KYC result lets the engine decide again; or propose a waiver of what is missing, with your reason: a compliance officer or admin who is someone else confirms it.".to_owned()),
                ),
                // The proposer gets the button only where their role may confirm at all (the
                // refusal then says four eyes); an analyst proposer gets none.
                Some(p) if p == me.caller.user() => (
                    role.may_clear_matches().then(|| "Confirm the waiver".to_owned()),
                    Some("You proposed this waiver: a different compliance officer or admin must confirm it.".to_owned()),
                ),
                Some(p) if role.may_clear_matches() => (
                    Some("Confirm the waiver".to_owned()),
                    Some(format!("Waiver proposed by {}: confirming it approves the case although the engine still holds it PENDING, and the record says so.", name(detail, p))),
                ),
                Some(p) => (
                    None,
                    Some(format!("Waiver proposed by {}: a compliance officer or admin confirms it.", name(detail, p))),
                ),
            }
        }
        CheckStatus::Pending => (Some("Approve".to_owned()), None),
        CheckStatus::Escalated => match proposer {
            None => (
                Some("Propose approval".to_owned()),
                Some("Four eyes: your approval is a proposal; a second compliance officer or admin confirms it.".to_owned()),
            ),
            Some(p) if p == me.caller.user() => (
                Some("Confirm approval".to_owned()),
                Some("You proposed this approval: a different compliance officer or admin must confirm it.".to_owned()),
            ),
            Some(p) => (
                Some("Confirm approval".to_owned()),
                Some(format!("Approval proposed by {}: confirming it approves the case.", name(detail, p))),
            ),
        },
        _ => (None, None),
    };
    let reject = Some(
        if case.status == CheckStatus::Approved {
            "Revoke approval (reject)"
        } else {
            "Reject"
        }
        .to_owned(),
    );
    Some(DecideView {
        approve,
        approve_verdict,
        reject,
        hint,
    })
}

/// Why `me` is offered no decision on this case, when they are not (a case that is history says
/// so on its own).
fn decide_absent(detail: &CaseDetail, me: &OfficeSession) -> Option<String> {
    let case = &detail.case;
    if detail.superseded_by.is_some() || me.caller.role().may_review(case.status) {
        return None;
    }
    Some(match case.status {
        CheckStatus::Rejected => "Nobody decides this case: a REJECTED case is final. A new application opens a new case for the entity.".to_owned(),
        CheckStatus::Escalated => match case.approval_proposed_by {
            Some(p) => format!(
                "You cannot decide this escalation: approval was proposed by {}, and a compliance officer or admin other than {} must confirm it (or reject the case). Analysts decide PENDING cases.",
                name(detail, p),
                name(detail, p)
            ),
            None => "You cannot decide this escalation: escalated cases are decided by compliance officers and admins, under four eyes (one proposes approval, a second confirms it; either may reject). Analysts decide PENDING cases.".to_owned(),
        },
        CheckStatus::Approved => "An approval is revoked only by a compliance officer or admin.".to_owned(),
        CheckStatus::Pending => "Your role does not decide cases.".to_owned(),
    })
}

/// Why the current screening's matches offer no false-positive form, when they do not.
fn clear_absent(detail: &CaseDetail, me: &OfficeSession) -> Option<String> {
    let has_matches = detail
        .screenings
        .iter()
        .any(|s| s.current && !s.screening.matches.is_empty());
    if !has_matches || detail.superseded_by.is_some() {
        return None;
    }
    if detail.case.status == CheckStatus::Rejected {
        return Some("A REJECTED case is final: its matches are no longer cleared.".to_owned());
    }
    (!me.caller.role().may_clear_matches()).then(|| {
        "Matches are cleared as false positives by compliance officers and admins, under four eyes (one proposes, a second confirms): your role reads them.".to_owned()
    })
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
        notes: detail
            .notes
            .iter()
            .map(|n| NoteView {
                at: when(n.written_at),
                author: name(detail, n.author),
                text: n
                    .text
                    .as_ref()
                    .map_or_else(|| "(erased)".to_owned(), |t| t.as_str().to_owned()),
            })
            .collect(),
        chain_intact: audit.iter().all(|a| a.intact),
        audit_truncated: detail.older_audit.is_some(),
        audit,
        decide: decide_view(detail, me),
        decide_absent: decide_absent(detail, me),
        clear_absent: clear_absent(detail, me),
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
