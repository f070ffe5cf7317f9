//! End to end through [`compliance_app::Compliance`]: on a provisioned database (DATABASE_URL,
//! or DATABASE_*), find the system agent, submit a case for a new entity with an idempotency
//! key, submit it again (the same answer, nothing new written), read the decision back, and
//! print it as JSON.
//!
//! Must not: print anything personal (the case holds ids, codes and scores only).
//!
//! ```sh
//! cargo xtask provision && cargo run -p compliance-app --example decide
//! ```

use compliance_app::Compliance;
use compliance_app::domain::IdempotencyKey;
use compliance_app::domain::input::CaseInput;
use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("decide: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let compliance = Compliance::from_env()?;
    // This program holds the database's credentials: it acts as the system agent, and says so.
    let agent = compliance.in_process().system_agent()?;
    // A new entity every run, so that the example never meets an open case of its own.
    let suffix = &uuid::Uuid::new_v4().simple().to_string()[..12];
    let entity = format!("ae-ind-example-{suffix}");
    let input: CaseInput = serde_json::from_value(serde_json::json!({
        "kyc": {"entity_id": entity, "entity_type": "individual", "jurisdiction": "AE",
                "verification_score": 95,
                "documents": ["passport", "proof_of_address", "liveness_check"]},
        "aml": {"risk_score": 10, "provider": "refinitiv-world-check",
                "watchlist_version": "2026-11-24"}
    }))?;
    let case = input.parse()?;
    let key = IdempotencyKey::parse(&format!("example-{suffix}"))?;
    let first = compliance.submit(&agent, &case, Some(&key))?;
    let retry = compliance.submit(&agent, &case, Some(&key))?;
    if !retry.replayed || retry.case.id != first.case.id {
        return Err("a retried submission opened a second case".into());
    }
    let read = compliance.current_case(&agent, &case.kyc.entity_id)?;
    if read.id != first.case.id {
        return Err("the entity's current case is not the one submitted".into());
    }
    let out = serde_json::to_string_pretty(&read)?;
    #[allow(clippy::print_stdout)] // The example's output is the decision.
    {
        println!("{out}");
    }
    Ok(())
}
