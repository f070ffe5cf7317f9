//! Beneficial owners: a corporate's or a fund's owners recorded as entities of their own, each
//! with the share of ownership declared, and the rules a record obeys ([`plan_owner`]).
//!
//! A beneficial owner is a natural person (FATF's definition, as the three jurisdictions take
//! it): ownership through holding companies is recorded as the person's effective share of the
//! entity, never as a chain of companies, so no cycle of ownership can be recorded.
//!
//! Must not: read anything. The caller gives the types of the two entities' current cases and
//! the shares recorded already, read in the transaction that writes the record.

use crate::{EntityId, EntityType};
use rust_decimal::Decimal;
use std::fmt;

/// A share of ownership in percent: more than 0, at most 100, in hundredths at most.
///
/// ```
/// use compliance_domain::OwnershipShare;
/// assert_eq!(OwnershipShare::parse("12.50")?.to_string(), "12.5");
/// assert!(OwnershipShare::parse("0").is_err());
/// assert!(OwnershipShare::parse("100.01").is_err());
/// assert!(OwnershipShare::parse("33.333").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OwnershipShare(Decimal);

/// Why a text or a number is not a share of ownership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    /// Not digits with at most one `.`.
    #[error(
        "a share is a percentage written as digits with at most one '.', e.g. \"25\" or \"12.5\""
    )]
    NotANumber,
    /// Zero, or above 100.
    #[error("a share is more than 0 and at most 100 percent")]
    OutOfRange,
    /// More than two decimals.
    #[error("a share has at most two decimals (hundredths of a percent), e.g. \"33.33\"")]
    TooPrecise,
}

impl OwnershipShare {
    /// A share from its text, in its one spelling: the whole percent without leading zeros,
    /// then at most `.` and one or two digits (`"25"`, `"0.5"`, `"12.50"`; not `"05"` nor
    /// `"12.500"`), so that the API's pattern says exactly what is read.
    pub fn parse(text: &str) -> Result<Self, ShareError> {
        let (whole, fraction) = match text.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (text, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let whole_ok = whole == "0" || (digits(whole) && !whole.starts_with('0'));
        if !whole_ok || !fraction.is_none_or(digits) || text.len() > 40 {
            return Err(ShareError::NotANumber);
        }
        if fraction.is_some_and(|f| f.len() > 2) {
            return Err(ShareError::TooPrecise);
        }
        let value: Decimal = text.parse().map_err(|_| ShareError::NotANumber)?;
        Self::new(value)
    }

    /// A share from a number of percent.
    pub fn new(value: Decimal) -> Result<Self, ShareError> {
        if value <= Decimal::ZERO || value > Decimal::ONE_HUNDRED {
            return Err(ShareError::OutOfRange);
        }
        let value = value.normalize();
        if value.scale() > 2 {
            return Err(ShareError::TooPrecise);
        }
        Ok(Self(value))
    }

    /// The percentage.
    pub fn percent(self) -> Decimal {
        self.0
    }
}

impl serde::Serialize for OwnershipShare {
    /// As its text (`"12.5"`), as money amounts are: never a float.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for OwnershipShare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Why a beneficial owner cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OwnershipError {
    /// The owner is the entity itself.
    #[error("entity {0} cannot own itself")]
    OwnsItself(EntityId),
    /// The owned entity's current case is an individual's.
    #[error(
        "entity {entity} is an individual: only a corporate or a fund has beneficial owners recorded"
    )]
    NotALegalPerson {
        /// The entity.
        entity: EntityId,
    },
    /// The owner's current case is a corporate's or a fund's.
    #[error(
        "entity {owner} is a {owner_type}: a beneficial owner is a natural person (record the person behind it, with their effective share)"
    )]
    OwnerNotAPerson {
        /// The owner.
        owner: EntityId,
        /// Its current case's type.
        owner_type: EntityType,
    },
    /// The recorded shares would add up to more than 100 percent.
    #[error("entity {entity} has {recorded} percent recorded: {share} more would exceed 100")]
    OverHundred {
        /// The owned entity.
        entity: EntityId,
        /// What its owners hold already, in percent.
        recorded: Decimal,
        /// The share refused.
        share: OwnershipShare,
    },
}

/// Whether `owner` may be recorded as a beneficial owner of `entity` with `share`: `entity`'s
/// current case is of `entity_type`; `owner`'s, if it has one, of `owner_type`; `recorded` is
/// what `entity`'s owners hold already. A pair recorded already is the caller's to refuse (it
/// holds the rows).
pub fn plan_owner(
    entity: &EntityId,
    entity_type: EntityType,
    owner: &EntityId,
    owner_type: Option<EntityType>,
    recorded: Decimal,
    share: OwnershipShare,
) -> Result<(), OwnershipError> {
    if entity == owner {
        return Err(OwnershipError::OwnsItself(entity.clone()));
    }
    if !entity_type.is_legal_person() {
        return Err(OwnershipError::NotALegalPerson {
            entity: entity.clone(),
        });
    }
    if let Some(owner_type) = owner_type.filter(|t| t.is_legal_person()) {
        return Err(OwnershipError::OwnerNotAPerson {
            owner: owner.clone(),
            owner_type,
        });
    }
    if recorded + share.percent() > Decimal::ONE_HUNDRED {
        return Err(OwnershipError::OverHundred {
            entity: entity.clone(),
            recorded,
            share,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> EntityId {
        EntityId::parse(s).unwrap()
    }

    #[test]
    fn shares_are_hundredths_above_zero_up_to_a_hundred() {
        for (text, shown) in [
            ("25", "25"),
            ("12.50", "12.5"),
            ("0.01", "0.01"),
            ("100", "100"),
            ("100.00", "100"),
        ] {
            assert_eq!(
                OwnershipShare::parse(text).unwrap().to_string(),
                shown,
                "{text}"
            );
        }
        for (text, error) in [
            ("0", ShareError::OutOfRange),
            ("0.00", ShareError::OutOfRange),
            ("100.01", ShareError::OutOfRange),
            ("250", ShareError::OutOfRange),
            ("33.333", ShareError::TooPrecise),
            ("", ShareError::NotANumber),
            ("-5", ShareError::NotANumber),
            ("+5", ShareError::NotANumber),
            ("1e2", ShareError::NotANumber),
            (" 5", ShareError::NotANumber),
            ("5.", ShareError::NotANumber),
            (".5", ShareError::NotANumber),
            ("1.2.3", ShareError::NotANumber),
            ("NaN", ShareError::NotANumber),
        ] {
            assert_eq!(OwnershipShare::parse(text), Err(error), "{text:?}");
        }
        // One spelling: no leading zeros, no third decimal even when it is a zero.
        assert_eq!(OwnershipShare::parse("12.500"), Err(ShareError::TooPrecise));
        assert_eq!(OwnershipShare::parse("05"), Err(ShareError::NotANumber));
        // A number (from the database) of more decimals that are zeros is the same share.
        assert_eq!(
            OwnershipShare::new("12.5000".parse().unwrap())
                .unwrap()
                .to_string(),
            "12.5"
        );
    }

    #[test]
    fn the_rules_of_a_record_in_their_order() {
        let (corp, person) = (id("ae-corp-1"), id("ae-ind-1"));
        let share = OwnershipShare::parse("30").unwrap();
        let plan = |entity: &EntityId, t, owner: &EntityId, o, recorded: i64| {
            plan_owner(entity, t, owner, o, Decimal::from(recorded), share)
        };
        use EntityType::*;
        assert_eq!(
            plan(&corp, Corporate, &person, Some(Individual), 70),
            Ok(())
        );
        assert_eq!(plan(&corp, Fund, &person, None, 0), Ok(()));
        assert_eq!(
            plan(&corp, Corporate, &corp, None, 0),
            Err(OwnershipError::OwnsItself(corp.clone()))
        );
        assert_eq!(
            plan(&person, Individual, &corp, None, 0),
            Err(OwnershipError::NotALegalPerson {
                entity: person.clone()
            })
        );
        assert_eq!(
            plan(&corp, Corporate, &id("ae-fund-2"), Some(Fund), 0),
            Err(OwnershipError::OwnerNotAPerson {
                owner: id("ae-fund-2"),
                owner_type: Fund
            })
        );
        assert_eq!(
            plan(&corp, Corporate, &person, Some(Individual), 71),
            Err(OwnershipError::OverHundred {
                entity: corp.clone(),
                recorded: Decimal::from(71),
                share
            })
        );
    }
}
