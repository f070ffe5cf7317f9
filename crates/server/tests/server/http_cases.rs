//! The decision API's routes through the router: submit, retry, read, review (If-Match, four
//! eyes), clear a match, re-screen, the entity's history and audit, the reports and the rules.

use crate::api_client::{Api, case_json, kind};
use crate::support::{
    count, reason, sanctions_hit_on_the_escalation, sdn, second_officer, token_for,
};
use axum::http::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn submit_answers_the_decision_and_a_retry_answers_the_same_case() {
    let api = Api::new();
    let body = case_json("ae-ind-http-001");
    let key = [("idempotency-key", "onboarding-7f3a")];
    let (status, headers, first) = api
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&api.agent),
            &key,
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["replayed"], false);
    let case = &first["case"];
    assert_eq!(case["status"], "APPROVED");
    assert_eq!(case["risk_level"], "LOW");
    assert_eq!(case["watchlist_version"], "2026-11-24");
    assert_eq!(headers["etag"], "\"1\"");
    let id = case["id"].as_str().unwrap();
    assert_eq!(headers["location"], format!("/api/v1/cases/{id}").as_str());

    let cases = api.rows("compliance_checks");
    let (status, _, retry) = api
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&api.agent),
            &key,
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{retry}");
    assert_eq!(retry["replayed"], true);
    assert_eq!(retry["case"]["id"], id);
    assert_eq!(
        api.rows("compliance_checks"),
        cases,
        "a retry writes no second case"
    );

    // The same key with other inputs is refused, and writes nothing.
    let mut other = case_json("ae-ind-http-001");
    other["aml"]["risk_score"] = json!(20);
    let (status, _, problem) = api
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&api.agent),
            &key,
            Some(other),
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::UNPROCESSABLE_ENTITY, "idempotency-key-reused")
    );
    assert_eq!(api.rows("compliance_checks"), cases);

    let (status, headers, read) = api.get(&format!("/api/v1/cases/{id}"), &api.analyst).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["etag"], "\"1\"");
    assert_eq!(read, first["case"]);
    let (_, _, current) = api
        .get("/api/v1/entities/ae-ind-http-001/case", &api.analyst)
        .await;
    assert_eq!(current["id"], id);
    let (_, _, history) = api
        .get("/api/v1/entities/ae-ind-http-001/history", &api.analyst)
        .await;
    assert_eq!(history.as_array().unwrap().len(), 1);
    let (status, _, audit) = api
        .get(
            "/api/v1/entities/ae-ind-http-001/audit?order=oldest",
            &api.analyst,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    assert!(audit["next"].is_null(), "one page: {audit}");
    let entries = audit["items"].as_array().unwrap();
    let actions: Vec<_> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["kyc_recorded", "aml_recorded", "decision_recorded"]
    );
    // One submission is one transaction, so one chain, at consecutive positions.
    assert!(
        entries.windows(2).all(|w| w[0]["chain"] == w[1]["chain"]
            && w[0]["position"].as_i64().unwrap() + 1 == w[1]["position"].as_i64().unwrap()),
        "{audit}"
    );
    assert!(
        entries
            .iter()
            .all(|e| e["hash"].as_str().unwrap().len() == 64)
    );
    // Newest first by default.
    let (_, _, newest) = api
        .get("/api/v1/entities/ae-ind-http-001/audit", &api.analyst)
        .await;
    let mut reversed = entries.clone();
    reversed.reverse();
    assert_eq!(newest["items"].as_array().unwrap(), &reversed);
}

#[tokio::test]
async fn reasons_carry_rule_code_version_and_regulation() {
    let api = Api::new();
    let (status, _, case) = api
        .get("/api/v1/entities/in-corp-pep-002/case", &api.officer)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(case["status"], "ESCALATED");
    let reasons = case["reasons"].as_array().unwrap();
    assert!(!reasons.is_empty());
    for reason in reasons {
        assert!(
            reason["rule"].as_str().unwrap().starts_with("IN-"),
            "{reason}"
        );
        assert_eq!(reason["version"], 1);
        assert!(
            reason["regulation"].as_str().unwrap().starts_with("IN "),
            "{reason}"
        );
    }
}

#[tokio::test]
async fn review_needs_the_revision_read_and_a_stale_one_is_412() {
    let api = Api::new();
    let (id, revision) = api.case_of("ae-corp-pending-002").await;
    let uri = format!("/api/v1/cases/{id}/review");
    let body = json!({"verdict": "reject", "reason": "the investor withdrew"});
    let (status, _, problem) = api
        .call(
            Method::POST,
            &uri,
            Some(&api.analyst),
            &[],
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::PRECONDITION_REQUIRED, "precondition-required")
    );
    let (status, _, _) = api
        .call(
            Method::POST,
            &uri,
            Some(&api.analyst),
            &[("if-match", "3")],
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an unquoted revision is not an ETag"
    );
    let stale = format!("\"{}\"", revision + 5);
    let (status, _, problem) = api
        .call(
            Method::POST,
            &uri,
            Some(&api.analyst),
            &[("if-match", &stale)],
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::PRECONDITION_FAILED, "stale-revision")
    );
    let notes = api.rows("review_notes");
    let seen = format!("\"{revision}\"");
    let (status, headers, done) = api
        .call(
            Method::POST,
            &uri,
            Some(&api.analyst),
            &[("if-match", &seen)],
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["outcome"], "decided");
    assert_eq!(done["case"]["status"], "REJECTED");
    assert_eq!(headers["etag"], format!("\"{}\"", revision + 1).as_str());
    assert_eq!(api.rows("review_notes"), notes + 1);
    // The same page sent twice: the second is stale.
    let (status, _, _) = api
        .call(
            Method::POST,
            &uri,
            Some(&api.officer),
            &[("if-match", &seen)],
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        api.rows("review_notes"),
        notes + 1,
        "a stale review writes no note"
    );
}

/// Issue 17, defect 11: the engine's PENDING is not approved by one reviewer; a waiver takes
/// a proposal and a compliance officer's or admin's confirmation.
#[tokio::test]
async fn the_engines_pending_needs_a_waiver_under_four_eyes() {
    let api = Api::new();
    let (id, revision) = api.case_of("ae-corp-pending-002").await;
    let uri = format!("/api/v1/cases/{id}/review");
    let etag = |r: i64| format!("\"{r}\"");
    let review = |who: &str, verdict: &str, r: i64| {
        let token = match who {
            "analyst" => api.analyst.clone(),
            _ => api.officer.clone(),
        };
        let body = json!({"verdict": verdict, "reason": "originals seen at the branch"});
        let uri = uri.clone();
        let api = &api;
        async move {
            api.call(
                Method::POST,
                &uri,
                Some(&token),
                &[("if-match", &etag(r))],
                Some(body),
            )
            .await
        }
    };
    let notes = api.rows("review_notes");
    let (status, _, problem) = review("analyst", "approve", revision).await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::CONFLICT, "evidence-required"),
        "{problem}"
    );
    assert_eq!(api.rows("review_notes"), notes, "a refusal writes nothing");

    let (status, _, proposed) = review("analyst", "waive", revision).await;
    assert_eq!(status, StatusCode::OK, "{proposed}");
    assert_eq!(proposed["outcome"], "waiver_proposed");
    assert_eq!(proposed["case"]["status"], "PENDING");
    // The proposer confirming their own waiver is four eyes' refusal.
    let (status, _, problem) = review("analyst", "waive", revision + 1).await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::CONFLICT, "four-eyes"),
        "{problem}"
    );
    let (status, _, confirmed) = review("officer", "waive", revision + 1).await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(confirmed["outcome"], "decided");
    assert_eq!(confirmed["case"]["status"], "APPROVED");
}

#[tokio::test]
async fn four_eyes_one_person_twice_is_refused_two_people_approve() {
    let api = Api::new();
    let (id, revision) = api.case_of("in-corp-pep-002").await;
    let uri = format!("/api/v1/cases/{id}/review");
    let body = json!({"verdict": "approve", "reason": "enhanced due diligence complete"});
    let etag = |r: i64| format!("\"{r}\"");
    // An analyst may not decide an escalation.
    let (status, _, problem) = api
        .call(
            Method::POST,
            &uri,
            Some(&api.analyst),
            &[("if-match", &etag(revision))],
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let (status, _, proposed) = api
        .call(
            Method::POST,
            &uri,
            Some(&api.officer),
            &[("if-match", &etag(revision))],
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{proposed}");
    assert_eq!(proposed["outcome"], "approval_proposed");
    assert_eq!(proposed["case"]["status"], "ESCALATED");
    let next = proposed["case"]["revision"].as_i64().unwrap();
    let (status, _, problem) = api
        .call(
            Method::POST,
            &uri,
            Some(&api.officer),
            &[("if-match", &etag(next))],
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::CONFLICT, "four-eyes")
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("second reviewer"),
        "{problem}"
    );
    let (status, _, approved) = api
        .call(
            Method::POST,
            &uri,
            Some(&api.admin),
            &[("if-match", &etag(next))],
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["case"]["status"], "APPROVED");
}

#[tokio::test]
async fn a_false_positive_takes_two_officers() {
    let api = Api::new();
    let (id, revision) = api.case_of("in-corp-pep-002").await;
    let uri = format!("/api/v1/cases/{id}/false-positives");
    let etag = |r: i64| format!("\"{r}\"");
    let body =
        json!({"list": "DJRC-PEP", "entry": "PEP-20417", "reason": "different date of birth"});
    let (status, _, problem) = api
        .call(
            Method::POST,
            &uri,
            Some(&api.analyst),
            &[("if-match", &etag(revision))],
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let (status, headers, proposed) = api
        .call(
            Method::POST,
            &uri,
            Some(&api.officer),
            &[("if-match", &etag(revision))],
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{proposed}");
    assert_eq!(proposed["disposition"], "proposed");
    assert_eq!(proposed["revision"], revision + 1);
    assert_eq!(headers["etag"], etag(revision + 1).as_str());
    let (status, _, problem) = api
        .call(
            Method::POST,
            &uri,
            Some(&api.officer),
            &[("if-match", &etag(revision + 1))],
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::CONFLICT, "four-eyes")
    );
    let (status, headers, confirmed) = api
        .call(
            Method::POST,
            &uri,
            Some(&api.admin),
            &[("if-match", &etag(revision + 1))],
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(confirmed["disposition"], "confirmed");
    assert_eq!(headers["etag"], etag(revision + 2).as_str());
    let unmatched = json!({"list": "DJRC-PEP", "entry": "PEP-1", "reason": "not on the screening"});
    let (status, _, problem) = api
        .call(
            Method::POST,
            &uri,
            Some(&api.admin),
            &[("if-match", &etag(revision + 2))],
            Some(unmatched),
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::UNPROCESSABLE_ENTITY, "not-matched")
    );
}

#[tokio::test]
async fn rescreening_is_the_system_agents() {
    let api = Api::new();
    let uri = "/api/v1/entities/ae-ind-clean-001/screenings";
    let screening = json!({"risk_score": 12, "provider": "refinitiv-world-check", "watchlist_version": "2026-12-01"});
    let (status, _, problem) = api
        .call(
            Method::POST,
            uri,
            Some(&api.analyst),
            &[],
            Some(screening.clone()),
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let (status, _, done) = api
        .call(
            Method::POST,
            uri,
            Some(&api.agent),
            &[],
            Some(screening.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["case"]["watchlist_version"], "2026-12-01");
    assert_eq!(done["before"], "APPROVED");
    assert_eq!(done["replayed"], false);
    // The same screening again, under the same rules, is a retry: nothing new is written.
    let written = (api.rows("aml_checks"), api.rows("audit_logs"));
    let (status, _, again) = api
        .call(Method::POST, uri, Some(&api.agent), &[], Some(screening))
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["replayed"], true, "{again}");
    assert_eq!(again["case"], done["case"]);
    assert_eq!((api.rows("aml_checks"), api.rows("audit_logs")), written);
}

#[tokio::test]
async fn roles_the_agent_does_not_review_and_people_do_not_submit() {
    let api = Api::new();
    let cases = api.rows("compliance_checks");
    for token in [&api.analyst, &api.officer, &api.admin] {
        let (status, _, _) = api
            .call(
                Method::POST,
                "/api/v1/cases",
                Some(token),
                &[],
                Some(case_json("ae-ind-http-002")),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert_eq!(api.rows("compliance_checks"), cases);
    let (id, revision) = api.case_of("ae-corp-pending-002").await;
    let (status, _, problem) = api
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/review"),
            Some(&api.agent),
            &[("if-match", &format!("\"{revision}\""))],
            Some(json!({"verdict": "approve", "reason": "automatic"})),
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
}

#[tokio::test]
async fn the_queue_pages_by_cursor_and_filters() {
    let api = Api::new();
    let (status, _, all) = api.get("/api/v1/queue", &api.analyst).await;
    assert_eq!(status, StatusCode::OK);
    let all: Vec<_> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["case_id"].clone())
        .collect();
    assert!(all.len() >= 3, "{all:?}");
    let mut paged = Vec::new();
    let mut uri = "/api/v1/queue?limit=1".to_owned();
    loop {
        let (status, _, page) = api.get(&uri, &api.analyst).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        paged.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["case_id"].clone()),
        );
        match page["next"].as_str() {
            Some(next) => uri = format!("/api/v1/queue?limit=1&cursor={next}"),
            None => break,
        }
        assert!(paged.len() <= all.len(), "the pages never end");
    }
    assert_eq!(paged, all);
    let (_, _, pending) = api
        .get("/api/v1/queue?status=PENDING&jurisdiction=AE", &api.analyst)
        .await;
    let items = pending["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|i| i["status"] == "PENDING" && i["jurisdiction"] == "AE")
    );
    let (_, _, high) = api.get("/api/v1/queue?risk_level=HIGH", &api.analyst).await;
    assert!(
        high["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["risk_level"] == "HIGH")
    );
}

#[tokio::test]
async fn reports_and_rules() {
    let api = Api::new();
    let (status, _, high) = api
        .get("/api/v1/high-risk?jurisdiction=IN", &api.analyst)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        high.as_array()
            .unwrap()
            .iter()
            .all(|h| h["jurisdiction"] == "IN")
    );
    assert!(!high.as_array().unwrap().is_empty());
    let (status, _, summary) = api.get("/api/v1/summary", &api.analyst).await;
    assert_eq!(status, StatusCode::OK);
    let total: i64 = summary
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["cases"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 9);
    let (status, _, due) = api.get("/api/v1/reviews-due", &api.analyst).await;
    assert_eq!(
        (status, due.as_array().map(Vec::len)),
        (StatusCode::OK, Some(0))
    );
    let (status, _, rules) = api
        .get("/api/v1/rules/AE?at=2026-06-01T00:00:00Z", &api.analyst)
        .await;
    assert_eq!(status, StatusCode::OK);
    let codes: Vec<_> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"AE-SANCTIONS-REJECT"), "{codes:?}");
    let (_, _, before) = api
        .get("/api/v1/rules/AE?at=2020-01-01T00:00:00Z", &api.analyst)
        .await;
    assert_eq!(
        before.as_array().map(Vec::len),
        Some(0),
        "nothing was in force in 2020"
    );
}

#[tokio::test]
async fn clearing_a_match_needs_the_revision_read_and_a_proposal_moves_it_on() {
    let api = Api::new();
    let officer2 = second_officer(&api.s);
    let officer2 = token_for(&api.s, &officer2, chrono::Duration::days(1));
    let (id, revision) = api.case_of("in-corp-pep-002").await;
    let uri = format!("/api/v1/cases/{id}/false-positives");
    let etag = |r: i64| format!("\"{r}\"");
    let body = json!({"list": "DJRC-PEP", "entry": "PEP-20417", "reason": "different person"});
    let written = || {
        (
            api.rows("false_positives"),
            api.rows("review_notes"),
            api.rows("audit_logs"),
        )
    };
    let confirmed = || {
        count(
            &mut api.s.db.conn(),
            "SELECT count(*) AS n FROM false_positives WHERE confirmed_by IS NOT NULL",
        )
    };
    let before = written();

    // No If-Match: 428, and nothing written.
    let (status, _, problem) = api
        .call(
            Method::POST,
            &uri,
            Some(&api.officer),
            &[],
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::PRECONDITION_REQUIRED, "precondition-required")
    );
    assert_eq!(written(), before);
    // A revision the case is not at: 412, and nothing written.
    let (status, _, problem) = api
        .call(
            Method::POST,
            &uri,
            Some(&api.officer),
            &[("if-match", &etag(revision + 3))],
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::PRECONDITION_FAILED, "stale-revision")
    );
    assert_eq!(written(), before);

    // The first officer proposes at the revision read; the answer is the next revision.
    let (status, headers, proposed) = api
        .call(
            Method::POST,
            &uri,
            Some(&api.officer),
            &[("if-match", &etag(revision))],
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{proposed}");
    assert_eq!(proposed["disposition"], "proposed");
    assert_eq!(proposed["revision"], revision + 1);
    assert_eq!(headers["etag"], etag(revision + 1).as_str());
    let (_, headers, _) = api.get(&format!("/api/v1/cases/{id}"), &officer2).await;
    assert_eq!(headers["etag"], etag(revision + 1).as_str());
    let proposed_state = written();

    // The second officer read the case before the proposal: quoting that revision would
    // confirm a proposal they never saw. 412, and nothing written.
    let (status, _, problem) = api
        .call(
            Method::POST,
            &uri,
            Some(&officer2),
            &[("if-match", &etag(revision))],
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        (status, kind(&problem)),
        (StatusCode::PRECONDITION_FAILED, "stale-revision"),
        "{problem}"
    );
    assert_eq!(written(), proposed_state);
    assert_eq!(confirmed(), 0);

    // Quoting the revision that shows the proposal confirms it.
    let (status, headers, done) = api
        .call(
            Method::POST,
            &uri,
            Some(&officer2),
            &[("if-match", &etag(revision + 1))],
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["disposition"], "confirmed");
    assert_eq!(done["revision"], revision + 2);
    assert_eq!(headers["etag"], etag(revision + 2).as_str());
    assert_eq!(confirmed(), 1);
}

/// The audit entries of `entity` as stored: id, chain and chain position, newest first.
fn stored_audit(api: &Api, entity: &str) -> Vec<(i64, i16, Option<i64>)> {
    use compliance_persistence::diesel::{RunQueryDsl, sql_query, sql_types};
    #[derive(compliance_persistence::diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = sql_types::BigInt)]
        id: i64,
        #[diesel(sql_type = sql_types::SmallInt)]
        chain: i16,
        #[diesel(sql_type = sql_types::Nullable<sql_types::BigInt>)]
        chain_position: Option<i64>,
    }
    sql_query(format!(
        "SELECT id, chain, chain_position FROM audit_logs WHERE entity_id = '{entity}' ORDER BY id DESC"
    ))
    .load::<Row>(&mut api.s.db.conn())
    .unwrap()
    .into_iter()
    .map(|r| (r.id, r.chain, r.chain_position))
    .collect()
}

/// Every page of `uri` (which has its query started) by cursor: each page's items.
async fn audit_pages(api: &Api, uri: &str) -> Vec<Vec<serde_json::Value>> {
    let mut pages = Vec::new();
    let mut next: Option<i64> = None;
    loop {
        let page_uri = match next {
            Some(cursor) => format!("{uri}&cursor={cursor}"),
            None => uri.to_owned(),
        };
        let (status, _, page) = api.get(&page_uri, &api.analyst).await;
        assert_eq!(status, StatusCode::OK, "{page_uri}: {page}");
        let items = page["items"].as_array().unwrap().clone();
        next = page["next"].as_i64();
        if let Some(cursor) = next {
            assert_eq!(
                items.last().map(|i| i["id"].as_i64().unwrap()),
                Some(cursor),
                "a page's next is its last entry: {page}"
            );
        }
        pages.push(items);
        assert!(pages.len() <= 100, "the pages never end");
        if next.is_none() {
            return pages;
        }
    }
}

#[tokio::test]
async fn the_audit_route_is_newest_first_pages_by_cursor_and_shows_each_entrys_chain_position() {
    let api = Api::new();
    let entity = "in-corp-pep-002";
    // More entries about the entity, written by other transactions (so, likely, other chains).
    let case = sanctions_hit_on_the_escalation(&api.s);
    let (list, entry) = sdn();
    api.s
        .compliance
        .clear_match(
            &api.s.officer(),
            case.id,
            &list,
            &entry,
            &reason("date of birth differs"),
            case.revision,
        )
        .unwrap();
    let stored = stored_audit(&api, entity);
    assert!(stored.len() >= 5, "{stored:?}");
    assert!(
        stored.iter().all(|(_, _, position)| position.is_some()),
        "every entry has its chain position: {stored:?}"
    );
    // Positions count within a chain, ids across all of them: they differ here, so that the
    // test tells one from the other.
    assert!(
        stored
            .iter()
            .any(|(id, _, position)| Some(*id) != *position),
        "{stored:?}"
    );
    let shown = |items: &[serde_json::Value]| -> Vec<(i64, i16, Option<i64>)> {
        items
            .iter()
            .map(|i| {
                (
                    i["id"].as_i64().unwrap(),
                    i16::try_from(i["chain"].as_i64().unwrap()).unwrap(),
                    i["position"].as_i64(),
                )
            })
            .collect()
    };
    let base = format!("/api/v1/entities/{entity}/audit");

    // Newest first by default, each with its stored chain and position.
    let (status, _, page) = api.get(&base, &api.analyst).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page["next"].is_null(), "{page}");
    assert_eq!(shown(page["items"].as_array().unwrap()), stored);
    let (_, _, newest) = api.get(&format!("{base}?order=newest"), &api.analyst).await;
    assert_eq!(newest, page);

    // Oldest first when asked.
    let (status, _, oldest) = api.get(&format!("{base}?order=oldest"), &api.analyst).await;
    assert_eq!(status, StatusCode::OK, "{oldest}");
    let mut ascending = stored.clone();
    ascending.reverse();
    assert_eq!(shown(oldest["items"].as_array().unwrap()), ascending);

    // Two at a time by cursor, either way: every entry once, in order.
    let pages = audit_pages(&api, &format!("{base}?limit=2")).await;
    assert!(pages.len() >= 3, "{pages:?}");
    assert!(
        pages.iter().all(|p| !p.is_empty() && p.len() <= 2),
        "{pages:?}"
    );
    assert_eq!(shown(&pages.concat()), stored);
    let pages = audit_pages(&api, &format!("{base}?order=oldest&limit=2")).await;
    assert!(
        pages.iter().all(|p| !p.is_empty() && p.len() <= 2),
        "{pages:?}"
    );
    assert_eq!(shown(&pages.concat()), ascending);

    for bad in ["order=sideways", "cursor=0", "cursor=x", "limit=0"] {
        let (status, _, problem) = api.get(&format!("{base}?{bad}"), &api.analyst).await;
        assert_eq!(
            (status, kind(&problem)),
            (StatusCode::BAD_REQUEST, "bad-request"),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn the_system_agent_reads_cases_but_not_the_queue_the_reports_or_the_audit_trail() {
    let api = Api::new();
    let (id, _) = api.case_of("in-corp-pep-002").await;
    for uri in [
        "/api/v1/queue",
        "/api/v1/entities/in-corp-pep-002/audit",
        "/api/v1/summary",
        "/api/v1/high-risk",
        "/api/v1/reviews-due",
    ] {
        let (status, _, problem) = api.get(uri, &api.agent).await;
        assert_eq!(
            (status, kind(&problem)),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{uri}: {problem}"
        );
        assert!(
            problem["detail"].as_str().unwrap().contains("system"),
            "{uri}: {problem}"
        );
        let (status, _, body) = api.get(uri, &api.analyst).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    }
    let (_, _, queue) = api.get("/api/v1/queue", &api.analyst).await;
    assert!(!queue["items"].as_array().unwrap().is_empty(), "{queue}");
    let (_, _, audit) = api
        .get("/api/v1/entities/in-corp-pep-002/audit", &api.analyst)
        .await;
    assert!(!audit["items"].as_array().unwrap().is_empty(), "{audit}");
    // What it needs to do its work it may still read: a case, and the rules.
    for uri in [
        format!("/api/v1/cases/{id}"),
        "/api/v1/entities/in-corp-pep-002/case".to_owned(),
        "/api/v1/rules/IN".to_owned(),
    ] {
        let (status, _, body) = api.get(&uri, &api.agent).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    }
}
