-- Flow 7 (FAQ 5, 6, 8): first-entry onboarding at the foreign-work
-- system's two entries, the old system's business records, and the
-- requests to link the ones that did not link by themselves.

-- One row per first-entry submission (首次进入) of an account at an entry;
-- the newest is current. An approved one opens the entry; its link key
-- (the organization's verified USCC, or the person's verified document as
-- `<type>:<number>`) is what legacy records link by.
CREATE TABLE onboardings (
    id INTEGER PRIMARY KEY,
    entry TEXT NOT NULL CHECK (entry IN ('work_permit', 'r_visa')),
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    form TEXT NOT NULL,                -- the submitted fields, normalized, JSON
    state TEXT NOT NULL CHECK (state IN ('under_review', 'approved', 'rejected')),
    review_item_id INTEGER REFERENCES review_items (id),
    reason TEXT,                       -- the reviewer's, when rejected
    link_key TEXT,                     -- set at approval
    created_at INTEGER NOT NULL,
    decided_at INTEGER
);

CREATE INDEX onboardings_by_account ON onboardings (account_id, entry, id);
-- One waiting at a time, one approved ever: the database decides a race.
CREATE UNIQUE INDEX onboardings_one_under_review ON onboardings (account_id, entry) WHERE state = 'under_review';
CREATE UNIQUE INDEX onboardings_one_approved ON onboardings (account_id, entry) WHERE state = 'approved';
CREATE INDEX onboardings_by_link_key ON onboardings (entry, link_key) WHERE state = 'approved';

-- Business records of the old foreign-work system (imported), with their
-- owner as the old system had it and, once linked, the account whose
-- business home shows them.
CREATE TABLE legacy_records (
    id INTEGER PRIMARY KEY,
    record_number TEXT NOT NULL UNIQUE,
    entry TEXT NOT NULL CHECK (entry IN ('work_permit', 'r_visa')),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    submitted_on TEXT NOT NULL,        -- YYYY-MM-DD
    decided_on TEXT,
    foreigner_name TEXT NOT NULL,
    foreigner_nationality TEXT,
    foreigner_document_type TEXT NOT NULL,
    foreigner_document_number TEXT NOT NULL,
    old_login_name TEXT,               -- the owner in the old system
    old_login_key TEXT,
    old_org_name TEXT,
    old_org_name_key TEXT,
    old_uscc TEXT,
    old_document_type TEXT,            -- an R-visa person's document
    old_document_number TEXT,
    link_key TEXT,                     -- old_uscc, or '<type>:<number>' of the old document
    owner_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    linked_at INTEGER,
    linked_by TEXT,                    -- 'system', 'reviewer:<id>'
    link_basis TEXT,                   -- 'onboarding', 'import', 'request:<id>'
    imported_at INTEGER NOT NULL
);

CREATE INDEX legacy_records_by_link_key ON legacy_records (entry, link_key);
CREATE INDEX legacy_records_by_owner ON legacy_records (owner_account_id, entry);
CREATE INDEX legacy_records_by_old_login ON legacy_records (entry, old_login_key);
CREATE INDEX legacy_records_by_old_org_name ON legacy_records (entry, old_org_name_key);
CREATE INDEX legacy_records_by_old_document ON legacy_records (entry, old_document_number);

-- 关联数据 requests (instead of FAQ 8's phone call): what the user knows of
-- the old owner, for a reviewer to find and confirm the records.
CREATE TABLE legacy_data_requests (
    id INTEGER PRIMARY KEY,
    entry TEXT NOT NULL CHECK (entry IN ('work_permit', 'r_visa')),
    owner_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    filed_by INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    claims TEXT NOT NULL,              -- what they know, normalized, JSON
    state TEXT NOT NULL CHECK (state IN ('under_review', 'approved', 'rejected')),
    review_item_id INTEGER REFERENCES review_items (id),
    reason TEXT,
    linked TEXT NOT NULL DEFAULT '[]', -- the record numbers linked at approval, JSON
    created_at INTEGER NOT NULL,
    decided_at INTEGER
);

CREATE INDEX legacy_data_requests_by_owner ON legacy_data_requests (owner_account_id, entry, id);
CREATE UNIQUE INDEX legacy_data_requests_one_open ON legacy_data_requests (owner_account_id, entry) WHERE state = 'under_review';
