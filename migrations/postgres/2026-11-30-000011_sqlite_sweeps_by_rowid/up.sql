-- Nothing changes on PostgreSQL: it keeps its expiry and user_id indexes (see the SQLite
-- migration of the same name).
SELECT 1;
