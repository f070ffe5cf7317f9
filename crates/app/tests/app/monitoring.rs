//! Ongoing monitoring (issue 19): every imported list version starts a job that screens the whole
//! base against what it added or changed. Stories: designated after approval (the case is
//! re-screened into a rejection, nobody else gets a new screening), delisted (the entity is
//! flagged, its case left as it is), and a restart in the middle of a job (no entity screened
//! twice or skipped, the root over exactly the entities screened).

use crate::support::*;
use compliance_app::{AppError, Monitor, MonitorSettings, ScreeningJob};
use compliance_domain::*;
use std::cell::Cell;
use std::time::Duration;

fn monitor(s: &Seeded, batch: u16) -> Monitor {
    s.compliance.in_process().monitor(MonitorSettings {
        batch,
        lease: Duration::from_secs(1),
        duty_percent: 100,
        ..MonitorSettings::default()
    })
}

/// Runs every free job to its end; answers the last one.
fn run_all(m: &Monitor) -> ScreeningJob {
    let mut last = None;
    while let Some(job) = m.run_next(&mut |_| {}, &|| false).unwrap() {
        last = Some(job);
    }
    last.expect("a job was waiting")
}

/// Submits the four investors of [`SUBJECTS`], each screened here.
fn submit_subjects(s: &Seeded) {
    for (entity, name, birth, country) in SUBJECTS {
        s.compliance
            .submit_input(
                &s.agent(),
                &screened_case(entity, name, birth, country),
                None,
            )
            .unwrap();
    }
}

const SUBJECTS: [(&str, &str, u16, &str); 4] = [
    ("ae-ind-monitor-001", "Maria Garcia Lopez", 1980, "ES"),
    ("ae-ind-monitor-002", "Yusuf Karim HADDAD", 1970, "LB"),
    ("ae-ind-monitor-003", "Chen Wei Ming", 1975, "SG"),
    ("ae-ind-monitor-004", "Anna Schmidt", 1990, "DE"),
];

#[test]
fn a_new_version_re_screens_the_base_and_a_removal_flags_without_relaxing() {
    let s = seeded();
    let first = import_ofac_without(&s, &["41003"]);
    let m = monitor(&s, 2);
    // The first version's job screens no one: nobody has a subject yet.
    let job = run_all(&m);
    assert_eq!(
        (job.version_id, job.state.as_str(), job.screened),
        (first, "done", 0)
    );
    let agent = s.agent();
    for (entity, name, birth, country) in SUBJECTS {
        let case = s
            .compliance
            .submit_input(&agent, &screened_case(entity, name, birth, country), None)
            .unwrap();
        assert_eq!(
            case.case.status,
            CheckStatus::Approved,
            "{entity}: {:?}",
            case.case.reasons
        );
    }
    let mut conn = s.db.conn();
    let screenings_before = count(&mut conn, "SELECT count(*) AS n FROM aml_checks");

    // HADDAD is designated in the next version: his approval is re-screened into a rejection.
    let second = import_ofac_without(&s, &[]);
    let job = run_all(&m);
    assert_eq!(job.version_id, second);
    assert_eq!((job.added, job.removed), (1, 0));
    assert_eq!(
        (
            job.screened,
            job.matched,
            job.rescreened,
            job.rejected,
            job.delisted,
            job.batches
        ),
        (4, 1, 1, 1, 0, 2)
    );
    let haddad = stored(&s, "ae-ind-monitor-002");
    assert_eq!(haddad.status, CheckStatus::Rejected);
    for (entity, ..) in [SUBJECTS[0], SUBJECTS[2], SUBJECTS[3]] {
        assert_eq!(stored(&s, entity).status, CheckStatus::Approved, "{entity}");
    }
    // One new screening, his; nobody else's.
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM aml_checks"),
        screenings_before + 1
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM events WHERE entity_id = 'ae-ind-monitor-002' AND event_type = 'case.status_changed'"
        ),
        1
    );
    // The job's completion, with its root, is in the chain; its leaves are its members.
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM audit_logs WHERE action = 'screening_job_completed'
                   AND subject_id = '{}' AND details ->> 'root' = '{}' AND (details ->> 'size')::int = 4",
                job.id,
                job.root.clone().unwrap()
            )
        ),
        1
    );

    // The next version removes him (and another entry): he is flagged, his case is not
    // relaxed.
    let third = import_ofac_without(&s, &["41003", "41005"]);
    let job = run_all(&m);
    assert_eq!(job.version_id, third);
    assert_eq!(
        (
            job.added,
            job.removed,
            job.screened,
            job.matched,
            job.delisted
        ),
        (0, 2, 4, 0, 1)
    );
    assert_eq!(
        stored(&s, "ae-ind-monitor-002").status,
        CheckStatus::Rejected
    );
    let flags = s.compliance.screening_flags(&s.officer(), job.id).unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(
        (flags[0].entity_id.as_str(), flags[0].entry.as_str()),
        ("ae-ind-monitor-002", "SDN-41003")
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM events WHERE entity_id = 'ae-ind-monitor-002' AND event_type = 'case.delisting_flagged'"
        ),
        1
    );
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM aml_checks"),
        screenings_before + 1
    );
    // The flag waits for a compliance officer or admin; an analyst may not review it, and an
    // entry it does not name is not found.
    assert_eq!(flags[0].reviewed, None);
    let entity = entity("ae-ind-monitor-002");
    let conclusion =
        reason("Delisting confirmed on OFAC's notice; the rejection rests on other grounds.");
    let analyst = s
        .compliance
        .review_flag(&s.analyst(), job.id, &entity, "SDN-41003", &conclusion)
        .unwrap_err();
    assert!(matches!(analyst, AppError::Forbidden { .. }), "{analyst}");
    let unknown = s
        .compliance
        .review_flag(&s.officer(), job.id, &entity, "SDN-00000", &conclusion)
        .unwrap_err();
    assert!(matches!(unknown, AppError::NotFound { .. }), "{unknown}");
    let revision = stored(&s, "ae-ind-monitor-002").revision;
    s.compliance
        .review_flag(&s.officer(), job.id, &entity, "SDN-41003", &conclusion)
        .unwrap();
    let flags = s.compliance.screening_flags(&s.analyst(), job.id).unwrap();
    assert_eq!(
        flags[0].reviewed.map(|(by, _)| by),
        Some(s.users.officer.id)
    );
    assert_eq!(
        stored(&s, "ae-ind-monitor-002").revision,
        revision,
        "the case is unchanged"
    );
    let again = s
        .compliance
        .review_flag(&s.admin(), job.id, &entity, "SDN-41003", &conclusion)
        .unwrap_err();
    assert!(matches!(again, AppError::Conflict { .. }), "{again}");
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM audit_logs WHERE action = 'delisting_reviewed' AND entity_id = 'ae-ind-monitor-002'"
        ),
        1
    );
    // The database says it again: a review by an analyst, of a flag's other case, or without its
    // audit entry is refused; a review is never changed.
    let review = |who: &str| {
        format!(
            "INSERT INTO screening_flag_reviews (job_id, entity_id, entry_ref, compliance_check_id, reviewed_by, note_id)
             SELECT f.job_id, f.entity_id, f.entry_ref, f.compliance_check_id, {who}, r.note_id
               FROM screening_flags f JOIN screening_flag_reviews r USING (job_id, entity_id, entry_ref)"
        )
    };
    for (sql, refused_by) in [
        (
            review(&format!("'{}'", s.users.analyst.id.as_uuid())),
            "screening_flag_reviews_reviewer",
        ),
        (review("r.reviewed_by"), "screening_flag_reviews_pkey"),
        (
            "UPDATE screening_flag_reviews SET reviewed_at = now()".to_owned(),
            "screening_flag_reviews_append_only",
        ),
    ] {
        let error = try_exec(&mut conn, &sql).expect_err(&sql);
        assert!(error.contains(refused_by), "{sql}: {error}");
    }
    // Every version has its job, newest first.
    let jobs = s.compliance.screening_jobs(&s.admin(), 10).unwrap();
    assert_eq!(
        jobs.iter().map(|j| j.version_id).collect::<Vec<_>>(),
        vec![third, second, first]
    );
}

#[test]
fn a_job_stopped_in_the_middle_resumes_at_its_cursor_and_screens_each_entity_once() {
    let s = seeded();
    import_ofac_without(&s, &["41003"]);
    let m = monitor(&s, 1);
    run_all(&m);
    submit_subjects(&s);
    import_ofac_without(&s, &[]);
    // Stop after the first batch: the job stays at its cursor, leased for a second.
    let batches = Cell::new(0);
    let stopped = m
        .run_next(&mut |_| batches.set(batches.get() + 1), &|| {
            batches.get() >= 1
        })
        .unwrap()
        .unwrap();
    assert_eq!(
        (stopped.state.as_str(), stopped.screened, stopped.batches),
        ("running", 1, 1)
    );
    // While its lease holds, no other monitor takes it.
    let other = monitor(&s, 1);
    assert!(other.run_next(&mut |_| {}, &|| false).unwrap().is_none());
    std::thread::sleep(Duration::from_millis(1_100));
    let done = other.run_next(&mut |_| {}, &|| false).unwrap().unwrap();
    assert_eq!(done.id, stopped.id);
    assert_eq!(
        (
            done.state.as_str(),
            done.screened,
            done.batches,
            done.matched
        ),
        ("done", 4, 4, 1)
    );
    let mut conn = s.db.conn();
    // Each entity once, in order, and the leaves are exactly the members.
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(DISTINCT m ->> 0) AS n FROM screening_job_batches b, jsonb_array_elements(b.members) m
                  WHERE b.job_id = '{}'",
                done.id
            )
        ),
        4
    );
    // Nothing in a finished job changes.
    let refused = compliance_persistence::diesel::RunQueryDsl::execute(
        compliance_persistence::diesel::sql_query(format!(
            "UPDATE screening_jobs SET screened = screened + 1 WHERE id = '{}'",
            done.id
        )),
        &mut conn,
    );
    assert!(refused.is_err());
}

#[test]
fn a_changed_subject_is_screened_at_once_and_its_case_re_screened() {
    let s = seeded();
    import_ofac_without(&s, &[]);
    let agent = s.agent();
    let entity = "ae-ind-monitor-renamed";
    s.compliance
        .submit_input(
            &agent,
            &screened_case(entity, "Maria Garcia Lopez", 1980, "ES"),
            None,
        )
        .unwrap();
    let id = EntityId::parse(entity).unwrap();
    let mut conn = s.db.conn();
    let screenings = count(&mut conn, "SELECT count(*) AS n FROM aml_checks");
    // The same subject again is no new revision and no new screening.
    let same: compliance_domain::input::SubjectInput = serde_json::from_value(
        serde_json::json!({"names": ["Maria Garcia Lopez"], "birth_year": 1980, "countries": ["ES"]}),
    )
    .unwrap();
    s.compliance
        .record_subject(&agent, &id, &same.parse().unwrap())
        .unwrap();
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM aml_checks"),
        screenings
    );
    // A changed one (now a listed name) is screened here, and the engine moves the case.
    let changed: compliance_domain::input::SubjectInput = serde_json::from_value(
        serde_json::json!({"names": ["Yusuf Karim HADDAD"], "birth_year": 1970, "countries": ["LB"]}),
    )
    .unwrap();
    let revision = s
        .compliance
        .record_subject(&agent, &id, &changed.parse().unwrap())
        .unwrap();
    assert_eq!(revision.revision, 2);
    assert_eq!(stored(&s, entity).status, CheckStatus::Rejected);
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM aml_checks"),
        screenings + 1
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM screening_explanations e JOIN screening_subjects s ON s.id = e.subject_id
              WHERE s.entity_id = 'ae-ind-monitor-renamed' AND s.revision = 2"
        ),
        1
    );
}

#[test]
fn a_lists_first_version_screens_the_base_against_all_of_it() {
    let s = seeded();
    submit_subjects(&s);
    import_ofac_without(&s, &[]);
    let job = run_all(&monitor(&s, 3));
    assert_eq!(job.previous_version_id, None);
    assert_eq!((job.added, job.removed), (32, 0));
    assert_eq!((job.screened, job.matched, job.rejected), (4, 1, 1));
    assert_eq!(
        stored(&s, "ae-ind-monitor-002").status,
        CheckStatus::Rejected
    );
}
