#![doc = include_str!("../README.md")]

mod address;
mod aml;
mod api_token;
mod assignment;
mod audit;
pub mod blockchain;
mod case;
mod classification;
mod decision;
mod endpoint;
mod entity;
mod event;
mod evidence;
mod false_positive;
mod information_request;
pub mod input;
mod jurisdiction;
mod kyc;
mod match_score;
mod money;
mod money_text;
mod ownership;
mod password;
mod reg_d;
mod review;
mod risk;
mod score;
mod sebi;
mod signals;
mod status;
mod subject;
mod text;
mod token;
mod user;

pub use address::{AddressClass, classify, is_loopback_name};
pub use aml::{AmlScreening, WatchlistKind, WatchlistMatch};
pub use api_token::{TokenName, TokenNameError};
pub use assignment::{
    AssignmentAction, AssignmentChange, AssignmentError, AssignmentRequest, act_on_assigned,
    plan_assignment,
};
pub use audit::{AuditAction, AuditError, AuditEvent, SubjectKind};
pub use case::{Case, CaseId, CaseIdError};
pub use classification::{ClientClass, ClientClassification, InstitutionalCategory, Regime};
pub use decision::{Decision, Reason, RuleCode, RuleRef, RuleRefError, RuleVersion, Stage};
pub use endpoint::{EndpointUrl, EndpointUrlError, SubjectPrefix, SubjectPrefixError};
pub use entity::{EntityId, EntityIdError, EntityType};
pub use event::{DeliveryState, EndpointKind, EventType};
pub use evidence::{CrdNumber, EvidenceError, EvidenceRef};
pub use false_positive::{
    Disposition, DispositionError, DispositionStep, plan_false_positive, without_false_positives,
};
pub use information_request::{
    Addressee, InformationAsk, RequestError, RequestOutcome, RequestedItem, plan_closing,
    plan_request,
};
pub use jurisdiction::Jurisdiction;
pub use kyc::{DocumentKind, InvestorProfile, KycCheck, RedFlag};
pub use match_score::{MatchScore, MatchScoreError};
pub use money::{Currency, Money, MoneyError};
pub use money_text::{Grouping, amounts_for_reading, group_digits};
pub use ownership::{OwnershipError, OwnershipShare, ShareError, plan_owner};
pub use password::{Password, PasswordError};
pub use reg_d::{
    Basis, Certification, CertificationKind, EntityCategory, IncomeRecord, IssuerRole,
    NetWorthRecord, PrimaryResidence, RegDEntity, RegDFacts, Verification, VerificationMethod,
    Verifier,
};
pub use review::{ReviewError, ReviewReason, ReviewReasonError, ReviewStep, Verdict, plan_review};
pub use risk::RiskLevel;
pub use score::{RiskScore, ScoreError, VerificationScore};
pub use sebi::{
    AccreditationCertificate, NetWorth, SebiDeemed, SebiError, SebiFacts, SebiInvestorClass,
};
pub use signals::Signals;
pub use status::{CheckStatus, TRANSITIONS, Transition, TransitionError, Trigger};
pub use subject::{Identifier, IdentifierKind, Subject, SubjectError};
pub use text::{TextForm, UnknownVariant};
pub use token::{
    IdempotencyKey, ListEntryRef, ListName, ScreeningProvider, TokenError, WatchlistVersion,
};
pub use user::{
    Email, NotAReviewer, Permission, Reviewer, Role, User, UserError, UserId, Username,
};

pub use chrono::NaiveDate;
/// Re-exported so that callers name the same versions the domain types use.
pub use rust_decimal::Decimal;
pub use uuid::Uuid;
