-- Undoes 2026-05-12-000000_queue_filter_indexes: the two filtered queue indexes go; the queue's
-- own index (2026-05-05-000000_review_queue_index) stays.
DROP INDEX idx_compliance_checks_queue_status;
DROP INDEX idx_compliance_checks_queue_jurisdiction;
