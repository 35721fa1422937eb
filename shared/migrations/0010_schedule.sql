-- Scheduled work (flow 9): SMS retries with backoff, review reminders and
-- escalation, housekeeping, and the record of each tick; reviewers get an
-- optional mobile, a role and a disabled mark.

-- The outbox's retry state. A message is tried when `next_attempt_at` has
-- come; whoever tries it (the request that queued it, or a tick) first
-- claims it for a while (`claimed_until`, a guarded update), so two ticks
-- never send it twice. `failed_at` + `failure` ('max_attempts',
-- 'code_expired'): given up, kept, listed in the console with "retry now".
-- `expires_at`: when the code it carries can no longer be used (NULL: no
-- code); such a message is not sent after that.
ALTER TABLE sms_outbox ADD COLUMN next_attempt_at INTEGER;
ALTER TABLE sms_outbox ADD COLUMN claimed_until INTEGER;
ALTER TABLE sms_outbox ADD COLUMN failed_at INTEGER;
ALTER TABLE sms_outbox ADD COLUMN failure TEXT;
ALTER TABLE sms_outbox ADD COLUMN expires_at INTEGER;

-- Messages written before this migration: due for a retry at once.
UPDATE sms_outbox SET next_attempt_at = created_at WHERE sent_at IS NULL;

CREATE INDEX sms_outbox_due ON sms_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX sms_outbox_failed ON sms_outbox (failed_at) WHERE failed_at IS NOT NULL AND sent_at IS NULL;

-- Reviewers: an optional mobile (reminders by SMS), a role, and a
-- disabled mark (a disabled reviewer cannot log in; its sessions end).
-- The bootstrap reviewer (the one nobody created) is a lead.
ALTER TABLE reviewers ADD COLUMN mobile TEXT;
ALTER TABLE reviewers ADD COLUMN role TEXT NOT NULL DEFAULT 'reviewer' CHECK (role IN ('reviewer', 'lead'));
ALTER TABLE reviewers ADD COLUMN disabled_at INTEGER;
UPDATE reviewers SET role = 'lead' WHERE created_by IS NULL;

-- What the console shows reviewers: a reminder (to every reviewer) or an
-- escalation (to the leads), one per review item each.
CREATE TABLE reviewer_notifications (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('reminder', 'escalation')),
    audience TEXT NOT NULL CHECK (audience IN ('reviewer', 'lead')),
    review_item_id INTEGER NOT NULL REFERENCES review_items (id),
    created_at INTEGER NOT NULL,
    UNIQUE (kind, review_item_id)
);

CREATE INDEX reviewer_notifications_newest ON reviewer_notifications (created_at);

CREATE INDEX review_items_reminder_due ON review_items (due_at) WHERE state = 'open' AND reminded_at IS NULL;
CREATE INDEX review_items_escalation_due ON review_items (due_at) WHERE state = 'open' AND escalated_at IS NULL;

-- Upload bytes deleted after the retention of a rejected submission: the
-- row (digest, size, type) stays for the record.
ALTER TABLE uploads ADD COLUMN purged_at INTEGER;

-- Each tick: when it started and finished, and what each job did (JSON).
CREATE TABLE schedule_ticks (
    id INTEGER PRIMARY KEY,
    started_at INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    trigger TEXT NOT NULL,             -- 'cron', 'http', 'test'
    report TEXT NOT NULL
);

CREATE INDEX schedule_ticks_newest ON schedule_ticks (started_at);
