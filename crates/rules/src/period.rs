//! When a rule version is in force: from `effective_from` (inclusive) to `effective_to`
//! (exclusive), or open-ended.
//!
//! Must not: allow an empty or reversed period, or a time finer than a microsecond (the database
//! column keeps microseconds, so a finer time would not come back as it went in).

use crate::error::{FieldError, Problem};
use chrono::{DateTime, Timelike, Utc};

/// The period a rule version is in force: `[from, to)`, or `[from, ∞)` without `to`.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use compliance_rules::EffectivePeriod;
/// let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let to = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
/// let period = EffectivePeriod::new(from, Some(to))?;
/// assert!(period.contains(from));
/// assert!(!period.contains(to));
/// assert!(EffectivePeriod::new(to, Some(from)).is_err());
/// # Ok::<(), compliance_rules::FieldError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EffectivePeriod {
    from: DateTime<Utc>,
    to: Option<DateTime<Utc>>,
}

fn whole_microseconds(field: &str, at: DateTime<Utc>) -> Result<(), FieldError> {
    if at.nanosecond().is_multiple_of(1_000) {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            Problem::OutOfRange {
                expected: "a time in whole microseconds (the precision of TIMESTAMPTZ)",
                got: at.to_rfc3339(),
            },
        ))
    }
}

impl EffectivePeriod {
    /// A period from `from` to `to` (exclusive), which must be later than `from`.
    pub fn new(from: DateTime<Utc>, to: Option<DateTime<Utc>>) -> Result<Self, FieldError> {
        whole_microseconds("effective_from", from)?;
        if let Some(to) = to {
            whole_microseconds("effective_to", to)?;
            if to <= from {
                return Err(FieldError::new(
                    "effective_to",
                    Problem::OutOfRange {
                        expected: "a time later than effective_from (the end is exclusive)",
                        got: to.to_rfc3339(),
                    },
                ));
            }
        }
        Ok(Self { from, to })
    }

    /// An open-ended period starting at `from`.
    pub fn starting(from: DateTime<Utc>) -> Result<Self, FieldError> {
        Self::new(from, None)
    }

    /// The first instant in force.
    pub fn from(&self) -> DateTime<Utc> {
        self.from
    }

    /// The first instant no longer in force, if any.
    pub fn to(&self) -> Option<DateTime<Utc>> {
        self.to
    }

    /// True when `at` falls in the period.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && self.to.is_none_or(|to| at < to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sub_microsecond_times_are_refused() {
        let from = Utc.timestamp_opt(1_767_225_600, 1).unwrap();
        let err = EffectivePeriod::starting(from).unwrap_err();
        assert_eq!(err.field, "effective_from");
        let from = Utc.timestamp_opt(1_767_225_600, 1_000).unwrap();
        assert!(EffectivePeriod::starting(from).is_ok());
    }

    #[test]
    fn empty_periods_are_refused() {
        let at = Utc.timestamp_opt(1_767_225_600, 0).unwrap();
        assert_eq!(
            EffectivePeriod::new(at, Some(at)).unwrap_err().field,
            "effective_to"
        );
    }
}
