//! Manual review, with the four-eyes rule: clearing an escalated case takes two different people.
//!
//! Must not: decide on its own what the status table allows. Every step it plans is a
//! [`Transition`](crate::Transition) checked by [`CheckStatus::transition_to`].

use crate::{CheckStatus, Reviewer, Role, Transition, TransitionError, Trigger, UserId};

crate::text_enum! {
    /// What a reviewer wants for a case.
    #[strum(serialize_all = "snake_case")]
    pub enum Verdict as "verdict" {
        /// Let the investor proceed.
        Approve,
        /// Refuse the investor.
        Reject,
        /// Let the investor proceed although the engine still holds the case PENDING for
        /// missing evidence: an explicit exception, proposed by one reviewer with its reason and
        /// confirmed by a second, a compliance officer or an admin.
        Waive,
    }
}

/// Why a text is not a review reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReviewReasonError {
    /// Empty or blank.
    #[error("a review needs a reason: say why the case is approved or rejected")]
    Blank,
    /// Longer than [`ReviewReason::MAX_LEN`] characters.
    #[error("review reason is {len} characters long; at most {max} are kept", max = ReviewReason::MAX_LEN)]
    TooLong {
        /// The length given.
        len: usize,
    },
    /// A control character other than a line break or tab.
    #[error("review reason contains a control character")]
    ControlCharacter,
}

/// Why a reviewer decided as they did, in their words (trimmed, 1 to 2000 characters).
///
/// Stored with the decision; never written to logs, since a person may write anything in it.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReviewReason(String);

impl ReviewReason {
    /// The longest accepted reason, in characters.
    pub const MAX_LEN: usize = 2000;

    /// Parses a reason.
    pub fn parse(text: &str) -> Result<Self, ReviewReasonError> {
        let text = text.trim();
        let len = text.chars().count();
        if len == 0 {
            Err(ReviewReasonError::Blank)
        } else if len > Self::MAX_LEN {
            Err(ReviewReasonError::TooLong { len })
        } else if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            Err(ReviewReasonError::ControlCharacter)
        } else {
            Ok(Self(text.to_owned()))
        }
    }

    /// The reason.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ReviewReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReviewReason({} chars)", self.0.chars().count())
    }
}

impl TryFrom<String> for ReviewReason {
    type Error = ReviewReasonError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<ReviewReason> for String {
    fn from(reason: ReviewReason) -> Self {
        reason.0
    }
}

/// Why a review step is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    /// The case is not in the review queue.
    #[error(
        "the case is {status}, not awaiting review (only PENDING and ESCALATED cases are reviewed)"
    )]
    NotAwaitingReview {
        /// Its status.
        status: CheckStatus,
    },
    /// The reviewer's role may not decide cases of this status.
    #[error("a user with role {role} may not review a {status} case")]
    NotPermitted {
        /// The reviewer's role.
        role: Role,
        /// The case's status.
        status: CheckStatus,
    },
    /// A reviewer who may propose a waiver but not confirm one (an analyst) tried to confirm it.
    #[error(
        "a {role} may propose a waiver but not confirm one: a compliance officer or admin other than the proposer confirms it"
    )]
    WaiverNeedsOfficer {
        /// The reviewer's role.
        role: Role,
    },
    /// The reviewer who proposed the approval tried to confirm it too.
    #[error(
        "user {reviewer} proposed this approval and may not also confirm it: a second reviewer must"
    )]
    SameReviewer {
        /// The reviewer.
        reviewer: UserId,
    },
    /// An approval asked for while the engine's latest verdict (after any confirmed false
    /// positives) rejects the case.
    #[error(
        "the rules engine rejects this case: it can be approved only once every sanctions match is confirmed a false positive by two reviewers and no other rule rejects it"
    )]
    EngineRejects,
    /// An approval asked for while the engine holds the case PENDING: evidence it needs is
    /// missing. It comes with a new KYC result (a new submission for the entity, which the
    /// engine decides), or by an explicit waiver under four eyes.
    #[error(
        "the rules engine holds this case PENDING: evidence it needs is missing. Submit the new KYC result for the entity (the engine decides it), or waive the missing evidence under four eyes (verdict waive, with the reason)"
    )]
    EngineRequiresEvidence,
    /// A waiver asked for on a case the engine does not hold PENDING (nothing is missing to
    /// waive), or on a case that is not PENDING.
    #[error(
        "nothing to waive: a waiver is for a PENDING case the rules engine holds for missing evidence (this one is {status}, the engine says {engine})"
    )]
    NothingToWaive {
        /// The case's status.
        status: CheckStatus,
        /// The engine's verdict.
        engine: CheckStatus,
    },
    /// The status table refused the change.
    #[error(transparent)]
    Transition(#[from] TransitionError),
}

/// What a review does to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewStep {
    /// The status changes now.
    Decide(Transition),
    /// First pair of eyes on an escalated case: the approval is proposed, the status stays
    /// ESCALATED until a different reviewer confirms it.
    ProposeApproval,
    /// First pair of eyes on a waiver of missing evidence: proposed, the status stays PENDING
    /// until a compliance officer or admin other than the proposer confirms it.
    ProposeWaiver,
    /// The second pair of eyes confirms a waiver: the case is approved, over the engine's
    /// PENDING, and says so.
    ConfirmWaiver(Transition),
}

/// Plans one review of a case whose status is `status`, whose approval was proposed by
/// `proposed_by` (if anyone), by `reviewer` with `verdict`. `engine` is the engine's latest
/// verdict on the case, evaluated without the list entries confirmed as false positives: while
/// it is REJECTED, nobody approves the case (the override goes through
/// [`crate::plan_false_positive`] first).
///
/// - PENDING: an analyst, compliance officer or admin rejects at once, and approves at once only
///   when the engine no longer holds the case PENDING. While it does (evidence is missing), an
///   approval is refused ([`ReviewError::EngineRequiresEvidence`]): the evidence comes with a
///   new KYC result, or a reviewer proposes a waiver (`Verdict::Waive`, with the reason) and a
///   compliance officer or admin other than the proposer confirms it.
/// - ESCALATED, reject: a compliance officer or admin rejects at once (refusing is the safe
///   direction; one person suffices).
/// - ESCALATED, approve: the first compliance officer or admin proposes; a second, different
///   one confirms, which approves the case.
/// - APPROVED, reject: a compliance officer or admin revokes the approval.
/// - Approve, while `engine` is REJECTED: refused ([`ReviewError::EngineRejects`]).
///
/// ```
/// use compliance_domain::*;
/// # let officer = |n| Reviewer::try_from(&User { id: UserId::from_uuid(uuid::Uuid::from_u128(n)),
/// #   username: Username::parse("officer").unwrap(), email: Email::parse("o@example.com").unwrap(),
/// #   role: Role::ComplianceOfficer, active: true }).unwrap();
/// let (first, second) = (officer(1), officer(2));
/// let (status, engine) = (CheckStatus::Escalated, CheckStatus::Escalated);
/// assert_eq!(plan_review(status, None, &first, Verdict::Approve, engine)?, ReviewStep::ProposeApproval);
/// assert!(matches!(plan_review(status, Some(first.id()), &first, Verdict::Approve, engine),
///     Err(ReviewError::SameReviewer { .. })));
/// let ReviewStep::Decide(t) = plan_review(status, Some(first.id()), &second, Verdict::Approve, engine)? else { panic!() };
/// assert_eq!(t.to, CheckStatus::Approved);
/// // A sanctions match found by a re-screening: nobody approves until it is cleared.
/// assert_eq!(plan_review(status, Some(first.id()), &second, Verdict::Approve, CheckStatus::Rejected),
///     Err(ReviewError::EngineRejects));
/// # Ok::<(), ReviewError>(())
/// ```
pub fn plan_review(
    status: CheckStatus,
    proposed_by: Option<UserId>,
    reviewer: &Reviewer,
    verdict: Verdict,
    engine: CheckStatus,
) -> Result<ReviewStep, ReviewError> {
    let revocation = status == CheckStatus::Approved && verdict == Verdict::Reject;
    if !status.awaits_review() && !revocation {
        return Err(ReviewError::NotAwaitingReview { status });
    }
    if !reviewer.role().may_review(status) {
        return Err(ReviewError::NotPermitted {
            role: reviewer.role(),
            status,
        });
    }
    if verdict != Verdict::Reject && engine == CheckStatus::Rejected {
        return Err(ReviewError::EngineRejects);
    }
    let held = status == CheckStatus::Pending && engine == CheckStatus::Pending;
    if verdict == Verdict::Approve && held {
        return Err(ReviewError::EngineRequiresEvidence);
    }
    if verdict == Verdict::Waive {
        if !held {
            return Err(ReviewError::NothingToWaive { status, engine });
        }
        return match proposed_by {
            None => Ok(ReviewStep::ProposeWaiver),
            Some(first) if first == reviewer.id() => {
                Err(ReviewError::SameReviewer { reviewer: first })
            }
            Some(_) if !reviewer.role().may_clear_matches() => {
                Err(ReviewError::WaiverNeedsOfficer {
                    role: reviewer.role(),
                })
            }
            Some(_) => Ok(ReviewStep::ConfirmWaiver(
                status.transition_to(CheckStatus::Approved, Trigger::Reviewer)?,
            )),
        };
    }
    let decide = |to| -> Result<ReviewStep, ReviewError> {
        Ok(ReviewStep::Decide(
            status.transition_to(to, Trigger::Reviewer)?,
        ))
    };
    match (status, verdict, proposed_by) {
        (_, Verdict::Reject, _) => decide(CheckStatus::Rejected),
        (CheckStatus::Escalated, _, None) => Ok(ReviewStep::ProposeApproval),
        (CheckStatus::Escalated, _, Some(first)) if first == reviewer.id() => {
            Err(ReviewError::SameReviewer { reviewer: first })
        }
        (_, _, _) => decide(CheckStatus::Approved),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{Email, User, Username};
    use CheckStatus::*;

    /// An active reviewer with this id and role, for tests.
    pub(crate) fn reviewer(n: u128, role: Role) -> Reviewer {
        Reviewer::try_from(&User {
            id: UserId::from_uuid(uuid::Uuid::from_u128(n)),
            username: Username::parse("someone").unwrap(),
            email: Email::parse("someone@example.com").unwrap(),
            role,
            active: true,
        })
        .unwrap()
    }

    fn decided(step: Result<ReviewStep, ReviewError>) -> CheckStatus {
        match step {
            Ok(ReviewStep::Decide(t)) => t.to,
            other => panic!("expected a decision, got {other:?}"),
        }
    }

    #[test]
    fn pending_cases_take_one_reviewer() {
        let analyst = reviewer(1, Role::Analyst);
        // The engine no longer holds it (a re-screening came back clean): one reviewer decides.
        assert_eq!(
            decided(plan_review(
                Pending,
                None,
                &analyst,
                Verdict::Approve,
                Approved
            )),
            Approved
        );
        assert_eq!(
            decided(plan_review(
                Pending,
                None,
                &analyst,
                Verdict::Reject,
                Pending
            )),
            Rejected
        );
    }

    /// Issue 17, defect 11: the engine's PENDING (evidence missing) is not overruled by one
    /// person. An approval is refused; a waiver is proposed by one reviewer and confirmed by a
    /// compliance officer or admin who is someone else.
    #[test]
    fn a_pending_verdict_is_waived_under_four_eyes_or_not_at_all() {
        let analyst = reviewer(1, Role::Analyst);
        let officer = reviewer(2, Role::ComplianceOfficer);
        let other = reviewer(3, Role::Analyst);
        for who in [&analyst, &officer] {
            assert_eq!(
                plan_review(Pending, None, who, Verdict::Approve, Pending),
                Err(ReviewError::EngineRequiresEvidence)
            );
            assert_eq!(
                plan_review(Pending, None, who, Verdict::Waive, Pending),
                Ok(ReviewStep::ProposeWaiver)
            );
        }
        // A proposal waits: approving is still refused; the proposer cannot confirm it, nor can
        // another analyst; a compliance officer can.
        let proposed = Some(analyst.id());
        assert_eq!(
            plan_review(Pending, proposed, &officer, Verdict::Approve, Pending),
            Err(ReviewError::EngineRequiresEvidence)
        );
        assert_eq!(
            plan_review(Pending, proposed, &analyst, Verdict::Waive, Pending),
            Err(ReviewError::SameReviewer {
                reviewer: analyst.id()
            })
        );
        assert_eq!(
            plan_review(Pending, proposed, &other, Verdict::Waive, Pending),
            Err(ReviewError::WaiverNeedsOfficer {
                role: Role::Analyst
            })
        );
        match plan_review(Pending, proposed, &officer, Verdict::Waive, Pending) {
            Ok(ReviewStep::ConfirmWaiver(t)) => assert_eq!((t.from, t.to), (Pending, Approved)),
            other => panic!("{other:?}"),
        }
        // Nothing to waive where the engine does not hold the case, or it is not PENDING.
        for (status, engine) in [
            (Pending, Approved),
            (Escalated, Escalated),
            (Escalated, Pending),
        ] {
            assert_eq!(
                plan_review(status, None, &officer, Verdict::Waive, engine),
                Err(ReviewError::NothingToWaive { status, engine })
            );
        }
        // Rejecting needs no second pair of eyes.
        assert_eq!(
            decided(plan_review(
                Pending,
                proposed,
                &other,
                Verdict::Reject,
                Pending
            )),
            Rejected
        );
        // A waiver does not lift a rejection by the engine.
        assert_eq!(
            plan_review(Pending, None, &officer, Verdict::Waive, Rejected),
            Err(ReviewError::EngineRejects)
        );
    }

    #[test]
    fn escalations_take_two_officers_to_approve_and_one_to_reject() {
        let (a, b) = (
            reviewer(1, Role::ComplianceOfficer),
            reviewer(2, Role::Admin),
        );
        assert_eq!(
            plan_review(Escalated, None, &a, Verdict::Approve, Escalated),
            Ok(ReviewStep::ProposeApproval)
        );
        assert_eq!(
            plan_review(Escalated, Some(a.id()), &a, Verdict::Approve, Escalated),
            Err(ReviewError::SameReviewer { reviewer: a.id() })
        );
        assert_eq!(
            decided(plan_review(
                Escalated,
                Some(a.id()),
                &b,
                Verdict::Approve,
                Escalated
            )),
            Approved
        );
        assert_eq!(
            decided(plan_review(Escalated, None, &a, Verdict::Reject, Escalated)),
            Rejected
        );
        // The proposer may still change their mind and reject.
        assert_eq!(
            decided(plan_review(
                Escalated,
                Some(a.id()),
                &a,
                Verdict::Reject,
                Escalated
            )),
            Rejected
        );
    }

    #[test]
    fn analysts_do_not_decide_escalations() {
        let analyst = reviewer(3, Role::Analyst);
        for verdict in [Verdict::Approve, Verdict::Reject] {
            assert_eq!(
                plan_review(Escalated, None, &analyst, verdict, Escalated),
                Err(ReviewError::NotPermitted {
                    role: Role::Analyst,
                    status: Escalated
                })
            );
        }
    }

    #[test]
    fn nobody_approves_what_the_engine_rejects() {
        let (a, b) = (
            reviewer(1, Role::ComplianceOfficer),
            reviewer(2, Role::Admin),
        );
        let analyst = reviewer(3, Role::Analyst);
        assert_eq!(
            plan_review(Escalated, None, &a, Verdict::Approve, Rejected),
            Err(ReviewError::EngineRejects)
        );
        assert_eq!(
            plan_review(Escalated, Some(a.id()), &b, Verdict::Approve, Rejected),
            Err(ReviewError::EngineRejects)
        );
        assert_eq!(
            plan_review(Pending, None, &analyst, Verdict::Approve, Rejected),
            Err(ReviewError::EngineRejects)
        );
        // Rejecting is always open to whoever may decide the case.
        assert_eq!(
            decided(plan_review(Escalated, None, &a, Verdict::Reject, Rejected)),
            Rejected
        );
        // Any verdict short of REJECTED leaves the usual rules in charge.
        assert_eq!(
            decided(plan_review(
                Pending,
                None,
                &analyst,
                Verdict::Approve,
                Escalated
            )),
            Approved
        );
    }

    #[test]
    fn review_reasons() {
        assert_eq!(
            ReviewReason::parse("  ").unwrap_err(),
            ReviewReasonError::Blank
        );
        assert_eq!(
            ReviewReason::parse(" EDD complete \n").unwrap().as_str(),
            "EDD complete"
        );
        assert!(ReviewReason::parse("line one\nline two").is_ok());
        assert_eq!(
            ReviewReason::parse("a\u{0}b").unwrap_err(),
            ReviewReasonError::ControlCharacter
        );
        assert_eq!(
            ReviewReason::parse(&"x".repeat(2001)).unwrap_err(),
            ReviewReasonError::TooLong { len: 2001 }
        );
        assert!(!format!("{:?}", ReviewReason::parse("secret words").unwrap()).contains("secret"));
    }

    #[test]
    fn decided_cases_are_not_reviewed_except_to_revoke_an_approval() {
        let officer = reviewer(1, Role::ComplianceOfficer);
        assert_eq!(
            plan_review(Approved, None, &officer, Verdict::Approve, Approved),
            Err(ReviewError::NotAwaitingReview { status: Approved })
        );
        for verdict in [Verdict::Approve, Verdict::Reject] {
            assert_eq!(
                plan_review(Rejected, None, &officer, verdict, Rejected),
                Err(ReviewError::NotAwaitingReview { status: Rejected })
            );
        }
        assert_eq!(
            decided(plan_review(
                Approved,
                None,
                &officer,
                Verdict::Reject,
                Approved
            )),
            Rejected
        );
        assert_eq!(
            plan_review(
                Approved,
                None,
                &reviewer(2, Role::Analyst),
                Verdict::Reject,
                Approved
            ),
            Err(ReviewError::NotPermitted {
                role: Role::Analyst,
                status: Approved
            })
        );
    }
}
