//! Everything a reviewer looks at to decide one case (the back office's case page): the case's
//! record, its KYC result, every screening of it with the matched list entries, the
//! dispositions of those entries, and the entity's audit entries with the chain's verdict on
//! each.
//!
//! Must not: write, or expose a persistence type.

use super::Compliance;
use super::convert::case_record;
use super::records::{AuditRecord, CaseRecord};
use crate::Result;
use chrono::{DateTime, Utc};
use compliance_domain::{
    AmlScreening, CheckStatus, KycCheck, ListEntryRef, ListName, ReviewReason, UserId, Username,
};
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::{
    aml_checks, audit_chain, audit_logs, false_positives, kyc_checks, review_notes, users,
};
use std::collections::BTreeMap;
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

/// A case and everything it rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDetail {
    /// The case.
    pub case: CaseRecord,
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
    /// The entity's audit entries, oldest first, each with the chain's verdict.
    pub audit: Vec<(AuditRecord, ChainVerdict)>,
    /// The usernames of every user these name (deciders, proposers, actors).
    pub usernames: BTreeMap<UserId, Username>,
}

/// The most audit entries a case page shows.
const AUDIT_LIMIT: i64 = 500;

impl Compliance {
    /// The case with this id and everything it rests on.
    pub fn case_detail(&self, case_id: Uuid) -> Result<CaseDetail> {
        let stored = self.service.case(case_id)?;
        let current_screening = stored.aml_check_id;
        let kyc_id = stored.kyc_check_id;
        let mut conn = self.service.database().conn()?;
        let kyc = kyc_checks::find(&mut conn, kyc_id)?;
        let review_verdict = self
            .service
            .review_verdict(&mut conn, &stored, &kyc.check)?;
        let case = case_record(&mut conn, stored, None)?;
        let screenings = aml_checks::list_for_kyc(&mut conn, kyc_id)?
            .into_iter()
            .map(|s| ScreeningRecord {
                current: s.id == current_screening,
                id: s.id,
                screening: s.screening,
                screened_at: s.screened_at,
            })
            .collect();
        let dispositions = false_positives::for_case(&mut conn, case_id)?
            .into_iter()
            .map(|f| MatchDisposition {
                list: f.list,
                entry: f.entry,
                proposed_by: f.disposition.proposed_by,
                proposed_at: f.proposed_at,
                confirmed_by: f.disposition.confirmed_by,
            })
            .collect();
        let notes = review_notes::for_entity(&mut conn, &case.entity_id)?
            .into_iter()
            .map(|n| NoteRecord {
                id: n.note.id,
                author: n.author,
                written_at: n.created_at,
                text: n.text,
            })
            .collect();
        let entries = audit_logs::list(
            &mut conn,
            &audit_logs::AuditFilter {
                entity_id: Some(case.entity_id.clone()),
                limit: Some(AUDIT_LIMIT),
                ..Default::default()
            },
        )?;
        let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
        let verdicts: BTreeMap<i64, Option<String>> =
            audit_chain::entries_verdict(&mut conn, &ids)?
                .into_iter()
                .collect();
        let audit = entries
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
            .collect();
        let usernames = usernames(&mut conn)?;
        Ok(CaseDetail {
            case,
            review_verdict,
            kyc: KycRecord {
                check: kyc.check,
                status: kyc.status,
                recorded_at: kyc.created_at,
            },
            screenings,
            dispositions,
            notes,
            audit,
            usernames,
        })
    }

    /// Every user's username, by id (the back office shows names, not ids, of its users).
    pub fn usernames(&self) -> Result<BTreeMap<UserId, Username>> {
        let mut conn = self.service.database().conn()?;
        usernames(&mut conn)
    }
}

fn usernames(conn: &mut PgConnection) -> Result<BTreeMap<UserId, Username>> {
    Ok(users::list(conn, users::UserFilter::default())?
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect())
}
