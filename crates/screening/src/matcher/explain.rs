//! One match explained: the name comparison (aligned tokens, coverages) as the first feature,
//! the generic-only cap, then date of birth, country, identifier and wallet, each with its
//! signed contribution; the score is their sum.

use compliance_domain::MatchScore;

use super::{Match, Screener};
use crate::features::{self, FeatureName, GENERIC_ONLY_CAP, Tally};
use crate::normalise::normalise;
use crate::query::Query;
use crate::similarity::Comparison;

impl Screener {
    pub(super) fn explain(
        &self,
        query: &Query,
        id: u32,
        name: Option<&(Comparison, usize, u32)>,
    ) -> Option<Match> {
        let stored = self.entries.get(id as usize)?;
        let entry = &stored.entry;
        let mut tally = Tally::default();
        let (mut subject_name, mut list_name) = (String::new(), String::new());
        if let Some((c, qi, ni)) = name {
            let indexed = self.index.names.get(*ni as usize)?;
            let query_name = query.names.get(*qi)?;
            let query_normal = normalise(query_name);
            let tokens =
                |n: &crate::NormalName, k: usize| n.tokens.get(k).cloned().unwrap_or_default();
            let pairs: Vec<String> = c
                .pairs
                .iter()
                .map(|&(i, j, s)| {
                    let score = MatchScore::from_basis_points(s).unwrap_or(MatchScore::ZERO);
                    format!(
                        "{}~{} {score}",
                        tokens(&query_normal, i),
                        tokens(&indexed.normal, j)
                    )
                })
                .collect();
            let cov = |bp| MatchScore::from_basis_points(bp).unwrap_or(MatchScore::ZERO);
            let mut detail = format!(
                "aligned {}; subject coverage {}, list coverage {}",
                pairs.join(", "),
                cov(c.query_coverage),
                cov(c.list_coverage)
            );
            if c.single_token {
                detail.push_str("; one informative token only");
            }
            tally.add(FeatureName::NameSimilarity, i32::from(c.similarity), detail);
            // A listed name made of generic words only, met word for word, is that name.
            if c.generic_only && query_normal.tokens != indexed.normal.tokens {
                tally.cap(
                    FeatureName::GenericOnly,
                    GENERIC_ONLY_CAP,
                    "only generic words or particles matched".to_owned(),
                );
            }
            subject_name = query_name.clone();
            list_name = indexed.original.clone();
        }
        features::birth_date(&mut tally, query, entry);
        features::country(&mut tally, query, entry);
        if !features::identifier(&mut tally, query, entry) {
            features::wallet(&mut tally, query, entry);
        }
        Some(Match {
            list: stored.list.clone(),
            entry: entry.id.clone(),
            kind: entry.kind,
            schema: entry.schema,
            score: MatchScore::from_basis_points(u16::try_from(tally.total).unwrap_or(0))
                .unwrap_or(MatchScore::ZERO),
            subject_name,
            list_name,
            features: tally.features,
        })
    }
}
