// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "xid8", schema = "pg_catalog"))]
    pub struct Xid8;
}

diesel::table! {
    aml_check_watchlist_versions (aml_check_id, version_id) {
        aml_check_id -> Uuid,
        version_id -> Uuid,
    }
}

diesel::table! {
    aml_checks (id) {
        id -> Uuid,
        kyc_check_id -> Uuid,
        risk_score -> Int2,
        risk_level -> Text,
        sanctions_match -> Bool,
        pep_match -> Bool,
        matched_entries -> Jsonb,
        #[max_length = 64]
        screening_provider -> Varchar,
        #[max_length = 128]
        watchlist_version -> Varchar,
        screened_at -> Timestamptz,
        submitted_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        #[max_length = 64]
        name -> Varchar,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoked_by -> Nullable<Uuid>,
        last_used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    audit_logs (id) {
        id -> Int8,
        actor_id -> Uuid,
        action -> Text,
        subject_kind -> Text,
        subject_id -> Uuid,
        #[max_length = 64]
        entity_id -> Nullable<Varchar>,
        old_status -> Nullable<Text>,
        new_status -> Nullable<Text>,
        details -> Jsonb,
        created_at -> Timestamptz,
        prev_hash -> Nullable<Bytea>,
        hash -> Bytea,
        chain -> Int2,
        chain_position -> Nullable<Int8>,
    }
}

diesel::table! {
    beneficial_owners (id) {
        id -> Uuid,
        #[max_length = 64]
        entity_id -> Varchar,
        #[max_length = 64]
        owner_id -> Varchar,
        share -> Numeric,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    blockchain_monitoring (id) {
        id -> Uuid,
        kyc_check_id -> Uuid,
        #[max_length = 32]
        chain -> Varchar,
        #[max_length = 128]
        address -> Varchar,
        watch -> Array<Nullable<Text>>,
        active -> Bool,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    blockchain_transactions (id) {
        id -> Uuid,
        monitoring_id -> Uuid,
        #[max_length = 128]
        tx_hash -> Varchar,
        direction -> Text,
        amount -> Numeric,
        #[max_length = 16]
        asset -> Varchar,
        #[max_length = 128]
        counterparty -> Nullable<Varchar>,
        observed_at -> Timestamptz,
        risk_score -> Nullable<Int2>,
        compliance_status -> Text,
        revision -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        decided_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    case_counts (kind, jurisdiction, status, detail, since, slot) {
        kind -> Text,
        jurisdiction -> Text,
        status -> Text,
        detail -> Text,
        since -> Timestamptz,
        slot -> Int2,
        cases -> Int8,
    }
}

diesel::table! {
    case_submissions (compliance_check_id) {
        compliance_check_id -> Uuid,
        kyc_check_id -> Uuid,
        #[max_length = 64]
        entity_id -> Varchar,
        sequence -> Int4,
        #[max_length = 128]
        idempotency_key -> Nullable<Varchar>,
        submitted_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    compliance_checks (id) {
        id -> Uuid,
        kyc_check_id -> Uuid,
        aml_check_id -> Uuid,
        jurisdiction -> Text,
        status -> Text,
        engine_status -> Text,
        risk_score -> Int2,
        risk_level -> Text,
        rule_versions -> Jsonb,
        reasons -> Jsonb,
        decided_by -> Uuid,
        decided_at -> Timestamptz,
        review_reason -> Nullable<Text>,
        approval_proposed_by -> Nullable<Uuid>,
        approval_proposed_at -> Nullable<Timestamptz>,
        approval_proposal_reason -> Nullable<Text>,
        revision -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        review_note_id -> Nullable<Uuid>,
        approval_note_id -> Nullable<Uuid>,
        engine_decided_at -> Nullable<Timestamptz>,
        unweighed_signals -> Nullable<Jsonb>,
        assigned_to -> Nullable<Uuid>,
        assigned_by -> Nullable<Uuid>,
        assigned_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    compliance_rules (id) {
        id -> Uuid,
        jurisdiction -> Text,
        #[max_length = 64]
        code -> Varchar,
        version -> Int4,
        parameters -> Jsonb,
        effective_from -> Timestamptz,
        effective_to -> Nullable<Timestamptz>,
        regulation -> Text,
        description -> Text,
        published_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    compliance_rules_state (jurisdiction) {
        jurisdiction -> Text,
        changes -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    decision_vectors (id) {
        id -> Uuid,
        compliance_check_id -> Uuid,
        #[max_length = 128]
        model -> Varchar,
        dimension -> Int4,
        embedding -> Bytea,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    delivery_attempts (id) {
        id -> Int8,
        delivery_id -> Int8,
        attempt -> Int4,
        attempted_at -> Timestamptz,
        delivered -> Bool,
        status_code -> Nullable<Int2>,
        latency_ms -> Int4,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    event_deliveries (id) {
        id -> Int8,
        endpoint_id -> Uuid,
        event_id -> Uuid,
        #[max_length = 64]
        entity_id -> Varchar,
        entity_sequence -> Int8,
        state -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        lease_until -> Nullable<Timestamptz>,
        delivered_at -> Nullable<Timestamptz>,
        replayed_by -> Nullable<Uuid>,
        replayed_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    event_endpoints (id) {
        id -> Uuid,
        kind -> Text,
        url -> Text,
        subject_prefix -> Nullable<Text>,
        event_types -> Array<Nullable<Text>>,
        description -> Text,
        secret -> Nullable<Text>,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamptz>,
        allow_private -> Bool,
        active -> Bool,
        consecutive_failures -> Int4,
        paused_until -> Nullable<Timestamptz>,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_by -> Uuid,
        updated_at -> Timestamptz,
        revision -> Int4,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Xid8;

    event_fanout (singleton) {
        singleton -> Bool,
        txid -> Xid8,
        position -> Int8,
    }
}

diesel::table! {
    event_streams (entity_id) {
        #[max_length = 64]
        entity_id -> Varchar,
        last_sequence -> Int8,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Xid8;

    events (id) {
        id -> Uuid,
        position -> Int8,
        txid -> Xid8,
        event_type -> Text,
        #[max_length = 64]
        entity_id -> Varchar,
        entity_sequence -> Int8,
        jurisdiction -> Text,
        case_id -> Nullable<Uuid>,
        audit_log_id -> Int8,
        data -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    false_positives (id) {
        id -> Uuid,
        compliance_check_id -> Uuid,
        aml_check_id -> Uuid,
        #[max_length = 64]
        list -> Varchar,
        #[max_length = 64]
        entry -> Varchar,
        proposed_by -> Uuid,
        proposed_at -> Timestamptz,
        proposal_note_id -> Uuid,
        confirmed_by -> Nullable<Uuid>,
        confirmed_at -> Nullable<Timestamptz>,
        confirmation_note_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    information_requests (id) {
        id -> Uuid,
        compliance_check_id -> Uuid,
        #[max_length = 64]
        entity_id -> Varchar,
        addressee -> Text,
        items -> Array<Nullable<Text>>,
        note_id -> Nullable<Uuid>,
        requested_by -> Uuid,
        requested_at -> Timestamptz,
        respond_within_days -> Int2,
        respond_by -> Timestamptz,
        outcome -> Nullable<Text>,
        closed_by -> Nullable<Uuid>,
        closed_at -> Nullable<Timestamptz>,
        closing_note_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    kyc_checks (id) {
        id -> Uuid,
        #[max_length = 64]
        entity_id -> Varchar,
        entity_type -> Text,
        jurisdiction -> Text,
        status -> Text,
        verification_score -> Int2,
        documents -> Jsonb,
        red_flags -> Jsonb,
        net_worth -> Nullable<Numeric>,
        #[max_length = 3]
        net_worth_currency -> Nullable<Bpchar>,
        annual_income -> Nullable<Numeric>,
        #[max_length = 3]
        annual_income_currency -> Nullable<Bpchar>,
        total_assets -> Nullable<Numeric>,
        #[max_length = 3]
        total_assets_currency -> Nullable<Bpchar>,
        accreditation_verified -> Bool,
        submitted_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        assessed_on -> Nullable<Date>,
        accreditation -> Nullable<Jsonb>,
    }
}

diesel::table! {
    review_notes (id) {
        id -> Uuid,
        #[max_length = 64]
        entity_id -> Varchar,
        author_id -> Uuid,
        body -> Nullable<Text>,
        salt -> Nullable<Bytea>,
        commitment -> Bytea,
        created_at -> Timestamptz,
        erased_at -> Nullable<Timestamptz>,
        erased_by -> Nullable<Uuid>,
        compliance_check_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    review_screenings (compliance_check_id, review_due_at) {
        compliance_check_id -> Uuid,
        review_due_at -> Timestamptz,
        #[max_length = 64]
        entity_id -> Varchar,
        subject_id -> Uuid,
        version_ids -> Array<Nullable<Uuid>>,
        outcome -> Text,
        agent_id -> Uuid,
        screened_at -> Timestamptz,
    }
}

diesel::table! {
    screening_explanations (aml_check_id) {
        aml_check_id -> Uuid,
        subject_id -> Uuid,
        explanation -> Nullable<Jsonb>,
    }
}

diesel::table! {
    screening_flag_reviews (job_id, entity_id, entry_ref) {
        job_id -> Uuid,
        #[max_length = 64]
        entity_id -> Varchar,
        #[max_length = 64]
        entry_ref -> Varchar,
        compliance_check_id -> Uuid,
        reviewed_by -> Uuid,
        reviewed_at -> Timestamptz,
        note_id -> Uuid,
    }
}

diesel::table! {
    screening_flags (job_id, entity_id, entry_ref) {
        job_id -> Uuid,
        #[max_length = 64]
        entity_id -> Varchar,
        compliance_check_id -> Uuid,
        #[max_length = 64]
        list_name -> Varchar,
        #[max_length = 64]
        entry_ref -> Varchar,
        flagged_at -> Timestamptz,
    }
}

diesel::table! {
    screening_job_batches (job_id, batch) {
        job_id -> Uuid,
        batch -> Int4,
        #[max_length = 64]
        first_entity -> Varchar,
        #[max_length = 64]
        last_entity -> Varchar,
        screened_at -> Timestamptz,
        members -> Jsonb,
        leaves -> Bytea,
    }
}

diesel::table! {
    screening_jobs (id) {
        id -> Uuid,
        version_id -> Uuid,
        #[max_length = 64]
        list_name -> Varchar,
        previous_version_id -> Nullable<Uuid>,
        state -> Text,
        added -> Int4,
        removed -> Int4,
        #[max_length = 64]
        cursor_entity -> Nullable<Varchar>,
        batches -> Int4,
        screened -> Int8,
        matched -> Int8,
        rescreened -> Int8,
        escalated -> Int8,
        rejected -> Int8,
        delisted -> Int8,
        counterparties -> Int8,
        counterparty_hits -> Int8,
        transactions_flagged -> Int8,
        busy_ms -> Int8,
        agent_id -> Nullable<Uuid>,
        lease_token -> Nullable<Uuid>,
        lease_until -> Nullable<Timestamptz>,
        root -> Nullable<Bytea>,
        created_at -> Timestamptz,
        started_at -> Nullable<Timestamptz>,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    screening_subjects (id) {
        id -> Uuid,
        #[max_length = 64]
        entity_id -> Varchar,
        revision -> Int4,
        subject -> Nullable<Jsonb>,
        salt -> Nullable<Bytea>,
        commitment -> Bytea,
        recorded_by -> Uuid,
        created_at -> Timestamptz,
        erased_at -> Nullable<Timestamptz>,
        erased_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    service_levels (id) {
        id -> Uuid,
        jurisdiction -> Text,
        status -> Text,
        target_hours -> Int4,
        effective_from -> Timestamptz,
        effective_to -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        published_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    user_passwords (user_id) {
        user_id -> Uuid,
        password_hash -> Text,
        set_at -> Timestamptz,
        set_by -> Uuid,
        failed_attempts -> Int4,
        locked_until -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        #[max_length = 32]
        username -> Varchar,
        #[max_length = 254]
        email -> Varchar,
        role -> Text,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    watchlist_entries (version_id, entry_ref) {
        version_id -> Uuid,
        #[max_length = 64]
        entry_ref -> Varchar,
        entry -> Jsonb,
    }
}

diesel::table! {
    watchlist_versions (id) {
        id -> Uuid,
        #[max_length = 64]
        list_name -> Varchar,
        list_kind -> Text,
        format -> Text,
        source -> Text,
        content_hash -> Bytea,
        #[max_length = 80]
        label -> Varchar,
        entry_count -> Int4,
        previous_version_id -> Nullable<Uuid>,
        forced_reason -> Nullable<Text>,
        imported_by -> Uuid,
        imported_at -> Timestamptz,
    }
}

diesel::table! {
    web_sessions (id) {
        id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        expires_at -> Timestamptz,
        ended_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(aml_check_watchlist_versions -> aml_checks (aml_check_id));
diesel::joinable!(aml_check_watchlist_versions -> watchlist_versions (version_id));
diesel::joinable!(aml_checks -> kyc_checks (kyc_check_id));
diesel::joinable!(aml_checks -> users (submitted_by));
diesel::joinable!(audit_logs -> users (actor_id));
diesel::joinable!(beneficial_owners -> users (recorded_by));
diesel::joinable!(blockchain_monitoring -> kyc_checks (kyc_check_id));
diesel::joinable!(blockchain_monitoring -> users (created_by));
diesel::joinable!(blockchain_transactions -> blockchain_monitoring (monitoring_id));
diesel::joinable!(blockchain_transactions -> users (decided_by));
diesel::joinable!(case_submissions -> users (submitted_by));
diesel::joinable!(compliance_rules -> users (published_by));
diesel::joinable!(decision_vectors -> compliance_checks (compliance_check_id));
diesel::joinable!(delivery_attempts -> event_deliveries (delivery_id));
diesel::joinable!(event_deliveries -> event_endpoints (endpoint_id));
diesel::joinable!(event_deliveries -> users (replayed_by));
diesel::joinable!(false_positives -> aml_checks (aml_check_id));
diesel::joinable!(false_positives -> compliance_checks (compliance_check_id));
diesel::joinable!(information_requests -> compliance_checks (compliance_check_id));
diesel::joinable!(kyc_checks -> users (submitted_by));
diesel::joinable!(review_screenings -> compliance_checks (compliance_check_id));
diesel::joinable!(review_screenings -> screening_subjects (subject_id));
diesel::joinable!(review_screenings -> users (agent_id));
diesel::joinable!(screening_explanations -> aml_checks (aml_check_id));
diesel::joinable!(screening_explanations -> screening_subjects (subject_id));
diesel::joinable!(screening_flag_reviews -> compliance_checks (compliance_check_id));
diesel::joinable!(screening_flag_reviews -> review_notes (note_id));
diesel::joinable!(screening_flag_reviews -> users (reviewed_by));
diesel::joinable!(screening_flags -> compliance_checks (compliance_check_id));
diesel::joinable!(screening_flags -> screening_jobs (job_id));
diesel::joinable!(screening_job_batches -> screening_jobs (job_id));
diesel::joinable!(screening_jobs -> users (agent_id));
diesel::joinable!(service_levels -> users (published_by));
diesel::joinable!(watchlist_entries -> watchlist_versions (version_id));
diesel::joinable!(watchlist_versions -> users (imported_by));
diesel::joinable!(web_sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    aml_check_watchlist_versions,
    aml_checks,
    api_tokens,
    audit_logs,
    beneficial_owners,
    blockchain_monitoring,
    blockchain_transactions,
    case_counts,
    case_submissions,
    compliance_checks,
    compliance_rules,
    compliance_rules_state,
    decision_vectors,
    delivery_attempts,
    event_deliveries,
    event_endpoints,
    event_fanout,
    event_streams,
    events,
    false_positives,
    information_requests,
    kyc_checks,
    review_notes,
    review_screenings,
    screening_explanations,
    screening_flag_reviews,
    screening_flags,
    screening_job_batches,
    screening_jobs,
    screening_subjects,
    service_levels,
    user_passwords,
    users,
    watchlist_entries,
    watchlist_versions,
    web_sessions,
);
