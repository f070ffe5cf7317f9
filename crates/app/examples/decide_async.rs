//! The same story as `decide.rs`, for a tokio service: through
//! [`compliance_app::AsyncCompliance`], whose calls run the blocking work on tokio's blocking
//! pool, at most as many at once as the database pool has connections. Submits cases for ten
//! new entities concurrently, reads one back, and prints the decisions' statuses as JSON.
//!
//! Must not: print anything personal (the case holds ids, codes and scores only).
//!
//! ```sh
//! cargo xtask provision && cargo run -p compliance-app --features tokio --example decide_async
//! ```

use compliance_app::domain::IdempotencyKey;
use compliance_app::domain::input::CaseInput;
use compliance_app::{AsyncCompliance, Compliance, Config};
use std::process::ExitCode;

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("decide_async: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("decide_async: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // A small pool: the ten submissions below take turns for its four connections.
    let compliance = AsyncCompliance::new(Compliance::new(&Config::from_env()?.pool_max(4)));
    let agent = compliance.call(|c| c.in_process().system_agent()).await?;
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut submissions = Vec::new();
    for n in 0..10 {
        let entity = format!("ae-ind-async-{}-{n}", &run[..12]);
        let input: CaseInput = serde_json::from_value(serde_json::json!({
            "kyc": {"entity_id": entity, "entity_type": "individual", "jurisdiction": "AE",
                    "verification_score": 95,
                    "documents": ["passport", "proof_of_address", "liveness_check"]},
            "aml": {"risk_score": 10, "provider": "refinitiv-world-check",
                    "watchlist_version": "2026-11-24"}
        }))?;
        let case = input.parse()?;
        let key = IdempotencyKey::parse(&format!("async-{}-{n}", &run[..12]))?;
        let compliance = compliance.clone();
        submissions.push(tokio::spawn(async move {
            compliance.submit(agent, case, Some(key)).await
        }));
    }
    let mut statuses = Vec::new();
    for submission in submissions {
        let submitted = submission.await??;
        if submitted.replayed {
            return Err("a first submission was answered as a retry".into());
        }
        statuses.push(submitted.case);
    }
    // Read back through the same facade: the entity's current case is the one submitted.
    let first = &statuses[0];
    let again = compliance
        .current_case(agent, first.entity_id.clone())
        .await?;
    if again.id != first.id {
        return Err("the entity's current case is not the one submitted".into());
    }
    let out = serde_json::json!({
        "submitted": statuses.len(),
        "statuses": statuses.iter().map(|c| c.status.to_string()).collect::<Vec<_>>(),
    });
    #[allow(clippy::print_stdout)] // The example's output is the decisions.
    {
        println!("{out}");
    }
    Ok(())
}
