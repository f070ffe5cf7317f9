//! Check statuses and the one table of status changes the platform allows.
//!
//! Must not: be bypassed. Every status change in the service goes through
//! [`CheckStatus::transition_to`]; the database's trigger on `compliance_checks` repeats the same
//! table, and a test compares the two pair by pair.

crate::text_enum! {
    /// Where a case stands.
    ///
    /// `Ord` is the order of strictness that the rules engine uses when several rules fire:
    /// `Approved < Pending < Escalated < Rejected`, so the strictest outcome is the maximum.
    ///
    /// ```
    /// use compliance_domain::CheckStatus;
    /// let fired = [CheckStatus::Pending, CheckStatus::Rejected, CheckStatus::Escalated];
    /// assert_eq!(fired.into_iter().max(), Some(CheckStatus::Rejected));
    /// assert_eq!("ESCALATED".parse::<CheckStatus>()?, CheckStatus::Escalated);
    /// # Ok::<(), compliance_domain::UnknownVariant>(())
    /// ```
    #[strum(serialize_all = "UPPERCASE")]
    pub enum CheckStatus as "check status" {
        /// KYC verified and AML clear: the investor may proceed.
        Approved,
        /// Waiting for something, typically missing documents.
        Pending,
        /// Needs a human decision, e.g. a politically exposed person.
        Escalated,
        /// Must not proceed, e.g. a sanctions match. Final.
        Rejected,
    }
}

/// Who makes a status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The rules engine, re-evaluating a case (documents arrived, a re-screening).
    Engine,
    /// A human reviewer, deciding by hand.
    Reviewer,
}

/// An allowed status change: from, to, and who may make it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Transition {
    /// The status before.
    pub from: CheckStatus,
    /// The status after.
    pub to: CheckStatus,
    /// Who made it.
    pub by: Trigger,
}

/// A status change that the table refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// From a status to itself: nothing to change.
    #[error("the status is already {status}: nothing to change")]
    Unchanged {
        /// The current status.
        status: CheckStatus,
    },
    /// Out of `REJECTED`, which is final.
    #[error("{from} is final: a rejected case cannot become {to}; open a new case instead")]
    Final {
        /// Always `REJECTED`.
        from: CheckStatus,
        /// The status that was asked for.
        to: CheckStatus,
    },
    /// A change only a human reviewer may make, attempted by the engine.
    #[error("{from} -> {to} needs a human reviewer; the rules engine may not make it")]
    ReviewerOnly {
        /// The status before.
        from: CheckStatus,
        /// The status asked for.
        to: CheckStatus,
    },
    /// A change only the rules engine makes (a reviewer decides; finding something missing is
    /// the engine's), attempted by a reviewer.
    #[error("{from} -> {to} is made by the rules engine on re-evaluation, not by a reviewer")]
    EngineOnly {
        /// The status before.
        from: CheckStatus,
        /// The status asked for.
        to: CheckStatus,
    },
    /// A change that nobody may make.
    #[error("{from} -> {to} is not an allowed status change")]
    NotAllowed {
        /// The status before.
        from: CheckStatus,
        /// The status asked for.
        to: CheckStatus,
    },
}

use CheckStatus::{Approved, Escalated, Pending, Rejected};

/// Every allowed status change, with who may make it. Anything not listed is refused.
///
/// | from | to | engine | reviewer | why |
/// |---|---|---|---|---|
/// | PENDING | APPROVED | yes | yes | documents arrived; or a reviewer accepts the case |
/// | PENDING | ESCALATED | yes | yes | a re-evaluation or a reviewer finds a reason for enhanced due diligence |
/// | PENDING | REJECTED | yes | yes | a re-evaluation finds a sanctions match; or a reviewer refuses the case |
/// | ESCALATED | APPROVED | no | yes | only a human clears an escalation (two of them: see [`crate::plan_review`]) |
/// | ESCALATED | REJECTED | no | yes | only a human decides an escalated case |
/// | APPROVED | ESCALATED | yes | yes | a re-screening finds new risk (a PEP match, say) |
/// | APPROVED | REJECTED | yes | yes | a re-screening finds a sanctions match |
/// | APPROVED | PENDING | yes | no | a re-evaluation finds something missing (a new rule asks for a document): back into the queue |
///
/// Not allowed: any change to the same status; anything out of REJECTED (final); back to PENDING
/// from ESCALATED, or by a reviewer (a reviewer decides; asking for more is the engine's finding);
/// ESCALATED -> anything by the engine (an escalation belongs to its reviewers: a stricter
/// engine verdict on it is flagged in the queue instead).
pub const TRANSITIONS: &[Transition] = &[
    t(Pending, Approved, Trigger::Engine),
    t(Pending, Approved, Trigger::Reviewer),
    t(Pending, Escalated, Trigger::Engine),
    t(Pending, Escalated, Trigger::Reviewer),
    t(Pending, Rejected, Trigger::Engine),
    t(Pending, Rejected, Trigger::Reviewer),
    t(Escalated, Approved, Trigger::Reviewer),
    t(Escalated, Rejected, Trigger::Reviewer),
    t(Approved, Escalated, Trigger::Engine),
    t(Approved, Escalated, Trigger::Reviewer),
    t(Approved, Rejected, Trigger::Engine),
    t(Approved, Rejected, Trigger::Reviewer),
    t(Approved, Pending, Trigger::Engine),
];

const fn t(from: CheckStatus, to: CheckStatus, by: Trigger) -> Transition {
    Transition { from, to, by }
}

impl CheckStatus {
    /// Checks a status change against [`TRANSITIONS`].
    ///
    /// ```
    /// use compliance_domain::{CheckStatus::*, Trigger, TransitionError};
    /// assert!(Pending.transition_to(Approved, Trigger::Engine).is_ok());
    /// assert_eq!(
    ///     Escalated.transition_to(Approved, Trigger::Engine),
    ///     Err(TransitionError::ReviewerOnly { from: Escalated, to: Approved })
    /// );
    /// assert!(matches!(Rejected.transition_to(Approved, Trigger::Reviewer), Err(TransitionError::Final { .. })));
    /// ```
    pub fn transition_to(
        self,
        to: CheckStatus,
        by: Trigger,
    ) -> Result<Transition, TransitionError> {
        let wanted = Transition { from: self, to, by };
        if TRANSITIONS.contains(&wanted) {
            return Ok(wanted);
        }
        Err(if self == to {
            TransitionError::Unchanged { status: self }
        } else if self.is_final() {
            TransitionError::Final { from: self, to }
        } else if TRANSITIONS.iter().any(|t| t.from == self && t.to == to) {
            match by {
                Trigger::Engine => TransitionError::ReviewerOnly { from: self, to },
                Trigger::Reviewer => TransitionError::EngineOnly { from: self, to },
            }
        } else {
            TransitionError::NotAllowed { from: self, to }
        })
    }

    /// True for `REJECTED`, out of which nothing moves.
    pub fn is_final(self) -> bool {
        self == Rejected
    }

    /// True for the statuses in the review queue (`PENDING`, `ESCALATED`).
    pub fn awaits_review(self) -> bool {
        matches!(self, Pending | Escalated)
    }

    /// The stricter of two statuses (see the `Ord` above).
    pub fn strictest(self, other: CheckStatus) -> CheckStatus {
        self.max(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use strum::VariantArray;

    fn any_status() -> impl Strategy<Value = CheckStatus> {
        prop::sample::select(CheckStatus::VARIANTS)
    }

    fn any_trigger() -> impl Strategy<Value = Trigger> {
        prop::sample::select(&[Trigger::Engine, Trigger::Reviewer][..])
    }

    /// The expected answer for every pair, written out by hand as a second source of truth.
    #[test]
    fn every_pair() {
        use TransitionError as E;
        let (eng, rev) = (Trigger::Engine, Trigger::Reviewer);
        let cases: [(
            CheckStatus,
            CheckStatus,
            Trigger,
            Result<(), TransitionError>,
        ); 32] = [
            (Pending, Pending, eng, Err(E::Unchanged { status: Pending })),
            (Pending, Pending, rev, Err(E::Unchanged { status: Pending })),
            (Pending, Approved, eng, Ok(())),
            (Pending, Approved, rev, Ok(())),
            (Pending, Escalated, eng, Ok(())),
            (Pending, Escalated, rev, Ok(())),
            (Pending, Rejected, eng, Ok(())),
            (Pending, Rejected, rev, Ok(())),
            (Approved, Pending, eng, Ok(())),
            (
                Approved,
                Pending,
                rev,
                Err(E::EngineOnly {
                    from: Approved,
                    to: Pending,
                }),
            ),
            (
                Approved,
                Approved,
                eng,
                Err(E::Unchanged { status: Approved }),
            ),
            (
                Approved,
                Approved,
                rev,
                Err(E::Unchanged { status: Approved }),
            ),
            (Approved, Escalated, eng, Ok(())),
            (Approved, Escalated, rev, Ok(())),
            (Approved, Rejected, eng, Ok(())),
            (Approved, Rejected, rev, Ok(())),
            (
                Escalated,
                Pending,
                eng,
                Err(E::NotAllowed {
                    from: Escalated,
                    to: Pending,
                }),
            ),
            (
                Escalated,
                Pending,
                rev,
                Err(E::NotAllowed {
                    from: Escalated,
                    to: Pending,
                }),
            ),
            (
                Escalated,
                Approved,
                eng,
                Err(E::ReviewerOnly {
                    from: Escalated,
                    to: Approved,
                }),
            ),
            (Escalated, Approved, rev, Ok(())),
            (
                Escalated,
                Escalated,
                eng,
                Err(E::Unchanged { status: Escalated }),
            ),
            (
                Escalated,
                Escalated,
                rev,
                Err(E::Unchanged { status: Escalated }),
            ),
            (
                Escalated,
                Rejected,
                eng,
                Err(E::ReviewerOnly {
                    from: Escalated,
                    to: Rejected,
                }),
            ),
            (Escalated, Rejected, rev, Ok(())),
            (
                Rejected,
                Pending,
                eng,
                Err(E::Final {
                    from: Rejected,
                    to: Pending,
                }),
            ),
            (
                Rejected,
                Pending,
                rev,
                Err(E::Final {
                    from: Rejected,
                    to: Pending,
                }),
            ),
            (
                Rejected,
                Approved,
                eng,
                Err(E::Final {
                    from: Rejected,
                    to: Approved,
                }),
            ),
            (
                Rejected,
                Approved,
                rev,
                Err(E::Final {
                    from: Rejected,
                    to: Approved,
                }),
            ),
            (
                Rejected,
                Escalated,
                eng,
                Err(E::Final {
                    from: Rejected,
                    to: Escalated,
                }),
            ),
            (
                Rejected,
                Escalated,
                rev,
                Err(E::Final {
                    from: Rejected,
                    to: Escalated,
                }),
            ),
            (
                Rejected,
                Rejected,
                eng,
                Err(E::Unchanged { status: Rejected }),
            ),
            (
                Rejected,
                Rejected,
                rev,
                Err(E::Unchanged { status: Rejected }),
            ),
        ];
        for (from, to, by, expected) in cases {
            assert_eq!(
                from.transition_to(to, by).map(|_| ()),
                expected,
                "{from} -> {to} by {by:?}"
            );
        }
    }

    #[test]
    fn strictness_order() {
        assert!(Approved < Pending && Pending < Escalated && Escalated < Rejected);
        assert_eq!(Pending.strictest(Escalated), Escalated);
        assert_eq!(Rejected.strictest(Approved), Rejected);
    }

    #[test]
    fn review_queue_and_final() {
        let queued: Vec<_> = CheckStatus::VARIANTS
            .iter()
            .filter(|s| s.awaits_review())
            .collect();
        assert_eq!(queued, [&Pending, &Escalated]);
        assert!(Rejected.is_final() && !Approved.is_final());
    }

    proptest! {
        #[test]
        fn every_transition_outside_the_table_is_refused(from in any_status(), to in any_status(), by in any_trigger()) {
            let listed = TRANSITIONS.contains(&Transition { from, to, by });
            prop_assert_eq!(from.transition_to(to, by).is_ok(), listed);
        }

        #[test]
        fn nothing_leaves_rejected(to in any_status(), by in any_trigger()) {
            prop_assert!(Rejected.transition_to(to, by).is_err());
        }
    }
}
