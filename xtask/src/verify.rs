//! `cargo xtask verify`: the checks against the configured database, printed in the chosen
//! format; exit 0 when none fails, 1 when one does, 2 when the database cannot be reached or
//! the configuration is unusable (with `--format json`, a JSON error object says so). With
//! `DATABASE_READ_URL` set, the checks read that standby (unless `--on-primary`): a line on
//! stderr names the server checked.
//!
//! Must not: write to the database (the checks only read).

use crate::cli::VerifyArgs;
use crate::{exit, report};
use compliance_ops::verify::{Outcome, VerifyOptions, verify};
use compliance_persistence::DatabaseConfig;
use std::time::Duration;

/// Runs `verify`; returns the exit status.
pub fn run(args: &VerifyArgs) -> u8 {
    let config = match DatabaseConfig::from_env().and_then(|primary| on_standby(primary, args)) {
        Ok(config) => config,
        Err(e) => return report::failure(args.format, &e.to_string(), None, exit::UNREACHABLE),
    };
    let options = VerifyOptions {
        expect_seed: args.expect_seed,
        replay_limit: (args.replay_limit > 0).then_some(args.replay_limit),
        pool_max: config.pool_max,
        audit_from: args.audit_from.clone(),
        statement_timeout: Duration::from_secs(args.statement_timeout),
    };
    match verify(&config, &options) {
        Ok(report) => {
            crate::out(&report::render(&report, args.format));
            if report.outcome == Outcome::Fail {
                exit::FAILED
            } else {
                exit::OK
            }
        }
        Err(e) => report::failure(
            args.format,
            &crate::provision::with_hint(format!("cannot verify: {e}")),
            Some(&config.target()),
            exit::UNREACHABLE,
        ),
    }
}

/// The standby `DATABASE_READ_URL` names, unless `--on-primary` or none is named: what
/// `verify` reads.
fn on_standby(
    primary: DatabaseConfig,
    args: &VerifyArgs,
) -> Result<DatabaseConfig, compliance_persistence::ConfigError> {
    if args.on_primary {
        return Ok(primary);
    }
    Ok(match primary.replica_from_env()? {
        Some(replica) => {
            eprintln!(
                "verify: reading the standby DATABASE_READ_URL names ({}); --on-primary checks the primary",
                replica.database.target()
            );
            replica.database
        }
        None => primary,
    })
}
