//! `cargo xtask checkpoint keygen | sign | check | prove | check-proof`: signed checkpoints of
//! the audit log's chains and inclusion proofs of single entries (the work is
//! `compliance_app::checkpoint` and `compliance_app::proof`; this module reads and writes files
//! and picks exit statuses). `check-proof` never connects to a database.
//!
//! Must not: print a secret key, or overwrite a key file.

use crate::cli::{CheckpointAction, CheckpointArgs};
use crate::exit;
use compliance_app::checkpoint::{self, SignedCheckpoint};
use compliance_app::persistence::{DatabaseConfig, connect};
use compliance_app::proof::{self, InclusionProof};

/// Runs a checkpoint action; returns the exit status.
pub fn run(args: &CheckpointArgs) -> u8 {
    match &args.action {
        CheckpointAction::Keygen { out } => keygen(out),
        CheckpointAction::Sign { key, out } => sign(key, out.as_deref()),
        CheckpointAction::Check { file, public_key } => check(file, public_key),
        CheckpointAction::Prove {
            entry,
            checkpoint,
            out,
        } => prove(*entry, checkpoint, out.as_deref()),
        CheckpointAction::CheckProof { file, public_key } => check_proof(file, public_key),
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
    let summary = format!(
        "signed {} entries in {} chain(s); root {}",
        signed.entries,
        signed.heads.len(),
        signed.root
    );
    write_json(
        serde_json::to_string_pretty(&signed).unwrap_or_default(),
        out,
        &summary,
    )
}

/// Writes `json` to `out` (then prints `summary` and where), or to stdout.
fn write_json(json: String, out: Option<&std::path::Path>, summary: &str) -> u8 {
    let json = json + "\n";
    match out {
        Some(path) => {
            if let Err(e) = std::fs::write(path, json) {
                return fail(
                    &format!("cannot write {}: {e}", path.display()),
                    exit::USAGE,
                );
            }
            crate::out(&format!("{summary}; written to {}\n", path.display()));
        }
        None => crate::out(&json),
    }
    exit::OK
}

/// Reads a JSON file of type `T` (`what` names it in the error).
fn read_json<T: serde::de::DeserializeOwned>(file: &std::path::Path, what: &str) -> Result<T, u8> {
    std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))
        .and_then(|text| {
            serde_json::from_str(&text)
                .map_err(|e| format!("{} is not {what}: {e}", file.display()))
        })
        .map_err(|e| fail(&e, exit::USAGE))
}

fn prove(entry: i64, file: &std::path::Path, out: Option<&std::path::Path>) -> u8 {
    let signed: SignedCheckpoint = match read_json(file, "a checkpoint") {
        Ok(signed) => signed,
        Err(code) => return code,
    };
    let (_, mut conn) = match database() {
        Ok(pair) => pair,
        Err(code) => return code,
    };
    let proof = match proof::prove(&mut conn, entry, &signed) {
        Ok(proof) => proof,
        Err(e) => return fail(&e.to_string(), exit::FAILED),
    };
    // The same check the recipient makes, with the key the file names: a proof that would not
    // hold (the log rewritten since the checkpoint) is refused here, not handed over.
    let own_key = checkpoint::verifying_key(&signed.public_key);
    if let Err(e) = own_key.and_then(|key| proof::check_proof(&proof, &key)) {
        return fail(
            &format!(
                "{e}; the database no longer holds what the checkpoint of {} signed, no proof written",
                signed.signed_at
            ),
            exit::FAILED,
        );
    }
    let summary = format!(
        "entry {entry} (chain {}, position {}): leaf {} of {} in the checkpoint of {}, audit path of {} node(s)",
        proof.chain,
        proof.entry.position,
        proof.leaf_index,
        proof.tree_size,
        signed.signed_at,
        proof.audit_path.len()
    );
    write_json(
        serde_json::to_string_pretty(&proof).unwrap_or_default(),
        out,
        &summary,
    )
}

fn check_proof(file: &std::path::Path, public_key: &str) -> u8 {
    let proof: InclusionProof = match read_json(file, "an inclusion proof") {
        Ok(proof) => proof,
        Err(code) => return code,
    };
    let public = match checkpoint::verifying_key(public_key) {
        Ok(key) => key,
        Err(e) => return fail(&e.to_string(), exit::USAGE),
    };
    match proof::check_proof(&proof, &public) {
        Ok(proven) => {
            crate::out(&format!(
                "the proof holds: the entry at chain {}, position {} is in the tree of chain {}'s first {} entries, whose root the checkpoint of {} (root {}) signed (the file calls it entry {}; an id is not hashed, its chain and position are)\n",
                proven.chain,
                proven.position,
                proven.chain,
                proven.tree_size,
                proof.checkpoint.signed_at,
                proof.checkpoint.root,
                proof.entry.id
            ));
            exit::OK
        }
        Err(e) => fail(&e.to_string(), exit::FAILED),
    }
}

fn check(file: &std::path::Path, public_key: &str) -> u8 {
    let signed: SignedCheckpoint = match read_json(file, "a checkpoint") {
        Ok(signed) => signed,
        Err(code) => return code,
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
