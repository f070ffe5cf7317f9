//! `cargo xtask provision`: create, migrate, seed and verify, printing each step with its
//! duration as it runs, then the verification report and the totals.
//!
//! Must not: print the password (the configuration prints as host:port/database and user).

use crate::cli::{Format, ProvisionArgs};
use crate::{exit, report};
use compliance_ops::provision::{Progress, ProvisionError, ProvisionOptions, provision};
use compliance_ops::verify::Outcome;
use compliance_persistence::DatabaseConfig;
use std::io::Write;

/// Runs `provision`; returns the exit status.
pub fn run(args: &ProvisionArgs) -> u8 {
    // The embedded default: nothing configured and nothing at 5432 starts this checkout's own.
    if let Err(code) = crate::db::start_if_nothing_answers() {
        return code;
    }
    let config = match DatabaseConfig::from_env() {
        Ok(config) => config,
        Err(e) => return report::failure(args.format, &e.to_string(), None, exit::UNREACHABLE),
    };
    let options = ProvisionOptions {
        seed: !args.no_seed,
        reset: args.reset,
        force: args.force,
        expect_seed: args.expect_seed,
        service_role: args.service_role.clone(),
        admin_role: args.admin_role.clone(),
    };
    // With --format json the only thing on stdout is the JSON report; progress goes to stderr.
    let json = args.format == Format::Json;
    let say = |text: &str, newline: bool| {
        let mut out: Box<dyn Write> = if json {
            Box::new(std::io::stderr())
        } else {
            Box::new(std::io::stdout())
        };
        let _ = if newline {
            writeln!(out, "{text}")
        } else {
            write!(out, "{text}")
        };
        let _ = out.flush();
    };
    say(
        &format!("Provisioning {} as {}", config.target(), config.user()),
        true,
    );
    let result = provision(&config, options, |progress| match progress {
        Progress::Started(step) => say(&format!("  {step:<16}"), false),
        Progress::Finished(step) => {
            say(&format!("{:>9}  {}", ms(step.duration), step.detail), true)
        }
    });
    match result {
        Ok(report) => {
            if json {
                crate::out(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                ));
            } else {
                say("", true);
                crate::out(&report::render(&report.verify, args.format));
                let what = if report.changed_nothing() {
                    format!("{} was already provisioned: nothing changed", report.target)
                } else {
                    format!("{} is provisioned", report.target)
                };
                say(
                    &format!(
                        "Done in {} ({}). {what}.",
                        ms(report.total),
                        step_totals(&report.steps)
                    ),
                    true,
                );
            }
            if report.verify.outcome == Outcome::Fail {
                exit::FAILED
            } else {
                exit::OK
            }
        }
        Err(e) => {
            say("", true);
            let code = match e {
                ProvisionError::Unavailable(_) | ProvisionError::Config(_) => exit::UNREACHABLE,
                _ => exit::FAILED,
            };
            report::failure(
                args.format,
                &with_hint(e.to_string()),
                Some(&config.target()),
                code,
            )
        }
    }
}

fn ms(d: std::time::Duration) -> String {
    let us = d.as_micros();
    format!("{}.{} ms", us / 1000, (us % 1000) / 100)
}

fn step_totals(steps: &[compliance_ops::provision::StepReport]) -> String {
    steps
        .iter()
        .map(|s| format!("{} {}", s.step, ms(s.duration)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `message`, and what to do when nothing is configured and nothing answers.
pub fn with_hint(message: String) -> String {
    match crate::db::unreachable_hint() {
        Some(hint) => format!("{message}; {hint}"),
        None => message,
    }
}
