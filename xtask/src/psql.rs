//! Running SQL through psql for the bulk loaders: the clones of approved cases (KYC check,
//! screening, decision and their audit entries, through every constraint and trigger) that the
//! benchmarks and `cargo xtask cluster load` build large databases with, a temporary SQL file,
//! and a quiet psql run whose failure says what failed.
//!
//! Must not: depend on another module of xtask (the benchmarks and the cluster both use it), or
//! print a connection URL (it holds the password).

use anyhow::{Context, Result, bail};
use compliance_persistence::DatabaseConfig;
use std::path::PathBuf;
use std::process::Command;

/// Clones the approved cases of `config`'s database into `cases` new cases for the entities
/// `bench-1` to `bench-<cases>` ([`SCALE_SQL`], [`CLONE_SQL`], [`SCALE_AUDIT_SQL`]), in one psql
/// session with `synchronous_commit` off.
pub(crate) fn clone_cases(config: &DatabaseConfig, cases: u64) -> Result<()> {
    run_quiet(
        Command::new("psql")
            .args([
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-v",
                &format!("cases={cases}"),
                "-d",
            ])
            .arg(config.connection_url())
            .args(["-c", "SET synchronous_commit = off"])
            .arg("-f")
            .arg(write_temp(
                "compliance_bench_scale.sql",
                &format!("{SCALE_SQL}{CLONE_SQL}{SCALE_AUDIT_SQL}"),
            )?),
        "psql (building the large database)",
    )
}

/// Clones the approved seed cases (KYC check, screening, decision and three audit entries each)
/// up to `cases` cases, through the constraints and triggers like any insert: the templates and
/// the rows to make, then [`CLONE_SQL`], then the audit entries.
pub(crate) const SCALE_SQL: &str = r"
CREATE TEMP TABLE tpl AS
SELECT (row_number() OVER (ORDER BY k.entity_id) - 1)::int AS n, k.id AS kyc_id, a.id AS aml_id, c.id AS case_id
  FROM kyc_checks k JOIN compliance_checks c ON c.kyc_check_id = k.id JOIN aml_checks a ON a.id = c.aml_check_id
 WHERE c.status = 'APPROVED';
CREATE TEMP TABLE gen AS
SELECT g AS i, gen_random_uuid() AS kyc_id, gen_random_uuid() AS aml_id, gen_random_uuid() AS case_id,
       t.kyc_id AS tk, t.aml_id AS ta, t.case_id AS tc
  FROM generate_series(1, :cases) g JOIN tpl t ON t.n = g % (SELECT count(*) FROM tpl);
";

/// Clones each row of the temporary table `gen` (new ids, and the template's `tk`, `ta`, `tc`):
/// its KYC check, screening, decision and case submission, for the new entity `bench-<i>`,
/// one statement per table, so every guard, CHECK and foreign key runs on each row.
pub(crate) const CLONE_SQL: &str = r"
INSERT INTO kyc_checks (id, entity_id, entity_type, jurisdiction, status, verification_score, documents, red_flags,
                        net_worth, net_worth_currency, annual_income, annual_income_currency, total_assets,
                        total_assets_currency, accreditation_verified, submitted_by)
SELECT g.kyc_id, 'bench-' || g.i, k.entity_type, k.jurisdiction, k.status, k.verification_score, k.documents, k.red_flags,
       k.net_worth, k.net_worth_currency, k.annual_income, k.annual_income_currency, k.total_assets,
       k.total_assets_currency, k.accreditation_verified, k.submitted_by
  FROM gen g JOIN kyc_checks k ON k.id = g.tk;
INSERT INTO aml_checks (id, kyc_check_id, risk_score, risk_level, sanctions_match, pep_match, matched_entries,
                        screening_provider, watchlist_version, screened_at, submitted_by)
SELECT g.aml_id, g.kyc_id, a.risk_score, a.risk_level, a.sanctions_match, a.pep_match, a.matched_entries,
       a.screening_provider, a.watchlist_version, a.screened_at, a.submitted_by
  FROM gen g JOIN aml_checks a ON a.id = g.ta;
INSERT INTO compliance_checks (id, kyc_check_id, aml_check_id, jurisdiction, status, engine_status, risk_score,
                               risk_level, rule_versions, reasons, decided_by)
SELECT g.case_id, g.kyc_id, g.aml_id, c.jurisdiction, c.status, c.engine_status, c.risk_score, c.risk_level,
       c.rule_versions, c.reasons, c.decided_by
  FROM gen g JOIN compliance_checks c ON c.id = g.tc;
INSERT INTO case_submissions (compliance_check_id, kyc_check_id, entity_id, sequence, submitted_by)
SELECT g.case_id, g.kyc_id, 'bench-' || g.i, 1, c.decided_by
  FROM gen g JOIN compliance_checks c ON c.id = g.tc;
";

pub(crate) const SCALE_AUDIT_SQL: &str = r"
INSERT INTO audit_logs (actor_id, action, subject_kind, subject_id, entity_id)
SELECT c.decided_by, x.action, x.kind, x.subject, 'bench-' || g.i
  FROM gen g JOIN compliance_checks c ON c.id = g.tc,
       LATERAL (VALUES ('kyc_recorded', 'kyc_check', g.kyc_id), ('aml_recorded', 'aml_check', g.aml_id),
                       ('decision_recorded', 'compliance_check', g.case_id)) x(action, kind, subject)
 ORDER BY g.i;
ANALYZE;
";

pub(crate) fn write_temp(name: &str, text: &str) -> Result<PathBuf> {
    let path = std::env::temp_dir().join(format!("{}_{name}", std::process::id()));
    std::fs::write(&path, text)?;
    Ok(path)
}

pub(crate) fn run_quiet(command: &mut Command, what: &str) -> Result<()> {
    let output = command
        .output()
        .with_context(|| format!("running {what} (is the PostgreSQL client installed?)"))?;
    if !output.status.success() {
        bail!(
            "{what} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}
