DROP INDEX idx_screening_subjects_name_words;
DROP FUNCTION subject_name_words(JSONB);
