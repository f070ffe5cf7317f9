//! docs/rules.md must list every default rule with its parameters exactly as stored, so that the
//! document cannot drift from the code.
//!
//! Must not: check wording; only codes, versions, parameters and regulations.

use compliance_rules::*;
use std::path::Path;

fn rules_md() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn every_default_rule_is_documented_with_its_stored_parameters() {
    let doc = rules_md();
    for rule in default_rules() {
        let stored = rule.to_stored();
        let parameters = serde_json::to_string(&stored.parameters).unwrap();
        assert!(
            doc.contains(&format!("`{}` v{}", stored.code, stored.version)),
            "{} is not in docs/rules.md",
            stored.code
        );
        assert!(
            doc.contains(&parameters),
            "docs/rules.md lacks the parameters of {}: {parameters}",
            stored.code
        );
        assert!(
            doc.contains(&stored.regulation),
            "docs/rules.md lacks the regulation of {}",
            stored.code
        );
    }
}
