//! Calendar arithmetic for the dated tests: whether a date is within so many months before
//! another (a verification's age, a classification's reassessment, a certificate's span).
//!
//! Must not: panic or guess. Months are calendar months, the day clamped to the end of a
//! shorter month (as [`crate::RuleSet::next_review`] adds them); a date too far from the
//! calendar's range to count back from is treated as out of date, never as in date.

use chrono::{Months, NaiveDate};

/// True when `earlier` is on or after the day `months` calendar months before `at` (so a
/// verification of 2026-11-30 is within three months of 2027-02-28, and one of 2026-11-27 is
/// not). `earlier` after `at` is not within: nothing is dated from the future.
pub(crate) fn within_months(earlier: NaiveDate, at: NaiveDate, months: u32) -> bool {
    if earlier > at {
        return false;
    }
    at.checked_sub_months(Months::new(months))
        .is_some_and(|cutoff| earlier >= cutoff)
}

/// True when `until` comes strictly before `from` plus `months` calendar months: a period of
/// validity no longer than `months` (issued 2024-01-10, three years reach 2027-01-09).
pub(crate) fn shorter_than(from: NaiveDate, until: NaiveDate, months: u32) -> bool {
    from.checked_add_months(Months::new(months))
        .is_some_and(|limit| until < limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn three_months_back_counts_calendar_months() {
        assert!(within_months(d(2026, 11, 30), d(2027, 2, 28), 3));
        assert!(!within_months(d(2026, 11, 27), d(2027, 2, 28), 3));
        assert!(within_months(d(2026, 11, 28), d(2027, 2, 28), 3));
        assert!(within_months(d(2027, 2, 28), d(2027, 2, 28), 3));
        assert!(
            !within_months(d(2027, 3, 1), d(2027, 2, 28), 3),
            "from the future"
        );
        assert!(within_months(d(2022, 2, 1), d(2027, 2, 1), 60));
        assert!(!within_months(d(2022, 1, 31), d(2027, 2, 1), 60));
        assert!(!within_months(NaiveDate::MIN, NaiveDate::MIN, 1));
    }

    #[test]
    fn a_span_ends_the_day_before_its_anniversary() {
        assert!(shorter_than(d(2024, 1, 10), d(2027, 1, 9), 36));
        assert!(!shorter_than(d(2024, 1, 10), d(2027, 1, 10), 36));
        assert!(!shorter_than(NaiveDate::MAX, NaiveDate::MAX, 1));
    }
}
