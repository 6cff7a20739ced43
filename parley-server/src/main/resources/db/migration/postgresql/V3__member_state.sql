-- Per-member channel state: archive and pin of the channel, history hidden by "hide with clear_history",
-- and the app's own member fields.

ALTER TABLE members ADD COLUMN archived_at BIGINT;
ALTER TABLE members ADD COLUMN pinned_at BIGINT;
ALTER TABLE members ADD COLUMN hide_messages_before BIGINT;
ALTER TABLE members ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
