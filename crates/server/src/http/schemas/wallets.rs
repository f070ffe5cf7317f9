//! The OpenAPI mirrors of the wallet request bodies (issue 19, part 4): a wallet to watch, a
//! batch of transactions seen on one; and the strings they hold (a chain, an on-chain
//! reference, an asset, an amount), each with the domain parser's rule as a pattern.
//!
//! Must not: be constructed or deserialized: these types only describe, as the rest of
//! `schemas` does.

#![allow(dead_code)] // Documentation only: the mirrors are never constructed.

use super::{Direction, WatchKind};
use std::borrow::Cow;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

string_schema!(
    /// A blockchain network, e.g. `ethereum` (`Chain::parse`).
    Chain,
    2,
    32,
    "^[a-z][a-z0-9-]*$"
);
string_schema!(
    /// A wallet address, a counterparty or a transaction hash (`OnChainRef::parse`).
    OnChainRef,
    8,
    128,
    "^[A-Za-z0-9:._-]*$"
);
string_schema!(
    /// A crypto asset code, e.g. `ETH`, `USDT` (`Asset::parse`).
    Asset,
    2,
    16,
    "^[A-Z0-9.]*$"
);
string_schema!(
    /// An amount as decimal text: below 10^10, at most 18 decimal places (`CryptoAmount::new`).
    CryptoAmount,
    1,
    29,
    "^[0-9]{1,10}(\\.[0-9]{1,18})?$"
);

/// `POST /api/v1/entities/{entity_id}/wallets`'s body.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWallet {
    /// The network.
    #[schema(value_type = Chain)]
    chain: String,
    /// The address.
    #[schema(value_type = OnChainRef)]
    address: String,
    /// What to watch: at least one.
    #[schema(min_items = 1, max_items = 5, value_type = Vec<WatchKind>)]
    watch: Vec<String>,
}

/// A transaction seen on the wallet.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTransaction {
    /// Its hash.
    #[schema(value_type = OnChainRef)]
    tx_hash: String,
    /// Which way funds moved, seen from the wallet.
    #[schema(value_type = Direction)]
    direction: String,
    /// How much.
    #[schema(value_type = CryptoAmount)]
    amount: String,
    /// Of what.
    #[schema(value_type = Asset)]
    asset: String,
    /// The other side, when known: screened against the lists' wallet addresses.
    #[schema(value_type = Option<OnChainRef>)]
    counterparty: Option<String>,
    /// When it was seen on chain (RFC 3339).
    observed_at: chrono::DateTime<chrono::Utc>,
    /// The monitoring provider's risk score, when it gave one.
    #[schema(minimum = 0, maximum = 100)]
    risk_score: Option<u8>,
}

/// `POST /api/v1/wallets/{id}/transactions`'s body: 1 to 1,000 transactions.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransactionBatch {
    /// The transactions, recorded in one transaction of the database.
    #[schema(min_items = 1, max_items = 1000)]
    transactions: Vec<NewTransaction>,
}
