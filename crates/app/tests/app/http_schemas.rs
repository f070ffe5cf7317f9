//! The served OpenAPI document against what the API really sends and accepts: every route's
//! success answer and the problem documents validate against the schema the document gives
//! for that route, status and media type (JSON Schema 2020-12, `$ref`s resolved into the
//! document's components), each request body sent against its request schema, and each
//! request schema (the HTTP layer's mirrors of `compliance_domain::input`) against the domain
//! type it describes: the same fields, the same required ones, unknown fields refused.

use crate::api_client::{Api, case_json};
use axum::http::{HeaderMap, Method, StatusCode};
use compliance_domain::input::{
    AmlInput, CaseInput, CertificateInput, CertificationInput, ClassificationInput, IncomeInput,
    InvestorInput, KycInput, MatchInput, MoneyInput, NetWorthInput, RegDEntityInput, RegDInput,
    ResidenceInput, ReviewInput, SebiInput, SebiNetWorthInput, VerificationInput,
};
use serde_json::{Value, json};

/// The served document.
async fn document(api: &Api) -> Value {
    let (status, _, doc) = api
        .call(Method::GET, "/api/v1/openapi.json", None, &[], None)
        .await;
    assert_eq!(status, StatusCode::OK);
    doc
}

/// Every error of `instance` against `schema`, whose `$ref`s resolve into `doc`'s components.
fn errors(doc: &Value, schema: &Value, instance: &Value) -> Vec<String> {
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"],
        "allOf": [schema],
    });
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("the document's schema does not compile: {e}"));
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// The schema the document gives for `method path`'s answer `status` in `media_type`.
fn response_schema(doc: &Value, method: &str, path: &str, status: u16, media: &str) -> Value {
    let response = &doc["paths"][path][method]["responses"][status.to_string()];
    assert!(
        !response.is_null(),
        "{method} {path} answered {status}, which the document does not name"
    );
    let schema = &response["content"][media]["schema"];
    assert!(
        !schema.is_null(),
        "{method} {path} {status}: no {media} body in the document: {response}"
    );
    schema.clone()
}

/// Checks a real answer against its documented schema; `path` is the documented template.
fn assert_matches(doc: &Value, method: &str, path: &str, answer: &(StatusCode, HeaderMap, Value)) {
    let (status, headers, body) = answer;
    let media = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("<none>");
    let schema = response_schema(doc, method, path, status.as_u16(), media);
    let errors = errors(doc, &schema, body);
    assert!(
        errors.is_empty(),
        "{method} {path} {status}: the body does not match its schema:\n{}\n{body:#}",
        errors.join("\n")
    );
}

/// Checks a request body against the route's documented request schema.
fn assert_request_matches(doc: &Value, method: &str, path: &str, body: &Value) {
    let schema =
        &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
    assert!(!schema.is_null(), "{method} {path}: no request body schema");
    let errors = errors(doc, schema, body);
    assert!(
        errors.is_empty(),
        "{method} {path}: the request does not match its schema:\n{}",
        errors.join("\n")
    );
}

/// Sends `body` to `method path` and checks request and answer against the document.
async fn post(
    api: &Api,
    doc: &Value,
    (path, uri): (&str, &str),
    token: &str,
    headers: &[(&str, &str)],
    body: Value,
) -> (StatusCode, HeaderMap, Value) {
    assert_request_matches(doc, "post", path, &body);
    let answer = api
        .call(Method::POST, uri, Some(token), headers, Some(body))
        .await;
    assert_matches(doc, "post", path, &answer);
    answer
}

async fn get(api: &Api, doc: &Value, path: &str, uri: &str, token: Option<&str>) -> Value {
    let answer = api.call(Method::GET, uri, token, &[], None).await;
    assert_matches(doc, "get", path, &answer);
    answer.2
}

#[tokio::test]
async fn every_route_answers_as_its_schema_says() {
    let api = Api::new();
    let doc = document(&api).await;
    let analyst = api.analyst.as_str();

    get(&api, &doc, "/api/v1/health", "/api/v1/health", None).await;
    get(
        &api,
        &doc,
        "/api/v1/openapi.json",
        "/api/v1/openapi.json",
        None,
    )
    .await;

    // Submit, then the same again (200, replayed), and read it every way.
    let cases = ("/api/v1/cases", "/api/v1/cases");
    let key = [("idempotency-key", "schemas-1")];
    let mut body = case_json("ae-ind-schema-001");
    body["kyc"]["red_flags"] = json!([]);
    body["kyc"]["investor"] = json!({"net_worth": {"amount": "250000.00", "currency": "USD"},
        "accreditation_verified": false});
    let (status, _, first) = post(&api, &doc, cases, &api.agent, &key, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, _) = post(&api, &doc, cases, &api.agent, &key, body).await;
    assert_eq!(status, StatusCode::OK);
    let id = first["case"]["id"].as_str().unwrap().to_owned();
    let entity = "/api/v1/entities/ae-ind-schema-001";
    get(
        &api,
        &doc,
        "/api/v1/cases/{id}",
        &format!("/api/v1/cases/{id}"),
        Some(analyst),
    )
    .await;
    for (path, suffix) in [
        ("/api/v1/entities/{entity_id}/case", "/case"),
        ("/api/v1/entities/{entity_id}/history", "/history"),
        ("/api/v1/entities/{entity_id}/audit", "/audit"),
    ] {
        let body = get(
            &api,
            &doc,
            path,
            &format!("{entity}{suffix}"),
            Some(analyst),
        )
        .await;
        assert!(!body.is_null() && body != json!([]), "{path}: {body}");
    }
    let screenings = (
        "/api/v1/entities/{entity_id}/screenings",
        "/api/v1/entities/ae-ind-schema-001/screenings",
    );
    let screening = json!({"risk_score": 12, "matches": [], "provider": "refinitiv-world-check",
        "watchlist_version": "2026-12-01"});
    let (status, _, _) = post(&api, &doc, screenings, &api.agent, &[], screening).await;
    assert_eq!(status, StatusCode::OK);

    // Reviews: a decision, then an escalation's proposal; a match cleared, proposed and confirmed.
    let review = "/api/v1/cases/{id}/review";
    let (pending, revision) = api.case_of("ae-corp-pending-002").await;
    let etag = format!("\"{revision}\"");
    let uri = format!("/api/v1/cases/{pending}/review");
    let verdict = json!({"verdict": "approve", "reason": "licence verified"});
    let (_, _, decided) = post(
        &api,
        &doc,
        (review, &uri),
        analyst,
        &[("if-match", &etag)],
        verdict,
    )
    .await;
    assert_eq!(decided["outcome"], "decided", "{decided}");
    let (pep, revision) = api.case_of("in-corp-pep-002").await;
    let etag = format!("\"{revision}\"");
    let uri = format!("/api/v1/cases/{pep}/review");
    let verdict = json!({"verdict": "approve", "reason": "due diligence complete"});
    let (_, _, proposed) = post(
        &api,
        &doc,
        (review, &uri),
        &api.officer,
        &[("if-match", &etag)],
        verdict,
    )
    .await;
    assert_eq!(proposed["outcome"], "approval_proposed", "{proposed}");
    let clear = "/api/v1/cases/{id}/false-positives";
    let uri = format!("/api/v1/cases/{pep}/false-positives");
    for (token, disposition) in [(&api.officer, "proposed"), (&api.admin, "confirmed")] {
        let body = json!({"list": "DJRC-PEP", "entry": "PEP-20417", "reason": "another person"});
        let (status, _, cleared) = post(&api, &doc, (clear, &uri), token, &[], body).await;
        assert_eq!(
            (status, cleared["disposition"].as_str()),
            (StatusCode::OK, Some(disposition))
        );
    }

    // The reports, the queue on a middle page and its last page, the rules.
    let page = get(
        &api,
        &doc,
        "/api/v1/queue",
        "/api/v1/queue?limit=1",
        Some(analyst),
    )
    .await;
    let next = page["next"]
        .as_str()
        .expect("a first page of one has a next")
        .to_owned();
    get(
        &api,
        &doc,
        "/api/v1/queue",
        &format!("/api/v1/queue?limit=1&cursor={next}"),
        Some(analyst),
    )
    .await;
    let last = get(
        &api,
        &doc,
        "/api/v1/queue",
        "/api/v1/queue?limit=1000",
        Some(analyst),
    )
    .await;
    assert!(last["next"].is_null(), "{last}");
    for (path, uri) in [
        ("/api/v1/high-risk", "/api/v1/high-risk"),
        ("/api/v1/summary", "/api/v1/summary"),
        ("/api/v1/reviews-due", "/api/v1/reviews-due"),
        ("/api/v1/rules/{jurisdiction}", "/api/v1/rules/AE"),
    ] {
        get(&api, &doc, path, uri, Some(analyst)).await;
    }
}

#[tokio::test]
async fn problem_documents_match_the_problem_schema() {
    let api = Api::new();
    let doc = document(&api).await;
    // 401, 400, 404 as problem+json on read routes.
    let unauthenticated = api
        .call(Method::GET, "/api/v1/summary", None, &[], None)
        .await;
    assert_eq!(unauthenticated.0, StatusCode::UNAUTHORIZED);
    assert_matches(&doc, "get", "/api/v1/summary", &unauthenticated);
    let malformed = api.get("/api/v1/cases/not-a-uuid", &api.analyst).await;
    assert_eq!(malformed.0, StatusCode::BAD_REQUEST);
    assert_matches(&doc, "get", "/api/v1/cases/{id}", &malformed);
    let missing = api
        .get(
            "/api/v1/cases/00000000-0000-0000-0000-000000000000",
            &api.analyst,
        )
        .await;
    assert_eq!(missing.0, StatusCode::NOT_FOUND);
    assert_matches(&doc, "get", "/api/v1/cases/{id}", &missing);

    // 422 with every field listed, 403, 428, 412 on the write routes.
    let mut bad = case_json("ae-ind-schema-002");
    bad["kyc"]["verification_score"] = json!(140);
    let invalid = api
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&api.agent),
            &[],
            Some(bad),
        )
        .await;
    assert_eq!(invalid.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        invalid.2["errors"]
            .as_array()
            .is_some_and(|e| !e.is_empty()),
        "{}",
        invalid.2
    );
    assert_matches(&doc, "post", "/api/v1/cases", &invalid);
    let forbidden = api
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&api.analyst),
            &[],
            Some(case_json("ae-ind-schema-003")),
        )
        .await;
    assert_eq!(forbidden.0, StatusCode::FORBIDDEN);
    assert_matches(&doc, "post", "/api/v1/cases", &forbidden);
    let (case, revision) = api.case_of("ae-corp-pending-002").await;
    let uri = format!("/api/v1/cases/{case}/review");
    let verdict = json!({"verdict": "approve", "reason": "ok"});
    let no_precondition = api
        .call(
            Method::POST,
            &uri,
            Some(&api.analyst),
            &[],
            Some(verdict.clone()),
        )
        .await;
    assert_eq!(no_precondition.0, StatusCode::PRECONDITION_REQUIRED);
    assert_matches(&doc, "post", "/api/v1/cases/{id}/review", &no_precondition);
    let stale = format!("\"{}\"", revision + 7);
    let stale = api
        .call(
            Method::POST,
            &uri,
            Some(&api.analyst),
            &[("if-match", &stale)],
            Some(verdict),
        )
        .await;
    assert_eq!(stale.0, StatusCode::PRECONDITION_FAILED);
    assert_matches(&doc, "post", "/api/v1/cases/{id}/review", &stale);
}

/// The request schema named `name` in the document's components.
fn component<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let schema = &doc["components"]["schemas"][name];
    assert!(schema.is_object(), "no component {name}");
    schema
}

/// Holds one mirror to its domain type: `full` (every field set) is accepted by both, names
/// exactly the schema's properties, and each field may be left out of the domain's input
/// exactly when the schema does not require it; an unknown field is refused by both.
fn assert_mirrors<T: serde::de::DeserializeOwned>(doc: &Value, name: &str, full: Value) {
    let schema = component(doc, name);
    let parses = |v: &Value| serde_json::from_value::<T>(v.clone()).is_ok();
    assert!(parses(&full), "{name}: the domain refuses {full}");
    let errors = errors(
        doc,
        &json!({"$ref": format!("#/components/schemas/{name}")}),
        &full,
    );
    assert!(errors.is_empty(), "{name}: {errors:?}");
    let mut properties: Vec<_> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let mut fields: Vec<_> = full.as_object().unwrap().keys().cloned().collect();
    properties.sort();
    fields.sort();
    assert_eq!(
        properties, fields,
        "{name}: the schema's properties are not the domain's fields"
    );
    let required: Vec<_> = schema["required"].as_array().cloned().unwrap_or_default();
    for field in &fields {
        let mut without = full.clone();
        without.as_object_mut().unwrap().remove(field);
        assert_eq!(
            !parses(&without),
            required.contains(&json!(field)),
            "{name}.{field}: the schema and the domain disagree on whether it is required"
        );
    }
    let mut unknown = full;
    unknown["unknown_field"] = json!(1);
    assert!(
        !parses(&unknown),
        "{name}: the domain accepts an unknown field"
    );
    assert_eq!(
        schema["additionalProperties"],
        json!(false),
        "{name}: unknown fields are refused"
    );
}

#[tokio::test]
async fn request_schemas_mirror_the_domain_inputs() {
    let api = Api::new();
    let doc = document(&api).await;
    let money = json!({"amount": "1500000.00", "currency": "USD"});
    let investor = json!({"net_worth": money, "annual_income": money, "total_assets": money,
        "accreditation_verified": true});
    let kyc = json!({"entity_id": "us-ind-accredited-001", "entity_type": "individual",
        "jurisdiction": "US", "verification_score": 90, "documents": ["passport"],
        "red_flags": ["adverse_media"], "investor": investor});
    let matched = json!({"kind": "sanctions", "list": "OFAC-SDN", "entry": "SDN-1"});
    let aml = json!({"risk_score": 40, "matches": [matched], "provider": "refinitiv-world-check",
        "watchlist_version": "2026-11-24"});
    assert_mirrors::<MoneyInput>(&doc, "MoneyInput", money);
    // InvestorInput, every field set, in the_investor_facts_schemas_mirror_the_domain_inputs.
    assert!(serde_json::from_value::<InvestorInput>(investor).is_ok());
    assert_mirrors::<KycInput>(&doc, "KycInput", kyc.clone());
    assert_mirrors::<MatchInput>(&doc, "MatchInput", matched);
    assert_mirrors::<AmlInput>(&doc, "AmlInput", aml.clone());
    assert_mirrors::<CaseInput>(&doc, "CaseInput", json!({"kyc": kyc, "aml": aml}));
    assert_mirrors::<ReviewInput>(
        &doc,
        "ReviewInput",
        json!({"verdict": "reject", "reason": "no"}),
    );
    // An enum names exactly the domain's text forms.
    assert_eq!(
        component(&doc, "Jurisdiction")["enum"],
        json!(["AE", "IN", "US"])
    );
}

/// The investor facts of issue 24 (US, IN, AE), each mirror held to its domain input, every
/// field set in the examples, and an example of each block valid against the document.
#[tokio::test]
async fn the_investor_facts_schemas_mirror_the_domain_inputs() {
    let api = Api::new();
    let doc = document(&api).await;
    let usd = json!({"amount": "310000", "currency": "USD"});
    let income = json!({"basis": "joint", "recent_year": 2026, "recent": usd, "prior": usd,
        "current_year_expected": true});
    let residence = json!({"value": usd, "secured_debt": usd, "secured_debt_60_days_before": usd,
        "increase_from_acquisition": false});
    let net_worth =
        json!({"basis": "individual", "excluding_residence": usd, "residence": residence});
    let certification =
        json!({"kind": "series_65", "crd_number": "7654321", "in_good_standing": true});
    let entity = json!({"category": "corporation", "formed_to_invest": false, "total_assets": usd,
        "investments": usd, "all_owners_accredited": false, "directed_by_sophisticated_person": false,
        "family_office_directed": false});
    let verification = json!({"method": "third_party_confirmation", "verifier": "attorney",
        "verifier_ref": "NY-BAR-1234567", "verified_on": "2027-01-15", "written_representation": true});
    let reg_d = json!({"income": income, "net_worth": net_worth, "certifications": [certification],
        "issuer_role": "director", "entity": entity, "verifications": [verification]});
    let inr = json!({"amount": "75000000", "currency": "INR"});
    let sebi_net_worth = json!({"total": inr, "financial_assets": inr});
    let certificate = json!({"agency": "CVL", "number": "AI-2026-0001", "issued_on": "2026-06-01",
        "valid_until": "2028-05-31"});
    let sebi = json!({"class": "huf", "deemed": "category_i_fpi", "annual_income": inr,
        "net_worth": sebi_net_worth, "all_partners_eligible": false, "certificate": certificate});
    let classification = json!({"regime": "dfsa", "class": "professional",
        "institutional": "listed_company", "net_assets": usd, "annual_income": usd, "own_funds": usd,
        "balance_sheet_total": usd, "net_turnover": usd, "professional_employment": true,
        "knowledge_assessed": true, "warning_given_on": "2027-01-15", "classified_on": "2027-01-15"});
    assert_mirrors::<IncomeInput>(&doc, "IncomeInput", income);
    assert_mirrors::<ResidenceInput>(&doc, "ResidenceInput", residence);
    assert_mirrors::<NetWorthInput>(&doc, "NetWorthInput", net_worth);
    assert_mirrors::<CertificationInput>(&doc, "CertificationInput", certification);
    assert_mirrors::<RegDEntityInput>(&doc, "RegDEntityInput", entity);
    assert_mirrors::<VerificationInput>(&doc, "VerificationInput", verification);
    assert_mirrors::<RegDInput>(&doc, "RegDInput", reg_d.clone());
    assert_mirrors::<SebiNetWorthInput>(&doc, "SebiNetWorthInput", sebi_net_worth);
    assert_mirrors::<CertificateInput>(&doc, "CertificateInput", certificate);
    assert_mirrors::<SebiInput>(&doc, "SebiInput", sebi.clone());
    assert_mirrors::<ClassificationInput>(&doc, "ClassificationInput", classification.clone());
    let investor = json!({"net_worth": usd, "annual_income": usd, "total_assets": usd,
        "accreditation_verified": true, "assessed_on": "2027-02-01", "reg_d": reg_d,
        "sebi": sebi, "classification": classification});
    assert_mirrors::<InvestorInput>(&doc, "InvestorInput", investor);
    // The document states the constraints it can: a malformed CRD number or date is invalid
    // against it, as the domain refuses it.
    let bad_crd = json!({"kind": "series_7", "crd_number": "0123", "in_good_standing": true});
    assert!(
        !errors(
            &doc,
            &json!({"$ref": "#/components/schemas/CertificationInput"}),
            &bad_crd
        )
        .is_empty()
    );
    let mut bad_date = verification_json();
    bad_date["verified_on"] = json!("15/01/2027");
    assert!(
        !errors(
            &doc,
            &json!({"$ref": "#/components/schemas/VerificationInput"}),
            &bad_date
        )
        .is_empty()
    );
    assert_eq!(component(&doc, "Regime")["enum"], json!(["dfsa", "vara"]));
}

fn verification_json() -> Value {
    json!({"method": "net_worth_review", "verifier": "issuer", "verifier_ref": "OPS-1",
        "verified_on": "2027-01-15", "written_representation": true})
}
