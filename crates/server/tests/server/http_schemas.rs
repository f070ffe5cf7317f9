//! The served OpenAPI document against what the API really sends and accepts: every route's
//! success answer and the problem documents validate against the schema the document gives
//! for that route, status and media type (JSON Schema 2020-12, `$ref`s resolved into the
//! document's components), each request body sent against its request schema, and each
//! request schema (the HTTP layer's mirrors of `compliance_domain::input`) against the domain
//! type it describes: the same fields, the same required ones, unknown fields refused.

use crate::api_client::{Api, case_json};
use axum::http::{HeaderMap, Method, StatusCode};
use compliance_domain::input::{
    AmlInput, CaseInput, CertificateInput, CertificationInput, ClassificationInput,
    IdentifierInput, IncomeInput, InvestorInput, KycInput, MatchInput, MoneyInput, NetWorthInput,
    RegDEntityInput, RegDInput, ResidenceInput, ReviewInput, SebiInput, SebiNetWorthInput,
    SubjectInput, VerificationInput,
};
use serde_json::{Value, json};

/// The served document.
pub(crate) async fn document(api: &Api) -> Value {
    let (status, _, doc) = api
        .call(Method::GET, "/api/v1/openapi.json", None, &[], None)
        .await;
    assert_eq!(status, StatusCode::OK);
    doc
}

/// Every error of `instance` against `schema`, whose `$ref`s resolve into `doc`'s components.
pub(crate) fn errors(doc: &Value, schema: &Value, instance: &Value) -> Vec<String> {
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

/// Checks a real answer against its documented schema, and that it carries every header the
/// document gives for it; `path` is the documented template.
pub(crate) fn assert_matches(
    doc: &Value,
    method: &str,
    path: &str,
    answer: &(StatusCode, HeaderMap, Value),
) {
    let (status, headers, body) = answer;
    let documented = &doc["paths"][path][method]["responses"][status.as_str()]["headers"];
    for name in documented.as_object().into_iter().flat_map(|h| h.keys()) {
        assert!(
            headers.contains_key(name.as_str()),
            "{method} {path} {status}: no {name} header, which the document gives"
        );
    }
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
pub(crate) fn assert_request_matches(doc: &Value, method: &str, path: &str, body: &Value) {
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
    let (status, headers, first) = post(&api, &doc, cases, &api.agent, &key, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, _) = post(&api, &doc, cases, &api.agent, &key, body).await;
    assert_eq!(status, StatusCode::OK);
    let id = first["case"]["id"].as_str().unwrap().to_owned();
    // The id and the ETag the API gives out are what the parameters that take them back admit.
    let etag = headers["etag"].to_str().unwrap();
    assert!(validator(&doc, "IfMatch").is_valid(&json!(etag)), "{etag}");
    assert!(validator(&doc, "CaseId").is_valid(&json!(id)), "{id}");
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
    let verdict = json!({"verdict": "reject", "reason": "licence not verified"});
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
    let mut revision = proposed["case"]["revision"].as_i64().unwrap();
    for (token, disposition) in [(&api.officer, "proposed"), (&api.admin, "confirmed")] {
        let body = json!({"list": "DJRC-PEP", "entry": "PEP-20417", "reason": "another person"});
        let etag = format!("\"{revision}\"");
        let (status, _, cleared) = post(
            &api,
            &doc,
            (clear, &uri),
            token,
            &[("if-match", &etag)],
            body,
        )
        .await;
        assert_eq!(
            (status, cleared["disposition"].as_str()),
            (StatusCode::OK, Some(disposition)),
            "{cleared}"
        );
        revision = cleared["revision"].as_i64().unwrap();
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
    // The cursor the API gives out is one its parameter admits.
    let cursor = validator(&doc, "QueueCursor");
    assert!(cursor.is_valid(&json!(next)), "{next}");
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

    // Clearing a match needs the revision too: 428 without it, 412 with a stale one.
    let (pep, revision) = api.case_of("in-corp-pep-002").await;
    let uri = format!("/api/v1/cases/{pep}/false-positives");
    let clearing = json!({"list": "DJRC-PEP", "entry": "PEP-20417", "reason": "another person"});
    let no_precondition = api
        .call(
            Method::POST,
            &uri,
            Some(&api.officer),
            &[],
            Some(clearing.clone()),
        )
        .await;
    assert_eq!(no_precondition.0, StatusCode::PRECONDITION_REQUIRED);
    let path = "/api/v1/cases/{id}/false-positives";
    assert_matches(&doc, "post", path, &no_precondition);
    let stale = format!("\"{}\"", revision + 7);
    let stale = api
        .call(
            Method::POST,
            &uri,
            Some(&api.officer),
            &[("if-match", &stale)],
            Some(clearing),
        )
        .await;
    assert_eq!(stale.0, StatusCode::PRECONDITION_FAILED);
    assert_matches(&doc, "post", path, &stale);

    // 413 and 415 on a body route.
    let huge = format!(
        "{{\"kyc\": \"{}\"}}",
        "x".repeat(compliance_server::http::BODY_LIMIT)
    );
    let too_large = api
        .raw(
            Method::POST,
            "/api/v1/cases",
            Some(&api.agent),
            &[],
            Some(huge),
        )
        .await;
    assert_eq!(too_large.0, StatusCode::PAYLOAD_TOO_LARGE);
    assert_matches(&doc, "post", "/api/v1/cases", &too_large);
    let not_json = api
        .raw(
            Method::POST,
            "/api/v1/cases",
            Some(&api.agent),
            &[("content-type", "text/plain")],
            None,
        )
        .await;
    assert_eq!(not_json.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_matches(&doc, "post", "/api/v1/cases", &not_json);

    // 401 with its WWW-Authenticate until this client has failed too often (the first request
    // above failed too), then 429 with its Retry-After; a good token is still served.
    let bad = format!("cdb_{}", "3".repeat(64));
    let mut failures = 0;
    loop {
        let refused = api.get("/api/v1/queue", &bad).await;
        assert_matches(&doc, "get", "/api/v1/queue", &refused);
        if refused.0 != StatusCode::UNAUTHORIZED {
            assert_eq!(refused.0, StatusCode::TOO_MANY_REQUESTS);
            break;
        }
        failures += 1;
        assert!(failures <= compliance_server::http::auth::MAX_FAILURES);
    }
    let limited = api.get("/api/v1/queue", &bad).await;
    assert_eq!(limited.0, StatusCode::TOO_MANY_REQUESTS);
    assert_matches(&doc, "get", "/api/v1/queue", &limited);
    let served = api.get("/api/v1/queue", &api.analyst).await;
    assert_eq!(served.0, StatusCode::OK);
}

/// The request schema named `name` in the document's components.
pub(crate) fn component<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let schema = &doc["components"]["schemas"][name];
    assert!(schema.is_object(), "no component {name}");
    schema
}

/// Holds one mirror to its domain type: `full` (every field set) is accepted by both, names
/// exactly the schema's properties, and each field may be left out of the domain's input
/// exactly when the schema does not require it; an unknown field is refused by both.
fn assert_mirrors<T: serde::de::DeserializeOwned>(doc: &Value, name: &str, full: Value) {
    // A schema with a rule across fields is `allOf` its object and that rule.
    let whole = component(doc, name);
    let schema = whole.get("allOf").map_or(whole, |all| &all[0]);
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
    let identifier = json!({"kind": "passport", "value": "N0123456"});
    let subject = json!({"names": ["Khalid Hassan AL-RASHID"], "birth_date": "1961-03-12",
        "birth_year": null, "countries": ["SY"], "identifiers": [identifier], "wallets": ["bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"]});
    assert_mirrors::<IdentifierInput>(&doc, "IdentifierInput", identifier);
    assert_mirrors::<SubjectInput>(&doc, "SubjectInput", subject.clone());
    assert_mirrors::<CaseInput>(
        &doc,
        "CaseInput",
        json!({"kyc": kyc, "aml": aml, "subject": subject}),
    );
    // Neither a screening nor a subject: the document refuses it, as the domain does.
    let case_ref = json!({"$ref": "#/components/schemas/CaseInput"});
    let neither = json!({"kyc": kyc});
    assert!(!errors(&doc, &case_ref, &neither).is_empty());
    let parsed: CaseInput = serde_json::from_value(neither).unwrap();
    assert_eq!(parsed.parse_request().unwrap_err().fields[0].path, "aml");
    for one in [
        json!({"kyc": kyc, "aml": aml}),
        json!({"kyc": kyc, "subject": subject}),
    ] {
        assert!(errors(&doc, &case_ref, &one).is_empty(), "{one}");
    }
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

/// `schema` with its `$ref`s followed into `doc`'s components.
fn resolve<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(reference) = schema["$ref"].as_str() {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("a $ref outside the components: {reference}"));
        schema = component(doc, name);
    }
    schema
}

/// The text forms of a domain enum, as the document must list them.
fn variants<T: strum::VariantNames>() -> Value {
    json!(T::VARIANTS)
}

/// Issue 17, defect 13: every path, query and header parameter of every operation says what the
/// server accepts (formats, lengths, patterns, enums, bounds), read from the domain where the
/// domain says it; a parameter this test does not know fails it, so a new one must say too.
#[tokio::test]
async fn every_parameter_says_what_the_server_accepts() {
    use compliance_app::{ListSize, QueueSize};
    use compliance_domain::{
        CheckStatus, DeliveryState, EntityId, IdempotencyKey, Jurisdiction, RiskLevel,
    };
    use compliance_server::http::schemas as S;
    use compliance_server::http::{EventPageSize, JobPageSize};
    let api = Api::new();
    let doc = document(&api).await;
    let mut seen = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let parameters = operation["parameters"].as_array().cloned();
            for parameter in parameters.unwrap_or_default() {
                let (location, name) = (
                    parameter["in"].as_str().unwrap(),
                    parameter["name"].as_str().unwrap(),
                );
                let what = format!("{method} {path}: {location} parameter {name}");
                let schema = resolve(&doc, &parameter["schema"]);
                assert_eq!(
                    parameter["required"],
                    json!(location == "path" || name == "If-Match"),
                    "{what}: required"
                );
                let field = |key: &str| schema[key].clone();
                match (location, name) {
                    ("path", "id") if path.starts_with("/api/v1/deliveries/") => assert_eq!(
                        (field("type"), field("minimum")),
                        (json!("integer"), json!(1)),
                        "{what}"
                    ),
                    ("path", "id") => {
                        assert_eq!(
                            (field("type"), field("format")),
                            (json!("string"), json!("uuid")),
                            "{what}"
                        );
                    }
                    ("path", "entity_id") => assert_eq!(
                        (field("minLength"), field("maxLength"), field("pattern")),
                        (
                            json!(EntityId::MIN_LEN),
                            json!(EntityId::MAX_LEN),
                            json!(S::ENTITY_ID_PATTERN)
                        ),
                        "{what}"
                    ),
                    ("path" | "query", "jurisdiction") => {
                        assert_eq!(field("enum"), variants::<Jurisdiction>(), "{what}");
                    }
                    ("query", "status") => {
                        assert_eq!(field("enum"), variants::<CheckStatus>(), "{what}");
                    }
                    ("query", "risk_level") => {
                        assert_eq!(field("enum"), variants::<RiskLevel>(), "{what}");
                    }
                    ("query", "state") => {
                        assert_eq!(field("enum"), variants::<DeliveryState>(), "{what}");
                    }
                    ("query", "after") => assert_eq!(
                        (field("type"), field("minimum"), field("maximum")),
                        (json!("integer"), json!(0), json!(i64::MAX)),
                        "{what}"
                    ),
                    ("query", "order") => {
                        assert_eq!(field("enum"), json!(["newest", "oldest"]), "{what}");
                    }
                    ("query", "limit") => {
                        let max = if path == "/api/v1/queue" {
                            QueueSize::MAX
                        } else if path.ends_with("/events") || path.ends_with("/deliveries") {
                            EventPageSize::MAX
                        } else if path == "/api/v1/screening-jobs" {
                            JobPageSize::MAX
                        } else {
                            ListSize::MAX
                        };
                        assert_eq!(
                            (field("type"), field("minimum"), field("maximum")),
                            (json!("integer"), json!(1), json!(max)),
                            "{what}"
                        );
                    }
                    ("query", "cursor") if path == "/api/v1/queue" => {
                        assert_eq!(field("pattern"), json!(S::QUEUE_CURSOR_PATTERN), "{what}");
                    }
                    ("query", "cursor") => assert_eq!(
                        (field("type"), field("minimum"), field("maximum")),
                        (json!("integer"), json!(1), json!(i64::MAX)),
                        "{what}"
                    ),
                    ("query", "assignee") => {
                        assert_eq!(field("pattern"), json!(S::ASSIGNEE_PATTERN), "{what}");
                    }
                    ("query", "overdue") => assert_eq!(field("type"), json!("boolean"), "{what}"),
                    ("query", "at") => {
                        assert_eq!(field("format"), json!("date-time"), "{what}");
                    }
                    ("header", "If-Match") => {
                        assert_eq!(field("pattern"), json!(S::IF_MATCH_PATTERN), "{what}");
                    }
                    ("header", "Idempotency-Key") => assert_eq!(
                        (field("minLength"), field("maxLength"), field("pattern")),
                        (
                            json!(1),
                            json!(IdempotencyKey::MAX_LEN),
                            json!(S::REFERENCE_PATTERN)
                        ),
                        "{what}"
                    ),
                    _ => panic!("{what}: unknown to this test; say here what it accepts"),
                }
                seen.insert(format!("{location} {name}"));
            }
        }
    }
    for expected in [
        "path id",
        "path entity_id",
        "path jurisdiction",
        "query jurisdiction",
        "query status",
        "query risk_level",
        "query order",
        "query state",
        "query after",
        "query limit",
        "query cursor",
        "query at",
        "query assignee",
        "query overdue",
        "header If-Match",
        "header Idempotency-Key",
    ] {
        assert!(
            seen.contains(expected),
            "no {expected} parameter in {seen:?}"
        );
    }
}

/// Issue 17, defect 13: every operation names the statuses any route can answer whatever its
/// handler, each with a problem body served as application/problem+json: 401, 429 and 503 on
/// every bearer-secured route, 400 where there are parameters or a body, and 400, 413, 415 and
/// 422 where there is a body; and every `$ref` of the document resolves.
#[tokio::test]
async fn every_operation_documents_what_any_route_can_answer() {
    let api = Api::new();
    let doc = document(&api).await;
    let mut unsecured = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let what = format!("{method} {path}");
            let secured = operation["security"] == json!([{"bearer": []}]);
            let body = !operation["requestBody"].is_null();
            let parameters = operation["parameters"]
                .as_array()
                .is_some_and(|p| !p.is_empty());
            if !secured {
                unsecured.push(what.clone());
            }
            let mut expected = Vec::new();
            if secured {
                expected.extend([401, 429, 503]);
            }
            if parameters || body {
                expected.push(400);
            }
            if body {
                expected.extend([413, 415, 422]);
                assert!(
                    !operation["requestBody"]["content"]["application/json"]["schema"].is_null(),
                    "{what}: a JSON request body"
                );
            }
            for status in expected {
                let response = &operation["responses"][status.to_string()];
                assert!(!response.is_null(), "{what} does not name {status}");
                assert_eq!(
                    response["content"]["application/problem+json"]["schema"],
                    json!({"$ref": "#/components/schemas/Problem"}),
                    "{what} {status}: a problem document"
                );
                assert!(
                    !response["description"].as_str().unwrap_or("").is_empty(),
                    "{what} {status}: described"
                );
                let header = match status {
                    401 => Some("WWW-Authenticate"),
                    429 | 503 => Some("Retry-After"),
                    _ => None,
                };
                if let Some(header) = header {
                    assert!(
                        !response["headers"][header]["schema"].is_null(),
                        "{what} {status}: the {header} header"
                    );
                }
            }
        }
    }
    assert_eq!(
        unsecured,
        ["get /api/v1/health", "get /api/v1/openapi.json"],
        "only the health check and the document are served without a token"
    );

    // Every reference resolves (a schema only a parameter names is easily left out).
    fn references<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r);
                }
                map.values().for_each(|v| references(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| references(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    references(&doc, &mut all);
    assert!(!all.is_empty());
    for reference in all {
        let name = reference.strip_prefix("#/components/schemas/").unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{reference} does not resolve"
        );
    }
}

/// A validator of the component `name` of `doc`.
pub(crate) fn validator(doc: &Value, name: &str) -> jsonschema::Validator {
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"],
        "$ref": format!("#/components/schemas/{name}"),
    });
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("{name} does not compile: {e}"))
}

/// Characters that sit on the edges of what the fields accept: the references' printable
/// ASCII, spaces and tabs, line breaks, other control characters (C0, DEL, C1), Unicode white
/// space that `str::trim` removes, a byte-order mark (which it keeps), non-ASCII letters.
pub(crate) const EDGES: &[char] = &[
    'a', 'z', 'A', 'Z', '0', '9', '-', '_', '.', '+', '/', ':', '!', '~', '"', '\\', ' ', '\t',
    '\n', '\r', '\u{0}', '\u{7}', '\u{b}', '\u{1f}', '\u{7f}', '\u{85}', '\u{9f}', '\u{a0}',
    '\u{1680}', '\u{2000}', '\u{200a}', '\u{200b}', '\u{2028}', '\u{202f}', '\u{3000}', '\u{feff}',
    'é', 'ß', '中', '😀',
];

/// Issue 17, defect 13: the schema of each request field that the domain parses admits only
/// what the domain accepts (a schema-valid request is never refused), and exactly it where a
/// JSON Schema can say it exactly: random strings over the edge characters, of lengths around
/// the limits, and the edge cases by hand.
#[tokio::test]
async fn field_schemas_admit_what_the_domain_accepts() {
    use compliance_domain::{
        CaseId, Currency, EntityId, IdempotencyKey, ListEntryRef, ListName, Money, OwnershipShare,
        ReviewReason, ScreeningProvider, WatchlistVersion,
    };
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    type Accepts = fn(&str) -> bool;
    let api = Api::new();
    let doc = document(&api).await;
    // (component, the domain's parser, whether the schema says exactly what it accepts)
    let fields: [(&str, Accepts, bool); 11] = [
        ("EntityId", |t| EntityId::parse(t).is_ok(), true),
        ("OwnershipShare", |t| OwnershipShare::parse(t).is_ok(), true),
        ("ListName", |t| ListName::parse(t).is_ok(), true),
        ("ListEntryRef", |t| ListEntryRef::parse(t).is_ok(), true),
        (
            "ScreeningProvider",
            |t| ScreeningProvider::parse(t).is_ok(),
            true,
        ),
        (
            "WatchlistVersion",
            |t| WatchlistVersion::parse(t).is_ok(),
            true,
        ),
        ("IdempotencyKey", |t| IdempotencyKey::parse(t).is_ok(), true),
        ("Currency", |t| Currency::parse(t).is_ok(), true),
        // The server trims a reason before it checks it: exact on trimmed texts.
        ("ReviewReason", |t| ReviewReason::parse(t).is_ok(), false),
        // The pattern is the canonical spelling; the server reads a few more.
        ("Amount", |t| Money::parse_amount(t).is_ok(), false),
        // Hyphenated, as the API gives ids out; uuid also reads other spellings.
        ("CaseId", |t| t.parse::<CaseId>().is_ok(), false),
    ];
    let long = |c: &str, n: usize| c.repeat(n);
    let mut samples: Vec<String> = [
        "",
        "a",
        "ab",
        "abc",
        "a-b",
        "a--b",
        "-ab",
        "ab-",
        "1ab",
        "ab c",
        "AB",
        "USD",
        "usd",
        "XYZ",
        "ZWG",
        "0",
        "1",
        "250000.00",
        "1.5",
        "1.50000",
        "1.23456",
        "+1",
        " 1",
        "1e3",
        "-0",
        "-1",
        "999999999999999.9999",
        "1000000000000000",
        ".5",
        "1.",
        "0.01",
        "0.00",
        "0.10",
        "05",
        "12.5",
        "33.333",
        "100",
        "100.0",
        "100.00",
        "100.01",
        "101",
        "0x10",
        "1_000",
        "4c1d7a2e-5b6f-4e8a-9c0d-1e2f3a4b5c6d",
        "4C1D7A2E-5B6F-4E8A-9C0D-1E2F3A4B5C6D",
        "4c1d7a2e5b6f4e8a9c0d1e2f3a4b5c6d",
        "{4c1d7a2e-5b6f-4e8a-9c0d-1e2f3a4b5c6d}",
        "ok",
        " ok ",
        "\tok\n",
        "line one\nline two\ttab",
        "\u{feff}",
        "\u{a0}",
        "\u{3000}x",
        "x\u{85}",
        "x\u{7}",
        "\n\t",
        " ",
        "é",
        "😀",
    ]
    .map(str::to_owned)
    .to_vec();
    for n in [2, 3, 63, 64, 65, 127, 128, 129, 1999, 2000, 2001] {
        samples.push(long("a", n));
        samples.push(format!(" {} ", long("b", n)));
        samples.push(format!("{}-{}", long("c", n / 2), long("d", n - n / 2)));
    }
    let strings = prop::collection::vec(prop::sample::select(EDGES), 0..140)
        .prop_map(|chars| chars.into_iter().collect::<String>());
    for (name, accepts, exact) in fields {
        let schema = validator(&doc, name);
        let check = |text: &str| {
            let admitted = schema.is_valid(&json!(text));
            let accepted = accepts(text);
            assert!(
                !admitted || accepted,
                "{name}: the schema admits {text:?}, which the server refuses"
            );
            let comparable = match name {
                "ReviewReason" => text == text.trim(),
                "CaseId" => text.len() == 36 && text == text.to_lowercase(),
                _ => exact,
            };
            if comparable && name != "Amount" {
                assert!(
                    admitted || !accepted,
                    "{name}: the server accepts {text:?}, which the schema refuses"
                );
            }
        };
        for sample in &samples {
            check(sample);
        }
        let mut runner = TestRunner::new(Config {
            cases: 2_000,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&strings, |text| {
                check(&text);
                Ok(())
            })
            .unwrap();
    }
    // A queue cursor the pattern admits is one the server reads, at its edges too.
    let cursor = validator(&doc, "QueueCursor");
    let id = "4c1d7a2e-5b6f-4e8a-9c0d-1e2f3a4b5c6d";
    for text in [
        format!("100.1.9999999999999999.{id}"),
        format!("0.0.-9999999999999999.{}", id.to_uppercase()),
        format!("7.0.-0.{id}"),
    ] {
        assert!(cursor.is_valid(&json!(text)), "{text}");
        assert!(
            text.parse::<compliance_app::QueueCursor>().is_ok(),
            "{text}"
        );
    }
    for text in [
        format!("101.0.0.{id}"),
        format!("7.2.0.{id}"),
        "7.0.0.x".into(),
    ] {
        assert!(!cursor.is_valid(&json!(text)), "{text}");
    }
    // The canonical amounts the pattern admits are the ones the server reads.
    let amount = validator(&doc, "Amount");
    for text in ["0", "0.0001", "999999999999999.9999", "1500000.00"] {
        assert!(amount.is_valid(&json!(text)) && Money::parse_amount(text).is_ok());
    }
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

/// docs/api.md, as a newcomer reads it.
fn api_doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api.md")).unwrap()
}

/// Issue 22, item 4: docs/api.md showed no response body. Each ```json block it marks with
/// `<!-- answer: METHOD PATH STATUS -->` is an answer of that route and status, and must match
/// the schema the served document gives for it; the submission's, a case's and the queue's
/// are among them.
#[tokio::test]
async fn the_answers_docs_api_md_shows_match_the_document() {
    let api = Api::new();
    let doc = document(&api).await;
    let text = api_doc();
    let mut shown = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(marker) = line
            .strip_prefix("<!-- answer: ")
            .and_then(|l| l.strip_suffix(" -->"))
        else {
            continue;
        };
        let [method, path, status] = marker.split(' ').collect::<Vec<_>>()[..] else {
            panic!("a marker is `<!-- answer: METHOD PATH STATUS -->`: {line}");
        };
        assert_eq!(
            lines.next(),
            Some("```json"),
            "a ```json block follows {line}"
        );
        let block: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        let body: Value = serde_json::from_str(&block.join("\n"))
            .unwrap_or_else(|e| panic!("{line}: the block is not JSON: {e}"));
        let status: u16 = status.parse().unwrap();
        let media = if status >= 400 {
            "application/problem+json"
        } else {
            "application/json"
        };
        let schema = response_schema(&doc, method, path, status, media);
        let errors = errors(&doc, &schema, &body);
        assert!(errors.is_empty(), "{line}: {}\n{body:#}", errors.join("\n"));
        shown.push((method.to_owned(), path.to_owned(), status.to_string()));
    }
    for expected in [
        ("post", "/api/v1/cases", "201"),
        ("get", "/api/v1/cases/{id}", "200"),
        ("get", "/api/v1/queue", "200"),
    ] {
        assert!(
            shown
                .iter()
                .any(|(m, p, s)| (m.as_str(), p.as_str(), s.as_str()) == expected),
            "docs/api.md shows no answer of {expected:?}: {shown:?}"
        );
    }
}

/// Issue 22, item 4: docs/api.md lists the accepted documents, red flags and match kinds, each
/// exactly the domain's text forms (a value added to an enum and not to the docs fails here).
#[test]
fn docs_api_md_lists_every_document_red_flag_and_match_kind() {
    use compliance_domain::{DocumentKind, RedFlag, WatchlistKind};
    use strum::VariantNames;
    let text = api_doc();
    for (field, values) in [
        ("`documents`", DocumentKind::VARIANTS),
        ("`red_flags`", RedFlag::VARIANTS),
        ("`matches[].kind`", WatchlistKind::VARIANTS),
    ] {
        let prefix = format!("| {field} (accepted values) | ");
        let line = text
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("docs/api.md has no row {prefix}"));
        let listed: Vec<&str> = line[prefix.len()..]
            .trim_end_matches(" |")
            .split(", ")
            .map(|v| v.trim_matches('`'))
            .collect();
        assert_eq!(listed, values, "{field}");
    }
}
