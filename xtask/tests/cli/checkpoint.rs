//! `cargo xtask checkpoint` as an operator runs it: keygen, sign, check, and proving one entry
//! offline (prove / check-proof), against the real server.

use super::{text, xtask};
use compliance_persistence::testing::TestDatabase;

#[test]
fn checkpoint_keygen_sign_and_check_end_to_end() {
    let db = TestDatabase::empty();
    let url = db.config().connection_url();
    assert_eq!(xtask(&["provision"], &url).status.code(), Some(0));
    let dir = std::env::temp_dir().join(format!("compliance-checkpoint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("key.hex");
    let _ = std::fs::remove_file(&key);
    let made = xtask(
        &["checkpoint", "keygen", "--out", key.to_str().unwrap()],
        &url,
    );
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
    let public = text(&made.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("public key: ").map(str::to_owned))
        .unwrap();
    assert!(!text(&made.stdout).contains(std::fs::read_to_string(&key).unwrap().trim()));
    // A key file is never overwritten.
    let again = xtask(
        &["checkpoint", "keygen", "--out", key.to_str().unwrap()],
        &url,
    );
    assert_eq!(again.status.code(), Some(64));

    let file = dir.join("checkpoint.json");
    let signed = xtask(
        &[
            "checkpoint",
            "sign",
            "--key",
            key.to_str().unwrap(),
            "--out",
            file.to_str().unwrap(),
        ],
        &url,
    );
    assert_eq!(signed.status.code(), Some(0), "{}", text(&signed.stderr));
    let holds = xtask(
        &[
            "checkpoint",
            "check",
            file.to_str().unwrap(),
            "--public-key",
            &public,
        ],
        &url,
    );
    assert_eq!(holds.status.code(), Some(0), "{}", text(&holds.stderr));
    assert!(
        text(&holds.stdout).contains("holds"),
        "{}",
        text(&holds.stdout)
    );
    let other = "11".repeat(32);
    let forged = xtask(
        &[
            "checkpoint",
            "check",
            file.to_str().unwrap(),
            "--public-key",
            &other,
        ],
        &url,
    );
    assert_ne!(forged.status.code(), Some(0));

    // One entry proven, and the proof checked with no database at all.
    let proof = dir.join("proof.json");
    let proven = xtask(
        &[
            "checkpoint",
            "prove",
            "--entry",
            "1",
            "--checkpoint",
            file.to_str().unwrap(),
            "--out",
            proof.to_str().unwrap(),
        ],
        &url,
    );
    assert_eq!(proven.status.code(), Some(0), "{}", text(&proven.stderr));
    let no_database = "postgres://nobody@127.0.0.1:1/none";
    let offline = |proof: &std::path::Path, key: &str| {
        xtask(
            &[
                "checkpoint",
                "check-proof",
                proof.to_str().unwrap(),
                "--public-key",
                key,
            ],
            no_database,
        )
    };
    let holds = offline(&proof, &public);
    assert_eq!(holds.status.code(), Some(0), "{}", text(&holds.stderr));
    assert!(
        text(&holds.stdout).contains("the proof holds: the entry at chain "),
        "{}",
        text(&holds.stdout)
    );
    assert_eq!(offline(&proof, &other).status.code(), Some(1));
    let altered = dir.join("altered.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&proof).unwrap()).unwrap();
    json["entry"]["action"] = "user_deactivated".into();
    std::fs::write(&altered, json.to_string()).unwrap();
    let refused = offline(&altered, &public);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("the inclusion proof does not hold"),
        "{}",
        text(&refused.stderr)
    );
    // An entry the checkpoint does not cover.
    let later = xtask(
        &[
            "checkpoint",
            "prove",
            "--entry",
            "1000000",
            "--checkpoint",
            file.to_str().unwrap(),
        ],
        &url,
    );
    assert_eq!(later.status.code(), Some(1));
    assert!(
        text(&later.stderr).contains("no audit entry has id 1000000"),
        "{}",
        text(&later.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
