//! Reading a rule's `parameters` JSON object field by field, so that every refusal names the
//! exact field: a missing one, an unexpected one, or a value of the wrong type or range.
//!
//! Must not: guess. No field has a default, numbers are never read from strings or floats, and
//! money is read only from `{"amount": "<decimal string>", "currency": "<ISO 4217>"}`.

use crate::error::{FieldError, Problem, echo};
use compliance_domain::{CheckStatus, Money, TextForm};
use serde_json::{Map, Value};

/// What kind of JSON value this is, for messages.
fn found(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(crate) fn wrong(path: &str, expected: &'static str, value: &Value) -> FieldError {
    FieldError::new(
        path,
        Problem::WrongType {
            expected,
            found: found(value),
        },
    )
}

/// A JSON object being read, with its path (`parameters`, `parameters.individual[0]`).
pub(crate) struct Object<'a> {
    path: String,
    map: &'a Map<String, Value>,
}

impl<'a> Object<'a> {
    /// Reads `value` as an object whose keys are all among `allowed` (for messages, the keys
    /// belong to rule kind `kind`).
    pub(crate) fn read(
        value: &'a Value,
        path: impl Into<String>,
        allowed: &[&str],
        kind: &'static str,
    ) -> Result<Self, FieldError> {
        let path = path.into();
        let Value::Object(map) = value else {
            return Err(wrong(&path, "a JSON object", value));
        };
        if let Some(key) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(FieldError::new(
                format!("{path}.{}", key.chars().take(40).collect::<String>()),
                Problem::Unexpected { kind },
            ));
        }
        Ok(Self { path, map })
    }

    /// The path of one of this object's fields.
    pub(crate) fn path_of(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    /// A required field.
    pub(crate) fn field(&self, key: &str) -> Result<&'a Value, FieldError> {
        self.map
            .get(key)
            .ok_or_else(|| FieldError::new(self.path_of(key), Problem::Missing))
    }

    /// An optional field: absent and `null` both mean "not given".
    pub(crate) fn optional(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A required string field.
    pub(crate) fn str(&self, key: &str) -> Result<&'a str, FieldError> {
        let value = self.field(key)?;
        value
            .as_str()
            .ok_or_else(|| wrong(&self.path_of(key), "a JSON string", value))
    }

    /// A required boolean field.
    pub(crate) fn bool(&self, key: &str) -> Result<bool, FieldError> {
        let value = self.field(key)?;
        value
            .as_bool()
            .ok_or_else(|| wrong(&self.path_of(key), "true or false", value))
    }

    /// A required array field.
    pub(crate) fn array(&self, key: &str) -> Result<&'a [Value], FieldError> {
        let value = self.field(key)?;
        value
            .as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| wrong(&self.path_of(key), "a JSON array", value))
    }

    /// A required integer field within `range`; `expected` describes the range for messages.
    pub(crate) fn integer(
        &self,
        key: &str,
        range: std::ops::RangeInclusive<i64>,
        expected: &'static str,
    ) -> Result<i64, FieldError> {
        let path = self.path_of(key);
        let value = self.field(key)?;
        let Value::Number(number) = value else {
            return Err(wrong(&path, expected, value));
        };
        match number.as_i64() {
            Some(n) if range.contains(&n) => Ok(n),
            _ => Err(FieldError::new(
                path,
                Problem::OutOfRange {
                    expected,
                    got: number.to_string().chars().take(40).collect(),
                },
            )),
        }
    }

    /// A required status field whose value must be one of `allowed`.
    pub(crate) fn status(
        &self,
        key: &str,
        allowed: &[CheckStatus],
        expected: &'static str,
    ) -> Result<CheckStatus, FieldError> {
        let path = self.path_of(key);
        let text = self.str(key)?;
        match text.parse::<CheckStatus>() {
            Ok(status) if allowed.contains(&status) => Ok(status),
            _ => Err(FieldError::new(
                path,
                Problem::OutOfRange {
                    expected,
                    got: echo(text),
                },
            )),
        }
    }
}

/// Reads a list of canonical text forms (`["passport", "tax_id"]`), refusing unknown values and
/// repeats.
pub(crate) fn text_forms<T: TextForm + PartialEq>(
    values: &[Value],
    path: &str,
) -> Result<Vec<T>, FieldError> {
    let mut out: Vec<T> = Vec::with_capacity(values.len());
    for (i, value) in values.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        let text = value
            .as_str()
            .ok_or_else(|| wrong(&item_path, "a JSON string", value))?;
        let parsed =
            T::parse_text(text).map_err(|e| FieldError::new(&item_path, Problem::invalid(e)))?;
        if out.contains(&parsed) {
            return Err(FieldError::new(
                path,
                Problem::Duplicate {
                    value: parsed.as_str().to_owned(),
                },
            ));
        }
        out.push(parsed);
    }
    Ok(out)
}

/// Reads money: `{"amount": "1000000", "currency": "USD"}`, the amount a decimal string.
pub(crate) fn money(value: &Value, path: &str) -> Result<Money, FieldError> {
    let object = Object::read(value, path, &["amount", "currency"], "money")?;
    let amount = object.field("amount")?;
    let Value::String(amount) = amount else {
        return Err(wrong(
            &object.path_of("amount"),
            "a decimal string such as \"1000000\" (never a JSON number, which readers may turn into a float)",
            amount,
        ));
    };
    let amount = Money::parse_amount(amount)
        .map_err(|e| FieldError::new(object.path_of("amount"), Problem::invalid(e)))?;
    let currency = object.str("currency")?;
    let currency = compliance_domain::Currency::parse(currency)
        .map_err(|e| FieldError::new(object.path_of("currency"), Problem::invalid(e)))?;
    Money::new(amount, currency).map_err(|e| FieldError::new(path, Problem::invalid(e)))
}

/// Writes money in the shape [`money`] reads.
pub(crate) fn money_json(money: &Money) -> Value {
    serde_json::json!({
        "amount": money.amount().to_string(),
        "currency": money.currency().as_str(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn money_must_be_a_decimal_string() {
        let ok = money(&json!({"amount": "1000000.00", "currency": "USD"}), "p").unwrap();
        assert_eq!(ok, Money::parse("1000000", "USD").unwrap());
        let err = money(&json!({"amount": 1000000.5, "currency": "USD"}), "p").unwrap_err();
        assert_eq!(err.field, "p.amount");
        assert!(matches!(
            err.problem,
            Problem::WrongType {
                found: "a number",
                ..
            }
        ));
        let err = money(&json!({"amount": "-1", "currency": "USD"}), "p").unwrap_err();
        assert_eq!(err.field, "p.amount");
        let err = money(&json!({"amount": "1", "currency": "usd"}), "p").unwrap_err();
        assert_eq!(err.field, "p.currency");
        let err = money(&json!({"amount": "1"}), "p").unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.problem),
            ("p.currency", Problem::Missing)
        );
        let err = money(&json!({"amount": "1", "currency": "USD", "fx": 1}), "p").unwrap_err();
        assert_eq!(err.field, "p.fx");
    }

    #[test]
    fn integers_are_not_read_from_strings_or_floats() {
        let value = json!({"a": "5", "b": 5.0, "c": 101, "d": 7});
        let object = Object::read(&value, "p", &["a", "b", "c", "d"], "test").unwrap();
        let read = |k| object.integer(k, 1..=100, "an integer from 1 to 100");
        assert!(matches!(
            read("a").unwrap_err().problem,
            Problem::WrongType { .. }
        ));
        assert!(matches!(
            read("b").unwrap_err().problem,
            Problem::OutOfRange { .. }
        ));
        assert!(matches!(
            read("c").unwrap_err().problem,
            Problem::OutOfRange { .. }
        ));
        assert_eq!(read("d").unwrap(), 7);
        assert_eq!(read("e").unwrap_err().problem, Problem::Missing);
    }

    #[test]
    fn lists_refuse_repeats_and_unknown_values() {
        use compliance_domain::DocumentKind;
        let ok: Vec<DocumentKind> = text_forms(&[json!("passport"), json!("tax_id")], "d").unwrap();
        assert_eq!(ok, [DocumentKind::Passport, DocumentKind::TaxId]);
        let err = text_forms::<DocumentKind>(&[json!("passport"), json!("passport")], "d");
        assert!(matches!(
            err.unwrap_err().problem,
            Problem::Duplicate { .. }
        ));
        let err = text_forms::<DocumentKind>(&[json!("selfie")], "d").unwrap_err();
        assert_eq!(err.field, "d[0]");
    }
}
