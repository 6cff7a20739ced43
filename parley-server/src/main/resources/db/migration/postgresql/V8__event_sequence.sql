-- Every channel event that /sync keeps gets a gapless per-channel sequence number, carried on the event as
-- channel_seq; an event meant for one member (channel.hidden, notification.added_to_channel...) names it.
ALTER TABLE channel_events ADD COLUMN channel_seq BIGINT;
ALTER TABLE channel_events ADD COLUMN target_user TEXT COLLATE "C";
CREATE UNIQUE INDEX channel_events_cid_seq ON channel_events (cid, channel_seq);
