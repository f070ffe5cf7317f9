//! Wallets (issue 19, part 4): watching an entity's wallet, recording the transactions seen on
//! it with each counterparty screened against the wallet addresses of the lists' current
//! versions, and a new list version's pass over the counterparties already known. A hit records
//! (or flags) the transaction ESCALATED and re-screens the entity's current case with the
//! listed entries as matches, through the re-screening every case takes (the engine decides;
//! four eyes and the flag unchanged), in the same transaction.
//!
//! Must not: log an address, a hash or an amount (ids and counts only); write a hit without its
//! re-screening, or either without the other; take a case row's lock after anything that
//! writes the audit chain (every case a call may re-screen is locked first, in id order).

use super::{ComplianceService, active_agent, require_agent};
use crate::records::{
    CounterpartyPass, RecordedTransactions, RescreenOutcome, TransactionRecord, WalletRecord,
};
use crate::watchlists::{self, BandedMatch, Screened};
use crate::{AppError, Result};
use chrono::Utc;
use compliance_domain::blockchain::{ObservedTransaction, TransactionDecision, WalletWatch};
use compliance_domain::{EntityId, Permission, UserId};
use compliance_persistence::PersistenceError;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::blockchain::{self, ListedEntry, NewTransaction, StoredWallet};
use compliance_persistence::repo::{aml_checks, compliance_checks, kyc_checks, users};
use compliance_persistence::repo::{screening_subjects, watchlists as lists};
use compliance_screening::{Match, Screener};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// Refuses a user that is not active or whose role may not watch wallets, read inside the
/// transaction (a deactivation committed since counts).
fn require_watcher(conn: &mut PgConnection, user: UserId) -> Result<()> {
    let found = users::find(conn, user)?;
    if found.active && found.role.may(Permission::WatchWallets) {
        Ok(())
    } else {
        Err(AppError::Forbidden {
            role: found.role,
            what: "watch wallets",
        })
    }
}

/// Who re-screens on a hit: the re-screening is the engine's write, the active system agent's;
/// `by` when it is that agent, else the agent (an admin recorded the transaction).
fn engine_user(conn: &mut PgConnection, by: UserId) -> Result<UserId> {
    if require_agent(conn, by).is_ok() {
        return Ok(by);
    }
    active_agent(conn)?
        .map(|a| a.id)
        .ok_or(AppError::NotTheAgent { user: by })
}

pub(crate) fn wallet_record(wallet: StoredWallet, entity_id: EntityId) -> WalletRecord {
    WalletRecord {
        id: wallet.id,
        entity_id,
        chain: wallet.wallet.chain.clone(),
        address: wallet.wallet.address.clone(),
        watch: wallet.wallet.watch().iter().copied().collect(),
        active: wallet.active,
    }
}

fn listed_entries(matches: &[Match]) -> Vec<ListedEntry> {
    matches
        .iter()
        .map(|m| (m.list.clone(), m.entry.clone()))
        .collect()
}

/// Locks the current case of each entity, in case id order, before anything is written (the
/// lock order); an entity without a case has nothing to lock or re-screen.
fn lock_cases<'a>(
    conn: &mut PgConnection,
    entities: impl IntoIterator<Item = &'a EntityId>,
) -> Result<()> {
    let mut ids = BTreeSet::new();
    for entity in entities {
        match compliance_checks::find_by_entity_id(conn, entity) {
            Ok(case) => {
                ids.insert(case.id);
            }
            Err(PersistenceError::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    for id in ids {
        compliance_checks::lock(conn, id)?;
    }
    Ok(())
}

impl ComplianceService {
    /// Watches a wallet for the entity's current case (its KYC check), audited.
    pub(crate) fn watch_wallet(
        &self,
        entity: &EntityId,
        wallet: &WalletWatch,
        by: UserId,
    ) -> Result<WalletRecord> {
        self.run(by, |conn| {
            require_watcher(conn, by)?;
            let case = compliance_checks::find_by_entity_id(conn, entity)?;
            let stored = blockchain::watch_wallet(conn, case.kyc_check_id, wallet, by)?;
            tracing::info!(wallet = %stored.id, entity = %entity, "wallet watched");
            Ok(wallet_record(stored, entity.clone()))
        })
    }

    /// The wallets watched for an entity, over all its cases, oldest first; an entity without a
    /// case is not found.
    pub(crate) fn wallets(&self, entity: &EntityId) -> Result<Vec<WalletRecord>> {
        self.read(|conn| {
            compliance_checks::find_by_entity_id(conn, entity)?;
            Ok(blockchain::wallets_for_entity(conn, entity)?
                .into_iter()
                .map(|w| wallet_record(w, entity.clone()))
                .collect())
        })
    }

    /// Records transactions seen on a watched wallet, each counterparty screened against the
    /// lists' current versions: a listed one is recorded ESCALATED, and the entity's current
    /// case re-screened with the listed entries as sanctions (or PEP) matches, all in one
    /// transaction. Idempotent on (wallet, hash, direction): a transaction stored before is
    /// answered as stored, and re-screens nothing.
    pub(crate) fn record_transactions(
        &self,
        wallet: Uuid,
        transactions: &[ObservedTransaction],
        by: UserId,
    ) -> Result<RecordedTransactions> {
        self.run(by, |conn| {
            require_watcher(conn, by)?;
            let entity = blockchain::wallet_owner(conn, wallet)?;
            let loaded = self.screeners.current(conn)?;
            let hits: Vec<Vec<Match>> = transactions
                .iter()
                .map(|t| {
                    t.counterparty
                        .as_ref()
                        .map(|c| loaded.screener.wallet_matches(c.as_str()))
                        .unwrap_or_default()
                })
                .collect();
            let listed: Vec<Vec<ListedEntry>> = hits.iter().map(|h| listed_entries(h)).collect();
            if hits.iter().any(|h| !h.is_empty()) {
                lock_cases(conn, [&entity])?;
            }
            let batch: Vec<NewTransaction<'_>> = transactions
                .iter()
                .zip(&listed)
                .map(|(observed, listed)| NewTransaction { observed, listed })
                .collect();
            let items = blockchain::record_transactions(conn, wallet, &batch, by)?;
            let mut new_hits: Vec<Match> = Vec::new();
            let (mut recorded, mut flagged) = (0, 0);
            let records: Vec<TransactionRecord> = items
                .into_iter()
                .zip(&hits)
                .map(|(item, hit)| {
                    if item.new {
                        recorded += 1;
                        if !hit.is_empty() {
                            flagged += 1;
                            new_hits.extend(hit.iter().cloned());
                        }
                    }
                    TransactionRecord {
                        id: item.stored.id,
                        wallet_id: item.stored.monitoring_id,
                        tx_hash: item.stored.transaction.tx_hash,
                        direction: item.stored.transaction.direction,
                        status: item.stored.status,
                        revision: item.stored.revision,
                        recorded: item.new,
                        counterparty_listed: !hit.is_empty(),
                    }
                })
                .collect();
            let rescreened = if new_hits.is_empty() {
                None
            } else {
                self.rescreen_for_hits(conn, &entity, &new_hits, by)?
            };
            tracing::info!(wallet = %wallet, entity = %entity, sent = transactions.len(), recorded, flagged, rescreened = rescreened.is_some(), "wallet transactions recorded");
            Ok(RecordedTransactions {
                transactions: records,
                recorded,
                flagged,
                rescreened,
            })
        })
    }

    /// For the list-import job: screens every distinct counterparty of every transaction of
    /// every active watched wallet against `screener` (a new list version's added and changed
    /// entries); for each hit flags the transactions ESCALATED (those PENDING or APPROVED) and
    /// re-screens each entity concerned once, with every listed entry that names one of its
    /// counterparties, as recording does. Runs in the caller's transaction on `conn`: every
    /// case concerned is locked first, so call it before writing the audit chain.
    pub(crate) fn screen_known_counterparties(
        &self,
        conn: &mut PgConnection,
        screener: &Screener,
        by: UserId,
    ) -> Result<CounterpartyPass> {
        let counterparties = blockchain::known_counterparties(conn)?;
        let mut pass = CounterpartyPass {
            counterparties: counterparties.len(),
            ..CounterpartyPass::default()
        };
        let mut to_flag = Vec::new();
        let mut entities: BTreeMap<EntityId, Vec<Match>> = BTreeMap::new();
        for counterparty in &counterparties {
            let matches = screener.wallet_matches(counterparty);
            if matches.is_empty() {
                continue;
            }
            pass.hits += 1;
            let listed = listed_entries(&matches);
            for (transaction, entity) in blockchain::with_counterparty(conn, counterparty)? {
                entities
                    .entry(entity)
                    .or_default()
                    .extend(matches.iter().cloned());
                to_flag.push((transaction, listed.clone()));
            }
        }
        lock_cases(conn, entities.keys())?;
        for (transaction, listed) in &to_flag {
            if let Some(flag) = TransactionDecision::counterparty_listed(by, transaction.status) {
                blockchain::flag_transaction(
                    conn,
                    transaction.id,
                    transaction.revision,
                    &flag,
                    listed,
                )?;
                pass.flagged += 1;
            }
        }
        for (entity, matches) in &entities {
            if let Some(outcome) = self.rescreen_for_hits(conn, entity, matches, by)?
                && !outcome.replayed
            {
                pass.rescreened += 1;
            }
        }
        tracing::info!(
            counterparties = pass.counterparties,
            hits = pass.hits,
            flagged = pass.flagged,
            rescreened = pass.rescreened,
            "known counterparties screened"
        );
        Ok(pass)
    }

    /// Re-screens the entity's current case with `hits` (wallet matches, score 1) as matches:
    /// on its subject's full screening against the lists' current versions when it has one;
    /// else on its current screening's matches (an outside provider's, which cannot be
    /// repeated here), kept, with the risk score at least what the hits' band gives. `None`
    /// when the entity has no case, or its case is final (a rejected case is left alone).
    fn rescreen_for_hits(
        &self,
        conn: &mut PgConnection,
        entity: &EntityId,
        hits: &[Match],
        by: UserId,
    ) -> Result<Option<RescreenOutcome>> {
        let case = match compliance_checks::find_by_entity_id(conn, entity) {
            Ok(case) => case,
            Err(PersistenceError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if case.status.is_final() {
            tracing::info!(case = %case.id, entity = %entity, "listed counterparty on a final case: not re-screened");
            return Ok(None);
        }
        let jurisdiction = kyc_checks::find(conn, case.kyc_check_id)?
            .check
            .jurisdiction;
        let bands = self.bands_for(conn, Some(jurisdiction), Utc::now())?;
        let loaded = self.screeners.current(conn)?;
        let subject = screening_subjects::current(conn, entity)?.and_then(|s| s.subject);
        let mut screened = match &subject {
            Some(subject) => watchlists::screen(&loaded, subject, &bands),
            None => Screened {
                versions: lists::current_versions(conn)?
                    .into_iter()
                    .map(|v| v.label)
                    .collect(),
                review_at: bands.review_at,
                reject_at: bands.reject_at,
                matches: Vec::new(),
            },
        };
        for hit in hits {
            let known = screened
                .matches
                .iter()
                .any(|m| m.explained.list == hit.list && m.explained.entry == hit.entry);
            if !known {
                screened.matches.push(BandedMatch {
                    band: bands.band(hit.score),
                    explained: hit.clone(),
                });
            }
        }
        let mut screening = watchlists::screening(&screened)?;
        if subject.is_none() {
            let previous = aml_checks::find(conn, case.aml_check_id)?.screening;
            for m in previous.matches {
                if !screening.matched(&m.list, &m.entry) {
                    screening.matches.push(m);
                }
            }
            screening.risk_score = screening.risk_score.max(previous.risk_score);
        }
        let agent = engine_user(conn, by)?;
        match self.rescreen_in(conn, entity, &screening, None, agent) {
            Ok(outcome) => Ok(Some(outcome)),
            Err(AppError::Final { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
