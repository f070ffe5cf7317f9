//! The views, declared by hand (`diesel print-schema` skips views). Read-only by
//! convention: nothing inserts into them, and PostgreSQL would refuse it for the joined ones.
//!
//! Must not: drift from `migrations/`: the persistence tests select every column of every view.

#![allow(missing_docs)]

diesel::table! {
    /// The review queue: PENDING and ESCALATED cases and cases with an unseen stricter engine
    /// verdict, riskiest and oldest first.
    pending_approvals (compliance_check_id) {
        compliance_check_id -> Uuid,
        entity_id -> Varchar,
        entity_type -> Text,
        jurisdiction -> Text,
        status -> Text,
        risk_score -> Int2,
        risk_level -> Text,
        sanctions_match -> Bool,
        pep_match -> Bool,
        approval_proposed_by -> Nullable<Uuid>,
        revision -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        engine_status -> Text,
        engine_stricter -> Bool,
        assigned_to -> Nullable<Uuid>,
        status_since -> Timestamptz,
        due_at -> Nullable<Timestamptz>,
        overdue -> Bool,
    }
}

diesel::table! {
    /// Cases whose current screening is HIGH or CRITICAL, or matched a sanctions or PEP list.
    high_risk_entities (compliance_check_id) {
        compliance_check_id -> Uuid,
        entity_id -> Varchar,
        entity_type -> Text,
        jurisdiction -> Text,
        status -> Text,
        risk_score -> Int2,
        risk_level -> Text,
        sanctions_match -> Bool,
        pep_match -> Bool,
        matched_entries -> Jsonb,
        screened_at -> Timestamptz,
    }
}

diesel::table! {
    /// Case counts by jurisdiction, status and risk level (the key is the three together).
    compliance_summary (jurisdiction, status, risk_level) {
        jurisdiction -> Text,
        status -> Text,
        risk_level -> Text,
        checks -> Int8,
        last_updated_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    /// Each entity's latest case.
    current_cases (compliance_check_id) {
        entity_id -> Varchar,
        sequence -> Int4,
        compliance_check_id -> Uuid,
    }
}

diesel::table! {
    /// Current approved cases whose periodic review has fallen due.
    reviews_due (compliance_check_id) {
        compliance_check_id -> Uuid,
        entity_id -> Varchar,
        jurisdiction -> Text,
        risk_level -> Text,
        approved_at -> Timestamptz,
        review_due_at -> Timestamptz,
        rule_code -> Varchar,
        rule_version -> Int4,
        revision -> Int4,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    pending_approvals,
    high_risk_entities,
    compliance_summary,
    current_cases,
    reviews_due
);
