//! The pages' templates (askama, `templates/office/*.html`, escaped by default) and the plain
//! view models they show: text already formatted, so that templates only lay it out.
//!
//! Must not: compute a decision or a permission of its own (what a page offers comes from the
//! domain's role table, computed by the handler), or mark any text safe.

use askama::Template;
use chrono::{DateTime, Utc};
use compliance_app::OfficeSession;
use compliance_domain::{Permission, UserId, Username};

/// A timestamp as the back office shows it, in UTC.
pub(super) fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The user's name when the page read it, else their id.
pub(super) fn named(
    usernames: &std::collections::BTreeMap<UserId, Username>,
    user: UserId,
) -> String {
    usernames
        .get(&user)
        .map_or_else(|| user.to_string(), |n| n.as_str().to_owned())
}

/// How long a case has waited since `since`, as of `now`: days and hours, or hours and
/// minutes under a day (never negative).
pub(super) fn waited(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = (now - since).num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1_440, minutes / 60 % 24, minutes % 60);
    if days > 0 {
        format!("{days} d {hours} h")
    } else {
        format!("{hours} h {mins} min")
    }
}

/// The frame of every page: its title and who is signed in.
pub(super) struct Chrome {
    pub title: String,
    pub user: Option<ChromeUser>,
}

/// The signed-in person, as the header shows them (and the sign-out form's token).
pub(super) struct ChromeUser {
    pub username: String,
    pub role: String,
    pub csrf: String,
    /// Whether the navigation links the event endpoints (the role may read deliveries).
    pub reads_deliveries: bool,
}

impl Chrome {
    pub fn new(title: &str, session: Option<&OfficeSession>) -> Self {
        Self {
            title: title.to_owned(),
            user: session.map(|s| ChromeUser {
                username: s.username.as_str().to_owned(),
                role: s.caller.role().to_string().replace('_', " "),
                csrf: s.csrf.clone(),
                reads_deliveries: s.caller.role().may(Permission::ReadDeliveries),
            }),
        }
    }
}

/// A choice of a `<select>`.
pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    /// "Any" and then each of `values`, the one equal to `current` selected.
    pub fn list(values: &[&str], current: Option<&str>) -> Vec<Choice> {
        std::iter::once(("", "any"))
            .chain(values.iter().map(|v| (*v, *v)))
            .map(|(value, label)| Choice {
                value: value.to_owned(),
                label: label.to_owned(),
                selected: current.unwrap_or("") == value,
            })
            .collect()
    }
}

/// A notice at the top of a page.
pub(super) struct Notice {
    /// `ok` or `error` (a CSS class).
    pub kind: &'static str,
    pub text: String,
}

#[derive(Template)]
#[template(path = "office/error.html")]
pub(super) struct ErrorPage {
    pub chrome: Chrome,
    pub status: u16,
    pub title: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "office/sign_in.html")]
pub(super) struct SignInPage {
    pub chrome: Chrome,
    pub csrf: String,
    pub next: String,
    pub username: String,
    pub notice: Option<Notice>,
}

/// A row of the queue.
pub(super) struct QueueRow {
    pub href: String,
    pub entity_id: String,
    pub jurisdiction: String,
    pub status: String,
    pub engine_status: String,
    pub engine_stricter: bool,
    pub risk_level: String,
    pub risk_score: u8,
    pub matches: String,
    pub proposed_by: Option<String>,
    pub opened: String,
    pub assignee: Option<String>,
    /// How long it has waited in its status.
    pub waited: String,
    /// When that wait reaches its service level, if one applies.
    pub due: Option<String>,
    pub overdue: bool,
    /// "on the customer for 2 d 3 h" while a request for information is open.
    pub on_customer: Option<String>,
}

#[derive(Template)]
#[template(path = "office/queue.html")]
pub(super) struct QueuePage {
    pub chrome: Chrome,
    pub jurisdictions: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub risk_levels: Vec<Choice>,
    pub assignees: Vec<Choice>,
    pub overdue_only: bool,
    pub rows: Vec<QueueRow>,
    pub next_href: Option<String>,
    pub first_href: Option<String>,
}

/// Who works a case, how long it has waited, and the assignment buttons the signed-in person is
/// offered (from the role table; the service decides).
pub(super) struct AssignmentView {
    /// Why no claim or release is offered, when none is.
    pub absent: Option<String>,
    pub assignee: Option<String>,
    /// "PENDING for 3 d 4 h".
    pub waited: String,
    /// When the wait reaches its service level, if one applies.
    pub due: Option<String>,
    pub overdue: bool,
    /// "Claim" or "Take over" when offered.
    pub claim: Option<&'static str>,
    pub release: bool,
    /// The reviewers the case may be assigned to (empty: no assignment form).
    pub assign_to: Vec<Choice>,
}

/// A rule version applied to a case, and what it checks in words.
pub(super) struct RuleAppliedView {
    pub rule: String,
    pub version: String,
    pub kind: String,
    pub description: String,
    pub parameters: Vec<String>,
}

/// One reason of the engine's decision.
pub(super) struct ReasonView {
    pub rule: String,
    pub version: String,
    pub regulation: String,
    pub stage: String,
    pub outcome: String,
    pub explanation: String,
}

/// One matched list entry of the current screening, and what may be done about it.
pub(super) struct MatchView {
    pub kind: String,
    pub list: String,
    pub entry: String,
    /// "proposed as a false positive by X", "confirmed as a false positive by X and Y", or empty.
    pub disposition: String,
    /// The button's label when the signed-in person may act on it now.
    pub action: Option<String>,
    /// Why it matched, feature by feature, when this service screened and the explanation is
    /// kept.
    pub explained: Option<ExplainedView>,
}

/// A match explained: the subject's name beside the list's, the score and band, then each
/// feature's part of the score.
pub(super) struct ExplainedView {
    /// The subject's name that met the list's, or why it is not shown.
    pub subject_name: String,
    pub list_name: String,
    pub score: String,
    pub band: String,
    pub features: Vec<FeatureView>,
}

/// One feature's part of a match's score.
pub(super) struct FeatureView {
    /// In words, e.g. "Date of birth".
    pub name: String,
    /// Signed, as a decimal of the score, e.g. "+0.03" or "-0.15".
    pub contribution: String,
    /// What was compared, or why it is not shown.
    pub detail: String,
}

/// One screening.
pub(super) struct ScreeningView {
    pub screened_at: String,
    pub provider: String,
    pub watchlist_version: String,
    pub risk_score: u8,
    pub risk_level: String,
    pub current: bool,
    pub matches: Vec<MatchView>,
    /// When this service screened: the list versions it ran against, e.g. "OFAC-SDN@..., UN-...".
    pub screened_against: Option<String>,
    /// When the subject screened was erased: "erased on 2031-01-02" (its explanation went with
    /// it).
    pub erased: Option<String>,
    /// Explained matches whose subject's names (and features' details) this person may not
    /// see: the page says who may.
    pub subject_hidden: bool,
    /// Why its matches are not explained feature by feature, when they are not.
    pub unexplained: Option<String>,
}

/// One audit entry, with the chain's verdict.
pub(super) struct AuditView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub change: String,
    pub chain: String,
    pub intact: bool,
    pub verdict: String,
}

/// One reviewer's note.
pub(super) struct NoteView {
    pub at: String,
    pub author: String,
    pub text: String,
}

/// One request for information, as the page shows it.
pub(super) struct RequestView {
    pub id: String,
    /// "the investor", "their representative", "the introducer".
    pub addressee: &'static str,
    /// "identity document, source of funds".
    pub items: String,
    pub asked: String,
    pub asked_by: String,
    /// The words sent with it, if any ("(erased)" once erased).
    pub message: Option<String>,
    pub respond_by: String,
    /// "waiting on the customer for 3 d 4 h" or "answered 2026-12-07 10:00 UTC by analyst".
    pub state: String,
    /// Past its answer-by date and still open.
    pub late: bool,
    pub open: bool,
    /// The closer's words, if any.
    pub closing_note: Option<String>,
}

/// The section: notes and requests.
pub(super) struct RequestsView {
    pub notes: Vec<NoteView>,
    /// Why the note form is absent, or `None` when it is offered.
    pub note_refused: Option<&'static str>,
    pub requests: Vec<RequestView>,
    /// The open request's answer and withdrawal buttons.
    pub may_answer: bool,
    pub may_withdraw: bool,
    /// The form to ask (offered when nothing is open, the case waits for a review, and the
    /// role may); `None` with `request_refused` saying why.
    pub ask: Option<AskView>,
    pub request_refused: Option<String>,
}

/// The choices of the request form.
pub(super) struct AskView {
    pub addressees: Vec<Choice>,
    pub items: Vec<Choice>,
}

/// The decision forms the signed-in person is offered.
pub(super) struct DecideView {
    /// The approve button's label ("Approve", "Propose approval", "Confirm approval",
    /// "Propose a waiver", "Confirm the waiver"), if any.
    pub approve: Option<String>,
    /// What the approve button sends: `approve`, or `waive` for a waiver of missing evidence.
    pub approve_verdict: &'static str,
    /// The reject button's label, if any.
    pub reject: Option<String>,
    /// A word on four eyes, if it applies.
    pub hint: Option<String>,
}

/// One rule version in force.
pub(super) struct RuleView {
    pub code: String,
    pub version: String,
    pub regulation: String,
    pub description: String,
    pub effective_from: String,
    pub effective_to: String,
    /// Its parameters in words, one line each.
    pub parameters: Vec<String>,
}

#[derive(Template)]
#[template(path = "office/rules.html")]
pub(super) struct RulesPage {
    pub chrome: Chrome,
    pub jurisdictions: Vec<Choice>,
    pub jurisdiction: String,
    pub at: String,
    pub rules: Vec<RuleView>,
}

/// One endpoint, as the list and its own page show it.
pub(super) struct EndpointView {
    pub href: String,
    pub description: String,
    pub kind: String,
    pub url: String,
    pub active: bool,
    /// "all" or the types, comma-separated.
    pub event_types: String,
    pub pending: i64,
    pub sending: i64,
    pub delivered: i64,
    pub failed: i64,
    /// Failed attempts in a row.
    pub failures_in_a_row: i32,
    /// "closed", or "paused until ..." while its circuit holds deliveries back.
    pub circuit: String,
    pub paused: bool,
}

#[derive(Template)]
#[template(path = "office/endpoints.html")]
pub(super) struct EndpointsPage {
    pub chrome: Chrome,
    pub endpoints: Vec<EndpointView>,
}

/// One attempt of a delivery.
pub(super) struct AttemptView {
    pub at: String,
    pub delivered: bool,
    /// The HTTP status, or "no answer".
    pub status: String,
    /// e.g. "12 ms".
    pub latency: String,
    pub error: String,
}

/// One delivery, with its attempts.
pub(super) struct DeliveryView {
    pub id: i64,
    pub event_id: String,
    pub entity_id: String,
    pub sequence: i64,
    pub state: String,
    pub created: String,
    /// When delivered, when replayed, or when the next attempt is due.
    pub when: String,
    pub attempts: Vec<AttemptView>,
}

#[derive(Template)]
#[template(path = "office/endpoint.html")]
pub(super) struct EndpointPage {
    pub chrome: Chrome,
    pub notice: Option<Notice>,
    pub endpoint: EndpointView,
    pub id: String,
    pub revision: i32,
    pub created: String,
    pub updated: String,
    /// "until ..." while the secret before the last rotation still signs.
    pub previous_secret: Option<String>,
    pub failed: Vec<DeliveryView>,
    pub recent: Vec<DeliveryView>,
    /// Whether the signed-in person may replay (admins): the replay buttons.
    pub may_replay: bool,
    pub csrf: String,
}
