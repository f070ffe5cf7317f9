//! The review queue's keyset cursor, as an opaque text a client passes back: the sort key of the
//! last case of a page (risk score, flagged, opened at, id), in the `pending_approvals` order.
//!
//! Must not: accept a text it did not write: anything malformed is an input error naming the
//! `cursor` parameter, never a panic or a query on garbage.

use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use compliance_domain::RiskScore;
use compliance_domain::input::InputError;
use compliance_persistence::repo::reports;
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// Where the next page of the queue starts. Shown as `SCORE.FLAG.MICROS.ID`, e.g.
/// `72.0.1767225600000000.4c1d...`; clients treat it as opaque.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(into = "String")]
pub struct QueueCursor(pub(crate) reports::QueueCursor);

impl fmt::Display for QueueCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.0;
        write!(
            f,
            "{}.{}.{}.{}",
            c.risk_score.value(),
            u8::from(c.engine_stricter),
            c.created_at.timestamp_micros(),
            c.id
        )
    }
}

impl From<QueueCursor> for String {
    fn from(cursor: QueueCursor) -> Self {
        cursor.to_string()
    }
}

impl FromStr for QueueCursor {
    type Err = AppError;
    fn from_str(text: &str) -> Result<Self> {
        let bad = || {
            AppError::Input(InputError::field(
                "cursor",
                "is not a cursor this API gave out: pass the `next` value of the previous page unchanged",
            ))
        };
        let mut parts = text.splitn(4, '.');
        let mut next = || parts.next().ok_or_else(bad);
        let score = next()?.parse::<i64>().map_err(|_| bad())?;
        let risk_score = RiskScore::new(score).map_err(|_| bad())?;
        let engine_stricter = match next()? {
            "0" => false,
            "1" => true,
            _ => return Err(bad()),
        };
        let micros = next()?.parse::<i64>().map_err(|_| bad())?;
        let created_at: DateTime<Utc> = DateTime::from_timestamp_micros(micros).ok_or_else(bad)?;
        let id = Uuid::parse_str(next()?).map_err(|_| bad())?;
        Ok(Self(reports::QueueCursor {
            risk_score,
            engine_stricter,
            created_at,
            id,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_garbage() {
        let cursor = QueueCursor(reports::QueueCursor {
            risk_score: RiskScore::new(72).unwrap(),
            engine_stricter: true,
            created_at: DateTime::from_timestamp_micros(1_767_225_600_123_456).unwrap(),
            id: Uuid::from_u128(7),
        });
        let text = cursor.to_string();
        assert_eq!(text.parse::<QueueCursor>().unwrap(), cursor);
        for bad in [
            "",
            "72",
            "101.0.1.00000000-0000-0000-0000-000000000007",
            "72.2.1.00000000-0000-0000-0000-000000000007",
            "72.0.99999999999999999999.00000000-0000-0000-0000-000000000007",
            "72.0.1.not-a-uuid",
            "72.0.1.00000000-0000-0000-0000-000000000007.extra",
            "'; DROP TABLE compliance_checks; --",
        ] {
            assert!(
                matches!(bad.parse::<QueueCursor>(), Err(AppError::Input(_))),
                "{bad}"
            );
        }
    }
}
