//! `cargo xtask checkpoint keygen | sign | check | prove | check-proof`: signed checkpoints of
//! the audit log's chains and inclusion proofs of single entries (the work is
//! `compliance_ops::checkpoint` over the database and `compliance_audit` offline; this module reads and writes files
//! and picks exit statuses). `check-proof` never connects to a database.
//!
//! Must not: print a secret key, or overwrite a key file.

use crate::cli::{CheckpointAction, CheckpointArgs};
use crate::exit;
use crate::proof_files::{database, fail, read_json, write_json};
use compliance_audit::InclusionProof;
use compliance_audit::SignedCheckpoint;
use compliance_audit::keys;
use compliance_ops::checkpoint;

/// Runs a checkpoint action; returns the exit status.
pub fn run(args: &CheckpointArgs) -> u8 {
    match &args.action {
        CheckpointAction::Keygen { out } => keygen(out),
        CheckpointAction::Sign { key, out } => sign(key, out.as_deref()),
        CheckpointAction::Check {
            file,
            public_key,
            extends_only,
        } => check(file, public_key, *extends_only),
        CheckpointAction::Prove {
            entry,
            checkpoint,
            out,
        } => prove(*entry, checkpoint, out.as_deref()),
        CheckpointAction::CheckProof { file, public_key } => check_proof(file, public_key),
    }
}

fn keygen(out: &std::path::Path) -> u8 {
    let (secret, public) = match keys::generate_key() {
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
        .and_then(|text| keys::signing_key(&text).map_err(|e| e.to_string()))
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

fn prove(entry: i64, file: &std::path::Path, out: Option<&std::path::Path>) -> u8 {
    let signed: SignedCheckpoint = match read_json(file, "a checkpoint") {
        Ok(signed) => signed,
        Err(code) => return code,
    };
    let (_, mut conn) = match database() {
        Ok(pair) => pair,
        Err(code) => return code,
    };
    let proof = match checkpoint::prove(&mut conn, entry, &signed) {
        Ok(proof) => proof,
        Err(e) => return fail(&e.to_string(), exit::FAILED),
    };
    // The same check the recipient makes, with the key the file names: a proof that would not
    // hold (the log rewritten since the checkpoint) is refused here, not handed over.
    let own_key = keys::verifying_key(&signed.public_key);
    if let Err(e) = own_key.and_then(|key| compliance_audit::check_proof(&proof, &key)) {
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
    let public = match keys::verifying_key(public_key) {
        Ok(key) => key,
        Err(e) => return fail(&e.to_string(), exit::USAGE),
    };
    match compliance_audit::check_proof(&proof, &public) {
        Ok(proven) => {
            crate::out(&format!(
                "{}\n",
                compliance_audit::proof::holds_sentence(&proof, &proven)
            ));
            exit::OK
        }
        Err(e) => fail(&e.to_string(), exit::FAILED),
    }
}

fn check(file: &std::path::Path, public_key: &str, extends_only: bool) -> u8 {
    let signed: SignedCheckpoint = match read_json(file, "a checkpoint") {
        Ok(signed) => signed,
        Err(code) => return code,
    };
    let public = match keys::verifying_key(public_key) {
        Ok(key) => key,
        Err(e) => return fail(&e.to_string(), exit::USAGE),
    };
    let (_, mut conn) = match database() {
        Ok(pair) => pair,
        Err(code) => return code,
    };
    let mode = if extends_only {
        checkpoint::CheckMode::ExtendsOnly
    } else {
        checkpoint::CheckMode::Signed
    };
    let outcome = match checkpoint::check(&mut conn, &signed, &public, mode) {
        Ok(outcome) => outcome,
        Err(e) => return fail(&e.to_string(), exit::FAILED),
    };
    let when = signed.signed_at;
    if let Some(broken) = &outcome.report.first_break {
        return fail(
            &format!(
                "the checkpoint of {when} does not hold: entry {} (chain {}, position {}) is {}",
                broken.id, broken.chain, broken.position, broken.kind
            ),
            exit::FAILED,
        );
    }
    if let Some(tree) = outcome.trees_differ.first() {
        return fail(
            &format!(
                "the checkpoint of {when} does not hold: chain {}'s first {} entries are no longer the tree it signed ({} of them present): the log was rewritten since",
                tree.chain, tree.size, tree.present
            ),
            exit::FAILED,
        );
    }
    let how = match mode {
        checkpoint::CheckMode::Signed => format!(
            "every entry it signed is unchanged (the {} entries of the log rehashed, each chain's tree rebuilt at its signed size)",
            outcome.report.entries
        ),
        checkpoint::CheckMode::ExtendsOnly => format!(
            "every chain extends it ({} entries written since checked; the entries before its heads were not reread: drop --extends-only for that)",
            outcome.report.entries
        ),
    };
    crate::out(&format!(
        "the checkpoint of {when} (root {}) holds: {how}\n",
        signed.root
    ));
    exit::OK
}
