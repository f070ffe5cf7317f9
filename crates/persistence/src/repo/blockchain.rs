//! `blockchain_monitoring` and `blockchain_transactions`: wallets watched per entity and the
//! transactions seen on them, with their compliance status.
//!
//! Must not: change what was observed: only a transaction's status moves (along the domain's
//! status table, by a decider the domain's `TransactionDecision` allowed, with its revision
//! checked). Nor write without its audit entry: watching a wallet, turning its monitoring off or
//! on, recording a transaction and deciding one each append theirs in the same transaction,
//! naming the entity; details carry ids and kinds, never an address, a hash or an amount.

use crate::convert::{domain, text, text_opt};
use crate::error::found;
use crate::repo::audit_logs;
use crate::schema::{blockchain_monitoring, blockchain_transactions, kyc_checks};
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::blockchain::{
    Asset, Chain, CryptoAmount, Direction, ObservedTransaction, OnChainRef, TransactionDecision,
    WalletWatch, WatchKind,
};
use compliance_domain::{
    AuditAction, AuditEvent, CheckStatus, Decimal, EntityId, ListEntryRef, ListName, RiskScore,
    SubjectKind, TextForm, UserId,
};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use uuid::Uuid;

/// A row of `blockchain_monitoring`, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = blockchain_monitoring, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct MonitoringRow {
    pub id: Uuid,
    pub kyc_check_id: Uuid,
    pub chain: String,
    pub address: String,
    pub watch: Vec<Option<String>>,
    pub active: bool,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A stored wallet watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredWallet {
    /// The row's id.
    pub id: Uuid,
    /// The entity's KYC check.
    pub kyc_check_id: Uuid,
    /// The wallet and what is watched.
    pub wallet: WalletWatch,
    /// Whether monitoring is on.
    pub active: bool,
}

const MONITORING: &str = "blockchain_monitoring";
const TRANSACTIONS: &str = "blockchain_transactions";

impl TryFrom<MonitoringRow> for StoredWallet {
    type Error = PersistenceError;
    fn try_from(row: MonitoringRow) -> Result<Self> {
        let id = row.id;
        let watch = row
            .watch
            .iter()
            .map(|w| match w {
                Some(w) => text::<WatchKind>(MONITORING, id, w),
                None => Err(PersistenceError::invalid(MONITORING, id, "a NULL in watch")),
            })
            .collect::<Result<BTreeSet<_>>>()?;
        let wallet = domain(
            MONITORING,
            id,
            WalletWatch::new(
                domain(MONITORING, id, Chain::parse(&row.chain))?,
                domain(
                    MONITORING,
                    id,
                    OnChainRef::parse(&row.address, "wallet address"),
                )?,
                watch,
            ),
        )?;
        Ok(Self {
            id,
            kyc_check_id: row.kyc_check_id,
            wallet,
            active: row.active,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = blockchain_monitoring)]
struct NewMonitoringRow<'a> {
    kyc_check_id: Uuid,
    chain: &'a str,
    address: &'a str,
    watch: Vec<&'static str>,
    created_by: Uuid,
}

/// The entity whose wallet this is (through its KYC check), for the audit entries.
fn wallet_entity(conn: &mut PgConnection, monitoring_id: Uuid) -> Result<EntityId> {
    let entity: String = blockchain_monitoring::table
        .inner_join(kyc_checks::table)
        .filter(blockchain_monitoring::id.eq(monitoring_id))
        .select(kyc_checks::entity_id)
        .first(conn)?;
    domain(MONITORING, monitoring_id, EntityId::parse(&entity))
}

/// Appends `event` about a row of `table`, naming the entity that owns the wallet.
fn audit(
    conn: &mut PgConnection,
    table: &'static str,
    monitoring_id: Uuid,
    event: std::result::Result<AuditEvent, compliance_domain::AuditError>,
    details: serde_json::Value,
) -> Result<()> {
    let subject = event.as_ref().map_or(monitoring_id, AuditEvent::subject_id);
    let entity = wallet_entity(conn, monitoring_id)?;
    let event = event
        .and_then(|e| e.with_entity(entity).with_details(details))
        .map_err(|e| PersistenceError::invalid(table, subject, e))?;
    audit_logs::append(conn, &event)?;
    Ok(())
}

/// Starts watching a wallet for an entity's KYC check, with a `wallet_watched` audit entry by
/// `created_by`, in one transaction. A wallet is watched once (a second time is a
/// [`PersistenceError::Conflict`]).
pub fn watch_wallet(
    conn: &mut PgConnection,
    kyc_check_id: Uuid,
    wallet: &WalletWatch,
    created_by: UserId,
) -> Result<StoredWallet> {
    crate::convert::atomic(conn, |conn| {
        let stored: StoredWallet = diesel::insert_into(blockchain_monitoring::table)
            .values(&NewMonitoringRow {
                kyc_check_id,
                chain: wallet.chain.as_str(),
                address: wallet.address.as_str(),
                watch: wallet.watch().iter().map(|w| w.as_str()).collect(),
                created_by: created_by.as_uuid(),
            })
            .returning(MonitoringRow::as_returning())
            .get_result(conn)?
            .try_into()?;
        let event = AuditEvent::new(
            created_by,
            AuditAction::WalletWatched,
            SubjectKind::BlockchainMonitoring,
            stored.id,
        );
        let details = serde_json::json!({
            "kyc_check_id": kyc_check_id,
            "chain": wallet.chain.as_str(),
            "watch": wallet.watch(),
        });
        audit(conn, MONITORING, stored.id, event, details)?;
        Ok(stored)
    })
}

/// The watch with this id.
pub fn find_wallet(conn: &mut PgConnection, id: Uuid) -> Result<StoredWallet> {
    let row = blockchain_monitoring::table
        .find(id)
        .select(MonitoringRow::as_select())
        .first(conn)
        .optional()?;
    found(row, "monitored wallet", id)?.try_into()
}

/// The watch of a wallet (the natural key: chain and address).
pub fn find_wallet_by_address(
    conn: &mut PgConnection,
    chain: &Chain,
    address: &OnChainRef,
) -> Result<StoredWallet> {
    let row = blockchain_monitoring::table
        .filter(blockchain_monitoring::chain.eq(chain.as_str()))
        .filter(blockchain_monitoring::address.eq(address.as_str()))
        .select(MonitoringRow::as_select())
        .first(conn)
        .optional()?;
    found(
        row,
        "monitored wallet",
        format!("{}:{}", chain.as_str(), address.as_str()),
    )?
    .try_into()
}

/// The wallets watched for a KYC check.
pub fn wallets_for_kyc(conn: &mut PgConnection, kyc_check_id: Uuid) -> Result<Vec<StoredWallet>> {
    blockchain_monitoring::table
        .filter(blockchain_monitoring::kyc_check_id.eq(kyc_check_id))
        .order(blockchain_monitoring::created_at)
        .select(MonitoringRow::as_select())
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// The wallets watched for an entity, over all its KYC checks, oldest first.
pub fn wallets_for_entity(conn: &mut PgConnection, entity: &EntityId) -> Result<Vec<StoredWallet>> {
    blockchain_monitoring::table
        .inner_join(kyc_checks::table)
        .filter(kyc_checks::entity_id.eq(entity.as_str()))
        .order((blockchain_monitoring::created_at, blockchain_monitoring::id))
        .select(MonitoringRow::as_select())
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// The entity whose wallet this is.
pub fn wallet_owner(conn: &mut PgConnection, monitoring_id: Uuid) -> Result<EntityId> {
    let entity: Option<String> = blockchain_monitoring::table
        .inner_join(kyc_checks::table)
        .filter(blockchain_monitoring::id.eq(monitoring_id))
        .select(kyc_checks::entity_id)
        .first(conn)
        .optional()?;
    let entity = found(entity, "monitored wallet", monitoring_id)?;
    domain(MONITORING, monitoring_id, EntityId::parse(&entity))
}

/// Turns monitoring of a wallet on or off, with a `wallet_updated` audit entry by `actor`, in
/// one transaction. Asking for the state it is already in writes nothing, audit included.
pub fn set_wallet_active(
    conn: &mut PgConnection,
    id: Uuid,
    active: bool,
    actor: UserId,
) -> Result<StoredWallet> {
    crate::convert::atomic(conn, |conn| {
        let row = diesel::update(
            blockchain_monitoring::table
                .filter(blockchain_monitoring::id.eq(id))
                .filter(blockchain_monitoring::active.ne(active)),
        )
        .set(blockchain_monitoring::active.eq(active))
        .returning(MonitoringRow::as_returning())
        .get_result(conn)
        .optional()?;
        let Some(row) = row else {
            return find_wallet(conn, id);
        };
        let event = AuditEvent::new(
            actor,
            AuditAction::WalletUpdated,
            SubjectKind::BlockchainMonitoring,
            id,
        );
        audit(
            conn,
            MONITORING,
            id,
            event,
            serde_json::json!({ "active": active }),
        )?;
        row.try_into()
    })
}

/// A row of `blockchain_transactions`, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = blockchain_transactions, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct TransactionRow {
    pub id: Uuid,
    pub monitoring_id: Uuid,
    pub tx_hash: String,
    pub direction: String,
    pub amount: Decimal,
    pub asset: String,
    pub counterparty: Option<String>,
    pub observed_at: DateTime<Utc>,
    pub risk_score: Option<i16>,
    pub compliance_status: String,
    pub revision: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub decided_by: Option<Uuid>,
}

/// A stored transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTransaction {
    /// The row's id.
    pub id: Uuid,
    /// The wallet watch it was seen on.
    pub monitoring_id: Uuid,
    /// What was seen.
    pub transaction: ObservedTransaction,
    /// Its compliance status.
    pub status: CheckStatus,
    /// The revision, raised by one at every status change.
    pub revision: i32,
    /// Who made the last status change: `None` while PENDING (and on transactions decided
    /// before the column existed).
    pub decided_by: Option<UserId>,
}

impl TryFrom<TransactionRow> for StoredTransaction {
    type Error = PersistenceError;
    fn try_from(row: TransactionRow) -> Result<Self> {
        let id = row.id;
        let transaction = ObservedTransaction {
            tx_hash: domain(
                TRANSACTIONS,
                id,
                OnChainRef::parse(&row.tx_hash, "transaction hash"),
            )?,
            direction: text::<Direction>(TRANSACTIONS, id, &row.direction)?,
            amount: domain(TRANSACTIONS, id, CryptoAmount::new(row.amount))?,
            asset: domain(TRANSACTIONS, id, Asset::parse(&row.asset))?,
            counterparty: row
                .counterparty
                .as_deref()
                .map(|c| domain(TRANSACTIONS, id, OnChainRef::parse(c, "counterparty")))
                .transpose()?,
            observed_at: row.observed_at,
            risk_score: row
                .risk_score
                .map(|s| domain(TRANSACTIONS, id, RiskScore::new(s)))
                .transpose()?,
        };
        Ok(Self {
            id,
            monitoring_id: row.monitoring_id,
            transaction,
            status: text(TRANSACTIONS, id, &row.compliance_status)?,
            revision: row.revision,
            decided_by: row.decided_by.map(UserId::from_uuid),
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = blockchain_transactions)]
struct NewTransactionRow<'a> {
    monitoring_id: Uuid,
    tx_hash: &'a str,
    direction: &'static str,
    amount: Decimal,
    asset: &'a str,
    counterparty: Option<&'a str>,
    observed_at: DateTime<Utc>,
    risk_score: Option<i16>,
    compliance_status: &'static str,
    decided_by: Option<Uuid>,
}

impl<'a> NewTransactionRow<'a> {
    fn new(monitoring_id: Uuid, tx: &'a ObservedTransaction) -> Self {
        Self {
            monitoring_id,
            tx_hash: tx.tx_hash.as_str(),
            direction: tx.direction.into(),
            amount: tx.amount.get(),
            asset: tx.asset.as_str(),
            counterparty: tx.counterparty.as_ref().map(OnChainRef::as_str),
            observed_at: tx.observed_at,
            risk_score: tx.risk_score.map(i16::from),
            compliance_status: CheckStatus::Pending.into(),
            decided_by: None,
        }
    }
}

/// A list entry a counterparty matched: its list and reference (public list data, never the
/// address).
pub type ListedEntry = (ListName, ListEntryRef);

/// A transaction to record, with the list entries that name its counterparty (none: PENDING;
/// some: recorded ESCALATED by its recorder, the counterparty screening's flag).
#[derive(Debug, Clone, Copy)]
pub struct NewTransaction<'a> {
    /// What was observed.
    pub observed: &'a ObservedTransaction,
    /// The entries of the lists' current versions that name its counterparty.
    pub listed: &'a [ListedEntry],
}

/// A transaction as a batch answers it: as stored, and whether this call recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchItem {
    /// The transaction as stored.
    pub stored: StoredTransaction,
    /// True when this call recorded it; false when it was stored before (or earlier in the
    /// batch): the answer is then what is stored.
    pub new: bool,
}

fn listed_json(listed: &[ListedEntry]) -> serde_json::Value {
    listed
        .iter()
        .map(|(list, entry)| serde_json::json!({ "list": list.as_str(), "entry": entry.as_str() }))
        .collect()
}

/// At most this many rows per INSERT: ten binds a row under PostgreSQL's 65,535.
const ROWS_PER_INSERT: usize = 6_000;

/// Records transactions seen on one watched wallet, each once (idempotent on wallet, hash and
/// direction: one seen before is answered as stored, not refused), with one
/// `transaction_recorded` audit entry per new transaction by `recorded_by` (details as
/// [`record_transaction`]'s, with `compliance_status`, and `listed` naming the list entries of a
/// flagged one), in one statement per 6,000 rows and one for the audit entries. The caller runs
/// it in its transaction. The answers are in the order given.
pub fn record_transactions(
    conn: &mut PgConnection,
    monitoring_id: Uuid,
    batch: &[NewTransaction<'_>],
    recorded_by: UserId,
) -> Result<Vec<BatchItem>> {
    let entity = wallet_owner(conn, monitoring_id)?;
    let listed: HashMap<(&str, &str), &[ListedEntry]> = batch
        .iter()
        .filter(|t| !t.listed.is_empty())
        .map(|t| {
            let key = (t.observed.tx_hash.as_str(), t.observed.direction.into());
            (key, t.listed)
        })
        .collect();
    let mut inserted: Vec<StoredTransaction> = Vec::new();
    for chunk in batch.chunks(ROWS_PER_INSERT) {
        let rows: Vec<NewTransactionRow<'_>> = chunk
            .iter()
            .map(|t| {
                let mut row = NewTransactionRow::new(monitoring_id, t.observed);
                if !t.listed.is_empty() {
                    row.compliance_status = CheckStatus::Escalated.into();
                    row.decided_by = Some(recorded_by.as_uuid());
                }
                row
            })
            .collect();
        let stored: Vec<TransactionRow> = diesel::insert_into(blockchain_transactions::table)
            .values(&rows)
            .on_conflict((
                blockchain_transactions::monitoring_id,
                blockchain_transactions::tx_hash,
                blockchain_transactions::direction,
            ))
            .do_nothing()
            .returning(TransactionRow::as_returning())
            .get_results(conn)?;
        for row in stored {
            inserted.push(row.try_into()?);
        }
    }
    let events = inserted
        .iter()
        .map(|t| {
            let tx = &t.transaction;
            let mut details = serde_json::json!({
                "monitoring_id": monitoring_id,
                "direction": tx.direction,
                "asset": tx.asset.as_str(),
                "risk_score": tx.risk_score,
                "compliance_status": t.status,
            });
            if let Some(entries) = listed.get(&(tx.tx_hash.as_str(), tx.direction.into())) {
                details["listed"] = listed_json(entries);
            }
            AuditEvent::new(
                recorded_by,
                AuditAction::TransactionRecorded,
                SubjectKind::BlockchainTransaction,
                t.id,
            )
            .and_then(|e| e.with_entity(entity.clone()).with_details(details))
            .map_err(|e| PersistenceError::invalid(TRANSACTIONS, t.id, e))
        })
        .collect::<Result<Vec<_>>>()?;
    audit_logs::append_all(conn, &events)?;
    // What was stored before: read back by hash, matched by direction.
    let key = |t: &StoredTransaction| {
        (
            t.transaction.tx_hash.as_str().to_owned(),
            t.transaction.direction,
        )
    };
    let new_keys: HashSet<_> = inserted.iter().map(key).collect();
    let mut by_key: HashMap<(String, Direction), StoredTransaction> =
        inserted.into_iter().map(|t| (key(&t), t)).collect();
    let missing: Vec<&str> = batch
        .iter()
        .filter(|t| {
            let k = (t.observed.tx_hash.as_str().to_owned(), t.observed.direction);
            !by_key.contains_key(&k)
        })
        .map(|t| t.observed.tx_hash.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !missing.is_empty() {
        let rows: Vec<TransactionRow> = blockchain_transactions::table
            .filter(blockchain_transactions::monitoring_id.eq(monitoring_id))
            .filter(blockchain_transactions::tx_hash.eq_any(&missing))
            .select(TransactionRow::as_select())
            .load(conn)?;
        for row in rows {
            let t: StoredTransaction = row.try_into()?;
            by_key.entry(key(&t)).or_insert(t);
        }
    }
    let mut reported = HashSet::new();
    batch
        .iter()
        .map(|t| {
            let k = (t.observed.tx_hash.as_str().to_owned(), t.observed.direction);
            let stored = by_key.get(&k).cloned().ok_or_else(|| {
                PersistenceError::invalid(
                    TRANSACTIONS,
                    monitoring_id,
                    "a recorded transaction was not found",
                )
            })?;
            let new = new_keys.contains(&k) && reported.insert(k);
            Ok(BatchItem { stored, new })
        })
        .collect()
}

/// Records a transaction seen on a watched wallet, PENDING, with a `transaction_recorded` audit
/// entry by `recorded_by` (the agent that ingests them), in one transaction. Seeing it again is
/// a [`PersistenceError::Conflict`].
pub fn record_transaction(
    conn: &mut PgConnection,
    monitoring_id: Uuid,
    tx: &ObservedTransaction,
    recorded_by: UserId,
) -> Result<StoredTransaction> {
    crate::convert::atomic(conn, |conn| {
        let stored: StoredTransaction = diesel::insert_into(blockchain_transactions::table)
            .values(&NewTransactionRow::new(monitoring_id, tx))
            .returning(TransactionRow::as_returning())
            .get_result(conn)?
            .try_into()?;
        let event = AuditEvent::new(
            recorded_by,
            AuditAction::TransactionRecorded,
            SubjectKind::BlockchainTransaction,
            stored.id,
        );
        let details = serde_json::json!({
            "monitoring_id": monitoring_id,
            "direction": tx.direction,
            "asset": tx.asset.as_str(),
            "risk_score": tx.risk_score,
        });
        audit(conn, TRANSACTIONS, monitoring_id, event, details)?;
        Ok(stored)
    })
}

/// The transaction with this id.
pub fn find_transaction(conn: &mut PgConnection, id: Uuid) -> Result<StoredTransaction> {
    let row = blockchain_transactions::table
        .find(id)
        .select(TransactionRow::as_select())
        .first(conn)
        .optional()?;
    found(row, "blockchain transaction", id)?.try_into()
}

/// Which transactions to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct TransactionFilter {
    /// Only those of this wallet watch.
    pub monitoring_id: Option<Uuid>,
    /// Only this status.
    pub status: Option<CheckStatus>,
    /// At most this many (default 100, at most 10,000).
    pub limit: Option<i64>,
}

/// Transactions matching the filter, newest first.
pub fn list_transactions(
    conn: &mut PgConnection,
    filter: TransactionFilter,
) -> Result<Vec<StoredTransaction>> {
    let mut query = blockchain_transactions::table
        .select(TransactionRow::as_select())
        .into_boxed();
    if let Some(monitoring_id) = filter.monitoring_id {
        query = query.filter(blockchain_transactions::monitoring_id.eq(monitoring_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(blockchain_transactions::compliance_status.eq(<&str>::from(status)));
    }
    query
        .order((
            blockchain_transactions::observed_at.desc(),
            blockchain_transactions::id.asc(),
        ))
        .limit(filter.limit.unwrap_or(100).clamp(1, 10_000))
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Changes a transaction's status as `decision` says if it is still at `expected_revision`,
/// recording its decider in `decided_by`, with a `status_changed` audit entry by the decider, in
/// one transaction. The database's guard checks the decider again (active, a role that may
/// decide the status left): one deactivated since is
/// [`PersistenceError::Refused`] by `blockchain_transactions_decider`.
pub fn change_transaction_status(
    conn: &mut PgConnection,
    id: Uuid,
    expected_revision: i32,
    decision: &TransactionDecision,
) -> Result<StoredTransaction> {
    change_status(conn, id, expected_revision, decision, &[])
}

/// The counterparty screening's flag ([`TransactionDecision::counterparty_listed`]): as
/// [`change_transaction_status`], the audit entry's details naming the list entries (`listed`).
/// The database refuses it unless a current list names the counterparty.
pub fn flag_transaction(
    conn: &mut PgConnection,
    id: Uuid,
    expected_revision: i32,
    flag: &TransactionDecision,
    listed: &[ListedEntry],
) -> Result<StoredTransaction> {
    change_status(conn, id, expected_revision, flag, listed)
}

fn change_status(
    conn: &mut PgConnection,
    id: Uuid,
    expected_revision: i32,
    decision: &TransactionDecision,
    listed: &[ListedEntry],
) -> Result<StoredTransaction> {
    let (transition, decider) = (decision.transition(), decision.decider());
    crate::convert::atomic(conn, |conn| {
        let row = diesel::update(
            blockchain_transactions::table
                .filter(blockchain_transactions::id.eq(id))
                .filter(blockchain_transactions::revision.eq(expected_revision))
                .filter(
                    blockchain_transactions::compliance_status.eq(<&str>::from(transition.from)),
                ),
        )
        .set((
            blockchain_transactions::compliance_status.eq(<&str>::from(transition.to)),
            blockchain_transactions::decided_by.eq(decider.as_uuid()),
            blockchain_transactions::revision.eq(blockchain_transactions::revision + 1),
        ))
        .returning(TransactionRow::as_returning())
        .get_result(conn)
        .optional()?;
        let Some(row) = row else {
            let current = blockchain_transactions::table
                .find(id)
                .select((
                    blockchain_transactions::revision,
                    blockchain_transactions::compliance_status,
                ))
                .first::<(i32, String)>(conn)
                .optional()?;
            return Err(match current {
                Some((revision, status)) => PersistenceError::Stale {
                    what: "blockchain transaction",
                    key: id.to_string(),
                    reason: format!(
                        "changed since it was read (revision {expected_revision}); it is now at revision {revision}, status {}",
                        text_opt::<CheckStatus>(TRANSACTIONS, id, Some(&status))?
                            .map_or(status, |s| s.to_string())
                    ),
                },
                None => PersistenceError::not_found("blockchain transaction", id),
            });
        };
        let stored: StoredTransaction = row.try_into()?;
        let event =
            AuditEvent::status_change(decider, SubjectKind::BlockchainTransaction, id, transition);
        let mut details = serde_json::json!({ "revision": stored.revision });
        if !listed.is_empty() {
            details["listed"] = listed_json(listed);
        }
        audit(conn, TRANSACTIONS, stored.monitoring_id, Ok(event), details)?;
        Ok(stored)
    })
}

/// Every distinct counterparty of the transactions of every active watched wallet, in order.
pub fn known_counterparties(conn: &mut PgConnection) -> Result<Vec<String>> {
    Ok(blockchain_transactions::table
        .inner_join(blockchain_monitoring::table)
        .filter(blockchain_monitoring::active.eq(true))
        .filter(blockchain_transactions::counterparty.is_not_null())
        .select(blockchain_transactions::counterparty.assume_not_null())
        .distinct()
        .order(blockchain_transactions::counterparty.assume_not_null())
        .load(conn)?)
}

/// The transactions of active watched wallets whose counterparty is exactly `counterparty`,
/// each with the entity whose wallet it was seen on, oldest first.
pub fn with_counterparty(
    conn: &mut PgConnection,
    counterparty: &str,
) -> Result<Vec<(StoredTransaction, EntityId)>> {
    let rows: Vec<(TransactionRow, String)> = blockchain_transactions::table
        .inner_join(blockchain_monitoring::table.inner_join(kyc_checks::table))
        .filter(blockchain_monitoring::active.eq(true))
        .filter(blockchain_transactions::counterparty.eq(counterparty))
        .order((
            blockchain_transactions::created_at,
            blockchain_transactions::id,
        ))
        .select((TransactionRow::as_select(), kyc_checks::entity_id))
        .load(conn)?;
    rows.into_iter()
        .map(|(row, entity)| {
            let id = row.id;
            Ok((
                row.try_into()?,
                domain(TRANSACTIONS, id, EntityId::parse(&entity))?,
            ))
        })
        .collect()
}
