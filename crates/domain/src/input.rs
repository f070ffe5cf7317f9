//! Input from outside (JSON from other services, the seed, the command line): shapes that may be
//! wrong, checked with `validator` and turned into domain values only when every field is valid.
//!
//! Must not: let an invalid input become a domain value, or repeat a rejected value that may be
//! personal data in an error. Each check calls the domain type's own parser, so a rule is
//! written once; `validator` collects every field's error, with its path, in one pass.

use crate::{
    AmlScreening, Case, CheckStatus, Currency, DocumentKind, Email, EntityId, EntityType,
    InvestorProfile, Jurisdiction, KycCheck, ListEntryRef, ListName, Money, RedFlag, ReviewReason,
    RiskScore, Role, ScreeningProvider, Subject, TextForm, Username, Verdict, VerificationScore,
    WatchlistKind, WatchlistMatch, WatchlistVersion,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
use validator::{Validate, ValidationError, ValidationErrors, ValidationErrorsKind};

mod classification;
mod facts;
#[cfg(test)]
mod facts_tests;
mod reg_d;
mod sebi;
mod subject;

pub use classification::ClassificationInput;
pub use reg_d::{
    CertificationInput, IncomeInput, NetWorthInput, RegDEntityInput, RegDInput, ResidenceInput,
    VerificationInput,
};
pub use sebi::{CertificateInput, SebiInput, SebiNetWorthInput};
pub use subject::{IdentifierInput, SubjectInput};

/// One field that failed, by path (e.g. `kyc.investor.net_worth.currency`, `aml.matches[1].kind`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Where, as a dotted path with list indices.
    pub path: String,
    /// What is wrong and what is expected.
    pub message: String,
}

/// An input that did not become a domain value, with every field that failed.
///
/// ```
/// use compliance_domain::input::CaseInput;
/// let json = r#"{
///   "kyc": {"entity_id": "ae-ind-clean-001", "entity_type": "individual", "jurisdiction": "UK",
///           "verification_score": 140, "documents": ["passport"], "red_flags": []},
///   "aml": {"risk_score": 10, "matches": [], "provider": "refinitiv-world-check",
///           "watchlist_version": "2026-11-24"}
/// }"#;
/// let input: CaseInput = serde_json::from_str(json)?;
/// let err = input.parse().unwrap_err();
/// let paths: Vec<_> = err.fields.iter().map(|f| f.path.as_str()).collect();
/// assert_eq!(paths, ["kyc.jurisdiction", "kyc.verification_score"]);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub struct InputError {
    /// Every failed field, sorted by path.
    pub fields: Vec<FieldError>,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid input: ")?;
        for (i, field) in self.fields.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", field.path, field.message)?;
        }
        Ok(())
    }
}

impl InputError {
    /// One failed field.
    pub fn field(path: impl Into<String>, message: impl fmt::Display) -> Self {
        Self {
            fields: vec![FieldError {
                path: path.into(),
                message: message.to_string(),
            }],
        }
    }
}

impl From<ValidationErrors> for InputError {
    fn from(errors: ValidationErrors) -> Self {
        let mut fields = Vec::new();
        flatten("", &errors, &mut fields);
        fields.sort_by(|a, b| a.path.cmp(&b.path));
        Self { fields }
    }
}

fn flatten(prefix: &str, errors: &ValidationErrors, out: &mut Vec<FieldError>) {
    for (name, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => out.extend(list.iter().map(|e| FieldError {
                // A check across fields (`__all__`) names the field it is about in the one
                // parameter this module sets, `field`.
                path: match e.params.get(FIELD).and_then(|f| f.as_str()) {
                    Some(field) if name == "__all__" && prefix.is_empty() => field.to_owned(),
                    Some(field) if name == "__all__" => format!("{prefix}.{field}"),
                    _ => path.clone(),
                },
                // Only the message or code: `validator` also records the rejected value in
                // `params`, which may be personal data and must not reach a log.
                message: e.message.as_deref().unwrap_or(&e.code).to_owned(),
            })),
            ValidationErrorsKind::Struct(inner) => flatten(&path, inner, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    flatten(&format!("{path}[{index}]"), inner, out);
                }
            }
        }
    }
}

/// The parameter of a check across fields that names the field it is about.
const FIELD: &str = "field";

/// A failed check across fields of one struct, about `field` (a path below the struct).
fn across(field: &'static str, message: impl Into<Cow<'static, str>>) -> ValidationError {
    let mut error = ValidationError::new("invalid").with_message(message.into());
    error.add_param(Cow::Borrowed(FIELD), &field);
    error
}

/// Runs a domain parser as a `validator` check, keeping its message.
fn check<T, E: fmt::Display>(parsed: Result<T, E>) -> Result<(), ValidationError> {
    parsed
        .map(drop)
        .map_err(|e| ValidationError::new("invalid").with_message(Cow::Owned(e.to_string())))
}

/// After validation passed, parsing cannot fail; should it anyway, the error is still reported
/// against its field rather than unwrapped.
fn parsed<T, E: fmt::Display>(path: &'static str, result: Result<T, E>) -> Result<T, InputError> {
    result.map_err(|e| InputError::field(path, e))
}

fn text_form<T: TextForm>(text: &str) -> Result<(), ValidationError> {
    check(T::parse_text(text))
}

fn text_forms<T: TextForm>(texts: &[String]) -> Result<(), ValidationError> {
    texts.iter().try_for_each(|t| text_form::<T>(t))
}

fn entity_id(text: &str) -> Result<(), ValidationError> {
    check(EntityId::parse(text))
}
fn entity_type(text: &str) -> Result<(), ValidationError> {
    text_form::<EntityType>(text)
}
fn jurisdiction(text: &str) -> Result<(), ValidationError> {
    text_form::<Jurisdiction>(text)
}
fn verification_score(value: i64) -> Result<(), ValidationError> {
    check(VerificationScore::new(value))
}
fn risk_score(value: i64) -> Result<(), ValidationError> {
    check(RiskScore::new(value))
}
fn documents(texts: &[String]) -> Result<(), ValidationError> {
    text_forms::<DocumentKind>(texts)
}
fn red_flags(texts: &[String]) -> Result<(), ValidationError> {
    text_forms::<RedFlag>(texts)
}
fn watchlist_kind(text: &str) -> Result<(), ValidationError> {
    text_form::<WatchlistKind>(text)
}
fn list_name(text: &str) -> Result<(), ValidationError> {
    check(ListName::parse(text))
}
fn list_entry(text: &str) -> Result<(), ValidationError> {
    check(ListEntryRef::parse(text))
}
fn provider(text: &str) -> Result<(), ValidationError> {
    check(ScreeningProvider::parse(text))
}
fn watchlist_version(text: &str) -> Result<(), ValidationError> {
    check(WatchlistVersion::parse(text))
}
/// A calendar date written `YYYY-MM-DD`, from 1900 to 2200.
pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, &'static str> {
    const EXPECTED: &str = "must be a date written YYYY-MM-DD, from 1900-01-01 to 2200-12-31";
    let well_formed = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !well_formed {
        return Err(EXPECTED);
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) if (1900..=2200).contains(&chrono::Datelike::year(&date)) => Ok(date),
        _ => Err(EXPECTED),
    }
}
fn date(text: &str) -> Result<(), ValidationError> {
    check(parse_date(text))
}
fn amount(text: &str) -> Result<(), ValidationError> {
    check(Money::parse_amount(text))
}
fn currency(text: &str) -> Result<(), ValidationError> {
    check(Currency::parse(text))
}
fn username(text: &str) -> Result<(), ValidationError> {
    check(Username::parse(text))
}
fn email(text: &str) -> Result<(), ValidationError> {
    check(Email::parse(text))
}
fn role(text: &str) -> Result<(), ValidationError> {
    text_form::<Role>(text)
}
fn verdict(text: &str) -> Result<(), ValidationError> {
    text_form::<Verdict>(text)
}
fn review_reason(text: &str) -> Result<(), ValidationError> {
    check(ReviewReason::parse(text))
}

/// A money amount as it arrives: `{"amount": "1500000.00", "currency": "USD"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct MoneyInput {
    /// A decimal number, as a string so that no float ever holds it.
    #[validate(custom(function = "amount"))]
    pub amount: String,
    /// An ISO 4217 code.
    #[validate(custom(function = "currency"))]
    pub currency: String,
}

impl MoneyInput {
    /// The validated amount.
    pub fn parse(&self) -> Result<Money, InputError> {
        self.validate()?;
        parsed("amount", Money::parse(&self.amount, &self.currency))
    }
}

/// An investor profile as it arrives; every part optional. The jurisdictions' own facts
/// (`reg_d`, `sebi`, `classification`) need `assessed_on`, the date they are assessed at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "facts::dated"))]
pub struct InvestorInput {
    /// Net worth.
    #[serde(default)]
    #[validate(nested)]
    pub net_worth: Option<MoneyInput>,
    /// Annual income.
    #[serde(default)]
    #[validate(nested)]
    pub annual_income: Option<MoneyInput>,
    /// Total assets.
    #[serde(default)]
    #[validate(nested)]
    pub total_assets: Option<MoneyInput>,
    /// Whether a third party verified accreditation.
    #[serde(default)]
    pub accreditation_verified: bool,
    /// The date the facts are assessed at, `YYYY-MM-DD` (the time of the sale or of
    /// onboarding); required with `reg_d`, `sebi` or `classification`.
    #[serde(default)]
    #[validate(custom(function = "date"))]
    pub assessed_on: Option<String>,
    /// US: the facts of 17 CFR 230.501(a) and their verification.
    #[serde(default)]
    #[validate(nested)]
    pub reg_d: Option<RegDInput>,
    /// IN: SEBI's accredited-investor facts and the agency's certificate.
    #[serde(default)]
    #[validate(nested)]
    pub sebi: Option<SebiInput>,
    /// AE: the investor's classification under the DFSA's or VARA's rules.
    #[serde(default)]
    #[validate(nested)]
    pub classification: Option<ClassificationInput>,
}

impl InvestorInput {
    /// The validated profile.
    pub fn parse(&self) -> Result<InvestorProfile, InputError> {
        self.validate()?;
        let amount = |m: &Option<MoneyInput>| m.as_ref().map(MoneyInput::parse).transpose();
        Ok(InvestorProfile {
            net_worth: amount(&self.net_worth)?,
            annual_income: amount(&self.annual_income)?,
            total_assets: amount(&self.total_assets)?,
            accreditation_verified: self.accreditation_verified,
            assessed_on: self
                .assessed_on
                .as_deref()
                .map(|d| parsed("assessed_on", parse_date(d)))
                .transpose()?,
            reg_d: self.reg_d.as_ref().map(RegDInput::parse).transpose()?,
            sebi: self.sebi.as_ref().map(SebiInput::parse).transpose()?,
            classification: self
                .classification
                .as_ref()
                .map(ClassificationInput::parse)
                .transpose()?,
        })
    }
}

/// A KYC result as it arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "facts::fit_the_investor"))]
pub struct KycInput {
    /// E.g. `ae-ind-clean-001`.
    #[validate(custom(function = "entity_id"))]
    pub entity_id: String,
    /// `individual`, `corporate` or `fund`.
    #[validate(custom(function = "entity_type"))]
    pub entity_type: String,
    /// `AE`, `IN` or `US`.
    #[validate(custom(function = "jurisdiction"))]
    pub jurisdiction: String,
    /// 0 to 100.
    #[validate(custom(function = "verification_score"))]
    pub verification_score: i64,
    /// Verified documents, by kind (`passport`, `proof_of_address`, ...); at most 32.
    #[validate(length(max = 32), custom(function = "documents"))]
    pub documents: Vec<String>,
    /// Red flags (`adverse_media`, ...); at most 16.
    #[serde(default)]
    #[validate(length(max = 16), custom(function = "red_flags"))]
    pub red_flags: Vec<String>,
    /// The investor's figures.
    #[serde(default)]
    #[validate(nested)]
    pub investor: InvestorInput,
}

impl KycInput {
    /// The validated KYC check.
    pub fn parse(&self) -> Result<KycCheck, InputError> {
        self.validate()?;
        Ok(KycCheck {
            entity_id: parsed("entity_id", EntityId::parse(&self.entity_id))?,
            entity_type: parsed("entity_type", self.entity_type.parse())?,
            jurisdiction: parsed("jurisdiction", self.jurisdiction.parse())?,
            verification_score: parsed(
                "verification_score",
                VerificationScore::new(self.verification_score),
            )?,
            documents: parsed("documents", parse_all(&self.documents))?,
            red_flags: parsed("red_flags", parse_all(&self.red_flags))?,
            investor: self.investor.parse()?,
        })
    }
}

fn parse_all<T: TextForm + Ord, C: FromIterator<T>>(
    texts: &[String],
) -> Result<C, crate::UnknownVariant> {
    texts.iter().map(|t| T::parse_text(t)).collect()
}

/// A watchlist match as it arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct MatchInput {
    /// `sanctions`, `pep` or `adverse_media`.
    #[validate(custom(function = "watchlist_kind"))]
    pub kind: String,
    /// The list, e.g. `OFAC-SDN`.
    #[validate(custom(function = "list_name"))]
    pub list: String,
    /// The entry's reference on that list.
    #[validate(custom(function = "list_entry"))]
    pub entry: String,
}

impl MatchInput {
    /// The validated match.
    pub fn parse(&self) -> Result<WatchlistMatch, InputError> {
        self.validate()?;
        Ok(WatchlistMatch {
            kind: parsed("kind", self.kind.parse())?,
            list: parsed("list", ListName::parse(&self.list))?,
            entry: parsed("entry", ListEntryRef::parse(&self.entry))?,
            score: None,
        })
    }
}

/// An AML screening as it arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct AmlInput {
    /// 0 to 100.
    #[validate(custom(function = "risk_score"))]
    pub risk_score: i64,
    /// Every entry matched; at most 100.
    #[serde(default)]
    #[validate(length(max = 100), nested)]
    pub matches: Vec<MatchInput>,
    /// Who screened.
    #[validate(custom(function = "provider"))]
    pub provider: String,
    /// The version of the lists screened against.
    #[validate(custom(function = "watchlist_version"))]
    pub watchlist_version: String,
}

impl AmlInput {
    /// The validated screening.
    pub fn parse(&self) -> Result<AmlScreening, InputError> {
        self.validate()?;
        Ok(AmlScreening {
            risk_score: parsed("risk_score", RiskScore::new(self.risk_score))?,
            matches: self
                .matches
                .iter()
                .map(MatchInput::parse)
                .collect::<Result<_, _>>()?,
            provider: parsed("provider", ScreeningProvider::parse(&self.provider))?,
            watchlist_version: parsed(
                "watchlist_version",
                WatchlistVersion::parse(&self.watchlist_version),
            )?,
        })
    }
}

/// A case as it arrives: a KYC result and an AML screening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// The KYC result.
    #[validate(nested)]
    pub kyc: KycInput,
    /// An outside provider's AML screening; without one, the `subject` is screened here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub aml: Option<AmlInput>,
    /// What screening needs about the entity (names, birth, countries, identifiers, wallets):
    /// kept outside the hash chain for this and later screenings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub subject: Option<SubjectInput>,
}

/// A submission as checked: the KYC result, a provider's screening, a subject, at least one of
/// the last two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRequest {
    /// The KYC result.
    pub kyc: KycCheck,
    /// A provider's screening.
    pub aml: Option<AmlScreening>,
    /// The subject to screen (and keep).
    pub subject: Option<Subject>,
}

impl CaseInput {
    /// The validated case, or every field that failed; a provider's screening is required (see
    /// [`CaseInput::parse_request`] for a subject screened here).
    pub fn parse(&self) -> Result<Case, InputError> {
        let request = self.parse_request()?;
        match request.aml {
            Some(aml) => Ok(Case {
                kyc: request.kyc,
                aml,
            }),
            None => Err(InputError::field(
                "aml",
                "required: this entry point takes a provider's screening",
            )),
        }
    }

    /// The validated request, or every field that failed: `aml`, `subject` or both.
    pub fn parse_request(&self) -> Result<CaseRequest, InputError> {
        self.validate()?;
        if self.aml.is_none() && self.subject.is_none() {
            return Err(InputError::field(
                "aml",
                "required unless a subject is given for this service to screen",
            ));
        }
        Ok(CaseRequest {
            kyc: self.kyc.parse()?,
            aml: self.aml.as_ref().map(AmlInput::parse).transpose()?,
            subject: self.subject.as_ref().map(SubjectInput::parse).transpose()?,
        })
    }
}

/// A reviewer's decision as it arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// `approve`, `waive` or `reject`.
    #[validate(custom(function = "verdict"))]
    pub verdict: String,
    /// Why.
    #[validate(custom(function = "review_reason"))]
    pub reason: String,
}

impl ReviewInput {
    /// The validated verdict and reason.
    pub fn parse(&self) -> Result<(Verdict, ReviewReason), InputError> {
        self.validate()?;
        Ok((
            parsed("verdict", self.verdict.parse())?,
            parsed("reason", ReviewReason::parse(&self.reason))?,
        ))
    }
}

/// A new user as it arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    /// The login name.
    #[validate(custom(function = "username"))]
    pub username: String,
    /// The e-mail address.
    #[validate(custom(function = "email"))]
    pub email: String,
    /// `admin`, `compliance_officer`, `analyst` or `system`.
    #[validate(custom(function = "role"))]
    pub role: String,
}

/// A validated new user, before the database gives it an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// The login name.
    pub username: Username,
    /// The e-mail address.
    pub email: Email,
    /// The role.
    pub role: Role,
}

impl UserInput {
    /// The validated user.
    pub fn parse(&self) -> Result<NewUser, InputError> {
        self.validate()?;
        Ok(NewUser {
            username: parsed("username", Username::parse(&self.username))?,
            email: parsed("email", Email::parse(&self.email))?,
            role: parsed("role", self.role.parse())?,
        })
    }
}

/// A status as it arrives (a query filter, say).
pub fn parse_status(text: &str) -> Result<CheckStatus, InputError> {
    parsed("status", text.parse())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case_json() -> serde_json::Value {
        serde_json::json!({
            "kyc": {
                "entity_id": "us-ind-standard-002", "entity_type": "individual", "jurisdiction": "US",
                "verification_score": 90, "documents": ["passport", "proof_of_address"], "red_flags": [],
                "investor": {"net_worth": {"amount": "1500000.00", "currency": "USD"}, "accreditation_verified": true}
            },
            "aml": {"risk_score": 25, "matches": [], "provider": "refinitiv-world-check", "watchlist_version": "ofac-2026-11-20"}
        })
    }

    fn parse(json: serde_json::Value) -> Result<Case, InputError> {
        serde_json::from_value::<CaseInput>(json).unwrap().parse()
    }

    #[test]
    fn a_valid_case_becomes_a_domain_value() {
        let case = parse(case_json()).unwrap();
        assert_eq!(case.kyc.jurisdiction, Jurisdiction::Us);
        assert_eq!(
            case.kyc.investor.net_worth,
            Some(Money::parse("1500000", "USD").unwrap())
        );
        assert_eq!(case.aml.risk_score.value(), 25);
    }

    #[test]
    fn every_bad_field_is_reported_with_its_path() {
        let mut json = case_json();
        json["kyc"]["entity_type"] = "person".into();
        json["kyc"]["documents"] = serde_json::json!(["passport", "selfie"]);
        json["kyc"]["investor"]["net_worth"]["currency"] = "usd".into();
        json["aml"]["risk_score"] = (-1).into();
        json["aml"]["matches"] =
            serde_json::json!([{"kind": "sanctions", "list": "OFAC SDN", "entry": "SDN-1"}]);
        let err = parse(json).unwrap_err();
        let paths: Vec<_> = err.fields.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "aml.matches[0].list",
                "aml.risk_score",
                "kyc.documents",
                "kyc.entity_type",
                "kyc.investor.net_worth.currency",
            ]
        );
        assert!(
            err.to_string().contains(r#"invalid entity type "person""#),
            "{err}"
        );
    }

    #[test]
    fn errors_never_repeat_an_amount_or_an_email() {
        let mut json = case_json();
        json["kyc"]["investor"]["net_worth"]["amount"] = "-98765.43".into();
        let err = parse(json).unwrap_err();
        assert_eq!(err.fields[0].path, "kyc.investor.net_worth.amount");
        assert!(!err.to_string().contains("98765"), "{err}");
        let user = UserInput {
            username: "analyst".into(),
            email: "jane.doe.at.example".into(),
            role: "analyst".into(),
        };
        let err = user.parse().unwrap_err();
        assert!(!err.to_string().contains("jane"), "{err}");
    }

    #[test]
    fn unknown_fields_are_refused() {
        let mut json = case_json();
        json["kyc"]["full_name"] = "Jane Doe".into();
        assert!(serde_json::from_value::<CaseInput>(json).is_err());
    }

    #[test]
    fn too_many_documents_are_refused() {
        let mut json = case_json();
        json["kyc"]["documents"] = serde_json::json!(vec!["passport"; 33]);
        let err = parse(json).unwrap_err();
        assert_eq!(err.fields[0].path, "kyc.documents");
    }

    #[test]
    fn reviews_and_users() {
        let review = ReviewInput {
            verdict: "approve".into(),
            reason: "EDD complete".into(),
        };
        assert_eq!(review.parse().unwrap().0, Verdict::Approve);
        let bad = ReviewInput {
            verdict: "maybe".into(),
            reason: " ".into(),
        };
        assert_eq!(bad.parse().unwrap_err().fields.len(), 2);
        assert_eq!(parse_status("PENDING").unwrap(), CheckStatus::Pending);
        assert!(parse_status("pending").is_err());
    }
}
