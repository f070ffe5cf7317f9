-- A back-office session ends when what opened it no longer holds: its user's password is set
-- anew (a reset) or the user is deactivated. Done here, in the transaction that changes the
-- password or the user, whoever changes them and however (the administration role, raw SQL):
-- a session that outlives a reset is a door left open for up to its twelve hours.
--
-- SECURITY DEFINER: the administration role that sets passwords and deactivates users may not
-- update web_sessions itself; the function may, for exactly this.

CREATE FUNCTION end_sessions_of_user() RETURNS TRIGGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    ended UUID;
BEGIN
    -- The user is the row itself on users, its user_id on user_passwords.
    IF TG_TABLE_NAME = 'users' THEN
        ended := NEW.id;
    ELSE
        ended := NEW.user_id;
    END IF;
    UPDATE web_sessions SET ended_at = greatest(now(), created_at)
     WHERE user_id = ended AND ended_at IS NULL;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_user_passwords_end_sessions
    AFTER INSERT OR UPDATE OF password_hash ON user_passwords
    FOR EACH ROW EXECUTE FUNCTION end_sessions_of_user();

CREATE TRIGGER trg_users_end_sessions
    AFTER UPDATE OF active ON users
    FOR EACH ROW WHEN (OLD.active AND NOT NEW.active)
    EXECUTE FUNCTION end_sessions_of_user();

REVOKE ALL ON FUNCTION end_sessions_of_user() FROM PUBLIC;
