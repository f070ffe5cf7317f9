//! Matcher benchmarks: one query against 100,000 synthetic names, and building the index for
//! 20,000 entries. The p99 of single queries is printed by `bench_support::query_p99`.

#![allow(missing_docs)]

use compliance_domain::MatchScore;
use compliance_screening::Query;
use compliance_screening::bench_support::{query_p99, synthetic_list, synthetic_screener};
use criterion::{Criterion, criterion_group, criterion_main};

fn screening(c: &mut Criterion) {
    let list = synthetic_list(100_000, 42);
    let screener = synthetic_screener(100_000, 42);
    let floor = MatchScore::from_basis_points(5_000).unwrap_or(MatchScore::ZERO);
    let name = list
        .get(4_321)
        .and_then(|e| e.names.first())
        .cloned()
        .unwrap_or_default();
    let query = Query::name(&name.replacen('a', "e", 1));
    c.bench_function("screen one name against 100k names", |b| {
        b.iter(|| screener.screen(&query, floor))
    });
    eprintln!(
        "p99 of 2000 queries against 100k names: {:?}",
        query_p99(&screener, &list, 2_000)
    );

    let small = synthetic_list(20_000, 9);
    let mut group = c.benchmark_group("index");
    group.sample_size(10);
    group.bench_function("build the index for 20k entries", |b| {
        b.iter(|| {
            let mut s = compliance_screening::Screener::new();
            s.add_list(
                compliance_screening::evaluation::sample::list_name(),
                small.clone(),
            );
            s
        })
    });
    group.finish();
}

criterion_group!(benches, screening);
criterion_main!(benches);
