//! `cargo xtask sla list | publish`: the service-level targets (how long a case may wait in a
//! status, per jurisdiction), in force and scheduled; a compliance officer or admin publishes a
//! new one, in force from now or a later instant, replacing the one in force then (audited as
//! `service_level_published`; the back office's queue and the dashboard judge cases by it).
//!
//! Must not: edit or delete a target (the database keeps them: a target is only closed, by the
//! next one).

use chrono::{DateTime, Utc};
use compliance_app::domain::{CheckStatus, Jurisdiction, Username};
use compliance_ops::admin;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::service_levels;

/// Options of `sla`.
#[derive(Debug, clap::Args)]
pub struct SlaArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: SlaAction,
}

/// The service-level tasks.
#[derive(Debug, clap::Subcommand)]
pub enum SlaAction {
    /// List the targets in force now and those scheduled to start later.
    List,
    /// Publish a target: a case of JURISDICTION waits at most HOURS in STATUS.
    ///
    /// Example: `cargo xtask sla publish --jurisdiction IN --status ESCALATED --hours 24 --by
    /// compliance.officer`.
    Publish {
        /// AE, IN or US.
        #[arg(long)]
        jurisdiction: Jurisdiction,
        /// PENDING or ESCALATED (the statuses a case waits for a review in).
        #[arg(long)]
        status: CheckStatus,
        /// The longest wait, in hours (1 to 8760).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=8760))]
        hours: u16,
        /// When it takes over (RFC 3339, e.g. 2027-01-01T00:00:00Z); now when absent or past.
        #[arg(long)]
        from: Option<DateTime<Utc>>,
        /// Who publishes it: a compliance officer or admin (a username), recorded in the audit.
        #[arg(long)]
        by: String,
    },
}

/// Runs `sla`; returns the exit status.
pub fn run(args: &SlaArgs) -> u8 {
    crate::token::on_database(&args.action, act)
}

fn act(conn: &mut PgConnection, action: &SlaAction) -> anyhow::Result<()> {
    match action {
        SlaAction::List => {
            let mut table = comfy_table::Table::new();
            table.set_header(["jurisdiction", "status", "hours", "from", "until"]);
            for level in service_levels::from(conn, Utc::now())? {
                table.add_row([
                    level.jurisdiction.to_string(),
                    level.status.to_string(),
                    level.target_hours.to_string(),
                    level.effective_from.to_rfc3339(),
                    level
                        .effective_to
                        .map_or_else(|| "-".to_owned(), |to| to.to_rfc3339()),
                ]);
            }
            crate::out(&format!("{table}\n"));
        }
        SlaAction::Publish {
            jurisdiction,
            status,
            hours,
            from,
            by,
        } => {
            let by = Username::parse(by)?;
            let level =
                admin::publish_service_level(conn, *jurisdiction, *status, *hours, *from, &by)?;
            eprintln!(
                "published: a {} case waits at most {} h as {}, from {}",
                level.jurisdiction,
                level.target_hours,
                level.status,
                level.effective_from.to_rfc3339()
            );
        }
    }
    Ok(())
}
