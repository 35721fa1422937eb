-- Foundation: accounts (the part every flow needs), their login-name
-- aliases, the per-client rate-limit log and the append-only audit log.
-- Later flows extend accounts in their own migrations.

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('legal_entity', 'natural_person')),
    -- As the user typed it (case kept); uniqueness ignores case:
    login_name TEXT NOT NULL,
    login_name_key TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

-- Other names an account logs in with (a legacy account's old name, FAQ 1).
-- A name is either a login name or an alias, never both: the registration
-- flow checks both tables inside its write transaction.
CREATE TABLE login_name_aliases (
    alias_key TEXT PRIMARY KEY,
    alias TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE
);

CREATE INDEX login_name_aliases_account ON login_name_aliases (account_id);

-- Sliding-window rate limits: one row per counted request.
CREATE TABLE rate_limit_hits (
    bucket TEXT NOT NULL,
    subject TEXT NOT NULL,
    at INTEGER NOT NULL
);

CREATE INDEX rate_limit_hits_window ON rate_limit_hits (bucket, subject, at);

-- Every state change, append-only: updates and deletes are refused.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT,
    detail TEXT NOT NULL DEFAULT '{}'
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
