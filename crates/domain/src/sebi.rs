//! The facts of an Indian investor that SEBI's accredited-investor definition looks at (SEBI
//! (Alternative Investment Funds) Regulations 2012, reg. 2(1)(ab), and SEBI's framework for
//! accredited investors): [`SebiFacts`], with the accreditation agency's certificate.
//!
//! Must not: decide. Whether the figures meet a test and the certificate is valid on a date is
//! the rules engine's (`sebi_accreditation`); these types hold well-formed facts: a net worth's
//! financial assets never exceed it, a certificate never ends before it is issued.

use crate::{EvidenceRef, Money};
use chrono::NaiveDate;

crate::text_enum! {
    /// The class of investor reg. 2(1)(ab) sets thresholds for.
    #[strum(serialize_all = "snake_case")]
    pub enum SebiInvestorClass as "SEBI investor class" {
        /// An individual (reg. 2(1)(ab)(i)).
        Individual,
        /// A Hindu Undivided Family (reg. 2(1)(ab)(i)).
        Huf,
        /// A family trust (reg. 2(1)(ab)(i)).
        FamilyTrust,
        /// A sole proprietorship (reg. 2(1)(ab)(i)).
        SoleProprietorship,
        /// A partnership firm under the Indian Partnership Act, 1932 (reg. 2(1)(ab)(iv)).
        PartnershipFirm,
        /// A trust other than a family trust (reg. 2(1)(ab)(iii)).
        Trust,
        /// A body corporate (reg. 2(1)(ab)(ii)).
        BodyCorporate,
    }
}

impl SebiInvestorClass {
    /// True for the classes judged like an individual (income, net worth, combined tests).
    pub fn is_individual_like(self) -> bool {
        matches!(
            self,
            SebiInvestorClass::Individual
                | SebiInvestorClass::Huf
                | SebiInvestorClass::FamilyTrust
                | SebiInvestorClass::SoleProprietorship
        )
    }
}

crate::text_enum! {
    /// Who the proviso to reg. 2(1)(ab) deems an accredited investor without a certificate.
    #[strum(serialize_all = "snake_case")]
    pub enum SebiDeemed as "SEBI deemed accredited investor" {
        /// The Central Government.
        CentralGovernment,
        /// A State Government.
        StateGovernment,
        /// A developmental agency set up under the aegis of a government.
        DevelopmentalAgency,
        /// A fund set up by a government.
        GovernmentFund,
        /// A qualified institutional buyer (SEBI ICDR Regulations).
        QualifiedInstitutionalBuyer,
        /// A Category I foreign portfolio investor.
        #[strum(serialize = "category_i_fpi")]
        CategoryIFpi,
        /// A sovereign wealth fund.
        SovereignWealthFund,
        /// A multilateral agency.
        MultilateralAgency,
    }
}

/// Why SEBI facts were refused. Messages never repeat an amount or a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SebiError {
    /// Financial assets in another currency than the net worth, or more than it.
    #[error("financial assets must be part of the net worth: {0}")]
    FinancialAssets(&'static str),
    /// A certificate whose validity ends before it is issued.
    #[error("a certificate's valid_until must not be before its issued_on")]
    CertificateDates,
}

/// Net worth, and the part of it held in financial assets (reg. 2(1)(ab)(i)(B), (C)).
///
/// ```
/// use compliance_domain::{Money, NetWorth};
/// let inr = |a| Money::parse(a, "INR").unwrap();
/// assert!(NetWorth::new(inr("75000000"), inr("37500000")).is_ok());
/// assert!(NetWorth::new(inr("75000000"), inr("75000001")).is_err());
/// assert!(NetWorth::new(inr("75000000"), Money::parse("1", "USD").unwrap()).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "NetWorthRepr", into = "NetWorthRepr")]
pub struct NetWorth {
    total: Money,
    financial_assets: Money,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NetWorthRepr {
    total: Money,
    financial_assets: Money,
}

impl NetWorth {
    /// A net worth of `total`, `financial_assets` of it in financial assets (same currency, at
    /// most the total).
    pub fn new(total: Money, financial_assets: Money) -> Result<Self, SebiError> {
        match financial_assets.compare(&total) {
            Err(_) => Err(SebiError::FinancialAssets(
                "state it in the net worth's currency",
            )),
            Ok(std::cmp::Ordering::Greater) => {
                Err(SebiError::FinancialAssets("it cannot exceed the net worth"))
            }
            Ok(_) => Ok(Self {
                total,
                financial_assets,
            }),
        }
    }

    /// The net worth.
    pub fn total(&self) -> Money {
        self.total
    }

    /// The part of it in financial assets.
    pub fn financial_assets(&self) -> Money {
        self.financial_assets
    }
}

impl TryFrom<NetWorthRepr> for NetWorth {
    type Error = SebiError;
    fn try_from(repr: NetWorthRepr) -> Result<Self, Self::Error> {
        Self::new(repr.total, repr.financial_assets)
    }
}

impl From<NetWorth> for NetWorthRepr {
    fn from(n: NetWorth) -> Self {
        Self {
            total: n.total,
            financial_assets: n.financial_assets,
        }
    }
}

/// An accreditation agency's certificate: the agency, the certificate's number, and the days
/// it is valid, from `issued_on` to `valid_until`, both included.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "CertificateRepr", into = "CertificateRepr")]
pub struct AccreditationCertificate {
    agency: EvidenceRef,
    number: EvidenceRef,
    issued_on: NaiveDate,
    valid_until: NaiveDate,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificateRepr {
    agency: EvidenceRef,
    number: EvidenceRef,
    issued_on: NaiveDate,
    valid_until: NaiveDate,
}

impl AccreditationCertificate {
    /// A certificate; `valid_until` must not be before `issued_on`.
    pub fn new(
        agency: EvidenceRef,
        number: EvidenceRef,
        issued_on: NaiveDate,
        valid_until: NaiveDate,
    ) -> Result<Self, SebiError> {
        if valid_until < issued_on {
            return Err(SebiError::CertificateDates);
        }
        Ok(Self {
            agency,
            number,
            issued_on,
            valid_until,
        })
    }

    /// The accreditation agency.
    pub fn agency(&self) -> &EvidenceRef {
        &self.agency
    }

    /// The certificate's number.
    pub fn number(&self) -> &EvidenceRef {
        &self.number
    }

    /// Its first day of validity.
    pub fn issued_on(&self) -> NaiveDate {
        self.issued_on
    }

    /// Its last day of validity.
    pub fn valid_until(&self) -> NaiveDate {
        self.valid_until
    }
}

impl TryFrom<CertificateRepr> for AccreditationCertificate {
    type Error = SebiError;
    fn try_from(r: CertificateRepr) -> Result<Self, Self::Error> {
        Self::new(r.agency, r.number, r.issued_on, r.valid_until)
    }
}

impl From<AccreditationCertificate> for CertificateRepr {
    fn from(c: AccreditationCertificate) -> Self {
        Self {
            agency: c.agency,
            number: c.number,
            issued_on: c.issued_on,
            valid_until: c.valid_until,
        }
    }
}

/// Everything reg. 2(1)(ab) looks at for one investor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SebiFacts {
    /// The class of investor.
    pub class: SebiInvestorClass,
    /// Deemed accredited by the proviso, without a certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deemed: Option<SebiDeemed>,
    /// Annual income of the preceding financial year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_income: Option<Money>,
    /// Net worth at the end of the preceding financial year, without the primary residence (of
    /// the individual, the karta of a HUF, the sole proprietor: SEBI's framework), with its
    /// financial assets; in rupees (a foreign investor's rupee equivalent, as the agency
    /// computed it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_worth: Option<NetWorth>,
    /// A partnership firm: each partner independently meets the criteria (reg. 2(1)(ab)(iv)).
    #[serde(default)]
    pub all_partners_eligible: bool,
    /// The accreditation agency's certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<AccreditationCertificate>,
}
