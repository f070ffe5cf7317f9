//! Events out: the outbox written in each announced write's own transaction and numbered per
//! entity, the fan-out that never passes a running transaction, claims that never overlap and
//! keep each entity's order, leases taken over, the circuit, replays, and endpoints that only
//! admins manage (here and in the database).

use crate::support::*;
use chrono::{Duration as Span, Utc};
use compliance_app::events::{
    Attempted, CircuitSettings, Claim, Destination, EndpointChange, EventRecord, NewEndpoint,
};
use compliance_app::{AppError, ReplaySelection};
use compliance_domain::*;
use std::time::Duration;

fn webhook(url: &str, types: Vec<EventType>) -> NewEndpoint {
    NewEndpoint {
        kind: EndpointKind::Webhook,
        url: url.into(),
        subject_prefix: None,
        event_types: types,
        description: "trading service".into(),
        allow_private: false,
    }
}

fn events_of(s: &Seeded, id: &str) -> Vec<EventRecord> {
    s.compliance
        .in_process()
        .outbox()
        .events_of(&entity(id), 0, 100)
        .unwrap()
}

/// Fans out until `expected` events were copied: the fan-out waits for every older writing
/// transaction of the server to end, other tests' included.
fn fan_out(outbox: &compliance_app::Outbox, expected: u64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut copied = 0;
    while copied < expected && std::time::Instant::now() < deadline {
        copied += outbox.fan_out(1000).unwrap();
        if copied < expected {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    assert_eq!(copied, expected, "events fanned out");
}

const CIRCUIT: CircuitSettings = CircuitSettings {
    failures_to_open: 3,
    open_for: Duration::from_secs(60),
    max_open_for: Duration::from_secs(600),
};

fn result(claim: &Claim, delivered: bool, retry: Option<Span>) -> Attempted {
    Attempted {
        delivery_id: claim.delivery_id,
        attempt: claim.attempt,
        attempted_at: Utc::now(),
        delivered,
        status_code: Some(if delivered { 204 } else { 503 }),
        latency: Duration::from_millis(3),
        error: (!delivered).then(|| "answered 503".to_owned()),
        retry_at: retry.map(|r| Utc::now() + r),
    }
}

#[test]
fn each_announced_write_writes_its_event_in_its_transaction_numbered_per_entity() {
    let s = seeded();
    let id = "ae-ind-clean-001";
    let case = s.current(id);
    let first = events_of(&s, id);
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].event_type, EventType::CaseDecided);
    assert_eq!(first[0].sequence, 1);
    assert_eq!(first[0].data["case_id"], serde_json::json!(case.id));
    assert_eq!(first[0].data["status"], "APPROVED");
    assert_eq!(first[0].data["jurisdiction"], "AE");
    // Ids, codes and statuses only: nothing else is in an event.
    let allowed = [
        "entity_id",
        "case_id",
        "jurisdiction",
        "revision",
        "status",
        "engine_status",
        "risk_level",
        "previous_status",
        "by",
        "list",
        "entry",
        "transaction_id",
        "wallet_id",
    ];
    let mut conn = s.db.conn();
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM events, jsonb_object_keys(data) k WHERE NOT k = ANY (ARRAY['{}'])",
                allowed.join("','")
            )
        ),
        0
    );
    // Every decision of the seed announced itself, once.
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM events WHERE event_type = 'case.decided'"
        ),
        count(
            &mut conn,
            "SELECT count(*) AS n FROM audit_logs WHERE action = 'decision_recorded'"
        )
    );

    // A clean re-screening leaves the approval: announced, numbered 2.
    let mut clean = scenario(id).aml;
    clean.watchlist_version = WatchlistVersion::parse("ofac-2026-12-01").unwrap();
    s.compliance
        .rescreen(&s.agent(), &entity(id), &clean)
        .unwrap();
    let kept = events_of(&s, id);
    assert_eq!(
        (
            kept[1].event_type,
            kept[1].sequence,
            kept[1].data["status"].as_str()
        ),
        (EventType::CaseRescreened, 2, Some("APPROVED"))
    );

    // A sanctions hit on the approved case revokes the approval: one more event, numbered 3.
    let out = s
        .compliance
        .rescreen(&s.agent(), &entity(id), &sanctions_hit())
        .unwrap();
    let after = events_of(&s, id);
    assert_eq!(after.len(), 3);
    assert_eq!(after[2].event_type, EventType::CaseStatusChanged);
    assert_eq!(after[2].sequence, 3);
    assert_eq!(after[2].data["previous_status"], "APPROVED");
    assert_eq!(after[2].data["status"], serde_json::json!(out.case.status));
    assert_eq!(
        after[2].data["revision"],
        serde_json::json!(out.case.revision)
    );
    assert_eq!(after[2].data["by"], "engine");

    // The escalated PEP case screened onto a sanctions list keeps its status, flagged.
    sanctions_hit_on_the_escalation(&s);
    let flagged = events_of(&s, "in-corp-pep-002");
    assert_eq!(
        flagged.last().map(|e| e.event_type),
        Some(EventType::CaseVerdictFlagged)
    );

    // A write that is refused writes no event.
    let before = count(&mut conn, "SELECT count(*) AS n FROM events");
    let stale = s.compliance.review(
        &s.officer(),
        out.case.id,
        Verdict::Reject,
        &reason("stale"),
        out.case.revision - 1,
    );
    assert!(stale.is_err());
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM events"), before);
    // Events are evidence: never changed.
    let (_, constraint) = refusal(&mut conn, "UPDATE events SET data = '{}'");
    assert_eq!(constraint, "events_append_only");
}

#[test]
fn endpoints_are_created_and_changed_by_admins_only_here_and_in_the_database() {
    let s = seeded();
    let new = webhook("https://hooks.example.com/compliance", vec![]);
    for caller in [s.analyst(), s.officer(), s.agent()] {
        let err = s.compliance.create_endpoint(&caller, &new).unwrap_err();
        assert!(matches!(err, AppError::Forbidden { .. }), "{err}");
    }
    let mut conn = s.db.conn();
    let private = webhook("https://10.0.0.7/hook", vec![]);
    let err = s
        .compliance
        .create_endpoint(&s.admin(), &private)
        .unwrap_err();
    assert!(matches!(err, AppError::Input(_)), "{err}");
    let plain = webhook("http://hooks.example.com/", vec![]);
    assert!(matches!(
        s.compliance.create_endpoint(&s.admin(), &plain),
        Err(AppError::Input(_))
    ));
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM event_endpoints"),
        0
    );

    let created = s.compliance.create_endpoint(&s.admin(), &new).unwrap();
    let secret = created.secret.clone().unwrap();
    assert!(secret.expose().starts_with("whsec_") && secret.expose().len() == 50);
    assert!(!format!("{created:?}").contains(secret.expose()));
    let listed = s.compliance.endpoints(&s.officer()).unwrap();
    assert_eq!(listed, std::slice::from_ref(&created.endpoint));
    assert!(!serde_json::to_string(&listed).unwrap().contains("whsec_"));
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM audit_logs WHERE action = 'endpoint_created' AND details::text NOT LIKE '%whsec%'"
        ),
        1
    );

    // A stale revision is a conflict; a rotation keeps the old secret signing for a while.
    let id = created.endpoint.id;
    let change = EndpointChange {
        event_types: Some(vec![EventType::CaseDecided]),
        ..Default::default()
    };
    let err = s
        .compliance
        .update_endpoint(&s.admin(), id, 7, &change)
        .unwrap_err();
    assert!(matches!(err, AppError::StaleRevision { .. }), "{err}");
    let changed = s
        .compliance
        .update_endpoint(&s.admin(), id, 1, &change)
        .unwrap();
    assert_eq!(
        (changed.revision, changed.event_types.as_slice()),
        (2, &[EventType::CaseDecided][..])
    );
    let rotated = s
        .compliance
        .rotate_secret(&s.admin(), id, 2, Utc::now() + Span::hours(1))
        .unwrap();
    let new_secret = rotated.secret.unwrap();
    assert_ne!(new_secret.expose(), secret.expose());
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM event_endpoints WHERE previous_secret IS NOT NULL AND revision = 3"
        ),
        1
    );

    // The database refuses what the service would: a non-admin, a private address, plain http.
    let analyst = s.users.analyst.id.as_uuid();
    for (sql, constraint) in [
        (
            format!(
                "INSERT INTO event_endpoints (kind, url, description, secret, created_by, updated_by) VALUES ('webhook', 'https://a.example/', '', 'whsec_{x}', '{analyst}', '{analyst}')",
                x = "A".repeat(43) + "="
            ),
            "event_endpoints_admin",
        ),
        (
            format!(
                "INSERT INTO event_endpoints (kind, url, description, secret, created_by, updated_by) VALUES ('webhook', 'https://169.254.169.254/', '', 'whsec_{x}', '{a}', '{a}')",
                x = "A".repeat(43) + "=",
                a = s.users.admin.id.as_uuid()
            ),
            "ck_event_endpoints_private",
        ),
        (
            format!(
                "INSERT INTO event_endpoints (kind, url, description, secret, created_by, updated_by) VALUES ('webhook', 'http://a.example/', '', 'whsec_{x}', '{a}', '{a}')",
                x = "A".repeat(43) + "=",
                a = s.users.admin.id.as_uuid()
            ),
            "ck_event_endpoints_url",
        ),
        (
            format!("DELETE FROM event_endpoints WHERE id = '{id}'"),
            "event_endpoints_append_only",
        ),
    ] {
        assert_eq!(refusal(&mut conn, &sql).1, constraint, "{sql}");
    }
}

/// An endpoint for every type and a broker for decisions only, then two entities' events,
/// fanned out: the endpoints and the outbox.
fn two_endpoints_and_traffic(s: &Seeded) -> (uuid::Uuid, uuid::Uuid, compliance_app::Outbox) {
    let hook = s
        .compliance
        .create_endpoint(&s.admin(), &webhook("http://127.0.0.1:9/hook", vec![]))
        .unwrap()
        .endpoint
        .id;
    let broker = s
        .compliance
        .create_endpoint(
            &s.admin(),
            &NewEndpoint {
                kind: EndpointKind::Nats,
                url: "nats://127.0.0.1:4222".into(),
                subject_prefix: Some("test.events".into()),
                event_types: vec![EventType::CaseDecided],
                description: String::new(),
                allow_private: false,
            },
        )
        .unwrap()
        .endpoint
        .id;
    let agent = s.agent();
    for id in ["ae-ind-clean-001", "us-ind-standard-002"] {
        s.compliance.submit(&agent, &scenario(id), None).unwrap();
    }
    s.compliance
        .rescreen(&agent, &entity("ae-ind-clean-001"), &sanctions_hit())
        .unwrap();
    let outbox = s.compliance.in_process().outbox();
    fan_out(&outbox, 3);
    (hook, broker, outbox)
}

#[test]
fn deliveries_keep_each_entitys_order_and_are_never_claimed_twice() {
    let s = with_rules();
    let (hook, broker, outbox) = two_endpoints_and_traffic(&s);
    assert_eq!(
        outbox.fan_out(1000).unwrap(),
        0,
        "the cursor moved past them"
    );

    let claimed = outbox.claim(100, Duration::from_secs(30)).unwrap();
    let seen: Vec<(uuid::Uuid, i64, EventType)> = claimed
        .iter()
        .map(|c| (c.endpoint_id, c.sequence, c.event_type))
        .collect();
    // The webhook gets both entities' first events, not the second of the first entity (its
    // first is still on its way); the broker only the decisions.
    assert_eq!(claimed.len(), 4, "{seen:?}");
    assert_eq!(claimed.iter().filter(|c| c.endpoint_id == hook).count(), 2);
    assert!(
        claimed
            .iter()
            .all(|c| c.sequence == 1 && c.event_type == EventType::CaseDecided)
    );
    let nats = claimed.iter().find(|c| c.endpoint_id == broker).unwrap();
    assert!(
        matches!(&nats.destination, Destination::Nats { subject, .. } if subject.starts_with("test.events.case.decided."))
    );
    let body: serde_json::Value = serde_json::from_slice(&nats.body).unwrap();
    assert_eq!(body["id"], serde_json::json!(nats.event_id));
    assert_eq!(body["type"], "case.decided");
    // Claimed once: a second dispatcher finds nothing.
    assert!(
        outbox
            .claim(100, Duration::from_secs(30))
            .unwrap()
            .is_empty()
    );

    // The first entity's decision delivered to the webhook: its revocation comes next.
    let first = claimed
        .iter()
        .find(|c| c.endpoint_id == hook && c.body.windows(16).any(|w| w == b"ae-ind-clean-001"))
        .unwrap();
    assert_eq!(
        outbox
            .complete(&[result(first, true, None)], CIRCUIT)
            .unwrap(),
        1
    );
    let next = outbox.claim(100, Duration::from_secs(30)).unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(
        (next[0].endpoint_id, next[0].sequence, next[0].event_type),
        (hook, 2, EventType::CaseStatusChanged)
    );
    // A result reported twice is recorded once.
    assert_eq!(
        outbox
            .complete(&[result(first, true, None)], CIRCUIT)
            .unwrap(),
        0
    );
    let attempts = s
        .compliance
        .attempts(&s.officer(), first.delivery_id)
        .unwrap();
    assert_eq!(attempts.len(), 1);
    assert!(attempts[0].delivered && attempts[0].status_code == Some(204));
}

#[test]
fn a_failed_attempt_waiting_for_its_retry_holds_back_its_entitys_next_event() {
    let s = with_rules();
    let (hook, _, outbox) = two_endpoints_and_traffic(&s);
    let entity_of = |c: &Claim| -> String {
        let body: serde_json::Value = serde_json::from_slice(&c.body).unwrap();
        body["data"]["entity_id"].as_str().unwrap().to_owned()
    };
    let on_hook = |claims: Vec<Claim>| -> Vec<(String, i64)> {
        let mut on_hook: Vec<(String, i64)> = claims
            .iter()
            .filter(|c| c.endpoint_id == hook)
            .map(|c| (entity_of(c), c.sequence))
            .collect();
        on_hook.sort();
        on_hook
    };
    let claims = outbox.claim(100, Duration::from_secs(30)).unwrap();
    assert_eq!(
        on_hook(claims.clone()),
        [
            ("ae-ind-clean-001".to_owned(), 1),
            ("us-ind-standard-002".to_owned(), 1)
        ]
    );
    let first = claims
        .iter()
        .find(|c| c.endpoint_id == hook && entity_of(c) == "ae-ind-clean-001")
        .unwrap()
        .clone();
    // Its first event fails, to be tried again in an hour; everything else is delivered.
    let results: Vec<Attempted> = claims
        .iter()
        .map(|c| {
            let failed = c.delivery_id == first.delivery_id;
            result(c, !failed, failed.then(|| Span::hours(1)))
        })
        .collect();
    assert_eq!(outbox.complete(&results, CIRCUIT).unwrap(), claims.len());
    // The entity's second event waits for its first, however often the dispatcher asks.
    for _ in 0..3 {
        assert_eq!(
            on_hook(outbox.claim(100, Duration::from_secs(30)).unwrap()),
            [],
            "nothing of the entity goes before its first event"
        );
    }
    // The retry falls due: the first event goes, alone; once delivered, the second.
    let mut conn = s.db.conn();
    exec(
        &mut conn,
        &format!(
            "UPDATE event_deliveries SET next_attempt_at = now() WHERE id = {}",
            first.delivery_id
        ),
    );
    let retried = outbox.claim(100, Duration::from_secs(30)).unwrap();
    assert_eq!(
        on_hook(retried.clone()),
        [("ae-ind-clean-001".to_owned(), 1)]
    );
    assert_eq!(retried[0].event_id, first.event_id);
    outbox
        .complete(&[result(&retried[0], true, None)], CIRCUIT)
        .unwrap();
    assert_eq!(
        on_hook(outbox.claim(100, Duration::from_secs(30)).unwrap()),
        [("ae-ind-clean-001".to_owned(), 2)]
    );
}

#[test]
fn a_lapsed_lease_is_taken_over_and_the_late_result_changes_nothing() {
    let s = with_rules();
    let (_, _, outbox) = two_endpoints_and_traffic(&s);
    let first = outbox.claim(1, Duration::from_millis(50)).unwrap();
    assert_eq!(first.len(), 1);
    std::thread::sleep(Duration::from_millis(120));
    // The dispatcher that held it died between send and mark: another takes it over, and the
    // receiver sees the same event id again.
    let claimed = outbox.claim(100, Duration::from_secs(30)).unwrap();
    let again: Vec<Claim> = claimed
        .into_iter()
        .filter(|c| c.delivery_id == first[0].delivery_id)
        .collect();
    assert_eq!(again.len(), 1, "the lapsed lease is claimed again");
    assert_eq!(again[0].event_id, first[0].event_id);
    assert_eq!(again[0].attempt, 2);
    assert_eq!(
        again[0].body, first[0].body,
        "the same bytes, so the receiver can deduplicate"
    );
    assert_eq!(
        outbox
            .complete(&[result(&first[0], true, None)], CIRCUIT)
            .unwrap(),
        0
    );
    assert_eq!(
        outbox
            .complete(&[result(&again[0], true, None)], CIRCUIT)
            .unwrap(),
        1
    );
}

#[test]
fn the_fan_out_never_passes_a_transaction_still_running() {
    let s = with_rules();
    let (hook, _, outbox) = two_endpoints_and_traffic(&s);
    let case = s.current("us-ind-standard-002");
    // A writer holds a transaction open that announces a re-screening ...
    let mut slow = s.db.conn();
    exec(&mut slow, "BEGIN");
    exec(
        &mut slow,
        &format!(
            "INSERT INTO audit_logs (actor_id, action, subject_kind, subject_id, entity_id, details) \
         VALUES ('{agent}', 'rescreened', 'compliance_check', '{case}', 'us-ind-clean-007', \
                 '{{\"engine_status\": \"APPROVED\", \"status\": \"APPROVED\"}}')",
            agent = s.users.agent.id.as_uuid(),
            case = case.id
        ),
    );
    // ... while a later one commits: the fan-out waits for both rather than skip the first.
    s.compliance
        .submit(&s.agent(), &scenario("in-ind-accredited-001"), None)
        .unwrap();
    assert_eq!(outbox.fan_out(1000).unwrap(), 0);
    exec(&mut slow, "COMMIT");
    fan_out(&outbox, 2);
    let deliveries = s
        .compliance
        .deliveries(&s.admin(), hook, None, 100)
        .unwrap();
    assert_eq!(deliveries.len(), 5);
}

#[test]
fn a_failing_endpoint_opens_its_circuit_gives_up_in_the_end_and_a_replay_sends_again() {
    let s = with_rules();
    let (hook, broker, outbox) = two_endpoints_and_traffic(&s);
    let hook_claims = |c: Vec<Claim>| {
        c.into_iter()
            .filter(|c| c.endpoint_id == hook)
            .collect::<Vec<_>>()
    };
    // Three failures in a row open the webhook's circuit; the broker is not held back.
    let mut failures = 0;
    while failures < 3 {
        let claims = outbox.claim(100, Duration::from_secs(30)).unwrap();
        let results: Vec<_> = claims
            .iter()
            .map(|c| result(c, c.endpoint_id == broker, Some(Span::zero())))
            .collect();
        failures += claims.iter().filter(|c| c.endpoint_id == hook).count();
        outbox.complete(&results, CIRCUIT).unwrap();
    }
    let endpoint = s.compliance.endpoint(&s.admin(), hook).unwrap();
    assert!(endpoint.consecutive_failures >= 3);
    assert!(
        endpoint
            .paused_until
            .is_some_and(|t| t > Utc::now() + Span::seconds(50))
    );
    assert!(hook_claims(outbox.claim(100, Duration::from_secs(30)).unwrap()).is_empty());

    // Closed again (as when the pause ends), a success resets it; a delivery that fails for
    // good lets the entity's next event go.
    let mut conn = s.db.conn();
    exec(
        &mut conn,
        &format!("UPDATE event_endpoints SET paused_until = now() WHERE id = '{hook}'"),
    );
    let claims = hook_claims(outbox.claim(100, Duration::from_secs(30)).unwrap());
    assert_eq!(claims.len(), 2);
    let (given_up, ok) = (&claims[0], &claims[1]);
    outbox
        .complete(
            &[result(given_up, false, None), result(ok, true, None)],
            CIRCUIT,
        )
        .unwrap();
    let endpoint = s.compliance.endpoint(&s.admin(), hook).unwrap();
    assert_eq!(
        (endpoint.consecutive_failures, endpoint.paused_until),
        (0, None)
    );
    assert_eq!(endpoint.deliveries.failed, 1);

    // An admin replays the failed event; an officer may not.
    let err = s
        .compliance
        .replay_deliveries(
            &s.officer(),
            hook,
            ReplaySelection::Event(given_up.event_id),
        )
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden { .. }), "{err}");
    let replayed = s
        .compliance
        .replay_deliveries(&s.admin(), hook, ReplaySelection::Event(given_up.event_id))
        .unwrap();
    assert_eq!(replayed, 1);
    let failed = s
        .compliance
        .deliveries(&s.admin(), hook, Some(DeliveryState::Failed), 10)
        .unwrap();
    assert!(failed.is_empty());
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM audit_logs WHERE action = 'events_replayed'"
        ),
        1
    );
    // A range replay reaches the events the broker never had (it takes decisions only).
    let everything = ReplaySelection::Range {
        from: Utc::now() - Span::hours(1),
        to: Utc::now() + Span::hours(1),
    };
    let wider = s
        .compliance
        .replay_deliveries(&s.admin(), broker, everything)
        .unwrap();
    assert_eq!(wider, 2, "the broker's two delivered decisions, sent again");
}

#[test]
fn a_cleared_match_an_override_and_four_eyes_each_announce_themselves_in_order() {
    let s = seeded();
    let id = "in-corp-pep-002";
    let case = sanctions_hit_on_the_escalation(&s);
    let (officer, admin) = (s.officer(), s.admin());
    let (list, entry) = sdn();
    let proposed = s
        .compliance
        .clear_match(
            &officer,
            case.id,
            &list,
            &entry,
            &reason("different person"),
            case.revision,
        )
        .unwrap();
    s.compliance
        .clear_match(
            &admin,
            case.id,
            &list,
            &entry,
            &reason("checked the record"),
            proposed.revision,
        )
        .unwrap();
    let first = s
        .compliance
        .review(
            &officer,
            case.id,
            Verdict::Approve,
            &reason("EDD done"),
            s.current(id).revision,
        )
        .unwrap();
    s.compliance
        .review(
            &admin,
            case.id,
            Verdict::Approve,
            &reason("agreed"),
            first.case.revision,
        )
        .unwrap();
    let events = events_of(&s, id);
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "case.decided",
            "case.verdict_flagged",
            "match.clearance_proposed",
            "match.cleared",
            "case.override_confirmed",
            "case.approval_proposed",
            "case.status_changed",
        ]
    );
    let sequences: Vec<i64> = events.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, (1..=7).collect::<Vec<_>>());
    assert_eq!(
        (
            events[3].data["list"].as_str(),
            events[3].data["entry"].as_str()
        ),
        (Some(list.as_str()), Some(entry.as_str()))
    );
    let last = &events[6].data;
    assert_eq!(
        (
            last["previous_status"].as_str(),
            last["status"].as_str(),
            last["by"].as_str()
        ),
        (Some("ESCALATED"), Some("APPROVED"), Some("reviewer"))
    );
}
