-- The role catalogue (shared::grants::roles): the legacy conversion's
-- `foreign_work` grants are the catalogue's `business` role; grants get
-- their optional effective and expiry dates (grant management sets them;
-- a grant is in force from the one up to the other); and the roles an
-- organization itself holds once its first entry into the foreign-work
-- system was approved.

UPDATE OR IGNORE grants SET role = 'business' WHERE role = 'foreign_work';
DELETE FROM grants WHERE role = 'foreign_work';

ALTER TABLE grants ADD COLUMN effective_from INTEGER;   -- NULL: from its creation
ALTER TABLE grants ADD COLUMN expires_at INTEGER;       -- NULL: no end (exclusive)

CREATE INDEX grants_by_organization ON grants (organization_id);

CREATE TABLE organization_roles (
    organization_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (organization_id, role)
) WITHOUT ROWID;
