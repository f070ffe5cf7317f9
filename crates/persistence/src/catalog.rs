//! What the migrated schema holds, as data: the tables and their columns with types, the named
//! indexes and the views. `verify` compares a live database against it; a test compares it
//! against the migrations, so it cannot drift from them.
//!
//! Must not: describe anything the migrations do not create.

/// A column: name and PostgreSQL type (`information_schema.columns.udt_name`).
pub type Column = (&'static str, &'static str);

/// Every table with its columns, in column order. The first seven are the core schema; the
/// next two come with the blockchain monitoring migration; `compliance_rules_state` (the
/// rules' change counter) with `2026-04-02-000000_rules_change_counter`.
pub const TABLES: &[(&str, &[Column])] = &[
    (
        "users",
        &[
            ("id", "uuid"),
            ("username", "varchar"),
            ("email", "varchar"),
            ("role", "text"),
            ("active", "bool"),
            ("created_at", "timestamptz"),
            ("updated_at", "timestamptz"),
        ],
    ),
    (
        "compliance_rules",
        &[
            ("id", "uuid"),
            ("jurisdiction", "text"),
            ("code", "varchar"),
            ("version", "int4"),
            ("parameters", "jsonb"),
            ("effective_from", "timestamptz"),
            ("effective_to", "timestamptz"),
            ("regulation", "text"),
            ("description", "text"),
            ("published_by", "uuid"),
            ("created_at", "timestamptz"),
            ("updated_at", "timestamptz"),
        ],
    ),
    (
        "kyc_checks",
        &[
            ("id", "uuid"),
            ("entity_id", "varchar"),
            ("entity_type", "text"),
            ("jurisdiction", "text"),
            ("status", "text"),
            ("verification_score", "int2"),
            ("documents", "jsonb"),
            ("red_flags", "jsonb"),
            ("net_worth", "numeric"),
            ("net_worth_currency", "bpchar"),
            ("annual_income", "numeric"),
            ("annual_income_currency", "bpchar"),
            ("total_assets", "numeric"),
            ("total_assets_currency", "bpchar"),
            ("accreditation_verified", "bool"),
            ("submitted_by", "uuid"),
            ("created_at", "timestamptz"),
            ("updated_at", "timestamptz"),
        ],
    ),
    (
        "aml_checks",
        &[
            ("id", "uuid"),
            ("kyc_check_id", "uuid"),
            ("risk_score", "int2"),
            ("risk_level", "text"),
            ("sanctions_match", "bool"),
            ("pep_match", "bool"),
            ("matched_entries", "jsonb"),
            ("screening_provider", "varchar"),
            ("watchlist_version", "varchar"),
            ("screened_at", "timestamptz"),
            ("submitted_by", "uuid"),
            ("created_at", "timestamptz"),
            ("updated_at", "timestamptz"),
        ],
    ),
    (
        "compliance_checks",
        &[
            ("id", "uuid"),
            ("kyc_check_id", "uuid"),
            ("aml_check_id", "uuid"),
            ("jurisdiction", "text"),
            ("status", "text"),
            ("engine_status", "text"),
            ("risk_score", "int2"),
            ("risk_level", "text"),
            ("rule_versions", "jsonb"),
            ("reasons", "jsonb"),
            ("decided_by", "uuid"),
            ("decided_at", "timestamptz"),
            ("review_reason", "text"),
            ("approval_proposed_by", "uuid"),
            ("approval_proposed_at", "timestamptz"),
            ("approval_proposal_reason", "text"),
            ("revision", "int4"),
            ("created_at", "timestamptz"),
            ("updated_at", "timestamptz"),
        ],
    ),
    (
        "decision_vectors",
        &[
            ("id", "uuid"),
            ("compliance_check_id", "uuid"),
            ("model", "varchar"),
            ("dimension", "int4"),
            ("embedding", "bytea"),
            ("created_at", "timestamptz"),
            ("updated_at", "timestamptz"),
        ],
    ),
    (
        "audit_logs",
        &[
            ("id", "int8"),
            ("actor_id", "uuid"),
            ("action", "text"),
            ("subject_kind", "text"),
            ("subject_id", "uuid"),
            ("entity_id", "varchar"),
            ("old_status", "text"),
            ("new_status", "text"),
            ("details", "jsonb"),
            ("created_at", "timestamptz"),
            ("prev_hash", "bytea"),
            ("hash", "bytea"),
        ],
    ),
    (
        "blockchain_monitoring",
        &[
            ("id", "uuid"),
            ("kyc_check_id", "uuid"),
            ("chain", "varchar"),
            ("address", "varchar"),
            ("watch", "_text"),
            ("active", "bool"),
            ("created_by", "uuid"),
            ("created_at", "timestamptz"),
            ("updated_at", "timestamptz"),
        ],
    ),
    (
        "blockchain_transactions",
        &[
            ("id", "uuid"),
            ("monitoring_id", "uuid"),
            ("tx_hash", "varchar"),
            ("direction", "text"),
            ("amount", "numeric"),
            ("asset", "varchar"),
            ("counterparty", "varchar"),
            ("observed_at", "timestamptz"),
            ("risk_score", "int2"),
            ("compliance_status", "text"),
            ("revision", "int4"),
            ("created_at", "timestamptz"),
            ("updated_at", "timestamptz"),
            ("decided_by", "uuid"),
        ],
    ),
    (
        "compliance_rules_state",
        &[
            ("jurisdiction", "text"),
            ("changes", "int8"),
            ("created_at", "timestamptz"),
            ("updated_at", "timestamptz"),
        ],
    ),
];

/// The seven core tables of the seed material.
pub const CORE_TABLES: [&str; 7] = [
    "users",
    "compliance_rules",
    "kyc_checks",
    "aml_checks",
    "compliance_checks",
    "decision_vectors",
    "audit_logs",
];

/// Every named index (`idx_*`); unique constraints and primary keys have their own indexes.
pub const INDEXES: &[&str] = &[
    "idx_aml_checks_kyc_check_screened",
    "idx_aml_checks_matched_entries",
    "idx_aml_checks_matches",
    "idx_aml_checks_risk_level",
    "idx_aml_checks_submitted_by",
    "idx_audit_logs_action",
    "idx_audit_logs_actor_id",
    "idx_audit_logs_created_at",
    "idx_audit_logs_entity_id",
    "idx_audit_logs_subject",
    "idx_blockchain_monitoring_created_by",
    "idx_blockchain_monitoring_kyc_check_id",
    "idx_blockchain_transactions_decided_by",
    "idx_blockchain_transactions_observed",
    "idx_blockchain_transactions_open",
    "idx_compliance_checks_aml_check_id",
    "idx_compliance_checks_approval_proposed_by",
    "idx_compliance_checks_decided_at",
    "idx_compliance_checks_decided_by",
    "idx_compliance_checks_jurisdiction_status",
    "idx_compliance_checks_review_queue",
    "idx_compliance_checks_risk_level",
    "idx_compliance_rules_in_force",
    "idx_compliance_rules_published_by",
    "idx_decision_vectors_model",
    "idx_kyc_checks_created_at",
    "idx_kyc_checks_entity_type",
    "idx_kyc_checks_jurisdiction_status",
    "idx_kyc_checks_red_flags",
    "idx_kyc_checks_submitted_by",
];

/// The three views.
pub const VIEWS: [&str; 3] = [
    "pending_approvals",
    "high_risk_entities",
    "compliance_summary",
];

/// The columns of a table, if it is in the catalog.
pub fn columns(table: &str) -> Option<&'static [Column]> {
    TABLES.iter().find(|(t, _)| *t == table).map(|(_, c)| *c)
}
