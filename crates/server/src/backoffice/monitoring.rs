//! Ongoing monitoring (issue 19): `GET /office/monitoring` shows each list version's screening
//! job, newest first: its state and progress, how many entities it screened, matched,
//! re-screened into an escalation or a rejection, flagged, and how long it took; under a job
//! that flagged entities, each of them with a link to its case. Any signed-in role that reads
//! watchlists sees the numbers; the flags (entity and case ids) go to roles that read cases.
//!
//! A compliance officer or admin reviews a flag from here (`POST
//! /office/monitoring/{job}/flags/review`, with what they concluded): the flag shows as reviewed;
//! the case is unchanged.
//!
//! Must not: show a subject or a name (the records carry none), or change anything else: jobs
//! run in the service's monitor.

use super::pages::{app_error_page, render};
use super::session::Officer;
use super::views::{Chrome, when};
use super::{Office, PREFIX};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use compliance_app::{ScreeningFlag, ScreeningJob};
use compliance_domain::Permission;

/// Jobs shown, newest first.
const JOBS_SHOWN: u16 = 50;

/// One job as a row.
pub(super) struct JobView {
    pub list: String,
    pub version: String,
    pub state: String,
    pub running: bool,
    pub added: i32,
    pub removed: i32,
    pub screened: i64,
    pub matched: i64,
    pub rescreened: i64,
    pub escalated: i64,
    pub rejected: i64,
    pub delisted: i64,
    /// "2 of 1,200 (3 transactions flagged)", once done.
    pub wallets: String,
    pub imported: String,
    /// "12.4 s (3.1 s working)", or what it waits for.
    pub took: String,
    pub flags: Vec<FlagView>,
}

/// One flagged entity.
pub(super) struct FlagView {
    pub job: String,
    pub entity_id: String,
    pub case_href: String,
    /// The list and the entry, for reading.
    pub entry: String,
    /// The entry as the flag names it, for the review form.
    pub entry_ref: String,
    pub at: String,
    /// "reviewed 2026-12-07 10:00 UTC" once reviewed.
    pub reviewed: Option<String>,
}

#[derive(Template)]
#[template(path = "office/monitoring.html")]
pub(super) struct MonitoringPage {
    pub chrome: Chrome,
    pub jobs: Vec<JobView>,
    /// The signed-in person may review flags (compliance officers and admins).
    pub may_review: bool,
    pub csrf: String,
}

/// Milliseconds as seconds with one decimal (`12.4 s`).
fn seconds(ms: i64) -> String {
    let ms = ms.max(0);
    format!("{}.{} s", ms / 1000, ms % 1000 / 100)
}

fn job_view(job: ScreeningJob, flags: Vec<ScreeningFlag>) -> JobView {
    let job_id = job.id.to_string();
    let took = match (job.started_at, job.finished_at) {
        (Some(s), Some(f)) => format!(
            "{} ({} working)",
            seconds((f - s).num_milliseconds()),
            seconds(job.busy_ms)
        ),
        (Some(s), None) => format!("running since {}", when(s)),
        _ => "waiting for a monitor".to_owned(),
    };
    let wallets = if job.state == "done" {
        format!(
            "{} of {} ({} transactions flagged)",
            job.counterparty_hits, job.counterparties, job.transactions_flagged
        )
    } else {
        "when the base is done".to_owned()
    };
    JobView {
        wallets,
        running: job.state == "running",
        version: job.version_id.to_string(),
        list: job.list,
        state: job.state,
        added: job.added,
        removed: job.removed,
        screened: job.screened,
        matched: job.matched,
        rescreened: job.rescreened,
        escalated: job.escalated,
        rejected: job.rejected,
        delisted: job.delisted,
        imported: when(job.created_at),
        took,
        flags: flags
            .into_iter()
            .map(|f| FlagView {
                job: job_id.clone(),
                case_href: format!("{PREFIX}/cases/{}", f.case_id),
                entity_id: f.entity_id,
                entry: format!("{} {}", f.list, f.entry),
                entry_ref: f.entry,
                at: when(f.flagged_at),
                reviewed: f.reviewed.map(|(_, at)| format!("reviewed {}", when(at))),
            })
            .collect(),
    }
}

/// `GET /office/monitoring`.
pub(super) async fn page(State(office): State<Office>, officer: Officer) -> Response {
    let session = &officer.session;
    let caller = session.caller;
    let loaded = office
        .compliance
        .call(move |c| {
            let jobs = c.screening_jobs(&caller, JOBS_SHOWN)?;
            let reads_cases = caller.may(Permission::ReadCases);
            jobs.into_iter()
                .map(|job| {
                    let flags = if reads_cases && job.delisted > 0 {
                        c.screening_flags(&caller, job.id)?
                    } else {
                        Vec::new()
                    };
                    Ok(job_view(job, flags))
                })
                .collect::<compliance_app::Result<Vec<_>>>()
        })
        .await;
    match loaded {
        Ok(jobs) => render(
            StatusCode::OK,
            &MonitoringPage {
                chrome: Chrome::new("Ongoing monitoring", Some(session)),
                jobs,
                may_review: caller.may(Permission::ClearMatches),
                csrf: session.csrf.clone(),
            },
        ),
        Err(e) => app_error_page(Some(session), &e),
    }
}

/// The flag review form.
#[derive(serde::Deserialize)]
pub(super) struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    entity: String,
    #[serde(default)]
    entry: String,
    #[serde(default)]
    conclusion: String,
}

/// `POST /office/monitoring/{job}/flags/review`: back to the monitoring page once reviewed; a
/// refusal is its error page (nothing recorded).
pub(super) async fn review_flag(
    State(office): State<Office>,
    officer: Officer,
    axum::extract::Path(job): axum::extract::Path<String>,
    super::pages::Posted(form): super::pages::Posted<ReviewForm>,
) -> Response {
    use axum::response::IntoResponse;
    use compliance_app::AppError;
    use compliance_domain::input::InputError;
    if let Some(refusal) = officer.csrf_refusal(&form.csrf) {
        return refusal;
    }
    let session = &officer.session;
    let parsed = (|| {
        let job = job
            .parse::<uuid::Uuid>()
            .map_err(|_| AppError::Input(InputError::field("job", "not a job id")))?;
        let entity = compliance_domain::EntityId::parse(&form.entity)
            .map_err(|e| AppError::Input(InputError::field("entity", e)))?;
        let conclusion = compliance_domain::ReviewReason::parse(&form.conclusion)
            .map_err(|e| AppError::Input(InputError::field("conclusion", e)))?;
        Ok::<_, AppError>((job, entity, conclusion))
    })();
    let (job, entity, conclusion) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return app_error_page(Some(session), &e),
    };
    let caller = session.caller;
    let entry = form.entry;
    match office
        .compliance
        .call(move |c| c.review_flag(&caller, job, &entity, &entry, &conclusion))
        .await
    {
        Ok(()) => (
            StatusCode::SEE_OTHER,
            [(axum::http::header::LOCATION, format!("{PREFIX}/monitoring"))],
        )
            .into_response(),
        Err(e) => app_error_page(Some(session), &e),
    }
}
