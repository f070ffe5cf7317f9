//! `compliance-proof`: checks an inclusion proof of one audit entry offline, with the
//! checkpoint signer's public key, using nothing but this crate (no database, no network).
//!
//! Must not: connect anywhere, or print anything but the verdict.

// A command-line tool: printing is its job.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

const USAGE: &str = "usage: compliance-proof check --proof FILE --public-key HEX

Checks an inclusion proof (as `cargo xtask checkpoint prove` writes it) against the public key
of the checkpoint's signer, offline. Exit status: 0 the proof holds, 1 it does not hold, 64 the
command line or the file could not be used.";

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
    let (Some("check"), Some(file), Some(key)) = (
        args.first().map(String::as_str),
        value(&args, "--proof"),
        value(&args, "--public-key"),
    ) else {
        eprintln!("{USAGE}");
        return ExitCode::from(64);
    };
    let proof = match std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {file}: {e}"))
        .and_then(|text| {
            serde_json::from_str::<compliance_audit::InclusionProof>(&text)
                .map_err(|e| format!("{file} is not an inclusion proof: {e}"))
        }) {
        Ok(proof) => proof,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(64);
        }
    };
    let key = match compliance_audit::keys::verifying_key(key) {
        Ok(key) => key,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(64);
        }
    };
    match compliance_audit::check_proof(&proof, &key) {
        Ok(proven) => {
            println!(
                "{}",
                compliance_audit::proof::holds_sentence(&proof, &proven)
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// The value after `flag`, if given once.
fn value<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    let at = args.iter().position(|a| a == flag)?;
    args.get(at + 1).map(String::as_str)
}
