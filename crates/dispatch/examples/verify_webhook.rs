//! Verifying a compliance-db webhook in Rust, as a receiver would (Standard Webhooks): the
//! crates `hmac`, `sha2` and `base64`, nothing of this workspace. docs/events.md shows this file;
//! the dispatcher's tests run its `verify` on a real delivery.
//!
//! Must not: compare signatures with `==` (timing), or accept a stale timestamp (replays).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{KeyInit as _, Mac as _};

/// Five minutes either way, as Standard Webhooks recommends.
const TOLERANCE_SECONDS: i64 = 5 * 60;

/// True when one of the space-separated `v1,<base64>` signatures is HMAC-SHA256 of
/// `{id}.{timestamp}.{body}` under `secret` (`whsec_` and base64), and `timestamp` is within
/// five minutes of `now` (Unix seconds).
pub fn verify(
    secret: &str,
    id: &str,
    timestamp: &str,
    body: &[u8],
    signatures: &str,
    now: i64,
) -> bool {
    let Ok(sent) = timestamp.parse::<i64>() else {
        return false;
    };
    let Ok(key) = STANDARD.decode(secret.trim_start_matches("whsec_")) else {
        return false;
    };
    if (now - sent).abs() > TOLERANCE_SECONDS {
        return false;
    }
    signatures
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|s| STANDARD.decode(s).ok())
        .any(|signature| {
            let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key) else {
                return false;
            };
            mac.update(format!("{id}.{timestamp}.").as_bytes());
            mac.update(body);
            mac.verify_slice(&signature).is_ok() // constant time
        })
}

// `main` is the example's; the tests include this file for `verify` alone. An example prints its
// answer.
#[allow(dead_code, clippy::print_stdout)]
fn main() {
    // Usage: WEBHOOK_SECRET=whsec_... verify_webhook ID TIMESTAMP SIGNATURES < BODY
    let args: Vec<String> = std::env::args().skip(1).collect();
    let secret = std::env::var("WEBHOOK_SECRET").unwrap_or_default();
    let mut body = Vec::new();
    let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut body);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let ok = args.len() == 3 && verify(&secret, &args[0], &args[1], &body, &args[2], now);
    println!("{}", if ok { "valid" } else { "invalid" });
    std::process::exit(if ok { 0 } else { 1 });
}
