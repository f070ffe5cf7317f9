//! Who is calling: `Authorization: Bearer <token>` verified against `api_tokens` into a
//! [`Caller`], and the per-address limit on failed authentications.
//!
//! The limit refuses failures, not callers: an address over it still has a valid token served
//! (one broken client behind a proxy must not lock out every service behind the same one);
//! its failures are answered 429 instead of 401. A token is a random 256-bit secret checked by
//! one indexed lookup of its hash, so checking it costs no more than refusing it.
//!
//! Must not: log, echo or keep a presented token; say why a token was refused (unknown,
//! expired, revoked and inactive all get the same 401); let an address keep guessing.

use super::client_address::ClientAddress;
use super::{AppState, Problem, RequestUser};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use compliance_app::Caller;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed authentications allowed per address within [`WINDOW`].
pub const MAX_FAILURES: usize = 10;
/// The sliding window failed authentications are counted over.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Addresses tracked at most; past it the stalest are forgotten (memory stays bounded).
const MAX_ADDRESSES: usize = 10_000;

/// Failed authentications per client address, over a sliding window.
#[derive(Debug, Default)]
pub struct FailureLimiter {
    failures: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl FailureLimiter {
    /// `Some(seconds to wait)` when `address` has used up its failures in the window.
    pub fn blocked(&self, address: IpAddr, now: Instant) -> Option<u64> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let times = map.get_mut(&address)?;
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            times.pop_front();
        }
        if times.len() < MAX_FAILURES {
            return None;
        }
        let oldest = times.front().copied()?;
        let wait = WINDOW.saturating_sub(now.duration_since(oldest));
        Some(wait.as_secs().max(1))
    }

    /// Counts a failed authentication from `address`.
    pub fn failed(&self, address: IpAddr, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ADDRESSES && !map.contains_key(&address) {
            map.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < WINDOW)
            });
            if map.len() >= MAX_ADDRESSES {
                map.clear();
            }
        }
        let times = map.entry(address).or_default();
        times.push_back(now);
        while times.len() > MAX_FAILURES {
            times.pop_front();
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let address = ClientAddress::of(parts);
        let now = Instant::now();
        let blocked = state.limiter.blocked(address, now);
        let secret = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|s| s.trim().to_owned());
        let outcome = match secret {
            None => Err(compliance_app::AppError::Unauthenticated(
                "send Authorization: Bearer <token> (create one with cargo xtask token create)",
            )),
            Some(secret) => state.compliance.authenticate(secret).await,
        };
        match outcome {
            Ok(caller) => {
                if let Some(slot) = parts.extensions.get::<RequestUser>() {
                    let _ = slot.0.set(caller.user());
                }
                Ok(caller)
            }
            Err(e) => {
                if matches!(e, compliance_app::AppError::Unauthenticated(_)) {
                    // Counted while over the limit too: an address that keeps failing stays
                    // limited until it stops for the window.
                    state.limiter.failed(address, now);
                    if let Some(wait) = blocked {
                        return Err(Problem::too_many_failures(wait));
                    }
                }
                Err(e.into())
            }
        }
    }
}
