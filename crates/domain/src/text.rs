//! The one canonical text form of every domain enum: parsing, printing and serde all go through it.
//!
//! Must not: accept a second spelling (other case, aliases, surrounding spaces). The database
//! stores exactly this form and its CHECK constraints list exactly these values.

/// A text that is not one of an enum's canonical forms.
///
/// The message names the bad value (shortened, control characters escaped) and every accepted one:
///
/// ```
/// use compliance_domain::Jurisdiction;
/// let err = "UK".parse::<Jurisdiction>().unwrap_err();
/// assert_eq!(err.to_string(), r#"invalid jurisdiction "UK": expected one of AE, IN, US"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} {value:?}: expected one of {}", expected.join(", "))]
pub struct UnknownVariant {
    /// What was being parsed, e.g. `jurisdiction`.
    pub kind: &'static str,
    /// The rejected input, cut to at most [`UnknownVariant::MAX_ECHO`] characters.
    pub value: String,
    /// Every accepted form, in declaration order.
    pub expected: &'static [&'static str],
}

impl UnknownVariant {
    /// How much of a rejected input an error repeats: enough to recognise a typo, too little to
    /// carry a pasted document into a log line.
    pub const MAX_ECHO: usize = 40;

    pub(crate) fn new(kind: &'static str, value: &str, expected: &'static [&'static str]) -> Self {
        Self {
            kind,
            value: value.chars().take(Self::MAX_ECHO).collect(),
            expected,
        }
    }
}

/// An enum with one canonical text form per variant (the form the database stores).
///
/// Implemented through [`text_form!`](crate::text_form) together with `FromStr`, `Display`,
/// `Serialize` and `Deserialize`, so that the four can never disagree.
pub trait TextForm:
    Copy + strum::VariantArray + strum::VariantNames + Into<&'static str> + 'static
{
    /// What the type is called in error messages, e.g. `jurisdiction`.
    const KIND: &'static str;

    /// The canonical text form of this value.
    fn as_str(self) -> &'static str {
        self.into()
    }

    /// Parses exactly one of the canonical forms; anything else is an [`UnknownVariant`].
    fn parse_text(text: &str) -> Result<Self, UnknownVariant> {
        <Self as strum::VariantArray>::VARIANTS
            .iter()
            .copied()
            .find(|variant| variant.as_str() == text)
            .ok_or_else(|| {
                UnknownVariant::new(Self::KIND, text, <Self as strum::VariantNames>::VARIANTS)
            })
    }
}

/// Declares a domain enum with one canonical text form per variant: the derives every such
/// enum shares (equality, order, hashing, and strum's variant list, names and `&'static str`
/// conversion) and [`text_form!`](crate::text_form). The enum's `#[strum(...)]` attributes are
/// the single place its text forms are written.
#[macro_export]
#[doc(hidden)]
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident as $kind:literal { $($body:tt)* }
    ) => {
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            strum::VariantArray,
            strum::VariantNames,
            strum::IntoStaticStr,
        )]
        $(#[$meta])*
        $vis enum $name { $($body)* }

        $crate::text_form!($name, $kind);
    };
}

/// Implements [`TextForm`] and, in its terms, `FromStr`, `Display`, `Serialize` and `Deserialize`.
///
/// The type derives `strum::VariantArray`, `strum::VariantNames` and `strum::IntoStaticStr`, whose
/// `serialize` / `serialize_all` attributes are the single place the text forms are written.
#[macro_export]
#[doc(hidden)]
macro_rules! text_form {
    ($type:ty, $kind:literal) => {
        impl $crate::TextForm for $type {
            const KIND: &'static str = $kind;
        }

        impl ::std::str::FromStr for $type {
            type Err = $crate::UnknownVariant;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                <Self as $crate::TextForm>::parse_text(text)
            }
        }

        impl ::std::fmt::Display for $type {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::TextForm::as_str(*self))
            }
        }

        impl ::serde::Serialize for $type {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str($crate::TextForm::as_str(*self))
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $type {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                <Self as $crate::TextForm>::parse_text(&text).map_err(::serde::de::Error::custom)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::{TextForm, UnknownVariant};
    use crate::*;
    use proptest::prelude::*;
    use serde::{Serialize, de::DeserializeOwned};
    use std::fmt::{Debug, Display};
    use std::str::FromStr;

    /// Every domain enum with a text form, so that the properties below cover each one.
    macro_rules! for_every_text_enum {
        ($check:ident) => {
            $check::<Jurisdiction>()?;
            $check::<EntityType>()?;
            $check::<CheckStatus>()?;
            $check::<RiskLevel>()?;
            $check::<DocumentKind>()?;
            $check::<RedFlag>()?;
            $check::<WatchlistKind>()?;
            $check::<Stage>()?;
            $check::<Role>()?;
            $check::<Verdict>()?;
            $check::<AuditAction>()?;
            $check::<SubjectKind>()?;
            $check::<blockchain::WatchKind>()?;
            $check::<blockchain::Direction>()?;
        };
    }

    fn round_trips<T>() -> Result<(), TestCaseError>
    where
        T: TextForm
            + Debug
            + PartialEq
            + Display
            + FromStr<Err = UnknownVariant>
            + Serialize
            + DeserializeOwned,
    {
        for variant in <T as strum::VariantArray>::VARIANTS {
            let text = variant.to_string();
            prop_assert_eq!(text.as_str(), variant.as_str());
            prop_assert_eq!(&text.parse::<T>()?, variant);
            let json = serde_json::to_string(variant).unwrap();
            prop_assert_eq!(&json, &format!("\"{text}\""));
            prop_assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), variant);
        }
        Ok(())
    }

    #[test]
    fn every_enum_round_trips_through_its_text_form() {
        (|| -> Result<(), TestCaseError> {
            for_every_text_enum!(round_trips);
            Ok(())
        })()
        .unwrap();
    }

    fn accepts_exactly_the_canonical_forms<T>(text: &str) -> Result<(), TestCaseError>
    where
        T: TextForm + Debug + DeserializeOwned,
    {
        let canonical = <T as strum::VariantNames>::VARIANTS.contains(&text);
        match T::parse_text(text) {
            Ok(v) => prop_assert!(canonical && v.as_str() == text),
            Err(e) => {
                prop_assert!(!canonical);
                prop_assert_eq!(e.kind, T::KIND);
                prop_assert_eq!(e.expected, <T as strum::VariantNames>::VARIANTS);
            }
        }
        // serde reads the same forms as FromStr, no more, no fewer.
        let json = serde_json::to_string(text).unwrap();
        prop_assert_eq!(serde_json::from_str::<T>(&json).is_ok(), canonical);
        Ok(())
    }

    proptest! {
        /// Any string, including near misses such as other cases or padding, parses only when it
        /// is exactly one of the canonical forms.
        #[test]
        fn parsing_accepts_exactly_the_canonical_forms(
            text in prop_oneof![
                any::<String>(),
                "[A-Za-z_ ]{2,20}",
                prop::sample::select(&["ae", " AE", "AE ", "Pending", "pending", "Individual", "low", "SANCTIONS"][..]).prop_map(str::to_owned),
            ]
        ) {
            let text = text.as_str();
            let check = |f: fn(&str) -> Result<(), TestCaseError>| f(text);
            check(accepts_exactly_the_canonical_forms::<Jurisdiction>)?;
            check(accepts_exactly_the_canonical_forms::<EntityType>)?;
            check(accepts_exactly_the_canonical_forms::<CheckStatus>)?;
            check(accepts_exactly_the_canonical_forms::<RiskLevel>)?;
            check(accepts_exactly_the_canonical_forms::<DocumentKind>)?;
            check(accepts_exactly_the_canonical_forms::<RedFlag>)?;
            check(accepts_exactly_the_canonical_forms::<WatchlistKind>)?;
            check(accepts_exactly_the_canonical_forms::<Stage>)?;
            check(accepts_exactly_the_canonical_forms::<Role>)?;
            check(accepts_exactly_the_canonical_forms::<Verdict>)?;
            check(accepts_exactly_the_canonical_forms::<AuditAction>)?;
            check(accepts_exactly_the_canonical_forms::<SubjectKind>)?;
            check(accepts_exactly_the_canonical_forms::<blockchain::WatchKind>)?;
            check(accepts_exactly_the_canonical_forms::<blockchain::Direction>)?;
        }
    }

    #[test]
    fn canonical_forms_of_the_four_core_enums() {
        assert_eq!(
            <Jurisdiction as strum::VariantNames>::VARIANTS,
            ["AE", "IN", "US"]
        );
        assert_eq!(
            <EntityType as strum::VariantNames>::VARIANTS,
            ["individual", "corporate", "fund"]
        );
        assert_eq!(
            <CheckStatus as strum::VariantNames>::VARIANTS,
            ["APPROVED", "PENDING", "ESCALATED", "REJECTED"]
        );
        assert_eq!(
            <RiskLevel as strum::VariantNames>::VARIANTS,
            ["LOW", "MEDIUM", "HIGH", "CRITICAL"]
        );
    }

    #[test]
    fn long_inputs_are_cut_in_the_message() {
        let long = "x".repeat(500);
        let err = UnknownVariant::new("jurisdiction", &long, &["AE"]);
        assert_eq!(err.value.chars().count(), UnknownVariant::MAX_ECHO);
        assert!(err.to_string().len() < 120, "{err}");
    }

    #[test]
    fn control_characters_are_escaped_in_the_message() {
        let err = UnknownVariant::new("jurisdiction", "A\nE", &["AE"]);
        assert!(err.to_string().contains(r#""A\nE""#), "{err}");
    }
}
