//! Blockchain monitoring: the wallets watched for an onboarded entity and the transactions seen
//! on them.
//!
//! Must not: treat a crypto amount as [`Money`](crate::Money). Asset codes are not ISO 4217 and
//! amounts carry up to 18 decimal places, so they are plain non-negative decimals with an asset.

use crate::{CheckStatus, Reviewer, Role, Transition, TransitionError, Trigger, UserId};
use rust_decimal::Decimal;

/// Why a blockchain value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlockchainError {
    /// Not 2 to 32 characters of `a-z`, `0-9`, `-`, starting with a letter (e.g. `ethereum`).
    #[error(
        "chain must be 2 to 32 characters of a-z, 0-9 or '-', starting with a letter (e.g. ethereum)"
    )]
    Chain,
    /// Not 8 to 128 characters of letters, digits, `:`, `.`, `_`, `-`.
    #[error("{kind} must be 8 to 128 characters of letters, digits, ':', '.', '_' or '-'")]
    Address {
        /// Which value: `wallet address`, `counterparty` or `transaction hash`.
        kind: &'static str,
    },
    /// Not 2 to 16 characters of `A-Z`, `0-9`, `.` (e.g. `ETH`, `USDT`).
    #[error("asset must be 2 to 16 characters of A-Z, 0-9 or '.' (e.g. ETH, USDT)")]
    Asset,
    /// Negative, more than 18 decimal places, or 10^10 or more.
    #[error("amount must be between 0 and 10^10 with at most 18 decimal places")]
    Amount,
    /// A watch list with nothing on it.
    #[error("a monitored wallet watches at least one thing")]
    NothingWatched,
}

fn token(text: &str, len: std::ops::RangeInclusive<usize>, ok: impl Fn(u8) -> bool) -> bool {
    len.contains(&text.len()) && text.bytes().all(ok)
}

/// A blockchain network, e.g. `ethereum`, `bitcoin`, `polygon`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Chain(String);

impl Chain {
    /// Parses a chain name.
    pub fn parse(text: &str) -> Result<Self, BlockchainError> {
        let ok = token(text, 2..=32, |b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'
        }) && text.as_bytes()[0].is_ascii_lowercase();
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(BlockchainError::Chain)
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An on-chain reference: a wallet address, a counterparty or a transaction hash.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct OnChainRef(String);

impl OnChainRef {
    /// Parses a reference; `kind` names it in the error (`wallet address`, `transaction hash`).
    pub fn parse(text: &str, kind: &'static str) -> Result<Self, BlockchainError> {
        if token(text, 8..=128, |b| {
            b.is_ascii_alphanumeric() || b":._-".contains(&b)
        }) {
            Ok(Self(text.to_owned()))
        } else {
            Err(BlockchainError::Address { kind })
        }
    }

    /// The reference.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A crypto asset code, e.g. `ETH`, `USDT`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Asset(String);

impl Asset {
    /// Parses an asset code.
    pub fn parse(text: &str) -> Result<Self, BlockchainError> {
        if token(text, 2..=16, |b| {
            b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'.'
        }) {
            Ok(Self(text.to_owned()))
        } else {
            Err(BlockchainError::Asset)
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_conversions {
    ($($name:ident => $parse:expr),*) => {$(
        impl TryFrom<String> for $name {
            type Error = BlockchainError;
            fn try_from(text: String) -> Result<Self, Self::Error> {
                $parse(&text)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }
    )*};
}

string_conversions!(
    Chain => Chain::parse,
    OnChainRef => |t: &str| OnChainRef::parse(t, "on-chain reference"),
    Asset => Asset::parse
);

/// A non-negative crypto amount below 10^10 with at most 18 decimal places (the database's
/// `ck_blockchain_transactions_amount` refuses anything else). An entity's transfers are personal
/// data, as [`Money`](crate::Money) is: `Debug` redacts the amount.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct CryptoAmount(Decimal);

impl CryptoAmount {
    /// Checks an amount.
    pub fn new(amount: Decimal) -> Result<Self, BlockchainError> {
        let amount = amount.normalize();
        if amount.is_sign_negative() && !amount.is_zero()
            || amount.scale() > 18
            || amount >= Decimal::from(10_000_000_000_i64)
        {
            Err(BlockchainError::Amount)
        } else {
            Ok(Self(amount))
        }
    }

    /// The amount.
    pub fn get(self) -> Decimal {
        self.0
    }
}

impl std::fmt::Debug for CryptoAmount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CryptoAmount(<redacted>)")
    }
}

impl TryFrom<Decimal> for CryptoAmount {
    type Error = BlockchainError;
    fn try_from(amount: Decimal) -> Result<Self, Self::Error> {
        Self::new(amount)
    }
}

impl From<CryptoAmount> for Decimal {
    fn from(amount: CryptoAmount) -> Self {
        amount.0
    }
}

crate::text_enum! {
    /// What is watched on a wallet.
    #[strum(serialize_all = "snake_case")]
    pub enum WatchKind as "watch kind" {
        /// Funds coming in.
        Incoming,
        /// Funds going out.
        Outgoing,
        /// Any transfer with a sanctioned counterparty.
        SanctionedCounterparty,
        /// Exposure to mixers and tumblers.
        MixerExposure,
        /// Transfers above the platform's large-transfer threshold.
        LargeTransfer,
    }
}

crate::text_enum! {
    /// Which way a transaction moved funds, seen from the watched wallet.
    #[strum(serialize_all = "snake_case")]
    pub enum Direction as "direction" {
        /// Into the wallet.
        Incoming,
        /// Out of the wallet.
        Outgoing,
    }
}

/// A wallet to watch for an entity.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WalletWatch {
    /// The network.
    pub chain: Chain,
    /// The address.
    pub address: OnChainRef,
    /// What to watch; never empty (see [`WalletWatch::new`]).
    watch: std::collections::BTreeSet<WatchKind>,
}

impl WalletWatch {
    /// A wallet watch; watching nothing is refused.
    pub fn new(
        chain: Chain,
        address: OnChainRef,
        watch: std::collections::BTreeSet<WatchKind>,
    ) -> Result<Self, BlockchainError> {
        if watch.is_empty() {
            return Err(BlockchainError::NothingWatched);
        }
        Ok(Self {
            chain,
            address,
            watch,
        })
    }

    /// What is watched.
    pub fn watch(&self) -> &std::collections::BTreeSet<WatchKind> {
        &self.watch
    }
}

/// Why a reviewer may not make a transaction's status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransactionDecisionError {
    /// The reviewer's role may not decide a transaction of this status.
    #[error("a user with role {role} may not decide a {status} transaction")]
    NotPermitted {
        /// The reviewer's role.
        role: Role,
        /// The transaction's status.
        status: CheckStatus,
    },
    /// The status table refused the change.
    #[error(transparent)]
    Transition(#[from] TransitionError),
}

/// A decision on an observed transaction's status: the change and who made it. Transaction
/// monitoring has no engine yet, so every change is a reviewer's, along the status table, by a
/// role that may decide that status ([`Role::may_review`]: analysts PENDING transactions, admins
/// and compliance officers also ESCALATED and APPROVED ones). The database's
/// `blockchain_transactions_guard()` repeats both rules against `decided_by`.
///
/// ```
/// use compliance_domain::blockchain::TransactionDecision;
/// use compliance_domain::*;
/// # let user = |role| User { id: UserId::from_uuid(uuid::Uuid::from_u128(1)),
/// #   username: Username::parse("someone").unwrap(), email: Email::parse("s@example.com").unwrap(),
/// #   role, active: true };
/// let analyst = Reviewer::try_from(&user(Role::Analyst))?;
/// let decision = TransactionDecision::new(&analyst, CheckStatus::Pending, CheckStatus::Escalated)?;
/// assert_eq!(decision.transition().to, CheckStatus::Escalated);
/// assert!(TransactionDecision::new(&analyst, CheckStatus::Escalated, CheckStatus::Approved).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactionDecision {
    decider: UserId,
    transition: Transition,
}

impl TransactionDecision {
    /// `reviewer` moves a transaction from `from` to `to`: the status table first (as a
    /// reviewer), then the reviewer's role.
    pub fn new(
        reviewer: &Reviewer,
        from: CheckStatus,
        to: CheckStatus,
    ) -> Result<Self, TransactionDecisionError> {
        let transition = from.transition_to(to, Trigger::Reviewer)?;
        if !reviewer.role().may_review(from) {
            return Err(TransactionDecisionError::NotPermitted {
                role: reviewer.role(),
                status: from,
            });
        }
        Ok(Self {
            decider: reviewer.id(),
            transition,
        })
    }

    /// The counterparty screening's flag: a transaction whose counterparty a list names goes
    /// from `from` to ESCALATED, to a reviewer, whoever `flagger` is (the engine's trigger:
    /// no reviewer decided it). `None` where there is nothing to flag: already ESCALATED (with
    /// its reviewers) or REJECTED (final). Never APPROVED: a listed counterparty is never
    /// approved, and the database's `blockchain_transactions_guard()` refuses it too.
    ///
    /// ESCALATED rather than REJECTED: the transfer already happened on chain, so refusing it
    /// blocks nothing; what it calls for is a person's look (a freeze, a report) and the case's
    /// re-screening, where the engine rejects on a sanctions match. A rejection is final and
    /// would outlive a list entry withdrawn as an error.
    pub fn counterparty_listed(flagger: UserId, from: CheckStatus) -> Option<Self> {
        let transition = from
            .transition_to(CheckStatus::Escalated, Trigger::Engine)
            .ok()?;
        Some(Self {
            decider: flagger,
            transition,
        })
    }

    /// Who decides.
    pub fn decider(&self) -> UserId {
        self.decider
    }

    /// The status change.
    pub fn transition(&self) -> Transition {
        self.transition
    }
}

/// A transaction seen on a watched wallet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ObservedTransaction {
    /// The transaction hash.
    pub tx_hash: OnChainRef,
    /// Which way funds moved.
    pub direction: Direction,
    /// How much.
    pub amount: CryptoAmount,
    /// Of what.
    pub asset: Asset,
    /// The other side, when known.
    pub counterparty: Option<OnChainRef>,
    /// When it was seen on chain.
    pub observed_at: chrono::DateTime<chrono::Utc>,
    /// The monitoring provider's risk score, when it gave one.
    pub risk_score: Option<crate::RiskScore>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert!(Chain::parse("ethereum").is_ok());
        assert!(Chain::parse("Ethereum").is_err());
        assert!(
            OnChainRef::parse(
                "0x52908400098527886E0F7030069857D2E4169EE7",
                "wallet address"
            )
            .is_ok()
        );
        assert_eq!(
            OnChainRef::parse("short", "transaction hash"),
            Err(BlockchainError::Address {
                kind: "transaction hash"
            })
        );
        assert!(Asset::parse("USDT").is_ok() && Asset::parse("usdt").is_err());
        assert!(CryptoAmount::new(Decimal::new(1, 18)).is_ok());
        assert!(CryptoAmount::new(Decimal::new(1, 19)).is_err());
        assert!(CryptoAmount::new(Decimal::from(-1)).is_err());
        assert!(CryptoAmount::new(Decimal::from(10_000_000_000_i64)).is_err());
        let amount = CryptoAmount::new("1234.5678".parse().unwrap()).unwrap();
        assert_eq!(format!("{amount:?}"), "CryptoAmount(<redacted>)");
    }

    #[test]
    fn a_listed_counterparty_escalates_what_is_not_already_with_reviewers_or_final() {
        use CheckStatus::*;
        let agent = UserId::from_uuid(uuid::Uuid::from_u128(9));
        for from in [Pending, Approved] {
            let flag = TransactionDecision::counterparty_listed(agent, from).unwrap();
            assert_eq!((flag.decider(), flag.transition().to), (agent, Escalated));
            assert_eq!(flag.transition().by, Trigger::Engine);
        }
        assert_eq!(
            TransactionDecision::counterparty_listed(agent, Escalated),
            None
        );
        assert_eq!(
            TransactionDecision::counterparty_listed(agent, Rejected),
            None
        );
    }

    #[test]
    fn a_transaction_is_decided_along_the_status_table_by_a_role_that_may() {
        use crate::{Email, User, Username};
        use CheckStatus::*;
        let reviewer = |role| {
            Reviewer::try_from(&User {
                id: UserId::from_uuid(uuid::Uuid::from_u128(3)),
                username: Username::parse("someone").unwrap(),
                email: Email::parse("someone@example.com").unwrap(),
                role,
                active: true,
            })
            .unwrap()
        };
        let (analyst, officer) = (reviewer(Role::Analyst), reviewer(Role::ComplianceOfficer));
        let decided = TransactionDecision::new(&analyst, Pending, Approved).unwrap();
        assert_eq!(decided.decider(), analyst.id());
        assert_eq!(
            decided.transition(),
            Pending.transition_to(Approved, Trigger::Reviewer).unwrap()
        );
        assert_eq!(
            TransactionDecision::new(&analyst, Escalated, Rejected),
            Err(TransactionDecisionError::NotPermitted {
                role: Role::Analyst,
                status: Escalated
            })
        );
        assert!(TransactionDecision::new(&officer, Escalated, Approved).is_ok());
        assert!(TransactionDecision::new(&officer, Approved, Rejected).is_ok());
        assert!(matches!(
            TransactionDecision::new(&officer, Rejected, Approved),
            Err(TransactionDecisionError::Transition(
                TransitionError::Final { .. }
            ))
        ));
        assert!(matches!(
            TransactionDecision::new(&officer, Pending, Pending),
            Err(TransactionDecisionError::Transition(
                TransitionError::Unchanged { .. }
            ))
        ));
    }

    #[test]
    fn a_wallet_watches_something() {
        let chain = Chain::parse("bitcoin").unwrap();
        let address = OnChainRef::parse(
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "wallet address",
        )
        .unwrap();
        assert_eq!(
            WalletWatch::new(chain.clone(), address.clone(), Default::default()),
            Err(BlockchainError::NothingWatched)
        );
        assert!(WalletWatch::new(chain, address, [WatchKind::Incoming].into()).is_ok());
    }
}
