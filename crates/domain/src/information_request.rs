//! Requests for information: a reviewer asks the customer (or whoever acts for them) for
//! documents or facts a case waits on; later someone records that they answered, or the
//! reviewer withdraws the request. A request moves nothing by itself: the case keeps its status,
//! and shows as waiting on the customer, with its own clock, until the request is closed.
//!
//! Must not: decide a case, or carry the words sent with a request (a review note holds those:
//! erasable, outside the chain and every event).

use crate::{CheckStatus, ReviewReason, Role};

crate::text_enum! {
    /// A kind of document or fact asked for.
    #[strum(serialize_all = "snake_case")]
    pub enum RequestedItem as "requested item" {
        /// A passport, national identity card or similar.
        IdentityDocument,
        /// A recent utility bill, bank statement or similar.
        ProofOfAddress,
        /// Where the money invested comes from.
        SourceOfFunds,
        /// How the investor's wealth was built.
        SourceOfWealth,
        /// Evidence of accredited or professional status (Reg D verification, a SEBI
        /// certificate, a DFSA/VARA classification).
        AccreditationEvidence,
        /// A corporate's beneficial owners and control structure.
        BeneficialOwnership,
        /// Tax residency (self-certification, a TIN).
        TaxResidency,
        /// Something else, said in the request's message.
        Other,
    }
}

crate::text_enum! {
    /// Of whom the information is asked.
    #[strum(serialize_all = "snake_case")]
    pub enum Addressee as "addressee" {
        /// The investor.
        Investor,
        /// Their authorised representative.
        Representative,
        /// The introducer (distributor, adviser) who brought them.
        Introducer,
    }
}

crate::text_enum! {
    /// How a request ended.
    #[strum(serialize_all = "snake_case")]
    pub enum RequestOutcome as "request outcome" {
        /// The customer answered (a reviewer, or the onboarding service through the system
        /// agent, says so).
        Answered,
        /// A reviewer no longer needs it.
        Withdrawn,
    }
}

impl From<RequestOutcome> for crate::AuditAction {
    fn from(outcome: RequestOutcome) -> Self {
        match outcome {
            RequestOutcome::Answered => Self::InformationAnswered,
            RequestOutcome::Withdrawn => Self::InformationWithdrawn,
        }
    }
}

/// Why a request, or its closing, is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// Nothing asked for.
    #[error("a request asks for at least one item")]
    NoItems,
    /// More items than a request holds.
    #[error("a request asks for at most {max} items", max = InformationAsk::MAX_ITEMS)]
    TooManyItems,
    /// `other` asked for with no message saying what.
    #[error("a request for `other` says what in its message")]
    OtherWithoutMessage,
    /// The time to respond is out of range.
    #[error(
        "the time to respond is {days} days; it is 1 to {max} days",
        max = InformationAsk::MAX_DAYS
    )]
    Days {
        /// What was asked.
        days: i64,
    },
    /// Only a case waiting for a review is the subject of a request.
    #[error(
        "the case is {status}: information is requested only for a case waiting for a review (PENDING or ESCALATED)"
    )]
    NotWaiting {
        /// Its status.
        status: CheckStatus,
    },
    /// The request was closed already.
    #[error("the request was {outcome} already; ask again if more is needed")]
    Closed {
        /// How it ended.
        outcome: RequestOutcome,
    },
    /// This role may not close a request that way.
    #[error("a {role} may not record a request as {outcome}")]
    MayNotClose {
        /// The caller's role.
        role: Role,
        /// What was asked.
        outcome: RequestOutcome,
    },
}

/// What a reviewer asks: of whom, what, within how many days, and optionally in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InformationAsk {
    addressee: Addressee,
    items: Vec<RequestedItem>,
    respond_within_days: u8,
    message: Option<ReviewReason>,
}

impl InformationAsk {
    /// The most items one request names (every kind once; a longer list is refused even when
    /// it repeats kinds).
    pub const MAX_ITEMS: usize = 8;
    /// The longest time to respond, in days.
    pub const MAX_DAYS: i64 = 90;

    /// A request; the items are kept once each, in their canonical order.
    pub fn new(
        addressee: Addressee,
        items: impl IntoIterator<Item = RequestedItem>,
        respond_within_days: i64,
        message: Option<ReviewReason>,
    ) -> Result<Self, RequestError> {
        let mut items: Vec<RequestedItem> = items.into_iter().collect();
        if items.len() > Self::MAX_ITEMS {
            return Err(RequestError::TooManyItems);
        }
        items.sort_unstable();
        items.dedup();
        if items.is_empty() {
            return Err(RequestError::NoItems);
        }
        if items.contains(&RequestedItem::Other) && message.is_none() {
            return Err(RequestError::OtherWithoutMessage);
        }
        let days = u8::try_from(respond_within_days)
            .ok()
            .filter(|d| (1..=Self::MAX_DAYS).contains(&i64::from(*d)))
            .ok_or(RequestError::Days {
                days: respond_within_days,
            })?;
        Ok(Self {
            addressee,
            items,
            respond_within_days: days,
            message,
        })
    }

    /// Of whom.
    pub fn addressee(&self) -> Addressee {
        self.addressee
    }

    /// What, once each, in canonical order.
    pub fn items(&self) -> &[RequestedItem] {
        &self.items
    }

    /// Within how many days (1 to 90).
    pub fn respond_within_days(&self) -> u8 {
        self.respond_within_days
    }

    /// The words sent with it.
    pub fn message(&self) -> Option<&ReviewReason> {
        self.message.as_ref()
    }
}

/// Whether information may be requested on a case of this status (it must wait for a review).
pub fn plan_request(status: CheckStatus) -> Result<(), RequestError> {
    match status {
        CheckStatus::Pending | CheckStatus::Escalated => Ok(()),
        status => Err(RequestError::NotWaiting { status }),
    }
}

/// Whether `role` may close a request still `open` (its outcome so far) as `outcome`: a person
/// who reviews either way; the system agent, which relays the onboarding service, only records
/// an answer.
pub fn plan_closing(
    role: Role,
    open: Option<RequestOutcome>,
    outcome: RequestOutcome,
) -> Result<(), RequestError> {
    if let Some(outcome) = open {
        return Err(RequestError::Closed { outcome });
    }
    match (role, outcome) {
        (Role::Admin | Role::ComplianceOfficer | Role::Analyst, _)
        | (Role::System, RequestOutcome::Answered) => Ok(()),
        (role, outcome) => Err(RequestError::MayNotClose { role, outcome }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TextForm;
    use strum::VariantArray;

    fn words() -> Option<ReviewReason> {
        Some(ReviewReason::parse("the passport copy was unreadable").unwrap())
    }

    #[test]
    fn an_ask_keeps_each_item_once_in_order() {
        use RequestedItem::*;
        let ask = InformationAsk::new(
            Addressee::Investor,
            [SourceOfFunds, IdentityDocument, SourceOfFunds],
            14,
            None,
        )
        .unwrap();
        assert_eq!(ask.items(), &[IdentityDocument, SourceOfFunds]);
        assert_eq!(ask.respond_within_days(), 14);
        assert_eq!(ask.items()[0].as_str(), "identity_document");
    }

    #[test]
    fn an_ask_is_refused_when_it_says_nothing_or_waits_too_long() {
        use RequestedItem::*;
        let ask = |items: &[RequestedItem], days, message| {
            InformationAsk::new(Addressee::Investor, items.iter().copied(), days, message)
        };
        assert_eq!(ask(&[], 7, None), Err(RequestError::NoItems));
        assert_eq!(
            ask(&[Other], 7, None),
            Err(RequestError::OtherWithoutMessage)
        );
        assert!(ask(&[Other], 7, words()).is_ok());
        for days in [0, -1, 91, 256, i64::MAX, i64::MIN] {
            assert_eq!(
                ask(&[ProofOfAddress], days, None),
                Err(RequestError::Days { days })
            );
        }
        assert!(ask(&[ProofOfAddress], 1, None).is_ok());
        assert!(ask(&[ProofOfAddress], 90, None).is_ok());
        let many = vec![ProofOfAddress; 9];
        assert_eq!(ask(&many, 7, None), Err(RequestError::TooManyItems));
        assert_eq!(
            ask(RequestedItem::VARIANTS, 7, words())
                .unwrap()
                .items()
                .len(),
            8
        );
    }

    #[test]
    fn only_a_case_waiting_for_review_is_asked_about() {
        assert!(plan_request(CheckStatus::Pending).is_ok());
        assert!(plan_request(CheckStatus::Escalated).is_ok());
        for status in [CheckStatus::Approved, CheckStatus::Rejected] {
            assert_eq!(
                plan_request(status),
                Err(RequestError::NotWaiting { status })
            );
        }
    }

    #[test]
    fn the_agent_records_answers_and_only_people_withdraw() {
        use RequestOutcome::*;
        for role in [Role::Admin, Role::ComplianceOfficer, Role::Analyst] {
            assert!(plan_closing(role, None, Answered).is_ok());
            assert!(plan_closing(role, None, Withdrawn).is_ok());
        }
        assert!(plan_closing(Role::System, None, Answered).is_ok());
        assert_eq!(
            plan_closing(Role::System, None, Withdrawn),
            Err(RequestError::MayNotClose {
                role: Role::System,
                outcome: Withdrawn
            })
        );
        assert_eq!(
            plan_closing(Role::Admin, Some(Answered), Withdrawn),
            Err(RequestError::Closed { outcome: Answered })
        );
    }
}
