-- Undoes 2026-12-10-170000_queue_by_status: the queue's index by jurisdiction and status goes;
-- a page filtered by both is read through idx_compliance_checks_queue_jurisdiction again.
DROP INDEX idx_compliance_checks_queue_jurisdiction_status;
