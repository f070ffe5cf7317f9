//! The OpenAPI schemas of what the domain defines and cannot derive a schema for (it knows
//! nothing of HTTP or OpenAPI): its text enums, whose values are read from the domain's one
//! text form (so the document cannot list a value the API refuses, or miss one), and the
//! request bodies of `compliance_domain::input`, mirrored field for field.
//!
//! Must not: be constructed or deserialized: these types only describe, the handlers parse
//! with the domain's own types. `tests/app/http_schemas.rs` holds each mirror to the domain
//! type it describes (every field, which are required, unknown fields refused).

#![allow(dead_code)] // Documentation only: the mirrors are never constructed.

use std::borrow::Cow;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// Declares a schema type per domain text enum: a string, one of the enum's text forms.
macro_rules! text_enum_schemas {
    ($($(#[doc = $doc:literal])* $name:ident => $domain:ty;)*) => {$(
        $(#[doc = $doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some(concat!($($doc),*).trim()))
                    .enum_values(Some(<$domain as strum::VariantNames>::VARIANTS.iter().copied()))
                    .into()
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    )*};
}

text_enum_schemas! {
    /// A jurisdiction of onboarding.
    Jurisdiction => compliance_domain::Jurisdiction;
    /// An entity's legal form.
    EntityType => compliance_domain::EntityType;
    /// A case's status.
    CheckStatus => compliance_domain::CheckStatus;
    /// A risk level, derived from the 0-100 risk score.
    RiskLevel => compliance_domain::RiskLevel;
    /// The part of onboarding a rule judges.
    Stage => compliance_domain::Stage;
    /// What an audit entry records.
    AuditAction => compliance_domain::AuditAction;
    /// The kind of record an audit entry concerns.
    SubjectKind => compliance_domain::SubjectKind;
    /// The kind of watchlist.
    WatchlistKind => compliance_domain::WatchlistKind;
    /// A verified document.
    DocumentKind => compliance_domain::DocumentKind;
    /// A red flag raised by KYC.
    RedFlag => compliance_domain::RedFlag;
    /// A reviewer's verdict.
    Verdict => compliance_domain::Verdict;
}

mod facts;
pub use facts::*;

/// A string schema with exactly `values` (for the records' fixed `&'static str` answers).
fn one_of(description: &str, values: &[&'static str]) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values.iter().copied()))
}

/// `ReviewOutcome.outcome`.
pub fn review_outcome() -> ObjectBuilder {
    one_of(
        "`decided` (the status changed) or `approval_proposed` (a second reviewer confirms)",
        &["decided", "approval_proposed"],
    )
}

/// `ClearedMatch.disposition`.
pub fn disposition() -> ObjectBuilder {
    one_of(
        "`proposed` (a second reviewer confirms) or `confirmed`",
        &["proposed", "confirmed"],
    )
}

/// `Health.status`.
pub fn health_status() -> ObjectBuilder {
    one_of(
        "`ok`, or `degraded` when the database is unreachable or behind on migrations",
        &["ok", "degraded"],
    )
}

/// `Health.database`.
pub fn health_database() -> ObjectBuilder {
    one_of(
        "`connected` or `unreachable`",
        &["connected", "unreachable"],
    )
}

/// A rule version, as a decision records it.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleRef {
    /// The rule's code, e.g. `AE-SANCTIONS-REJECT`.
    code: String,
    /// Its version, from 1.
    #[schema(minimum = 1)]
    version: u32,
}

/// A list entry the screened entity matched.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchlistMatch {
    /// The kind of list.
    kind: WatchlistKind,
    /// The list, e.g. `OFAC-SDN`.
    list: String,
    /// The entry on it, e.g. `SDN-36512`.
    entry: String,
}

/// The signals a decision received that no rule in force weighed.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnweighedSignals {
    /// Red flag kinds, in declaration order.
    red_flags: Vec<RedFlag>,
    /// Kinds of watchlist match, in declaration order.
    matches: Vec<WatchlistKind>,
}

/// One invalid field of a request, by path (e.g. `kyc.verification_score`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldError {
    /// Where, as a dotted path with list indices.
    path: String,
    /// What is wrong and what is expected.
    message: String,
}

/// `POST /api/v1/cases`: a KYC result and its first screening.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// The KYC result.
    kyc: KycInput,
    /// The AML screening.
    aml: AmlInput,
}

/// A KYC result.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KycInput {
    /// Lower-case letters, digits and single hyphens, starting with a letter, 3 to 64
    /// characters, e.g. `ae-ind-clean-001`.
    #[schema(min_length = 3, max_length = 64, pattern = "^[a-z](-?[a-z0-9])*$")]
    entity_id: String,
    /// The entity's legal form.
    entity_type: EntityType,
    /// Its jurisdiction.
    jurisdiction: Jurisdiction,
    /// 0 to 100.
    #[schema(minimum = 0, maximum = 100)]
    verification_score: i64,
    /// The verified documents; at most 32.
    #[schema(max_items = 32)]
    documents: Vec<DocumentKind>,
    /// Red flags; at most 16.
    #[serde(default)]
    #[schema(max_items = 16)]
    red_flags: Vec<RedFlag>,
    /// The investor's figures.
    #[serde(default)]
    investor: InvestorInput,
}

/// An investor profile; every part optional. `reg_d`, `sebi` and `classification` need
/// `assessed_on`, and each arrives only on its jurisdiction's cases.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvestorInput {
    /// Net worth.
    #[serde(default)]
    net_worth: Option<MoneyInput>,
    /// Annual income.
    #[serde(default)]
    annual_income: Option<MoneyInput>,
    /// Total assets.
    #[serde(default)]
    total_assets: Option<MoneyInput>,
    /// Whether a third party verified accreditation.
    #[serde(default)]
    accreditation_verified: bool,
    /// The day the facts are assessed at (required with `reg_d`, `sebi` or `classification`).
    #[serde(default)]
    #[schema(format = Date)]
    assessed_on: Option<String>,
    /// US facts: 17 CFR 230.501(a) and their verification.
    #[serde(default)]
    reg_d: Option<RegDInput>,
    /// Indian facts: SEBI's accredited investor and the agency's certificate.
    #[serde(default)]
    sebi: Option<SebiInput>,
    /// UAE facts: the investor's classification.
    #[serde(default)]
    classification: Option<ClassificationInput>,
}

/// A money amount, e.g. `{"amount": "250000.00", "currency": "USD"}`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyInput {
    /// A non-negative decimal number with at most 4 decimals, as a string (no float holds it).
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    amount: String,
    /// An ISO 4217 code in circulation.
    #[schema(pattern = "^[A-Z]{3}$")]
    currency: String,
}

/// `POST /api/v1/entities/{entity_id}/screenings` (and a submission's `aml`): a screening.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmlInput {
    /// 0 to 100.
    #[schema(minimum = 0, maximum = 100)]
    risk_score: i64,
    /// Every entry matched; at most 100.
    #[serde(default)]
    #[schema(max_items = 100)]
    matches: Vec<MatchInput>,
    /// Who screened, e.g. `refinitiv-world-check`.
    provider: String,
    /// The version of the lists screened against, e.g. `2026-11-24`.
    watchlist_version: String,
}

/// A watchlist match.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchInput {
    /// The kind of list.
    kind: WatchlistKind,
    /// The list, e.g. `OFAC-SDN`.
    list: String,
    /// The entry's reference on it.
    entry: String,
}

/// `POST /api/v1/cases/{id}/review`: a reviewer's decision.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// Approve or reject.
    verdict: Verdict,
    /// Why (1 to 2000 characters once trimmed; stored as a review note, outside the chain).
    #[schema(min_length = 1, max_length = 2000)]
    reason: String,
}

/// The pool, as the health report shows it.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolStats {
    /// Largest number of connections.
    max: u32,
    /// Connections open now.
    open: u32,
    /// Open connections not in use.
    idle: u32,
}
