-- One credential check for every kind of login (shared/src/credentials.rs).

-- Reviewer passwords are disabled after 100 consecutive failed logins, like
-- accounts'; another reviewer's reset or the bootstrap secret enables them.
ALTER TABLE reviewers ADD COLUMN password_disabled INTEGER NOT NULL DEFAULT 0;

-- Failed logins of login names that match no account (realm 'account') or
-- no reviewer (realm 'reviewer'): throttled like a real name, so the answer
-- does not tell which names exist. Only the SHA-256 of the login key is
-- kept (people type passwords into the name field). Rows are pruned 30
-- days after their last counted failure.
CREATE TABLE login_name_throttles (
    realm TEXT NOT NULL CHECK (realm IN ('account', 'reviewer')),
    name_key_sha256 TEXT NOT NULL,
    failed_logins INTEGER NOT NULL,
    last_failed_login_at INTEGER NOT NULL,
    password_disabled INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (realm, name_key_sha256)
) WITHOUT ROWID;

CREATE INDEX login_name_throttles_age ON login_name_throttles (last_failed_login_at);
