//! `Compliance`'s wallet operations (issue 19, part 4): watching an entity's wallet, reading
//! the wallets watched, recording the transactions seen on one (each counterparty screened, a
//! hit flagged and the entity's case re-screened), and a list version's pass over the
//! counterparties already known.
//!
//! Must not: skip the caller's permission, or take more than [`MAX_TRANSACTIONS`] transactions
//! in one call (one transaction of the database each).

use super::{Caller, Compliance};
use crate::records::{CounterpartyPass, RecordedTransactions, WalletRecord};
use crate::{AppError, Result};
use compliance_domain::blockchain::{ObservedTransaction, WalletWatch};
use compliance_domain::input::InputError;
use compliance_domain::{EntityId, Permission};
use compliance_screening::Screener;
use uuid::Uuid;

/// The most transactions one call records.
pub(crate) const MAX_TRANSACTIONS: usize = 1_000;

impl Compliance {
    /// Watches a wallet for the entity's current case (the system agent and admins). A wallet
    /// is watched once: a second time is [`AppError::Conflict`].
    pub fn watch_wallet(
        &self,
        caller: &Caller,
        entity: &EntityId,
        wallet: &WalletWatch,
    ) -> Result<WalletRecord> {
        caller.require(Permission::WatchWallets, "watch wallets")?;
        self.service.watch_wallet(entity, wallet, caller.user())
    }

    /// The wallets watched for an entity, oldest first.
    pub fn wallets(&self, caller: &Caller, entity: &EntityId) -> Result<Vec<WalletRecord>> {
        caller.require(Permission::ReadWallets, "read wallets")?;
        self.service.wallets(entity)
    }

    /// Records 1 to 1,000 (`MAX_TRANSACTIONS`) transactions seen on the watched wallet `wallet` (the
    /// system agent and admins), in one transaction: each counterparty is screened against the
    /// wallet addresses of the lists' current versions; a listed one is recorded ESCALATED and
    /// the entity's current case re-screened with the listed entries as matches. Idempotent on
    /// (wallet, hash, direction): one stored before is answered as stored.
    pub fn record_transactions(
        &self,
        caller: &Caller,
        wallet: Uuid,
        transactions: &[ObservedTransaction],
    ) -> Result<RecordedTransactions> {
        caller.require(Permission::WatchWallets, "record wallet transactions")?;
        if transactions.is_empty() || transactions.len() > MAX_TRANSACTIONS {
            return Err(AppError::Input(InputError::field(
                "transactions",
                format!("between 1 and {MAX_TRANSACTIONS} transactions"),
            )));
        }
        self.service
            .record_transactions(wallet, transactions, caller.user())
    }

    /// Screens every counterparty known (of the active wallets' transactions) against the
    /// entries of the list version `version` (the system agent), flagging the transactions of
    /// each hit and re-screening their entities, in one transaction. The list-import job runs
    /// the same pass with only a new version's added and changed entries.
    pub fn screen_known_counterparties(
        &self,
        caller: &Caller,
        version: Uuid,
    ) -> Result<CounterpartyPass> {
        caller.require(Permission::RescreenEntities, "re-screen entities")?;
        self.service.run(caller.user(), |conn| {
            let version_row = compliance_persistence::repo::watchlists::find(conn, version)?;
            let screener = Screener::from_lists([(
                version_row.list.clone(),
                crate::watchlists::entries(conn, version)?,
            )]);
            self.service
                .screen_known_counterparties(conn, &screener, caller.user())
        })
    }
}
