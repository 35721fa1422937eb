-- Reserved for the entry branch's migration 0008 (entries and first-entry
-- onboarding), which replaces this file when the branches merge; it keeps
-- the migration list contiguous until then.
SELECT 1;
