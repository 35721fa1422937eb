-- Real-name verification (flow 5, FAQ 3.1-3.7): one row per verification
-- of a part of "my info" (a claim, its automatic check, its documents and
-- its review), the history of every state change, and when the account's
-- own identity (a natural person's, a legal entity's organization) was
-- last verified.

CREATE TABLE verifications (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    part TEXT NOT NULL CHECK (part IN ('person', 'basic_info', 'authorization_info', 'legal_representative')),
    claim TEXT NOT NULL,               -- the saved fields, normalized, JSON
    state TEXT NOT NULL CHECK (state IN ('passed', 'failed', 'check_unavailable', 'manual_review_required',
                                         'under_review', 'rejected')),
    check_kind TEXT NOT NULL,          -- person_2, person_3, enterprise_3, builtin, offline, in_force
    check_result TEXT NOT NULL,        -- the save's outcome (verification::state::Outcome), kept
    result TEXT NOT NULL,              -- what happened last (the same codes)
    review_item_id INTEGER REFERENCES review_items (id),
    reason TEXT,                       -- the reviewer's reason when rejected
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The current verification of a part is its newest row; the identity in
-- force, its newest passed row.
CREATE INDEX verifications_by_part ON verifications (account_id, part, id);

-- Every transition: when, who, to which state, with which result.
CREATE TABLE verification_history (
    id INTEGER PRIMARY KEY,
    verification_id INTEGER NOT NULL REFERENCES verifications (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    part TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,               -- 'account:<id>', 'reviewer:<id>', 'system'
    state TEXT NOT NULL,
    result TEXT NOT NULL
);

CREATE INDEX verification_history_by_part ON verification_history (account_id, part, id);

ALTER TABLE accounts ADD COLUMN identity_verified_at INTEGER;
