-- Revoking one reviewer's sessions (a password reset or restore, a disabled
-- reviewer) finds them by reviewer instead of reading every reviewer session
-- (the query-plan check in `cargo test-all` refused the scan).
CREATE INDEX reviewer_sessions_by_reviewer ON reviewer_sessions (reviewer_id);
