-- Moderation of the embedded store: user mutes, channel mutes, bans, flags and blocks.
-- Uploaded files live in <dataDir>/uploads, not in the database (ARCHITECTURE.md, "Uploads").
-- Timestamps are epoch microseconds; booleans are 0/1; a global ban has cid ''.

CREATE TABLE user_mutes (
    user_id    TEXT   NOT NULL,
    target_id  TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    expires    BIGINT,
    PRIMARY KEY (user_id, target_id)
);

CREATE INDEX user_mutes_target ON user_mutes (target_id, user_id);

CREATE TABLE channel_mutes (
    user_id    TEXT   NOT NULL,
    cid        TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    expires    BIGINT,
    PRIMARY KEY (user_id, cid)
);

CREATE INDEX channel_mutes_cid ON channel_mutes (cid, user_id);

CREATE TABLE bans (
    target_id     TEXT    NOT NULL,
    cid           TEXT    NOT NULL,
    created_by_id TEXT,
    reason        TEXT,
    shadow        INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT  NOT NULL,
    expires       BIGINT,
    PRIMARY KEY (target_id, cid)
);

CREATE INDEX bans_cid ON bans (cid, created_at);

CREATE TABLE flags (
    user_id     TEXT   NOT NULL,
    target_kind TEXT   NOT NULL,
    target_id   TEXT   NOT NULL,
    reason      TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, target_kind, target_id)
);

CREATE TABLE user_blocks (
    user_id         TEXT   NOT NULL,
    blocked_user_id TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (user_id, blocked_user_id)
);
