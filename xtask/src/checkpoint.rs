//! `cargo xtask checkpoint keygen | sign | check`: signed checkpoints of the audit log's chains
//! (the work is `compliance_app::checkpoint`; this module reads files and picks exit statuses).
//!
//! Must not: print a secret key, or overwrite a key file.

use crate::cli::{CheckpointAction, CheckpointArgs};
use crate::exit;
use compliance_app::checkpoint::{self, SignedCheckpoint};
use compliance_app::persistence::{DatabaseConfig, connect};

/// Runs a checkpoint action; returns the exit status.
pub fn run(args: &CheckpointArgs) -> u8 {
    match &args.action {
        CheckpointAction::Keygen { out } => keygen(out),
        CheckpointAction::Sign { key, out } => sign(key, out.as_deref()),
        CheckpointAction::Check { file, public_key } => check(file, public_key),
    }
}

fn keygen(out: &std::path::Path) -> u8 {
    let (secret, public) = match checkpoint::generate_key() {
        Ok(pair) => pair,
        Err(e) => return fail(&e.to_string(), exit::FAILED),
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(out)
        .and_then(|mut f| std::io::Write::write_all(&mut f, format!("{secret}\n").as_bytes()));
    if let Err(e) = written {
        return fail(&format!("cannot write {}: {e}", out.display()), exit::USAGE);
    }
    crate::out(&format!(
        "secret key written to {} (keep it outside the database)\npublic key: {public}\n",
        out.display()
    ));
    exit::OK
}

fn sign(key: &std::path::Path, out: Option<&std::path::Path>) -> u8 {
    let key = match std::fs::read_to_string(key)
        .map_err(|e| format!("cannot read {}: {e}", key.display()))
        .and_then(|text| checkpoint::signing_key(&text).map_err(|e| e.to_string()))
    {
        Ok(key) => key,
        Err(e) => return fail(&e, exit::USAGE),
    };
    let (config, mut conn) = match database() {
        Ok(pair) => pair,
        Err(code) => return code,
    };
    let signed = match checkpoint::sign(&mut conn, &config.target(), &key) {
        Ok(signed) => signed,
        Err(e) => return fail(&e.to_string(), exit::FAILED),
    };
    let json = serde_json::to_string_pretty(&signed).unwrap_or_default() + "\n";
    match out {
        Some(path) => {
            if let Err(e) = std::fs::write(path, json) {
                return fail(
                    &format!("cannot write {}: {e}", path.display()),
                    exit::USAGE,
                );
            }
            crate::out(&format!(
                "signed {} entries in {} chain(s); root {}; written to {}\n",
                signed.entries,
                signed.heads.len(),
                signed.root,
                path.display()
            ));
        }
        None => crate::out(&json),
    }
    exit::OK
}

fn check(file: &std::path::Path, public_key: &str) -> u8 {
    let signed: SignedCheckpoint = match std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))
        .and_then(|text| {
            serde_json::from_str(&text)
                .map_err(|e| format!("{} is not a checkpoint: {e}", file.display()))
        }) {
        Ok(signed) => signed,
        Err(e) => return fail(&e, exit::USAGE),
    };
    let public = match checkpoint::verifying_key(public_key) {
        Ok(key) => key,
        Err(e) => return fail(&e.to_string(), exit::USAGE),
    };
    let (_, mut conn) = match database() {
        Ok(pair) => pair,
        Err(code) => return code,
    };
    match checkpoint::check(&mut conn, &signed, &public) {
        Ok(outcome) => match outcome.report.first_break {
            None => {
                crate::out(&format!(
                    "the checkpoint of {} (root {}) holds: every chain extends it; {} entries checked since\n",
                    signed.signed_at, signed.root, outcome.report.entries
                ));
                exit::OK
            }
            Some(broken) => fail(
                &format!(
                    "the checkpoint of {} does not hold: entry {} (chain {}, position {}) is {}",
                    signed.signed_at, broken.id, broken.chain, broken.position, broken.kind
                ),
                exit::FAILED,
            ),
        },
        Err(e) => fail(&e.to_string(), exit::FAILED),
    }
}

fn database() -> Result<
    (
        DatabaseConfig,
        compliance_app::persistence::diesel::PgConnection,
    ),
    u8,
> {
    let config = DatabaseConfig::from_env().map_err(|e| fail(&e.to_string(), exit::UNREACHABLE))?;
    let conn = connect(&config).map_err(|e| fail(&e.to_string(), exit::UNREACHABLE))?;
    Ok((config, conn))
}

fn fail(message: &str, code: u8) -> u8 {
    eprintln!("error: {message}");
    code
}
