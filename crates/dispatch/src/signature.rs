//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>): the endpoint's secret
//! (`whsec_` + base64), [`sign`] (the `webhook-signature` header's value) and [`verify`] (what a
//! receiver does, here for the tests and the documented examples).
//!
//! Must not: print a secret anywhere (`Debug` and `Display` are redacted, errors name lengths
//! only), do I/O other than asking the OS for a new secret's random bytes, or compare signatures
//! in variable time.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;

/// The header carrying the message's id (the event id: receivers deduplicate on it).
pub const HEADER_ID: &str = "webhook-id";
/// The header carrying the signing time, in whole seconds since the Unix epoch.
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// The header carrying the space-separated signatures, `v1,<base64>` each.
pub const HEADER_SIGNATURE: &str = "webhook-signature";

/// The text every symmetric secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";
/// The fewest random bytes a secret may have (192 bits, the specification's minimum).
pub const MIN_SECRET_BYTES: usize = 24;
/// The most random bytes a secret may have (512 bits, the specification's maximum).
pub const MAX_SECRET_BYTES: usize = 64;
/// How many random bytes [`WebhookSecret::generate`] draws: 256 bits, SHA-256's own strength.
pub const GENERATED_SECRET_BYTES: usize = 32;
/// How far a signature's timestamp may be from the verifier's clock, either way (5 minutes).
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

/// The version tag of a symmetric (HMAC-SHA256) signature.
const SCHEME: &str = "v1";

type HmacSha256 = Hmac<Sha256>;

/// One endpoint's signing secret: 24 to 64 random bytes, written `whsec_<base64>`.
///
/// Built only by [`WebhookSecret::parse`] or [`WebhookSecret::generate`]; `Debug` and `Display`
/// never show it. [`WebhookSecret::reveal`] is the one way to see it, for showing a new secret
/// to its admin once and for storing it.
#[derive(Clone)]
pub struct WebhookSecret {
    key: Box<[u8]>,
    /// The HMAC keyed once (its inner and outer pads computed), cloned for each signature.
    keyed: HmacSha256,
}

/// Why a text is not a webhook secret, or a new one could not be made. Never holds the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The text does not start with `whsec_`.
    #[error("a webhook secret starts with `whsec_`")]
    MissingPrefix,
    /// What follows the prefix is not standard base64.
    #[error("a webhook secret is `whsec_` followed by standard base64, which this is not")]
    NotBase64,
    /// The secret decodes to too few or too many bytes.
    #[error(
        "a webhook secret has {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} bytes, this one {bytes}"
    )]
    Length {
        /// How many bytes it decoded to.
        bytes: usize,
    },
    /// The operating system gave no random bytes.
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
}

impl WebhookSecret {
    /// Parses `whsec_<base64>` (standard alphabet, padded) of 24 to 64 bytes.
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let encoded = text
            .strip_prefix(SECRET_PREFIX)
            .ok_or(SecretError::MissingPrefix)?;
        let key = BASE64.decode(encoded).map_err(|_| SecretError::NotBase64)?;
        Self::from_bytes(key)
    }

    /// A new secret of [`GENERATED_SECRET_BYTES`] random bytes from the operating system.
    pub fn generate() -> Result<Self, SecretError> {
        let mut key = vec![0_u8; GENERATED_SECRET_BYTES];
        getrandom::fill(&mut key).map_err(|e| SecretError::Random(e.to_string()))?;
        Self::from_bytes(key)
    }

    fn from_bytes(key: Vec<u8>) -> Result<Self, SecretError> {
        let bytes = key.len();
        if !(MIN_SECRET_BYTES..=MAX_SECRET_BYTES).contains(&bytes) {
            return Err(SecretError::Length { bytes });
        }
        // HMAC takes a key of any length; the error exists for MACs with fixed key sizes.
        let keyed = HmacSha256::new_from_slice(&key).map_err(|_| SecretError::Length { bytes })?;
        Ok(Self {
            key: key.into_boxed_slice(),
            keyed,
        })
    }

    /// The secret in its one text form, `whsec_<base64>`: to show its admin once, or to store.
    /// Never log it.
    pub fn reveal(&self) -> String {
        format!("{SECRET_PREFIX}{}", BASE64.encode(&self.key))
    }

    /// HMAC-SHA256 over `{id}.{timestamp}.{body}`, the content the specification signs.
    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
        let mut mac = self.keyed.clone();
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

impl FromStr for WebhookSecret {
    type Err = SecretError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(redacted)")
    }
}

impl fmt::Display for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{SECRET_PREFIX}[redacted]")
    }
}

/// The `webhook-signature` header's value for a message: one `v1,<base64>` per secret, separated
/// by spaces (during a rotation the endpoint has two secrets, and the receiver accepts either).
///
/// The body is signed exactly as given: send these bytes, not a re-serialisation. An empty
/// `secrets` gives an empty string, which no receiver accepts (the webhook client refuses to send
/// without a secret). `id` should hold no `.` (the event id, a UUID, does not).
pub fn sign(id: &str, timestamp: i64, body: &[u8], secrets: &[&WebhookSecret]) -> String {
    let timestamp = timestamp.to_string();
    let signatures: Vec<String> = secrets
        .iter()
        .map(|secret| {
            let tag = secret.mac(id, &timestamp, body).finalize().into_bytes();
            format!("{SCHEME},{}", BASE64.encode(tag))
        })
        .collect();
    signatures.join(" ")
}

/// Why a delivery's signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// `webhook-timestamp` is not whole seconds written in decimal digits.
    #[error("webhook-timestamp must be whole seconds since the Unix epoch, in digits")]
    BadTimestamp,
    /// The timestamp is older than the tolerance allows.
    #[error("the signature is {seconds} s old; at most {TOLERANCE_SECONDS} s is accepted")]
    TooOld {
        /// How many seconds before the verifier's clock it was made.
        seconds: i64,
    },
    /// The timestamp is further ahead of the verifier's clock than the tolerance allows.
    #[error("the signature is dated {seconds} s ahead; at most {TOLERANCE_SECONDS} s is accepted")]
    InFuture {
        /// How many seconds after the verifier's clock it claims to be made.
        seconds: i64,
    },
    /// `webhook-signature` holds no `v1,` signature.
    #[error("webhook-signature holds no v1 signature")]
    NoSignature,
    /// No `v1` signature matches any of the verifier's secrets.
    #[error("no signature matches")]
    Mismatch,
}

/// Checks a delivery as a receiver does: the timestamp within [`TOLERANCE_SECONDS`] of `now`
/// (seconds since the Unix epoch), and at least one `v1` signature in `signatures` (the header's
/// value) made with one of `secrets` over `{id}.{timestamp}.{body}`. Other schemes' entries
/// (`v1a,...`) are skipped; tags are compared in constant time.
pub fn verify(
    id: &str,
    timestamp: &str,
    body: &[u8],
    signatures: &str,
    secrets: &[&WebhookSecret],
    now: i64,
) -> Result<(), VerifyError> {
    if timestamp.is_empty() || !timestamp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::BadTimestamp);
    }
    let signed_at: i64 = timestamp.parse().map_err(|_| VerifyError::BadTimestamp)?;
    let age = now.saturating_sub(signed_at);
    if age > TOLERANCE_SECONDS {
        return Err(VerifyError::TooOld { seconds: age });
    }
    let ahead = signed_at.saturating_sub(now);
    if ahead > TOLERANCE_SECONDS {
        return Err(VerifyError::InFuture { seconds: ahead });
    }
    let tags: Vec<Vec<u8>> = signatures
        .split(' ')
        .filter_map(|entry| entry.split_once(','))
        .filter(|(scheme, _)| *scheme == SCHEME)
        // An entry that is not base64 cannot match; it is kept so that the header still counts
        // as holding a v1 signature (the answer is then `Mismatch`, not `NoSignature`).
        .map(|(_, tag)| BASE64.decode(tag).unwrap_or_default())
        .collect();
    if tags.is_empty() {
        return Err(VerifyError::NoSignature);
    }
    let matched = secrets.iter().any(|secret| {
        tags.iter()
            .any(|tag| secret.mac(id, timestamp, body).verify_slice(tag).is_ok())
    });
    if matched {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

/// [`verify`] against the system clock.
pub fn verify_now(
    id: &str,
    timestamp: &str,
    body: &[u8],
    signatures: &str,
    secrets: &[&WebhookSecret],
) -> Result<(), VerifyError> {
    verify(id, timestamp, body, signatures, secrets, unix_now())
}

/// Seconds since the Unix epoch by the system clock (0 for a clock set before 1970).
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // The vector every Standard Webhooks library tests against (libraries/go/webhook_test.go,
    // TestSign; the C# and Elixir tests use the same): secret, id, timestamp, body, header.
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TIMESTAMP: i64 = 1_614_265_330;
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn secret(text: &str) -> WebhookSecret {
        WebhookSecret::parse(text).unwrap()
    }

    #[test]
    fn signs_the_specifications_vector() {
        let key = secret(SPEC_SECRET);
        assert_eq!(
            sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, &[&key]),
            SPEC_SIGNATURE
        );
    }

    #[test]
    fn signs_the_rust_librarys_vector() {
        // libraries/rust/src/lib.rs, test_sign.
        let key = secret("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD");
        let body = br#"{"email":"test@example.com","username":"test_user"}"#;
        assert_eq!(
            sign(
                "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
                1_649_367_553,
                body,
                &[&key]
            ),
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
        );
    }

    #[test]
    fn verifies_the_specifications_vector_within_the_tolerance_only() {
        let key = secret(SPEC_SECRET);
        let ts = SPEC_TIMESTAMP.to_string();
        let check = |now| verify(SPEC_ID, &ts, SPEC_BODY, SPEC_SIGNATURE, &[&key], now);
        assert_eq!(check(SPEC_TIMESTAMP), Ok(()));
        assert_eq!(check(SPEC_TIMESTAMP + TOLERANCE_SECONDS), Ok(()));
        assert_eq!(check(SPEC_TIMESTAMP - TOLERANCE_SECONDS), Ok(()));
        assert_eq!(
            check(SPEC_TIMESTAMP + TOLERANCE_SECONDS + 1),
            Err(VerifyError::TooOld { seconds: 301 })
        );
        assert_eq!(
            check(SPEC_TIMESTAMP - TOLERANCE_SECONDS - 1),
            Err(VerifyError::InFuture { seconds: 301 })
        );
    }

    #[test]
    fn any_change_to_id_timestamp_or_body_is_a_mismatch() {
        let key = secret(SPEC_SECRET);
        let ts = SPEC_TIMESTAMP.to_string();
        let now = SPEC_TIMESTAMP;
        let other_ts = (SPEC_TIMESTAMP + 1).to_string();
        let cases: [(&str, &str, &[u8]); 3] = [
            ("msg_p5jXN8AQM9LWM0D4loKWxJeK", &ts, SPEC_BODY),
            (SPEC_ID, &other_ts, SPEC_BODY),
            (SPEC_ID, &ts, br#"{"test":2432232314}"#),
        ];
        for (id, ts, body) in cases {
            assert_eq!(
                verify(id, ts, body, SPEC_SIGNATURE, &[&key], now),
                Err(VerifyError::Mismatch)
            );
        }
        let other = WebhookSecret::generate().unwrap();
        assert_eq!(
            verify(SPEC_ID, &ts, SPEC_BODY, SPEC_SIGNATURE, &[&other], now),
            Err(VerifyError::Mismatch)
        );
    }

    #[test]
    fn malformed_headers_are_named() {
        let key = secret(SPEC_SECRET);
        let ts = SPEC_TIMESTAMP.to_string();
        let now = SPEC_TIMESTAMP;
        for bad in [
            "",
            "+1614265330",
            "1614265330.0",
            "-5",
            "16142653300000000000000",
        ] {
            assert_eq!(
                verify(SPEC_ID, bad, SPEC_BODY, SPEC_SIGNATURE, &[&key], now),
                Err(VerifyError::BadTimestamp),
                "{bad}"
            );
        }
        for none in [
            "",
            "v1",
            "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            "v2,abc",
        ] {
            assert_eq!(
                verify(SPEC_ID, &ts, SPEC_BODY, none, &[&key], now),
                Err(VerifyError::NoSignature),
                "{none}"
            );
        }
        // A truncated tag, an empty one, or one that is not base64 does not match.
        for partial in [
            "v1,",
            "v1,g0hM9SsE",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE",
            "v1,!!",
        ] {
            assert_eq!(
                verify(SPEC_ID, &ts, SPEC_BODY, partial, &[&key], now),
                Err(VerifyError::Mismatch),
                "{partial}"
            );
        }
    }

    #[test]
    fn a_rotation_signs_with_both_secrets_and_either_verifies() {
        let old = secret(SPEC_SECRET);
        let new = WebhookSecret::generate().unwrap();
        let header = sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, &[&new, &old]);
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1], SPEC_SIGNATURE);
        let ts = SPEC_TIMESTAMP.to_string();
        for key in [&old, &new] {
            assert_eq!(
                verify(SPEC_ID, &ts, SPEC_BODY, &header, &[key], SPEC_TIMESTAMP),
                Ok(())
            );
        }
        // Other schemes' entries around it are skipped, not fatal.
        let mixed = format!("v1a,AAAA {SPEC_SIGNATURE}");
        assert_eq!(
            verify(SPEC_ID, &ts, SPEC_BODY, &mixed, &[&old], SPEC_TIMESTAMP),
            Ok(())
        );
        assert_eq!(sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, &[]), "");
    }

    #[test]
    fn secrets_are_parsed_strictly() {
        assert_eq!(
            WebhookSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").err(),
            Some(SecretError::MissingPrefix)
        );
        assert_eq!(
            WebhookSecret::parse("whsec_not base64!").err(),
            Some(SecretError::NotBase64)
        );
        let encode = |n: usize| format!("whsec_{}", BASE64.encode(vec![7_u8; n]));
        assert_eq!(
            WebhookSecret::parse(&encode(23)).err(),
            Some(SecretError::Length { bytes: 23 })
        );
        assert_eq!(
            WebhookSecret::parse(&encode(65)).err(),
            Some(SecretError::Length { bytes: 65 })
        );
        assert!(WebhookSecret::parse(&encode(24)).is_ok());
        assert!(WebhookSecret::parse(&encode(64)).is_ok());
        assert_eq!(secret(SPEC_SECRET).reveal(), SPEC_SECRET);
    }

    #[test]
    fn generated_secrets_are_new_well_formed_and_sign_as_their_text_does() {
        let a = WebhookSecret::generate().unwrap();
        let b = WebhookSecret::generate().unwrap();
        assert_ne!(a.reveal(), b.reveal());
        let again = secret(&a.reveal());
        assert_eq!(again.key.len(), GENERATED_SECRET_BYTES);
        assert_eq!(
            sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, &[&a]),
            sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, &[&again])
        );
    }

    #[test]
    fn a_secret_is_never_printed() {
        let key = secret(SPEC_SECRET);
        let base64 = SPEC_SECRET.trim_start_matches(SECRET_PREFIX);
        for shown in [
            format!("{key:?}"),
            format!("{key}"),
            format!("{:?}", Some(&key)),
        ] {
            assert!(!shown.contains(base64), "{shown}");
            assert!(shown.contains("redacted"), "{shown}");
        }
    }

    proptest! {
        #[test]
        fn what_is_signed_verifies_and_nothing_else_does(
            id in "[A-Za-z0-9_-]{1,40}",
            body in proptest::collection::vec(any::<u8>(), 0..512),
            timestamp in 0_i64..4_000_000_000,
            flip in any::<proptest::sample::Index>(),
        ) {
            let key = secret(SPEC_SECRET);
            let header = sign(&id, timestamp, &body, &[&key]);
            let ts = timestamp.to_string();
            prop_assert_eq!(verify(&id, &ts, &body, &header, &[&key], timestamp), Ok(()));
            if !body.is_empty() {
                let mut changed = body.clone();
                changed[flip.index(body.len())] ^= 1;
                prop_assert_eq!(
                    verify(&id, &ts, &changed, &header, &[&key], timestamp),
                    Err(VerifyError::Mismatch)
                );
            }
        }
    }
}
