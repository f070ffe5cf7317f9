//! The cluster's figures as people read them: the nodes' states, the failover drill's and the
//! reads measurement's `name: value` lines, or the same as JSON.
//!
//! Must not: compute a figure (the reports arrive complete from `compliance_ops::cluster`).

use super::DrillFormat;
use compliance_ops::cluster::NodeState;
use compliance_ops::cluster::drill::DrillReport;
use compliance_ops::cluster::reads;

pub(super) fn states_text(states: &[NodeState]) -> String {
    states
        .iter()
        .map(|n| {
            format!(
                "{}: 127.0.0.1:{} {} (assigned {}, {}, at {})\n",
                n.name,
                n.port,
                n.reported,
                n.assigned,
                if n.running { "running" } else { "not running" },
                n.position
            )
        })
        .collect()
}

/// `report` as pretty JSON, or as `text` gives it.
pub(crate) fn print_report<R: serde::Serialize>(
    report: &R,
    format: DrillFormat,
    text: impl Fn(&R) -> String,
) {
    crate::out(&if format == DrillFormat::Json {
        format!(
            "{}\n",
            serde_json::to_string_pretty(report).unwrap_or_default()
        )
    } else {
        text(report)
    });
}

/// Which node served the reports and where things ran, one line per phase, then the two
/// ratios.
pub(super) fn reads_text(report: &reads::ReadsReport) -> String {
    let mut out = format!(
        "reports on the standby from: {} ({})\npinned: {}\n",
        report.standby,
        if report.standby_synchronous {
            "the synchronous standby"
        } else {
            "the read node, outside the synchronous quorum"
        },
        report
            .pinned
            .as_ref()
            .map_or_else(|| "no".to_owned(), reads::pin::PinPlan::describe)
    );
    for p in &report.phases {
        let name = match p.reports {
            reads::Reports::None => "no reports",
            reads::Reports::OnPrimary => "reports on the primary",
            reads::Reports::OnStandby => "reports on the standby",
        };
        out += &format!(
            "round {} {name}: {:.1} submissions/s, {:.1} reads/s{}\n",
            p.round,
            p.submissions_per_second,
            p.reads_per_second,
            p.routed.map_or(String::new(), |r| format!(
                " (standby {}, primary {} behind, {} unavailable, {} failed)",
                r.replica, r.behind, r.unavailable, r.failed
            ))
        );
    }
    out += &format!(
        "write throughput with reports on the primary / without: {:.2}\nwrite throughput with reports on the standby / without: {:.2}\n",
        report.on_primary_ratio, report.on_standby_ratio
    );
    out
}

fn seconds(s: Option<f64>) -> String {
    s.map_or_else(|| "not seen".to_owned(), |s| format!("{s:.2}"))
}

/// One `name: value` line each: per round, then the totals.
pub(super) fn drill_text(r: &DrillReport) -> String {
    let mut out = String::new();
    for (i, round) in r.rounds.iter().enumerate() {
        let t = &round.timeline;
        let n = i + 1;
        out += &format!(
            "round {n} killed: {}\nround {n} primary after: {}\nround {n} acknowledged: {}\nround {n} retries: {}\nround {n} failed: {}\nround {n} seconds without a successful write: {:.2}\nround {n} detected after: {}\nround {n} promoted after: {}\nround {n} first write after: {}\nround {n} old primary rejoined after: {}\nround {n} synchronous again after: {}\nround {n} acknowledged without a synchronous standby: {}\n",
            round.killed,
            round.primary_after,
            round.acknowledged,
            round.retries,
            round.failed,
            round.longest_gap_seconds,
            seconds(t.detected),
            seconds(t.promoted),
            seconds(t.first_write),
            seconds(t.rejoined),
            seconds(t.synchronous_again),
            t.acknowledged_without_standby,
        );
    }
    out += &format!(
        "acknowledged: {}\npresent on the new primary: {}\nlost: {}\nseconds without a successful write (median of rounds): {:.2}\nverify on the new primary: {}\nsigned checkpoint still checks: {}\nprimary now: {}\n",
        r.acknowledged,
        r.present,
        r.lost,
        r.median_gap_seconds,
        r.verify,
        if r.checkpoint_holds { "yes" } else { "NO" },
        r.primary
    );
    out
}
