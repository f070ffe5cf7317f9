//! The signals a case carries that a rule may weigh (its red flags, and the kinds of watchlist
//! entry its screening matched) as a [`Signals`] set: what a case received, what a rule set
//! weighs, and what a decision lists as received but weighed by no rule in force.
//!
//! Must not: allocate or name anyone. A set is two bitmasks of kinds, never list entries or
//! names, so that computing it on every evaluation costs nothing and it may be logged.

use crate::{Case, RedFlag, TextForm, WatchlistKind};
use std::fmt;

/// A set of signal kinds: red flags and watchlist match kinds. `Copy`, and free to compute.
///
/// Serialized as `{"red_flags": [...], "matches": [...]}`, each list in the kinds' declaration
/// order, without repeats (a repeat is refused when reading).
///
/// ```
/// use compliance_domain::{RedFlag, Signals, WatchlistKind};
/// let received = Signals::NONE
///     .with_red_flag(RedFlag::OpaqueOwnership)
///     .with_match(WatchlistKind::AdverseMedia)
///     .with_match(WatchlistKind::Sanctions);
/// let weighed = Signals::NONE.with_match(WatchlistKind::Sanctions);
/// let unweighed = received.without(weighed);
/// assert_eq!(unweighed.red_flags().collect::<Vec<_>>(), [RedFlag::OpaqueOwnership]);
/// assert_eq!(unweighed.matches().collect::<Vec<_>>(), [WatchlistKind::AdverseMedia]);
/// assert_eq!(
///     serde_json::to_string(&unweighed)?,
///     r#"{"red_flags":["opaque_ownership"],"matches":["adverse_media"]}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Signals {
    red_flags: u16,
    matches: u16,
}

/// The bit of a text enum's variant: its position in declaration order.
fn bit<T: TextForm + PartialEq>(value: T) -> u16 {
    let variants = <T as strum::VariantArray>::VARIANTS;
    variants
        .iter()
        .position(|v| *v == value)
        .map_or(0, |i| 1u16 << i)
}

/// The variants of `T` whose bits are set in `mask`, in declaration order.
fn members<T: TextForm>(mask: u16) -> impl Iterator<Item = T> {
    <T as strum::VariantArray>::VARIANTS
        .iter()
        .enumerate()
        .filter(move |(i, _)| mask & (1u16 << i) != 0)
        .map(|(_, v)| *v)
}

impl Signals {
    /// The empty set.
    pub const NONE: Signals = Signals {
        red_flags: 0,
        matches: 0,
    };

    /// What a case carries: each of its red flags, and the kind of each entry its screening
    /// matched.
    pub fn of(case: &Case) -> Self {
        let red_flags = case.kyc.red_flags.iter().fold(0, |m, f| m | bit(*f));
        let matches = case.aml.matches.iter().fold(0, |m, x| m | bit(x.kind));
        Self { red_flags, matches }
    }

    /// Every red flag kind and every match kind.
    pub fn all() -> Self {
        let red_flags = <RedFlag as strum::VariantArray>::VARIANTS
            .iter()
            .fold(0, |m, f| m | bit(*f));
        let matches = <WatchlistKind as strum::VariantArray>::VARIANTS
            .iter()
            .fold(0, |m, k| m | bit(*k));
        Self { red_flags, matches }
    }

    /// This set with a red flag kind added.
    pub fn with_red_flag(self, flag: RedFlag) -> Self {
        Self {
            red_flags: self.red_flags | bit(flag),
            ..self
        }
    }

    /// This set with a match kind added.
    pub fn with_match(self, kind: WatchlistKind) -> Self {
        Self {
            matches: self.matches | bit(kind),
            ..self
        }
    }

    /// Every signal of either set.
    pub fn union(self, other: Signals) -> Self {
        Self {
            red_flags: self.red_flags | other.red_flags,
            matches: self.matches | other.matches,
        }
    }

    /// The signals of this set that are not in `other`.
    pub fn without(self, other: Signals) -> Self {
        Self {
            red_flags: self.red_flags & !other.red_flags,
            matches: self.matches & !other.matches,
        }
    }

    /// True when the set holds no signal.
    pub fn is_empty(self) -> bool {
        self.red_flags == 0 && self.matches == 0
    }

    /// True when every signal of this set is in `other`.
    pub fn is_subset(self, other: Signals) -> bool {
        self.without(other).is_empty()
    }

    /// True when the set holds this red flag kind.
    pub fn has_red_flag(self, flag: RedFlag) -> bool {
        self.red_flags & bit(flag) != 0
    }

    /// True when the set holds this match kind.
    pub fn has_match(self, kind: WatchlistKind) -> bool {
        self.matches & bit(kind) != 0
    }

    /// The red flag kinds, in declaration order.
    pub fn red_flags(self) -> impl Iterator<Item = RedFlag> {
        members(self.red_flags)
    }

    /// The match kinds, in declaration order.
    pub fn matches(self) -> impl Iterator<Item = WatchlistKind> {
        members(self.matches)
    }
}

impl fmt::Debug for Signals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signals")
            .field("red_flags", &self.red_flags().collect::<Vec<_>>())
            .field("matches", &self.matches().collect::<Vec<_>>())
            .finish()
    }
}

/// The serde shape of [`Signals`].
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SignalsRepr {
    red_flags: Vec<RedFlag>,
    matches: Vec<WatchlistKind>,
}

impl serde::Serialize for Signals {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SignalsRepr {
            red_flags: self.red_flags().collect(),
            matches: self.matches().collect(),
        }
        .serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Signals {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let repr = SignalsRepr::deserialize(deserializer)?;
        let mut set = Signals::NONE;
        for flag in repr.red_flags {
            if set.has_red_flag(flag) {
                return Err(serde::de::Error::custom(format_args!(
                    "red flag {flag} is listed twice"
                )));
            }
            set = set.with_red_flag(flag);
        }
        for kind in repr.matches {
            if set.has_match(kind) {
                return Err(serde::de::Error::custom(format_args!(
                    "match kind {kind} is listed twice"
                )));
            }
            set = set.with_match(kind);
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn flags() -> impl Strategy<Value = Vec<RedFlag>> {
        prop::collection::vec(
            prop::sample::select(<RedFlag as strum::VariantArray>::VARIANTS),
            0..8,
        )
    }

    fn kinds() -> impl Strategy<Value = Vec<WatchlistKind>> {
        prop::collection::vec(
            prop::sample::select(<WatchlistKind as strum::VariantArray>::VARIANTS),
            0..4,
        )
    }

    fn set(flags: &[RedFlag], kinds: &[WatchlistKind]) -> Signals {
        let s = flags.iter().fold(Signals::NONE, |s, f| s.with_red_flag(*f));
        kinds.iter().fold(s, |s, k| s.with_match(*k))
    }

    #[test]
    fn all_holds_every_kind_and_bits_fit() {
        let all = Signals::all();
        assert_eq!(all.red_flags().count(), 7);
        assert_eq!(all.matches().count(), 3);
        assert!(Signals::NONE.is_empty() && !all.is_empty());
        assert!(all.without(all).is_empty());
    }

    #[test]
    fn a_repeat_or_an_unknown_kind_is_refused() {
        let twice = r#"{"red_flags":["adverse_media","adverse_media"],"matches":[]}"#;
        assert!(serde_json::from_str::<Signals>(twice).is_err());
        let unknown = r#"{"red_flags":["gossip"],"matches":[]}"#;
        assert!(serde_json::from_str::<Signals>(unknown).is_err());
        let extra = r#"{"red_flags":[],"matches":[],"entries":[]}"#;
        assert!(serde_json::from_str::<Signals>(extra).is_err());
    }

    proptest! {
        #[test]
        fn set_algebra_and_serde(a in flags(), b in kinds(), c in flags(), d in kinds()) {
            let x = set(&a, &b);
            let y = set(&c, &d);
            for f in &a { prop_assert!(x.has_red_flag(*f)); }
            for k in &b { prop_assert!(x.has_match(*k)); }
            prop_assert!(x.is_subset(x.union(y)));
            prop_assert!(x.without(y).is_subset(x));
            for f in x.without(y).red_flags() { prop_assert!(!y.has_red_flag(f)); }
            prop_assert_eq!(x.without(y).union(y), x.union(y));
            let json = serde_json::to_string(&x).unwrap();
            prop_assert_eq!(serde_json::from_str::<Signals>(&json).unwrap(), x);
        }
    }
}
