//! Renders a verification report: a table for people, JSON for machines, Markdown for a
//! completion report.
//!
//! Must not: decide anything. The outcome and the exit status come from the report itself.

use crate::cli::Format;
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use compliance_ops::verify::{Outcome, VerifyReport};

/// Says why a command could not run: `error: ...` on stderr and, with `--format json`, a JSON
/// object on stdout (`error`, `exit_code`, and `target` when known), so that a machine reading
/// stdout gets JSON in every case.
pub fn failure(format: Format, message: &str, target: Option<&str>, exit_code: u8) -> u8 {
    eprintln!("error: {message}");
    if format == Format::Json {
        let object = serde_json::json!({
            "error": message,
            "exit_code": exit_code,
            "target": target,
        });
        crate::out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&object).unwrap_or_default()
        ));
    }
    exit_code
}

/// The report in `format`.
pub fn render(report: &VerifyReport, format: Format) -> String {
    match format {
        Format::Table => table(report),
        Format::Json => serde_json::to_string_pretty(report)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")),
        Format::Markdown => markdown(report),
    }
}

fn ms(us: u64) -> String {
    format!("{}.{} ms", us / 1000, (us % 1000) / 100)
}

fn table(report: &VerifyReport) -> String {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["#", "check", "result", "detail"]);
    // Not a terminal (a pipe, a CI log): wrap at COLUMNS, or 120.
    if table.width().is_none() {
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(120);
        table.set_width(columns);
    }
    for check in &report.checks {
        table.add_row([
            check.number.to_string(),
            check.name.to_owned(),
            check.outcome.to_string(),
            check.detail.clone(),
        ]);
    }
    format!(
        "Verification of {}{}\n{table}\n{} in {}: {}\n",
        report.target,
        if report.expect_seed {
            " (with the seed data set's expectations)"
        } else {
            ""
        },
        report.summary(),
        ms(report.duration_us),
        verdict(report.outcome)
    )
}

fn verdict(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "all checks passed",
        Outcome::Warn => "passed, with warnings worth a look",
        Outcome::Fail => "FAILED (see docs/setup.md, Troubleshooting, for what each check means)",
    }
}

fn markdown(report: &VerifyReport) -> String {
    let mut out = format!(
        "# Compliance database verification\n\n- Database: `{}`\n- Date: {}\n- Result: **{}** ({})\n- Seed expectations: {}\n- Duration: {}\n\n| # | check | result | detail |\n|---|---|---|---|\n",
        report.target,
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        report.outcome,
        report.summary(),
        if report.expect_seed {
            "checked"
        } else {
            "not checked"
        },
        ms(report.duration_us)
    );
    for check in &report.checks {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            check.number,
            check.name,
            check.outcome,
            check.detail.replace('|', "\\|")
        ));
    }
    out
}
