//! Events out: what the platform announces to the services that act on its decisions, and the
//! endpoints (webhooks, a NATS JetStream broker) it announces them to.
//!
//! Must not: carry personal data. An event holds ids, codes and statuses; the database writes
//! it from the audit entry it announces (`audit_logs_events()`), so this module only names the
//! vocabulary both sides share.

crate::text_enum! {
    /// What an event announces. The text form is the `type` a receiver reads and the middle of
    /// a broker subject (`<prefix>.<type>.<jurisdiction>`).
    pub enum EventType as "event type" {
        /// The engine decided a new case (its status, engine status and risk level).
        #[strum(serialize = "case.decided")]
        CaseDecided,
        /// A case's status changed: by a reviewer, or by the engine on a re-screening
        /// (`previous_status` APPROVED is an approval revoked).
        #[strum(serialize = "case.status_changed")]
        CaseStatusChanged,
        /// The first of two reviewers proposed approving a case (or waiving its evidence).
        #[strum(serialize = "case.approval_proposed")]
        CaseApprovalProposed,
        /// A re-screening re-evaluated a case and left its status as it was.
        #[strum(serialize = "case.rescreened")]
        CaseRescreened,
        /// A re-screening found the engine stricter than the case's status: the case waits in
        /// the queue, flagged, until a reviewer decides.
        #[strum(serialize = "case.verdict_flagged")]
        CaseVerdictFlagged,
        /// Confirmed false positives now override the engine's rejection of a case.
        #[strum(serialize = "case.override_confirmed")]
        CaseOverrideConfirmed,
        /// A reviewer proposed clearing a matched list entry as a false positive.
        #[strum(serialize = "match.clearance_proposed")]
        MatchClearanceProposed,
        /// A second reviewer confirmed a matched list entry as a false positive.
        #[strum(serialize = "match.cleared")]
        MatchCleared,
        /// A transaction of a watched wallet was recorded.
        #[strum(serialize = "transaction.recorded")]
        TransactionRecorded,
        /// A wallet transaction's status changed.
        #[strum(serialize = "transaction.status_changed")]
        TransactionStatusChanged,
        /// An entity's case was flagged for review by monitoring: an entry its screening
        /// matched left the list.
        #[strum(serialize = "case.delisting_flagged")]
        CaseDelistingFlagged,
        /// A reviewer asked for information the case waits on: of whom (`addressee`), what
        /// (`items`) and until when (`respond_by`); the case keeps its status.
        #[strum(serialize = "case.information_requested")]
        CaseInformationRequested,
        /// A request for information was answered (`request_id`).
        #[strum(serialize = "case.information_answered")]
        CaseInformationAnswered,
        /// A reviewer withdrew a request for information (`request_id`).
        #[strum(serialize = "case.information_withdrawn")]
        CaseInformationWithdrawn,
    }
}

crate::text_enum! {
    /// How an endpoint receives events.
    #[strum(serialize_all = "snake_case")]
    pub enum EndpointKind as "endpoint kind" {
        /// An HTTPS URL, sent each event as a signed POST (Standard Webhooks).
        Webhook,
        /// A NATS JetStream server, published each event with its id as the message id.
        Nats,
    }
}

crate::text_enum! {
    /// Where one event's delivery to one endpoint stands.
    #[strum(serialize_all = "snake_case")]
    pub enum DeliveryState as "delivery state" {
        /// Waiting for its turn or its next attempt.
        Pending,
        /// Claimed by a dispatcher, which holds a lease on it.
        Sending,
        /// The endpoint acknowledged it.
        Delivered,
        /// Every attempt failed; an admin may replay it.
        Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TextForm;

    #[test]
    fn event_types_read_as_receivers_see_them() {
        assert_eq!(EventType::CaseDecided.as_str(), "case.decided");
        assert_eq!(
            "transaction.status_changed".parse::<EventType>(),
            Ok(EventType::TransactionStatusChanged)
        );
        assert!("case_decided".parse::<EventType>().is_err());
        assert_eq!(EndpointKind::Nats.as_str(), "nats");
        assert_eq!(DeliveryState::Delivered.as_str(), "delivered");
    }
}
