//! Wallets (issue 19, part 4): a watched wallet's transactions recorded with each counterparty
//! screened against the lists' wallet addresses; a hit recorded ESCALATED and the entity's case
//! re-screened in the same transaction; a repeat answered as stored; bad input refused with
//! nothing written; a new list version's pass flagging an old transaction; and the database
//! refusing what the service would not write.

use crate::support::*;
use compliance_app::AppError;
use compliance_app::screening::formats::{Format, ListFile};
use compliance_app::watchlists::{Imported, ListVersion};
use compliance_domain::blockchain::{
    Asset, Chain, CryptoAmount, Direction, ObservedTransaction, OnChainRef, WalletWatch, WatchKind,
};
use compliance_domain::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../screening/fixtures");
/// OFAC SDN-41003's Ethereum address (in both fixture versions), in another case.
const LISTED: &str = "0x3CB7F9E2C1D4A5B6E7F8091A2B3C4D5E6F708192";
/// OFAC SDN-41022's Ethereum address: in the full fixture, not in the truncated one.
const LISTED_LATER: &str = "0x8576acc5c05d6ce88f4e49bf65bdf0c62f91353c";
const CLEAN: &str = "0x1111111111111111111111111111111111111111";
const ENTITY: &str = "ae-ind-clean-001";

fn import_ofac(s: &Seeded, folder: &str) -> ListVersion {
    let files: Vec<ListFile> = ["sdn.csv", "alt.csv", "add.csv"]
        .iter()
        .map(|f| {
            let bytes = std::fs::read(format!("{FIXTURES}/{folder}/{f}")).unwrap();
            ListFile::new((*f).to_owned(), bytes)
        })
        .collect();
    match s
        .compliance
        .import_watchlist(&s.admin(), Format::OfacSdnCsv, &files, None)
        .unwrap()
    {
        Imported::New(v) => v,
        Imported::Existing(_) => panic!("a new version"),
    }
}

fn watch(s: &Seeded, address: &str) -> uuid::Uuid {
    let wallet = WalletWatch::new(
        Chain::parse("ethereum").unwrap(),
        OnChainRef::parse(address, "wallet address").unwrap(),
        [WatchKind::Incoming, WatchKind::SanctionedCounterparty].into(),
    )
    .unwrap();
    s.compliance
        .watch_wallet(&s.agent(), &entity(ENTITY), &wallet)
        .unwrap()
        .id
}

fn tx(hash: &str, counterparty: Option<&str>) -> ObservedTransaction {
    ObservedTransaction {
        tx_hash: OnChainRef::parse(hash, "transaction hash").unwrap(),
        direction: Direction::Incoming,
        amount: CryptoAmount::new("1.5".parse().unwrap()).unwrap(),
        asset: Asset::parse("ETH").unwrap(),
        counterparty: counterparty.map(|c| OnChainRef::parse(c, "counterparty").unwrap()),
        observed_at: chrono::Utc::now(),
        risk_score: None,
    }
}

fn audit_count(conn: &mut compliance_persistence::diesel::PgConnection, action: &str) -> i64 {
    count(
        conn,
        &format!(
            "SELECT count(*) AS n FROM audit_logs WHERE entity_id = '{ENTITY}' AND action = '{action}'"
        ),
    )
}

#[test]
fn a_transaction_to_a_listed_wallet_is_flagged_and_the_case_rescreened_with_the_entry() {
    let s = seeded();
    import_ofac(&s, "ofac");
    assert_eq!(s.current(ENTITY).status, CheckStatus::Approved);
    let wallet = watch(&s, "0xabcdefabcdefabcdefabcdefabcdefabcdefabcd");
    let listed = s.compliance.wallets(&s.analyst(), &entity(ENTITY)).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, wallet);
    let batch = [
        tx("0xaaaa000000000000000000000000000000000001", Some(CLEAN)),
        tx("0xaaaa000000000000000000000000000000000002", Some(LISTED)),
        tx("0xaaaa000000000000000000000000000000000003", None),
    ];
    let out = s
        .compliance
        .record_transactions(&s.agent(), wallet, &batch)
        .unwrap();
    assert_eq!((out.recorded, out.flagged), (3, 1));
    let statuses: Vec<_> = out.transactions.iter().map(|t| t.status).collect();
    assert_eq!(
        statuses,
        [
            CheckStatus::Pending,
            CheckStatus::Escalated,
            CheckStatus::Pending
        ]
    );
    assert!(out.transactions[1].counterparty_listed && !out.transactions[0].counterparty_listed);
    // The case was re-screened with OFAC's entry as a sanctions match at 1: the engine rejects.
    let rescreened = out.rescreened.clone().expect("the case is re-screened");
    assert_eq!(rescreened.before, CheckStatus::Approved);
    assert_eq!(rescreened.verdict, CheckStatus::Rejected);
    assert_eq!(s.current(ENTITY).status, CheckStatus::Rejected);
    let stored = stored(&s, ENTITY);
    let mut conn = s.db.conn();
    let aml = compliance_persistence::repo::aml_checks::find(&mut conn, stored.aml_check_id)
        .unwrap()
        .screening;
    assert!(aml.matches.iter().any(|m| m.list.as_str() == "OFAC-SDN"
        && m.entry.as_str() == "SDN-41003"
        && m.kind == WatchlistKind::Sanctions));
    assert_eq!(aml.risk_score.value(), 100);
    // Audited: three recordings (the flagged one naming its entry), the case's change; events.
    assert_eq!(audit_count(&mut conn, "transaction_recorded"), 3);
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM audit_logs WHERE entity_id = '{ENTITY}' AND action = 'status_changed' \
                 AND subject_kind = 'compliance_check' AND new_status = 'REJECTED'"
            )
        ),
        1
    );
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM audit_logs WHERE entity_id = '{ENTITY}' \
                 AND action = 'transaction_recorded' AND details->'listed'->0->>'entry' = 'SDN-41003' \
                 AND details->>'compliance_status' = 'ESCALATED'"
            )
        ),
        1
    );
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM events WHERE entity_id = '{ENTITY}' AND event_type = 'transaction.recorded'"
            )
        ),
        3
    );
    // No audit entry carries an address or a hash.
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM audit_logs WHERE details::text ILIKE '%0x3cb7%' OR details::text ILIKE '%0xaaaa%'"
        ),
        0
    );

    // The same batch again: answered as stored, nothing written, nothing re-screened.
    let audit_before = count(&mut conn, "SELECT count(*) AS n FROM audit_logs");
    let again = s
        .compliance
        .record_transactions(&s.agent(), wallet, &batch)
        .unwrap();
    assert_eq!((again.recorded, again.flagged), (0, 0));
    assert!(again.rescreened.is_none());
    assert!(again.transactions.iter().all(|t| !t.recorded));
    let ids = |o: &compliance_app::records::RecordedTransactions| {
        o.transactions
            .iter()
            .map(|t| (t.id, t.status))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&again), ids(&out));
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM audit_logs"),
        audit_before
    );

    // The database refuses what the service would not write: approving the flagged
    // transaction, or recording a listed counterparty PENDING.
    let admin = s.users.admin.id.as_uuid();
    let flagged = out.transactions[1].id;
    let approve = format!(
        "UPDATE blockchain_transactions SET compliance_status = 'APPROVED', decided_by = '{admin}', \
         revision = revision + 1 WHERE id = '{flagged}'"
    );
    assert!(
        try_exec(&mut conn, &approve)
            .unwrap_err()
            .contains("blockchain_transactions_listed_counterparty")
    );
    let pending = format!(
        "INSERT INTO blockchain_transactions (monitoring_id, tx_hash, direction, amount, asset, counterparty, observed_at) \
         VALUES ('{wallet}', '0xbbbb000000000000000000000000000000000001', 'incoming', 1, 'ETH', '{}', now())",
        LISTED.to_lowercase()
    );
    assert!(
        try_exec(&mut conn, &pending)
            .unwrap_err()
            .contains("blockchain_transactions_listed_counterparty")
    );
    // An ESCALATED insert on a clean counterparty is not the screening's flag.
    let escalated = format!(
        "INSERT INTO blockchain_transactions (monitoring_id, tx_hash, direction, amount, asset, counterparty, observed_at, \
         compliance_status, decided_by) VALUES ('{wallet}', '0xbbbb000000000000000000000000000000000002', 'incoming', 1, \
         'ETH', '{CLEAN}', now(), 'ESCALATED', '{admin}')"
    );
    assert!(
        try_exec(&mut conn, &escalated)
            .unwrap_err()
            .contains("blockchain_transactions_new")
    );
    // The clean PENDING transaction may still be approved by a reviewer.
    let clean = out.transactions[0].id;
    exec(
        &mut conn,
        &format!(
            "UPDATE blockchain_transactions SET compliance_status = 'APPROVED', decided_by = '{admin}', \
             revision = revision + 1 WHERE id = '{clean}'"
        ),
    );
}

#[test]
fn bad_input_is_a_typed_refusal_and_writes_nothing() {
    let s = seeded();
    import_ofac(&s, "ofac");
    let wallet = watch(&s, "0xabcdefabcdefabcdefabcdefabcdefabcdefabcd");
    let mut conn = s.db.conn();
    let before = count(&mut conn, "SELECT count(*) AS n FROM audit_logs");
    let agent = s.agent();
    let empty = s.compliance.record_transactions(&agent, wallet, &[]);
    assert!(matches!(empty, Err(AppError::Input(_))), "{empty:?}");
    let many: Vec<_> = (0..1_001)
        .map(|i| tx(&format!("0xcccc{i:036}"), None))
        .collect();
    let too_many = s.compliance.record_transactions(&agent, wallet, &many);
    assert!(matches!(too_many, Err(AppError::Input(_))), "{too_many:?}");
    let unknown =
        s.compliance
            .record_transactions(&agent, uuid::Uuid::nil(), &[tx("0xdddd0001", None)]);
    assert!(
        matches!(unknown, Err(AppError::NotFound { .. })),
        "{unknown:?}"
    );
    let analyst = s
        .compliance
        .record_transactions(&s.analyst(), wallet, &[tx("0xdddd0002", None)]);
    assert!(
        matches!(analyst, Err(AppError::Forbidden { .. })),
        "{analyst:?}"
    );
    // A wallet is watched once; only an entity with a case, by the agent or an admin.
    let wallet_watch = WalletWatch::new(
        Chain::parse("ethereum").unwrap(),
        OnChainRef::parse(
            "0xabcdefabcdefabcdefabcdefabcdefabcdefabcd",
            "wallet address",
        )
        .unwrap(),
        [WatchKind::Incoming].into(),
    )
    .unwrap();
    let twice = s
        .compliance
        .watch_wallet(&s.admin(), &entity(ENTITY), &wallet_watch);
    assert!(matches!(twice, Err(AppError::Conflict { .. })), "{twice:?}");
    let nobody = s
        .compliance
        .watch_wallet(&s.agent(), &entity("ae-ind-nobody-001"), &wallet_watch);
    assert!(
        matches!(nobody, Err(AppError::NotFound { .. })),
        "{nobody:?}"
    );
    let officer = s
        .compliance
        .watch_wallet(&s.officer(), &entity(ENTITY), &wallet_watch);
    assert!(
        matches!(officer, Err(AppError::Forbidden { .. })),
        "{officer:?}"
    );
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM audit_logs"),
        before
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM blockchain_transactions"
        ),
        0
    );
}

#[test]
fn a_new_list_version_flags_an_old_transaction_and_rescreens_its_entity() {
    let s = seeded();
    import_ofac(&s, "ofac-truncated");
    let wallet = watch(&s, "0xabcdefabcdefabcdefabcdefabcdefabcdefabcd");
    let first = s
        .compliance
        .record_transactions(
            &s.admin(),
            wallet,
            &[
                tx(
                    "0xeeee000000000000000000000000000000000001",
                    Some(LISTED_LATER),
                ),
                tx("0xeeee000000000000000000000000000000000002", Some(CLEAN)),
            ],
        )
        .unwrap();
    assert_eq!(first.flagged, 0);
    assert!(first.rescreened.is_none());
    assert_eq!(s.current(ENTITY).status, CheckStatus::Approved);
    // OFAC's next version lists the counterparty: the pass over known counterparties flags the
    // old transaction and re-screens the entity.
    let full = import_ofac(&s, "ofac");
    let pass = s
        .compliance
        .screen_known_counterparties(&s.agent(), full.id)
        .unwrap();
    assert_eq!(
        (
            pass.counterparties,
            pass.hits,
            pass.flagged,
            pass.rescreened
        ),
        (2, 1, 1, 1)
    );
    let mut conn = s.db.conn();
    let old = first.transactions[0].id;
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM blockchain_transactions WHERE id = '{old}' \
                 AND compliance_status = 'ESCALATED' AND revision = 2 AND decided_by = '{}'",
                s.users.agent.id.as_uuid()
            )
        ),
        1
    );
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM audit_logs WHERE subject_id = '{old}' AND action = 'status_changed' \
                 AND new_status = 'ESCALATED' AND details->'listed'->0->>'entry' = 'SDN-41022'"
            )
        ),
        1
    );
    assert_eq!(s.current(ENTITY).status, CheckStatus::Rejected);
    // Run again: nothing new to flag, the case (now final) is left alone.
    let again = s
        .compliance
        .screen_known_counterparties(&s.agent(), full.id)
        .unwrap();
    assert_eq!((again.hits, again.flagged, again.rescreened), (1, 0, 0));
    // Only the system agent runs the pass.
    assert!(matches!(
        s.compliance
            .screen_known_counterparties(&s.admin(), full.id),
        Err(AppError::Forbidden { .. })
    ));
}

#[test]
fn the_database_wallet_form_agrees_with_the_matcher() {
    let s = seeded();
    let mut conn = s.db.conn();
    for address in [
        "0xAbC123def4567890",
        " 0XABC\u{00A0}DEF\u{3000} ",
        "BC1QXY2KGDYGJRSQTZQ2N0YRF2493P83KKFJHX0WLH",
        "LTC1QABCDEF",
        "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
        "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE",
        "0xÄbC",
        "\t0x12\u{2009}34\n",
    ] {
        let sql = format!(
            "SELECT CASE WHEN normal_wallet('{}') = '{}' THEN 1::bigint ELSE 0 END AS n",
            address.replace('\'', "''"),
            compliance_app::screening::normal_wallet(address).replace('\'', "''")
        );
        assert_eq!(count(&mut conn, &sql), 1, "{address:?}");
    }
}

#[test]
fn each_statement_announces_its_entries_numbered_in_their_order_per_entity() {
    let s = seeded();
    let mut conn = s.db.conn();
    let wallet = watch(&s, "0xabcdefabcdefabcdefabcdefabcdefabcdefabcd");
    let other = "us-ind-standard-002";
    let watched = WalletWatch::new(
        Chain::parse("ethereum").unwrap(),
        OnChainRef::parse("0xfedcbafedcbafedcbafedcbafedcbafedcbafedc", "wallet").unwrap(),
        [WatchKind::Incoming].into(),
    )
    .unwrap();
    let other_wallet = s
        .compliance
        .watch_wallet(&s.agent(), &entity(other), &watched)
        .unwrap()
        .id;
    let batch: Vec<_> = (1..=40)
        .map(|i| tx(&format!("0xbbbb{i:036x}"), Some(CLEAN)))
        .collect();
    s.compliance
        .record_transactions(&s.agent(), wallet, &batch)
        .unwrap();
    s.compliance
        .record_transactions(&s.agent(), other_wallet, &batch[..1])
        .unwrap();
    // Each entity's events follow its audit entries' order, one step at a time, and each names
    // the transaction its entry records.
    let in_order = |conn: &mut _, id: &str| {
        count(
            conn,
            &format!(
                "SELECT count(*) AS n FROM (
                   SELECT e.entity_sequence - lag(e.entity_sequence) OVER (ORDER BY a.id) AS step,
                          a.subject_id = (e.data ->> 'transaction_id')::uuid AS named
                     FROM events e JOIN audit_logs a ON a.id = e.audit_log_id
                    WHERE e.entity_id = '{id}') x
                  WHERE x.step <> 1 OR x.named IS FALSE"
            ),
        )
    };
    let recorded = |conn: &mut _, id: &str| {
        count(
            conn,
            &format!(
                "SELECT count(*) AS n FROM events WHERE entity_id = '{id}' AND event_type = 'transaction.recorded'"
            ),
        )
    };
    assert_eq!(recorded(&mut conn, ENTITY), 40);
    assert_eq!(in_order(&mut conn, ENTITY), 0);
    // One statement with both entities' entries, interleaved: each stream numbered on.
    let again = format!(
        "INSERT INTO audit_logs (actor_id, action, subject_kind, subject_id, entity_id, details)
         SELECT actor_id, action, subject_kind, subject_id, entity_id, details FROM audit_logs
          WHERE action = 'transaction_recorded' AND entity_id IN ('{ENTITY}', '{other}')
          ORDER BY subject_id"
    );
    assert_eq!(try_exec(&mut conn, &again), Ok(41));
    for (id, events) in [(ENTITY, 80), (other, 2)] {
        assert_eq!(recorded(&mut conn, id), events, "{id}");
        assert_eq!(in_order(&mut conn, id), 0, "{id}");
        assert_eq!(
            count(
                &mut conn,
                &format!("SELECT count(*) AS n FROM event_streams s WHERE entity_id = '{id}'
                            AND last_sequence = (SELECT max(entity_sequence) FROM events WHERE entity_id = '{id}')")
            ),
            1,
            "{id}"
        );
    }
    // An entry whose transaction does not exist refuses its whole statement.
    let before = count(&mut conn, "SELECT count(*) AS n FROM events");
    let refused = try_exec(
        &mut conn,
        "INSERT INTO audit_logs (actor_id, action, subject_kind, subject_id, entity_id, details)
         SELECT actor_id, action, subject_kind, s, entity_id, details
           FROM audit_logs, unnest(ARRAY[subject_id, gen_random_uuid()]) AS s
          WHERE id = (SELECT max(id) FROM audit_logs WHERE action = 'transaction_recorded')",
    )
    .unwrap_err();
    assert!(refused.contains("events_subject"), "{refused}");
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM events"), before);
}
