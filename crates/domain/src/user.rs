//! The people and systems that submit and review cases, and what each role may do.
//!
//! Must not: print a user's e-mail address. `Debug` and `Display` show the id and role only,
//! because users end up in logs.

use std::fmt;
use validator::ValidateEmail;

/// A user's id (a UUID): what logs and audit rows carry instead of a name.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct UserId(uuid::Uuid);

impl UserId {
    /// Wraps a UUID.
    pub fn from_uuid(id: uuid::Uuid) -> Self {
        Self(id)
    }

    /// The UUID.
    pub fn as_uuid(self) -> uuid::Uuid {
        self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

crate::text_enum! {
    /// What a user may do.
    #[strum(serialize_all = "snake_case")]
    pub enum Role as "role" {
        /// Administers the platform; may decide what a compliance officer may.
        Admin,
        /// Owns compliance decisions: decides pending and escalated cases, and may revoke an approval.
        ComplianceOfficer,
        /// Works the review queue; may decide PENDING cases, not escalations.
        Analyst,
        /// The automated agent that submits cases and records the engine's decisions; never reviews.
        System,
    }
}

impl Role {
    /// True for the roles a person holds (everything but `system`).
    pub fn is_human(self) -> bool {
        self != Role::System
    }

    /// True when this role may decide, by hand, a case that has this status: analysts the
    /// PENDING queue; admins and compliance officers also ESCALATED cases and the revocation of
    /// an APPROVED one. Nobody decides a REJECTED case, and the system agent decides nothing by
    /// hand.
    pub fn may_review(self, status: crate::CheckStatus) -> bool {
        use crate::CheckStatus::{Approved, Escalated, Pending};
        matches!(
            (self, status),
            (
                Role::Admin | Role::ComplianceOfficer,
                Pending | Escalated | Approved
            ) | (Role::Analyst, Pending)
        )
    }
}

impl Role {
    /// True when this role may clear a list match as a false positive (propose or confirm): the
    /// roles that decide escalations, admins and compliance officers.
    pub fn may_clear_matches(self) -> bool {
        self.may(Permission::ClearMatches)
    }

    /// The role table: whether this role may do `what` at all (a review is further held to
    /// [`Role::may_review`] by the case's status, and every decision to four eyes).
    pub fn may(self, what: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => !matches!(what, SubmitCases | RescreenEntities),
            Role::ComplianceOfficer => !matches!(
                what,
                SubmitCases
                    | RescreenEntities
                    | ManageUsers
                    | ManageTokens
                    | ImportWatchlists
                    | ManageEndpoints
                    | WatchWallets
            ),
            Role::Analyst => matches!(
                what,
                ReadCases
                    | ReadCaseDetail
                    | ReadAudit
                    | ReadReports
                    | ReadRules
                    | ReviewCases
                    | ClaimCases
                    | NoteCases
                    | RequestInformation
                    | RecordAnswers
                    | ScreenSubjects
                    | ReadWatchlists
                    | ReadWallets
            ),
            Role::System => matches!(
                what,
                SubmitCases
                    | RescreenEntities
                    | ReadCases
                    | ReadRules
                    | ScreenSubjects
                    | ReadWatchlists
                    | WatchWallets
                    | ReadWallets
                    | RecordAnswers
                    | RecordOwners
            ),
        }
    }
}

/// What an operation asks of its caller's role ([`Role::may`] is the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumIter, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Permission {
    /// Submit a case (its KYC result and first screening): the system agent.
    SubmitCases,
    /// Re-screen an entity's current case: the system agent.
    RescreenEntities,
    /// Read cases as records (ids, codes, statuses, the engine's reasons; no personal data).
    ReadCases,
    /// Read everything a case rests on, reviewers' notes included: people who review.
    ReadCaseDetail,
    /// Read an entity's audit entries.
    ReadAudit,
    /// Read the queue and the reports.
    ReadReports,
    /// Read the rules in force.
    ReadRules,
    /// Decide a case by hand (further held to the case's status and to four eyes).
    ReviewCases,
    /// Propose or confirm a matched list entry as a false positive.
    ClearMatches,
    /// Erase an entity's review notes (an erasure request).
    EraseNotes,
    /// Publish and close rule versions, and publish service-level targets (policy, as rules
    /// are).
    PublishRules,
    /// Create and revoke API tokens of other users.
    ManageTokens,
    /// Create, deactivate and set the passwords of users.
    ManageUsers,
    /// Import a watchlist version (and force one past the entry-count guard): admins.
    ImportWatchlists,
    /// Read the watchlist versions imported (lists, labels, counts; public data).
    ReadWatchlists,
    /// Screen a subject ad hoc, writing nothing (a pre-check).
    ScreenSubjects,
    /// Read an entity's screening subject and its matches explained (personal data): the roles
    /// that decide escalations.
    ReadSubjects,
    /// Erase an entity's screening subject once the records need no longer be kept.
    EraseSubjects,
    /// Create, change and deactivate the endpoints events are delivered to, rotate their
    /// signing secrets, and replay deliveries: admins.
    ManageEndpoints,
    /// Read the endpoints (never their secrets) and what was delivered to them: admins and
    /// officers.
    ReadDeliveries,
    /// Watch an entity's wallet and record the transactions seen on it (each counterparty
    /// screened): the system agent, which ingests them, and admins.
    WatchWallets,
    /// Read the wallets watched for an entity: every role.
    ReadWallets,
    /// Claim a case in the review queue, or release one's own: people who review.
    ClaimCases,
    /// Assign a case to a reviewer, reassign or release anyone's: admins and compliance
    /// officers.
    AssignCases,
    /// Write a note on a case without deciding it: people who review.
    NoteCases,
    /// Ask the customer for information a case waits on, and withdraw the request: people who
    /// review.
    RequestInformation,
    /// Record that a request for information was answered: people who review, and the system
    /// agent, which relays the onboarding service.
    RecordAnswers,
    /// Record a beneficial owner of a corporate or a fund (an entity of its own, with its
    /// share): the system agent, which relays the onboarding service's ownership declaration,
    /// and the roles that decide escalations, admins and compliance officers (an analyst
    /// decides PENDING cases only, and ownership is what escalations turn on).
    RecordOwners,
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.into())
    }
}

/// Why a text is not a username or an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    /// Not 3 to 32 characters of `a-z`, `0-9`, `.`, `_`, `-`, starting with a letter.
    #[error(
        "username must be 3 to 32 characters of a-z, 0-9, '.', '_' or '-', starting with a letter"
    )]
    Username,
    /// Not an e-mail address (the address itself is not repeated: it is personal data).
    #[error("e-mail address is not valid")]
    Email,
}

/// A login name, e.g. `compliance.officer`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

impl Username {
    /// Parses a username.
    pub fn parse(text: &str) -> Result<Self, UserError> {
        let bytes = text.as_bytes();
        let ok = (3..=32).contains(&bytes.len())
            && bytes[0].is_ascii_lowercase()
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(b));
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(UserError::Username)
        }
    }

    /// The username.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Username {
    type Error = UserError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<Username> for String {
    fn from(name: Username) -> Self {
        name.0
    }
}

/// An e-mail address: HTML5 rules as `validator` checks them, ASCII only and without IP
/// literals (staff addresses; the database's CHECK is the same rule as a regular expression).
/// Personal data: `Debug` hides it.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Parses an address of at most 254 characters.
    pub fn parse(text: &str) -> Result<Self, UserError> {
        if text.len() <= 254 && text.is_ascii() && !text.contains('[') && text.validate_email() {
            Ok(Self(text.to_owned()))
        } else {
            Err(UserError::Email)
        }
    }

    /// The address, for the places that must send to it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Email(<redacted>)")
    }
}

impl TryFrom<String> for Email {
    type Error = UserError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> Self {
        email.0
    }
}

/// A user of the platform.
///
/// ```
/// use compliance_domain::*;
/// let officer = User {
///     id: UserId::from_uuid(uuid::Uuid::nil()),
///     username: Username::parse("compliance.officer")?,
///     email: Email::parse("officer@example.com")?,
///     role: Role::ComplianceOfficer,
///     active: true,
/// };
/// assert!(!format!("{officer:?}").contains("example.com"));
/// assert!(Reviewer::try_from(&officer).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct User {
    /// The id.
    pub id: UserId,
    /// The login name.
    pub username: Username,
    /// The e-mail address.
    pub email: Email,
    /// What the user may do.
    pub role: Role,
    /// False once the user has left: an inactive user decides nothing.
    pub active: bool,
}

/// A user who may review cases: active and human. Built only from such a [`User`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reviewer {
    id: UserId,
    role: Role,
}

/// Why a user may not review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotAReviewer {
    /// The user is deactivated.
    #[error("user {0} is inactive and may not review cases")]
    Inactive(UserId),
    /// The user is the automated agent.
    #[error("user {0} is the system agent; only a person may review cases")]
    System(UserId),
}

impl TryFrom<&User> for Reviewer {
    type Error = NotAReviewer;
    fn try_from(user: &User) -> Result<Self, Self::Error> {
        if !user.active {
            Err(NotAReviewer::Inactive(user.id))
        } else if !user.role.is_human() {
            Err(NotAReviewer::System(user.id))
        } else {
            Ok(Self {
                id: user.id,
                role: user.role,
            })
        }
    }
}

impl Reviewer {
    /// The reviewer's user id.
    pub fn id(&self) -> UserId {
        self.id
    }

    /// The reviewer's role.
    pub fn role(&self) -> Role {
        self.role
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CheckStatus;

    #[test]
    fn usernames() {
        for ok in ["admin", "compliance.officer", "kyc_agent-2"] {
            assert!(Username::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["ad", "Admin", "1admin", "ad min", &"a".repeat(33)] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_are_checked_and_never_echoed() {
        assert!(Email::parse("a.b@example.ae").is_ok());
        assert!(
            Email::parse("a@bücher.de").is_err(),
            "no IDN: the database's rule is ASCII"
        );
        assert!(Email::parse("a@[127.0.0.1]").is_err(), "no IP literal");
        let err = Email::parse("not-an-address").unwrap_err();
        assert!(!err.to_string().contains("not-an-address"));
        assert_eq!(
            format!("{:?}", Email::parse("a@b.co").unwrap()),
            "Email(<redacted>)"
        );
    }

    #[test]
    fn review_permissions() {
        use CheckStatus::*;
        assert!(Role::Analyst.may_review(Pending));
        assert!(!Role::Analyst.may_review(Escalated));
        assert!(Role::ComplianceOfficer.may_review(Escalated));
        assert!(Role::Admin.may_review(Pending));
        assert!(Role::ComplianceOfficer.may_review(Approved));
        assert!(!Role::Analyst.may_review(Approved));
        for status in [Approved, Pending, Escalated, Rejected] {
            assert!(!Role::System.may_review(status));
        }
        for role in [Role::Admin, Role::ComplianceOfficer, Role::Analyst] {
            assert!(!role.may_review(Rejected));
        }
    }

    #[test]
    fn reviewers_are_active_humans() {
        let mut user = User {
            id: UserId::from_uuid(uuid::Uuid::from_u128(7)),
            username: Username::parse("agent").unwrap(),
            email: Email::parse("agent@example.com").unwrap(),
            role: Role::System,
            active: true,
        };
        assert_eq!(
            Reviewer::try_from(&user),
            Err(NotAReviewer::System(user.id))
        );
        user.role = Role::Analyst;
        user.active = false;
        assert_eq!(
            Reviewer::try_from(&user),
            Err(NotAReviewer::Inactive(user.id))
        );
        user.active = true;
        assert_eq!(Reviewer::try_from(&user).unwrap().role(), Role::Analyst);
    }

    /// The role table, written out: a change to it is a change to this test.
    #[test]
    fn the_role_table() {
        use strum::IntoEnumIterator;
        let allowed = |role: Role| -> Vec<&'static str> {
            Permission::iter()
                .filter(|p| role.may(*p))
                .map(<&'static str>::from)
                .collect()
        };
        assert_eq!(
            allowed(Role::System),
            [
                "submit_cases",
                "rescreen_entities",
                "read_cases",
                "read_rules",
                "read_watchlists",
                "screen_subjects",
                "watch_wallets",
                "read_wallets",
                "record_answers",
                "record_owners"
            ]
        );
        assert_eq!(
            allowed(Role::Analyst),
            [
                "read_cases",
                "read_case_detail",
                "read_audit",
                "read_reports",
                "read_rules",
                "review_cases",
                "read_watchlists",
                "screen_subjects",
                "read_wallets",
                "claim_cases",
                "note_cases",
                "request_information",
                "record_answers"
            ]
        );
        let officer = allowed(Role::ComplianceOfficer);
        assert!(officer.contains(&"claim_cases") && officer.contains(&"assign_cases"));
        assert!(officer.contains(&"clear_matches") && officer.contains(&"publish_rules"));
        // Subjects are personal data: the roles that decide escalations read and erase them;
        // only an admin imports a list version.
        for role in [Role::ComplianceOfficer, Role::Admin] {
            assert!(role.may(Permission::ReadSubjects) && role.may(Permission::EraseSubjects));
        }
        for role in [Role::Analyst, Role::System] {
            assert!(!role.may(Permission::ReadSubjects) && !role.may(Permission::EraseSubjects));
        }
        assert!(!officer.contains(&"import_watchlists"));
        // Where events go is an admin's; what went out, an officer may see.
        assert!(!officer.contains(&"manage_endpoints") && officer.contains(&"read_deliveries"));
        assert!(allowed(Role::Admin).contains(&"manage_endpoints"));
        assert!(allowed(Role::Admin).contains(&"import_watchlists"));
        // Wallets are watched and their transactions recorded by the ingesting agent or an
        // admin; an officer reads them.
        assert!(allowed(Role::Admin).contains(&"watch_wallets"));
        assert!(!officer.contains(&"watch_wallets") && officer.contains(&"read_wallets"));
        assert!(!officer.contains(&"manage_tokens") && !officer.contains(&"submit_cases"));
        // Beneficial owners: the onboarding service's agent and the roles that decide
        // escalations record them; an analyst does not.
        assert!(
            officer.contains(&"record_owners") && allowed(Role::Admin).contains(&"record_owners")
        );
        assert!(!allowed(Role::Analyst).contains(&"record_owners"));
        let admin = allowed(Role::Admin);
        assert!(admin.contains(&"manage_users") && admin.contains(&"manage_tokens"));
        assert!(!admin.contains(&"submit_cases") && !admin.contains(&"rescreen_entities"));
        for role in <Role as strum::VariantArray>::VARIANTS.iter().copied() {
            assert_eq!(role.may_clear_matches(), role.may(Permission::ClearMatches));
            // Only people read what reviewers wrote.
            assert_eq!(role.may(Permission::ReadCaseDetail), role.is_human());
        }
    }
}
