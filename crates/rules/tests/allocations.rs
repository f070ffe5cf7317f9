//! Proves that the engine does not allocate when no rule fires: a counting global allocator
//! (its own test binary, since a global allocator is per binary) counts this thread's
//! allocations around each `evaluate` call.
//!
//! Must not: count anything but the call under test (the counter is per thread, and proptest's
//! own allocations happen outside the measured window).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a failed unwrap is a failed test"
)]
#![allow(
    unsafe_code,
    reason = "a global allocator needs `unsafe impl GlobalAlloc`; this one only counts and forwards to System"
)]

use compliance_domain::*;
use compliance_rules::*;
use proptest::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    // A `const` initialiser: no lazy set-up, so reading it never allocates.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: during thread teardown the slot may be gone; those allocations are not ours.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so `System`'s
// guarantees are ours; counting touches only a thread-local `Cell`, which does not allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded as received.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded as received.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: forwarded as received.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as received.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The decision, and how many allocations evaluating (and dropping) it took on this thread.
fn measured(case: &Case, rules: &RuleSet) -> (CheckStatus, usize, u64) {
    let before = ALLOCATIONS.with(Cell::get);
    let decision = evaluate(case, rules);
    let (status, reasons) = match &decision {
        Ok(d) => (d.status(), d.reasons().len()),
        Err(_) => (CheckStatus::Rejected, usize::MAX),
    };
    drop(decision);
    (status, reasons, ALLOCATIONS.with(Cell::get) - before)
}

fn sets() -> Vec<RuleSet> {
    let rules = default_rules();
    [Jurisdiction::Ae, Jurisdiction::In, Jurisdiction::Us]
        .into_iter()
        .map(|j| RuleSet::in_force(&rules, j, scenarios::decided_at()).unwrap())
        .collect()
}

fn set_for(sets: &[RuleSet], case: &Case) -> RuleSet {
    sets.iter()
        .find(|s| s.jurisdiction() == case.kyc.jurisdiction)
        .unwrap()
        .clone()
}

#[test]
fn approved_seed_cases_allocate_nothing_and_the_counter_works() {
    let sets = sets();
    let mut approved = 0;
    for s in scenarios::scenarios() {
        let rules = set_for(&sets, &s.case);
        let (status, reasons, allocations) = measured(&s.case, &rules);
        if reasons == 0 {
            approved += 1;
            assert_eq!(status, CheckStatus::Approved);
            assert_eq!(allocations, 0, "{} allocated {allocations} times", s.id);
        } else {
            // A rule that fires writes its sentence: the counter must see that.
            assert!(allocations > 0, "{}: the counter saw nothing", s.id);
        }
    }
    assert_eq!(approved, 4);
}

/// The default rules in force from 2027-01-01 (issue 24's versions), by jurisdiction.
fn sets_of_2027() -> Vec<RuleSet> {
    let rules = default_rules();
    [Jurisdiction::Ae, Jurisdiction::In, Jurisdiction::Us]
        .into_iter()
        .map(|j| RuleSet::in_force(&rules, j, scenarios::golden::golden_at()).unwrap())
        .collect()
}

#[test]
fn approved_golden_cases_allocate_nothing_under_the_rules_of_2027() {
    let sets = sets_of_2027();
    let mut approved = 0;
    for g in scenarios::golden::golden() {
        let rules = set_for(&sets, &g.case);
        let (status, reasons, allocations) = measured(&g.case, &rules);
        if reasons == 0 {
            approved += 1;
            assert_eq!(status, CheckStatus::Approved, "{}", g.id);
            // Categories judged, verifications dated, certificates and classifications
            // checked, signals weighed and the unweighed ones listed: no allocation.
            assert_eq!(allocations, 0, "{} allocated {allocations} times", g.id);
        } else {
            assert!(allocations > 0, "{}: the counter saw nothing", g.id);
        }
    }
    assert!(approved >= 30, "{approved} approved golden cases");
}

fn case_strategy() -> impl Strategy<Value = Case> {
    let docs = prop::collection::btree_set(
        prop::sample::select(vec![
            DocumentKind::Passport,
            DocumentKind::NationalId,
            DocumentKind::ProofOfAddress,
            DocumentKind::TaxId,
            DocumentKind::CertificateOfIncorporation,
            DocumentKind::ArticlesOfAssociation,
            DocumentKind::RegisterOfDirectors,
            DocumentKind::BeneficialOwnership,
            DocumentKind::FundConstitution,
        ]),
        0..=9,
    );
    // The seed scenarios and the golden cases (which the rules of 2027 approve or hold).
    let cases: Vec<Case> = scenarios::scenarios()
        .into_iter()
        .map(|s| s.case)
        .chain(scenarios::golden::golden().into_iter().map(|g| g.case))
        .collect();
    (
        prop::sample::select(cases),
        0u8..=100,
        0u8..=100,
        docs,
        prop::option::of(1_000_001i64..100_000_000_000),
        any::<bool>(),
    )
        .prop_map(
            |(mut case, risk, verification, documents, amount, verified)| {
                case.aml.risk_score = RiskScore::new(risk).unwrap();
                case.kyc.verification_score = VerificationScore::new(verification).unwrap();
                case.kyc.documents.extend(documents);
                let currency = case.kyc.jurisdiction.home_currency();
                let money = amount.map(|a| Money::new(Decimal::new(a, 0), currency).unwrap());
                case.kyc.investor.net_worth = money;
                case.kyc.investor.total_assets = money;
                case.kyc.investor.accreditation_verified = verified;
                case
            },
        )
}

proptest! {
    /// Whatever the case, when no rule fires the evaluation allocated nothing, under either
    /// generation of the default rules.
    #[test]
    fn no_rule_fired_means_no_allocation(case in case_strategy(), later in any::<bool>()) {
        let sets = if later { sets_of_2027() } else { sets() };
        let rules = set_for(&sets, &case);
        let (_, reasons, allocations) = measured(&case, &rules);
        if reasons == 0 {
            prop_assert_eq!(allocations, 0);
        }
    }
}
