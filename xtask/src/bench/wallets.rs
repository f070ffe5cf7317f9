//! `cargo xtask bench --only wallets` (issue 19, part 4: "100,000 wallet transactions screened
//! in under 10 s"): 100,000 transactions on one watched wallet recorded through the library's
//! batch call (`Compliance::record_transactions`, 1,000 a call, as the system agent: each
//! counterparty screened against the lists' wallet addresses, every thousandth a listed one,
//! recorded ESCALATED with the case re-screened; the rows, their audit entries and their events
//! written), beside a plain reference in the same run: the same rows written into the same
//! table (its guard and indexes) on a second wallet by one `INSERT ... SELECT` over
//! `generate_series`, with no screening, audit entry or event.
//!
//! Then what ongoing monitoring does with them: a new list version designates the
//! counterparties of a few of those transactions, and its job (`Monitor::run_next`, as
//! `compliance-api`'s monitor runs it) screens every known counterparty of the 200,000 (each
//! transaction's its own) against what the version added, flags the transactions concerned and
//! re-screens the entity's case; beside the plain reference of reading the distinct
//! counterparties once (`SELECT DISTINCT`).
//!
//! Must not: touch any database but the `compliance_bench_wallets_*` one it creates and drops,
//! or print the connection URL. It measures; the target is printed, not enforced.

use super::monitoring::{run_job, wall};
use anyhow::{Result, ensure};
use compliance_app::domain::blockchain::{
    Asset, Chain, CryptoAmount, Direction, ObservedTransaction, OnChainRef, WalletWatch, WatchKind,
};
use compliance_app::domain::{Decimal, EntityId, Username};
use compliance_app::screening::formats::{Format, ListFile};
use compliance_ops::provision::{ProvisionOptions, provision};
use compliance_persistence::DatabaseConfig;
use compliance_persistence::diesel::RunQueryDsl;
use std::time::{Duration, Instant};

/// Transactions recorded (issue 19's target).
const TRANSACTIONS: usize = 100_000;
/// Transactions per library call (the API's most per request).
const BATCH: usize = 1_000;
/// One in this many has a listed counterparty.
const HIT_EVERY: usize = 1_000;
/// OFAC SDN-41003's Ethereum address in the fixture list.
const LISTED: &str = "0x3cb7f9e2c1d4a5b6e7f8091a2b3c4d5e6f708192";
/// The seed's entity whose wallets are watched.
const ENTITY: &str = "ae-ind-clean-001";
/// Counterparties the second list version designates (each on one transaction of each wallet).
const DESIGNATED: usize = 10;

/// Runs the benchmark on a database of its own and prints its table.
#[allow(clippy::float_arithmetic)] // Rates and their ratio are reporting, not money.
pub fn run() -> Result<()> {
    println!(
        "\n==> wallet screening (issue 19), {} build",
        super::screening::profile()
    );
    let server = DatabaseConfig::from_env()?;
    let name = format!("compliance_bench_wallets_{}", std::process::id());
    let config = server.with_database(&name);
    super::drop_database(&server, &name)?;
    let result = measure(&config);
    let dropped = super::drop_database(&server, &name);
    let (library, reference, job) = result?;
    dropped?;
    let rate = |d: Duration| TRANSACTIONS as f64 / d.as_secs_f64();
    println!(
        "\n{TRANSACTIONS} transactions on one watched wallet, one in {HIT_EVERY} to a listed counterparty"
    );
    println!("| run | total | transactions/s | vs the reference |");
    println!("|---|---|---|---|");
    println!(
        "| reference: one `INSERT ... SELECT` of the same rows into `blockchain_transactions` (guard, indexes; no screening, audit or event) | {:.2} s | {:.0} | 1.00x |",
        reference.as_secs_f64(),
        rate(reference)
    );
    println!(
        "| library: `Compliance::record_transactions`, {BATCH} a call as the system agent (screening, rows, audit entries, events, the hits' re-screening) | {:.2} s | {:.0} | {:.2}x |",
        library.as_secs_f64(),
        rate(library),
        library.as_secs_f64() / reference.as_secs_f64()
    );
    println!(
        "recording target: {TRANSACTIONS} wallet transactions recorded and screened in under 10 s: {}",
        met(library)
    );
    println!(
        "\na new list version designating {DESIGNATED} of the counterparties; its job over the {} transactions of both wallets",
        2 * TRANSACTIONS
    );
    println!("| run | total | vs the reference |");
    println!("|---|---|---|");
    println!(
        "| reference: the distinct counterparties read once (`SELECT DISTINCT counterparty FROM blockchain_transactions`) | {:.2} s | 1.00x |",
        job.reference.as_secs_f64()
    );
    println!(
        "| the version's job, wall: {} counterparties screened, {} listed, {} transactions flagged, the case re-screened | {:.2} s | {:.2}x |",
        job.counterparties,
        job.hits,
        job.flagged,
        job.wall.as_secs_f64(),
        job.wall.as_secs_f64() / job.reference.as_secs_f64().max(1e-9)
    );
    println!(
        "monitoring target: {TRANSACTIONS} wallet transactions screened in under 10 s: {}",
        met(job.wall)
    );
    Ok(())
}

fn met(took: Duration) -> &'static str {
    if took < Duration::from_secs(10) {
        "met"
    } else {
        "NOT MET"
    }
}

/// The second list version's job over the recorded transactions.
struct JobRun {
    wall: Duration,
    reference: Duration,
    counterparties: i64,
    hits: i64,
    flagged: i64,
}

/// The `n`th transaction's hash and counterparty.
fn hash(n: usize) -> String {
    format!("0x{n:064x}")
}

/// Every transaction's counterparty is its own, but one in `HIT_EVERY`'s, which is listed.
fn counterparty(n: usize) -> String {
    if n % HIT_EVERY == HIT_EVERY - 1 {
        LISTED.to_owned()
    } else {
        format!("0x{:040x}", n + 1)
    }
}

/// The transactions whose counterparties the second version designates (none of them a hit).
fn designated() -> impl Iterator<Item = usize> {
    (0..DESIGNATED).map(|k| k * (TRANSACTIONS / DESIGNATED) + 7)
}

/// The fixture's files, `extra` appended to sdn.csv.
fn ofac_files(extra: &str) -> Result<Vec<ListFile>> {
    let fixtures = super::root().join("crates/screening/fixtures/ofac");
    ["sdn.csv", "alt.csv", "add.csv"]
        .iter()
        .map(|f| {
            let mut bytes = std::fs::read(fixtures.join(f))?;
            if *f == "sdn.csv" {
                // Before OFAC's end-of-file mark (0x1A), as the published file would have it.
                let end = bytes.pop_if(|b| *b == 0x1a);
                bytes.extend_from_slice(extra.as_bytes());
                bytes.extend(end);
            }
            Ok(ListFile::new((*f).to_owned(), bytes))
        })
        .collect()
}

/// One more SDN entry, an entity holding the designated counterparties' addresses.
fn designation() -> String {
    let addresses: Vec<String> = designated()
        .map(|n| format!("Digital Currency Address - ETH {}", counterparty(n)))
        .collect();
    format!(
        "99001,\"KESTREL LEDGER SERVICES\",\"-0- \",\"CYBER2\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"{}.\"\r\n",
        addresses.join("; alt. ")
    )
}

fn measure(config: &DatabaseConfig) -> Result<(Duration, Duration, JobRun)> {
    provision(config, ProvisionOptions::default(), |_| {})?;
    let compliance = compliance_ops::compliance_over(config)?;
    let agent = compliance.in_process().system_agent()?;
    let admin = compliance.in_process().user(&Username::parse("admin")?)?;
    compliance.import_watchlist(&admin, Format::OfacSdnCsv, &ofac_files("")?, None)?;
    // Its job now, while no transaction is recorded: the one measured below is the next's.
    run_job(&compliance, 100)?;
    let entity = EntityId::parse(ENTITY)?;
    let wallet = |address: &str| -> Result<compliance_app::domain::Uuid> {
        let watch = WalletWatch::new(
            Chain::parse("ethereum")?,
            OnChainRef::parse(address, "wallet address")?,
            [WatchKind::Incoming, WatchKind::SanctionedCounterparty].into(),
        )?;
        Ok(compliance.watch_wallet(&agent, &entity, &watch)?.id)
    };
    let watched = wallet("0xabcdefabcdefabcdefabcdefabcdefabcdefabcd")?;
    let plain = wallet("0xfedcbafedcbafedcbafedcbafedcbafedcbafedc")?;
    let observed_at = chrono::Utc::now();
    let transactions = (0..TRANSACTIONS)
        .map(|n| {
            Ok(ObservedTransaction {
                tx_hash: OnChainRef::parse(&hash(n), "transaction hash")?,
                direction: Direction::Incoming,
                amount: CryptoAmount::new(Decimal::new(1_250, 3))?,
                asset: Asset::parse("ETH")?,
                counterparty: Some(OnChainRef::parse(&counterparty(n), "counterparty")?),
                observed_at,
                risk_score: None,
            })
        })
        .collect::<Result<Vec<_>>>()?;

    let started = Instant::now();
    let (mut recorded, mut flagged) = (0, 0);
    for batch in transactions.chunks(BATCH) {
        let out = compliance.record_transactions(&agent, watched, batch)?;
        recorded += out.recorded;
        flagged += out.flagged;
    }
    let library = started.elapsed();
    ensure!(
        recorded == TRANSACTIONS && flagged == TRANSACTIONS / HIT_EVERY,
        "recorded {recorded}, flagged {flagged}: expected {TRANSACTIONS} and {}",
        TRANSACTIONS / HIT_EVERY
    );

    // The reference: the same rows, but the hits' counterparty a clean one (the guard refuses
    // a listed counterparty recorded PENDING, and this writes no flag).
    let mut conn = compliance_persistence::connect(config)?;
    let sql = format!(
        "INSERT INTO blockchain_transactions (monitoring_id, tx_hash, direction, amount, asset, counterparty, observed_at) \
         SELECT '{plain}', '0x' || lpad(to_hex(n), 64, '0'), 'incoming', 1.25, 'ETH', \
                '0x' || lpad(to_hex(n + 1), 40, '0'), now() \
         FROM generate_series(0, {}) AS n",
        TRANSACTIONS - 1
    );
    let started = Instant::now();
    let rows = compliance_persistence::diesel::sql_query(sql).execute(&mut conn)?;
    let reference = started.elapsed();
    ensure!(
        rows == TRANSACTIONS,
        "the reference wrote {rows} rows, expected {TRANSACTIONS}"
    );

    // Monitoring: the next version designates some counterparties; its job screens them all.
    let started = Instant::now();
    let distinct = compliance_persistence::diesel::sql_query(
        "SELECT DISTINCT counterparty FROM blockchain_transactions",
    )
    .execute(&mut conn)?;
    let copy = started.elapsed();
    compliance.import_watchlist(
        &admin,
        Format::OfacSdnCsv,
        &ofac_files(&designation())?,
        None,
    )?;
    let job = run_job(&compliance, 100)?;
    ensure!(job.state == "done", "the job did not finish");
    let wall = wall(&job);
    ensure!(
        usize::try_from(job.counterparties) == Ok(distinct)
            && job.counterparty_hits == DESIGNATED as i64
            && job.transactions_flagged == 2 * DESIGNATED as i64,
        "the job screened {} counterparties ({} listed, {} transactions flagged): expected {}, {DESIGNATED} and {}",
        job.counterparties,
        job.counterparty_hits,
        job.transactions_flagged,
        distinct,
        2 * DESIGNATED
    );
    let run = JobRun {
        wall,
        reference: copy,
        counterparties: job.counterparties,
        hits: job.counterparty_hits,
        flagged: job.transactions_flagged,
    };
    Ok((library, reference, run))
}
