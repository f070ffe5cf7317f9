//! Benchmarks of the rules engine (criterion): one evaluation of a typical case against the
//! default rule set, one of a case where rules fire, and a batch of 100,000 varied cases.
//!
//! Must not: time anything but evaluation. Cases and rule sets are built before the timed loop;
//! the batch's cases come from a fixed-seed generator so that every run measures the same work.
#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented public function"
)]
#![allow(
    clippy::unwrap_used,
    reason = "set-up of a benchmark: a failed unwrap stops it, which is what it should do"
)]

use compliance_domain::*;
use compliance_rules::scenarios::{Scenario, decided_at, scenarios};
use compliance_rules::{RuleSet, default_rules, evaluate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const BATCH: usize = 100_000;

/// A small xorshift generator: the batch is varied but identical on every run.
struct Seed(u64);

impl Seed {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn sets() -> [RuleSet; 3] {
    let rules = default_rules();
    [Jurisdiction::Ae, Jurisdiction::In, Jurisdiction::Us]
        .map(|j| RuleSet::in_force(&rules, j, decided_at()).unwrap())
}

fn index(j: Jurisdiction) -> usize {
    match j {
        Jurisdiction::Ae => 0,
        Jurisdiction::In => 1,
        Jurisdiction::Us => 2,
    }
}

fn scenario(id: &str) -> Scenario {
    scenarios().into_iter().find(|s| s.id == id).unwrap()
}

/// 100,000 cases built from the nine seed cases, each with its scores redrawn and, now and then,
/// a document removed, red flags, a sanctions or PEP match, or its accreditation unverified. About
/// half are decided with no rule firing (the run prints the exact count); the other half pay for
/// writing their reasons, so this is a harder mix than a typical day's onboarding.
fn batch() -> Vec<Case> {
    let templates: Vec<Case> = scenarios()
        .into_iter()
        .filter(|s| s.expected_status == CheckStatus::Approved)
        .map(|s| s.case)
        .chain(scenarios().into_iter().map(|s| s.case))
        .collect();
    let sanction = WatchlistMatch {
        kind: WatchlistKind::Sanctions,
        list: ListName::parse("OFAC-SDN").unwrap(),
        entry: ListEntryRef::parse("SDN-36512").unwrap(),
        score: None,
    };
    let mut seed = Seed(0x9E37_79B9_7F4A_7C15);
    (0..BATCH)
        .map(|_| {
            let template =
                &templates[usize::try_from(seed.below(templates.len() as u64)).unwrap_or(0)];
            let mut case = template.clone();
            let risk = u8::try_from(seed.below(60)).unwrap_or(0);
            let risk = if seed.below(10) == 0 { risk + 40 } else { risk };
            case.aml.risk_score = RiskScore::new(risk).unwrap_or(RiskScore::MIN);
            let verification = u8::try_from(75 + seed.below(26)).unwrap_or(100);
            case.kyc.verification_score =
                VerificationScore::new(verification).unwrap_or(VerificationScore::MAX);
            match seed.below(40) {
                0 => {
                    let first = case.kyc.documents.iter().next().copied();
                    if let Some(first) = first {
                        case.kyc.documents.remove(&first);
                    }
                }
                1 => {
                    case.kyc.red_flags.insert(RedFlag::AdverseMedia);
                    case.kyc.red_flags.insert(RedFlag::HighRiskCountry);
                    case.kyc.red_flags.insert(RedFlag::UnusualActivity);
                }
                2 => case.aml.matches.push(sanction.clone()),
                3 => case.aml.matches.push(WatchlistMatch {
                    kind: WatchlistKind::Pep,
                    ..sanction.clone()
                }),
                4 => case.kyc.investor.accreditation_verified = false,
                _ => {}
            }
            case
        })
        .collect()
}

fn engine(c: &mut Criterion) {
    let sets = sets();

    let typical = scenario("us-ind-standard-002").case;
    let us = &sets[index(Jurisdiction::Us)];
    c.bench_function("evaluate/typical_case_no_rule_fires", |b| {
        b.iter(|| evaluate(black_box(&typical), black_box(us)))
    });

    let flagged = scenario("in-ind-rejected-003").case;
    let india = &sets[index(Jurisdiction::In)];
    c.bench_function("evaluate/three_rules_fire", |b| {
        b.iter(|| evaluate(black_box(&flagged), black_box(india)))
    });

    let cases = batch();
    let quiet = cases
        .iter()
        .filter(|case| {
            evaluate(case, &sets[index(case.kyc.jurisdiction)])
                .is_ok_and(|d| d.reasons().is_empty())
        })
        .count();
    eprintln!("batch: {BATCH} cases, {quiet} with no rule firing");
    let mut group = c.benchmark_group("evaluate");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(20);
    group.bench_function("batch_100k_varied_cases", |b| {
        b.iter(|| {
            let mut rejected = 0usize;
            for case in &cases {
                let rules = &sets[index(case.kyc.jurisdiction)];
                if let Ok(decision) = evaluate(black_box(case), rules) {
                    rejected += usize::from(decision.status() == CheckStatus::Rejected);
                }
            }
            rejected
        })
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
