//! The bodies of wallets: a watched wallet, and what recording a batch of transactions did.
//!
//! A wallet's address and a transaction's hash are what the caller sent; never an amount or a
//! counterparty.

use super::RescreenOutcome;
use crate::http::schemas as S;
use compliance_app::records as R;
use compliance_domain::blockchain::{Chain, Direction, OnChainRef, WatchKind};
use compliance_domain::{CheckStatus, EntityId};
use serde::Serialize;
use uuid::Uuid;

/// A wallet watched for an entity.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Wallet {
    /// The watch's id: record its transactions at `/api/v1/wallets/{id}/transactions`.
    pub id: Uuid,
    /// The entity whose wallet it is.
    #[schema(value_type = S::EntityId)]
    pub entity_id: EntityId,
    /// The network, e.g. `ethereum`.
    #[schema(value_type = S::Chain)]
    pub chain: Chain,
    /// The address.
    #[schema(value_type = S::OnChainRef)]
    pub address: OnChainRef,
    /// What is watched on it.
    #[schema(value_type = Vec<S::WatchKind>)]
    pub watch: Vec<WatchKind>,
    /// Whether monitoring is on.
    pub active: bool,
}

impl From<R::WalletRecord> for Wallet {
    fn from(record: R::WalletRecord) -> Self {
        let R::WalletRecord {
            id,
            entity_id,
            chain,
            address,
            watch,
            active,
        } = record;
        Self {
            id,
            entity_id,
            chain,
            address,
            watch,
            active,
        }
    }
}

/// A transaction as stored (never its amount or counterparty).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WalletTransaction {
    /// Its id.
    pub id: Uuid,
    /// The watched wallet it was seen on.
    pub wallet_id: Uuid,
    /// Its hash.
    #[schema(value_type = S::OnChainRef)]
    pub tx_hash: OnChainRef,
    /// Which way funds moved, seen from the wallet.
    #[schema(value_type = S::Direction)]
    pub direction: Direction,
    /// Its compliance status: ESCALATED when a list names its counterparty.
    #[schema(value_type = S::CheckStatus)]
    pub status: CheckStatus,
    /// Its revision.
    pub revision: i32,
    /// True when this request recorded it; false when it was stored before (this is what is
    /// stored).
    pub recorded: bool,
    /// True when an entry of the lists' current versions names its counterparty.
    pub counterparty_listed: bool,
}

impl From<R::TransactionRecord> for WalletTransaction {
    fn from(record: R::TransactionRecord) -> Self {
        let R::TransactionRecord {
            id,
            wallet_id,
            tx_hash,
            direction,
            status,
            revision,
            recorded,
            counterparty_listed,
        } = record;
        Self {
            id,
            wallet_id,
            tx_hash,
            direction,
            status,
            revision,
            recorded,
            counterparty_listed,
        }
    }
}

/// What recording a batch of transactions did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordedTransactions {
    /// Each transaction, in the order sent.
    pub transactions: Vec<WalletTransaction>,
    /// How many this request recorded.
    pub recorded: usize,
    /// How many of those were recorded ESCALATED.
    pub flagged: usize,
    /// The entity's case re-screened with the listed entries as matches, when a new
    /// transaction's counterparty is listed and the case is not final.
    pub rescreened: Option<RescreenOutcome>,
}

impl From<R::RecordedTransactions> for RecordedTransactions {
    fn from(record: R::RecordedTransactions) -> Self {
        let R::RecordedTransactions {
            transactions,
            recorded,
            flagged,
            rescreened,
        } = record;
        Self {
            transactions: transactions.into_iter().map(Into::into).collect(),
            recorded,
            flagged,
            rescreened: rescreened.map(Into::into),
        }
    }
}
