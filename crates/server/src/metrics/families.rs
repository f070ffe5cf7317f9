//! The in-process families: HTTP requests and their latency, and the cases this process
//! submitted, decided and re-screened, counted after each write committed (the answer of the
//! `Compliance` call that wrote it), kept in one [`Metrics`] registry per served app.
//!
//! Must not: take a label from a request's content (an id, a name, an amount): labels are
//! routes as declared, methods, statuses, jurisdictions and outcomes, each from a short list.

use compliance_app::records::{
    CaseRecord, RescreenOutcome, ReviewOutcome, ReviewStepTaken, Submission,
};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use std::sync::Arc;

/// The upper bounds of the request latency buckets, in seconds: 1 ms to 10 s (the API's
/// targets are a few milliseconds; a slow page or a timeout lands in the top buckets).
const LATENCY_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// An HTTP request's labels.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct RequestLabels {
    /// The route as declared (`/api/v1/cases/{id}`), or `<unmatched>`.
    pub(super) route: String,
    /// The method, or `OTHER` for one the service does not serve.
    pub(super) method: &'static str,
    /// The status code.
    pub(super) status: u16,
}

/// A case's labels: its jurisdiction and the status it was left in.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CaseLabels {
    jurisdiction: String,
    outcome: String,
}

impl From<&CaseRecord> for CaseLabels {
    fn from(case: &CaseRecord) -> Self {
        Self {
            jurisdiction: case.jurisdiction.to_string(),
            outcome: case.status.to_string(),
        }
    }
}

/// The service's metrics: the registry of the in-process families, shared by the API's
/// routers (which count) and the metrics listener (which encodes). Cheap to clone.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram, fn() -> Histogram>,
    submissions: Family<CaseLabels, Counter>,
    decisions: Family<CaseLabels, Counter>,
    rescreenings: Family<CaseLabels, Counter>,
    scrape_errors: Counter,
}

/// Counts `case` in `family` when `wrote` (the call wrote it).
fn count(family: &Family<CaseLabels, Counter>, case: &CaseRecord, wrote: bool) {
    if wrote {
        family.get_or_create(&CaseLabels::from(case)).inc();
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A registry with every in-process family, all at zero.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "compliance_http_requests",
            "HTTP requests answered, by route, method and status",
            requests.clone(),
        );
        let latency: Family<RequestLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS));
        registry.register_with_unit(
            "compliance_http_request_duration",
            "Time from a request's arrival to its answer's headers, by route, method and status",
            Unit::Seconds,
            latency.clone(),
        );
        let submissions = Family::<CaseLabels, Counter>::default();
        registry.register(
            "compliance_submissions",
            "New cases submitted through this process, by jurisdiction and the engine's outcome",
            submissions.clone(),
        );
        let decisions = Family::<CaseLabels, Counter>::default();
        registry.register(
            "compliance_decisions",
            "Reviewers' decisions that changed a case's status, through this process, by jurisdiction and the status decided",
            decisions.clone(),
        );
        let rescreenings = Family::<CaseLabels, Counter>::default();
        registry.register(
            "compliance_rescreenings",
            "Re-screenings submitted through this process's API, by jurisdiction and the case's status after",
            rescreenings.clone(),
        );
        let scrape_errors = Counter::default();
        registry.register(
            "compliance_metrics_scrape_errors",
            "Scrapes whose database read failed (they answered the in-process families only)",
            scrape_errors.clone(),
        );
        Self(Arc::new(Inner {
            registry,
            requests,
            latency,
            submissions,
            decisions,
            rescreenings,
            scrape_errors,
        }))
    }

    /// One answered request.
    pub(super) fn request(&self, labels: &RequestLabels, seconds: f64) {
        self.0.requests.get_or_create(labels).inc();
        self.0.latency.get_or_create(labels).observe(seconds);
    }

    /// A submission's answer: a new case counts, a replay (nothing written) does not.
    pub fn submitted(&self, submission: &Submission) {
        count(&self.0.submissions, &submission.case, !submission.replayed);
    }

    /// A review's answer: a decision counts; a proposal (the first of four eyes) does not.
    pub fn reviewed(&self, outcome: &ReviewOutcome) {
        let decided = outcome.outcome == ReviewStepTaken::Decided;
        count(&self.0.decisions, &outcome.case, decided);
    }

    /// A re-screening's answer: a new screening counts, a retry does not.
    pub fn rescreened(&self, outcome: &RescreenOutcome) {
        count(&self.0.rescreenings, &outcome.case, !outcome.replayed);
    }

    /// A scrape whose database read failed.
    pub(super) fn scrape_failed(&self) {
        self.0.scrape_errors.inc();
    }

    /// The in-process families, in the text format, without the closing `# EOF`.
    pub(super) fn encode(&self, out: &mut String) -> std::fmt::Result {
        prometheus_client::encoding::text::encode_registry(out, &self.0.registry)
    }
}
