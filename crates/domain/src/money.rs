//! Money: a `rust_decimal::Decimal` amount with an ISO 4217 currency. Never a float.
//!
//! Must not: convert between currencies. There is no exchange rate in the domain; comparing
//! amounts in two currencies is a [`MoneyError::CurrencyMismatch`], never a guess.

use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::fmt;

/// ISO 4217 codes of the currencies in circulation (2025 list; `XCG` replaced `ANG`, `ZWG`
/// replaced `ZWL`, `SLE` replaced `SLL`). Sorted, for binary search.
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN",
    "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF",
    "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP",
    "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD",
    "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY",
    "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD",
    "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK",
    "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK",
    "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG",
    "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS",
    "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VED",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

/// An ISO 4217 currency code in circulation, e.g. `USD`.
///
/// ```
/// use compliance_domain::Currency;
/// assert_eq!(Currency::parse("INR")?, Currency::INR);
/// assert!(Currency::parse("usd").is_err());
/// assert!(Currency::parse("XYZ").is_err());
/// # Ok::<(), compliance_domain::MoneyError>(())
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "&'static str")]
pub struct Currency(&'static str);

impl Currency {
    /// UAE dirham.
    pub const AED: Currency = Currency("AED");
    /// Indian rupee.
    pub const INR: Currency = Currency("INR");
    /// US dollar.
    pub const USD: Currency = Currency("USD");

    /// Parses an upper-case ISO 4217 code in circulation.
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        ISO_4217
            .binary_search(&code)
            .map(|i| Currency(ISO_4217[i]))
            .map_err(|_| MoneyError::UnknownCurrency {
                code: code.chars().take(8).collect(),
            })
    }

    /// Every currency accepted, in code order.
    pub fn all() -> impl Iterator<Item = Currency> {
        ISO_4217.iter().map(|code| Currency(code))
    }

    /// The three-letter code.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        Self::parse(&code)
    }
}

impl From<Currency> for &'static str {
    fn from(currency: Currency) -> Self {
        currency.0
    }
}

impl std::str::FromStr for Currency {
    type Err = MoneyError;
    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::parse(code)
    }
}

/// Why an amount or a currency was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Not an upper-case ISO 4217 code in circulation.
    #[error(
        "unknown currency {code:?}: expected an upper-case ISO 4217 code such as AED, INR or USD"
    )]
    UnknownCurrency {
        /// The rejected code, cut to 8 characters.
        code: String,
    },
    /// Below zero: amounts here are wealth, income and thresholds.
    #[error("amount must not be negative")]
    Negative,
    /// More than [`Money::MAX_SCALE`] decimal places.
    #[error("amount has {scale} decimal places; at most {max} are kept", max = Money::MAX_SCALE)]
    TooPrecise {
        /// The decimal places given.
        scale: u32,
    },
    /// At or above 10^15 (the database refuses it too).
    #[error("amount is too large: it must be below 10^15")]
    TooLarge,
    /// Not a decimal number.
    #[error("amount is not a decimal number: {reason}")]
    NotANumber {
        /// What the decimal parser said.
        reason: String,
    },
    /// Two amounts in different currencies were compared.
    #[error("cannot compare {left} with {right}: amounts are in different currencies")]
    CurrencyMismatch {
        /// The currency of the left-hand amount.
        left: Currency,
        /// The currency of the right-hand amount.
        right: Currency,
    },
}

/// A non-negative amount of money in one currency.
///
/// At most 4 decimal places and below 10^15, the same rule as the database's CHECK on every
/// amount column (which refuses, rather than rounds, a fifth decimal). Amounts are personal data
/// when they describe an investor: error messages never show them, and `Debug` redacts them
/// (`Money { amount: <redacted>, currency: USD }`), so that a value logged with `{:?}`, or
/// a struct holding one, leaks nothing. [`Money::amount`] and `Display` give the amount to the
/// code that must show it.
///
/// ```
/// use compliance_domain::{Currency, Money};
/// use std::cmp::Ordering;
/// let net_worth = Money::parse("1500000.00", "USD")?;
/// let threshold = Money::parse("1000000", "USD")?;
/// assert_eq!(net_worth.compare(&threshold)?, Ordering::Greater);
/// assert!(net_worth.compare(&Money::parse("1", "INR")?).is_err());
/// assert!(Money::parse("-1", "USD").is_err());
/// # Ok::<(), compliance_domain::MoneyError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "MoneyRepr", into = "MoneyRepr")]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// Decimal places kept.
    pub const MAX_SCALE: u32 = 4;

    /// Builds an amount, refusing negative, over-precise or too large values.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        Ok(Self {
            amount: Self::check_amount(amount)?,
            currency,
        })
    }

    /// Parses a decimal amount (`"1500000.00"`) and a currency code (`"USD"`).
    pub fn parse(amount: &str, currency: &str) -> Result<Self, MoneyError> {
        let currency = Currency::parse(currency)?;
        Ok(Self {
            amount: Self::parse_amount(amount)?,
            currency,
        })
    }

    /// Parses an amount on its own, with the same rules as [`Money::new`].
    pub fn parse_amount(text: &str) -> Result<Decimal, MoneyError> {
        let amount: Decimal =
            text.trim()
                .parse()
                .map_err(|e: rust_decimal::Error| MoneyError::NotANumber {
                    reason: e.to_string(),
                })?;
        Self::check_amount(amount)
    }

    fn check_amount(amount: Decimal) -> Result<Decimal, MoneyError> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(MoneyError::Negative);
        }
        // Trailing zeros do not make an amount more precise than it is: 1.50000 is 1.5.
        let amount = amount.normalize();
        if amount.scale() > Self::MAX_SCALE {
            return Err(MoneyError::TooPrecise {
                scale: amount.scale(),
            });
        }
        if amount >= Decimal::from(1_000_000_000_000_000_i64) {
            return Err(MoneyError::TooLarge);
        }
        Ok(amount)
    }

    /// The amount.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Orders two amounts of the same currency; different currencies are an error.
    pub fn compare(&self, other: &Money) -> Result<Ordering, MoneyError> {
        if self.currency == other.currency {
            Ok(self.amount.cmp(&other.amount))
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }

    /// True when this amount is at least `threshold`, in the same currency.
    pub fn meets(&self, threshold: &Money) -> Result<bool, MoneyError> {
        self.compare(threshold).map(Ordering::is_ge)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Money")
            .field("amount", &format_args!("<redacted>"))
            .field("currency", &self.currency)
            .finish()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// The serde shape of [`Money`]: `{"amount": "1500000.00", "currency": "USD"}`, the amount as a
/// string so that no JSON reader turns it into a float.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MoneyRepr {
    amount: Decimal,
    currency: String,
}

impl TryFrom<MoneyRepr> for Money {
    type Error = MoneyError;
    fn try_from(repr: MoneyRepr) -> Result<Self, Self::Error> {
        Money::new(repr.amount, Currency::parse(&repr.currency)?)
    }
}

impl From<Money> for MoneyRepr {
    fn from(money: Money) -> Self {
        MoneyRepr {
            amount: money.amount,
            currency: money.currency.as_str().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn iso_list_is_sorted_and_well_formed() {
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]));
        assert!(
            ISO_4217
                .iter()
                .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
        );
        for c in [Currency::AED, Currency::INR, Currency::USD] {
            assert_eq!(Currency::parse(c.as_str()), Ok(c));
        }
    }

    #[test]
    fn limits() {
        assert_eq!(
            Money::parse("1.23456", "USD"),
            Err(MoneyError::TooPrecise { scale: 5 })
        );
        assert!(Money::parse("1.23450", "USD").is_ok());
        assert_eq!(
            Money::parse("1000000000000000", "USD"),
            Err(MoneyError::TooLarge)
        );
        assert!(Money::parse("999999999999999.9999", "USD").is_ok());
        assert_eq!(Money::parse("-0.01", "USD"), Err(MoneyError::Negative));
        assert!(Money::parse("0", "USD").is_ok());
        assert!(matches!(
            Money::parse("1e3x", "USD"),
            Err(MoneyError::NotANumber { .. })
        ));
    }

    #[test]
    fn serde_shape() {
        let m = Money::parse("2500000.50", "INR").unwrap();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"amount":"2500000.5","currency":"INR"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
        assert!(serde_json::from_str::<Money>(r#"{"amount":"-5","currency":"INR"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount":"5","currency":"inr"}"#).is_err());
    }

    #[test]
    fn debug_redacts_the_amount_and_keeps_the_currency() {
        let m = Money::parse("123456.78", "USD").unwrap();
        let debug = format!("{m:?}");
        assert_eq!(debug, "Money { amount: <redacted>, currency: USD }");
        assert!(!format!("{m:#?}").contains("123456"));
    }

    #[test]
    fn messages_do_not_repeat_amounts() {
        let err = Money::parse("-123456.78", "USD").unwrap_err();
        assert!(!err.to_string().contains("123456"), "{err}");
    }

    proptest! {
        #[test]
        fn comparison_agrees_with_decimal(a in 0i64..1_000_000_000, b in 0i64..1_000_000_000, scale in 0u32..=4) {
            let ma = Money::new(Decimal::new(a, scale), Currency::USD).unwrap();
            let mb = Money::new(Decimal::new(b, scale), Currency::USD).unwrap();
            prop_assert_eq!(ma.compare(&mb).unwrap(), a.cmp(&b));
        }

        #[test]
        fn json_round_trip(units in 0i64..1_000_000_000_000, scale in 0u32..=4) {
            let m = Money::new(Decimal::new(units, scale), Currency::AED).unwrap();
            let back: Money = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
            prop_assert_eq!(back, m);
        }
    }
}
