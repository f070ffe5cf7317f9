//! Issue 24's facts and issue 17's unweighed signals in the database: each jurisdiction's facts
//! round-trip with the KYC check; the database refuses, as raw SQL, the facts the domain
//! refuses; a decision's unweighed signals are exactly what its recorded rules leave unweighed,
//! and once recorded are never erased; a default version whose start has passed is published
//! from now.

use crate::support::*;
use compliance_domain::*;
use compliance_persistence::PersistenceError;
use compliance_persistence::diesel::PgConnection;
use compliance_persistence::repo::compliance_rules::{self as rules, NewRule};
use compliance_persistence::repo::{aml_checks, compliance_checks, kyc_checks};
use compliance_persistence::testing::TestDatabase;
use serde_json::{Value, json};

fn usd(a: &str) -> Money {
    Money::parse(a, "USD").unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A US individual with every part of the Regulation D facts.
fn us_individual(entity: &str) -> KycCheck {
    let mut check = kyc(entity);
    check.jurisdiction = Jurisdiction::Us;
    check.entity_type = EntityType::Individual;
    check.investor = InvestorProfile {
        assessed_on: Some(day(2027, 2, 1)),
        reg_d: Some(RegDFacts {
            income: Some(IncomeRecord {
                basis: Basis::Joint,
                recent_year: 2026,
                recent: usd("310000"),
                prior: usd("305000.25"),
                current_year_expected: true,
            }),
            net_worth: Some(NetWorthRecord {
                basis: Basis::Individual,
                excluding_residence: usd("900000"),
                residence: PrimaryResidence {
                    value: usd("500000"),
                    secured_debt: usd("450000"),
                    secured_debt_60_days_before: usd("400000"),
                    increase_from_acquisition: false,
                },
            }),
            certifications: vec![Certification {
                kind: CertificationKind::Series65,
                crd_number: CrdNumber::parse("7654321").unwrap(),
                in_good_standing: true,
            }],
            issuer_role: Some(IssuerRole::KnowledgeableEmployee),
            entity: None,
            verifications: vec![Verification {
                method: VerificationMethod::ThirdPartyConfirmation,
                verifier: Verifier::CertifiedPublicAccountant,
                verifier_ref: EvidenceRef::parse("CPA-NY-118204").unwrap(),
                verified_on: day(2027, 1, 10),
                written_representation: true,
            }],
        }),
        ..InvestorProfile::default()
    };
    check
}

/// A UAE undertaking classified a DFSA Professional Client.
fn ae_undertaking(entity: &str) -> KycCheck {
    let mut check = kyc(entity);
    check.jurisdiction = Jurisdiction::Ae;
    check.investor = InvestorProfile {
        assessed_on: Some(day(2027, 2, 1)),
        classification: Some(ClientClassification {
            regime: Regime::Dfsa,
            class: ClientClass::Professional,
            institutional: Some(InstitutionalCategory::ListedCompany),
            net_assets: None,
            annual_income: None,
            own_funds: Some(usd("2500000")),
            balance_sheet_total: Some(usd("21000000")),
            net_turnover: None,
            professional_employment: false,
            knowledge_assessed: true,
            warning_given_on: Some(day(2027, 1, 15)),
            classified_on: day(2027, 1, 15),
        }),
        ..InvestorProfile::default()
    };
    check
}

#[test]
fn each_jurisdictions_facts_round_trip_through_the_row() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    for check in [
        us_individual("us-facts-001"),
        ae_undertaking("ae-facts-001"),
        kyc("in-facts-001"),
        // Without facts the columns stay NULL and the profile comes back as it went in.
        KycCheck {
            investor: InvestorProfile::default(),
            ..kyc("in-facts-002")
        },
    ] {
        let stored =
            kyc_checks::insert(&mut conn, &check, CheckStatus::Pending, u.system.id).unwrap();
        assert_eq!(stored.check, check, "{}", check.entity_id);
        let found = kyc_checks::find(&mut conn, stored.id).unwrap();
        assert_eq!(found.check, check, "{}", check.entity_id);
    }
    let nulls = text(
        &mut conn,
        "SELECT (accreditation IS NULL AND assessed_on IS NULL)::text AS value FROM kyc_checks WHERE entity_id = 'in-facts-002'",
    );
    assert_eq!(nulls, "true");
    // The audit entry of a check carries no number of its facts.
    let audit = text(
        &mut conn,
        "SELECT string_agg(details::text, ' ') AS value FROM audit_logs WHERE entity_id = 'us-facts-001'",
    );
    for secret in ["7654321", "CPA-NY-118204", "310000"] {
        assert!(!audit.contains(secret), "{secret} in {audit}");
    }
}

/// An insert of a KYC check of `jurisdiction` and `entity_type` with `facts` as raw JSON.
fn insert_facts(jurisdiction: &str, entity_type: &str, facts: &Value, assessed: &str) -> String {
    format!(
        "INSERT INTO kyc_checks (entity_id, entity_type, jurisdiction, status, verification_score, submitted_by, assessed_on, accreditation)
         VALUES ('raw-facts-1', '{entity_type}', '{jurisdiction}', 'PENDING', 90, {SYSTEM}, {assessed}, '{}')",
        facts.to_string().replace('\'', "''")
    )
}

/// `facts` with `change` applied, for a check of `jurisdiction` and `entity_type`: refused by
/// `ck_kyc_checks_accreditation`.
#[track_caller]
fn refuses(
    conn: &mut PgConnection,
    jurisdiction: &str,
    entity_type: &str,
    facts: &Value,
    change: impl FnOnce(&mut Value),
) {
    let mut bad = facts.clone();
    change(&mut bad);
    refused(
        conn,
        &insert_facts(jurisdiction, entity_type, &bad, "'2027-02-01'"),
        "ck_kyc_checks_accreditation",
    );
}

#[test]
fn the_database_refuses_the_facts_the_domain_refuses() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    users(&mut conn);
    let stored = |c: &KycCheck| -> Value {
        let profile = serde_json::to_value(&c.investor).unwrap();
        let key = ["reg_d", "sebi", "classification"]
            .into_iter()
            .find(|k| profile.get(*k).is_some())
            .unwrap();
        json!({ key: profile[key].clone() })
    };
    let us = stored(&us_individual("x-us"));
    let india = stored(&kyc("x-in"));
    let ae = stored(&ae_undertaking("x-ae"));
    // What the domain writes is accepted (each insert rolled back: they share an entity id).
    for (j, t, facts) in [
        ("US", "individual", &us),
        ("IN", "corporate", &india),
        ("AE", "corporate", &ae),
    ] {
        raw(&mut conn, "BEGIN").unwrap();
        raw(&mut conn, &insert_facts(j, t, facts, "'2027-02-01'")).unwrap();
        raw(&mut conn, "ROLLBACK").unwrap();
    }
    // Another jurisdiction's facts, or a person's facts on a company.
    refused(
        &mut conn,
        &insert_facts("IN", "individual", &us, "'2027-02-01'"),
        "ck_kyc_checks_accreditation",
    );
    refused(
        &mut conn,
        &insert_facts("US", "corporate", &us, "'2027-02-01'"),
        "ck_kyc_checks_accreditation",
    );
    // Facts need the date they are assessed at.
    refused(
        &mut conn,
        &insert_facts("US", "individual", &us, "NULL"),
        "ck_kyc_checks_assessed_on",
    );
    refuses(&mut conn, "US", "individual", &us, |f| {
        f["reg_d"]["certifications"][0]["crd_number"] = json!("0654321")
    });
    refuses(&mut conn, "US", "individual", &us, |f| {
        let c = f["reg_d"]["certifications"][0].clone();
        f["reg_d"]["certifications"] = json!([c.clone(), c]);
    });
    refuses(&mut conn, "US", "individual", &us, |f| {
        f["reg_d"]["verifications"][0]["verified_on"] = json!("2027-02-30")
    });
    refuses(&mut conn, "US", "individual", &us, |f| {
        f["reg_d"]["verifications"][0]["method"] = json!("self_certification")
    });
    refuses(&mut conn, "US", "individual", &us, |f| {
        f["reg_d"]["net_worth"]["residence"]["value"]["currency"] = json!("EUR")
    });
    refuses(&mut conn, "US", "individual", &us, |f| {
        f["reg_d"]["income"]["recent"]["amount"] = json!("-1")
    });
    refuses(&mut conn, "US", "individual", &us, |f| {
        f["reg_d"]["income"]["recent"]["amount"] = json!("1.23456")
    });
    refuses(&mut conn, "US", "individual", &us, |f| {
        f["reg_d"]["income"]["recent_year"] = json!(1850)
    });
    refuses(&mut conn, "US", "individual", &us, |f| {
        f["reg_d"]["full_name"] = json!("someone")
    });
    refuses(&mut conn, "US", "individual", &us, |f| {
        f["reg_d"]["entity"] = json!({"category": "bank", "formed_to_invest": false,
        "all_owners_accredited": false, "directed_by_sophisticated_person": false, "family_office_directed": false})
    });
    refuses(&mut conn, "IN", "corporate", &india, |f| {
        f["sebi"]["net_worth"]["financial_assets"]["amount"] = json!("700000000")
    });
    refuses(&mut conn, "IN", "corporate", &india, |f| {
        f["sebi"]["certificate"]["valid_until"] = json!("2026-09-30")
    });
    refuses(&mut conn, "IN", "corporate", &india, |f| {
        f["sebi"]["class"] = json!("individual")
    });
    refuses(&mut conn, "IN", "individual", &india, |f| {
        f["sebi"]["class"] = json!("body_corporate")
    });
    refuses(&mut conn, "IN", "individual", &india, |f| {
        f["sebi"]["class"] = json!("individual");
        f["sebi"]["deemed"] = json!("category_i_fpi");
    });
    refuses(&mut conn, "AE", "corporate", &ae, |f| {
        f["classification"]["regime"] = json!("vara")
    });
    refuses(&mut conn, "AE", "corporate", &ae, |f| {
        f["classification"]
            .as_object_mut()
            .unwrap()
            .remove("classified_on");
    });
    refuses(&mut conn, "AE", "corporate", &ae, |f| {
        f["classification"]["warning_given_on"] = json!("15/01/2027")
    });
    refuses(&mut conn, "AE", "corporate", &ae, |f| {
        f["classification"]["sebi"] = json!({})
    });
}

/// Publishes version 1 of a rule of IN with `parameters`, in force from 2026-01-01.
fn publish(conn: &mut PgConnection, by: UserId, code: &str, parameters: Value) -> RuleRef {
    let rule = RuleRef {
        code: RuleCode::parse(code).unwrap(),
        version: RuleVersion::FIRST,
    };
    rules::insert(
        conn,
        &NewRule {
            jurisdiction: Jurisdiction::In,
            rule: rule.clone(),
            parameters,
            effective_from: chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
                .unwrap()
                .into(),
            effective_to: None,
            regulation: "IN test regulation".into(),
            description: "A test rule.".into(),
        },
        by,
    )
    .unwrap();
    rule
}

/// A new case of `entity` (a red flag adverse_media, a PEP match) decided with `versions` and
/// listing `unweighed`.
fn decide(
    conn: &mut PgConnection,
    system: UserId,
    entity: &str,
    versions: &[RuleRef],
    unweighed: Option<Signals>,
) -> Result<compliance_checks::StoredComplianceCheck, PersistenceError> {
    let check = kyc(entity);
    let kyc = kyc_checks::insert(conn, &check, CheckStatus::Approved, system).unwrap();
    let screening = screening(20, &[(WatchlistKind::Pep, "IN-PEP", "PEP-1")]);
    let aml = aml_checks::insert(
        conn,
        kyc.id,
        &check.entity_id,
        &screening,
        chrono::Utc::now(),
        system,
    )
    .unwrap();
    let mut decision = Decision::new(RiskLevel::Low, vec![]);
    if let Some(u) = unweighed {
        decision = decision.with_unweighed(u);
    }
    compliance_checks::insert(
        conn,
        &compliance_checks::NewCase {
            kyc_check_id: kyc.id,
            aml_check_id: aml.id,
            entity_id: &check.entity_id,
            jurisdiction: check.jurisdiction,
            risk_score: RiskScore::new(20).unwrap(),
            decision: &decision,
            rule_versions: versions,
            decided_by: system,
        },
    )
}

#[test]
fn a_decisions_unweighed_signals_are_what_its_recorded_rules_leave_unweighed() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let pep = publish(
        &mut conn,
        u.officer.id,
        "IN-PEP-EDD",
        json!({"kind": "pep_match"}),
    );
    let flags = publish(
        &mut conn,
        u.officer.id,
        "IN-RED-FLAGS",
        json!({"kind": "red_flags", "min_count": 3}),
    );
    let weighing = publish(
        &mut conn,
        u.officer.id,
        "IN-WEIGHING",
        json!({"kind": "risk_signals",
        "red_flags": {"adverse_media": 2}, "matches": {}, "min_weight": 2, "outcome": "ESCALATED"}),
    );
    let flag = Signals::NONE.with_red_flag(RedFlag::AdverseMedia);
    let pep_match = Signals::NONE.with_match(WatchlistKind::Pep);
    // Each set of recorded rules, and what it leaves unweighed of a red flag and a PEP match.
    let expected = [
        ("in-unweighed-001", vec![pep.clone()], flag),
        (
            "in-unweighed-002",
            vec![pep.clone(), flags.clone()],
            Signals::NONE,
        ),
        ("in-unweighed-003", vec![weighing.clone()], pep_match),
        ("in-unweighed-004", vec![], flag.union(pep_match)),
    ];
    for (entity, versions, unweighed) in &expected {
        let stored = decide(&mut conn, u.system.id, entity, versions, Some(*unweighed)).unwrap();
        assert_eq!(stored.decision.unweighed(), Some(*unweighed), "{entity}");
        let again = compliance_checks::find(&mut conn, stored.id).unwrap();
        assert_eq!(again.decision.unweighed(), Some(*unweighed), "{entity}");
    }
    // A list that is not what the rules leave unweighed is refused, whichever way it is wrong.
    for (entity, versions, wrong) in [
        ("in-wrong-001", vec![pep.clone()], Signals::NONE),
        ("in-wrong-002", vec![pep.clone(), flags], pep_match),
        ("in-wrong-003", vec![weighing], flag),
    ] {
        let err = decide(&mut conn, u.system.id, entity, &versions, Some(wrong)).unwrap_err();
        assert!(err.to_string().contains("unweighed"), "{entity}: {err}");
    }
    // A decision made without the list (a writer that predates it) stores NULL and reads as such.
    let old = decide(&mut conn, u.system.id, "in-unlisted-001", &[pep], None).unwrap();
    assert_eq!(old.decision.unweighed(), None);
    // Once recorded, the list is never erased, nor changed to another.
    refused(
        &mut conn,
        "UPDATE compliance_checks SET unweighed_signals = NULL, revision = revision + 1
        WHERE kyc_check_id = (SELECT id FROM kyc_checks WHERE entity_id = 'in-unweighed-001')",
        "compliance_checks_unweighed_signals",
    );
    refused(
        &mut conn,
        r#"UPDATE compliance_checks SET unweighed_signals = '{"red_flags": [], "matches": []}', revision = revision + 1
        WHERE kyc_check_id = (SELECT id FROM kyc_checks WHERE entity_id = 'in-unweighed-001')"#,
        "compliance_checks_unweighed_signals",
    );
    // Its shape (ck_compliance_checks_unweighed_signals): known kinds, in their order, once each.
    for (shape, valid) in [
        (
            r#"{"red_flags": ["adverse_media", "unusual_activity"], "matches": ["pep"]}"#,
            true,
        ),
        (r#"{"red_flags": [], "matches": []}"#, true),
        (r#"{"red_flags": ["gossip"], "matches": []}"#, false),
        (
            r#"{"red_flags": ["unusual_activity", "adverse_media"], "matches": []}"#,
            false,
        ),
        (
            r#"{"red_flags": ["adverse_media", "adverse_media"], "matches": []}"#,
            false,
        ),
        (
            r#"{"red_flags": [], "matches": ["adverse_media", "pep"]}"#,
            false,
        ),
        (r#"{"red_flags": [], "matches": [], "entries": []}"#, false),
        (r#"{"red_flags": []}"#, false),
    ] {
        let got = text(
            &mut conn,
            &format!("SELECT signals_valid('{shape}')::text AS value"),
        );
        assert_eq!(got, valid.to_string(), "{shape}");
    }
    // The domain's serialization of every set is a valid shape.
    for entity in ["in-unweighed-001", "in-unweighed-004"] {
        let got = text(
            &mut conn,
            &format!(
                "SELECT signals_valid(unweighed_signals)::text AS value FROM compliance_checks
            WHERE kyc_check_id = (SELECT id FROM kyc_checks WHERE entity_id = '{entity}')"
            ),
        );
        assert_eq!(got, "true", "{entity}");
    }
}

#[test]
fn a_default_version_whose_start_has_passed_is_published_from_now() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let v1 = publish(
        &mut conn,
        u.officer.id,
        "IN-LATER-RULE",
        json!({"kind": "pep_match"}),
    );
    let v2 = RuleRef {
        code: v1.code.clone(),
        version: v1.version.next().unwrap(),
    };
    let past = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z")
        .unwrap()
        .into();
    let new = NewRule {
        jurisdiction: Jurisdiction::In,
        rule: v2.clone(),
        parameters: json!({"kind": "sanctions_match"}),
        effective_from: past,
        effective_to: None,
        regulation: "IN test regulation".into(),
        description: "A later version.".into(),
    };
    // Publishing it as stated would close version 1 in the past: refused, nothing written.
    let err = rules::publish(&mut conn, &new, u.officer.id).unwrap_err();
    assert!(err.to_string().contains(rules::CLOSED_IN_PAST), "{err}");
    let before = chrono::Utc::now() - chrono::Duration::seconds(5);
    let row = rules::publish_from_now_at_earliest(&mut conn, &new, u.officer.id).unwrap();
    assert!(
        row.effective_from > before && row.effective_from > past,
        "{}",
        row.effective_from
    );
    let old = rules::find_version(&mut conn, Jurisdiction::In, &v1).unwrap();
    assert_eq!(old.effective_to, Some(row.effective_from));
    // A start still ahead is kept as stated.
    let v3 = RuleRef {
        code: v1.code.clone(),
        version: v2.version.next().unwrap(),
    };
    let ahead = chrono::Utc::now() + chrono::Duration::days(400);
    let ahead = chrono::DateTime::from_timestamp_micros(ahead.timestamp_micros()).unwrap();
    let row = rules::publish_from_now_at_earliest(
        &mut conn,
        &NewRule {
            rule: v3,
            effective_from: ahead,
            ..new
        },
        u.officer.id,
    )
    .unwrap();
    assert_eq!(row.effective_from, ahead);
    assert_eq!(
        rules::find_version(&mut conn, Jurisdiction::In, &v2)
            .unwrap()
            .effective_to,
        Some(ahead)
    );
}
