DROP TRIGGER trg_users_end_sessions ON users;
DROP TRIGGER trg_user_passwords_end_sessions ON user_passwords;
DROP FUNCTION end_sessions_of_user();
