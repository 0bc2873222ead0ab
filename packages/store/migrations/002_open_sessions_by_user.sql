-- 002_open_sessions_by_user: open_sessions clustered by (jid, session_id) instead of session_id.
--
-- The sessions worker reads a user's open sessions with its totals and deletes finished ones by
-- (jid, session_id): with the user first in the primary key both are one clustered range or point
-- access, and the separate jid index (written on every start and stop) goes away. Open sessions are
-- per user, as in the accounting replay; session_log still holds each session id once, ever.
-- One statement, so the migration is applied wholly or not at all.
ALTER TABLE open_sessions DROP PRIMARY KEY, ADD PRIMARY KEY (jid, session_id), DROP INDEX open_sessions_jid;
