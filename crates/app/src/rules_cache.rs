//! The rule sets in force, cached per jurisdiction and reloaded when a version is published or
//! closed (the jurisdiction's fingerprint, a change counter its rules' triggers raise, moves).
//!
//! Must not: serve a stale set. Every lookup compares the fingerprint first (one primary-key
//! read, or one the caller read just before in its transaction); the parsed rules are reused
//! only while it is unchanged. The fingerprint is read before the rules, so a change committed
//! between the two reads is loaded with the older fingerprint and reloaded at the next lookup:
//! never the reverse.

use crate::Result;
use crate::rule_rows::rule_from_row;
use chrono::{DateTime, Utc};
use compliance_domain::Jurisdiction;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::compliance_rules::{
    self as stored_rules, RuleFilter, RulesFingerprint,
};
use compliance_rules::{Rule, RuleSet};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
struct Cached {
    fingerprint: RulesFingerprint,
    rules: Arc<Vec<Rule>>,
}

/// Every stored version of each jurisdiction's rules, parsed once per change.
#[derive(Clone, Default)]
pub(crate) struct RulesCache {
    by_jurisdiction: Arc<Mutex<HashMap<Jurisdiction, Cached>>>,
}

impl RulesCache {
    /// An empty cache.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Every stored version of a jurisdiction's rules (reloaded if they changed).
    pub(crate) fn all(
        &self,
        conn: &mut PgConnection,
        jurisdiction: Jurisdiction,
    ) -> Result<Arc<Vec<Rule>>> {
        let fingerprint = stored_rules::fingerprint(conn, jurisdiction)?;
        self.all_at(conn, jurisdiction, fingerprint)
    }

    /// [`RulesCache::all`] with the fingerprint the caller has just read in its transaction
    /// (as `repo::submission::context` does, with other reads, in one round trip).
    pub(crate) fn all_at(
        &self,
        conn: &mut PgConnection,
        jurisdiction: Jurisdiction,
        fingerprint: RulesFingerprint,
    ) -> Result<Arc<Vec<Rule>>> {
        if let Some(cached) = self
            .lock()
            .get(&jurisdiction)
            .filter(|c| c.fingerprint == fingerprint)
        {
            return Ok(cached.rules.clone());
        }
        let filter = RuleFilter {
            jurisdiction: Some(jurisdiction),
            code: None,
        };
        let rules: Vec<Rule> = stored_rules::list(conn, &filter)?
            .iter()
            .map(rule_from_row)
            .collect::<Result<_>>()?;
        let rules = Arc::new(rules);
        self.lock().insert(
            jurisdiction,
            Cached {
                fingerprint,
                rules: rules.clone(),
            },
        );
        tracing::debug!(%jurisdiction, changes = fingerprint.changes, versions = rules.len(), "rules reloaded");
        Ok(rules)
    }

    /// The rule set of a jurisdiction in force at `at`.
    pub(crate) fn in_force(
        &self,
        conn: &mut PgConnection,
        jurisdiction: Jurisdiction,
        at: DateTime<Utc>,
    ) -> Result<RuleSet> {
        let rules = self.all(conn, jurisdiction)?;
        Ok(RuleSet::in_force(&rules, jurisdiction, at)?)
    }

    /// [`RulesCache::in_force`] with the fingerprint just read (see [`RulesCache::all_at`]).
    pub(crate) fn in_force_at(
        &self,
        conn: &mut PgConnection,
        jurisdiction: Jurisdiction,
        fingerprint: RulesFingerprint,
        at: DateTime<Utc>,
    ) -> Result<RuleSet> {
        let rules = self.all_at(conn, jurisdiction, fingerprint)?;
        Ok(RuleSet::in_force(&rules, jurisdiction, at)?)
    }

    /// Exactly the versions a decision recorded, for replay.
    pub(crate) fn pinned(
        &self,
        conn: &mut PgConnection,
        jurisdiction: Jurisdiction,
        refs: &[compliance_domain::RuleRef],
    ) -> Result<RuleSet> {
        let rules = self.all(conn, jurisdiction)?;
        Ok(RuleSet::pinned(&rules, jurisdiction, refs)?)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Jurisdiction, Cached>> {
        // A panic while holding the lock leaves a plain map behind, still usable.
        self.by_jurisdiction
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
