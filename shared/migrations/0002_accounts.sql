-- Accounts: credentials, the two account kinds' identity fields, legacy
-- migration, login throttling; SMS codes and the SMS outbox; sessions;
-- organization grants (the legacy conversion of the FAQ preface needs the
-- foreign-work grant; grant management extends this table later).

ALTER TABLE accounts ADD COLUMN password_hash TEXT;          -- PHC string; NULL: must reset by SMS first
ALTER TABLE accounts ADD COLUMN reserved_mobile TEXT;        -- E.164 or mainland 11 digits; NULL: none
ALTER TABLE accounts ADD COLUMN org_name TEXT;               -- legal entity
ALTER TABLE accounts ADD COLUMN org_name_key TEXT;
ALTER TABLE accounts ADD COLUMN uscc TEXT;
ALTER TABLE accounts ADD COLUMN real_name TEXT;              -- natural person
ALTER TABLE accounts ADD COLUMN document_type TEXT;
ALTER TABLE accounts ADD COLUMN document_number TEXT;
ALTER TABLE accounts ADD COLUMN nationality TEXT;
ALTER TABLE accounts ADD COLUMN legacy_old_name TEXT;        -- the old system's login name
ALTER TABLE accounts ADD COLUMN converted_from_legacy INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;   -- consecutive
ALTER TABLE accounts ADD COLUMN last_failed_login_at INTEGER;
ALTER TABLE accounts ADD COLUMN password_disabled INTEGER NOT NULL DEFAULT 0;

-- Two racing registrations cannot both win: the database decides.
CREATE UNIQUE INDEX accounts_org_name_key ON accounts (org_name_key) WHERE org_name_key IS NOT NULL;
CREATE UNIQUE INDEX accounts_uscc ON accounts (uscc) WHERE uscc IS NOT NULL;
CREATE UNIQUE INDEX accounts_document ON accounts (document_type, document_number) WHERE document_number IS NOT NULL;

-- One-time SMS codes; only a hash of the code is stored.
CREATE TABLE sms_codes (
    id INTEGER PRIMARY KEY,
    purpose TEXT NOT NULL,
    mobile TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    consumed_at INTEGER
);

CREATE INDEX sms_codes_by_mobile ON sms_codes (purpose, mobile, created_at);

-- Every SMS goes through the outbox: written in the same transaction as the
-- change it reports, delivered after the commit, retried by the scheduler.
CREATE TABLE sms_outbox (
    id INTEGER PRIMARY KEY,
    recipient TEXT NOT NULL,
    template TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);

CREATE INDEX sms_outbox_unsent ON sms_outbox (sent_at, id);
CREATE INDEX sms_outbox_recipient ON sms_outbox (recipient, id);

-- Sessions: only the SHA-256 of the token is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    absolute_expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE INDEX sessions_by_account ON sessions (account_id);

-- Which natural persons act for which organization, with which role.
CREATE TABLE grants (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    granted_by INTEGER REFERENCES accounts (id),
    created_at INTEGER NOT NULL,
    UNIQUE (organization_id, person_id, role)
);

CREATE INDEX grants_by_person ON grants (person_id);
