//! Check 19: the audit log's hash chain.
//!
//! Must not: write. Every statement here is a SELECT.

use super::{Context, Found};
use crate::verify::Outcome;
use compliance_persistence::repo::audit_logs;

pub(super) fn audit_chain(cx: &mut Context<'_>) -> Found {
    let from = cx.options.audit_from.as_ref();
    let report = audit_logs::verify_chain_from(cx.conn, from).map_err(|e| e.to_string())?;
    let scope = from.map_or(String::new(), |c| format!(" from checkpoint #{}", c.id));
    Ok(match (report.first_break, report.head) {
        (Some(broken), _) => (
            Outcome::Fail,
            format!(
                "broken at entry {}: {} (of {} entries checked{scope})",
                broken.id, broken.kind, report.entries
            ),
        ),
        (None, Some((id, hash))) => (
            Outcome::Pass,
            format!(
                "{} entries chained{scope}; head {id}:{hash} (record it: --audit-from it later finds a removed tail and checks only what came after)",
                report.entries
            ),
        ),
        (None, None) => (Outcome::Warn, "the audit log is empty".into()),
    })
}
