//! Everything a reviewer looks at to decide one case (the back office's case page): the case's
//! record, its KYC result, every screening of it with the matched list entries (this project's
//! own screenings explained feature by feature: [`super::explanation`]), the dispositions of those
//! entries, and the entity's audit entries with the chain's verdict on each.
//!
//! Must not: write, expose a persistence type, or give a subject's names to a caller who may not
//! read subjects.

use super::explanation::{self, ScreeningExplanation};

use super::{Caller, Compliance};
use crate::Result;
use crate::convert::{Evidence, Regulations, case_record};
use crate::records::{AuditRecord, CaseRecord, InformationRequestRecord};
use chrono::{DateTime, Utc};
use compliance_domain::{
    AmlScreening, CaseId, CheckStatus, KycCheck, ListEntryRef, ListName, Permission, ReviewReason,
    UserId, Username,
};
use compliance_persistence::repo::{
    aml_checks, audit_chain, audit_logs, case_submissions, compliance_checks, false_positives,
    information_requests, kyc_checks, review_notes, service_levels, users,
};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// The KYC result a case rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KycRecord {
    /// The check as submitted.
    pub check: KycCheck,
    /// The KYC stage's own status, as the engine found it.
    pub status: CheckStatus,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// One screening of the case's KYC check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreeningRecord {
    /// Its id.
    pub id: Uuid,
    /// The result: score, matched entries, provider and watchlist version.
    pub screening: AmlScreening,
    /// When screened.
    pub screened_at: DateTime<Utc>,
    /// True for the screening the case's decision rests on now.
    pub current: bool,
    /// This project's own screening explained (the versions it ran against, each match
    /// feature by feature); `None` for a provider's.
    pub explanation: Option<ScreeningExplanation>,
}

/// A matched list entry proposed, or confirmed under four eyes, as a false positive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchDisposition {
    /// The list.
    pub list: ListName,
    /// The entry.
    pub entry: ListEntryRef,
    /// Who proposed clearing it, and when.
    pub proposed_by: UserId,
    /// When proposed.
    pub proposed_at: DateTime<Utc>,
    /// Who confirmed it, if anyone has.
    pub confirmed_by: Option<UserId>,
}

/// A reviewer's note on the entity (a review's or a disposition's reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteRecord {
    /// Its id (what the audit entries name).
    pub id: Uuid,
    /// Who wrote it.
    pub author: UserId,
    /// When.
    pub written_at: DateTime<Utc>,
    /// The text; `None` once erased (the chain keeps its commitment).
    pub text: Option<ReviewReason>,
    /// The case it was written on without a decision, if it was (a decision's, a
    /// disposition's or a request's note names none: its step does).
    pub on_case: Option<CaseId>,
}

/// What the chain says of one audit entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainVerdict {
    /// Its hash matches its content and links to the entry before it.
    Intact,
    /// Its content no longer matches its hash.
    Altered,
    /// The entry before it in its chain is missing.
    Gap,
    /// Its previous hash is not the previous entry's hash.
    Unlinked,
}

/// A rule version a case was decided with, and what it checks in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedRule {
    /// The rule and version.
    pub rule: compliance_domain::RuleRef,
    /// Its kind's text form, e.g. `risk_score`.
    pub kind: &'static str,
    /// What it does, in one sentence (the rule's description).
    pub description: String,
    /// Its parameters in words, one line each (never JSON).
    pub parameters: Vec<String>,
}

/// A case and everything it rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDetail {
    /// The case.
    pub case: CaseRecord,
    /// The rule versions the case was decided with, in the order it recorded them.
    pub rules_applied: Vec<AppliedRule>,
    /// The engine's verdict a review is held to: its decision re-run without the confirmed
    /// false positives (REJECTED: nobody may approve).
    pub review_verdict: CheckStatus,
    /// Its KYC result.
    pub kyc: KycRecord,
    /// Its screenings, oldest first.
    pub screenings: Vec<ScreeningRecord>,
    /// Its matched entries' dispositions, in the order proposed.
    pub dispositions: Vec<MatchDisposition>,
    /// The reviewers' notes on the entity, oldest first.
    pub notes: Vec<NoteRecord>,
    /// The requests for information on this case, oldest first (at most one open).
    pub requests: Vec<InformationRequestRecord>,
    /// The entity's newest audit entries, newest first, each with the chain's verdict.
    pub audit: Vec<(AuditRecord, ChainVerdict)>,
    /// The id to page the entity's older entries from ([`Compliance::audit`]), when there are
    /// more than the page shows.
    pub older_audit: Option<i64>,
    /// The usernames of the users these name (deciders, proposers, authors, actors), and no
    /// others.
    pub usernames: BTreeMap<UserId, Username>,
    /// The entity's current case, when it is not this one: this one is history, and nobody
    /// decides it.
    pub superseded_by: Option<CaseId>,
    /// When the case's wait in its status reaches the service level in force for its
    /// jurisdiction and status (`CaseRecord::decided_at` is when the wait began); `None` when
    /// none applies or the case is history.
    pub due_at: Option<DateTime<Utc>>,
}

/// `entries`, each with the chain's verdict on it (one statement for them all).
pub(super) fn with_verdicts(
    conn: &mut diesel::pg::PgConnection,
    entries: Vec<audit_logs::AuditEntry>,
) -> Result<Vec<(AuditRecord, ChainVerdict)>> {
    let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
    let verdicts: BTreeMap<i64, Option<String>> = audit_chain::entries_verdict(conn, &ids)?
        .into_iter()
        .collect();
    Ok(entries
        .into_iter()
        .map(|e| {
            let verdict = match verdicts.get(&e.id).map(Option::as_deref) {
                Some(None) => ChainVerdict::Intact,
                Some(Some("gap")) => ChainVerdict::Gap,
                Some(Some("unlinked")) => ChainVerdict::Unlinked,
                // Altered, or an entry the verdict query did not see.
                _ => ChainVerdict::Altered,
            };
            (AuditRecord::from(e), verdict)
        })
        .collect())
}

/// The most audit entries a case page shows at once.
const AUDIT_PAGE: i64 = 100;

impl Compliance {
    /// The case with this id and everything it rests on, read in one snapshot. People who
    /// review only, and only while they are active: it holds reviewers' notes.
    pub fn case_detail(&self, caller: &Caller, case_id: CaseId) -> Result<CaseDetail> {
        caller.require(
            Permission::ReadCaseDetail,
            "read a case's notes and evidence",
        )?;
        let rules = self.service.rules();
        self.service.read_snapshot(|conn| {
            // It holds reviewers' words: a caller whose user was deactivated since it was
            // obtained (an in-process caller kept for long) reads none of it.
            if !users::find(conn, caller.user())?.active {
                return Err(crate::AppError::Unauthenticated("the user is inactive"));
            }
            let stored = compliance_checks::find(conn, case_id.as_uuid())?;
            let current_screening = stored.aml_check_id;
            let kyc = kyc_checks::find(conn, stored.kyc_check_id)?;
            let screenings = aml_checks::list_for_kyc(conn, stored.kyc_check_id)?;
            let current = screenings
                .iter()
                .find(|s| s.id == stored.aml_check_id)
                .map(|s| s.screening.clone());
            let review_verdict = match &current {
                Some(screening) => {
                    crate::service::case_verdict(conn, rules, &stored, &kyc.check, screening)?
                }
                None => self.service.review_verdict(conn, &stored, &kyc.check)?,
            };
            let version = current.as_ref().map(|s| s.watchlist_version.clone());
            let evidence = version.as_ref().map(|watchlist_version| Evidence {
                kyc: &kyc.check,
                watchlist_version,
            });
            let case = case_record(conn, Regulations::Cached(rules), stored, evidence, None)?;
            let rules_applied = rules
                .pinned(conn, case.jurisdiction, &case.rule_versions)?
                .rules()
                .iter()
                .map(|r| AppliedRule {
                    rule: r.rule_ref().clone(),
                    kind: r.kind().name(),
                    description: r.description().to_owned(),
                    parameters: r.kind().in_words(),
                })
                .collect();
            // Two statements per screening, a label per distinct list version, and an erased
            // subject's revision per screening whose explanation went with it.
            let reads = screenings
                .iter()
                .map(|s| Ok((s.id, explanation::read(conn, s.id)?)))
                .collect::<Result<Vec<_>>>()?;
            let explanations =
                explanation::explain(conn, reads, caller.may(Permission::ReadSubjects))?;
            let screenings = screenings
                .into_iter()
                .zip(explanations)
                .map(|(s, explanation)| ScreeningRecord {
                    current: s.id == current_screening,
                    id: s.id,
                    screening: s.screening,
                    screened_at: s.screened_at,
                    explanation,
                })
                .collect::<Vec<_>>();
            let dispositions: Vec<MatchDisposition> =
                false_positives::for_case(conn, case_id.as_uuid())?
                    .into_iter()
                    .map(|f| MatchDisposition {
                        list: f.list,
                        entry: f.entry,
                        proposed_by: f.disposition.proposed_by,
                        proposed_at: f.proposed_at,
                        confirmed_by: f.disposition.confirmed_by,
                    })
                    .collect();
            let notes: Vec<NoteRecord> = review_notes::for_entity(conn, &case.entity_id)?
                .into_iter()
                .map(|n| NoteRecord {
                    id: n.note.id,
                    author: n.author,
                    written_at: n.created_at,
                    text: n.text,
                    on_case: n.case.map(CaseId::from_uuid),
                })
                .collect();
            let requests: Vec<InformationRequestRecord> =
                information_requests::for_case(conn, case_id.as_uuid())?
                    .into_iter()
                    .map(Into::into)
                    .collect();
            let mut entries = audit_logs::list(
                conn,
                &audit_logs::AuditFilter {
                    entity_id: Some(case.entity_id.clone()),
                    limit: Some(AUDIT_PAGE + 1),
                    newest_first: true,
                    ..Default::default()
                },
            )?;
            let older = (entries.len() as i64 > AUDIT_PAGE).then(|| {
                entries.truncate(AUDIT_PAGE as usize);
                entries.last().map(|e| e.id)
            });
            let audit = with_verdicts(conn, entries)?;
            let named: BTreeSet<UserId> = [
                Some(case.decided_by),
                case.approval_proposed_by,
                case.assigned_to,
            ]
            .into_iter()
            .flatten()
            .chain(
                dispositions
                    .iter()
                    .flat_map(|d| [Some(d.proposed_by), d.confirmed_by].into_iter().flatten()),
            )
            .chain(notes.iter().map(|n| n.author))
            .chain(
                requests
                    .iter()
                    .flat_map(|r| [Some(r.requested_by), r.closed_by].into_iter().flatten()),
            )
            .chain(audit.iter().map(|(e, _)| e.actor))
            .collect();
            let named: Vec<UserId> = named.into_iter().collect();
            let usernames = users::usernames(conn, &named)?.into_iter().collect();
            let superseded_by = case_submissions::current(conn, &case.entity_id)?
                .map(|s| CaseId::from_uuid(s.compliance_check_id))
                .filter(|current| *current != case.id);
            let due_at = match superseded_by {
                Some(_) => None,
                None => service_levels::in_force(conn, Utc::now())?
                    .into_iter()
                    .find(|l| l.jurisdiction == case.jurisdiction && l.status == case.status)
                    .map(|l| case.decided_at + chrono::Duration::hours(i64::from(l.target_hours))),
            };
            Ok(CaseDetail {
                case,
                rules_applied,
                review_verdict,
                kyc: KycRecord {
                    check: kyc.check,
                    status: kyc.status,
                    recorded_at: kyc.created_at,
                },
                screenings,
                dispositions,
                notes,
                requests,
                audit,
                older_audit: older.flatten(),
                usernames,
                superseded_by,
                due_at,
            })
        })
    }
}
