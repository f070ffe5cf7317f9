//! Fixtures shared by the tests: users, a KYC check, a screening and a case, built through the
//! repositories, and raw SQL helpers.

use compliance_domain::input::NewUser;
use compliance_domain::*;
use compliance_persistence::diesel::{PgConnection, RunQueryDsl, sql_query};
use compliance_persistence::repo::{
    aml_checks, case_submissions, compliance_checks, kyc_checks, users,
};

pub struct Users {
    pub system: User,
    pub officer: User,
    pub second_officer: User,
    pub analyst: User,
}

pub fn user(conn: &mut PgConnection, username: &str, role: Role) -> User {
    let new = NewUser {
        username: Username::parse(username).unwrap(),
        email: Email::parse(&format!("{username}@example.com")).unwrap(),
        role,
    };
    users::insert(conn, &new, None).unwrap()
}

pub fn users(conn: &mut PgConnection) -> Users {
    Users {
        system: user(conn, "kyc-agent", Role::System),
        officer: user(conn, "officer.one", Role::ComplianceOfficer),
        second_officer: user(conn, "officer.two", Role::ComplianceOfficer),
        analyst: user(conn, "analyst", Role::Analyst),
    }
}

pub fn kyc(entity: &str) -> KycCheck {
    KycCheck {
        entity_id: EntityId::parse(entity).unwrap(),
        entity_type: EntityType::Corporate,
        jurisdiction: Jurisdiction::In,
        verification_score: VerificationScore::new(88).unwrap(),
        documents: [
            DocumentKind::CertificateOfIncorporation,
            DocumentKind::BeneficialOwnership,
        ]
        .into(),
        red_flags: [RedFlag::AdverseMedia].into(),
        investor: InvestorProfile {
            net_worth: Some(Money::parse("600000000.50", "INR").unwrap()),
            annual_income: None,
            total_assets: Some(Money::parse("900000000", "INR").unwrap()),
            accreditation_verified: true,
            assessed_on: NaiveDate::from_ymd_opt(2026, 11, 2),
            sebi: Some(sebi_facts()),
            ..InvestorProfile::default()
        },
    }
}

/// A body corporate's SEBI facts: 60 crore of net worth, a certificate valid two years.
pub fn sebi_facts() -> SebiFacts {
    let inr = |a: &str| Money::parse(a, "INR").unwrap();
    SebiFacts {
        class: SebiInvestorClass::BodyCorporate,
        deemed: None,
        annual_income: None,
        net_worth: Some(NetWorth::new(inr("600000000.50"), inr("150000000")).unwrap()),
        all_partners_eligible: false,
        certificate: Some(
            AccreditationCertificate::new(
                EvidenceRef::parse("NDML").unwrap(),
                EvidenceRef::parse("AI-BC-2026-000042").unwrap(),
                NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
                NaiveDate::from_ymd_opt(2028, 9, 30).unwrap(),
            )
            .unwrap(),
        ),
    }
}

pub fn screening(score: i64, matches: &[(WatchlistKind, &str, &str)]) -> AmlScreening {
    AmlScreening {
        risk_score: RiskScore::new(score).unwrap(),
        matches: matches
            .iter()
            .map(|(kind, list, entry)| WatchlistMatch {
                kind: *kind,
                list: ListName::parse(list).unwrap(),
                entry: ListEntryRef::parse(entry).unwrap(),
                score: None,
            })
            .collect(),
        provider: ScreeningProvider::parse("refinitiv-world-check").unwrap(),
        watchlist_version: WatchlistVersion::parse("2026-11-24").unwrap(),
    }
}

pub fn pep_reason() -> Reason {
    Reason {
        rule: RuleRef {
            code: RuleCode::parse("IN-PEP-EDD").unwrap(),
            version: RuleVersion::FIRST,
        },
        stage: Stage::Aml,
        outcome: CheckStatus::Escalated,
        explanation: "PEP match on IN-PEP entry PEP-1: enhanced due diligence".into(),
    }
}

pub fn rule_versions() -> Vec<RuleRef> {
    vec![
        RuleRef {
            code: RuleCode::parse("IN-PEP-EDD").unwrap(),
            version: RuleVersion::FIRST,
        },
        RuleRef {
            code: RuleCode::parse("IN-SANCTIONS").unwrap(),
            version: RuleVersion::FIRST,
        },
    ]
}

/// A case decided by the engine with the given reasons (ESCALATED with the PEP reason).
pub struct Case {
    pub kyc: kyc_checks::StoredKycCheck,
    pub aml: aml_checks::StoredAmlCheck,
    pub case: compliance_checks::StoredComplianceCheck,
}

pub fn case(conn: &mut PgConnection, system: &User, entity: &str, reasons: Vec<Reason>) -> Case {
    case_of(conn, system, &kyc(entity), 68, reasons)
}

/// A case of `check` (its entity, jurisdiction), screened at `score` with a PEP match.
pub fn case_of(
    conn: &mut PgConnection,
    system: &User,
    check: &KycCheck,
    score: i64,
    reasons: Vec<Reason>,
) -> Case {
    let decision_risk = RiskScore::new(score).unwrap();
    let decision = Decision::new(decision_risk.level(), reasons);
    let kyc =
        kyc_checks::insert(conn, check, decision.stage_status(Stage::Kyc), system.id).unwrap();
    let aml = aml_checks::insert(
        conn,
        kyc.id,
        &check.entity_id,
        &screening(score, &[(WatchlistKind::Pep, "IN-PEP", "PEP-1")]),
        chrono::Utc::now(),
        system.id,
    )
    .unwrap();
    let case = compliance_checks::insert(
        conn,
        &compliance_checks::NewCase {
            kyc_check_id: kyc.id,
            aml_check_id: aml.id,
            entity_id: &check.entity_id,
            jurisdiction: check.jurisdiction,
            risk_score: decision_risk,
            decision: &decision,
            rule_versions: &rule_versions(),
            decided_by: system.id,
        },
    )
    .unwrap();
    let sequence = case_submissions::current(conn, &check.entity_id)
        .unwrap()
        .map_or(1, |c| c.sequence + 1);
    case_submissions::insert(
        conn,
        &case_submissions::NewSubmission {
            compliance_check_id: case.id,
            kyc_check_id: kyc.id,
            entity_id: &check.entity_id,
            sequence,
            idempotency_key: None,
            submitted_by: system.id,
        },
    )
    .unwrap();
    Case { kyc, aml, case }
}

/// The seed users of [`users`], as SQL subqueries for raw statements.
pub const SYSTEM: &str = "(SELECT id FROM users WHERE username = 'kyc-agent')";
pub const OFFICER: &str = "(SELECT id FROM users WHERE username = 'officer.one')";
pub const OFFICER2: &str = "(SELECT id FROM users WHERE username = 'officer.two')";
pub const ANALYST: &str = "(SELECT id FROM users WHERE username = 'analyst')";

/// Runs SQL with triggers off, as only a superuser can: the attack the hash chain is for, or a
/// database as it would be had it been written days ago.
pub fn behind_the_triggers(conn: &mut PgConnection, sql: &str) {
    raw(conn, "SET session_replication_role = replica").unwrap();
    raw(conn, sql).unwrap();
    raw(conn, "SET session_replication_role = DEFAULT").unwrap();
}

/// Runs raw SQL, returning the database's error message and constraint name if it fails.
pub fn raw(conn: &mut PgConnection, sql: &str) -> Result<usize, String> {
    sql_query(sql).execute(conn).map_err(|e| match &e {
        diesel::result::Error::DatabaseError(_, info) => {
            format!(
                "{} [constraint: {}]",
                info.message(),
                info.constraint_name().unwrap_or("none")
            )
        }
        other => other.to_string(),
    })
}

/// Runs raw SQL that must fail, naming `constraint` in the error.
#[track_caller]
pub fn refused(conn: &mut PgConnection, sql: &str, constraint: &str) {
    match raw(conn, sql) {
        Ok(_) => panic!("accepted, but {constraint} should refuse it: {sql}"),
        Err(e) => assert!(
            e.contains(constraint),
            "refused, but not by {constraint}: {e}\n{sql}"
        ),
    }
}

/// A single text value from a query.
pub fn text(conn: &mut PgConnection, sql: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    sql_query(sql).get_result::<Row>(conn).unwrap().value
}

/// One review note by every person, about the test case's entity.
pub fn notes_by_everyone(conn: &mut PgConnection) {
    raw(
        conn,
        "INSERT INTO review_notes (entity_id, author_id, body) SELECT 'in-corp-pep-002', id, 'a reason' FROM users WHERE role <> 'system'",
    )
    .unwrap();
}

/// The note `by` (a user subquery such as [`OFFICER`]) wrote, as a subquery.
pub fn note_of(by: &str) -> String {
    format!(
        "(SELECT n.id FROM review_notes n WHERE n.author_id = {by} ORDER BY n.created_at LIMIT 1)"
    )
}
