//! Finding entities by the names their current screening subjects carry: every word typed
//! (lower-cased, split as `subject_name_words()` splits) among the words of the subject's names,
//! through the GIN index `idx_screening_subjects_name_words`. Erased subjects are in no entry of
//! that index, and are never found.
//!
//! Must not: scan `screening_subjects`, put the text searched for in an error or a log (it is a
//! name: personal data), or find an entity by a name its latest revision no longer carries.

use crate::Result;
use crate::repo::screening_subjects::{StoredSubject, SubjectRow};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

/// The entities whose latest, unerased subject carries every word of `text` among its names,
/// by entity id, at most `limit`. A text without a word finds nothing.
pub fn by_name(conn: &mut PgConnection, text: &str, limit: i64) -> Result<Vec<StoredSubject>> {
    // The words are read by the index's own function, so that a search and the index split and
    // lower-case alike; the latest revision is found through uq_screening_subjects_revision.
    let rows: Vec<SubjectRow> = diesel::sql_query(
        "SELECT s.* FROM screening_subjects s
          WHERE s.subject IS NOT NULL
            AND cardinality(subject_name_words(jsonb_build_object('names', jsonb_build_array($1::text)))) > 0
            AND subject_name_words(s.subject)
                @> subject_name_words(jsonb_build_object('names', jsonb_build_array($1::text)))
            AND s.revision = (SELECT max(l.revision) FROM screening_subjects l
                               WHERE l.entity_id = s.entity_id)
          ORDER BY s.entity_id
          LIMIT $2",
    )
    .bind::<Text, _>(text)
    .bind::<BigInt, _>(limit.clamp(1, 1_000))
    .load(conn)?;
    rows.into_iter().map(TryInto::try_into).collect()
}
