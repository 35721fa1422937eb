-- A reservation sums the weights of a subject's hits in its window inside
-- the write that counts it (shared::rate_limit::reserve). With `weight` in
-- the window's index the sum reads the index alone: measured natively on
-- 6,000 hits of one subject among 200,000, 0.9 ms instead of 8.7 ms, time
-- that every other write waited for.
DROP INDEX rate_limit_hits_window;
CREATE INDEX rate_limit_hits_window ON rate_limit_hits (bucket, subject, at, weight);
