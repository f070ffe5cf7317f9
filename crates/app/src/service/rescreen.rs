//! Re-screening an entity's current case with a new AML result.
//!
//! Must not: let the engine's new verdict go unseen, nor undo a reviewer's decision on nothing
//! new. The engine moves the case to its verdict (after confirmed false positives) where the
//! status table lets it, when that verdict is less strict than the status, or stricter than the
//! verdict the status was decided over (a new finding). Where the table does not let it (an
//! escalation belongs to its reviewers), the case keeps its status and a stricter new verdict is
//! flagged in the review queue (`pending_approvals.engine_stricter`). A verdict the reviewers
//! already decided over (an approved PEP screened again, a cleared false positive matched again)
//! leaves the case as it is.

use super::{ComplianceService, case_verdict, engine_verdict, require_agent};
use crate::convert::{Evidence, Regulations, case_record};
use crate::records::RescreenOutcome;
use crate::{AppError, Result};
use chrono::Utc;
use compliance_domain::{AmlScreening, Case, CaseId, CheckStatus, EntityId, Trigger, UserId};
use compliance_persistence::PersistenceError;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::compliance_checks::{self, Reevaluation};
use compliance_persistence::repo::{aml_checks, kyc_checks, screenings};

impl ComplianceService {
    /// Re-screens an entity's current case with a new AML result: records the screening,
    /// re-evaluates the case with the rules in force now, and moves its status to the engine's
    /// verdict where the status table lets the engine (an approval becomes PENDING, an
    /// escalation or a rejection; a PENDING case follows the verdict); an escalation stays with
    /// its reviewers, flagged when the verdict is stricter. One transaction. The same screening
    /// as the one the case rests on is a retry: nothing is written, and the answer is the case
    /// as it stands (`replayed`).
    pub(crate) fn rescreen(
        &self,
        entity_id: &EntityId,
        screening: &AmlScreening,
        submitted_by: UserId,
    ) -> Result<RescreenOutcome> {
        self.run(submitted_by, |conn| {
            self.rescreen_in(conn, entity_id, screening, None, submitted_by)
        })
    }

    /// [`ComplianceService::rescreen`] in the caller's transaction; `explained` is this
    /// project's own screening (the versions used, the subject revision screened and the
    /// matches explained), recorded beside the screening.
    pub(crate) fn rescreen_in(
        &self,
        conn: &mut PgConnection,
        entity_id: &EntityId,
        screening: &AmlScreening,
        explained: Option<&Explained<'_>>,
        submitted_by: UserId,
    ) -> Result<RescreenOutcome> {
        require_agent(conn, submitted_by)?;
        // The case row first, then anything that writes the audit chain. A submission may
        // open the entity's next case while this waits for the lock: then lock that one
        // (each statement sees what committed before it), a few times at most.
        let first = compliance_checks::find_by_entity_id(conn, entity_id)?.id;
        let mut case = compliance_checks::lock(conn, first)?;
        let mut newer = 0;
        loop {
            let current = compliance_checks::find_by_entity_id(conn, entity_id)?.id;
            if current == case.id {
                break;
            }
            newer += 1;
            if newer > 8 {
                return Err(PersistenceError::Transient {
                    reason: format!("entity {entity_id} keeps getting new cases"),
                }
                .into());
            }
            case = compliance_checks::lock(conn, current)?;
        }
        if case.status.is_final() {
            return Err(AppError::Final {
                case: CaseId::from_uuid(case.id),
                status: case.status,
                what: "a rejected case is not re-screened; submit a new application, which opens the entity's next case",
            });
        }
        let kyc = kyc_checks::find(conn, case.kyc_check_id)?;
        // The verdict the status was last decided over (the previous screening's, after
        // confirmed false positives): the engine moves the case only on something new.
        let previous = aml_checks::find(conn, case.aml_check_id)?.screening;
        let now = Utc::now();
        let rule_set = self.rules.in_force(conn, kyc.check.jurisdiction, now)?;
        let decision = rule_set.evaluate(&Case {
            kyc: kyc.check.clone(),
            aml: screening.clone(),
        })?;
        let refs = rule_set.refs();
        // The same screening under the same rule versions: a retry, nothing new to decide.
        if previous == *screening && refs == case.rule_versions {
            tracing::info!(case = %case.id, "repeated re-screening answered with the case as it stands");
            let verdict = case_verdict(conn, &self.rules, &case, &kyc.check, &previous)?;
            let evidence = Evidence {
                kyc: &kyc.check,
                watchlist_version: &previous.watchlist_version,
            };
            return Ok(RescreenOutcome {
                before: case.status,
                verdict,
                case: case_record(
                    conn,
                    Regulations::Cached(&self.rules),
                    case,
                    Some(evidence),
                    None,
                )?,
                replayed: true,
            });
        }
        let verdict = engine_verdict(
            conn,
            &self.rules,
            &case,
            &kyc.check,
            screening,
            &decision,
            &refs,
        )?;
        let listed = newly_listed(&previous, screening);
        let previous = case_verdict(conn, &self.rules, &case, &kyc.check, &previous)?;
        let aml = aml_checks::insert(conn, kyc.id, entity_id, screening, now, submitted_by)?;
        if let Some(e) = explained {
            screenings::record(conn, aml.id, e.versions, e.subject_id, &e.explanation)?;
        }
        let transition = moves(case.status, previous, verdict, listed)
            .then(|| case.status.transition_to(verdict, Trigger::Engine).ok())
            .flatten();
        let updated = compliance_checks::record_reevaluation(
            conn,
            case.id,
            case.revision,
            entity_id,
            &Reevaluation {
                aml_check_id: aml.id,
                risk_score: screening.risk_score,
                decision: &decision,
                rule_versions: &refs,
                transition,
                decided_by: submitted_by,
            },
        )?;
        tracing::info!(case = %case.id, before = %case.status, after = %updated.status, flagged = updated.engine_stricter(), "case re-screened");
        let evidence = Evidence {
            kyc: &kyc.check,
            watchlist_version: &screening.watchlist_version,
        };
        Ok(RescreenOutcome {
            before: case.status,
            verdict,
            case: case_record(
                conn,
                Regulations::Decided(&rule_set),
                updated,
                Some(evidence),
                None,
            )?,
            replayed: false,
        })
    }
}

/// This project's own screening, as recorded beside a re-screening: the list versions used,
/// the subject revision screened, and the matches explained.
pub(crate) struct Explained<'a> {
    pub(crate) versions: &'a [uuid::Uuid],
    pub(crate) subject_id: uuid::Uuid,
    pub(crate) explanation: serde_json::Value,
}

/// Whether `screening` matched a list entry (by list and entry) that `previous` did not.
fn newly_listed(previous: &AmlScreening, screening: &AmlScreening) -> bool {
    screening
        .matches
        .iter()
        .any(|m| !previous.matched(&m.list, &m.entry))
}

/// Whether a re-screening moves a case whose status is `status`, whose previous screening gave
/// `previous`, to the new `verdict` (the status table still has its say). `listed`: the new
/// screening matched an entry the previous one did not.
fn moves(status: CheckStatus, previous: CheckStatus, verdict: CheckStatus, listed: bool) -> bool {
    // An approval over a rejection stands only on an override: without one, the engine's
    // rejection takes it back, however old (the database refuses to keep it).
    let unprotected_approval = status == CheckStatus::Approved && verdict == CheckStatus::Rejected;
    // Something new: a stricter verdict than the status was decided over, or a new list entry
    // behind a verdict stricter than the status (an approved PEP newly on a second list goes
    // back to review, though the verdict is ESCALATED as before).
    let new = verdict > previous || (listed && verdict > status);
    verdict != status && (verdict < status || new || unprotected_approval)
}

#[cfg(test)]
mod tests {
    use super::{moves, newly_listed};
    use compliance_domain::CheckStatus::*;
    use compliance_domain::{
        AmlScreening, ListEntryRef, ListName, RiskScore, ScreeningProvider, WatchlistKind,
        WatchlistMatch, WatchlistVersion,
    };

    #[test]
    fn the_engine_moves_a_case_on_something_new_only() {
        // An approval, and the re-screening finds something the approval was not decided over.
        assert!(moves(Approved, Approved, Pending, false));
        assert!(moves(Approved, Escalated, Rejected, false));
        // Approved over a PEP escalation (four eyes): the same PEP match again changes nothing;
        // a match on an entry not seen before sends it back to review.
        assert!(!moves(Approved, Escalated, Escalated, false));
        assert!(moves(Approved, Escalated, Escalated, true));
        // Approved over missing documents: still missing, nothing new.
        assert!(!moves(Approved, Pending, Pending, false));
        // Documents arrived, or a match went away: less strict moves, where the table allows.
        assert!(moves(Pending, Pending, Approved, false));
        assert!(!moves(Escalated, Escalated, Escalated, true));
        // A new entry behind a verdict no stricter than the status moves nothing.
        assert!(!moves(Approved, Approved, Approved, true));
        // Approved over a rejection (before the override existed): the rejection takes it back.
        assert!(moves(Approved, Rejected, Rejected, false));
    }

    #[test]
    fn a_new_entry_is_one_no_earlier_screening_matched() {
        let entry = |list: &str, entry: &str| WatchlistMatch {
            kind: WatchlistKind::Pep,
            list: ListName::parse(list).unwrap(),
            entry: ListEntryRef::parse(entry).unwrap(),
            score: None,
        };
        let screening = |matches: Vec<WatchlistMatch>| AmlScreening {
            risk_score: RiskScore::new(68).unwrap(),
            matches,
            provider: ScreeningProvider::parse("test").unwrap(),
            watchlist_version: WatchlistVersion::parse("v1").unwrap(),
        };
        let before = screening(vec![entry("IN-PEP", "PEP-1")]);
        assert!(!newly_listed(&before, &before));
        assert!(!newly_listed(&before, &screening(vec![])));
        assert!(newly_listed(
            &before,
            &screening(vec![entry("IN-PEP", "PEP-1"), entry("IN-PEP", "PEP-2")])
        ));
        // The same entry number on another list is another entry.
        assert!(newly_listed(
            &before,
            &screening(vec![entry("UN-PEP", "PEP-1")])
        ));
    }
}
