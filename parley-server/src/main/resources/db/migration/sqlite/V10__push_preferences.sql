-- Push preferences (PROTOCOL.md §16.2): one row per user at the user's level (channel_cid '') and one per
-- channel the user set a preference for. A NULL level means the level above decides.
CREATE TABLE push_preferences (
    user_id        TEXT    NOT NULL,
    channel_cid    TEXT    NOT NULL,
    chat_level     TEXT,
    call_level     TEXT,
    disabled_until BIGINT,
    updated_at     BIGINT  NOT NULL,
    PRIMARY KEY (user_id, channel_cid)
);
