//! A screening subject as it arrives: `{"names": [...], "birth_date": "YYYY-MM-DD" or
//! "birth_year": YYYY, "countries": ["AE"], "identifiers": [{"kind": "passport", "value": "..."}],
//! "wallets": ["..."]}`, only `names` required.
//!
//! Must not: echo a value in an error (a subject is personal data): messages say what is
//! expected, paths say where.

use super::{InputError, across, check, date, parse_date, parsed, text_form};
use crate::subject::{self, limits};
use crate::{Identifier, IdentifierKind, Subject};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

/// One identifier as it arrives.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct IdentifierInput {
    /// `passport`, `national_id`, `registration_number`, `tax_id` or `other`.
    #[validate(custom(function = "identifier_kind"))]
    pub kind: String,
    /// The number, as written on the document.
    #[validate(custom(function = "identifier_value"))]
    pub value: String,
}

/// A screening subject as it arrives.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "one_birth"))]
pub struct SubjectInput {
    /// Names in any script, the primary first; 1 to 20.
    #[validate(length(min = 1, max = limits::NAMES), custom(function = "names"))]
    pub names: Vec<String>,
    /// The date of birth or incorporation, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "date"))]
    pub birth_date: Option<String>,
    /// The year of birth or incorporation, when the date is not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "a_year"))]
    pub birth_year: Option<i64>,
    /// Nationalities or countries, ISO 3166-1 alpha-2; at most 10.
    #[serde(default)]
    #[validate(length(max = limits::COUNTRIES), custom(function = "countries"))]
    pub countries: Vec<String>,
    /// Identifiers; at most 10.
    #[serde(default)]
    #[validate(length(max = limits::IDENTIFIERS), nested)]
    pub identifiers: Vec<IdentifierInput>,
    /// Wallet addresses; at most 20.
    #[serde(default)]
    #[validate(length(max = limits::WALLETS), custom(function = "wallets"))]
    pub wallets: Vec<String>,
}

// Personal data: never printed, even in a test failure.
impl std::fmt::Debug for SubjectInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SubjectInput {{ names: {}, .. }}", self.names.len())
    }
}
impl std::fmt::Debug for IdentifierInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdentifierInput {{ kind: {:?}, .. }}", self.kind)
    }
}

fn identifier_kind(text: &str) -> Result<(), ValidationError> {
    text_form::<IdentifierKind>(text)
}
fn identifier_value(text: &str) -> Result<(), ValidationError> {
    check(Identifier::new(IdentifierKind::Other, text))
}
fn names(names: &[String]) -> Result<(), ValidationError> {
    names.iter().try_for_each(|n| check(subject::check_name(n)))
}
fn countries(codes: &[String]) -> Result<(), ValidationError> {
    codes
        .iter()
        .try_for_each(|c| check(subject::check_country(c)))
}
fn wallets(addresses: &[String]) -> Result<(), ValidationError> {
    addresses
        .iter()
        .try_for_each(|a| check(subject::check_wallet(a)))
}
fn a_year(year: i64) -> Result<(), ValidationError> {
    if limits::YEARS.contains(&year) {
        Ok(())
    } else {
        Err(ValidationError::new("invalid").with_message("a year from 1800 to 2100".into()))
    }
}
fn one_birth(input: &SubjectInput) -> Result<(), ValidationError> {
    if input.birth_date.is_some() && input.birth_year.is_some() {
        return Err(across(
            "birth_year",
            "give the date of birth or the year, not both",
        ));
    }
    Ok(())
}

impl SubjectInput {
    /// The validated subject, or every field that failed.
    pub fn parse(&self) -> Result<Subject, InputError> {
        self.validate()?;
        let names = self
            .names
            .iter()
            .map(|n| parsed("names", subject::check_name(n)).map(str::to_owned))
            .collect::<Result<_, _>>()?;
        let birth_date = self
            .birth_date
            .as_deref()
            .map(|d| parsed("birth_date", parse_date(d)))
            .transpose()?;
        let birth_year = self
            .birth_year
            .map(|y| parsed("birth_year", i16::try_from(y)))
            .transpose()?;
        let identifiers = self
            .identifiers
            .iter()
            .map(|i| {
                let kind = parsed("identifiers", i.kind.parse::<IdentifierKind>())?;
                parsed("identifiers", Identifier::new(kind, &i.value))
            })
            .collect::<Result<_, _>>()?;
        Ok(Subject::from_checked(
            names,
            birth_date,
            birth_year,
            self.countries.clone(),
            identifiers,
            self.wallets.clone(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: serde_json::Value) -> Result<Subject, InputError> {
        serde_json::from_value::<SubjectInput>(value)
            .map_err(|e| InputError::field("subject", e))?
            .parse()
    }

    #[test]
    fn names_are_required_and_every_bad_field_is_reported_without_its_value() {
        let err = parse(json!({
            "names": [], "birth_date": "1961-13-01", "countries": ["ae"],
            "identifiers": [{"kind": "ssn", "value": "A1234567"}], "wallets": ["with space"]
        }))
        .unwrap_err();
        let paths: Vec<_> = err.fields.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "birth_date",
                "countries",
                "identifiers[0].kind",
                "names",
                "wallets"
            ]
        );
        let text = err.to_string();
        for secret in ["A1234567", "with space", "1961-13-01"] {
            assert!(!text.contains(secret), "{text}");
        }
    }

    #[test]
    fn a_date_and_a_year_together_are_refused() {
        let err = parse(json!({"names": ["A B"], "birth_date": "1961-03-01", "birth_year": 1961}))
            .unwrap_err();
        assert_eq!(err.fields[0].path, "birth_year");
    }

    #[test]
    fn a_stored_subject_reads_back_through_the_input() {
        let subject = parse(json!({
            "names": ["  Sergei Ivanov ", "Сергей Иванов"], "birth_date": "1961-03-12",
            "countries": ["RU"], "identifiers": [{"kind": "passport", "value": "75 1234567"}],
            "wallets": ["bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"]
        }))
        .unwrap();
        assert_eq!(subject.names()[0], "Sergei Ivanov");
        let stored = serde_json::to_value(&subject).unwrap();
        assert_eq!(parse(stored).unwrap(), subject);
    }
}
