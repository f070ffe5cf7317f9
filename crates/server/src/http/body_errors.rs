//! A body that is JSON but does not fit its request's schema, in the shape of an invalid
//! value's answer: one `{path, message}` in plain words (`kyc.verification_score`: "must be a
//! whole number"), read off serde_json's error classes and the path serde_path_to_error
//! tracked.
//!
//! Must not: echo a rejected value (a string, a number: it may be personal data or a secret),
//! name serde's or Rust's types (`i64`, `struct KycInput`), or give a line and column.

use compliance_domain::input::FieldError;

/// The longest key (an unknown or missing field's name) repeated in a path, in characters.
const MAX_KEY: usize = 64;

/// `error`, met deserializing a body, as the field it is about and what that field must be.
pub(super) fn field_error(error: &serde_path_to_error::Error<serde_json::Error>) -> FieldError {
    let mut path = String::new();
    let mut last_key = None;
    for segment in error.path().iter() {
        use serde_path_to_error::Segment;
        last_key = None;
        match segment {
            Segment::Seq { index } => path.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                push_key(&mut path, key);
                last_key = Some(key.as_str());
            }
            Segment::Unknown => {}
        }
    }
    let (field, message) = plain_words(&serde_message(error.inner()));
    // A missing field is not in the path yet; an unknown or duplicate one already is (its key
    // was read before it was refused).
    if let Some(field) = field.filter(|f| Some(f.as_str()) != last_key) {
        push_key(&mut path, &field);
    }
    FieldError { path, message }
}

/// `path` followed by the object key `key` (shortened past [`MAX_KEY`] characters).
fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    let mut chars = key.chars();
    path.extend(chars.by_ref().take(MAX_KEY));
    if chars.next().is_some() {
        path.push('…');
    }
}

/// serde_json's message without its " at line L column C".
fn serde_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    text.strip_suffix(&position).unwrap_or(&text).to_owned()
}

/// serde's message as (the field it names, if any, to append to the path; what is wrong, in
/// plain words).
fn plain_words(message: &str) -> (Option<String>, String) {
    if let Some(rest) = message.strip_prefix("missing field ") {
        return (Some(unquote(rest).to_owned()), "missing field".to_owned());
    }
    if let Some(rest) = message.strip_prefix("duplicate field ") {
        return (
            Some(unquote(rest).to_owned()),
            "appears more than once".to_owned(),
        );
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let (name, expected) = split_expected(rest);
        let message = match one_of(expected) {
            Some(known) => format!("unknown field (known fields: {known})"),
            None => "unknown field".to_owned(),
        };
        return (Some(unquote(name).to_owned()), message);
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let (_, expected) = split_expected(rest);
        let message = match one_of(expected) {
            Some(known) => format!("must be one of {known}"),
            None => "is not one of the accepted values".to_owned(),
        };
        return (None, message);
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (unexpected, expected) = rest.rsplit_once(", expected ").unwrap_or((rest, ""));
        let message = match expected_kind(expected) {
            Expected::Integer(_) if unexpected.starts_with("floating point") => {
                "must be a whole number (no fraction, and within range)".to_owned()
            }
            kind => format!("must be {}", kind.describe(expected)),
        };
        return (None, message);
    }
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        let expected = rest.rsplit_once(", expected ").map_or("", |(_, e)| e);
        let message = match expected_kind(expected) {
            Expected::Integer(range) => format!("must be a whole number {range}"),
            kind => format!("must be {}", kind.describe(expected)),
        };
        return (None, message);
    }
    if let Some(rest) = message.strip_prefix("invalid length ") {
        let expected = rest.rsplit_once(", expected ").map_or("", |(_, e)| e);
        // serde reads a struct from an array too, and then counts its items.
        let message = match expected_kind(expected) {
            Expected::Object => "must be an object".to_owned(),
            _ => "has the wrong number of items".to_owned(),
        };
        return (None, message);
    }
    // serde_json's enum reader says this of well-formed JSON that is neither a string nor an
    // object where an enum's value belongs (a number, an array).
    if message == "expected value" {
        return (
            None,
            "must be a string, one of the accepted values".to_owned(),
        );
    }
    // The domain's own words (a newtype's `TryFrom`): they say what is expected; a trailing
    // ", got ..." would repeat what was sent.
    let own = message.split(", got ").next().unwrap_or(message);
    (None, own.to_owned())
}

/// "`name`, expected ..." as the name sent and serde's list of what is expected, split at the
/// last ", " serde wrote (the name sent may hold one itself).
fn split_expected(rest: &str) -> (&str, &str) {
    let at = [", expected ", ", there are no "]
        .iter()
        .filter_map(|marker| rest.rfind(marker))
        .max();
    match at {
        Some(at) => (&rest[..at], &rest[at + 2..]),
        None => (rest, ""),
    }
}

/// "expected one of `a`, `b`", "expected `a` or `b`" or "expected `a`" (serde's list of what
/// is expected) as "a, b".
fn one_of(expected: &str) -> Option<String> {
    let list = expected
        .strip_prefix("expected one of ")
        .or_else(|| expected.strip_prefix("expected "))?;
    let names: Vec<&str> = list
        .split(", ")
        .flat_map(|part| part.split(" or "))
        .map(unquote)
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// `name` without serde's backticks.
fn unquote(name: &str) -> &str {
    name.trim().trim_matches('`')
}

/// What serde expected, as a kind a client's developer knows.
enum Expected {
    /// A whole number, with its range in words.
    Integer(&'static str),
    Number,
    String,
    Boolean,
    Array,
    Object,
    /// One of an enum's values.
    Choice,
    /// The server's own description (a visitor's `expecting`).
    Other,
}

impl Expected {
    fn describe(&self, expected: &str) -> String {
        match self {
            Expected::Integer(_) => "a whole number".into(),
            Expected::Number => "a number".into(),
            Expected::String => "a string".into(),
            Expected::Boolean => "true or false".into(),
            Expected::Array => "an array".into(),
            Expected::Object => "an object".into(),
            Expected::Choice => "a string, one of the accepted values".into(),
            Expected::Other => expected.to_owned(),
        }
    }
}

/// The kind serde's "expected ..." text names (`i64`, `a string`, `struct KycInput`).
fn expected_kind(expected: &str) -> Expected {
    match expected {
        "u8" => Expected::Integer("from 0 to 255"),
        "u16" => Expected::Integer("from 0 to 65535"),
        "u32" => Expected::Integer("from 0 to 4294967295"),
        "u64" | "u128" | "usize" => Expected::Integer("of 0 or more, within range"),
        "i8" => Expected::Integer("from -128 to 127"),
        "i16" => Expected::Integer("from -32768 to 32767"),
        "i32" => Expected::Integer("from -2147483648 to 2147483647"),
        "i64" | "i128" | "isize" => Expected::Integer("within range"),
        "f32" | "f64" => Expected::Number,
        "a string" | "string" | "a borrowed string" | "a char" | "a character" => Expected::String,
        "a boolean" => Expected::Boolean,
        "a sequence" | "a tuple" => Expected::Array,
        "a map" => Expected::Object,
        e if e.starts_with("struct ") || e.starts_with("tuple struct ") => Expected::Object,
        e if e.starts_with("enum ") || e == "variant identifier" => Expected::Choice,
        e if e.starts_with("a sequence") || e.starts_with("tuple of") => Expected::Array,
        _ => Expected::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::field_error;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        kyc: Inner,
        #[serde(default)]
        list: Vec<Kind>,
        #[serde(default)]
        small: u8,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        score: i64,
        #[serde(default)]
        name: String,
        #[serde(default)]
        flag: bool,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    enum Kind {
        Passport,
        NationalId,
    }

    fn error_of(json: &str) -> (String, String) {
        let de = &mut serde_json::Deserializer::from_str(json);
        let error = serde_path_to_error::deserialize::<_, Outer>(de).unwrap_err();
        let field = field_error(&error);
        (field.path, field.message)
    }

    #[test]
    fn each_class_of_error_is_a_path_and_plain_words_without_the_value() {
        for (json, path, message) in [
            (
                r#"{"kyc": {"score": "95-secret"}}"#,
                "kyc.score",
                "must be a whole number",
            ),
            (
                r#"{"kyc": {"score": 1e30}}"#,
                "kyc.score",
                "must be a whole number (no fraction, and within range)",
            ),
            (
                r#"{"kyc": {"score": 1, "name": 4242}}"#,
                "kyc.name",
                "must be a string",
            ),
            (
                r#"{"kyc": {"score": 1, "flag": "yes-secret"}}"#,
                "kyc.flag",
                "must be true or false",
            ),
            (r#"{"kyc": {}}"#, "kyc.score", "missing field"),
            (r#"{}"#, "kyc", "missing field"),
            (
                r#"{"kyc": {"score": 1, "secret_nickname": "x"}}"#,
                "kyc.secret_nickname",
                "unknown field (known fields: score, name, flag)",
            ),
            (
                r#"{"kyc": {"score": 1}, "list": ["passport", "secret-visa"]}"#,
                "list[1]",
                "must be one of passport, national_id",
            ),
            (
                r#"{"kyc": {"score": 1}, "list": "passport"}"#,
                "list",
                "must be an array",
            ),
            (r#"{"kyc": 7}"#, "kyc", "must be an object"),
            (
                r#"{"kyc": {"score": 1}, "small": 4242}"#,
                "small",
                "must be a whole number from 0 to 255",
            ),
            (
                r#"{"kyc": {"score": 1}, "list": [4242]}"#,
                "list[0]",
                "must be a string, one of the accepted values",
            ),
            (r#"[]"#, "", "must be an object"),
            // A value holding serde's own separators is still not repeated.
            (
                r#"{"kyc": {"score": 1}, "list": ["x, expected one of `secret-visa`"]}"#,
                "list[0]",
                "must be one of passport, national_id",
            ),
            (
                r#"{"kyc": {"score": "a, expected u8"}}"#,
                "kyc.score",
                "must be a whole number",
            ),
        ] {
            let (got_path, got_message) = error_of(json);
            assert_eq!(
                (got_path.as_str(), got_message.as_str()),
                (path, message),
                "{json}"
            );
            for echo in [
                "secret-visa",
                "95",
                "1e30",
                "4242",
                "yes",
                "line",
                "i64",
                "u8",
            ] {
                assert!(!got_message.contains(echo), "{json}: {got_message}");
            }
        }
    }
}
