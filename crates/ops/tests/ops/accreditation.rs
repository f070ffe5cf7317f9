//! Issue 24's rules through the service: golden cases decided with the rules of 2027 keep their
//! facts with the KYC check, list the signals no rule weighed in the case record a reviewer
//! reads, and replay in `verify`; bad facts are a typed error and write nothing.
//!
//! Must not: depend on today's date: every decision here names the instant it is made at.

use crate::support::*;
use compliance_domain::input::CaseInput;
use compliance_ops::verify::{Outcome, VerifyOptions, verify};
use compliance_persistence::repo::kyc_checks;
use compliance_rules::scenarios::golden::{golden, golden_at};

#[test]
fn golden_cases_decided_by_the_service_keep_their_facts_list_what_no_rule_weighed_and_replay() {
    let s = with_rules();
    let (agent, officer) = (s.agent(), s.officer());
    let at = golden_at() + chrono::Duration::days(31);
    let mut conn = s.db.conn();
    for id in [
        "us-g-unweighed-signals",
        "us-g-confirmation-stale",
        "us-g-series-65",
        "in-g-unweighed-adverse-media",
        "in-g-certificate-expired",
        "ae-g-opaque-ownership",
        "ae-g-reassessment-overdue",
    ] {
        let g = golden().into_iter().find(|g| g.id == id).unwrap();
        let submitted = s.compliance.submit_at(&agent, &g.case, None, at).unwrap();
        assert_eq!(submitted.case.engine_status, g.expected_status, "{id}");
        assert_eq!(
            submitted.case.unweighed_signals,
            Some(g.expected_unweighed),
            "{id}: the answer, built in the write's transaction"
        );
        // The facts come back from the row as they went in.
        let kyc = kyc_checks::find_by_entity_id(&mut conn, &g.case.kyc.entity_id).unwrap();
        assert_eq!(kyc.check, g.case.kyc, "{id}");
        // What a reviewer reads names the unweighed signals.
        let record = s.compliance.case(&officer, submitted.case.id).unwrap();
        assert_eq!(record.unweighed_signals, Some(g.expected_unweighed), "{id}");
        let json = serde_json::to_value(&record).unwrap();
        assert!(
            json["unweighed_signals"]["matches"].is_array(),
            "{id}: {json}"
        );
    }
    let record = s
        .compliance
        .current_case(&officer, &entity("us-g-unweighed-signals"))
        .unwrap();
    let json = serde_json::to_value(&record).unwrap();
    assert_eq!(
        json["unweighed_signals"],
        serde_json::json!({"red_flags": ["unusual_activity"], "matches": ["pep", "adverse_media"]})
    );
    let report = verify(s.db.config(), &VerifyOptions::default()).unwrap();
    let replay = report.checks.iter().find(|c| c.number == 18).unwrap();
    assert_eq!(replay.outcome, Outcome::Pass, "{}", replay.detail);
    assert_eq!(report.count(Outcome::Fail), 0, "{:#?}", report.checks);
}

#[test]
fn facts_that_fail_the_boundary_are_a_typed_error_and_nothing_is_written() {
    let s = with_rules();
    let mut conn = s.db.conn();
    let before = count(&mut conn, "SELECT count(*) AS n FROM kyc_checks");
    let input: CaseInput = serde_json::from_value(serde_json::json!({
        "kyc": {"entity_id": "us-bad-facts-001", "entity_type": "individual", "jurisdiction": "US",
                "verification_score": 90, "documents": ["national_id", "tax_id"],
                "investor": {"assessed_on": "2027-02-01", "reg_d": {
                    "certifications": [{"kind": "series_7", "crd_number": "0999999", "in_good_standing": true}],
                    "verifications": [{"method": "public_register_check", "verifier": "issuer",
                                       "verifier_ref": "BROKERCHECK 42", "verified_on": "2027-01-32"}]}}},
        "aml": {"risk_score": 10, "provider": "p", "watchlist_version": "v"}
    }))
    .unwrap();
    let err = s
        .compliance
        .submit_input(&s.agent(), &input, None)
        .unwrap_err();
    let text = err.to_string();
    for path in [
        "kyc.investor.reg_d.certifications[0].crd_number",
        "kyc.investor.reg_d.verifications[0].verified_on",
        "kyc.investor.reg_d.verifications[0].verifier_ref",
    ] {
        assert!(text.contains(path), "{path} not in {text}");
    }
    for secret in ["0999999", "BROKERCHECK", "2027-01-32"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM kyc_checks"),
        before
    );
}
