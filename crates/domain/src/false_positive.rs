//! False positives: a matched list entry that reviewers clear for a case, under four eyes, and
//! the screening the engine re-evaluates once they have.
//!
//! Must not: let one person clear a match alone. A disposition is proposed by one admin or
//! compliance officer and confirmed by a different one; only confirmed dispositions take an
//! entry out of what the engine sees ([`without_false_positives`]).

use crate::{AmlScreening, CheckStatus, ListEntryRef, ListName, Reviewer, Role, UserId};

/// A list entry of a case's screening, as dispositioned so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disposition {
    /// Who proposed clearing it.
    pub proposed_by: UserId,
    /// Who confirmed it, once someone did.
    pub confirmed_by: Option<UserId>,
}

impl Disposition {
    /// True once a second reviewer confirmed it.
    pub fn is_confirmed(&self) -> bool {
        self.confirmed_by.is_some()
    }
}

/// What a reviewer's disposition of a match does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DispositionStep {
    /// The first pair of eyes: the entry is proposed as a false positive.
    Propose,
    /// The second pair of eyes: the proposal is confirmed, and the entry no longer counts.
    Confirm,
}

/// Why a disposition is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DispositionError {
    /// Only admins and compliance officers clear list matches.
    #[error(
        "a user with role {role} may not clear a list match: an admin or compliance officer does"
    )]
    NotPermitted {
        /// The reviewer's role.
        role: Role,
    },
    /// The proposer tried to confirm their own proposal.
    #[error(
        "user {reviewer} proposed this false positive and may not also confirm it: a second reviewer must"
    )]
    SameReviewer {
        /// The reviewer.
        reviewer: UserId,
    },
    /// Already confirmed: nothing left to do.
    #[error("this false positive is already confirmed")]
    AlreadyConfirmed,
    /// The case's screening did not match that entry.
    #[error("the case's current screening matched no such list entry")]
    NotMatched,
    /// The case is closed.
    #[error("the case is {status}: a closed case's matches are not dispositioned")]
    CaseClosed {
        /// Its status.
        status: CheckStatus,
    },
}

/// Plans a reviewer's disposition of one matched entry of a case whose status is `status`,
/// given what was recorded for that entry so far (`existing`).
///
/// ```
/// use compliance_domain::*;
/// # let officer = |n| Reviewer::try_from(&User { id: UserId::from_uuid(uuid::Uuid::from_u128(n)),
/// #   username: Username::parse("officer").unwrap(), email: Email::parse("o@example.com").unwrap(),
/// #   role: Role::ComplianceOfficer, active: true }).unwrap();
/// let (first, second) = (officer(1), officer(2));
/// let status = CheckStatus::Escalated;
/// assert_eq!(plan_false_positive(status, None, &first)?, DispositionStep::Propose);
/// let proposed = Disposition { proposed_by: first.id(), confirmed_by: None };
/// assert_eq!(plan_false_positive(status, Some(&proposed), &first),
///     Err(DispositionError::SameReviewer { reviewer: first.id() }));
/// assert_eq!(plan_false_positive(status, Some(&proposed), &second)?, DispositionStep::Confirm);
/// # Ok::<(), DispositionError>(())
/// ```
pub fn plan_false_positive(
    status: CheckStatus,
    existing: Option<&Disposition>,
    reviewer: &Reviewer,
) -> Result<DispositionStep, DispositionError> {
    if status.is_final() {
        return Err(DispositionError::CaseClosed { status });
    }
    if !reviewer.role().may_clear_matches() {
        return Err(DispositionError::NotPermitted {
            role: reviewer.role(),
        });
    }
    match existing {
        None => Ok(DispositionStep::Propose),
        Some(d) if d.is_confirmed() => Err(DispositionError::AlreadyConfirmed),
        Some(d) if d.proposed_by == reviewer.id() => Err(DispositionError::SameReviewer {
            reviewer: reviewer.id(),
        }),
        Some(_) => Ok(DispositionStep::Confirm),
    }
}

/// The screening as the engine judges it after an override: every entry in `cleared` (the
/// confirmed false positives of the case) taken out; score, provider and lists as they were.
pub fn without_false_positives<'a>(
    screening: &AmlScreening,
    cleared: impl IntoIterator<Item = (&'a ListName, &'a ListEntryRef)> + Clone,
) -> AmlScreening {
    let mut screening = screening.clone();
    screening.matches.retain(|m| {
        !cleared
            .clone()
            .into_iter()
            .any(|(list, entry)| *list == m.list && *entry == m.entry)
    });
    screening
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::tests::reviewer;
    use crate::{RiskScore, ScreeningProvider, WatchlistKind, WatchlistMatch, WatchlistVersion};

    #[test]
    fn four_eyes_and_roles() {
        let (a, b) = (
            reviewer(1, Role::ComplianceOfficer),
            reviewer(2, Role::Admin),
        );
        let analyst = reviewer(3, Role::Analyst);
        let status = CheckStatus::Escalated;
        assert_eq!(
            plan_false_positive(status, None, &analyst),
            Err(DispositionError::NotPermitted {
                role: Role::Analyst
            })
        );
        let proposed = Disposition {
            proposed_by: a.id(),
            confirmed_by: None,
        };
        assert_eq!(
            plan_false_positive(status, Some(&proposed), &a),
            Err(DispositionError::SameReviewer { reviewer: a.id() })
        );
        assert_eq!(
            plan_false_positive(status, Some(&proposed), &b),
            Ok(DispositionStep::Confirm)
        );
        let confirmed = Disposition {
            confirmed_by: Some(b.id()),
            ..proposed
        };
        assert_eq!(
            plan_false_positive(status, Some(&confirmed), &reviewer(4, Role::Admin)),
            Err(DispositionError::AlreadyConfirmed)
        );
        assert_eq!(
            plan_false_positive(CheckStatus::Rejected, None, &a),
            Err(DispositionError::CaseClosed {
                status: CheckStatus::Rejected
            })
        );
    }

    #[test]
    fn only_cleared_entries_leave_the_screening() {
        let m = |kind, list: &str, entry: &str| WatchlistMatch {
            kind,
            list: ListName::parse(list).unwrap(),
            entry: ListEntryRef::parse(entry).unwrap(),
            score: None,
        };
        let screening = AmlScreening {
            risk_score: RiskScore::new(70).unwrap(),
            matches: vec![
                m(WatchlistKind::Sanctions, "OFAC-SDN", "SDN-1"),
                m(WatchlistKind::Sanctions, "UN-SC", "UN-2"),
                m(WatchlistKind::Pep, "IN-PEP", "PEP-3"),
            ],
            provider: ScreeningProvider::parse("provider").unwrap(),
            watchlist_version: WatchlistVersion::parse("v1").unwrap(),
        };
        let (list, entry) = (
            ListName::parse("OFAC-SDN").unwrap(),
            ListEntryRef::parse("SDN-1").unwrap(),
        );
        let cleared = without_false_positives(&screening, [(&list, &entry)]);
        assert_eq!(cleared.matches, screening.matches[1..].to_vec());
        assert!(cleared.sanctions_match());
        assert_eq!(cleared.risk_score, screening.risk_score);
        // The same entry id on another list is another entry.
        let other = ListName::parse("UN-SC").unwrap();
        assert_eq!(
            without_false_positives(&screening, [(&other, &entry)]).matches,
            screening.matches
        );
    }
}
