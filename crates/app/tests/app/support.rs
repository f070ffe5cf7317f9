//! The shared fixtures (`compliance_ops::testing`), as this test binary's `support`, and the few
//! helpers these tests need beyond them: the stored rows behind a record (through the
//! persistence repositories, which stay public), and the seed's users as callers.

pub use compliance_ops::testing::*;

use compliance_domain::{CaseId, Password, Username};
use compliance_persistence::repo::compliance_checks::{self, StoredComplianceCheck};

/// The stored row of the entity's current case: what a record does not show (its KYC check and
/// screening ids, the engine's decision as stored).
pub fn stored(s: &Seeded, entity_id: &str) -> StoredComplianceCheck {
    compliance_checks::find_by_entity_id(&mut s.db.conn(), &entity(entity_id)).unwrap()
}

/// The stored row of the case with this id.
pub fn stored_case(s: &Seeded, case: CaseId) -> StoredComplianceCheck {
    compliance_checks::find(&mut s.db.conn(), case.as_uuid()).unwrap()
}

/// Sets `user`'s back-office password, as the seed's admin (what `cargo xtask user` does).
pub fn set_password(s: &Seeded, user: &Username, password: &str) {
    compliance_ops::admin::set_password(
        &mut s.db.conn(),
        user,
        &Password::parse(password).unwrap(),
        &s.users.admin.username,
    )
    .unwrap();
}
