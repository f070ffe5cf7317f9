//! Wallets over HTTP (issue 19, part 4): `POST` and `GET /api/v1/entities/{entity_id}/wallets`
//! (watch a wallet for an entity, list them) and `POST /api/v1/wallets/{id}/transactions` (1 to
//! 1,000 transactions seen on a watched wallet, each counterparty screened; a hit recorded
//! ESCALATED and the entity's case re-screened, in one transaction; a transaction stored before
//! answered as stored).
//!
//! Must not: decide anything itself, or log an address, a hash or an amount.

use super::bodies::{RecordedTransactions, Wallet};
use super::schemas as S;
use super::{AppState, Body, Problem, Segment, call, entity_id};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use compliance_app::{AppError, Caller};
use compliance_domain::blockchain::{
    Asset, Chain, CryptoAmount, Direction, ObservedTransaction, OnChainRef, WalletWatch, WatchKind,
};
use compliance_domain::input::InputError;
use compliance_domain::{Decimal, RiskScore};
use serde::Deserialize;
use uuid::Uuid;

/// The body limit of `POST /api/v1/wallets/{id}/transactions`: 1,000 transactions of about
/// 400 bytes each, with room.
pub const TRANSACTIONS_BODY_LIMIT: usize = 1024 * 1024;

/// `POST /api/v1/entities/{entity_id}/wallets`'s body (the document's `NewWallet`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalletInput {
    chain: String,
    address: String,
    watch: Vec<WatchKind>,
}

/// One transaction of `POST /api/v1/wallets/{id}/transactions` (the document's
/// `NewTransaction`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransactionInput {
    tx_hash: String,
    direction: Direction,
    amount: String,
    asset: String,
    #[serde(default)]
    counterparty: Option<String>,
    observed_at: chrono::DateTime<chrono::Utc>,
    #[serde(default)]
    risk_score: Option<u8>,
}

/// `POST /api/v1/wallets/{id}/transactions`'s body (the document's `TransactionBatch`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchInput {
    transactions: Vec<TransactionInput>,
}

fn invalid(path: String, message: impl std::fmt::Display) -> Problem {
    Problem::from(AppError::Input(InputError::field(path, message)))
}

impl TransactionInput {
    /// The domain's transaction; a field it refuses is a 422 naming `transactions[i].field`.
    fn parse(self, i: usize) -> Result<ObservedTransaction, Problem> {
        let at = |field: &str| format!("transactions[{i}].{field}");
        let amount = self
            .amount
            .parse::<Decimal>()
            .map_err(|_| invalid(at("amount"), "must be a decimal number, e.g. 1.25"))
            .and_then(|a| CryptoAmount::new(a).map_err(|e| invalid(at("amount"), e)))?;
        Ok(ObservedTransaction {
            tx_hash: OnChainRef::parse(&self.tx_hash, "transaction hash")
                .map_err(|e| invalid(at("tx_hash"), e))?,
            direction: self.direction,
            amount,
            asset: Asset::parse(&self.asset).map_err(|e| invalid(at("asset"), e))?,
            counterparty: self
                .counterparty
                .as_deref()
                .map(|c| OnChainRef::parse(c, "counterparty"))
                .transpose()
                .map_err(|e| invalid(at("counterparty"), e))?,
            observed_at: self.observed_at,
            risk_score: self
                .risk_score
                .map(RiskScore::new)
                .transpose()
                .map_err(|e| invalid(at("risk_score"), e))?,
        })
    }
}

/// A wallet id from the path: a malformed one is a 400 (it cannot name a wallet).
fn wallet_id(segment: &str) -> Result<Uuid, Problem> {
    segment
        .parse()
        .map_err(|_| Problem::bad_request("a wallet id is a UUID"))
}

/// Watch a wallet for the entity's current case (the system agent and admins). Each
/// transaction recorded on it has its counterparty screened.
#[utoipa::path(post, path = "/api/v1/entities/{entity_id}/wallets", tag = "wallets",
    request_body = S::NewWallet,
    params(("entity_id" = S::EntityId, Path, description = "The entity")),
    responses((status = 201, description = "Watched", body = Wallet),
        (status = 403, description = "Only the system agent and admins watch wallets", body = Problem),
        (status = 404, description = "The entity has no case", body = Problem),
        (status = 409, description = "The wallet (chain and address) is watched already", body = Problem)),
    security(("bearer" = [])))]
pub async fn watch_wallet(
    State(state): State<AppState>,
    caller: Caller,
    Segment(entity): Segment,
    Body(input): Body<WalletInput>,
) -> Result<(StatusCode, Json<Wallet>), Problem> {
    let entity = entity_id(&entity)?;
    let chain = Chain::parse(&input.chain).map_err(|e| invalid("chain".into(), e))?;
    let address = OnChainRef::parse(&input.address, "wallet address")
        .map_err(|e| invalid("address".into(), e))?;
    let wallet = WalletWatch::new(chain, address, input.watch.into_iter().collect())
        .map_err(|e| invalid("watch".into(), e))?;
    let record = call(&state.compliance, move |c| {
        c.watch_wallet(&caller, &entity, &wallet)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

/// The wallets watched for an entity, oldest first.
#[utoipa::path(get, path = "/api/v1/entities/{entity_id}/wallets", tag = "wallets",
    params(("entity_id" = S::EntityId, Path, description = "The entity")),
    responses((status = 200, body = Vec<Wallet>), (status = 403, body = Problem),
        (status = 404, description = "The entity has no case", body = Problem)),
    security(("bearer" = [])))]
pub async fn wallets(
    State(state): State<AppState>,
    caller: Caller,
    Segment(entity): Segment,
) -> Result<Json<Vec<Wallet>>, Problem> {
    let entity = entity_id(&entity)?;
    let wallets = call(&state.compliance, move |c| c.wallets(&caller, &entity)).await?;
    Ok(Json(wallets.into_iter().map(Into::into).collect()))
}

/// Record 1 to 1,000 transactions seen on a watched wallet (the system agent and admins), in
/// one transaction: each counterparty is screened against the wallet addresses of the lists'
/// current versions; a listed one is recorded ESCALATED and the entity's current case
/// re-screened with the listed entries as matches (a final case is left alone). A transaction
/// stored before (same wallet, hash and direction) is answered as stored, `recorded: false`.
#[utoipa::path(post, path = "/api/v1/wallets/{id}/transactions", tag = "wallets",
    request_body = S::TransactionBatch,
    params(("id" = Uuid, Path, description = "The watched wallet")),
    responses((status = 200, body = RecordedTransactions),
        (status = 403, description = "Only the system agent and admins record transactions", body = Problem),
        (status = 404, description = "No such watched wallet", body = Problem),
        (status = 413, description = "The body is larger than 1 MiB", body = Problem)),
    security(("bearer" = [])))]
pub async fn record_transactions(
    State(state): State<AppState>,
    caller: Caller,
    Segment(id): Segment,
    Body(input): Body<BatchInput>,
) -> Result<Json<RecordedTransactions>, Problem> {
    let id = wallet_id(&id)?;
    let transactions = input
        .transactions
        .into_iter()
        .enumerate()
        .map(|(i, t)| t.parse(i))
        .collect::<Result<Vec<_>, _>>()?;
    let recorded = call(&state.compliance, move |c| {
        c.record_transactions(&caller, id, &transactions)
    })
    .await?;
    Ok(Json(recorded.into()))
}
