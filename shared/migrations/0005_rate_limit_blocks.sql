-- A row of rate_limit_hits may count several hits at once: an instance
-- reserves a block of a window's quota in one write and spends it without
-- writing (shared/src/rate_limit.rs). The limit counts SUM(weight).
ALTER TABLE rate_limit_hits ADD COLUMN weight INTEGER NOT NULL DEFAULT 1;
