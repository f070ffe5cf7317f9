//! One entity seen whole (the back office's entity page): its cases from first to current, the
//! screenings of each, a page of its audit entries with their places in the chain, its watched
//! wallets with the transactions flagged on them, whether its beneficial owners were declared
//! and which are recorded (each with its current case) or what it owns; and finding an entity,
//! by its id or (for the roles that may read subjects) by a name its screening subject carries.
//!
//! Must not: write; read anything without an index (cases by entity, screenings by KYC check,
//! audit entries by entity and id, subjects by name words); give a subject's names to a caller
//! who may not read subjects; or put a searched name in an error.

use super::detail::{ChainVerdict, with_verdicts};
use super::{Caller, Compliance};
use crate::convert::{Regulations, case_record};
use crate::page::AuditQuery;
use crate::records::{AuditRecord, CaseRecord, OwnerRecord, WalletRecord};
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::blockchain::{Direction, OnChainRef};
use compliance_domain::{
    AmlScreening, CaseId, CheckStatus, DocumentKind, EntityId, EntityType, Permission, UserId,
    Username,
};
use compliance_persistence::repo::{
    aml_checks, audit_logs, blockchain, case_submissions, compliance_checks, kyc_checks,
    subject_search, users,
};
use std::collections::{BTreeMap, BTreeSet};

/// The most flagged transactions shown per wallet.
const FLAGGED_PER_WALLET: i64 = 20;

/// The most entities a name search answers.
pub const NAME_MATCHES: usize = 50;

/// The longest text a search takes, in characters (a subject's name is at most 200).
pub const SEARCH_CHARS: usize = 200;

/// One screening of one of the entity's cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityScreening {
    /// The case screened.
    pub case_id: CaseId,
    /// That case's number for the entity, from 1.
    pub case_sequence: i32,
    /// The result: provider, list versions, score and matched entries.
    pub screening: AmlScreening,
    /// When screened.
    pub screened_at: DateTime<Utc>,
    /// True for the screening its case's decision rests on now.
    pub current: bool,
}

/// A transaction flagged on a watched wallet (never its amount or counterparty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlaggedTransaction {
    /// Its hash.
    pub tx_hash: OnChainRef,
    /// Which way funds moved.
    pub direction: Direction,
    /// Its status (ESCALATED: a list names its counterparty; or as a reviewer decided it).
    pub status: CheckStatus,
    /// When it was seen.
    pub observed_at: DateTime<Utc>,
}

/// A watched wallet and its flagged transactions, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletFlags {
    /// The wallet.
    pub wallet: WalletRecord,
    /// Its ESCALATED transactions, newest first (at most twenty).
    pub flagged: Vec<FlaggedTransaction>,
}

/// An entity and everything recorded about it.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityOverview {
    /// The entity.
    pub entity_id: EntityId,
    /// Its type, as its current case records it.
    pub entity_type: EntityType,
    /// Its cases, first to current.
    pub cases: Vec<CaseRecord>,
    /// Every screening of its cases, newest first.
    pub screenings: Vec<EntityScreening>,
    /// A page of its audit entries, in the order asked, each with the chain's verdict.
    pub audit: Vec<(AuditRecord, ChainVerdict)>,
    /// The cursor of the next page of audit entries, if there is one.
    pub older_audit: Option<i64>,
    /// Its watched wallets and their flagged transactions.
    pub wallets: Vec<WalletFlags>,
    /// For a corporate or a fund, whether its current case's KYC verified the declaration of
    /// its ultimate beneficial owners; `None` for an individual.
    pub beneficial_owners_declared: Option<bool>,
    /// Its recorded beneficial owners (a corporate's or a fund's), each with its current case,
    /// in the order recorded.
    pub owners: Vec<OwnerRecord>,
    /// The entities it is recorded as owning (an individual's), each with that entity's current
    /// case, in the order recorded.
    pub owns: Vec<OwnerRecord>,
    /// The usernames of the users these name, and no others.
    pub usernames: BTreeMap<UserId, Username>,
}

pub use crate::records::CurrentCase;

/// An entity found by a name of its screening subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameMatch {
    /// The entity.
    pub entity_id: EntityId,
    /// Its subject's names (personal data: only for the roles that may read subjects).
    pub names: Vec<String>,
    /// Its current case, if it has one.
    pub current: Option<CurrentCase>,
}

/// What a search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntitySearch {
    /// The entity with exactly this id.
    Entity(EntityId),
    /// No entity has this id (the text is a well-formed entity id), and no name was searched:
    /// the caller may not read subjects.
    NoSuchId(EntityId),
    /// Entities whose subject's names carry every word typed, by id, at most
    /// [`NAME_MATCHES`]; `more` when there may be others.
    Names {
        /// The entities.
        matches: Vec<NameMatch>,
        /// True when the answer was cut at [`NAME_MATCHES`].
        more: bool,
    },
    /// Not an entity id, and the caller may not search names.
    NotAnId,
}

/// The text a search takes: trimmed, not empty, at most [`SEARCH_CHARS`] characters, no control
/// character. Errors never repeat the text (it may be a name).
fn search_text(text: &str) -> Result<&str> {
    let text = text.trim();
    let refuse = |message: &str| {
        AppError::Input(compliance_domain::input::InputError::field(
            "q",
            message.to_owned(),
        ))
    };
    if text.is_empty() {
        return Err(refuse("type an entity id, or a name"));
    }
    if text.chars().count() > SEARCH_CHARS {
        return Err(refuse(&format!(
            "at most {SEARCH_CHARS} characters: an entity id is at most 64, a name at most 200"
        )));
    }
    if text.chars().any(char::is_control) {
        return Err(refuse("control characters are not part of an id or a name"));
    }
    Ok(text)
}

impl Compliance {
    /// Finds an entity: by its exact id first (trimmed; a reviewer's capitals are lowered, as
    /// ids are lower-case), then, for the roles that may read subjects, by the words of a name
    /// its current screening subject carries. Erased subjects are never found.
    pub fn find_entities(&self, caller: &Caller, text: &str) -> Result<EntitySearch> {
        caller.require(Permission::ReadCaseDetail, "find entities")?;
        let text = search_text(text)?;
        let id = EntityId::parse(&text.to_lowercase()).ok();
        let names = caller.may(Permission::ReadSubjects);
        self.service.read(|conn| {
            if let Some(id) = &id
                && case_submissions::current(conn, id)?.is_some()
            {
                return Ok(EntitySearch::Entity(id.clone()));
            }
            if !names {
                return Ok(id
                    .clone()
                    .map_or(EntitySearch::NotAnId, EntitySearch::NoSuchId));
            }
            let limit = NAME_MATCHES as i64 + 1;
            let mut subjects = subject_search::by_name(conn, text, limit)?;
            let more = subjects.len() > NAME_MATCHES;
            subjects.truncate(NAME_MATCHES);
            // Two primary-key reads a match: its current submission, then that case.
            let matches = subjects
                .into_iter()
                .map(|s| {
                    let current = crate::service::owners::current_case(conn, &s.entity_id)?;
                    Ok(NameMatch {
                        names: s.subject.map(|x| x.names().to_vec()).unwrap_or_default(),
                        entity_id: s.entity_id,
                        current,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(EntitySearch::Names { matches, more })
        })
    }

    /// The entity with everything recorded about it, read in one snapshot; `audit` says which
    /// page of its audit entries. People who review, who may also read the audit trail.
    pub fn entity_overview(
        &self,
        caller: &Caller,
        entity: &EntityId,
        audit: &AuditQuery,
    ) -> Result<EntityOverview> {
        caller.require(
            Permission::ReadCaseDetail,
            "read an entity's cases and evidence",
        )?;
        caller.require(Permission::ReadAudit, "read the audit trail")?;
        let rules = self.service.rules();
        self.service.read_snapshot(|conn| {
            let submissions = case_submissions::history(conn, entity)?;
            if submissions.is_empty() {
                return Err(AppError::NotFound {
                    what: "entity",
                    key: entity.to_string(),
                });
            }
            let mut cases = Vec::with_capacity(submissions.len());
            let mut screenings = Vec::new();
            for s in &submissions {
                let stored = compliance_checks::find(conn, s.compliance_check_id)?;
                let resting_on = stored.aml_check_id;
                let case_id = CaseId::from_uuid(s.compliance_check_id);
                for a in aml_checks::list_for_kyc(conn, s.kyc_check_id)? {
                    screenings.push(EntityScreening {
                        case_id,
                        case_sequence: s.sequence,
                        current: a.id == resting_on,
                        screening: a.screening,
                        screened_at: a.screened_at,
                    });
                }
                let regulations = Regulations::Cached(rules);
                cases.push(case_record(
                    conn,
                    regulations,
                    stored,
                    None,
                    Some(s.sequence),
                )?);
            }
            screenings.sort_by_key(|s| std::cmp::Reverse(s.screened_at));
            let limit = i64::from(audit.limit.get());
            let mut entries = audit_logs::list(
                conn,
                &audit_logs::AuditFilter {
                    entity_id: Some(entity.clone()),
                    limit: Some(limit + 1),
                    newest_first: !audit.oldest_first,
                    beyond: audit.cursor,
                    ..Default::default()
                },
            )?;
            let more = entries.len() as i64 > limit;
            entries.truncate(usize::from(audit.limit.get()));
            let older_audit = more.then(|| entries.last().map(|e| e.id)).flatten();
            let audit = with_verdicts(conn, entries)?;
            let wallets = blockchain::wallets_for_entity(conn, entity)?
                .into_iter()
                .map(|w| {
                    let flagged = blockchain::list_transactions(
                        conn,
                        blockchain::TransactionFilter {
                            monitoring_id: Some(w.id),
                            status: Some(CheckStatus::Escalated),
                            limit: Some(FLAGGED_PER_WALLET),
                        },
                    )?
                    .into_iter()
                    .map(|t| FlaggedTransaction {
                        tx_hash: t.transaction.tx_hash,
                        direction: t.transaction.direction,
                        status: t.status,
                        observed_at: t.transaction.observed_at,
                    })
                    .collect();
                    Ok(WalletFlags {
                        wallet: crate::service::wallets::wallet_record(w, entity.clone()),
                        flagged,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let current = cases.last().ok_or_else(|| {
                AppError::Internal(format!("entity {entity}: a submission without its case"))
            })?;
            let entity_type = current.entity_type;
            let beneficial_owners_declared = match entity_type {
                EntityType::Individual => None,
                _ => {
                    let latest = submissions.last().map(|s| s.kyc_check_id);
                    match latest {
                        Some(kyc) => Some(
                            kyc_checks::find(conn, kyc)?
                                .check
                                .documents
                                .contains(&DocumentKind::BeneficialOwnership),
                        ),
                        None => None,
                    }
                }
            };
            let ownership = crate::service::owners::ownership(conn, entity)?;
            let named: BTreeSet<UserId> = cases
                .iter()
                .flat_map(|c| [Some(c.decided_by), c.approval_proposed_by, c.assigned_to])
                .flatten()
                .chain(audit.iter().map(|(e, _)| e.actor))
                .chain(
                    ownership
                        .owners
                        .iter()
                        .chain(&ownership.owns)
                        .map(|o| o.recorded_by),
                )
                .collect();
            let named: Vec<UserId> = named.into_iter().collect();
            let usernames = users::usernames(conn, &named)?.into_iter().collect();
            Ok(EntityOverview {
                entity_id: entity.clone(),
                entity_type,
                cases,
                screenings,
                audit,
                older_audit,
                wallets,
                beneficial_owners_declared,
                owners: ownership.owners,
                owns: ownership.owns,
                usernames,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_trimmed_and_bounded_and_never_echoed() {
        assert_eq!(search_text("  inv-1 \t").unwrap(), "inv-1");
        for bad in ["", "   ", "a\u{0}b", "x\ny"] {
            assert!(search_text(bad).is_err(), "{bad:?}");
        }
        let long = "Ивано".repeat(41);
        assert_eq!(long.chars().count(), 205);
        let err = search_text(&long).unwrap_err().to_string();
        assert!(!err.contains("Ивано"), "{err}");
        assert!(search_text(&"Ивано".repeat(40)).is_ok());
    }
}
