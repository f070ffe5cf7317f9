//! The `reviews_due` view: each entity's current approved case whose periodic review, by the
//! `periodic_review` rule in force now in its jurisdiction, has fallen due.
//!
//! Must not: write. A review that falls due is worked by submitting the entity's new KYC check,
//! which opens its next case.

use crate::Result;
use crate::convert::{domain, text};
use crate::views::reviews_due;
use chrono::{DateTime, Utc};
use compliance_domain::{EntityId, Jurisdiction, RiskLevel, RuleCode, RuleRef, RuleVersion};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use uuid::Uuid;

#[derive(Queryable, Selectable)]
#[diesel(table_name = reviews_due, check_for_backend(Pg))]
struct Row {
    compliance_check_id: Uuid,
    entity_id: String,
    jurisdiction: String,
    risk_level: String,
    approved_at: DateTime<Utc>,
    review_due_at: DateTime<Utc>,
    rule_code: String,
    rule_version: i32,
    revision: i32,
}

/// A case whose periodic review is due.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReviewDue {
    /// The case.
    pub compliance_check_id: Uuid,
    /// The entity.
    pub entity_id: EntityId,
    /// Its jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The case's risk level, which sets the interval.
    pub risk_level: RiskLevel,
    /// When the case was approved.
    pub approved_at: DateTime<Utc>,
    /// When its review fell due.
    pub review_due_at: DateTime<Utc>,
    /// The periodic_review rule version that sets the interval.
    pub rule: RuleRef,
    /// The case's revision.
    pub revision: i32,
}

const VIEW: &str = "reviews_due";

/// The reviews due, longest overdue first, optionally of one jurisdiction.
pub fn list(
    conn: &mut PgConnection,
    jurisdiction: Option<Jurisdiction>,
    limit: i64,
) -> Result<Vec<ReviewDue>> {
    let mut query = reviews_due::table.select(Row::as_select()).into_boxed();
    if let Some(jurisdiction) = jurisdiction {
        query = query.filter(reviews_due::jurisdiction.eq(<&str>::from(jurisdiction)));
    }
    query
        .order((
            reviews_due::review_due_at.asc(),
            reviews_due::compliance_check_id.asc(),
        ))
        .limit(limit.clamp(1, 10_000))
        .load::<Row>(conn)?
        .into_iter()
        .map(|row| {
            let id = row.compliance_check_id;
            Ok(ReviewDue {
                compliance_check_id: id,
                entity_id: domain(VIEW, id, EntityId::parse(&row.entity_id))?,
                jurisdiction: text(VIEW, id, &row.jurisdiction)?,
                risk_level: text(VIEW, id, &row.risk_level)?,
                approved_at: row.approved_at,
                review_due_at: row.review_due_at,
                rule: RuleRef {
                    code: domain(VIEW, id, RuleCode::parse(&row.rule_code))?,
                    version: domain(VIEW, id, RuleVersion::new(row.rule_version))?,
                },
                revision: row.revision,
            })
        })
        .collect()
}
