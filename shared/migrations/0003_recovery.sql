-- Recovery: uploads, the back-office review queue and its reviewers, the
-- working-day calendar, and recovery appeals.

-- Uploaded documents: recognised by their bytes, stored with their digest.
-- The user's file name is only a label, never a path.
CREATE TABLE uploads (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL,               -- who may see it besides reviewers: 'appeal:<id>', 'account:<id>'
    purpose TEXT NOT NULL,             -- id_front, id_back, business_licence, document_front, document_back, ...
    label TEXT NOT NULL,
    content_type TEXT NOT NULL,        -- detected from the bytes: image/jpeg, image/png, application/pdf
    declared_type TEXT,                -- what the client claimed (kept for the record)
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE INDEX uploads_by_owner ON uploads (owner);

-- Back-office reviewers: never self-registered (the first comes from secret
-- variables, then reviewers add reviewers).
CREATE TABLE reviewers (
    id INTEGER PRIMARY KEY,
    login_name TEXT NOT NULL,
    login_name_key TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES reviewers (id),
    failed_logins INTEGER NOT NULL DEFAULT 0,
    last_failed_login_at INTEGER
);

CREATE TABLE reviewer_sessions (
    token_hash TEXT PRIMARY KEY,
    reviewer_id INTEGER NOT NULL REFERENCES reviewers (id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    absolute_expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- Days that break the Monday-Friday rule: public holidays on weekdays, and
-- adjusted working days (调休) on weekends. Dates are China local dates.
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    note TEXT NOT NULL DEFAULT ''
);

-- One queue for every kind of review (appeals now; verification uploads,
-- first-entry onboarding and legacy-data requests later).
CREATE TABLE review_items (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,             -- 'appeal:<id>', ...
    state TEXT NOT NULL CHECK (state IN ('open', 'approved', 'rejected')),
    submitted_at INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    claimed_by INTEGER REFERENCES reviewers (id),
    claimed_at INTEGER,
    decided_by INTEGER REFERENCES reviewers (id),
    decided_at INTEGER,
    reason TEXT,
    reminded_at INTEGER,
    escalated_at INTEGER
);

CREATE INDEX review_items_by_state ON review_items (state, due_at);
CREATE UNIQUE INDEX review_items_by_subject ON review_items (subject) WHERE state = 'open';

-- Recovery appeals (申诉找回).
CREATE TABLE appeals (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('legal_entity', 'natural_person')),
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    new_mobile TEXT NOT NULL,
    form TEXT NOT NULL,                -- the submitted fields, JSON
    review_item_id INTEGER REFERENCES review_items (id),
    created_at INTEGER NOT NULL
);

CREATE INDEX appeals_by_account ON appeals (account_id);
