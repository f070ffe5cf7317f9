//! When to try again: [`RetryPolicy`] (exponential backoff with equal jitter, per message) and
//! [`CircuitPolicy`] (how long a failing endpoint pauses, per endpoint). Pure arithmetic on
//! integers: the randomness comes in as an argument, so the same inputs give the same delay.
//!
//! Must not: read a clock, sleep, or draw random numbers itself (except [`random_jitter`], the
//! one source the dispatcher hands in).

use std::time::Duration;

/// Why a policy's numbers are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// At least one attempt, and at least one failure to open a circuit.
    #[error("{0} must be at least 1")]
    Zero(&'static str),
    /// The first delay must be positive and no longer than the longest.
    #[error("the first delay must be positive and at most the longest")]
    BaseAboveCap,
}

/// Retries of one message: how many attempts in all, and the delay before each retry.
///
/// The delay after the `n`th failed attempt has a ceiling of `base * 2^(n-1)`, at most `cap`;
/// the delay is half the ceiling plus a random share of the other half ("equal jitter"): never
/// below half the first delay, never above `cap`, and rising with `n` for any one jitter value,
/// so receivers coming back from an outage are not hit by every sender at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base: Duration,
    cap: Duration,
}

impl Default for RetryPolicy {
    /// 18 attempts, from 5 s doubling to at most 2 h between attempts: about 11 hours of trying
    /// on average (14.8 at most) before the event is left for an admin's replay.
    fn default() -> Self {
        Self {
            max_attempts: 18,
            base: Duration::from_secs(5),
            cap: Duration::from_secs(2 * 60 * 60),
        }
    }
}

const NANOS_PER_SEC: u128 = 1_000_000_000;

fn nanos_to_duration(nanos: u128) -> Duration {
    let secs = u64::try_from(nanos / NANOS_PER_SEC).unwrap_or(u64::MAX);
    // The remainder is below 10^9, so it fits.
    let sub = u32::try_from(nanos % NANOS_PER_SEC).unwrap_or(0);
    Duration::new(secs, sub)
}

/// `start * 2^(step)`, at most `cap`, in nanoseconds.
fn doubled(start: Duration, step: u32, cap: Duration) -> u128 {
    let start = start.as_nanos();
    let cap = cap.as_nanos();
    // Past 2^100 any positive duration is far beyond every cap a Duration can hold.
    if step >= 100 {
        return cap;
    }
    start.saturating_mul(1_u128 << step).min(cap)
}

impl RetryPolicy {
    /// A policy of at most `max_attempts` attempts (the first included), delays from `base`
    /// doubling up to `cap`.
    pub fn new(max_attempts: u32, base: Duration, cap: Duration) -> Result<Self, PolicyError> {
        if max_attempts == 0 {
            return Err(PolicyError::Zero("max_attempts"));
        }
        if base.is_zero() || base > cap {
            return Err(PolicyError::BaseAboveCap);
        }
        Ok(Self {
            max_attempts,
            base,
            cap,
        })
    }

    /// Attempts in all, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The shortest delay any retry waits: half the first ceiling.
    pub fn floor(&self) -> Duration {
        self.base / 2
    }

    /// The longest delay any retry waits.
    pub fn cap(&self) -> Duration {
        self.cap
    }

    /// The ceiling of the delay after `failed_attempts` failed attempts (1 after the first):
    /// `base * 2^(failed_attempts - 1)`, at most `cap`.
    pub fn ceiling(&self, failed_attempts: u32) -> Duration {
        nanos_to_duration(doubled(
            self.base,
            failed_attempts.saturating_sub(1),
            self.cap,
        ))
    }

    /// The delay after `failed_attempts` failed attempts, given `jitter`, a uniformly random
    /// `u64` ([`random_jitter`]): half the ceiling, plus `jitter / u64::MAX` of the other half.
    pub fn delay(&self, failed_attempts: u32, jitter: u64) -> Duration {
        let ceiling = doubled(self.base, failed_attempts.saturating_sub(1), self.cap);
        let half = ceiling / 2;
        let share = (ceiling - half) * u128::from(jitter) / u128::from(u64::MAX);
        nanos_to_duration(half + share)
    }

    /// The delay before the next attempt, or `None` when `failed_attempts` has reached
    /// `max_attempts` (the message is given up, for an admin to replay).
    pub fn next_delay(&self, failed_attempts: u32, jitter: u64) -> Option<Duration> {
        (failed_attempts < self.max_attempts).then(|| self.delay(failed_attempts, jitter))
    }
}

/// A uniformly random `u64` for [`RetryPolicy::delay`], from the operating system; the middle
/// of the range if it has none to give (the delay is then three quarters of its ceiling).
pub fn random_jitter() -> u64 {
    getrandom::u64().unwrap_or(u64::MAX / 2)
}

/// The circuit of one endpoint: after `failures_to_open` consecutive failed attempts the
/// endpoint pauses for `open_for`; each further `failures_to_open` failures (each failed probe
/// after a pause counts) doubles the pause, up to `max_open_for`. A success closes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CircuitPolicy {
    failures_to_open: u32,
    open_for: Duration,
    max_open_for: Duration,
}

impl Default for CircuitPolicy {
    /// Open after 5 consecutive failures for 1 minute, doubling to at most 1 hour.
    fn default() -> Self {
        Self {
            failures_to_open: 5,
            open_for: Duration::from_secs(60),
            max_open_for: Duration::from_secs(60 * 60),
        }
    }
}

impl CircuitPolicy {
    /// A circuit that opens after `failures_to_open` failures for `open_for`, doubling to at
    /// most `max_open_for`.
    pub fn new(
        failures_to_open: u32,
        open_for: Duration,
        max_open_for: Duration,
    ) -> Result<Self, PolicyError> {
        if failures_to_open == 0 {
            return Err(PolicyError::Zero("failures_to_open"));
        }
        if open_for.is_zero() || open_for > max_open_for {
            return Err(PolicyError::BaseAboveCap);
        }
        Ok(Self {
            failures_to_open,
            open_for,
            max_open_for,
        })
    }

    /// Consecutive failures that open the circuit.
    pub fn failures_to_open(&self) -> u32 {
        self.failures_to_open
    }

    /// How long it first stays open.
    pub fn open_for(&self) -> Duration {
        self.open_for
    }

    /// The longest it stays open.
    pub fn max_open_for(&self) -> Duration {
        self.max_open_for
    }

    /// How long the endpoint pauses after `consecutive_failures` failed attempts in a row:
    /// `None` below the threshold; `open_for * 2^(k-1)` at `k` thresholds, at most
    /// `max_open_for`.
    pub fn pause_after(&self, consecutive_failures: u32) -> Option<Duration> {
        let thresholds = consecutive_failures / self.failures_to_open;
        (thresholds > 0)
            .then(|| nanos_to_duration(doubled(self.open_for, thresholds - 1, self.max_open_for)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn the_ceiling_doubles_to_the_cap_and_jitter_spans_its_upper_half() {
        let policy = RetryPolicy::new(10, S(5), S(60)).unwrap();
        let ceilings: Vec<u64> = (1..=6).map(|n| policy.ceiling(n).as_secs()).collect();
        assert_eq!(ceilings, [5, 10, 20, 40, 60, 60]);
        assert_eq!(policy.delay(3, 0), S(10));
        assert_eq!(policy.delay(3, u64::MAX), S(20));
        assert_eq!(policy.delay(3, u64::MAX / 2 + 1), S(15));
        assert_eq!(policy.delay(1, 0), Duration::from_millis(2500));
        assert_eq!(policy.floor(), Duration::from_millis(2500));
        assert_eq!(policy.delay(u32::MAX, u64::MAX), S(60));
    }

    #[test]
    fn attempts_end_at_the_maximum() {
        let policy = RetryPolicy::new(3, S(1), S(10)).unwrap();
        assert!(policy.next_delay(1, 0).is_some());
        assert!(policy.next_delay(2, 0).is_some());
        assert_eq!(policy.next_delay(3, 0), None);
        assert_eq!(
            RetryPolicy::new(1, S(1), S(1)).unwrap().next_delay(1, 0),
            None
        );
    }

    #[test]
    fn nonsense_policies_are_refused() {
        assert_eq!(
            RetryPolicy::new(0, S(1), S(2)),
            Err(PolicyError::Zero("max_attempts"))
        );
        assert_eq!(
            RetryPolicy::new(3, S(0), S(2)),
            Err(PolicyError::BaseAboveCap)
        );
        assert_eq!(
            RetryPolicy::new(3, S(3), S(2)),
            Err(PolicyError::BaseAboveCap)
        );
        assert_eq!(
            CircuitPolicy::new(0, S(1), S(2)),
            Err(PolicyError::Zero("failures_to_open"))
        );
        assert_eq!(
            CircuitPolicy::new(3, S(5), S(2)),
            Err(PolicyError::BaseAboveCap)
        );
    }

    #[test]
    fn the_default_schedule_is_what_its_doc_says() {
        let policy = RetryPolicy::default();
        let most: Duration = (1..policy.max_attempts()).map(|n| policy.ceiling(n)).sum();
        let least: Duration = (1..policy.max_attempts()).map(|n| policy.delay(n, 0)).sum();
        assert_eq!(most.as_secs() / 360, 148, "{most:?}"); // 14.8 hours
        // Equal jitter averages three quarters of the ceiling.
        assert_eq!((most + least).as_secs() / 2 / 3600, 11);
    }

    #[test]
    fn the_circuit_opens_at_the_threshold_and_doubles_to_its_maximum() {
        let circuit = CircuitPolicy::new(5, S(60), S(600)).unwrap();
        let pauses: Vec<Option<u64>> = [0, 4, 5, 9, 10, 15, 20, 25, 1000]
            .iter()
            .map(|&n| circuit.pause_after(n).map(|d| d.as_secs()))
            .collect();
        assert_eq!(
            pauses,
            [
                None,
                None,
                Some(60),
                Some(60),
                Some(120),
                Some(240),
                Some(480),
                Some(600),
                Some(600)
            ]
        );
        assert_eq!(circuit.pause_after(u32::MAX), Some(S(600)));
    }

    fn policies() -> impl Strategy<Value = RetryPolicy> {
        (1_u32..50, 1_u64..10_000_000, 0_u64..1_000_000_000_000).prop_map(
            |(max, base_us, extra_us)| {
                let base = Duration::from_micros(base_us);
                RetryPolicy::new(max, base, base + Duration::from_micros(extra_us)).unwrap()
            },
        )
    }

    proptest! {
        #[test]
        fn delays_stay_between_floor_and_cap_and_rise_with_failures(
            policy in policies(),
            n in 1_u32..200,
            jitter in any::<u64>(),
        ) {
            let d = policy.delay(n, jitter);
            prop_assert!(d <= policy.cap());
            prop_assert!(d >= policy.floor());
            prop_assert!(d <= policy.ceiling(n));
            prop_assert!(d >= policy.ceiling(n) / 2);
            prop_assert_eq!(d, policy.delay(n, jitter));
            prop_assert!(policy.delay(n + 1, jitter) >= d);
            // Below the cap, the ceiling doubles: the low end of the next delay is at least the
            // middle of this one's range, so delays grow on average.
            if policy.ceiling(n + 1) < policy.cap() {
                prop_assert_eq!(policy.ceiling(n + 1), policy.ceiling(n) * 2);
                prop_assert!(policy.delay(n + 1, 0) >= policy.delay(n, u64::MAX / 2));
            }
        }

        #[test]
        fn more_jitter_never_shortens_a_delay(
            policy in policies(),
            n in 1_u32..100,
            a in any::<u64>(),
            b in any::<u64>(),
        ) {
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(policy.delay(n, low) <= policy.delay(n, high));
        }

        #[test]
        fn circuit_pauses_never_shrink_as_failures_mount(
            threshold in 1_u32..20,
            open_s in 1_u64..600,
            extra_s in 0_u64..100_000,
            n in 0_u32..10_000,
        ) {
            let circuit = CircuitPolicy::new(threshold, S(open_s), S(open_s + extra_s)).unwrap();
            let now = circuit.pause_after(n);
            let next = circuit.pause_after(n + 1);
            prop_assert_eq!(now.is_some(), n >= threshold);
            if let Some(pause) = now {
                prop_assert!(pause >= S(open_s) && pause <= S(open_s + extra_s));
                prop_assert!(next >= Some(pause));
            }
        }
    }
}
