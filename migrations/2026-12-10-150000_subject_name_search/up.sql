-- Finding an entity by a name its screening subject carries (issue 23, part 3), for the roles
-- that may read subjects. The words of a subject's names, lower-cased, in an index: a search is
-- an index lookup, never a scan of the subjects, and an erased subject (its JSON gone) is in no
-- entry of the index at all.

-- The distinct lower-cased words of a subject's names (split on spaces and punctuation that
-- names carry: a search for "ivanov" finds "Sergei IVANOV" and "Ivanov-Petrov, S."). The same
-- function reads the words of what a reviewer typed, so the two always agree, whatever the
-- server's locale does to lower().
CREATE FUNCTION subject_name_words(subject JSONB) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce(array_agg(DISTINCT word ORDER BY word), '{}')
      FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(subject->'names') = 'array'
                                          THEN subject->'names' ELSE '[]' END) AS name,
           regexp_split_to_table(lower(name), '[\s,.;:()"''/\-]+') AS word
     WHERE word <> ''
$$;

CREATE INDEX idx_screening_subjects_name_words ON screening_subjects
    USING gin (subject_name_words(subject)) WHERE subject IS NOT NULL;
