//! API tokens in the database: only the hash is stored, the guard keeps a token as created
//! (revoked once, never deleted), and creation and revocation are audited without the secret.

use crate::support::{count, seeded, token_for, try_exec};
use compliance_persistence::repo::api_tokens;

#[test]
fn only_the_hash_is_stored_and_the_guard_keeps_tokens_as_created() {
    let s = seeded();
    let secret = token_for(&s, &s.users.analyst, chrono::Duration::days(1));
    let mut conn = s.db.conn();
    let hex = &secret[4..];
    let stored = count(
        &mut conn,
        &format!(
            "SELECT count(*) AS n FROM api_tokens WHERE encode(token_hash, 'hex') = '{hex}' OR name LIKE '%{hex}%'"
        ),
    );
    assert_eq!(stored, 0, "the secret itself is stored");
    let audit = count(
        &mut conn,
        &format!(
            "SELECT count(*) AS n FROM audit_logs WHERE action = 'api_token_created' AND details::text NOT LIKE '%{hex}%'"
        ),
    );
    assert_eq!(audit, 1);
    for sql in [
        "UPDATE api_tokens SET token_hash = sha256('x')",
        "UPDATE api_tokens SET expires_at = expires_at + interval '1 year'",
        "UPDATE api_tokens SET user_id = (SELECT id FROM users WHERE role = 'admin')",
        "DELETE FROM api_tokens",
    ] {
        assert!(try_exec(&mut conn, sql).is_err(), "{sql} was allowed");
    }
    let caller = s.compliance.authenticate(&secret).unwrap();
    assert_eq!(
        (caller.user(), caller.role(), caller.credential()),
        (
            s.users.analyst.id,
            compliance_domain::Role::Analyst,
            compliance_app::Credential::ApiToken
        )
    );
    let id = api_tokens::list(&mut conn, None).unwrap()[0].id;
    api_tokens::revoke(&mut conn, id, s.users.admin.id).unwrap();
    assert!(
        api_tokens::revoke(&mut conn, id, s.users.admin.id)
            .unwrap_err()
            .is_conflict()
    );
    let err = try_exec(
        &mut conn,
        "UPDATE api_tokens SET revoked_at = NULL, revoked_by = NULL",
    )
    .unwrap_err();
    assert!(err.contains("api_tokens_revoked_once"), "{err}");
    let revocations = count(
        &mut conn,
        "SELECT count(*) AS n FROM audit_logs WHERE action = 'api_token_revoked'",
    );
    assert_eq!(
        revocations, 1,
        "a refused second revocation writes no entry"
    );
    // The same long-lived entry point refuses it from the moment it is revoked.
    assert!(matches!(
        s.compliance.authenticate(&secret),
        Err(compliance_app::AppError::Unauthenticated(_))
    ));
}
