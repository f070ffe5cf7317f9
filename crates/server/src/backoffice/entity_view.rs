//! The entity page's and the search page's view models: an entity's cases over time, its
//! screenings, its audit history a page at a time, its wallets' flags, its recorded beneficial
//! owners (or what it owns) with their current cases; and what a search found, or why it found
//! nothing.
//!
//! Must not: decide what the signed-in person may see (the service gave only that), or format
//! anything the template could show unescaped.

use super::case_view::audit_views;
use super::views::{AuditView, Chrome, Notice, named, when};
use super::{PREFIX, session::encode};
use askama::Template;
use compliance_app::records::{CurrentCase, OwnerRecord};
use compliance_app::{EntityOverview, NameMatch, OfficeSession};
use compliance_domain::{EntityId, EntityType, Permission, UserId};

/// One case of the entity.
pub(super) struct EntityCaseRow {
    pub href: String,
    pub sequence: i32,
    pub jurisdiction: String,
    pub status: String,
    pub engine_status: String,
    pub risk_level: String,
    pub risk_score: u8,
    pub opened: String,
    pub decided: String,
    pub decided_by: String,
    pub assignee: Option<String>,
    pub current: bool,
}

/// One screening of one of its cases.
pub(super) struct EntityScreeningRow {
    pub at: String,
    pub case_href: String,
    pub case_sequence: i32,
    pub provider: String,
    pub versions: String,
    pub risk_level: String,
    pub risk_score: u8,
    /// "sanctions OFAC-SDN 12345; pep ..." or "none".
    pub matches: String,
    /// Whether its case's decision rests on it now, or a later screening replaced it.
    pub outcome: String,
}

/// A flagged transaction of a watched wallet.
pub(super) struct FlaggedRow {
    pub at: String,
    pub tx_hash: String,
    pub direction: String,
    pub status: String,
}

/// A recorded owner (on a corporate's or a fund's page) or an entity owned (on an owner's).
pub(super) struct OwnerRow {
    /// The other side's entity page.
    pub href: String,
    pub entity_id: String,
    /// "12.5" (percent).
    pub share: String,
    /// The other side's current case's page, when it has one.
    pub case_href: Option<String>,
    /// "PENDING, high risk", or "no case yet".
    pub case: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// A watched wallet.
pub(super) struct WalletRow {
    pub chain: String,
    pub address: String,
    pub watch: String,
    pub active: bool,
    pub flagged: Vec<FlaggedRow>,
}

#[derive(Template)]
#[template(path = "office/entity.html")]
pub(super) struct EntityPage {
    pub chrome: Chrome,
    pub entity_id: String,
    pub entity_type: String,
    pub current_href: String,
    pub current_status: String,
    pub cases: Vec<EntityCaseRow>,
    pub screenings: Vec<EntityScreeningRow>,
    pub audit: Vec<AuditView>,
    pub chain_intact: bool,
    /// The next (older, or newer when reading oldest first) page of the audit history.
    pub audit_next_href: Option<String>,
    /// The first page, when this is not it.
    pub audit_first_href: Option<String>,
    pub audit_oldest_first: bool,
    pub wallets: Vec<WalletRow>,
    /// Whether its KYC verified the declaration of its beneficial owners, for a corporate or a
    /// fund (`None` for an individual, whose page lists no owners).
    pub declared: Option<String>,
    /// Its recorded beneficial owners.
    pub owners: Vec<OwnerRow>,
    /// The entities it is recorded as owning.
    pub owns: Vec<OwnerRow>,
}

/// The entity page for `o` as `me` sees it; `after` and `oldest_first` are the audit page read.
pub(super) fn entity_page(
    o: &EntityOverview,
    me: &OfficeSession,
    after: Option<i64>,
    oldest_first: bool,
) -> EntityPage {
    let name = |u| named(&o.usernames, u);
    let current_id = o.cases.last().map(|c| c.id);
    let cases: Vec<EntityCaseRow> = o
        .cases
        .iter()
        .rev()
        .map(|c| EntityCaseRow {
            href: format!("{PREFIX}/cases/{}", c.id),
            sequence: c.sequence,
            jurisdiction: c.jurisdiction.to_string(),
            status: c.status.to_string(),
            engine_status: c.engine_status.to_string(),
            risk_level: c.risk_level.to_string(),
            risk_score: c.risk_score.value(),
            opened: when(c.created_at),
            decided: when(c.decided_at),
            decided_by: name(c.decided_by),
            assignee: c.assigned_to.map(name),
            current: Some(c.id) == current_id,
        })
        .collect();
    let screenings = o
        .screenings
        .iter()
        .map(|s| {
            let matches: Vec<String> = s
                .screening
                .matches
                .iter()
                .map(|m| format!("{} {} {}", m.kind, m.list, m.entry))
                .collect();
            EntityScreeningRow {
                at: when(s.screened_at),
                case_href: format!("{PREFIX}/cases/{}", s.case_id),
                case_sequence: s.case_sequence,
                provider: s.screening.provider.to_string(),
                versions: s.screening.watchlist_version.to_string(),
                risk_level: s.screening.risk_level().to_string(),
                risk_score: s.screening.risk_score.value(),
                matches: if matches.is_empty() {
                    "none".to_owned()
                } else {
                    matches.join("; ")
                },
                outcome: if s.current {
                    "its case's decision rests on it".to_owned()
                } else {
                    "replaced by a later screening of its case".to_owned()
                },
            }
        })
        .collect();
    let audit = audit_views(&o.audit, &o.usernames);
    let base = format!("{PREFIX}/entities/{}", encode(o.entity_id.as_str()));
    let order = if oldest_first { "oldest" } else { "newest" };
    let current = o.cases.last();
    EntityPage {
        chrome: Chrome::new(&format!("Entity {}", o.entity_id), Some(me)),
        entity_id: o.entity_id.to_string(),
        entity_type: o.entity_type.to_string(),
        current_href: current.map_or_else(String::new, |c| format!("{PREFIX}/cases/{}", c.id)),
        current_status: current.map_or_else(String::new, |c| c.status.to_string()),
        cases,
        screenings,
        chain_intact: audit.iter().all(|a| a.intact),
        audit,
        audit_next_href: o
            .older_audit
            .map(|next| format!("{base}?order={order}&after={next}#audit-h")),
        audit_first_href: after.map(|_| format!("{base}?order={order}#audit-h")),
        audit_oldest_first: oldest_first,
        wallets: o
            .wallets
            .iter()
            .map(|w| WalletRow {
                chain: w.wallet.chain.as_str().to_owned(),
                address: w.wallet.address.as_str().to_owned(),
                watch: w
                    .wallet
                    .watch
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                active: w.wallet.active,
                flagged: w
                    .flagged
                    .iter()
                    .map(|t| FlaggedRow {
                        at: when(t.observed_at),
                        tx_hash: t.tx_hash.as_str().to_owned(),
                        direction: t.direction.to_string(),
                        status: t.status.to_string(),
                    })
                    .collect(),
            })
            .collect(),
        declared: declared(o.entity_type, o.beneficial_owners_declared),
        owners: o
            .owners
            .iter()
            .map(|r| owner_row(r, &r.owner_id, r.owner_case.as_ref(), &name))
            .collect(),
        owns: o
            .owns
            .iter()
            .map(|r| owner_row(r, &r.entity_id, r.entity_case.as_ref(), &name))
            .collect(),
    }
}

/// One row of the owners (or owned) list: `other` is the entity on the other side, `case` its
/// current case.
fn owner_row(
    r: &OwnerRecord,
    other: &EntityId,
    case: Option<&CurrentCase>,
    name: &dyn Fn(UserId) -> String,
) -> OwnerRow {
    OwnerRow {
        href: format!("{PREFIX}/entities/{}", encode(other.as_str())),
        entity_id: other.to_string(),
        share: r.share.to_string(),
        case_href: case.map(|c| format!("{PREFIX}/cases/{}", c.id)),
        case: case.map_or_else(
            || "no case yet".to_owned(),
            |c| format!("{}, {} risk", c.status, c.risk_level),
        ),
        recorded_by: name(r.recorded_by),
        recorded_at: when(r.recorded_at),
    }
}

/// What the page says of whether a corporate's or a fund's current case's KYC verified the
/// declaration of its beneficial owners (the document), beside the owners recorded.
fn declared(entity_type: EntityType, declared: Option<bool>) -> Option<String> {
    let declared = declared?;
    let kind = if entity_type == EntityType::Fund {
        "fund"
    } else {
        "corporate"
    };
    let verified = if declared {
        "verified the declaration of its ultimate beneficial owners"
    } else {
        "has no verified declaration of its ultimate beneficial owners"
    };
    Some(format!("This {kind}'s current case's KYC {verified}."))
}

/// One entity a name search found.
pub(super) struct NameRow {
    pub href: String,
    pub entity_id: String,
    pub names: String,
    /// "PENDING, HIGH risk" or "no case".
    pub current: String,
}

#[derive(Template)]
#[template(path = "office/entities.html")]
pub(super) struct SearchPage {
    pub chrome: Chrome,
    pub csrf: String,
    /// What was typed, shown back in the field (never in an address or a log).
    pub typed: String,
    pub notice: Option<Notice>,
    /// Why the person may or may not search by name.
    pub names_note: String,
    pub results: Vec<NameRow>,
    pub more: bool,
}

/// The search page as `me` sees it.
pub(super) fn search_page(
    me: &OfficeSession,
    typed: &str,
    notice: Option<Notice>,
    found: &[NameMatch],
    more: bool,
) -> SearchPage {
    let names_note = if me.caller.may(Permission::ReadSubjects) {
        "Type an entity id (exact; capitals and spaces around it do not matter), or words of a name: every word must be among the names of the entity's current screening subject. Erased subjects are never found. The name you type is sent in the form, never in the page's address."
    } else {
        "Type an entity id (exact; capitals and spaces around it do not matter). Searching by name is for compliance officers and admins: names are personal data, and your role does not read screening subjects."
    };
    SearchPage {
        chrome: Chrome::new("Find an entity", Some(me)),
        csrf: me.csrf.clone(),
        typed: typed.to_owned(),
        notice,
        names_note: names_note.to_owned(),
        results: found
            .iter()
            .map(|m| NameRow {
                href: format!("{PREFIX}/entities/{}", encode(m.entity_id.as_str())),
                entity_id: m.entity_id.to_string(),
                names: m.names.join("; "),
                current: m.current.as_ref().map_or_else(
                    || "no case".to_owned(),
                    |c| format!("{}, {} risk", c.status, c.risk_level),
                ),
            })
            .collect(),
        more,
    }
}
