//! `cargo xtask bench --only monitoring`: ongoing monitoring (issue 19) at scale, each figure
//! beside a plain reference measured in the same run.
//!
//! - A base of `--monitoring N` entities with subjects (default 1,000,000; names generated in
//!   SQL from fixed pools: Latin, Arabic and Devanagari scripts where they occur, the same for
//!   the same N), 200 of them with cases through the library.
//! - A full re-screen: a 100,000-entry synthetic OFAC version imported as the list's first
//!   version, whose job screens the whole base against all of it.
//! - A delta: the next version adds 100 entries (20 of them the names of investors with
//!   approved cases), and its job screens the base against those.
//! - The live path beside a job: rounds of submissions, idle and beside another 100-entry
//!   job at duty 50% (compliance-api's default) and 25%, alternated; each p99 against idle.
//! - The reference: the base's subjects read once, in full, with `psql \copy ... TO '/dev/null'`.
//!
//! Must not: touch any database but the `compliance_bench_monitoring_*` one it creates and
//! drops, or print the connection URL.

// Rates, percentiles and ratios of measured times: floating point is what they are.
#![allow(clippy::float_arithmetic)]

use anyhow::{Result, ensure};
use compliance_app::domain::input::CaseInput;
use compliance_app::screening::ListEntry;
use compliance_app::screening::bench_support::p99;
use compliance_app::screening::formats::{Format, ListFile, synthetic_entries, write_ofac};
use compliance_app::watchlists::Imported;
use compliance_app::{Caller, Compliance, MonitorSettings, ScreeningJob};
use compliance_ops::provision::{ProvisionOptions, provision};
use compliance_persistence::DatabaseConfig;
use compliance_persistence::diesel::{RunQueryDsl, sql_query};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Entries of the first version (the full re-screen's list).
const LIST_ENTRIES: usize = 100_000;
/// Entries each later version adds.
const DELTA: usize = 100;
/// Investors with cases whose names the first delta designates.
const DESIGNATED: usize = 20;
/// Investors with cases.
const CASES: usize = 200;
/// Subjects named as listed persons (the full re-screen's check that it finds what it must).
const LISTED: usize = 100;
/// Submissions per round of the live path.
const SUBMISSIONS: usize = 250;
/// Rounds of the live path (each: idle, then beside the job at each duty).
const ROUNDS: usize = 3;
/// The settings the live path is measured beside, duty and batch: the foreground's batches at
/// compliance-api's duty, then its default (shorter batches: a submission that meets one waits
/// less), then a gentler duty.
const BESIDE: [(u8, u16); 3] = [(50, 1_000), (50, 100), (25, 100)];
/// The job's lease while the live path stops and restarts it.
const LEASE: Duration = Duration::from_secs(2);

/// The base's subjects, generated in one statement (the subjects' guard computes each salt and
/// commitment): `mon-NNNNNNN`, a jurisdiction by `i % 3`, names from that jurisdiction's pools
/// in Latin script, or for one in four of the UAE's in Arabic and of India's in Devanagari.
const SUBJECTS_SQL: &str = r"
WITH pools AS (
  SELECT ARRAY['Mohammed','Ahmed','Khalid','Saeed','Rashid','Hamdan','Sultan','Majid','Faisal','Tariq',
               'Yousef','Omar','Hamad','Nasser','Abdullah','Mariam','Fatima','Aisha','Noura','Latifa',
               'Hessa','Shamma','Reem','Mouza','Salama','Amna','Ibrahim','Jassim','Obaid','Humaid']::text[] AS ae_given,
         ARRAY['Al Mansouri','Al Nahyan','Al Falasi','Al Mazrouei','Al Shamsi','Al Ketbi','Al Dhaheri','Al Suwaidi',
               'Al Marzouqi','Al Hammadi','Al Qasimi','Al Nuaimi','Al Mheiri','Al Zaabi','Al Blooshi','Al Hashimi',
               'Al Ameri','Al Kaabi','Al Muhairi','Al Romaithi']::text[] AS ae_family,
         ARRAY['محمد','أحمد','خالد','سعيد','راشد','حمدان','سلطان','ماجد','فيصل','طارق','مريم','فاطمة','عائشة','نورة']::text[] AS ar_given,
         ARRAY['المنصوري','الفلاسي','المزروعي','الشامسي','الكتبي','الظاهري','السويدي','المرزوقي','الحمادي','القاسمي']::text[] AS ar_family,
         ARRAY['Aarav','Vivaan','Aditya','Vihaan','Arnav','Sai','Ishaan','Reyansh','Krishna','Rohan',
               'Ananya','Diya','Aadhya','Saanvi','Kavya','Meera','Lakshmi','Pooja','Rahul','Vikram',
               'Suresh','Ramesh','Mahesh','Ganesh','Venkat','Srinivas','Harsha','Kiran','Nikhil','Varun']::text[] AS in_given,
         ARRAY['Agarwal','Bhatt','Chatterjee','Desai','Joshi','Kulkarni','Menon','Nair','Pillai','Rao',
               'Saxena','Trivedi','Verma','Banerjee','Chopra','Malhotra','Mehta','Naidu','Shetty','Srivastava']::text[] AS in_family,
         ARRAY['अमित','राहुल','सुरेश','रमेश','प्रिया','अनीता','विकास','संजय','दीपिका','नेहा']::text[] AS hi_given,
         ARRAY['वर्मा','जोशी','मेहता','अग्रवाल','त्रिवेदी','सक्सेना','मल्होत्रा','चोपड़ा']::text[] AS hi_family,
         ARRAY['James','Robert','William','Richard','Joseph','Thomas','Charles','Christopher','Daniel','Matthew',
               'Emily','Olivia','Emma','Sophia','Isabella','Charlotte','Amelia','Harper','Evelyn','Abigail',
               'Ethan','Noah','Liam','Mason','Logan','Lucas','Jackson','Aiden','Elijah','Grayson']::text[] AS us_given,
         ARRAY['Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Rodriguez','Martinez','Hernandez',
               'Lopez','Gonzalez','Wilson','Anderson','Taylor','Moore','Jackson','Martin','Lee','Thompson',
               'White','Harris','Clark','Lewis','Robinson','Walker','Young','Allen','King','Wright']::text[] AS us_family
)
INSERT INTO screening_subjects (entity_id, revision, subject, recorded_by)
SELECT 'mon-' || lpad(g::text, 7, '0'), 1,
       jsonb_build_object('names', jsonb_build_array(n.name), 'birth_year', 1940 + (g * 37) % 60,
                          'countries', jsonb_build_array(n.country)),
       (SELECT id FROM users WHERE role = 'system' AND active ORDER BY created_at LIMIT 1)
  FROM generate_series(1, $1) g, pools p,
       LATERAL (SELECT CASE g % 3
           WHEN 0 THEN CASE WHEN g % 12 = 0
               THEN p.ar_given[1 + (g * 7) % 14] || ' ' || p.ar_family[1 + (g * 13) % 10]
               ELSE p.ae_given[1 + (g * 7) % 30] || ' ' || p.ae_given[1 + (g * 11) % 30] || ' ' || p.ae_family[1 + (g * 13) % 20] END
           WHEN 1 THEN CASE WHEN g % 12 = 1
               THEN p.hi_given[1 + (g * 7) % 10] || ' ' || p.hi_family[1 + (g * 13) % 8]
               ELSE p.in_given[1 + (g * 7) % 30] || ' ' || p.in_family[1 + (g * 13) % 20] END
           ELSE p.us_given[1 + (g * 7) % 30] || ' ' || chr(65 + (g * 3) % 26) || ' ' || p.us_family[1 + (g * 13) % 30]
         END AS name,
         CASE g % 3 WHEN 0 THEN 'AE' WHEN 1 THEN 'IN' ELSE 'US' END AS country) n
";

/// Runs the measurements on a fresh database of `entities` subjects.
pub fn run(entities: u64) -> Result<()> {
    // RUST_LOG=compliance_app::service::monitoring=debug shows each batch's read, screen, write
    // and record times.
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .try_init();
    }
    let server = DatabaseConfig::from_env()?;
    let name = format!("compliance_bench_monitoring_{}", std::process::id());
    let config = server.with_database(&name);
    super::drop_database(&server, &name)?;
    let result = measure(&config, entities);
    let dropped = super::drop_database(&server, &name);
    result?;
    dropped
}

fn measure(config: &DatabaseConfig, entities: u64) -> Result<()> {
    provision(config, ProvisionOptions::default(), |_| {})?;
    let compliance = compliance_ops::compliance_over(config)?;
    let agent = compliance.in_process().system_agent()?;
    let admin = compliance
        .in_process()
        .user(&compliance_app::domain::Username::parse("admin")?)?;
    let mut conn = compliance_persistence::connect(config)?;
    println!("\n==> ongoing monitoring (issue 19): a base of {entities} entities with subjects");
    let started = Instant::now();
    sql_query(SUBJECTS_SQL.replace("$1", &entities.to_string())).execute(&mut conn)?;
    let mut list = synthetic_entries(LIST_ENTRIES, 19);
    let listed = listed_subjects(&mut conn, &mut list)?;
    let designated = cases(&compliance, &agent, &list)?;
    sql_query("ANALYZE").execute(&mut conn)?;
    println!(
        "generated in {:.1} s (and {CASES} investors with approved cases)",
        started.elapsed().as_secs_f64()
    );
    let reference = copy_subjects(config)?;
    println!(
        "reference: the subjects read once with psql \\copy to /dev/null: {:.2} s",
        reference.as_secs_f64()
    );
    let screenings = || count(config, "aml_checks");
    let before = screenings()?;

    // 1. The full re-screen: a first version of 100,000 entries.
    import(&compliance, &admin, &list)?;
    let full = run_job(&compliance, 100)?;
    let written = screenings()? - before;
    report(
        "full re-screen: the whole base against a 100,000-entry first version",
        &full,
        reference,
    );
    println!(
        "new screening rows: {written} (re-screened cases: {}); target under 10 minutes: {}",
        full.rescreened,
        met(wall(&full) < Duration::from_secs(600))
    );
    // The base holds listed persons by name: a re-screen that found none of them measured
    // nothing.
    ensure!(
        full.matched >= listed,
        "the base holds {listed} subjects named as listed persons, the full re-screen matched {}",
        full.matched
    );

    // 2. A delta of 100 entries, 20 of them designating approved investors.
    let mut second = list.clone();
    second.extend(added(&list, 1, DELTA, &designated));
    import(&compliance, &admin, &second)?;
    let before = screenings()?;
    let delta = run_job(&compliance, 100)?;
    report(
        "delta: the whole base against 100 added entries",
        &delta,
        reference,
    );
    println!(
        "new screening rows: {} (matched {}, re-screened {}, rejected {}); target under 30 s: {}",
        screenings()? - before,
        delta.matched,
        delta.rescreened,
        delta.rejected,
        met(wall(&delta) < Duration::from_secs(30))
    );
    ensure!(
        delta.rejected >= i64::try_from(DESIGNATED).unwrap_or(0),
        "the delta designated {DESIGNATED} approved investors, the job rejected {}",
        delta.rejected
    );

    // 3. The live path: rounds of submissions alternating idle and beside one job (the next
    //    version's), stopped at its cursor between rounds, at each duty.
    let mut third = second.clone();
    third.extend(added(&second, 2, DELTA, &[]));
    import(&compliance, &admin, &third)?;
    let mut idle: Vec<Duration> = Vec::new();
    let mut beside: Vec<(u8, u16, Vec<Duration>, i64)> = BESIDE
        .iter()
        .map(|(duty, batch)| (*duty, *batch, Vec::new(), 0))
        .collect();
    for round in 0..ROUNDS {
        idle.extend(submissions(&compliance, &agent, &format!("idle-{round}"))?);
        for (duty, batch, times, screened) in &mut beside {
            let stop = Arc::new(AtomicBool::new(false));
            let background = {
                let compliance = compliance.clone();
                let stop = stop.clone();
                let (duty, batch) = (*duty, *batch);
                std::thread::spawn(move || -> Result<i64> {
                    let monitor = compliance.in_process().monitor(MonitorSettings {
                        duty_percent: duty,
                        batch,
                        lease: LEASE,
                        ..MonitorSettings::default()
                    });
                    let mut done = 0;
                    let mut first = None;
                    let job = monitor.run_next(
                        &mut |j| {
                            let at = *first.get_or_insert(j.screened);
                            done = j.screened - at;
                        },
                        &|| stop.load(Ordering::Relaxed),
                    )?;
                    ensure!(
                        job.is_some(),
                        "no screening job to run beside the submissions"
                    );
                    Ok(done)
                })
            };
            times.extend(submissions(
                &compliance,
                &agent,
                &format!("duty{duty}-batch{batch}-{round}"),
            )?);
            stop.store(true, Ordering::Relaxed);
            *screened += background
                .join()
                .map_err(|_| anyhow::anyhow!("the job's thread panicked"))??;
            // The stopped job's lease lapses before the next round claims it again.
            std::thread::sleep(LEASE + Duration::from_millis(100));
        }
    }
    println!(
        "\nsubmissions with a subject (screened here against {} entries), one after another, {ROUNDS} rounds of {SUBMISSIONS} alternating idle and beside a running job:",
        third.len()
    );
    println!("| run | p99 | vs idle | the job's pace beside them |");
    println!("|---|---|---|---|");
    println!("| idle | {} | 1.00x | |", ms(p99(&idle)));
    for (duty, batch, times, screened) in &beside {
        let ratio = p99(times).as_secs_f64() / p99(&idle).as_secs_f64().max(1e-9);
        println!(
            "| beside a job at duty {duty}%, batches of {batch} | {} | {ratio:.2}x | {screened} entities screened meanwhile |",
            ms(p99(times)),
        );
    }
    for (duty, batch, times, _) in &beside {
        let ratio = p99(times).as_secs_f64() / p99(&idle).as_secs_f64().max(1e-9);
        println!(
            "target at duty {duty}%, batches of {batch}: p99 at most 1.5x idle: {}",
            met(ratio <= 1.5)
        );
    }
    Ok(())
}

/// `LISTED` persons added to `list` under invented names, and as many subjects in the base
/// named as they are, with their birth year and country (entities `mon-listed-NNN`, no case):
/// the full re-screen must match every one. (The synthetic list's own names are so few and so
/// repeated, each word on thousands of entries, that the matcher's candidate budget finds none
/// of them by name: docs/screening.md, "Performance".)
fn listed_subjects(
    conn: &mut compliance_persistence::diesel::PgConnection,
    list: &mut Vec<ListEntry>,
) -> Result<i64> {
    let names: Vec<String> = (0..LISTED).map(|i| invented_name(1, i)).collect();
    let persons = added(list, 3, LISTED, &names);
    for (i, e) in persons.iter().enumerate() {
        let subject = serde_json::json!({
            "names": [e.names[0]], "birth_year": 1970, "countries": ["GR"],
        });
        sql_query(format!(
            "INSERT INTO screening_subjects (entity_id, revision, subject, recorded_by)
             SELECT 'mon-listed-{i:03}', 1, '{}'::jsonb, id FROM users WHERE role = 'system' AND active LIMIT 1",
            subject.to_string().replace('\'', "''")
        ))
        .execute(conn)?;
    }
    list.extend(persons);
    Ok(i64::try_from(LISTED).unwrap_or(0))
}

/// `CASES` approved investors with subjects, the first `DESIGNATED` of them named as entries the
/// first delta will add; their names.
fn cases(compliance: &Compliance, agent: &Caller, list: &[ListEntry]) -> Result<Vec<String>> {
    let mut designated = Vec::new();
    for i in 0..CASES {
        let name = invented_name(0, i);
        if i < DESIGNATED {
            designated.push(name.clone());
        }
        let input: CaseInput = serde_json::from_value(serde_json::json!({
            "kyc": {"entity_id": format!("mon-case-{i:03}"), "entity_type": "individual", "jurisdiction": "AE",
                    "verification_score": 95, "documents": ["passport", "proof_of_address", "liveness_check"]},
            "subject": {"names": [name], "birth_year": 1970, "countries": ["GR"]}
        }))?;
        let case = compliance.submit_input(agent, &input, None)?;
        ensure!(
            case.case.status == compliance_app::domain::CheckStatus::Approved,
            "investor {i} was not approved against no list"
        );
    }
    ensure!(!list.is_empty(), "an empty list");
    Ok(designated)
}

/// A name no pool and no list holds: three words of four syllables drawn from `i`, from one
/// of two disjoint syllable sets (`set` 0 or 1), so that the investors' names (set 0) and the
/// listed persons' (set 1) never come near each other, and names of one set rarely.
fn invented_name(set: usize, i: usize) -> String {
    const SYLLABLES: [[&str; 12]; 2] = [
        [
            "zor", "vek", "qui", "lam", "dro", "fen", "tas", "mir", "gol", "bru", "syl", "nak",
        ],
        [
            "pev", "hox", "jun", "wra", "cel", "dox", "kyb", "ulm", "tre", "vab", "osk", "ipt",
        ],
    ];
    let syllables = SYLLABLES[set % 2];
    let word = |mut n: usize| -> String {
        let mut w = String::new();
        for _ in 0..4 {
            w.push_str(syllables[n % syllables.len()]);
            n /= syllables.len();
        }
        let mut chars = w.chars();
        chars
            .next()
            .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
    };
    format!(
        "{} {} {}",
        word(i * 7_919 + 13),
        word(i * 104_729 + 7),
        word(i * 1_299_709 + 3)
    )
}

/// `count` entries to add after `list` (ids after its last), the first ones named `names`
/// (persons born 1970, of Greece).
fn added(list: &[ListEntry], seed: u64, count: usize, names: &[String]) -> Vec<ListEntry> {
    let offset = list.len();
    synthetic_entries(count, 1_000 + seed)
        .into_iter()
        .enumerate()
        .filter_map(|(i, mut e)| {
            e.id = compliance_app::domain::ListEntryRef::parse(&format!(
                "SDN-{}",
                10_000 + offset + i
            ))
            .ok()?;
            if let Some(name) = names.get(i) {
                e.names = vec![name.clone()];
                e.schema = compliance_app::screening::EntrySchema::Person;
                e.dates = vec![compliance_app::screening::PartialDate {
                    year: 1970,
                    month: None,
                    day: None,
                }];
                e.countries = vec!["GR".into()];
            }
            Some(e)
        })
        .collect()
}

fn import(compliance: &Compliance, admin: &Caller, entries: &[ListEntry]) -> Result<()> {
    let files: Vec<ListFile> = write_ofac(entries);
    match compliance.import_watchlist(admin, Format::OfacSdnCsv, &files, None)? {
        Imported::New(_) => Ok(()),
        Imported::Existing(_) => anyhow::bail!("the version was imported before"),
    }
}

/// Runs the waiting job to its end at `duty`, in batches of the default size (or
/// `MONITORING_BATCH`, to compare sizes).
pub(super) fn run_job(compliance: &Compliance, duty: u8) -> Result<ScreeningJob> {
    let defaults = MonitorSettings::default();
    let batch = std::env::var("MONITORING_BATCH")
        .ok()
        .and_then(|b| b.parse().ok())
        .unwrap_or(defaults.batch);
    let monitor = compliance.in_process().monitor(MonitorSettings {
        duty_percent: duty,
        batch,
        ..defaults
    });
    monitor
        .run_next(&mut |_| {}, &|| false)?
        .ok_or_else(|| anyhow::anyhow!("no screening job was waiting"))
}

/// `SUBMISSIONS` submissions with a subject, one after another; each one's time.
fn submissions(compliance: &Compliance, agent: &Caller, tag: &str) -> Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(SUBMISSIONS);
    for i in 0..SUBMISSIONS {
        let input: CaseInput = serde_json::from_value(serde_json::json!({
            "kyc": {"entity_id": format!("mon-live-{tag}-{i:04}"), "entity_type": "individual", "jurisdiction": "US",
                    "verification_score": 92, "documents": ["passport", "proof_of_address", "liveness_check"]},
            "subject": {"names": [format!("Quentin Live{i:04} Abernathy")], "birth_year": 1982, "countries": ["US"]}
        }))?;
        let started = Instant::now();
        compliance.submit_input(agent, &input, None)?;
        times.push(started.elapsed());
    }
    Ok(times)
}

/// A job's wall time, from its start to its end (zero while it runs).
pub(super) fn wall(job: &ScreeningJob) -> Duration {
    match (job.started_at, job.finished_at) {
        (Some(s), Some(f)) => (f - s).to_std().unwrap_or_default(),
        _ => Duration::ZERO,
    }
}

fn report(what: &str, job: &ScreeningJob, reference: Duration) {
    let took = wall(job);
    println!("\n{what}:");
    println!("| | time | vs reading the subjects (psql \\copy) |");
    println!("|---|---|---|");
    println!(
        "| the job, wall ({} batches, {} screened, {} matched) | {:.1} s | {:.1}x |",
        job.batches,
        job.screened,
        job.matched,
        took.as_secs_f64(),
        took.as_secs_f64() / reference.as_secs_f64().max(1e-9)
    );
    println!(
        "| of which working (the throttle's pauses left out) | {:.1} s | {:.1}x |",
        job.busy_ms as f64 / 1000.0,
        job.busy_ms as f64 / 1000.0 / reference.as_secs_f64().max(1e-9)
    );
    println!(
        "rate: {:.0} entities/s",
        job.screened as f64 / took.as_secs_f64().max(1e-9)
    );
}

/// The subjects read once in full with `psql \copy` to /dev/null.
fn copy_subjects(config: &DatabaseConfig) -> Result<Duration> {
    let started = Instant::now();
    super::run_quiet(
        Command::new("psql")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(config.connection_url())
            .arg("-c")
            .arg("\\copy (SELECT entity_id, subject, commitment FROM screening_subjects) TO '/dev/null'"),
        "psql \\copy of the subjects",
    )?;
    Ok(started.elapsed())
}

fn count(config: &DatabaseConfig, table: &str) -> Result<i64> {
    let out = Command::new("psql")
        .args(["-X", "-q", "-t", "-A", "-d"])
        .arg(config.connection_url())
        .arg("-c")
        .arg(format!("SELECT count(*) FROM {table}"))
        .output()?;
    ensure!(out.status.success(), "psql could not count {table}");
    Ok(String::from_utf8_lossy(&out.stdout).trim().parse()?)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn met(yes: bool) -> &'static str {
    if yes { "met" } else { "NOT MET" }
}
