-- Grant management (issue 12, flow 6): a grant is one record per
-- (organization, person) with its roles, its optional effective and expiry
-- dates, who made and last changed it, and a version that every change
-- must name (the second of two racing changes is refused with the current
-- state). The one-row-per-role grants of 0002/0007 become one grant per
-- person, with every role they held. Natural persons are searched by real
-- name among verified ones only.

ALTER TABLE grants RENAME TO grants_by_role;

DROP INDEX IF EXISTS grants_by_person;
DROP INDEX IF EXISTS grants_by_organization;

CREATE TABLE grants (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    roles TEXT NOT NULL,                    -- role catalogue codes, space-separated
    granted_by INTEGER REFERENCES accounts (id),   -- NULL: the system (legacy conversion)
    created_at INTEGER NOT NULL,
    effective_from INTEGER,                 -- NULL: from its creation
    expires_at INTEGER,                     -- NULL: no end (exclusive)
    version INTEGER NOT NULL DEFAULT 1,
    changed_by INTEGER REFERENCES accounts (id),
    changed_at INTEGER NOT NULL,
    expiry_noticed_at INTEGER,              -- when the scheduled expiry notice went out (NULL: not yet)
    UNIQUE (organization_id, person_id)
);

INSERT INTO grants (organization_id, person_id, roles, granted_by, created_at, effective_from, expires_at, changed_at)
SELECT organization_id, person_id, group_concat(role, ' '), min(granted_by), min(created_at), max(effective_from),
       CASE WHEN count(expires_at) = count(*) THEN max(expires_at) END, max(created_at)
  FROM (SELECT * FROM grants_by_role ORDER BY role)
 GROUP BY organization_id, person_id;

DROP TABLE grants_by_role;

CREATE INDEX grants_by_person ON grants (person_id);

CREATE INDEX accounts_verified_person_name ON accounts (real_name)
 WHERE kind = 'natural_person' AND identity_verified_at IS NOT NULL;
