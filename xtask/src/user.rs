//! `cargo xtask user list | set-password`: who the users are (username, role, active; no
//! e-mail address, no secret), and an admin sets a person's back-office password (Argon2id;
//! audited as `password_set`). The password is read from standard input, never from the
//! command line (which `ps` and shell history show); on a terminal it is not echoed.
//!
//! Must not: print, log or put in an error the password or its hash.

use crate::exit;
use compliance_app::domain::{Password, Username};
use std::io::{BufRead, IsTerminal};

/// Options of `user`.
#[derive(Debug, clap::Args)]
pub struct UserArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: UserAction,
}

/// The user tasks.
#[derive(Debug, clap::Subcommand)]
pub enum UserAction {
    /// List the users: username, role, active (never a password, a hash or an e-mail address).
    List,
    /// Set a person's back-office password, read from standard input (one line; 12 to 128
    /// characters). It replaces any earlier one and unlocks the account.
    ///
    /// Example: `printf '%s\n' "$NEW_PASSWORD" | cargo xtask user set-password --user analyst --by admin`.
    SetPassword {
        /// The person's username (a system agent has no password: it uses API tokens).
        #[arg(long)]
        user: String,
        /// The admin who sets it (a username), recorded in the audit trail.
        #[arg(long)]
        by: String,
    },
}

/// Reads one line from standard input without echoing it on a terminal.
fn read_password() -> std::io::Result<String> {
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    let stty = |arg: &str| {
        let _ = std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status();
    };
    if terminal {
        eprint!("New password (not shown): ");
        stty("-echo");
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if terminal {
        stty("echo");
        eprintln!();
    }
    read?;
    Ok(line
        .strip_suffix('\n')
        .map_or(line.as_str(), |l| l.strip_suffix('\r').unwrap_or(l))
        .to_owned())
}

/// Runs `user`; returns the exit status.
pub fn run(args: &UserArgs) -> u8 {
    let (user, by) = match &args.action {
        UserAction::List => return list(),
        UserAction::SetPassword { user, by } => (user, by),
    };
    let names = Username::parse(user).and_then(|u| Username::parse(by).map(|b| (u, b)));
    let (user, by) = match names {
        Ok(names) => names,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FAILED;
        }
    };
    let password = match read_password() {
        Ok(text) => match Password::parse(&text) {
            Ok(password) => password,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::FAILED;
            }
        },
        Err(e) => {
            eprintln!("error: cannot read the password from standard input: {e}");
            return exit::FAILED;
        }
    };
    let mut conn = match crate::token::connect() {
        Ok(conn) => conn,
        Err(code) => return code,
    };
    match compliance_ops::admin::set_password(&mut conn, &user, &password, &by) {
        Ok(()) => {
            crate::out(&format!("password set for {}\n", user.as_str()));
            exit::OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::FAILED
        }
    }
}

/// `user list`: a table of username, role and active, by username.
fn list() -> u8 {
    let mut conn = match crate::token::connect() {
        Ok(conn) => conn,
        Err(code) => return code,
    };
    match compliance_persistence::repo::users::list(&mut conn, Default::default()) {
        Ok(users) => {
            let mut table = comfy_table::Table::new();
            table.set_header(["username", "role", "active"]);
            for user in users {
                table.add_row([
                    user.username.as_str().to_owned(),
                    user.role.to_string(),
                    if user.active { "yes" } else { "no" }.to_owned(),
                ]);
            }
            crate::out(&format!("{table}\n"));
            exit::OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::FAILED
        }
    }
}
