//! How much of a list to read, as validated types: a page size is always within its list's
//! range, so no read needs a "0 means the default" rule; and the queries that carry them
//! ([`QueueQuery`], [`AuditQuery`]).
//!
//! Must not: hold a size outside `1..=MAX`.

use crate::cursor::QueueCursor;
use compliance_domain::input::InputError;
use compliance_domain::{CheckStatus, Jurisdiction, RiskLevel, UserId};

/// A page size from 1 to `MAX`, `DEFAULT` when none is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageSize<const MAX: u16, const DEFAULT: u16>(u16);

/// A page of the review queue: 1 to 1,000 cases, 50 by default.
pub type QueueSize = PageSize<1_000, 50>;

/// A page of a list (audit entries, high-risk entities, reviews due): 1 to 10,000, 100 by
/// default.
pub type ListSize = PageSize<10_000, 100>;

impl<const MAX: u16, const DEFAULT: u16> PageSize<MAX, DEFAULT> {
    /// The largest size.
    pub const MAX: u16 = MAX;

    /// `n` entries; outside `1..=MAX` an input error naming the `limit` field.
    pub fn new(n: u16) -> Result<Self, InputError> {
        if (1..=MAX).contains(&n) {
            Ok(Self(n))
        } else {
            Err(InputError::field(
                "limit",
                format!("{n} is out of range, expected 1 to {MAX}"),
            ))
        }
    }

    /// The size.
    pub fn get(self) -> u16 {
        self.0
    }
}

impl<const MAX: u16, const DEFAULT: u16> Default for PageSize<MAX, DEFAULT> {
    fn default() -> Self {
        Self(DEFAULT)
    }
}

/// Which page of the review queue to read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueQuery {
    /// Only this jurisdiction.
    pub jurisdiction: Option<Jurisdiction>,
    /// Only this status.
    pub status: Option<CheckStatus>,
    /// Only this risk level.
    pub risk_level: Option<RiskLevel>,
    /// Only the cases of an assignee, or only the unassigned ones.
    pub assignee: Option<AssigneeQuery>,
    /// Only the cases past their service level.
    pub overdue: bool,
    /// Resume after this cursor (the previous page's `next`).
    pub after: Option<QueueCursor>,
    /// At most this many cases.
    pub limit: QueueSize,
}

/// Whose cases a page of the queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeQuery {
    /// The caller's.
    Mine,
    /// The cases nobody works.
    Unassigned,
    /// This user's.
    User(UserId),
}

impl std::str::FromStr for AssigneeQuery {
    type Err = String;
    /// `mine`, `unassigned`, or a user id.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "mine" => Ok(Self::Mine),
            "unassigned" => Ok(Self::Unassigned),
            _ => text
                .parse::<uuid::Uuid>()
                .map(|id| Self::User(UserId::from_uuid(id)))
                .map_err(|_| "expected mine, unassigned or a user id (a UUID)".to_owned()),
        }
    }
}

/// Which page of an entity's audit entries to read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// At most this many entries.
    pub limit: ListSize,
    /// Resume after this entry (the previous page's `next`).
    pub cursor: Option<i64>,
    /// Oldest first instead of newest first.
    pub oldest_first: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_stay_in_their_range() {
        assert_eq!(QueueSize::default().get(), 50);
        assert_eq!(ListSize::default().get(), 100);
        assert_eq!(QueueSize::new(1).unwrap().get(), 1);
        assert_eq!(QueueSize::new(1_000).unwrap().get(), 1_000);
        assert!(QueueSize::new(0).is_err());
        assert!(QueueSize::new(1_001).is_err());
        assert_eq!(ListSize::new(10_000).unwrap().get(), 10_000);
        assert!(ListSize::new(10_001).is_err());
        assert!(ListSize::new(0).unwrap_err().to_string().contains("limit"));
    }
}
