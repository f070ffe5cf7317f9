//! The OpenAPI schemas of what the domain defines and cannot derive a schema for (it knows
//! nothing of HTTP or OpenAPI): its text enums, whose values are read from the domain's one
//! text form (so the document cannot list a value the API refuses, or miss one); the texts it
//! parses (ids, references, currencies, amounts, reasons, cursors, `If-Match`), each as exactly
//! what the domain accepts where a JSON Schema can say it, and as much as it can otherwise
//! (the rest in its description), lengths read from the domain's constants; and the request
//! bodies of `compliance_domain::input`, mirrored field for field.
//!
//! Must not: be constructed or deserialized: these types only describe, the handlers parse
//! with the domain's own types; nor admit a value the domain refuses (a schema-valid request
//! is never refused as invalid). `tests/server/http_schemas.rs` holds each mirror to the domain
//! type it describes (every field, which are required, unknown fields refused), and each text
//! schema to the domain's parser.

#![allow(dead_code)] // Documentation only: the mirrors are never constructed.

use std::borrow::Cow;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};

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
    /// What a change of a case's assignment was.
    AssignmentAction => compliance_domain::AssignmentAction;
    /// Of whom information is asked.
    Addressee => compliance_domain::Addressee;
    /// A kind of document or fact asked for.
    RequestedItem => compliance_domain::RequestedItem;
    /// How a request for information ended.
    RequestOutcome => compliance_domain::RequestOutcome;
    /// What is watched on a wallet.
    WatchKind => compliance_domain::blockchain::WatchKind;
    /// Which way a transaction moved funds, seen from the watched wallet.
    Direction => compliance_domain::blockchain::Direction;
}

/// A string schema of its own: a description, lengths and a pattern.
macro_rules! string_schema {
    ($(#[doc = $doc:literal])* $name:ident, $min:expr, $max:expr, $pattern:expr) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some(concat!($($doc),*).trim()))
                    .min_length(Some($min))
                    .max_length(Some($max))
                    .pattern(Some($pattern))
                    .into()
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

mod events;
mod facts;
mod screening;
mod wallets;
pub use events::*;
pub use facts::*;
pub use screening::*;
pub use wallets::*;

/// Declares a schema type per domain reference (`compliance_domain::token`): 1 to the type's
/// `MAX_LEN` printable ASCII characters without spaces, its length read from the domain type.
macro_rules! reference_schemas {
    ($($(#[doc = $doc:literal])* $name:ident => $domain:ty;)*) => {$(
        $(#[doc = $doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                let max = <$domain>::MAX_LEN;
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some(format!(
                        "{} 1 to {max} printable ASCII characters, no spaces.",
                        concat!($($doc),*).trim()
                    )))
                    .min_length(Some(1))
                    .max_length(Some(max))
                    .pattern(Some(REFERENCE_PATTERN))
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

/// A reference: printable ASCII (`!` to `~`), no spaces (`compliance_domain::token`).
pub const REFERENCE_PATTERN: &str = "^[!-~]*$";

reference_schemas! {
    /// Who screened, e.g. `refinitiv-world-check`.
    ScreeningProvider => compliance_domain::ScreeningProvider;
    /// The version of the lists screened against, e.g. `ofac-2026-11-20+un-2026-11-18`.
    WatchlistVersion => compliance_domain::WatchlistVersion;
    /// A watchlist, e.g. `OFAC-SDN`.
    ListName => compliance_domain::ListName;
    /// An entry's reference on its list, e.g. `SDN-36512` (never a name).
    ListEntryRef => compliance_domain::ListEntryRef;
    /// A caller's key for one submission: a retry with the same key gets the first answer.
    IdempotencyKey => compliance_domain::IdempotencyKey;
}

/// An entity id (`compliance_domain::EntityId`): lower-case letters, digits and single
/// hyphens, starting with a letter and ending with a letter or digit. The group around its
/// head changes nothing for a regex engine; it keeps tools that fold `minLength` and
/// `maxLength` into a pattern's quantifiers (Schemathesis 4 does) from folding them into the
/// head alone, which would demand three characters before the first hyphen.
pub const ENTITY_ID_PATTERN: &str = "^([a-z][a-z0-9]*)(-[a-z0-9]+)*$";

/// An entity's id, e.g. `ae-ind-clean-001`.
pub struct EntityId;

impl utoipa::PartialSchema for EntityId {
    fn schema() -> RefOr<Schema> {
        use compliance_domain::EntityId as Domain;
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(format!(
                "An entity's id: {} to {} lower-case letters, digits and single hyphens, starting \
                 with a letter and ending with a letter or digit, e.g. `ae-ind-clean-001`.",
                Domain::MIN_LEN,
                Domain::MAX_LEN
            )))
            .min_length(Some(Domain::MIN_LEN))
            .max_length(Some(Domain::MAX_LEN))
            .pattern(Some(ENTITY_ID_PATTERN))
            .examples(["ae-ind-clean-001"])
            .into()
    }
}

impl ToSchema for EntityId {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("EntityId")
    }
}

/// A share of ownership (`compliance_domain::OwnershipShare`): a percentage above 0 and at
/// most 100, in hundredths at most, as text. Zero, and more than two decimals, do not match.
pub const OWNERSHIP_SHARE_PATTERN: &str =
    r"^(100(\.0{1,2})?|0\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]?(\.[0-9]{1,2})?)$";

/// A share of ownership in percent, as text, e.g. `"25"` or `"12.5"`.
pub struct OwnershipShare;

impl utoipa::PartialSchema for OwnershipShare {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "A share of ownership in percent, as text (never a float): more than 0, at most \
                 100, with at most two decimals, e.g. `\"25\"` or `\"12.5\"`.",
            ))
            .pattern(Some(OWNERSHIP_SHARE_PATTERN))
            .examples(["25", "12.5"])
            .into()
    }
}

impl ToSchema for OwnershipShare {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("OwnershipShare")
    }
}

/// A case's id (`compliance_domain::CaseId`).
pub struct CaseId;

impl utoipa::PartialSchema for CaseId {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
            .description(Some(
                "A case's id: a UUID, hyphenated as the API gives it out, e.g. \
                 `4c1d7a2e-5b6f-4e8a-9c0d-1e2f3a4b5c6d` (the simple, braced and URN spellings of \
                 the same UUID are read too).",
            ))
            .into()
    }
}

impl ToSchema for CaseId {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("CaseId")
    }
}

/// An ISO 4217 currency in circulation: exactly the codes `compliance_domain::Currency` reads.
pub struct Currency;

impl utoipa::PartialSchema for Currency {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "An ISO 4217 currency code in circulation, upper case, e.g. `USD`.",
            ))
            .enum_values(Some(compliance_domain::Currency::all().map(|c| c.as_str())))
            .into()
    }
}

impl ToSchema for Currency {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Currency")
    }
}

/// A money amount's canonical text: up to 15 digits, then up to 4 decimals.
pub const AMOUNT_PATTERN: &str = r"^[0-9]{1,15}(\.[0-9]{1,4})?$";

/// A money amount (`compliance_domain::Money::parse_amount`).
pub struct Amount;

impl utoipa::PartialSchema for Amount {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(format!(
                "A non-negative decimal number below 10^15 with at most {} decimals, as a string \
                 (no float holds it), e.g. `250000.00`. The pattern is the canonical form, the \
                 one to send; the server also reads other spellings of such a number \
                 (surrounding white space, a leading `+` or zeros, `_` between digits, an \
                 exponent, trailing zeros past the last kept decimal) and refuses anything else \
                 with 422.",
                compliance_domain::Money::MAX_SCALE
            )))
            .pattern(Some(AMOUNT_PATTERN))
            .examples(["250000.00"])
            .into()
    }
}

impl ToSchema for Amount {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Amount")
    }
}

/// A review reason (`compliance_domain::ReviewReason`): no control character but line feed and
/// tab anywhere, and at least one character that is neither a control character nor white
/// space (what `str::trim` removes), so that the trimmed reason is not blank.
pub const REASON_PATTERN: &str = concat!(
    r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*",
    r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
    r"[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
);

/// Why a reviewer decided, in their words.
pub struct ReviewReason;

impl utoipa::PartialSchema for ReviewReason {
    fn schema() -> RefOr<Schema> {
        let max = compliance_domain::ReviewReason::MAX_LEN;
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(format!(
                "Why, in the reviewer's words: stored as a review note, outside the hash chain. \
                 Trimmed of surrounding white space, it must be 1 to {max} characters long, and \
                 it may hold no control character but line feed and tab. (The server trims \
                 before it counts, so it also reads a longer text whose trimmed form fits.)"
            )))
            .min_length(Some(1))
            .max_length(Some(max))
            .pattern(Some(REASON_PATTERN))
            .into()
    }
}

impl ToSchema for ReviewReason {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ReviewReason")
    }
}

/// A queue cursor: a page's `next`, `<risk score>.<flagged>.<microseconds>.<case id>`.
pub const QUEUE_CURSOR_PATTERN: &str = concat!(
    r"^(100|[1-9]?[0-9])\.[01]\.-?[0-9]{1,16}\.",
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
);

/// Where a queue page resumes.
pub struct QueueCursor;

impl utoipa::PartialSchema for QueueCursor {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "The previous page's `next`, passed back unchanged (its form, \
                 `<risk score>.<flagged>.<microseconds since 1970>.<case id>`, is not a contract).",
            ))
            .pattern(Some(QUEUE_CURSOR_PATTERN))
            .into()
    }
}

impl ToSchema for QueueCursor {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("QueueCursor")
    }
}

/// Whose cases a page of the queue shows (`compliance_app::AssigneeQuery`): `mine`,
/// `unassigned`, or a user's id.
pub const ASSIGNEE_PATTERN: &str = "^(mine|unassigned|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$";

string_schema! {
    /// `mine`, `unassigned`, or a user's id: only the cases they work.
    Assignee, 4, 36, ASSIGNEE_PATTERN
}

/// `If-Match`: a case's `ETag`, its revision quoted (a weak `W/` prefix is read too).
pub const IF_MATCH_PATTERN: &str = r#"^(W/)?"[1-9][0-9]{0,8}"$"#;

/// The `If-Match` of a review or a cleared match.
pub struct IfMatch;

impl utoipa::PartialSchema for IfMatch {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "The case's `ETag` as read: its revision, quoted, e.g. `\"3\"` (`W/\"3\"` is read \
                 too). A revision the case has moved past is 412.",
            ))
            .pattern(Some(IF_MATCH_PATTERN))
            .examples(["\"1\""])
            .into()
    }
}

impl ToSchema for IfMatch {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("IfMatch")
    }
}

/// The order of an entity's audit entries.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum AuditOrder {
    /// Newest first (the default).
    Newest,
    /// Oldest first.
    Oldest,
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
    /// How strongly the screened names matched, 0 to 1 with at most four decimals, when this
    /// project screened (an outside provider's asserted match has none and counts as certain).
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1)]
    score: Option<f64>,
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
#[schema(example = json!({
    "kyc": {"entity_id": "ae-ind-example-001", "entity_type": "individual", "jurisdiction": "AE",
            "verification_score": 95,
            "documents": ["passport", "proof_of_address", "liveness_check"]},
    "aml": {"risk_score": 10, "provider": "refinitiv-world-check", "watchlist_version": "2026-11-24"}
}))]
pub struct CaseInput {
    /// The KYC result.
    kyc: KycInput,
    /// An outside provider's AML screening. Without one, `subject` is required and this
    /// service screens it against the lists' current versions.
    #[serde(default)]
    #[schema(nullable = false)]
    aml: Option<AmlInput>,
    /// What screening needs about the entity; kept outside the hash chain.
    #[serde(default)]
    #[schema(nullable = false)]
    subject: Option<SubjectInput>,
}

/// A KYC result.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KycInput {
    /// The entity.
    entity_id: EntityId,
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
    #[schema(format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$")]
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
    /// The amount.
    amount: Amount,
    /// Its currency.
    currency: Currency,
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
    /// Who screened.
    provider: ScreeningProvider,
    /// The version of the lists screened against.
    watchlist_version: WatchlistVersion,
}

/// A watchlist match.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchInput {
    /// The kind of list.
    kind: WatchlistKind,
    /// The list.
    list: ListName,
    /// The entry's reference on it.
    entry: ListEntryRef,
}

/// `POST /api/v1/cases/{id}/review`: a reviewer's decision.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// `approve`, `waive` (the evidence the engine holds the case PENDING for, under four eyes)
    /// or `reject`.
    verdict: Verdict,
    /// Why.
    reason: ReviewReason,
}
