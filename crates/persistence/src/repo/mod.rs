//! One repository per table (and one for the views): functions over `&mut PgConnection`, so
//! that the caller decides the transaction. Each write that matters writes its audit entry in
//! the same transaction.
//!
//! Must not: hold state or a pool. Connections and transactions belong to the caller.

pub mod aml_checks;
pub mod api_tokens;
pub mod audit_chain;
pub mod audit_logs;
pub mod audit_tree;
pub mod beneficial_owners;
pub mod blockchain;
pub mod case_assignment;
pub mod case_submissions;
pub mod compliance_checks;
pub mod compliance_rules;
pub mod dashboard;
pub mod decision_vectors;
pub mod event_deliveries;
pub mod event_endpoints;
pub mod events;
pub mod false_positives;
pub mod flag_reviews;
pub mod information_requests;
pub mod kyc_checks;
mod literal_limit;
mod overdue_page;
pub mod passwords;
mod queue_order;
pub mod reports;
pub mod review_notes;
pub mod review_screenings;
pub mod reviews_due;
pub mod screening_jobs;
pub mod screening_subjects;
pub mod screenings;
pub mod service_levels;
pub mod subject_search;
pub mod submission;
pub mod users;
pub mod vitals;
pub mod watchlists;
pub mod web_sessions;
