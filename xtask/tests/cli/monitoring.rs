//! `cargo xtask watchlist` for ongoing monitoring, as an operator runs it: an import screens the
//! base by itself (an approved investor designated in the new version is rejected), `status`
//! prints the version's numbers, and `prove` writes a proof of screening that holds offline
//! with the checkpoint signer's key and fails with another.

use super::{text, xtask};
use compliance_app::{Compliance, Config};
use compliance_ops::testing::{ofac_fixture_without, screened_case};
use compliance_persistence::testing::TestDatabase;

/// OFAC's fixture written to `dir`, without the rows of `without`: a folder to import.
fn ofac_in(dir: &std::path::Path, without: &[&str]) -> String {
    std::fs::create_dir_all(dir).unwrap();
    for file in ofac_fixture_without(without) {
        std::fs::write(dir.join(&file.name), &file.bytes).unwrap();
    }
    dir.to_str().unwrap().to_owned()
}

#[test]
fn an_import_screens_the_base_and_its_proof_holds_offline() {
    let db = TestDatabase::empty();
    let url = db.config().connection_url();
    assert_eq!(xtask(&["provision"], &url).status.code(), Some(0));
    let dir = std::env::temp_dir().join(format!("compliance-monitoring-{}", std::process::id()));
    let import = |folder: &str| {
        let out = xtask(
            &["watchlist", "import", "--format", "ofac-sdn-csv", folder],
            &url,
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let line: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
        (
            line["version"]["id"].as_str().unwrap().to_owned(),
            text(&out.stderr),
        )
    };
    import(&ofac_in(&dir.join("v1"), &["41003"]));
    let compliance = Compliance::new(&Config::from_url(&url).unwrap());
    let agent = compliance.in_process().system_agent().unwrap();
    let case = screened_case("ae-ind-cli-monitor", "Yusuf Karim HADDAD", 1970, "LB");
    compliance.submit_input(&agent, &case, None).unwrap();

    let (version, stderr) = import(&ofac_in(&dir.join("v2"), &[]));
    assert!(
        stderr.contains("screened 1, matched 1, re-screened 1, escalated 0, rejected 1"),
        "{stderr}"
    );
    assert!(!stderr.to_lowercase().contains("haddad"), "{stderr}");
    let status = xtask(&["watchlist", "status"], &url);
    assert_eq!(status.status.code(), Some(0));
    assert!(text(&status.stdout).contains(&format!("version {version}: done")));

    let key = dir.join("key.hex");
    let _ = std::fs::remove_file(&key);
    let made = xtask(
        &["checkpoint", "keygen", "--out", key.to_str().unwrap()],
        &url,
    );
    let public = text(&made.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("public key: ").map(str::to_owned))
        .unwrap();
    let checkpoint = dir.join("checkpoint.json");
    let signed = xtask(
        &[
            "checkpoint",
            "sign",
            "--key",
            key.to_str().unwrap(),
            "--out",
            checkpoint.to_str().unwrap(),
        ],
        &url,
    );
    assert_eq!(signed.status.code(), Some(0), "{}", text(&signed.stderr));
    let proof = dir.join("screening-proof.json");
    let proven = xtask(
        &[
            "watchlist",
            "prove",
            "--entity",
            "ae-ind-cli-monitor",
            "--version",
            &version,
            "--checkpoint",
            checkpoint.to_str().unwrap(),
            "--out",
            proof.to_str().unwrap(),
        ],
        &url,
    );
    assert_eq!(proven.status.code(), Some(0), "{}", text(&proven.stderr));
    assert!(
        text(&proven.stdout).contains("(outcome match)"),
        "{}",
        text(&proven.stdout)
    );
    let file: compliance_audit::screening::ScreeningProof =
        serde_json::from_str(&std::fs::read_to_string(&proof).unwrap()).unwrap();
    let key = compliance_audit::keys::verifying_key(&public).unwrap();
    let holds = compliance_audit::screening::check_screening_proof(&file, &key).unwrap();
    assert_eq!(
        (holds.entity.as_str(), holds.outcome.as_str()),
        ("ae-ind-cli-monitor", "match")
    );
    let other = compliance_audit::keys::verifying_key(&"11".repeat(32));
    assert!(
        other.is_err()
            || compliance_audit::screening::check_screening_proof(&file, &other.unwrap()).is_err()
    );
    // An entity the job did not screen: exit 1 and the reason.
    let none = xtask(
        &[
            "watchlist",
            "prove",
            "--entity",
            "ae-ind-nobody",
            "--version",
            &version,
            "--checkpoint",
            checkpoint.to_str().unwrap(),
        ],
        &url,
    );
    assert_eq!(none.status.code(), Some(1));
    assert!(
        text(&none.stderr).contains("is not among the 1 entities"),
        "{}",
        text(&none.stderr)
    );
}
