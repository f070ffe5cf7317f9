//! Dates as the official formats write them, read into [`PartialDate`]: ISO forms (`1961`,
//! `1961-03`, `1961-03-12`, the UN and FollowTheMoney) and OFAC's (`12 Mar 1961`, `Mar 1961`,
//! `1961`, `circa 1961`, `1960 to 1962`).
//!
//! Must not: invent precision. A year stays a year; an unreadable date is `None`, not a guess.

use crate::entry::PartialDate;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The widest `FROM to TO` range expanded into every year; wider ranges keep their two ends.
const MAX_RANGE_YEARS: i16 = 10;

/// An ISO date or its prefix: `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (anything after the day, such
/// as a time, is ignored).
pub(crate) fn iso(text: &str) -> Option<PartialDate> {
    let text = text.trim();
    let mut parts = text.get(..10.min(text.len()))?.split('-');
    let year = year(parts.next()?)?;
    let month = match parts.next() {
        Some(m) => Some(month_number(m)?),
        None => None,
    };
    let day = match (month, parts.next()) {
        (Some(_), Some(d)) => Some(day(d)?),
        (None, Some(_)) => return None,
        (_, None) => None,
    };
    Some(PartialDate { year, month, day })
}

/// Every date an OFAC remark's date text gives: one, or every year of `1960 to 1962`.
pub(crate) fn ofac(text: &str) -> Vec<PartialDate> {
    let text = text.trim();
    let text = text.strip_prefix("circa ").unwrap_or(text).trim();
    if let Some((from, to)) = text.split_once(" to ") {
        return match (ofac_single(from), ofac_single(to)) {
            (Some(from), Some(to)) if from.month.is_none() && to.month.is_none() => {
                year_range(from.year, to.year)
            }
            (from, to) => from.into_iter().chain(to).collect(),
        };
    }
    ofac_single(text).into_iter().collect()
}

/// Every year from `from` to `to`, or the two ends when the range is wide or reversed.
pub(crate) fn year_range(from: i16, to: i16) -> Vec<PartialDate> {
    let as_date = |year| PartialDate {
        year,
        month: None,
        day: None,
    };
    if from <= to && to - from <= MAX_RANGE_YEARS {
        (from..=to).map(as_date).collect()
    } else {
        vec![as_date(from), as_date(to)]
    }
}

/// `12 Mar 1961`, `Mar 1961` or `1961`.
fn ofac_single(text: &str) -> Option<PartialDate> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    match parts.as_slice() {
        [y] => Some(PartialDate {
            year: year(y)?,
            month: None,
            day: None,
        }),
        [m, y] => Some(PartialDate {
            year: year(y)?,
            month: Some(month_name(m)?),
            day: None,
        }),
        [d, m, y] => Some(PartialDate {
            year: year(y)?,
            month: Some(month_name(m)?),
            day: Some(day(d)?),
        }),
        _ => None,
    }
}

/// The text form OFAC's remarks use, for writers: `12 Mar 1961`, `Mar 1961` or `1961`.
pub(crate) fn ofac_text(date: &PartialDate) -> String {
    let month = date
        .month
        .and_then(|m| MONTHS.get(usize::from(m).wrapping_sub(1)))
        .map(|m| {
            let mut chars = m.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        });
    match (date.day, month) {
        (Some(day), Some(month)) => format!("{day:02} {month} {}", date.year),
        (None, Some(month)) => format!("{month} {}", date.year),
        _ => date.year.to_string(),
    }
}

fn year(text: &str) -> Option<i16> {
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|y| (1000..=2999).contains(y))
}

fn month_number(text: &str) -> Option<u8> {
    number(text).filter(|m| (1..=12).contains(m))
}

fn month_name(text: &str) -> Option<u8> {
    let lower = text.to_ascii_lowercase();
    let position = MONTHS.iter().position(|m| *m == lower)?;
    u8::try_from(position + 1).ok()
}

fn day(text: &str) -> Option<u8> {
    number(text).filter(|d| (1..=31).contains(d))
}

fn number(text: &str) -> Option<u8> {
    if text.is_empty() || text.len() > 2 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(year: i16, month: Option<u8>, day: Option<u8>) -> PartialDate {
        PartialDate { year, month, day }
    }

    #[test]
    fn reads_iso_prefixes() {
        assert_eq!(iso("1961-03-12"), Some(d(1961, Some(3), Some(12))));
        assert_eq!(iso("1961-03"), Some(d(1961, Some(3), None)));
        assert_eq!(iso("1961"), Some(d(1961, None, None)));
        assert_eq!(iso("1961-03-12T00:00:00"), Some(d(1961, Some(3), Some(12))));
        assert_eq!(iso("1961-13-01"), None);
        assert_eq!(iso("unknown"), None);
        assert_eq!(iso(""), None);
    }

    #[test]
    fn reads_ofac_forms_and_writes_them_back() {
        assert_eq!(ofac("12 Mar 1961"), vec![d(1961, Some(3), Some(12))]);
        assert_eq!(ofac("circa 1961"), vec![d(1961, None, None)]);
        assert_eq!(ofac("Mar 1961"), vec![d(1961, Some(3), None)]);
        assert_eq!(ofac("1960 to 1962").len(), 3);
        assert_eq!(ofac("1900 to 1990").len(), 2);
        assert!(ofac("sometime").is_empty());
        for date in [
            d(1961, Some(3), Some(2)),
            d(1961, Some(12), None),
            d(1961, None, None),
        ] {
            assert_eq!(ofac(&ofac_text(&date)), vec![date]);
        }
    }
}
