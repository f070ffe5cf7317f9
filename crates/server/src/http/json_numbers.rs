//! JSON numbers as JSON Schema reads them: a number token with a fraction or an exponent whose
//! value is a whole number (`66.0`, `6.6e1`) is rewritten as that integer before the body is
//! parsed, so that a field the document calls `integer` accepts what the document admits.
//!
//! Must not: change the value of any number, touch a string, or make malformed JSON well formed
//! (exact, on the token's digits: no float, no rounding).

/// `json` with every number token that has a fraction or an exponent but a whole value that
/// fits an `i64` written as that integer (`66.0` and `6.6e1` become `66`), or `None` when there
/// is none. Strings are left alone, and so is anything that is not a JSON number token, so
/// malformed JSON stays malformed; the value of no number changes.
pub(super) fn integral_numbers(json: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut i = 0;
    let mut in_string = false;
    while i < json.len() {
        let byte = json[i];
        if in_string {
            match byte {
                b'\\' => i += 2,
                b'"' => {
                    in_string = false;
                    i += 1;
                }
                _ => i += 1,
            }
            continue;
        }
        match byte {
            b'"' => {
                in_string = true;
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < json.len()
                    && matches!(json[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                {
                    i += 1;
                }
                if let Some(whole) = whole_number(&json[start..i]) {
                    let out = out.get_or_insert_with(|| Vec::with_capacity(json.len()));
                    out.extend_from_slice(&json[copied..start]);
                    out.extend_from_slice(whole.to_string().as_bytes());
                    copied = i;
                }
            }
            _ => i += 1,
        }
    }
    out.map(|mut out| {
        out.extend_from_slice(&json[copied..]);
        out
    })
}

/// The integer a JSON number token with a fraction or an exponent stands for, when it is a
/// whole number within `i64`: exact, on the token's digits (no float, no rounding).
fn whole_number(token: &[u8]) -> Option<i64> {
    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, with a fraction or an exponent.
    let (negative, rest) = match token.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, token),
    };
    let int_len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let (int, rest) = rest.split_at(int_len);
    if int.is_empty() || (int.len() > 1 && int[0] == b'0') {
        return None;
    }
    let (frac, rest) = match rest.split_first() {
        Some((b'.', rest)) => {
            let len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            if len == 0 {
                return None;
            }
            rest.split_at(len)
        }
        _ => (&[][..], rest),
    };
    let exponent: i64 = match rest.split_first() {
        None => 0,
        Some((b'e' | b'E', digits)) => {
            let (sign, digits) = match digits.split_first()? {
                (b'-', d) => (-1, d),
                (b'+', d) => (1, d),
                _ => (1, digits),
            };
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            // Past 1000 either way, no whole number but zero fits an i64.
            let magnitude = std::str::from_utf8(digits)
                .ok()?
                .parse::<i64>()
                .unwrap_or(i64::MAX);
            sign * magnitude.min(1_000)
        }
        Some(_) => return None,
    };
    if frac.is_empty() && rest.is_empty() {
        return None; // Already an integer.
    }
    let digits: Vec<u8> = int.iter().chain(frac).copied().collect();
    // The decimal point sits after `point` digits.
    let point = i64::try_from(int.len()).ok()? + exponent;
    if digits.iter().all(|d| *d == b'0') {
        return Some(0);
    }
    if point <= 0 {
        return None;
    }
    let point = usize::try_from(point).ok()?;
    if point < digits.len() && digits[point..].iter().any(|d| *d != b'0') {
        return None;
    }
    if point > 20 {
        return None;
    }
    let mut text = String::with_capacity(point + 1);
    if negative {
        text.push('-');
    }
    for position in 0..point {
        text.push(char::from(*digits.get(position).unwrap_or(&b'0')));
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::{integral_numbers, whole_number};

    #[test]
    fn whole_numbers_with_a_fraction_or_an_exponent_are_integers() {
        for (token, whole) in [
            ("66.0", Some(66)),
            ("6.6e1", Some(66)),
            ("6.6E+1", Some(66)),
            ("660e-1", Some(66)),
            ("-3.000", Some(-3)),
            ("0.0", Some(0)),
            ("-0.0e5", Some(0)),
            ("1e2", Some(100)),
            ("9223372036854775807.0", Some(i64::MAX)),
            ("-9223372036854775808.0", Some(i64::MIN)),
            ("9223372036854775808.0", None),
            ("66", None),
            ("66.5", None),
            ("6.65e1", None),
            ("66.00000000000000000000000000001", None),
            ("1e400", None),
            ("1e-400", None),
            ("01.0", None),
            ("1.", None),
            (".5", None),
            ("1.0e", None),
            ("-", None),
            ("1-2", None),
        ] {
            assert_eq!(whole_number(token.as_bytes()), whole, "{token}");
        }
    }

    #[test]
    fn only_number_tokens_are_rewritten() {
        let json = br#"{"a": 66.0, "b": "66.0", "c\"d": [1e2, -7.50, 3], "e": "\\", "f": 2.0}"#;
        let rewritten = String::from_utf8(integral_numbers(json).unwrap()).unwrap();
        assert_eq!(
            rewritten,
            r#"{"a": 66, "b": "66.0", "c\"d": [100, -7.50, 3], "e": "\\", "f": 2}"#
        );
        assert_eq!(integral_numbers(br#"{"a": 66, "b": "1.0"}"#), None);
    }
}
