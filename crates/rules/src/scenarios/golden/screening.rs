//! The golden cases of the sanctions screening bands of 2026-12-07: in each jurisdiction, a
//! sanctions match scored above, at and just below the rejection line (0.95), at and just below
//! the review line (0.85), an asserted (unscored) match, and a strong and a weak match together.
//! Each is an approved golden case of its jurisdiction with the match added, so that only the
//! match decides it.
//!
//! Must not: hold personal data: made-up list entries only.

use super::Golden;
use crate::literal::literal;
use compliance_domain::{
    CheckStatus::{self, *},
    EntityId, ListEntryRef, ListName, MatchScore, WatchlistKind, WatchlistMatch,
};

/// One band case: id, sub-test, the sanctions matches' scores (`None`: asserted), the status
/// and the rules that fire.
type BandCase = (
    &'static str,
    &'static str,
    &'static [Option<u16>],
    CheckStatus,
    &'static [&'static str],
);

macro_rules! band_cases {
    ($j:literal, $reject:literal, $review:literal) => {
        [
            (
                concat!($j, "-g-sanctions-0960"),
                "Sanctions band: a match scored 0.96, above the rejection line of 0.95",
                &[Some(9600)],
                Rejected,
                &[$reject],
            ),
            (
                concat!($j, "-g-sanctions-0950"),
                "Sanctions band: a match scored exactly 0.95, at the rejection line (at or above rejects)",
                &[Some(9500)],
                Rejected,
                &[$reject],
            ),
            (
                concat!($j, "-g-sanctions-0949"),
                "Sanctions band: a match scored 0.9499, just below the rejection line: review",
                &[Some(9499)],
                Escalated,
                &[$review],
            ),
            (
                concat!($j, "-g-sanctions-0900"),
                "Sanctions band: a match scored 0.90, in the review band",
                &[Some(9000)],
                Escalated,
                &[$review],
            ),
            (
                concat!($j, "-g-sanctions-0850"),
                "Sanctions band: a match scored exactly 0.85, at the review line (at or above escalates)",
                &[Some(8500)],
                Escalated,
                &[$review],
            ),
            (
                concat!($j, "-g-sanctions-0849"),
                "Sanctions band: a match scored 0.8499, just below the review line: no rule acts",
                &[Some(8499)],
                Approved,
                &[],
            ),
            (
                concat!($j, "-g-sanctions-0800"),
                "Sanctions band: a match scored 0.80, below every band",
                &[Some(8000)],
                Approved,
                &[],
            ),
            (
                concat!($j, "-g-sanctions-asserted"),
                "Sanctions band: a provider's asserted (unscored) match counts as certain and rejects",
                &[None],
                Rejected,
                &[$reject],
            ),
            (
                concat!($j, "-g-sanctions-two-bands"),
                "Sanctions band: matches scored 0.97 and 0.90, each judged in its own band",
                &[Some(9700), Some(9000)],
                Rejected,
                &[$reject, $review],
            ),
        ]
    };
}

const AE: [BandCase; 9] = band_cases!("ae", "AE-SANCTIONS-REJECT", "AE-SANCTIONS-REVIEW");
const IN: [BandCase; 9] = band_cases!("in", "IN-SANCTIONS-REJECT", "IN-SANCTIONS-REVIEW");
const US: [BandCase; 9] = band_cases!("us", "US-OFAC-SDN-REJECT", "US-OFAC-SDN-REVIEW");

/// The band cases of every jurisdiction, each built on the first approved golden case of its
/// jurisdiction in `base` that carries no signal.
pub(super) fn golden(base: &[Golden]) -> Vec<Golden> {
    let mut out = Vec::with_capacity(27);
    for (prefix, cases) in [("us-g-", US), ("in-g-", IN), ("ae-g-", AE)] {
        let clean = base.iter().find(|g| {
            g.id.starts_with(prefix)
                && g.expected_status == Approved
                && g.case.aml.matches.is_empty()
                && g.case.kyc.red_flags.is_empty()
        });
        let clean = literal(prefix, clean.ok_or("no approved golden case to build on"));
        for (id, test, scores, status, rules) in cases {
            let mut case = clean.case.clone();
            case.kyc.entity_id = literal(id, EntityId::parse(id));
            case.aml.matches = scores
                .iter()
                .enumerate()
                .map(|(i, points)| WatchlistMatch {
                    kind: WatchlistKind::Sanctions,
                    list: literal("a golden list", ListName::parse("GOLDEN-SANCTIONS")),
                    entry: literal(
                        "a golden entry",
                        ListEntryRef::parse(&format!("GOLDEN-S-{i}")),
                    ),
                    score: points.map(|p| {
                        literal(
                            "a golden score",
                            MatchScore::from_basis_points(p).ok_or("above 1"),
                        )
                    }),
                })
                .collect();
            out.push(Golden {
                id,
                test,
                case,
                expected_status: status,
                expected_rules: rules,
                // Every jurisdiction's bands weigh sanctions matches.
                expected_unweighed: clean.expected_unweighed,
            });
        }
    }
    out
}
