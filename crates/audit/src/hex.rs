//! Lower-case hex, as the checkpoint and proof files write hashes, keys and signatures.
//!
//! Must not: accept anything but exactly the expected number of hex digits.

use crate::AuditError;

/// `bytes` as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// `N` bytes from exactly `2 * N` hex digits (either case); `what` names the value in the error.
pub fn unhex<const N: usize>(text: &str, what: &'static str) -> Result<[u8; N], AuditError> {
    let bad = || AuditError::Malformed {
        what,
        why: format!("expected {} hex digits", 2 * N),
    };
    if text.len() != 2 * N {
        return Err(bad());
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
        let digit = |c: u8| char::from(c).to_digit(16);
        match (digit(pair[0]), digit(pair[1])) {
            (Some(high), Some(low)) => *byte = u8::try_from(high * 16 + low).map_err(|_| bad())?,
            _ => return Err(bad()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_what_is_not_hex() {
        let bytes = [0x00, 0x0f, 0xa5, 0xff];
        assert_eq!(hex(&bytes), "000fa5ff");
        assert_eq!(unhex::<4>("000fa5ff", "x").unwrap(), bytes);
        assert_eq!(unhex::<4>("000FA5FF", "x").unwrap(), bytes);
        for bad in ["", "000fa5f", "000fa5fff", "000fa5fg", "+0fa5ff0", "é0fa5f"] {
            assert!(unhex::<4>(bad, "x").is_err(), "{bad:?}");
        }
    }
}
