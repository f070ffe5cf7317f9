//! `cargo xtask webhook create | list | update | rotate | replay | deliveries`: where the
//! platform's events go (issue 20), as an admin does it over the API, through the library
//! (`Compliance`, acting as the admin named by `--by`). A signing secret is printed once, by
//! `create` and `rotate`, on stdout, with a line on stderr saying so.
//!
//! Must not: print a secret anywhere but that one answer, or do anything the library would not
//! let the `--by` user do (it checks the role; the database checks it again).

use crate::exit;
use crate::watchlist::caller;
use chrono::{DateTime, Utc};
use compliance_app::domain::{DeliveryState, EndpointKind, EventType};
use compliance_app::events::{
    DeliveryRecord, EndpointChange, EndpointRecord, EndpointWithSecret, NewEndpoint,
};
use compliance_app::{Compliance, Config, ReplaySelection};

/// Options of `webhook`.
#[derive(Debug, clap::Args)]
pub struct WebhookArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: WebhookAction,
}

/// How to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// A table (or a line) for people.
    Table,
    /// JSON for machines (one document; `list` and `deliveries` an array).
    Json,
}

/// The webhook tasks.
#[derive(Debug, clap::Subcommand)]
pub enum WebhookAction {
    /// Create an endpoint and print a webhook's signing secret, once.
    ///
    /// A webhook's URL is https:// (http:// only on loopback), without a user name or password,
    /// never a private or shared address unless --allow-private, never a link-local one. Store the secret
    /// where the receiver verifies signatures; it cannot be shown again (rotate to get another).
    Create {
        /// Where events are POSTed (or, with --kind nats, the broker: nats://host:port).
        #[arg(long)]
        url: String,
        /// An event type it receives (repeatable, e.g. --event-type case.status_changed); none
        /// for all.
        #[arg(long = "event-type", value_name = "TYPE", value_parser = event_type)]
        event_types: Vec<EventType>,
        /// What it is, in a few words (no personal data).
        #[arg(long, default_value = "")]
        description: String,
        /// Allow a private or shared address (audited); a link-local one never is.
        #[arg(long)]
        allow_private: bool,
        /// `webhook`, or `nats` for a NATS JetStream broker.
        #[arg(long, value_parser = kind, default_value = "webhook")]
        kind: EndpointKind,
        /// A broker's subject prefix (default compliance.events).
        #[arg(long)]
        subject_prefix: Option<String>,
        /// The admin creating it (recorded in the audit).
        #[arg(long, default_value = "admin")]
        by: String,
        /// How to print the endpoint and its secret.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// List the endpoints with their deliveries by state and their circuit; never a secret.
    List {
        /// Who reads them (an admin or a compliance officer).
        #[arg(long, default_value = "admin")]
        by: String,
        /// How to print them.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// Change what an endpoint receives, its description or whether it is active, at the
    /// revision read (`list` shows it); a stale revision is refused.
    Update {
        /// The endpoint's id.
        id: compliance_app::domain::Uuid,
        /// Its revision, as read.
        #[arg(long)]
        revision: i32,
        /// Activate (true) or deactivate (false) it.
        #[arg(long, value_name = "true|false")]
        active: Option<bool>,
        /// The event types it receives from now on (repeatable).
        #[arg(long = "event-type", value_name = "TYPE", value_parser = event_type, conflicts_with = "all_event_types")]
        event_types: Vec<EventType>,
        /// It receives every event type from now on.
        #[arg(long)]
        all_event_types: bool,
        /// Its new description.
        #[arg(long)]
        description: Option<String>,
        /// The admin changing it (recorded in the audit).
        #[arg(long, default_value = "admin")]
        by: String,
        /// How to print the endpoint.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// Give a webhook a new signing secret and print it, once; the current one keeps signing
    /// beside it for --previous-valid-for seconds, so that receivers switch without losing a
    /// delivery.
    Rotate {
        /// The webhook's id.
        id: compliance_app::domain::Uuid,
        /// Its revision, as read.
        #[arg(long)]
        revision: i32,
        /// How long the current secret keeps signing, in seconds (0 to 604800).
        #[arg(long, value_name = "SECONDS", default_value_t = 86_400,
              value_parser = clap::value_parser!(u32).range(0..=604_800))]
        previous_valid_for: u32,
        /// The admin rotating it (recorded in the audit).
        #[arg(long, default_value = "admin")]
        by: String,
        /// How to print the endpoint and its secret.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// Send one event (--event) or every event written in [--from, --to) to an endpoint again;
    /// prints how many deliveries were queued. Audited.
    Replay {
        /// The endpoint's id.
        id: compliance_app::domain::Uuid,
        /// The event's id.
        #[arg(long, required_unless_present = "from", conflicts_with_all = ["from", "to"])]
        event: Option<compliance_app::domain::Uuid>,
        /// From (inclusive), RFC 3339, e.g. 2026-12-07T00:00:00Z.
        #[arg(long, requires = "to")]
        from: Option<DateTime<Utc>>,
        /// To (exclusive), RFC 3339.
        #[arg(long, requires = "from")]
        to: Option<DateTime<Utc>>,
        /// The admin replaying (recorded in the audit).
        #[arg(long, default_value = "admin")]
        by: String,
        /// How to print the count.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// An endpoint's deliveries, newest first: state, attempts, when.
    Deliveries {
        /// The endpoint's id.
        id: compliance_app::domain::Uuid,
        /// Only deliveries in this state (pending, sending, delivered, failed).
        #[arg(long, value_parser = state)]
        state: Option<DeliveryState>,
        /// At most this many (1 to 500).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u16).range(1..=500))]
        limit: u16,
        /// Who reads them (an admin or a compliance officer).
        #[arg(long, default_value = "admin")]
        by: String,
        /// How to print them.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
}

fn event_type(text: &str) -> Result<EventType, String> {
    text.parse()
        .map_err(|e: compliance_app::domain::UnknownVariant| e.to_string())
}

fn kind(text: &str) -> Result<EndpointKind, String> {
    text.parse()
        .map_err(|e: compliance_app::domain::UnknownVariant| e.to_string())
}

fn state(text: &str) -> Result<DeliveryState, String> {
    text.parse()
        .map_err(|e: compliance_app::domain::UnknownVariant| e.to_string())
}

/// Runs `webhook`; returns the exit status.
pub fn run(args: &WebhookArgs) -> u8 {
    match act(&args.action) {
        Ok(()) => exit::OK,
        Err(e) => exit::of(&e),
    }
}

fn when(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| "-".to_owned(), |at| at.to_rfc3339())
}

fn types(types: &[EventType]) -> String {
    if types.is_empty() {
        "all".to_owned()
    } else {
        types
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn endpoints_table(endpoints: &[EndpointRecord]) -> String {
    let mut table = comfy_table::Table::new();
    table.set_header([
        "id",
        "kind",
        "url",
        "receives",
        "active",
        "pending",
        "sending",
        "delivered",
        "failed",
        "failures in a row",
        "paused until",
        "revision",
        "description",
    ]);
    for e in endpoints {
        table.add_row([
            e.id.to_string(),
            e.kind.to_string(),
            e.url.clone(),
            types(&e.event_types),
            e.active.to_string(),
            e.deliveries.pending.to_string(),
            e.deliveries.sending.to_string(),
            e.deliveries.delivered.to_string(),
            e.deliveries.failed.to_string(),
            e.consecutive_failures.to_string(),
            when(e.paused_until),
            e.revision.to_string(),
            e.description.clone(),
        ]);
    }
    format!("{table}\n")
}

fn deliveries_table(deliveries: &[DeliveryRecord]) -> String {
    let mut table = comfy_table::Table::new();
    table.set_header([
        "id",
        "event",
        "entity",
        "sequence",
        "state",
        "attempts",
        "created",
        "next attempt",
        "delivered",
        "replayed",
    ]);
    for d in deliveries {
        let next = (d.state == DeliveryState::Pending).then_some(d.next_attempt_at);
        table.add_row([
            d.id.to_string(),
            d.event_id.to_string(),
            d.entity_id.clone(),
            d.sequence.to_string(),
            d.state.to_string(),
            d.attempts.to_string(),
            d.created_at.to_rfc3339(),
            when(next),
            when(d.delivered_at),
            when(d.replayed_at),
        ]);
    }
    format!("{table}\n")
}

fn json<T: serde::Serialize>(value: &T) -> anyhow::Result<String> {
    Ok(format!("{}\n", serde_json::to_string_pretty(value)?))
}

/// Prints an endpoint with its secret: the secret alone on stdout (a table) or in the JSON, and
/// on stderr what it is and that it is shown once.
fn print_with_secret(
    what: &str,
    created: &EndpointWithSecret,
    format: Output,
) -> anyhow::Result<()> {
    let e = &created.endpoint;
    match &created.secret {
        Some(_) => eprintln!(
            "{what} {} {} (revision {}); its signing secret follows, shown once: store it now",
            e.kind, e.id, e.revision
        ),
        None => eprintln!(
            "{what} {} {} (revision {}); a broker has no signing secret",
            e.kind, e.id, e.revision
        ),
    }
    match (format, &created.secret) {
        (Output::Json, _) => crate::out(&json(created)?),
        (Output::Table, Some(secret)) => crate::out(&format!("{}\n", secret.expose())),
        (Output::Table, None) => crate::out(&endpoints_table(std::slice::from_ref(e))),
    }
    Ok(())
}

fn act(action: &WebhookAction) -> anyhow::Result<()> {
    let compliance = Compliance::new(&Config::from_env()?);
    match action {
        WebhookAction::Create {
            url,
            event_types,
            description,
            allow_private,
            kind,
            subject_prefix,
            by,
            format,
        } => {
            let caller = caller(&compliance, by)?;
            let new = NewEndpoint {
                kind: *kind,
                url: url.clone(),
                subject_prefix: subject_prefix.clone(),
                event_types: event_types.clone(),
                description: description.clone(),
                allow_private: *allow_private,
            };
            let created = compliance.create_endpoint(&caller, &new)?;
            print_with_secret("created", &created, *format)?;
        }
        WebhookAction::List { by, format } => {
            let caller = caller(&compliance, by)?;
            let endpoints = compliance.endpoints(&caller)?;
            crate::out(&match format {
                Output::Table => endpoints_table(&endpoints),
                Output::Json => json(&endpoints)?,
            });
        }
        WebhookAction::Update {
            id,
            revision,
            active,
            event_types,
            all_event_types,
            description,
            by,
            format,
        } => {
            let caller = caller(&compliance, by)?;
            let change = EndpointChange {
                active: *active,
                event_types: if *all_event_types {
                    Some(Vec::new())
                } else {
                    (!event_types.is_empty()).then(|| event_types.clone())
                },
                description: description.clone(),
            };
            if change == EndpointChange::default() {
                anyhow::bail!(
                    "nothing to change: give --active, --event-type, --all-event-types or --description"
                );
            }
            let endpoint = compliance.update_endpoint(&caller, *id, *revision, &change)?;
            eprintln!(
                "endpoint {} is at revision {}",
                endpoint.id, endpoint.revision
            );
            crate::out(&match format {
                Output::Table => endpoints_table(std::slice::from_ref(&endpoint)),
                Output::Json => json(&endpoint)?,
            });
        }
        WebhookAction::Rotate {
            id,
            revision,
            previous_valid_for,
            by,
            format,
        } => {
            let caller = caller(&compliance, by)?;
            let until = Utc::now() + chrono::Duration::seconds(i64::from(*previous_valid_for));
            let rotated = compliance.rotate_secret(&caller, *id, *revision, until)?;
            print_with_secret("rotated the secret of", &rotated, *format)?;
            if *previous_valid_for > 0 {
                eprintln!(
                    "the previous secret keeps signing beside it until {}",
                    until.to_rfc3339()
                );
            }
        }
        WebhookAction::Replay {
            id,
            event,
            from,
            to,
            by,
            format,
        } => {
            let caller = caller(&compliance, by)?;
            let selection = match (event, from, to) {
                (Some(event), _, _) => ReplaySelection::Event(*event),
                (None, Some(from), Some(to)) => ReplaySelection::Range {
                    from: *from,
                    to: *to,
                },
                _ => anyhow::bail!("give --event, or --from and --to"),
            };
            let replayed = compliance.replay_deliveries(&caller, *id, selection)?;
            crate::out(&match format {
                Output::Table => format!("replayed {replayed} deliveries to endpoint {id}\n"),
                Output::Json => json(&serde_json::json!({ "replayed": replayed }))?,
            });
        }
        WebhookAction::Deliveries {
            id,
            state,
            limit,
            by,
            format,
        } => {
            let caller = caller(&compliance, by)?;
            let deliveries = compliance.deliveries(&caller, *id, *state, *limit)?;
            crate::out(&match format {
                Output::Table => deliveries_table(&deliveries),
                Output::Json => json(&deliveries)?,
            });
        }
    }
    Ok(())
}
