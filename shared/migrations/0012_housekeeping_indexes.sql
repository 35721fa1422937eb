-- What the scheduled work and the review console look up, by index (the
-- query-plan check in `cargo test-all` refused their full scans):
-- housekeeping deletes the oldest rate-limit hits, sessions past their
-- absolute expiry and expired SMS codes; purges the uploads of rejected
-- submissions (rejected items by decision time, a subject's other items);
-- grant-expiry notices find the grants not yet noticed by expiry; the
-- console shows an item's history from the audit log and a reviewer's
-- notifications newest first.
CREATE INDEX rate_limit_hits_by_time ON rate_limit_hits (at);
CREATE INDEX sessions_by_absolute_expiry ON sessions (absolute_expires_at);
CREATE INDEX reviewer_sessions_by_absolute_expiry ON reviewer_sessions (absolute_expires_at);
CREATE INDEX sms_codes_by_expiry ON sms_codes (expires_at);
CREATE INDEX review_items_rejected ON review_items (decided_at) WHERE state = 'rejected';
CREATE INDEX review_items_by_any_subject ON review_items (subject);
CREATE INDEX grants_expiry_not_noticed ON grants (expires_at) WHERE expiry_noticed_at IS NULL;
CREATE INDEX audit_log_by_subject ON audit_log (subject, id);
CREATE INDEX reviewer_notifications_by_audience ON reviewer_notifications (audience, created_at);
