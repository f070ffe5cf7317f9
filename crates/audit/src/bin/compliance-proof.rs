//! `compliance-proof`: checks an inclusion proof of one audit entry, or a proof of screening
//! (one entity screened against one list version), offline, with the checkpoint signer's public
//! key, using nothing but this crate (no database, no network).
//!
//! Must not: connect anywhere, or print anything but the verdict.

// A command-line tool: printing is its job.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

const USAGE: &str = "usage: compliance-proof check --proof FILE --public-key HEX
       compliance-proof check-screening --proof FILE --public-key HEX

check: an inclusion proof of one audit entry (as `cargo xtask checkpoint prove` writes it);
check-screening: a proof that an entity was screened against a list version (as `cargo xtask
watchlist prove` writes it). Each is checked against the public key of the checkpoint's signer,
offline. Exit status: 0 the proof holds, 1 it does not hold, 64 the command line or the file
could not be used.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if args.iter().any(|a| a == "--version" || a == "-V") {
        println!("compliance-proof {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    let (Some(command @ ("check" | "check-screening")), Some(file), Some(key)) = (
        args.first().map(String::as_str),
        value(&args, "--proof"),
        value(&args, "--public-key"),
    ) else {
        eprintln!("{USAGE}");
        return ExitCode::from(64);
    };
    let key = match compliance_audit::keys::verifying_key(key) {
        Ok(key) => key,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(64);
        }
    };
    let checked = if command == "check" {
        read::<compliance_audit::InclusionProof>(file, "an inclusion proof").map(|proof| {
            compliance_audit::check_proof(&proof, &key)
                .map(|proven| compliance_audit::proof::holds_sentence(&proof, &proven))
        })
    } else {
        use compliance_audit::screening::{ScreeningProof, check_screening_proof, holds_sentence};
        read::<ScreeningProof>(file, "a proof of screening").map(|proof| {
            check_screening_proof(&proof, &key).map(|proven| holds_sentence(&proof, &proven))
        })
    };
    match checked {
        Ok(Ok(sentence)) => {
            println!("{sentence}");
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(64)
        }
    }
}

/// The proof in `file`, or why it cannot be used.
fn read<T: serde::de::DeserializeOwned>(file: &str, what: &str) -> Result<T, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("{file} is not {what}: {e}"))
}

/// The value after `flag`, if given once.
fn value<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    let at = args.iter().position(|a| a == flag)?;
    args.get(at + 1).map(String::as_str)
}
