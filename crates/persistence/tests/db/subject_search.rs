//! Finding entities by the words of their subjects' names: every word typed among the words of
//! the latest revision's names, any case and order; an older revision's names and an erased
//! subject never found; and the query and the GIN index agree on their expression, so that a
//! search is an index lookup.

use crate::support::*;
use compliance_domain::input::SubjectInput;
use compliance_domain::{EntityId, Subject};
use compliance_persistence::repo::{screening_subjects, subject_search};
use compliance_persistence::testing::TestDatabase;
use diesel::prelude::*;

fn subject(names: &[&str]) -> Subject {
    let input: SubjectInput =
        serde_json::from_value(serde_json::json!({ "names": names })).unwrap();
    input.parse().unwrap()
}

fn found(conn: &mut PgConnection, text: &str) -> Vec<String> {
    subject_search::by_name(conn, text, 50)
        .unwrap()
        .into_iter()
        .map(|s| s.entity_id.to_string())
        .collect()
}

#[test]
fn every_word_typed_must_be_among_the_latest_names() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    let u = users(&mut conn);
    let record = |conn: &mut PgConnection, entity: &str, names: &[&str]| {
        let id = EntityId::parse(entity).unwrap();
        screening_subjects::record(conn, &id, &subject(names), u.system.id).unwrap();
    };
    record(&mut conn, "ae-ind-001", &["Sergei IVANOV", "Сергей Иванов"]);
    record(&mut conn, "ae-ind-002", &["Ivanov-Petrov, S."]);
    record(&mut conn, "ae-ind-003", &["Old Name"]);
    record(&mut conn, "ae-ind-003", &["New Name"]);
    assert_eq!(found(&mut conn, "ivanov"), ["ae-ind-001", "ae-ind-002"]);
    assert_eq!(found(&mut conn, "IVANOV sergei"), ["ae-ind-001"]);
    assert_eq!(found(&mut conn, "  иванов "), ["ae-ind-001"]);
    assert_eq!(found(&mut conn, "petrov, ivanov"), ["ae-ind-002"]);
    assert_eq!(found(&mut conn, "sergei petrov"), Vec::<String>::new());
    assert_eq!(found(&mut conn, "name"), ["ae-ind-003"]);
    assert_eq!(
        found(&mut conn, "old"),
        Vec::<String>::new(),
        "not a superseded revision"
    );
    for nothing in ["", "   ", "---", ",.;", "' OR 1=1 --"] {
        assert_eq!(
            found(&mut conn, nothing),
            Vec::<String>::new(),
            "{nothing:?}"
        );
    }
}

#[test]
fn the_search_can_use_its_index() {
    let db = TestDatabase::new();
    let mut conn = db.conn();
    #[derive(QueryableByName)]
    struct Plan {
        #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
        line: String,
    }
    // With sequential scans priced out, the planner takes the index exactly when the query's
    // expression is the index's: a drift between the two would show as a scan here.
    diesel::sql_query("SET enable_seqscan = off")
        .execute(&mut conn)
        .unwrap();
    let plan: Vec<Plan> = diesel::sql_query(
        "EXPLAIN SELECT s.id FROM screening_subjects s
          WHERE s.subject IS NOT NULL
            AND subject_name_words(s.subject)
                @> subject_name_words(jsonb_build_object('names', jsonb_build_array('ivanov'::text)))",
    )
    .load(&mut conn)
    .unwrap();
    let plan: Vec<String> = plan.into_iter().map(|p| p.line).collect();
    assert!(
        plan.iter()
            .any(|l| l.contains("idx_screening_subjects_name_words")),
        "{plan:#?}"
    );
}
