//! `cargo xtask token create | list | revoke`: API tokens for the decision API. A new token's
//! secret is printed once, on stdout, and never again; everything else prints ids and names.
//!
//! Must not: print or log a secret anywhere but that one line, or a hash ever.

use crate::exit;
use chrono::{Duration, Utc};
use compliance_app::domain::{TokenName, UserId, Username};
use compliance_ops::admin;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::{api_tokens, users};
use compliance_persistence::{DatabaseConfig, connect as database};

/// Options of `token`.
#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: TokenAction,
}

/// The token tasks.
#[derive(Debug, clap::Subcommand)]
pub enum TokenAction {
    /// Create a token for a user and print its secret, once.
    ///
    /// The token acts as the user, with the user's role. Store the secret where the service
    /// that uses it reads it; it cannot be shown again (revoke it and create another).
    Create {
        /// The user's username (e.g. kyc-agent, the seed's system agent; `cargo xtask user list`
        /// lists them).
        #[arg(long)]
        user: String,
        /// A label saying who uses it (e.g. onboarding-service).
        #[arg(long)]
        name: String,
        /// Days until it stops working (1 to 3650).
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u16).range(1..=3650))]
        expires_in_days: u16,
        /// Who creates it (a username; by default the user themselves, else an admin).
        /// Recorded in the audit.
        #[arg(long)]
        by: Option<String>,
    },
    /// List tokens (id, user, name, created, expires, revoked, last used); never secrets.
    List {
        /// Only this user's tokens.
        #[arg(long)]
        user: Option<String>,
    },
    /// Revoke a token by its id; it stops working at once.
    Revoke {
        /// The token's id (from `list`).
        id: compliance_app::domain::Uuid,
        /// Who revokes it (a username; by default the token's own user). Recorded in the audit.
        #[arg(long)]
        by: Option<String>,
    },
}

/// A connection to the configured database, or the exit status after saying why not.
pub(crate) fn connect() -> Result<PgConnection, u8> {
    DatabaseConfig::from_env()
        .map_err(|e| e.to_string())
        .and_then(|config| database(&config).map_err(|e| e.to_string()))
        .map_err(|e| {
            eprintln!("error: {e}");
            exit::UNREACHABLE
        })
}

/// Runs `act` on a connection to the configured database: exit 0 when it succeeds, 1 (the
/// refusal said on stderr) when it fails, 2 when the database cannot be reached.
pub(crate) fn on_database<A>(
    action: &A,
    act: impl FnOnce(&mut PgConnection, &A) -> anyhow::Result<()>,
) -> u8 {
    let mut conn = match connect() {
        Ok(conn) => conn,
        Err(code) => return code,
    };
    match act(&mut conn, action) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e}");
            exit::FAILED
        }
    }
}

/// Runs `token`; returns the exit status.
pub fn run(args: &TokenArgs) -> u8 {
    on_database(&args.action, act)
}

fn user_id(conn: &mut PgConnection, name: &str) -> anyhow::Result<UserId> {
    let username = Username::parse(name)?;
    Ok(users::find_by_username(conn, &username)?.id)
}

fn act(conn: &mut PgConnection, action: &TokenAction) -> anyhow::Result<()> {
    match action {
        TokenAction::Create {
            user,
            name,
            expires_in_days,
            by,
        } => {
            let user = Username::parse(user)?;
            let by = by.as_deref().map(Username::parse).transpose()?;
            let name = TokenName::parse(name)?;
            let expires = Utc::now() + Duration::days(i64::from(*expires_in_days));
            let (token, secret) =
                admin::create_token(conn, &user, &name, expires, by.as_ref().unwrap_or(&user))?;
            eprintln!(
                "created token {} for user {}, expires {}; the secret follows, shown once:",
                token.id, token.user, token.expires_at
            );
            crate::out(&format!("{}\n", secret.expose()));
        }
        TokenAction::List { user } => {
            let user = user.as_deref().map(|u| user_id(conn, u)).transpose()?;
            let mut table = comfy_table::Table::new();
            table.set_header([
                "id",
                "user",
                "name",
                "created",
                "expires",
                "revoked",
                "last used",
            ]);
            for t in api_tokens::list(conn, user)? {
                let when = |at: Option<chrono::DateTime<Utc>>| {
                    at.map_or_else(|| "-".to_owned(), |at| at.to_rfc3339())
                };
                table.add_row([
                    t.id.to_string(),
                    t.user.to_string(),
                    t.name.to_string(),
                    t.created_at.to_rfc3339(),
                    t.expires_at.to_rfc3339(),
                    when(t.revoked.map(|(at, _)| at)),
                    when(t.last_used_at),
                ]);
            }
            crate::out(&format!("{table}\n"));
        }
        TokenAction::Revoke { id, by } => {
            let by = match by {
                Some(by) => Username::parse(by)?,
                None => {
                    let owner = api_tokens::find(conn, *id)?.user;
                    users::find(conn, owner)?.username
                }
            };
            let token = admin::revoke_token(conn, *id, &by)?;
            crate::out(&format!(
                "revoked token {} (user {})\n",
                token.id, token.user
            ));
        }
    }
    Ok(())
}
