//! Sign-in attempts per client address, counted before any password is checked: each attempt
//! takes a cell of the address's GCRA quota (`governor`), atomically, so a burst of parallel
//! guesses from one address gets no more password checks than the quota, whatever their
//! outcome. (Each account also locks after repeated failures: `compliance_app`'s sign-in.)
//!
//! Must not: grow without bound (addresses that have recovered their quota are forgotten when
//! the map grows past [`MAX_ADDRESSES`]), or count a refused attempt against the next one.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

/// Sign-in attempts an address may make at once; it gets one more every `60 / ATTEMPTS`
/// seconds (20 a minute: a shared office address signing in at nine is not refused).
pub const ATTEMPTS: u32 = 20;

/// Addresses tracked before the ones back at their full quota are forgotten.
const MAX_ADDRESSES: usize = 10_000;

/// The per-address sign-in quota.
#[derive(Debug)]
pub struct SignInAttempts {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl Default for SignInAttempts {
    fn default() -> Self {
        Self::new(ATTEMPTS)
    }
}

impl SignInAttempts {
    /// `per_minute` attempts an address may make at once, refilled over a minute.
    pub fn new(per_minute: u32) -> Self {
        let quota =
            Quota::per_minute(NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            limiter: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one attempt from `address`: `Ok` when it may go on, else the seconds to wait.
    pub fn attempt(&self, address: IpAddr) -> Result<(), u64> {
        if self.limiter.len() > MAX_ADDRESSES {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter
            .check_key(&address)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()).as_secs().max(1))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_quota_and_no_more_and_others_are_not_touched() {
        let attempts = SignInAttempts::new(3);
        let one: IpAddr = "192.0.2.1".parse().unwrap();
        let two: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(attempts.attempt(one), Ok(()));
        }
        let wait = attempts.attempt(one).unwrap_err();
        assert!((1..=20).contains(&wait), "{wait}");
        assert_eq!(attempts.attempt(two), Ok(()));
    }

    /// Parallel attempts from one address: exactly the quota goes on (the count is atomic).
    #[test]
    fn parallel_attempts_get_exactly_the_quota() {
        let attempts = std::sync::Arc::new(SignInAttempts::new(5));
        let address: IpAddr = "198.51.100.7".parse().unwrap();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(16));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (attempts, barrier) = (attempts.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    attempts.attempt(address).is_ok()
                })
            })
            .collect();
        let allowed = threads
            .into_iter()
            .map(|t| t.join().unwrap())
            .filter(|ok| *ok)
            .count();
        assert_eq!(allowed, 5);
    }
}
