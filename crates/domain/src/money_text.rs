//! Amounts as a reader of their currency writes them: digits grouped by the currency's locale
//! (Indian grouping for INR: `2,00,00,000 INR`; thousands for AED, USD and the rest:
//! `1,000,000 USD`) and, for rupees, the same amount in lakh and crore (`2 crore`).
//!
//! Must not: round an amount it groups (every digit of the stored amount is shown), convert
//! between currencies, or log anything (amounts describing an investor are personal data).

use crate::{Currency, Money};
use rust_decimal::Decimal;

/// How the digits left of the decimal point are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// Groups of three: `1,000,000`.
    Thousands,
    /// The Indian system: the last three digits, then groups of two: `1,00,00,000`.
    Indian,
}

impl Grouping {
    /// The grouping readers of `currency` expect: Indian for rupees, thousands otherwise.
    pub fn of(currency: Currency) -> Self {
        if currency == Currency::INR {
            Grouping::Indian
        } else {
            Grouping::Thousands
        }
    }
}

/// `digits` (ASCII digits only, as an integer part is written) with separators per `grouping`.
/// Anything that is not all ASCII digits is returned unchanged.
pub fn group_digits(digits: &str, grouping: Grouping) -> String {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits.to_owned();
    }
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 2);
    for (i, c) in digits.chars().enumerate() {
        // How many digits follow this one.
        let rest = n - i - 1;
        out.push(c);
        let boundary = match grouping {
            Grouping::Thousands => rest > 0 && rest.is_multiple_of(3),
            Grouping::Indian => rest == 3 || (rest > 3 && (rest - 3).is_multiple_of(2)),
        };
        if boundary {
            out.push(',');
        }
    }
    out
}

/// The amount's decimal text without trailing zeros, as `(integer, fraction)`; a fraction is
/// padded to two places (the minor unit of AED, INR and USD), never cut.
fn parts(amount: Decimal) -> (String, String) {
    let text = amount.normalize().to_string();
    match text.split_once('.') {
        None => (text, String::new()),
        Some((int, frac)) => {
            let mut frac = frac.to_owned();
            while frac.len() < 2 {
                frac.push('0');
            }
            (int.to_owned(), frac)
        }
    }
}

impl Money {
    /// The amount grouped for its currency and followed by its code: `2,00,00,000 INR`,
    /// `1,500,000.50 AED`. Every digit of the amount is kept; a fraction has at least two places.
    ///
    /// ```
    /// use compliance_domain::Money;
    /// assert_eq!(Money::parse("20000000", "INR")?.grouped(), "2,00,00,000 INR");
    /// assert_eq!(Money::parse("1000000", "USD")?.grouped(), "1,000,000 USD");
    /// assert_eq!(Money::parse("1234.5", "AED")?.grouped(), "1,234.50 AED");
    /// # Ok::<(), compliance_domain::MoneyError>(())
    /// ```
    pub fn grouped(&self) -> String {
        let (int, frac) = parts(self.amount());
        let int = group_digits(&int, Grouping::of(self.currency()));
        if frac.is_empty() {
            format!("{int} {}", self.currency())
        } else {
            format!("{int}.{frac} {}", self.currency())
        }
    }

    /// For rupees of a lakh (1,00,000) or more, the amount in lakh or crore as an Indian reader
    /// says it: `2 crore`, `7.5 crore`, `50 lakh`; "about" when two decimals do not hold it
    /// exactly. `None` for other currencies and smaller amounts.
    ///
    /// ```
    /// use compliance_domain::Money;
    /// assert_eq!(Money::parse("20000000", "INR")?.in_lakh_crore().as_deref(), Some("2 crore"));
    /// assert_eq!(Money::parse("75000000", "INR")?.in_lakh_crore().as_deref(), Some("7.5 crore"));
    /// assert_eq!(Money::parse("5000000", "INR")?.in_lakh_crore().as_deref(), Some("50 lakh"));
    /// assert_eq!(Money::parse("23456789", "INR")?.in_lakh_crore().as_deref(), Some("about 2.35 crore"));
    /// assert_eq!(Money::parse("20000000", "USD")?.in_lakh_crore(), None);
    /// # Ok::<(), compliance_domain::MoneyError>(())
    /// ```
    pub fn in_lakh_crore(&self) -> Option<String> {
        if self.currency() != Currency::INR {
            return None;
        }
        let amount = self.amount();
        let (unit, word) = if amount >= Decimal::from(10_000_000) {
            (Decimal::from(10_000_000), "crore")
        } else if amount >= Decimal::from(100_000) {
            (Decimal::from(100_000), "lakh")
        } else {
            return None;
        };
        let exact = amount / unit;
        let shown = exact.round_dp(2);
        let about = if shown == exact { "" } else { "about " };
        let (int, frac) = parts(shown);
        let number = if frac.is_empty() {
            group_digits(&int, Grouping::Indian)
        } else {
            // "7.5", not "7.50": the words read as a count, not as money.
            format!(
                "{}.{}",
                group_digits(&int, Grouping::Indian),
                frac.trim_end_matches('0')
            )
        };
        Some(format!("{about}{number} {word}"))
    }

    /// [`Money::grouped`], with the lakh or crore words after it when there are some:
    /// `2,00,00,000 INR (2 crore)`, `1,000,000 USD`.
    pub fn for_reading(&self) -> String {
        match self.in_lakh_crore() {
            Some(words) => format!("{} ({words})", self.grouped()),
            None => self.grouped(),
        }
    }
}

/// `text` with every amount written as digits and a currency code (`20000000 INR`,
/// `1000000.50 USD`) rewritten as [`Money::for_reading`] writes it (`2,00,00,000 INR (2 crore)`);
/// everything else, and anything that is not a valid amount, left as it is. For sentences
/// written before amounts were grouped (a decision's stored reasons), shown without changing
/// what is stored.
///
/// ```
/// use compliance_domain::amounts_for_reading;
/// assert_eq!(
///     amounts_for_reading("income of at least 20000000 INR, or 1000000 USD; 42 cases"),
///     "income of at least 2,00,00,000 INR (2 crore), or 1,000,000 USD; 42 cases"
/// );
/// ```
pub fn amounts_for_reading(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 16);
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let starts = bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric());
        if !starts {
            i += 1;
            continue;
        }
        let mut end = i;
        while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
            end += 1;
        }
        // A number, one space, three capitals, then nothing alphanumeric.
        let code = end + 1..end + 4;
        let found = bytes.get(end) == Some(&b' ')
            && bytes
                .get(code.clone())
                .is_some_and(|c| c.iter().all(u8::is_ascii_uppercase))
            && bytes
                .get(code.end)
                .is_none_or(|b| !b.is_ascii_alphanumeric());
        let money = found
            .then(|| Money::parse(&text[i..end], &text[code.clone()]).ok())
            .flatten();
        match money {
            Some(m) => {
                out.push_str(&text[copied..i]);
                out.push_str(&m.for_reading());
                copied = code.end;
                i = code.end;
            }
            None => i = end,
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn money(amount: &str, currency: &str) -> Money {
        Money::parse(amount, currency).unwrap()
    }

    #[test]
    fn the_examples_of_each_locale() {
        for (amount, currency, text) in [
            ("0", "USD", "0 USD"),
            ("999", "INR", "999 INR"),
            ("1000", "INR", "1,000 INR"),
            ("100000", "INR", "1,00,000 INR"),
            ("20000000", "INR", "2,00,00,000 INR"),
            ("123456789012", "INR", "1,23,45,67,89,012 INR"),
            ("1000000", "USD", "1,000,000 USD"),
            (
                "999999999999999.9999",
                "AED",
                "999,999,999,999,999.9999 AED",
            ),
            ("0.5", "AED", "0.50 AED"),
            ("12.3400", "USD", "12.34 USD"),
        ] {
            assert_eq!(
                money(amount, currency).grouped(),
                text,
                "{amount} {currency}"
            );
        }
        assert_eq!(
            money("20000000", "INR").for_reading(),
            "2,00,00,000 INR (2 crore)"
        );
        assert_eq!(money("99999", "INR").in_lakh_crore(), None);
        assert_eq!(
            money("1230000000000", "INR").in_lakh_crore().as_deref(),
            Some("1,23,000 crore")
        );
    }

    #[test]
    fn amounts_in_a_sentence_are_grouped_and_nothing_else_changes() {
        for (text, read) in [
            (
                "at least 20000000 INR.",
                "at least 2,00,00,000 INR (2 crore).",
            ),
            (
                "above 1000000 USD and 5000000 AED",
                "above 1,000,000 USD and 5,000,000 AED",
            ),
            ("1234.5 USD", "1,234.50 USD"),
            ("score 61/100, 3 red flags", "score 61/100, 3 red flags"),
            ("v2 1000 XYZ", "v2 1000 XYZ"),
            ("1000 USDT", "1000 USDT"),
            ("A1000 USD", "A1000 USD"),
            ("1.2.3 USD", "1.2.3 USD"),
            ("Ünïcödé 5000 INR ✓", "Ünïcödé 5,000 INR ✓"),
            ("", ""),
        ] {
            assert_eq!(amounts_for_reading(text), read, "{text}");
        }
    }

    #[test]
    fn what_is_not_digits_is_left_alone() {
        assert_eq!(group_digits("", Grouping::Indian), "");
        assert_eq!(group_digits("12a4567", Grouping::Thousands), "12a4567");
        assert_eq!(group_digits("-1000", Grouping::Thousands), "-1000");
    }

    /// Any amount Money accepts: up to 15 integer digits and 4 decimals.
    fn amounts() -> impl Strategy<Value = Decimal> {
        let int = prop_oneof![0i64..1_000, 0i64..10_000_000, 0i64..1_000_000_000_000_000];
        (int, 0i64..10_000, 0u32..=4).prop_map(|(int, frac, scale)| {
            Decimal::new(int, 0) + Decimal::new(frac % 10i64.pow(scale), scale)
        })
    }

    fn currencies() -> impl Strategy<Value = Currency> {
        prop::sample::select(vec![Currency::INR, Currency::AED, Currency::USD])
    }

    proptest! {
        /// A sentence with no amount comes back unchanged; one with amounts comes back with the
        /// same text once the separators and the lakh/crore words are taken out.
        #[test]
        fn rewriting_sentences_only_groups_amounts(
            words in prop::collection::vec("[a-zA-Z,;.:/ ]{0,12}", 0..6),
            amounts in prop::collection::vec((amounts().prop_map(|a| a.trunc()), currencies()), 0..4),
        ) {
            let mut text = String::new();
            for (i, w) in words.iter().enumerate() {
                text.push_str(w);
                if let Some((a, c)) = amounts.get(i) {
                    text.push_str(&format!(" {} {c} ", a.normalize()));
                }
            }
            let read = amounts_for_reading(&text);
            if amounts.is_empty() || words.is_empty() {
                prop_assert_eq!(&read, &text);
            }
            let mut bare = read.clone();
            while let Some(open) = bare.find(" (") {
                let close = bare[open..].find(')').map_or(bare.len(), |c| open + c + 1);
                bare.replace_range(open..close, "");
            }
            prop_assert_eq!(bare.replace(',', ""), text.replace(',', ""));
        }

        /// Taking the separators and the code away gives back the very amount: nothing is
        /// rounded, dropped or added.
        #[test]
        fn grouping_keeps_every_digit(amount in amounts(), currency in currencies()) {
            let m = Money::new(amount, currency).unwrap();
            let text = m.grouped();
            let suffix = format!(" {currency}");
            prop_assert!(text.ends_with(&suffix));
            let bare: String = text[..text.len() - suffix.len()].chars().filter(|c| *c != ',').collect();
            prop_assert_eq!(bare.parse::<Decimal>().unwrap(), amount);
        }

        /// The groups are the locale's: thousands are threes; Indian is a three at the end and
        /// twos before it; the first group is never empty, never too long, and has no leading
        /// zero unless it is the only digit.
        #[test]
        fn groups_have_the_locales_sizes(amount in amounts(), currency in currencies()) {
            let text = Money::new(amount, currency).unwrap().grouped();
            let int = text.split([' ', '.']).next().unwrap();
            let groups: Vec<&str> = int.split(',').collect();
            let (last, before) = groups.split_last().unwrap();
            if groups.len() > 1 {
                prop_assert_eq!(last.len(), 3);
            }
            let size = if currency == Currency::INR { 2 } else { 3 };
            if let Some((first, middle)) = before.split_first() {
                prop_assert!((1..=size).contains(&first.len()), "first group {first} of {text}");
                prop_assert!(!first.starts_with('0'));
                for g in middle {
                    prop_assert_eq!(g.len(), size, "{}", text);
                }
            }
        }

        /// Grouping is a function of the digits alone: the same digits group the same way
        /// whatever follows the decimal point.
        #[test]
        fn the_fraction_does_not_change_the_groups(
            units in 0i64..1_000_000_000_000_000,
            frac in 1i64..10_000,
            currency in currencies(),
        ) {
            let whole = Money::new(Decimal::new(units, 0), currency).unwrap().grouped();
            let with_fraction = Decimal::new(units, 0) + Decimal::new(frac, 4);
            let text = Money::new(with_fraction, currency).unwrap().grouped();
            prop_assert_eq!(text.split('.').next(), whole.split(' ').next());
        }

        /// The words say the same amount as the digits, to two decimals of a lakh or crore, and
        /// say "about" exactly when they round.
        #[test]
        fn lakh_and_crore_say_the_amount(amount in amounts()) {
            let m = Money::new(amount, Currency::INR).unwrap();
            match m.in_lakh_crore() {
                None => prop_assert!(amount < Decimal::from(100_000)),
                Some(words) => {
                    let about = words.starts_with("about ");
                    let words = words.trim_start_matches("about ");
                    let (number, unit) = words.split_once(' ').unwrap();
                    let unit = match unit { "crore" => 10_000_000, "lakh" => 100_000, other => panic!("{other}") };
                    let said: Decimal = number.replace(',', "").parse().unwrap();
                    let exact = amount / Decimal::from(unit);
                    prop_assert_eq!(said, exact.round_dp(2));
                    prop_assert_eq!(about, said != exact);
                }
            }
        }
    }
}
